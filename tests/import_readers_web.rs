//! The nginx, app and BIND readers of `stackc import` (TOOLS.md §4):
//!
//! - on the bundle of every sample (built in memory): the facts are what
//!   the model implies: each web server's upstreams (the servers its http
//!   links reach), its listens (the protocols and ports links and records
//!   reach it by), each app's endpoints (its links to data stores and
//!   external services, read or write), the zones' records;
//! - on the hand-written Debian configs of `tests/import/web-debian/`
//!   (`sites-available` + a `sites-enabled` symlink, comments and tabs, a
//!   `DATABASE_URL` in `/etc/default`, a zone file with `$ORIGIN` and a
//!   multi-line SOA): the facts expected by hand, and every file passes its
//!   real program's check (`nginx -t` in a network namespace that owns the
//!   host's addresses, `named-checkzone -i local`).

#[path = "support/bundles.rs"]
mod bundles;
mod common;
#[path = "support/designs.rs"]
mod designs;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/role_designs.rs"]
mod role_designs;
#[path = "support/small_stacks.rs"]
mod small_stacks;

use stackc::bundle::{Bundle, Flavor};
use stackc::import::read::{app, bind, nginx};
use stackc::import::{Entry, Fact, Facts, HostFiles, Target};
use stackc::model::{Kit, Model, Protocol, Target as MTarget};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

/// The bundle's hosts as the CLI reads them, and its `dns/` as the
/// pseudo-host `dns`.
fn hosts_of(b: &Bundle) -> (BTreeMap<String, HostFiles>, HostFiles) {
    let mut hosts: BTreeMap<String, HostFiles> = BTreeMap::new();
    let mut dns = HostFiles::new("dns");
    for (path, f) in &b.files {
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        if let Some(rest) = path.strip_prefix("hosts/") {
            let (name, p) = rest.split_once('/').unwrap();
            hosts
                .entry(name.to_string())
                .or_insert_with(|| HostFiles::new(name))
                .insert(format!("/{p}"), Entry::Text(text));
        } else if let Some(p) = path.strip_prefix("dns/") {
            dns.insert(format!("/{p}"), Entry::Text(text));
        }
    }
    (hosts, dns)
}

fn read_all(h: &HostFiles) -> Facts {
    let mut f = Facts::default();
    nginx::read(h, &mut f);
    app::read(h, &mut f);
    bind::read(h, &mut f);
    f
}

/// The model's target a config's target names: a server by address or
/// name (an external one by its `host=`), a group by its vip; a member of
/// a group stands for its group.
fn model_target(m: &Model, t: &Target) -> Option<MTarget> {
    let server = m.servers.iter().position(|s| match t {
        Target::Addr(ip, _) => s.address == Some(*ip),
        Target::Name(n, _) => s.name == *n || s.host.as_deref() == Some(n.as_str()),
    });
    if let Some(i) = server {
        let s = &m.servers[i];
        return Some(match s.group {
            Some(g) => MTarget::Group(g),
            None => MTarget::Server(stackc::model::ServerId(i as u32)),
        });
    }
    let Target::Addr(ip, _) = t else { return None };
    m.groups
        .iter()
        .position(|g| g.vip == Some(*ip))
        .map(|i| MTarget::Group(stackc::model::GroupId(i as u32)))
}

/// The group (or server) a target of a link or record stands for, named.
fn as_group(m: &Model, t: MTarget) -> String {
    match t {
        MTarget::Server(s) => match m.server(s).group {
            Some(g) => m.group(g).name.clone(),
            None => m.server(s).name.clone(),
        },
        MTarget::Group(g) => m.group(g).name.clone(),
    }
}

#[derive(Default)]
struct Counts {
    web: usize,
    apps: usize,
    records: usize,
}

