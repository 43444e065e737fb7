//! The HAProxy and keepalived readers of `stackc import` (TOOLS.md §4), on
//! what stackc writes and on what operators write:
//!
//! - every sample and rule case that bundles and has a load balancer or a
//!   vip: the readers, run on the bundle (in memory), give exactly the
//!   facts the model implies: each HAProxy's pools are the servers its
//!   links reach, with their protocol and port; it binds the vip of its
//!   active-passive group (no host address) or its own address; each VRRP
//!   member's instance has the group's vip, priorities falling in member
//!   order (the primary first), the unicast peers, and `track` exactly
//!   when the group tracks its backends;
//! - `tests/import/lb-debian/`: two load balancers configured by hand from
//!   Debian's default files (several frontends, a stats `listen`, comments,
//!   tabs, a keepalived `track_script` that only runs `killall -0
//!   haproxy`), whose facts are spelled out here, and which pass the real
//!   `haproxy -c` (with a throw-away PEM for `ssl crt`) and `keepalived -t`
//!   in a network namespace that owns `eth0`.

#[path = "support/bundles.rs"]
mod bundles;
mod common;
#[path = "support/netns.rs"]
mod netns;

use stackc::import::facts::{Fact, Facts, PoolMember, Target, Track};
use stackc::import::read::{haproxy, keepalived};
use stackc::import::tree::{Entry, HostFiles};
use stackc::model::{self, Kit, Model, Protocol, Role, ServerId};
use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::Path;

/// The bundle of `src`, one `HostFiles` per host (`hosts/NAME/...`).
fn bundle_hosts(src: &str) -> Option<(stackc::Checked, BTreeMap<String, HostFiles>)> {
    let c = stackc::check(src);
    if c.errors() > 0 {
        return None;
    }
    let secrets = bundles::fixed_secrets(&c);
    let b = stackc::bundle::generate(&c, &Default::default(), &secrets).ok()?;
    let mut hosts: BTreeMap<String, HostFiles> = BTreeMap::new();
    for (path, f) in &b.files {
        let Some(rest) = path.strip_prefix("hosts/") else {
            continue;
        };
        let (name, real) = rest.split_once('/').unwrap();
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        hosts
            .entry(name.to_string())
            .or_insert_with(|| HostFiles::new(name))
            .insert(format!("/{real}"), Entry::Text(text));
    }
    Some((c, hosts))
}

fn read_lb(h: &HostFiles) -> Facts {
    let mut f = Facts::default();
    haproxy::read(h, &mut f);
    keepalived::read(h, &mut f);
    f
}

fn addr(m: &Model, s: ServerId) -> IpAddr {
    m.server(s).address.unwrap()
}

/// The servers a target of a link stands for.
fn servers_of(m: &Model, t: model::Target) -> Vec<ServerId> {
    match t {
        model::Target::Server(s) => vec![s],
        model::Target::Group(g) => m.group(g).members.clone(),
    }
}

/// The pools the model implies for an HAProxy server: per http(s) link
/// leaving it, the protocol and the members' addresses and ports.
fn expected_pools(m: &Model, s: ServerId) -> Vec<(Protocol, Vec<(IpAddr, u16)>)> {
    let mut out = Vec::new();
    for l in m.links.iter().filter(|l| l.from.contains(&s)) {
        for t in l.targets.iter().filter(|t| t.protocol.is_http()) {
            let members = servers_of(m, t.target)
                .into_iter()
                .map(|x| (addr(m, x), t.port))
                .collect();
            out.push((t.protocol, members));
        }
    }
    out
}

