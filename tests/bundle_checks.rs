//! Every file of a bundle passes the real program's own check (BUNDLE.md,
//! Proof): `haproxy -c`, `keepalived -t` and `nginx -t` inside a network
//! namespace this test creates, which owns the host's addresses on an
//! `eth0` (nginx binds them, keepalived checks the interface) and sees the
//! host's files at their real paths (`ip netns exec` mounts
//! `/etc/netns/NS/X` over `/etc/X`); `named-checkzone -i local`;
//! `mariadbd --defaults-file=F --help --verbose` for the MariaDB flavor;
//! `ansible-playbook --syntax-check`. On every sample that bundles and on
//! random topologies.
//!
//! Network safety: no traffic is sent at all; the namespaces are deleted by
//! a guard, even when a check fails.

mod common;
#[path = "support/designs.rs"]
mod designs;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/small_stacks.rs"]
mod small_stacks;

use netns::{copy_dir, ok, run, test_pem, Ns};
use stackc::bundle::{self, Bundle, Flavor, Options, Secrets};
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The namespace checks need root and iproute2; like a missing tool they
/// fail under CI / STACKC_REQUIRE_TOOLS and are skipped otherwise.
fn can_use_namespaces() -> bool {
    if !netns::require_root("the bundle checks") {
        return false;
    }
    [
        "ip",
        "haproxy",
        "nginx",
        "keepalived",
        "named-checkzone",
        "mariadbd",
        "openssl",
        "curl",
        "mysqladmin",
        "unshare",
        "systemd-analyze",
    ]
    .iter()
    .all(|t| common::require_tool(t))
}

fn ansible_playbook() -> Option<PathBuf> {
    let venv = common::root().join("target/tools/ansible/bin/ansible-playbook");
    if venv.is_file() {
        return Some(venv);
    }
    common::require_tool("ansible-playbook").then(|| PathBuf::from("ansible-playbook"))
}