fn check_sample(name: &str, src: &str, counts: &mut Counts) {
    let c = stackc::check(src);
    let m = &c.model;
    let b = bundles::build(src, Flavor::default());
    let (hosts, dns) = hosts_of(&b);
    for (i, s) in m.servers.iter().enumerate() {
        let sid = stackc::model::ServerId(i as u32);
        let Some(h) = hosts.get(&s.name) else {
            continue;
        };
        let f = read_all(h);
        let runs: BTreeSet<String> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Runs(r) => Some(r.name().to_string()),
                _ => None,
            })
            .collect();
        let has = |k: Kit| s.roles.has_kit(k);
        let expect_runs: BTreeSet<String> = s
            .roles
            .iter()
            .filter(|r| matches!(r.spec().kit, Kit::Nginx | Kit::App))
            .map(|r| r.name().to_string())
            .collect();
        assert_eq!(runs, expect_runs, "{name}: {}: roles", s.name);
        let links_from: Vec<_> = m.links.iter().filter(|l| l.from.contains(&sid)).collect();
        if has(Kit::Nginx) {
            counts.web += 1;
            // Upstreams: the groups (or servers) its http links reach, or
            // the local app when it has none.
            let mut pools: BTreeSet<String> = BTreeSet::new();
            let mut unused = 0;
            for (x, _) in f.facts.iter().map(|(_, x, o)| (x, o)) {
                if let Fact::Pool {
                    members, protocol, ..
                } = x
                {
                    let mut targets: BTreeSet<String> = BTreeSet::new();
                    for mem in members {
                        let t = model_target(m, &mem.target)
                            .unwrap_or_else(|| panic!("{name}: {}: {mem:?} is no server", s.name));
                        targets.insert(as_group(m, t));
                        assert!(!mem.backup);
                    }
                    assert_eq!(
                        targets.len(),
                        1,
                        "{name}: {}: one target per upstream",
                        s.name
                    );
                    assert!(protocol.is_http());
                    pools.extend(targets);
                }
            }
            let mut expect: BTreeSet<String> = links_from
                .iter()
                .flat_map(|l| l.targets.iter())
                .filter(|t| t.protocol.is_http() && !m.target_members(&t.target).is_empty())
                .map(|t| as_group(m, t.target))
                .collect();
            if expect.is_empty() && has(Kit::App) {
                expect.insert(as_group(m, MTarget::Server(sid)));
            }
            assert_eq!(pools, expect, "{name}: {}: upstreams", s.name);
            if pools.len() > 1 {
                unused = pools.len() - 1;
            }
            let sends: BTreeSet<String> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Sends { pool: Some(p), .. } => Some(p.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(
                sends.len(),
                pools.len(),
                "{name}: {}: a link per upstream",
                s.name
            );
            assert_eq!(
                f.warnings.len(),
                unused,
                "{name}: {}: warnings {:?}",
                s.name,
                f.warnings
            );
            // Listens: the protocols and ports requests reach it by, on its
            // address (and its group's vip).
            let serves: BTreeSet<(Protocol, u16)> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Serves {
                        role,
                        protocol,
                        addr,
                        port,
                        tls,
                    } if role.spec().kit == Kit::Nginx => {
                        let vip = s.group.and_then(|g| m.group(g).vip);
                        assert!(
                            *addr == s.address || (addr.is_some() && *addr == vip),
                            "{name}: {}: listens on {addr:?}",
                            s.name
                        );
                        assert_eq!(*tls, *protocol == Protocol::Https);
                        Some((*protocol, *port))
                    }
                    _ => None,
                })
                .collect();
            let reached: BTreeSet<(Protocol, u16)> = m
                .links
                .iter()
                .flat_map(|l| l.targets.iter())
                .chain(m.records.iter().flat_map(|r| r.targets.iter()))
                .filter(|t| m.target_members(&t.target).contains(&sid) && t.protocol.is_http())
                .map(|t| (t.protocol, t.port))
                .collect();
            assert!(!serves.is_empty(), "{name}: {}: no listen", s.name);
            assert!(
                reached.is_subset(&serves) || !has(Kit::App),
                "{name}: {}: serves {serves:?}, reached by {reached:?}",
                s.name
            );
        }
        if has(Kit::App) {
            counts.apps += 1;
            if !has(Kit::Nginx) {
                assert!(
                    f.warnings.is_empty(),
                    "{name}: {}: {:?}",
                    s.name,
                    f.warnings
                );
            }
            // Its endpoints: every link to a store or an external service.
            let got: BTreeSet<(Protocol, bool, String)> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Sends {
                        protocol,
                        to: Some(t),
                        read,
                        ..
                    } => {
                        let mt = model_target(m, t)
                            .unwrap_or_else(|| panic!("{name}: {}: {t:?} is no server", s.name));
                        Some((*protocol, *read, as_group(m, mt)))
                    }
                    _ => None,
                })
                .collect();
            let expect: BTreeSet<(Protocol, bool, String)> = links_from
                .iter()
                .flat_map(|l| l.targets.iter().map(move |t| (l, t)))
                // The web tier is reached through the proxies' configs.
                .filter(|(_, t)| {
                    let roles = m.target_roles(t.target);
                    roles.any(|r| r.kit == Kit::External)
                        || (!t.protocol.is_http()
                            && roles
                                .any(|r| !matches!(r.kit, Kit::Haproxy | Kit::Nginx | Kit::App)))
                })
                // An external server with neither host= nor an address is
                // in no environment.
                .filter(|(_, t)| {
                    m.target_members(&t.target)
                        .iter()
                        .any(|x| m.server(*x).host.is_some() || m.server(*x).address.is_some())
                })
                .map(|(l, t)| {
                    (
                        t.protocol,
                        l.read && t.protocol.is_data(),
                        as_group(m, t.target),
                    )
                })
                .collect();
            assert_eq!(got, expect, "{name}: {}: app endpoints", s.name);
            let serves: Vec<(Option<IpAddr>, u16)> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Serves {
                        role, addr, port, ..
                    } if role.spec().kit == Kit::App => Some((*addr, *port)),
                    _ => None,
                })
                .collect();
            let port = s
                .port
                .unwrap_or(stackc::model::Role::of_kit(Kit::App).spec().port());
            // `port=` of a box with several roles is another role's.
            if s.roles.len() == 1 {
                assert_eq!(serves, [(s.address, port)], "{name}: {}", s.name);
            } else {
                assert_eq!(serves.len(), 1, "{name}: {}", s.name);
                assert_eq!(serves[0].0, s.address, "{name}: {}", s.name);
            }
        }
    }
    // Records: one label per record of the model, each value an address
    // of its targets (their members or the group's vip).
    let f = read_all(&dns);
    assert!(f.warnings.is_empty(), "{name}: dns: {:?}", f.warnings);
    let mut got: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (_, x, _) in &f.facts {
        if let Fact::Record {
            domain,
            label,
            value,
            rtype,
            ttl,
        } = x
        {
            let d = m.domains.iter().find(|d| d.name == *domain).unwrap();
            assert_eq!(*ttl, Some(d.ttl.unwrap_or(3600)), "{name}: {domain}");
            assert!(rtype == "A" || rtype == "AAAA");
            let ip: IpAddr = value.parse().unwrap();
            let t = model_target(m, &Target::Addr(ip, None)).unwrap();
            got.entry((domain.clone(), label.clone()))
                .or_default()
                .insert(as_group(m, t));
        }
    }
    let mut expect: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in &m.records {
        let d = m.domains[r.domain.index()].name.clone();
        for t in &r.targets {
            expect
                .entry((d.clone(), r.label.clone()))
                .or_default()
                .insert(as_group(m, t.target));
        }
    }
    counts.records += got.len();
    assert_eq!(got, expect, "{name}: records");
}