fn pools(f: &Facts) -> Vec<(Protocol, Vec<(IpAddr, u16)>)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Pool {
                protocol, members, ..
            } => Some((
                *protocol,
                members
                    .iter()
                    .map(|mb| match &mb.target {
                        Target::Addr(a, Some(p)) if !mb.backup => (*a, *p),
                        t => panic!("a bundle's member is an address and a port: {t:?}"),
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

/// Checks one bundle against its model; returns (haproxy hosts, vrrp
/// members) checked.
fn check_bundle(
    label: &str,
    c: &stackc::Checked,
    hosts: &BTreeMap<String, HostFiles>,
) -> (usize, usize) {
    let m = &c.model;
    let (mut lbs, mut vrrps) = (0, 0);
    for s in m.server_ids() {
        let srv = m.server(s);
        let Some(h) = hosts.get(&srv.name) else {
            continue;
        };
        let f = read_lb(h);
        let who = format!("{label}: {}", srv.name);
        assert!(f.warnings.is_empty(), "{who}: {:?}", f.warnings);
        let group = srv.group.map(|g| m.group(g));
        let vip = group.and_then(|g| g.vip);
        let has = |pred: &dyn Fn(&Fact) -> bool| f.facts.iter().any(|(_, x, _)| pred(x));
        // HAProxy.
        let lb = srv.roles.has_kit(Kit::Haproxy);
        assert_eq!(has(&|x| matches!(x, Fact::Runs(_))), lb, "{who}: Runs");
        if lb {
            lbs += 1;
            assert!(
                has(&|x| *x == Fact::Runs(Role::of_kit(Kit::Haproxy))),
                "{who}"
            );
            assert_eq!(pools(&f), expected_pools(m, s), "{who}: pools");
            let pool_names: Vec<&str> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Pool { name, .. } => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            let sends: Vec<&str> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Sends { pool: Some(p), .. } => Some(p.as_str()),
                    _ => None,
                })
                .collect();
            // The first backend is every frontend's default; the others
            // wait for a `use_backend` rule (the bundle says so).
            assert!(
                sends.iter().all(|p| pool_names.first() == Some(p)),
                "{who}: {sends:?}"
            );
            assert_eq!(sends.is_empty(), pool_names.is_empty(), "{who}");
            assert_eq!(
                has(&|x| matches!(x, Fact::Unrouted { .. })),
                pool_names.is_empty(),
                "{who}: unrouted"
            );
            // Binds: on the vip of an HAProxy pair, else on the host's
            // address, which is then the host's.
            let bound: Vec<IpAddr> = f
                .facts
                .iter()
                .filter_map(|(_, x, _)| match x {
                    Fact::Serves { addr, .. } => Some(addr.expect("a bundle binds one address")),
                    _ => None,
                })
                .collect();
            let on = vip.unwrap_or(addr(m, s));
            assert!(
                !bound.is_empty() && bound.iter().all(|a| *a == on),
                "{who}: {bound:?}"
            );
        }
        // keepalived.
        let vrrp: Vec<&Fact> = f
            .facts
            .iter()
            .map(|(_, x, _)| x)
            .filter(|x| matches!(x, Fact::Vrrp { .. }))
            .collect();
        let Some((g, vip)) = group.zip(vip) else {
            assert!(vrrp.is_empty(), "{who}: no vip, no vrrp");
            continue;
        };
        vrrps += 1;
        let mut order = g.members.clone();
        if let Some(p) = g.primary {
            order.retain(|x| *x != p);
            order.insert(0, p);
        }
        let idx = order.iter().position(|x| *x == s).unwrap();
        let peers: Vec<IpAddr> = if g.unicast {
            order
                .iter()
                .filter(|x| **x != s)
                .map(|x| addr(m, *x))
                .collect()
        } else {
            Vec::new()
        };
        let track = if g.track && g.roles.has_kit(Kit::Haproxy) {
            Track::Backends
        } else {
            Track::LocalOnly
        };
        match vrrp.as_slice() {
            [Fact::Vrrp {
                vips,
                priority,
                peers: got_peers,
                track: got_track,
                ..
            }] => {
                assert_eq!(vips, &[vip], "{who}: vips");
                assert_eq!(usize::from(*priority), 150 - idx, "{who}: priority");
                assert_eq!(got_peers, &peers, "{who}: peers");
                assert_eq!(*got_track, track, "{who}: track");
            }
            other => panic!("{who}: one vrrp_instance expected, got {other:?}"),
        }
        let own: Vec<IpAddr> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Address(a) => Some(*a),
                _ => None,
            })
            .collect();
        let expect_own = if g.unicast { vec![addr(m, s)] } else { vec![] };
        assert_eq!(own, expect_own, "{who}: own addresses");
    }
    (lbs, vrrps)
}

#[test]
fn the_readers_give_back_what_each_bundle_was_made_from() {
    let mut files = common::stack_files(&common::root().join("samples"));
    files.extend(common::stack_files(&common::root().join("tests/cases")));
    let (mut lbs, mut vrrps, mut stacks) = (0, 0, 0);
    let mut track_seen = false;
    for path in files {
        let src = fs::read_to_string(&path).unwrap();
        let Some((c, hosts)) = bundle_hosts(&src) else {
            continue;
        };
        let label = path.file_name().unwrap().to_string_lossy().to_string();
        let (l, v) = check_bundle(&label, &c, &hosts);
        if l + v > 0 {
            stacks += 1;
        }
        track_seen |= c.model.groups.iter().any(|g| g.track && g.vip.is_some());
        lbs += l;
        vrrps += v;
    }
    eprintln!("{stacks} stacks: {lbs} HAProxy hosts, {vrrps} VRRP members");
    assert!(
        stacks >= 4 && lbs >= 6 && vrrps >= 8,
        "{stacks} {lbs} {vrrps}"
    );
    assert!(track_seen, "a tracking group is among them");
}