/// Paths written after `word` in a config (`crt X`, `ssl_certificate X;`).
fn paths_after(text: &str, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let toks: Vec<&str> = text.split_whitespace().collect();
    for w in toks.windows(2) {
        if w[0] == word {
            let p = w[1].trim_end_matches(';').to_string();
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

// ---- the checks ---------------------------------------------------------------

/// Runs every real check on a bundle written at `dir`.
fn check_bundle(dir: &Path, flavor: Flavor, ansible: Option<&Path>) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    for h in manifest["hosts"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap();
        let root = dir.join("hosts").join(name);
        let has = |p: &str| root.join(p.trim_start_matches('/')).is_file();
        let haproxy = has("/etc/haproxy/haproxy.cfg");
        let nginx = has("/etc/nginx/conf.d/stackc.conf");
        let keepalived = has("/etc/keepalived/keepalived.conf");
        if haproxy || nginx || keepalived {
            let mut addrs: Vec<IpAddr> = vec![h["address"].as_str().unwrap().parse().unwrap()];
            if let Some(v) = h["vip"].as_str() {
                addrs.push(v.parse().unwrap());
            }
            let ns = Ns::new(&addrs);
            let etc = ns.etc();
            let place = |real: &str, bytes: &[u8]| {
                let p = etc.join(real.trim_start_matches("/etc/"));
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(&p, bytes).unwrap();
                p
            };
            if haproxy {
                let cfg = fs::read_to_string(root.join("etc/haproxy/haproxy.cfg")).unwrap();
                place("/etc/haproxy/haproxy.cfg", cfg.as_bytes());
                for crt in paths_after(&cfg, "crt") {
                    place(&crt, test_pem());
                }
                let out = ns.exec(
                    &["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"],
                    &format!("{name}: haproxy -c"),
                );
                assert!(!out.contains("WARNING"), "{name}: haproxy -c warns:\n{out}");
            }
            if nginx {
                copy_dir(Path::new("/etc/nginx"), &etc.join("nginx"));
                let _ = fs::remove_file(etc.join("nginx/sites-enabled/default"));
                let conf = fs::read_to_string(root.join("etc/nginx/conf.d/stackc.conf")).unwrap();
                place("/etc/nginx/conf.d/stackc.conf", conf.as_bytes());
                for crt in paths_after(&conf, "ssl_certificate") {
                    place(&crt, test_pem());
                }
                let out = ns.exec(&["nginx", "-t"], &format!("{name}: nginx -t"));
                assert!(!out.contains("[warn]"), "{name}: nginx -t warns:\n{out}");
            }
            if keepalived {
                for e in fs::read_dir(root.join("etc/keepalived")).unwrap() {
                    let p = e.unwrap().path();
                    let real = format!(
                        "/etc/keepalived/{}",
                        p.file_name().unwrap().to_string_lossy()
                    );
                    let placed = place(&real, &fs::read(&p).unwrap());
                    let mode = fs::metadata(&p).unwrap().permissions();
                    fs::set_permissions(&placed, mode).unwrap();
                }
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
        if flavor == Flavor::Mariadb {
            let cnf = root.join("etc/mysql/mariadb.conf.d/60-stackc.cnf");
            if cnf.is_file() {
                let out = ok(
                    Command::new("mariadbd")
                        .arg(format!("--defaults-file={}", cnf.display()))
                        .args(["--help", "--verbose"]),
                    &format!("{name}: mariadbd --help --verbose"),
                );
                assert!(!out.contains("[ERROR]"), "{name}: mariadbd:\n{out}");
                let text = fs::read_to_string(&cnf).unwrap();
                let id = text
                    .lines()
                    .find_map(|l| l.strip_prefix("server_id = "))
                    .unwrap();
                assert!(
                    out.lines()
                        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["server-id", id]),
                    "{name}: mariadbd did not read server_id"
                );
                let replica = text.contains("read_only = ON");
                assert_eq!(
                    out.lines()
                        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["read-only", "TRUE"]),
                    replica,
                    "{name}: read-only"
                );
            }
        }
    }
    for h in manifest["hosts"].as_array().unwrap() {
        let units = dir
            .join("hosts")
            .join(h["name"].as_str().unwrap())
            .join("etc/systemd/system");
        for e in fs::read_dir(&units).into_iter().flatten() {
            let unit = e.unwrap().path();
            verify_unit(&unit);
        }
    }
    for e in fs::read_dir(dir.join("dns")).into_iter().flatten() {
        let p = e.unwrap().path();
        let domain = p.file_stem().unwrap().to_string_lossy().into_owned();
        let out = ok(
            Command::new("named-checkzone")
                .args(["-i", "local", &domain])
                .arg(&p),
            &format!("named-checkzone {domain}"),
        );
        // Warnings too: named itself refuses what check-names warns about.
        assert!(
            !out.contains("warning") && !out.contains("bad "),
            "named-checkzone {domain}:\n{out}"
        );
    }
    if let Some(ap) = ansible {
        let tmp = tempfile::tempdir().unwrap();
        let out = ok(
            Command::new(ap)
                .current_dir(dir)
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_LOCAL_TEMP", tmp.path())
                .env("ANSIBLE_HOME", tmp.path())
                .args([
                    "-i",
                    "ansible/inventory.ini",
                    "--syntax-check",
                    "ansible/site.yml",
                ]),
            "ansible-playbook --syntax-check",
        );
        assert!(!out.contains("[WARNING]"), "ansible warns:\n{out}");
    }
}

/// `systemd-analyze verify` on an application unit. The application code
/// is the user's: when the unit runs a program under /srv, a private mount
/// namespace puts an empty tmpfs on /srv (the host's is untouched) with a
/// stand-in executable at that path.
fn verify_unit(unit: &Path) {
    let text = fs::read_to_string(unit).unwrap();
    let program = text
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .and_then(|c| c.split_whitespace().next())
        .expect("ExecStart")
        .to_string();
    let script = if program.starts_with("/srv/") {
        "mount -t tmpfs tmpfs /srv && mkdir -p \"$(dirname \"$1\")\" && printf '#!/bin/sh\\n' > \"$1\" && chmod 755 \"$1\" && exec systemd-analyze verify \"$2\""
    } else {
        "exec systemd-analyze verify \"$2\""
    };
    let out = ok(
        Command::new("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(&program)
            .arg(unit),
        &format!("systemd-analyze verify {}", unit.display()),
    );
    assert!(out.trim().is_empty(), "{}:\n{out}", unit.display());
}

fn write(b: &Bundle, dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for (path, f) in &b.files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, &f.bytes).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(f.mode)).unwrap();
    }
}