#[test]
fn the_readers_read_every_samples_bundle() {
    let mut counts = Counts::default();
    let mut n = 0;
    for p in common::stack_files(&common::root().join("samples")) {
        let src = fs::read_to_string(&p).unwrap();
        let c = stackc::check(&src);
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if stackc::bundle::generate(
            &c,
            &stackc::bundle::Options::default(),
            &bundles::fixed_secrets(&c),
        )
        .is_err()
        {
            continue;
        }
        check_sample(&name, &src, &mut counts);
        n += 1;
    }
    println!(
        "{n} samples: {} web servers, {} apps, {} records",
        counts.web, counts.apps, counts.records
    );
    assert!(n >= 5 && counts.web > 0 && counts.apps > 0 && counts.records > 0);
}

/// Bundles a design when `bundle` accepts it.
fn bundles(src: &str) -> bool {
    let c = stackc::check(src);
    stackc::bundle::generate(
        &c,
        &stackc::bundle::Options::default(),
        &bundles::fixed_secrets(&c),
    )
    .is_ok()
}

#[test]
fn the_readers_read_the_role_designs_and_small_random_stacks() {
    let mut counts = Counts::default();
    let designs = [
        ("POSTGRES", role_designs::POSTGRES),
        ("REDIS", role_designs::REDIS),
        ("REDIS_AUTO", role_designs::REDIS_AUTO),
        ("MEMCACHED", role_designs::MEMCACHED),
        ("EXTERNAL", role_designs::EXTERNAL),
        ("DUAL_STACK", designs::DUAL_STACK),
    ];
    for (name, src) in designs {
        assert!(bundles(src), "{name}");
        check_sample(name, src, &mut counts);
    }
    let mut n = 0;
    for seed in 0..600 {
        let src = small_stacks::small_stack(seed);
        if bundles(&src) {
            check_sample(&format!("small stack {seed}:\n{src}"), &src, &mut counts);
            n += 1;
        }
    }
    println!(
        "{} designs and {n} of 600 small stacks: {} web servers, {} apps, {} records",
        designs.len(),
        counts.web,
        counts.apps,
        counts.records
    );
    assert!(n >= 10);
}