#[test]
fn a_small_tracking_unicast_pair() {
    let src = "stack t\ngroup lb: haproxy mode=active-passive vip=10.0.0.10 track unicast {\n  server lb-01 10.0.0.11\n  server lb-02 10.0.0.12\n}\ngroup web: nginx {\n  server web-01 10.0.1.11\n  server web-02 10.0.1.12\n}\nlb -> web : http\n";
    let (c, hosts) = bundle_hosts(src).expect("bundles");
    assert_eq!(check_bundle("pair", &c, &hosts), (2, 2));
}

// ---- hand-written: tests/import/lb-debian --------------------------------------

fn dir() -> std::path::PathBuf {
    common::root().join("tests/import/lb-debian")
}

fn host_from_disk(name: &str) -> HostFiles {
    let mut h = HostFiles::new(name);
    let root = dir().join(name);
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let real = format!("/{}", p.strip_prefix(&root).unwrap().display());
                h.insert(real, Entry::Text(fs::read_to_string(&p).unwrap()));
            }
        }
    }
    h
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn debian_default_configs_by_hand() {
    let hap = "/etc/haproxy/haproxy.cfg";
    let ka = "/etc/keepalived/keepalived.conf";
    let role = Role::of_kit(Kit::Haproxy);
    let vip = ip("10.0.0.10");
    let serves = |protocol, port, tls| Fact::Serves {
        role,
        protocol,
        addr: Some(vip),
        port,
        tls,
    };
    let sends = |protocol, pool: &str| Fact::Sends {
        protocol,
        to: None,
        pool: Some(pool.into()),
        read: false,
    };
    let member = |name: &str, a: &str, port, backup, line| PoolMember {
        name: Some(name.into()),
        target: Target::Addr(ip(a), Some(port)),
        backup,
        line,
    };
    for (name, own, peer, priority) in [
        ("lb-01", "10.0.0.11", "10.0.0.12", 101),
        ("lb-02", "10.0.0.12", "10.0.0.11", 100),
    ] {
        let f = read_lb(&host_from_disk(name));
        assert!(f.warnings.is_empty(), "{name}: {:?}", f.warnings);
        let got: Vec<(Fact, String)> = f
            .facts
            .iter()
            .map(|(_, x, o)| (x.clone(), format!("{}:{}", o.path, o.line)))
            .collect();
        let at = |p: &str, l: u32| format!("{p}:{l}");
        let expected = vec![
            (Fact::Runs(role), at(hap, 0)),
            (serves(Protocol::Http, 80, false), at(hap, 35)),
            (serves(Protocol::Https, 443, true), at(hap, 36)),
            (sends(Protocol::Http, "api"), at(hap, 38)),
            (sends(Protocol::Http, "web"), at(hap, 39)),
            (serves(Protocol::Mysql, 3306, false), at(hap, 45)),
            (sends(Protocol::Mysql, "db"), at(hap, 46)),
            (serves(Protocol::Http, 8080, false), at(hap, 50)),
            (
                Fact::Unrouted {
                    name: "legacy".into(),
                },
                at(hap, 49),
            ),
            (
                Fact::Pool {
                    name: "web".into(),
                    protocol: Protocol::Http,
                    members: vec![
                        member("web-01", "10.0.1.11", 80, false, 62),
                        member("web-02", "10.0.1.12", 80, false, 63),
                        member("web-03", "10.0.1.13", 80, true, 64),
                    ],
                },
                at(hap, 59),
            ),
            (
                Fact::Pool {
                    name: "api".into(),
                    protocol: Protocol::Http,
                    members: vec![member("app-01", "10.0.2.11", 8000, false, 67)],
                },
                at(hap, 66),
            ),
            (
                Fact::Pool {
                    name: "db".into(),
                    protocol: Protocol::Mysql,
                    members: vec![member("db-01", "10.0.3.11", 3306, false, 72)],
                },
                at(hap, 69),
            ),
            (Fact::Address(ip(own)), at(ka, 22)),
            (
                Fact::Vrrp {
                    instance: "VI_1".into(),
                    vips: vec![vip],
                    priority,
                    peers: vec![ip(peer)],
                    // `killall -0 haproxy`: the process, not the backends.
                    track: Track::LocalOnly,
                    promotes: false,
                },
                at(ka, 16),
            ),
        ];
        assert_eq!(got, expected, "{name}");
    }
}