fn bundle_of(src: &str, flavor: Flavor) -> Bundle {
    let c = stackc::check(src);
    let mut secrets = Secrets::new();
    secrets
        .fill(&bundle::required_secrets(&c), getrandom::fill)
        .unwrap();
    match bundle::generate(
        &c,
        &Options {
            flavor,
            ..Options::default()
        },
        &secrets,
    ) {
        Ok(b) => b,
        Err(e) => panic!("no bundle for:\n{src}\n{e:#?}"),
    }
}

#[test]
fn samples_pass_the_real_checks() {
    if !can_use_namespaces() {
        return;
    }
    let ansible = ansible_playbook();
    for path in common::stack_files(&common::root().join("samples")) {
        let src = fs::read_to_string(&path).unwrap();
        let c = stackc::check(&src);
        if !bundle::validate(&c).is_empty() {
            continue; // scale-up-as-drawn: replica-write
        }
        for flavor in [Flavor::Mysql, Flavor::Mariadb] {
            let tmp = tempfile::tempdir().unwrap();
            write(&bundle_of(&src, flavor), tmp.path());
            check_bundle(tmp.path(), flavor, ansible.as_deref());
        }
    }
}

// ---- random topologies ------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A layered stack: load balancers (none, one, or a VRRP pair), web
/// servers (or boxes running nginx and the application), application
/// servers, a database (a group with GTID replication and maybe
/// failover=auto, or one server). Only private and documentation
/// addresses.
fn random_stack(seed: u64) -> String {
    let mut r = Rng(seed);
    // Every third stack is IPv6 only (2001:db8::/32): VRRPv3, bracketed
    // binds and server lines, AAAA records.
    let v6 = seed % 3 == 0;
    let ip = |tier: u64, host: u64| {
        if v6 {
            format!("2001:db8:{tier}:{seed}::{host}")
        } else {
            format!("10.{tier}.{seed}.{host}")
        }
    };
    let vip = |net: &str, host: u64| {
        if v6 {
            format!("2001:db8:{net}::{host}")
        } else {
            match net {
                "a" => format!("203.0.113.{host}"),
                "b" => format!("198.51.100.{host}"),
                _ => format!("10.9.{seed}.{host}"),
            }
        }
    };
    let rr = if v6 { "AAAA" } else { "A" };
    let mut s = format!("stack rnd{seed} \"random stack {seed}\"\nzone a\nzone b\n");
    let zone = |i: usize| if i % 2 == 0 { "a" } else { "b" };
    let members = |r: &mut Rng, tier: u8, prefix: &str, extra: &dyn Fn(usize) -> String| {
        let n = 1 + r.below(3) as usize;
        (0..n)
            .map(|i| {
                format!(
                    "  server {prefix}-{:02} {} zone={}{}\n",
                    i + 1,
                    ip(u64::from(tier), 11 + i as u64),
                    zone(i),
                    extra(i)
                )
            })
            .collect::<String>()
    };
    let health = if r.chance(30) {
        " health=\"/status/live\""
    } else {
        ""
    };
    let tls = r.chance(50);
    // Database.
    let db_group = r.chance(80);
    let auto = db_group && r.chance(50);
    if db_group {
        let vip = if auto {
            format!(" failover=auto vip={}", vip(&format!("9:{seed}"), 10))
        } else {
            String::new()
        };
        s += &format!("group db: mysql{vip} {{\n");
        s += &members(&mut r, 3, "db", &|i| {
            if i == 0 {
                " primary".into()
            } else {
                String::new()
            }
        });
        s += "}\n";
    } else {
        s += &format!("server db: mysql {}\n", ip(3, 11));
    }
    // Application, maybe in boxes with nginx.
    let boxes = r.chance(25);
    let app_port = [8000u16, 9000][r.below(2) as usize];
    let runtime = ["python", "node", "php", "ruby", "java"][r.below(5) as usize];
    let command = if r.chance(50) {
        format!(
            " command=\"/srv/rnd{seed}/app/bin/{runtime}-server --port {app_port} --workers=2\""
        )
    } else {
        String::new()
    };
    if boxes {
        s += &format!("group app: nginx+app runtime={runtime}{command}{health} {{\n");
    } else {
        s += &format!("group app: app port={app_port} runtime={runtime}{command}{health} {{\n");
    }
    s += &members(&mut r, 2, "app", &|_| String::new());
    s += "}\n";
    // Web servers.
    let web = !boxes && r.chance(75);
    let web_ap = web && r.chance(25);
    if web {
        let mode = if web_ap {
            // Both checks: `track` probes the proxied health location,
            // without it the location nginx answers itself.
            let track = if seed % 2 == 0 { " track" } else { "" };
            format!(
                " mode=active-passive vip={}{track}",
                vip("b", 10 + seed % 200)
            )
        } else {
            String::new()
        };
        s += &format!("group web: nginx{mode} firewall monitor=sumologic{health} {{\n");
        s += &members(&mut r, 1, "web", &|_| String::new());
        s += "}\n";
    }
    // Load balancers.
    let lb = if web_ap { 0 } else { r.below(3) };
    match lb {
        1 => s += &format!("server lb: haproxy {}\n", vip("a", 10 + seed % 200)),
        2 => {
            let track = if r.chance(50) { " track" } else { "" };
            let unicast = if r.chance(50) { " unicast" } else { "" };
            s += &format!(
                "group lb: haproxy mode=active-passive vip={}{track}{unicast} {{\n  server lb-01 {} zone=a\n  server lb-02 {} zone=b\n}}\n",
                vip("a", 10 + seed % 200),
                ip(0, 11),
                ip(0, 12),
            );
        }
        _ => {}
    }
    // Links.
    let web_port = [80u16, 8080][r.below(2) as usize];
    let front = if web { "web" } else { "app" };
    if lb > 0 {
        if web || boxes {
            s += &format!("lb -> {front} : http {web_port}\n");
        } else {
            s += &format!("lb -> app : http {app_port}\n");
        }
    }
    if web {
        s += &format!("web -> app : http {app_port}\n");
    }
    s += "app -> db : mysql\n";
    if db_group && r.chance(50) {
        s += "app -> db : mysql read\n";
    }
    // DNS.
    let entry = if lb > 0 { "lb" } else { front };
    let proto = if tls && (lb > 0) { "https" } else { "http" };
    let entry_port = if lb > 0 || boxes {
        String::new()
    } else if web {
        format!(" {web_port}")
    } else {
        format!(" {app_port}")
    };
    s += &format!("domain example.com ttl=300 {{\n  www {rr} -> {entry} : {proto}{entry_port}\n");
    if r.chance(50) {
        s += &format!("  @ {rr} -> {entry} : {proto}{entry_port}\n");
    }
    s += "}\n";
    if r.chance(30) {
        s +=
            &format!("domain Example.NET. {{\n  shop CNAME -> {entry} : {proto}{entry_port}\n}}\n");
    }
    s
}