// ---- the hand-written Debian configs -------------------------------------------

fn web_debian() -> std::path::PathBuf {
    common::root().join("tests/import/web-debian")
}

/// A host folder as the CLI reads it (symbolic links inside the folder
/// followed: `sites-enabled/shop -> ../sites-available/shop`).
fn host_dir(dir: &Path) -> HostFiles {
    let mut h = HostFiles::new(dir.file_name().unwrap().to_string_lossy());
    fn walk(root: &Path, d: &Path, h: &mut HostFiles) {
        let mut entries: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, h);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                h.insert(
                    format!("/{rel}"),
                    Entry::Text(fs::read_to_string(&p).unwrap()),
                );
            }
        }
    }
    walk(dir, dir, &mut h);
    h
}

fn facts_text(f: &Facts) -> String {
    let mut out = String::new();
    for (_, x, o) in &f.facts {
        let mut line = format!("{}:{} {x:?}\n", o.path, o.line);
        for r in stackc::model::Role::all() {
            line = line.replace(&format!("{r:?}"), r.name());
        }
        out.push_str(&line);
    }
    for w in &f.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

#[test]
fn the_hand_written_debian_configs() {
    let web = host_dir(&web_debian().join("web-01"));
    assert!(
        fs::symlink_metadata(web_debian().join("web-01/etc/nginx/sites-enabled/shop"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let f = read_all(&web);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    insta::assert_snapshot!("web_debian_web_01", facts_text(&f));
    let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
    let pools: Vec<Vec<Target>> = f
        .facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Pool { members, .. } => Some(members.iter().map(|m| m.target.clone()).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(
        pools,
        [vec![
            Target::Addr(ip("10.0.2.11"), Some(8000)),
            Target::Addr(ip("10.0.2.12"), Some(8000))
        ]]
    );
    for a in ["app-01", "app-02"] {
        let f = read_all(&host_dir(&web_debian().join(a)));
        assert!(f.warnings.is_empty(), "{a}: {:?}", f.warnings);
        let sends: Vec<(Protocol, Target, bool)> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Sends {
                    protocol,
                    to: Some(t),
                    read,
                    ..
                } => Some((*protocol, t.clone(), *read)),
                _ => None,
            })
            .collect();
        assert_eq!(
            sends,
            [
                (
                    Protocol::Mysql,
                    Target::Addr(ip("10.0.6.11"), Some(3306)),
                    false
                ),
                (
                    Protocol::Mysql,
                    Target::Addr(ip("10.0.6.12"), Some(3306)),
                    true
                ),
                (
                    Protocol::Redis,
                    Target::Name(a.to_string(), Some(6379)),
                    false
                ),
            ],
            "{a}"
        );
        if a == "app-01" {
            insta::assert_snapshot!("web_debian_app_01", facts_text(&f));
        }
    }
    let ns = read_all(&host_dir(&web_debian().join("ns-01")));
    assert!(ns.warnings.is_empty(), "{:?}", ns.warnings);
    insta::assert_snapshot!("web_debian_ns_01", facts_text(&ns));
}

#[test]
fn the_hand_written_configs_pass_nginx_t() {
    if !netns::require_root("nginx -t in a namespace") || !common::require_tool("nginx") {
        return;
    }
    let root = web_debian().join("web-01");
    let ns = netns::Ns::new(&["10.0.1.11".parse().unwrap()]);
    let etc = ns.etc();
    // Debian's own files (mime.types, modules-enabled...), then ours.
    netns::copy_dir(Path::new("/etc/nginx"), &etc.join("nginx"));
    let _ = fs::remove_dir_all(etc.join("nginx/sites-enabled"));
    let _ = fs::remove_dir_all(etc.join("nginx/conf.d"));
    netns::copy_dir(&root.join("etc/nginx"), &etc.join("nginx"));
    fs::create_dir_all(etc.join("nginx/certs")).unwrap();
    fs::write(etc.join("nginx/certs/shop.example.pem"), netns::test_pem()).unwrap();
    let out = ns.exec(&["nginx", "-t"], "web-debian web-01: nginx -t");
    assert!(out.contains("syntax is ok"), "{out}");
    assert!(!out.contains("[warn]"), "nginx -t warns:\n{out}");
}

#[test]
fn the_hand_written_zone_passes_named_checkzone() {
    if !common::require_tool("named-checkzone") {
        return;
    }
    let zone = web_debian().join("ns-01/etc/bind/db.shop.example");
    let out = netns::run(
        Command::new("named-checkzone")
            .args(["-i", "local", "shop.example"])
            .arg(&zone),
        std::time::Duration::from_secs(20),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("OK"), "{text}");
}

// ---- bad input ------------------------------------------------------------------

/// A host whose files all hold `text` at the paths the readers read.
fn host_with(text: &str) -> HostFiles {
    let mut h = HostFiles::new("web-01");
    for p in [
        "/etc/nginx/nginx.conf",
        "/etc/nginx/conf.d/a.conf",
        "/etc/systemd/system/shop-app.service",
        "/etc/default/shop-app",
        "/etc/bind/named.conf",
        "/etc/bind/db.shop.example",
        "/shop.example.zone",
    ] {
        h.insert(p, Entry::Text(text.to_string()));
    }
    h
}

#[test]
fn bad_input_never_panics_and_costs_linear_time() {
    use std::time::{Duration, Instant};
    let n = 50_000;
    let big: Vec<String> = vec![
        // Includes of missing files, of themselves, of a glob of themselves.
        "include /etc/nginx/missing.conf;\ninclude /etc/nginx/nginx.conf;\ninclude conf.d/*.conf;\n".repeat(n / 3),
        // Many upstreams and passes.
        (0..n)
            .map(|i| format!("upstream u{i} {{ server 10.0.{}.{}:80; }}\nserver {{ listen {}; location / {{ proxy_pass http://u{i}; }} }}\n", i / 250 % 250, i % 250, 1024 + i % 60000))
            .collect(),
        "a {".repeat(n),
        "}".repeat(n),
        "\"unclosed ' quote {".repeat(n),
        // An environment of chained expansions and repeats.
        (0..n).map(|i| format!("A{i}=${{A{}}}x\nDB_{i}_HOST=10.0.0.1\nA=1\n", i.saturating_sub(1))).collect(),
        "Environment=".to_string() + &"X=1 ".repeat(n),
        // Zones: an unclosed parenthesis, includes of themselves, many records.
        "@ IN SOA a b (\n".to_string() + &"1 2 3\n".repeat(n),
        "$INCLUDE /shop.example.zone\n".repeat(n / 10),
        (0..n).map(|i| format!("h{i} IN A 10.0.{}.{}\n\tIN CNAME h{i}\n", i / 250 % 250, i % 250)).collect(),
        "zone \"x\" { type master; file \"/shop.example.zone\"; };\n".repeat(n / 10),
    ];
    for (i, text) in big.iter().enumerate() {
        let t = Instant::now();
        let f = read_all(&host_with(text));
        let took = t.elapsed();
        assert!(
            took < Duration::from_secs(20),
            "input {i} ({} bytes) took {took:?}",
            text.len()
        );
        let _ = f;
    }
    // Random config-like garbage: no panic.
    let mut seed: u64 = 0x5eed;
    let alphabet: Vec<char> = "abc:;{}[]()\"'#$\\/=@.,*?\n\t 0123456789$ORIGIN$TTL$INCLUDE"
        .chars()
        .collect();
    for _ in 0..300 {
        let len = (seed % 400) as usize;
        let mut s = String::new();
        for _ in 0..len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
        }
        let _ = read_all(&host_with(&s));
    }
}