/// `haproxy -c` and `keepalived -t` accept the hand-written files, in a
/// namespace whose `eth0` holds the host's address (keepalived checks the
/// interface) and whose `/etc` overlay holds them at their real paths
/// with a throw-away PEM for `ssl crt`.
#[test]
fn the_hand_written_configs_pass_the_real_checks() {
    if !netns::require_root("the lb-debian checks")
        || !["ip", "haproxy", "keepalived", "openssl", "killall"]
            .iter()
            .all(|t| common::require_tool(t))
    {
        return;
    }
    for (name, own) in [("lb-01", "10.0.0.11"), ("lb-02", "10.0.0.12")] {
        let ns = netns::Ns::new(&[ip(own)]);
        let etc = ns.etc();
        let root = dir().join(name).join("etc");
        let place = |rel: &str, bytes: &[u8]| {
            let p = etc.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, bytes).unwrap();
        };
        let cfg = fs::read(root.join("haproxy/haproxy.cfg")).unwrap();
        place("haproxy/haproxy.cfg", &cfg);
        place("haproxy/certs/shop.pem", netns::test_pem());
        // Debian's error pages, which the default `defaults` names.
        let errors = Path::new("/etc/haproxy/errors");
        if errors.is_dir() {
            netns::copy_dir(errors, &etc.join("haproxy/errors"));
        }
        let out = ns.exec(
            &["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"],
            &format!("{name}: haproxy -c"),
        );
        assert!(out.contains("valid"), "{name}: {out}");
        place(
            "keepalived/keepalived.conf",
            &fs::read(root.join("keepalived/keepalived.conf")).unwrap(),
        );
        let out = ns.exec(
            &["keepalived", "-t", "-f", "/etc/keepalived/keepalived.conf"],
            &format!("{name}: keepalived -t"),
        );
        assert!(
            !out.to_lowercase().contains("warning"),
            "{name}: keepalived -t warns:\n{out}"
        );
    }
}

// ---- bad input ---------------------------------------------------------------

mod robustness {
    use super::*;
    use proptest::prelude::*;

    /// Lines made of the words both languages use, braces, quotes and
    /// comment marks in any order: the readers never panic, and report at
    /// most a few facts per line (their cost follows the input).
    fn config_text() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "frontend",
            "backend",
            "listen",
            "defaults",
            "bind",
            "server",
            "mode",
            "tcp",
            "http",
            "ssl",
            "crt",
            "backup",
            "default_backend",
            "use_backend",
            "monitor-uri",
            "stats",
            "enable",
            "vrrp_instance",
            "vrrp_script",
            "virtual_ipaddress",
            "unicast_peer",
            "track_script",
            "priority",
            "script",
            "include",
            "{",
            "}",
            "\"",
            "#",
            "!",
            "\t",
            "10.0.0.1:80",
            ":443",
            "[::1]:8080",
            "2001:db8::1",
            "10.0.0.9/24",
            "*",
            "conf.d/*.conf",
            "/etc/keepalived/keepalived.conf",
            "300",
            "-1",
            "x",
        ]);
        prop::collection::vec(prop::collection::vec(word, 0..8), 0..40).prop_map(|lines| {
            lines
                .iter()
                .map(|w| w.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn the_readers_take_any_text(hap in config_text(), ka in config_text(), inc in config_text()) {
            let mut h = HostFiles::new("lb-01");
            h.insert("/etc/haproxy/haproxy.cfg", Entry::Text(hap.clone()));
            h.insert("/etc/keepalived/keepalived.conf", Entry::Text(ka.clone()));
            h.insert("/etc/keepalived/conf.d/a.conf", Entry::Text(inc.clone()));
            let f = read_lb(&h);
            let lines = hap.lines().count() + ka.lines().count() + inc.lines().count() * 8 + 2;
            prop_assert!(f.facts.len() <= 8 * lines, "{} facts for {} lines", f.facts.len(), lines);
        }
    }

    #[test]
    fn a_self_including_config_and_a_binary_file_end_with_warnings() {
        let mut h = HostFiles::new("lb-01");
        h.insert(
            "/etc/keepalived/keepalived.conf",
            Entry::Text("include keepalived.conf\ninclude conf.d/*\n".into()),
        );
        h.insert(
            "/etc/keepalived/conf.d/blob",
            Entry::Skipped("not UTF-8 (a binary file?)".into()),
        );
        h.insert(
            "/etc/haproxy/haproxy.cfg",
            Entry::Skipped("larger than 4 MiB".into()),
        );
        let f = read_lb(&h);
        assert!(f.facts.is_empty());
        let w: Vec<String> = f.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            w,
            [
                "lb-01:/etc/haproxy/haproxy.cfg: HAProxy config not read: larger than 4 MiB",
                "lb-01:/etc/keepalived/keepalived.conf:1: `include /etc/keepalived/keepalived.conf` includes itself: skipped",
                "lb-01:/etc/keepalived/keepalived.conf:2: `include /etc/keepalived/conf.d/blob` not read: not UTF-8 (a binary file?)",
            ]
        );
    }
}