#[test]
fn random_topologies_pass_the_real_checks() {
    if !can_use_namespaces() {
        return;
    }
    let ansible = ansible_playbook();
    let count: u64 = std::env::var("STACKC_BUNDLE_RANDOM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let start = Instant::now();
    for seed in 1..=count {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "random topologies took over 10 minutes"
        );
        let src = random_stack(seed);
        let c = stackc::check(&src);
        let refusals = bundle::validate(&c);
        assert!(refusals.is_empty(), "seed {seed}:\n{src}\n{refusals:#?}");
        let flavor = if seed % 2 == 0 {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        let tmp = tempfile::tempdir().unwrap();
        write(&bundle_of(&src, flavor), tmp.path());
        eprintln!(
            "seed {seed}: {} files",
            fs::read_dir(tmp.path().join("hosts")).unwrap().count()
        );
        check_bundle(tmp.path(), flavor, ansible.as_deref());
    }
}

/// The harness itself: a file its daemon rejects makes the check fail.
#[test]
fn the_checks_catch_a_broken_file() {
    if !can_use_namespaces() {
        return;
    }
    let src = fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    let b = bundle_of(&src, Flavor::Mariadb);
    let breakages: [(&str, &str, &str); 7] = [
        (
            "hosts/app-01/etc/systemd/system/foobar-app.service",
            "Restart=on-failure",
            "Restart=sometimes",
        ),
        (
            "hosts/lb-01/etc/haproxy/haproxy.cfg",
            "    retries 3\n",
            "    retries 3\n    no-such-keyword on\n",
        ),
        (
            "hosts/web-01/etc/nginx/conf.d/stackc.conf",
            "    root ",
            "    no_such_directive on;\n    root ",
        ),
        (
            "hosts/web-01/etc/nginx/conf.d/stackc.conf",
            "listen 10.0.1.11:80",
            "listen 10.0.1.99:80",
        ),
        (
            "hosts/lb-01/etc/keepalived/keepalived.conf",
            "interface eth0",
            "interface eth7",
        ),
        (
            "hosts/db-01/etc/mysql/mariadb.conf.d/60-stackc.cnf",
            "skip-name-resolve\n",
            "skip-name-resolve\nno_such_option = 1\n",
        ),
        (
            "dns/foobar.com.zone",
            "www IN A 203.0.113.10",
            "www IN A 203.0.113",
        ),
    ];
    for (path, from, to) in breakages {
        let mut broken = b.clone();
        let f = broken.files.get_mut(path).unwrap();
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        assert!(text.contains(from), "{path}");
        f.bytes = text.replacen(from, to, 1).into_bytes();
        let tmp = tempfile::tempdir().unwrap();
        write(&broken, tmp.path());
        let caught = std::panic::catch_unwind(|| check_bundle(tmp.path(), Flavor::Mariadb, None));
        assert!(caught.is_err(), "{path}: `{to}` was not caught");
    }
}

/// A database server started for a test; killed when dropped.
struct Mariadbd {
    child: std::process::Child,
    socket: PathBuf,
}

impl Mariadbd {
    fn start(ns: &Ns, cnf: &Path, datadir: &Path) -> Mariadbd {
        let socket = datadir.join("mysqld.sock");
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name, "mariadbd"])
            // The bundle's file, as the only option file...
            .arg(format!("--defaults-file={}", cnf.display()))
            // ...and what a packaged server gets from Debian's own files.
            .arg(format!("--datadir={}", datadir.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", datadir.join("pid").display()))
            .arg(format!(
                "--log-error={}",
                datadir.join("error.log").display()
            ))
            .arg("--user=root")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd");
        let d = Mariadbd { child, socket };
        let start = Instant::now();
        while d.try_sql("SELECT 1").is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "mariadbd did not start: {}",
                fs::read_to_string(datadir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        d
    }

    fn try_sql(&self, sql: &str) -> Result<String, String> {
        // `\G` output keeps its column names.
        let names = if sql.ends_with("\\G") {
            "--column-names"
        } else {
            "--skip-column-names"
        };
        let out = run(
            Command::new("mariadb")
                .arg(format!("--socket={}", self.socket.display()))
                .args(["-uroot", "--batch", names, "-e", sql]),
            Duration::from_secs(30),
        );
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() {
            Ok(text)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn sql(&self, sql: &str) -> String {
        self.try_sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs a file of the bundle as the playbook does (`mysql < FILE`).
    fn source(&self, file: &Path) {
        let out = run(
            Command::new("sh").arg("-c").arg(format!(
                "mariadb --socket='{}' -uroot --batch < '{}'",
                self.socket.display(),
                file.display()
            )),
            Duration::from_secs(30),
        );
        assert!(out.status.success(), "{}: {out:?}", file.display());
    }

    /// Runs a keepalived notify script of the bundle against this server
    /// (its client finds the socket in a `~/.my.cnf`, where a packaged
    /// server's is the default).
    fn notify(&self, script: &Path) -> Output {
        let home = tempfile::tempdir().unwrap();
        fs::write(
            home.path().join(".my.cnf"),
            format!("[client]\nsocket = {}\n", self.socket.display()),
        )
        .unwrap();
        run(
            Command::new("sh").arg(script).env("HOME", home.path()),
            Duration::from_secs(30),
        )
    }

    fn wait_for(&self, sql: &str, want: &str) {
        let start = Instant::now();
        loop {
            let got = self.try_sql(sql).unwrap_or_default();
            if got == want {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{sql}: {got:?}, want {want:?}; replica: {:?}",
                self.try_sql("SHOW SLAVE STATUS\\G")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Mariadbd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The MariaDB flavor's SQL and failover scripts, run for real: the
/// primary and the replica of scale-up.stack, each in its own namespace
/// with its own address, joined by a private link (no other traffic).
/// The replica replicates the accounts and data with GTID; the promotion
/// script makes it a writable primary; the demotion script makes the old
/// one read-only.
#[test]
fn mariadb_setup_sql_replicates_and_promotes() {
    if !can_use_namespaces() || !common::require_tool("mariadb-install-db") {
        return;
    }
    let src = fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    let b = bundle_of(&src, Flavor::Mariadb);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write(&b, &dir);
    let a = tmp.path().join("a");
    ok(
        Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", a.display()))
            .args([
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
                "--user=root",
            ]),
        "mariadb-install-db",
    );
    let bdir = tmp.path().join("b");
    copy_dir(&a, &bdir);
    let (ns1, ns2) = Ns::pair("10.0.3.11".parse().unwrap(), "10.0.3.12".parse().unwrap());
    let host = |h: &str, p: &str| dir.join("hosts").join(h).join(p);
    let cnf = "etc/mysql/mariadb.conf.d/60-stackc.cnf";
    let primary = Mariadbd::start(&ns1, &host("db-01", cnf), &a);
    let replica = Mariadbd::start(&ns2, &host("db-02", cnf), &bdir);
    assert_eq!(primary.sql("SELECT @@read_only"), "0");
    assert_eq!(replica.sql("SELECT @@read_only"), "1");
    assert_eq!(
        primary.sql("SELECT @@gtid_strict_mode, @@log_bin, @@binlog_format"),
        "1\t1\tROW"
    );
    primary.source(&host("db-01", "etc/mysql/stackc/setup.sql"));
    replica.source(&host("db-02", "etc/mysql/stackc/setup.sql"));
    primary.sql("CREATE TABLE foobar.t (i INT PRIMARY KEY); INSERT INTO foobar.t VALUES (42)");
    replica.wait_for("SELECT i FROM foobar.t", "42");
    replica.wait_for(
        "SELECT COUNT(*) FROM mysql.user WHERE user IN ('repl', 'app')",
        "4",
    );
    let status = replica.sql("SHOW SLAVE STATUS\\G");
    for want in [
        "Master_Host: 10.0.3.11",
        "Slave_IO_Running: Yes",
        "Slave_SQL_Running: Yes",
        "Using_Gtid: Slave_Pos",
    ] {
        assert!(status.contains(want), "{want}:\n{status}");
    }
    assert!(replica
        .sql("SHOW GRANTS FOR 'app'@'10.0.2.12'")
        .contains("GRANT SELECT, INSERT, UPDATE, DELETE"));
    // Failover: the replica takes over, the old primary refuses writes.
    let out = replica.notify(&host("db-02", "etc/keepalived/stackc-promote.sh"));
    assert_eq!(replica.sql("SELECT @@read_only"), "0", "{out:?}");
    assert_eq!(replica.sql("SHOW SLAVE STATUS"), "");
    replica.sql("INSERT INTO foobar.t VALUES (43)");
    let out = primary.notify(&host("db-01", "etc/keepalived/stackc-demote.sh"));
    assert_eq!(primary.sql("SELECT @@read_only"), "1", "{out:?}");
    // The MySQL 8 flavor's scripts use statements MariaDB has too
    // (STOP REPLICA, RESET REPLICA ALL): run them on the old primary.
    let mysql8 = tmp.path().join("mysql8");
    write(&bundle_of(&src, Flavor::Mysql), &mysql8);
    let script = mysql8.join("hosts/db-01/etc/keepalived/stackc-promote.sh");
    let out = primary.notify(&script);
    assert_eq!(primary.sql("SELECT @@read_only"), "0", "{out:?}");
    let script = mysql8.join("hosts/db-01/etc/keepalived/stackc-demote.sh");
    let out = primary.notify(&script);
    assert_eq!(primary.sql("SELECT @@read_only"), "1", "{out:?}");
}

/// Odd shapes too: the first small random stacks that `bundle` accepts
/// (boxes, empty groups, links in every protocol) pass the real checks.
#[test]
fn odd_random_stacks_pass_the_real_checks() {
    if !can_use_namespaces() {
        return;
    }
    let ansible = ansible_playbook();
    let want: usize = std::env::var("STACKC_BUNDLE_ODD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut done = 0;
    for seed in 0..5000u64 {
        if done == want {
            break;
        }
        let src = small_stacks::small_stack(seed);
        if !bundle::validate(&stackc::check(&src)).is_empty() {
            continue;
        }
        done += 1;
        let flavor = if seed % 2 == 0 {
            Flavor::Mysql
        } else {
            Flavor::Mariadb
        };
        let tmp = tempfile::tempdir().unwrap();
        write(&bundle_of(&src, flavor), tmp.path());
        let caught =
            std::panic::catch_unwind(|| check_bundle(tmp.path(), flavor, ansible.as_deref()));
        assert!(caught.is_ok(), "seed {seed}:\n{src}");
    }
    assert_eq!(done, want);
}

/// IPv6 and dual-stack designs (issue 9, B3): VRRPv3 instances for IPv6
/// vips (a load balancer pair, unicast or not, and a failover=auto
/// database), IPv4 ones beside them, nginx and HAProxy binding IPv6
/// addresses, AAAA and A records in one zone.
#[test]
fn ipv6_and_dual_stack_designs_pass_the_real_checks() {
    if !can_use_namespaces() {
        return;
    }
    let ansible = ansible_playbook();
    let v6_web_pair = "stack six
group web: nginx+app mode=active-passive vip=2001:db8:5::10 {
  server box-01 2001:db8:5::11
  server box-02 2001:db8:5::12
}
server db: mysql 2001:db8:6::11
web -> db : mysql
domain example.org {
  www AAAA -> web : http
}
";
    for src in [designs::DUAL_STACK, v6_web_pair] {
        let c = stackc::check(src);
        let refusals = bundle::validate(&c);
        assert!(refusals.is_empty(), "{src}\n{refusals:#?}");
        for flavor in [Flavor::Mysql, Flavor::Mariadb] {
            let tmp = tempfile::tempdir().unwrap();
            let b = bundle_of(src, flavor);
            assert!(
                b.files
                    .iter()
                    .filter(|(p, _)| p.ends_with("keepalived.conf"))
                    .any(|(_, f)| String::from_utf8_lossy(&f.bytes).contains("version 3")),
                "no VRRPv3 instance"
            );
            write(&b, tmp.path());
            check_bundle(tmp.path(), flavor, ansible.as_deref());
        }
    }
}
