//! The data readers of `stackc import` (MySQL/MariaDB, PostgreSQL, Redis,
//! memcached, RabbitMQ):
//!
//! - on the bundle of every sample and role design with these roles, in
//!   both MySQL flavors: each host's facts are what the model implies (the
//!   daemon runs; it listens on the server's port, on its address, the
//!   group's vip or every address; a replica follows its primary's address
//!   or the write vip at the primary's port and is read-only; a primary
//!   follows nobody and takes writes), with no warning;
//! - on the hand-written Debian configs of `tests/import/data-debian/`
//!   (MariaDB with replication known only from `master.info`, a PostgreSQL
//!   standby with `primary_conninfo` and `standby.signal`, a Redis replica,
//!   Debian's memcached file), whose facts are spelled out here, and which
//!   the daemons themselves accept: `mariadbd --defaults-file=F --help
//!   --verbose`, `postgres --config-file=F -C NAME` and `redis-server` (on
//!   a Unix socket only, replication off) read the same values.

mod common;
#[path = "support/role_designs.rs"]
mod role_designs;

use stackc::bundle::{self, Bundle, Flavor, Options, Secrets};
use stackc::import::facts::{Fact, Facts, Target};
use stackc::import::read;
use stackc::import::{Entry, HostFiles};
use stackc::model::{Kit, Role};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DATA_KITS: [Kit; 5] = [
    Kit::Mysql,
    Kit::Postgres,
    Kit::Redis,
    Kit::Memcached,
    Kit::Rabbitmq,
];

/// The five readers on one host.
fn data_facts(h: &HostFiles) -> Facts {
    let mut f = Facts::default();
    for kit in DATA_KITS {
        read::of_kit(kit).expect("a reader")(h, &mut f);
    }
    f
}

fn secrets(c: &stackc::Checked) -> Secrets {
    let mut s = Secrets::new();
    let mut n: u32 = 7;
    s.fill(&bundle::required_secrets(c), |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *b = (n >> 16) as u8;
        }
        Ok::<(), ()>(())
    })
    .unwrap();
    s
}

/// A bundle's `hosts/NAME/...` files as the CLI would hand them over.
fn bundle_hosts(b: &Bundle) -> BTreeMap<String, HostFiles> {
    let mut out: BTreeMap<String, HostFiles> = BTreeMap::new();
    for (path, f) in &b.files {
        let Some(rest) = path.strip_prefix("hosts/") else {
            continue;
        };
        let (host, file) = rest.split_once('/').unwrap();
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        out.entry(host.to_string())
            .or_insert_with(|| HostFiles::new(host))
            .insert(format!("/{file}"), Entry::Text(text));
    }
    out
}

/// The port a server's `role` listens on: its `port=` when the role is its
/// main one, else the role's default.
fn port_of(srv: &stackc::model::Server, role: Role) -> u16 {
    if srv.roles.main() == Some(role) {
        srv.main_port()
    } else {
        role.spec().port()
    }
}

/// Checks one host's facts against the model; returns the kits checked.
fn check_host(c: &stackc::Checked, name: &str, f: &Facts, what: &str) -> Vec<Kit> {
    let m = &c.model;
    let s = m.server_ids().find(|s| m.server(*s).name == name).unwrap();
    let srv = m.server(s);
    let grp = srv.group.map(|g| m.group(g));
    let mut checked = Vec::new();
    for kit in DATA_KITS {
        let role = Role::of_kit(kit);
        let runs = f.facts.iter().any(|(_, x, _)| *x == Fact::Runs(role));
        assert_eq!(
            runs,
            srv.roles.has_kit(kit),
            "{what}: {name} runs {}",
            role.name()
        );
        if !runs {
            continue;
        }
        checked.push(kit);
        let port = port_of(srv, role);
        let vip = grp.and_then(|g| g.vip);
        let own = |a: &IpAddr| Some(*a) == srv.address || Some(*a) == vip;
        let serves: Vec<(Option<IpAddr>, u16)> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Serves {
                    role: r,
                    addr,
                    port,
                    ..
                } if *r == role => Some((*addr, *port)),
                _ => None,
            })
            .collect();
        assert!(!serves.is_empty(), "{what}: {name} serves {}", role.name());
        for (addr, p) in &serves {
            assert_eq!(*p, port, "{what}: {name} {} port", role.name());
            assert!(
                addr.is_none_or(|a| own(&a)),
                "{what}: {name} binds {addr:?}"
            );
        }
        assert!(
            serves.iter().any(|(a, _)| a.is_none() || *a == srv.address),
            "{what}: {name} listens on its address: {serves:?}"
        );
        for (_, x, o) in &f.facts {
            if let Fact::Address(a) = x {
                assert!(own(a), "{what}: {name} owns {a} ({o})");
            }
        }
        if !role.spec().replicated {
            continue;
        }
        let follows: Vec<&Target> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Follows { role: r, primary } if *r == role => Some(primary),
                _ => None,
            })
            .collect();
        let read_only = f.facts.iter().find_map(|(_, x, _)| match x {
            Fact::Store {
                role: r, read_only, ..
            } if *r == role => Some(*read_only),
            _ => None,
        });
        let primary = grp.filter(|g| g.is_replicated()).and_then(|g| g.primary);
        match primary.filter(|p| *p != s) {
            Some(p) => {
                let pa = m.server(p).address;
                let pport = port_of(m.server(p), role);
                match follows.as_slice() {
                    [Target::Addr(a, Some(fp))] => {
                        assert!(
                            Some(*a) == pa || Some(*a) == vip,
                            "{what}: {name} follows {a}"
                        );
                        assert_eq!(*fp, pport, "{what}: {name}'s primary port");
                    }
                    other => panic!("{what}: {name} follows {other:?}"),
                }
                assert_eq!(read_only, Some(Some(true)), "{what}: {name} is read-only");
            }
            None => {
                assert!(follows.is_empty(), "{what}: {name} follows {follows:?}");
                assert_eq!(read_only, Some(Some(false)), "{what}: {name} takes writes");
            }
        }
    }
    checked
}

#[test]
fn the_readers_read_every_bundle_as_its_model_says() {
    let root = common::root();
    let mut sources: Vec<(String, String)> = common::stack_files(&root.join("samples"))
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    for (n, s) in [
        ("POSTGRES", role_designs::POSTGRES),
        ("REDIS", role_designs::REDIS),
        ("REDIS_AUTO", role_designs::REDIS_AUTO),
        ("MEMCACHED", role_designs::MEMCACHED),
    ] {
        sources.push((n.to_string(), s.to_string()));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bundled = 0;
    for (what, src) in &sources {
        let c = stackc::check(src);
        for flavor in [Flavor::Mysql, Flavor::Mariadb] {
            let opts = Options {
                flavor,
                ..Options::default()
            };
            // A sample the bundle refuses (scale-up-as-drawn) has no files.
            let Ok(b) = bundle::generate(&c, &opts, &secrets(&c)) else {
                continue;
            };
            bundled += 1;
            let what = format!("{what} ({})", flavor.as_str());
            for (name, h) in bundle_hosts(&b) {
                let f = data_facts(&h);
                assert!(f.warnings.is_empty(), "{what}: {name}: {:?}", f.warnings);
                for kit in check_host(&c, &name, &f, &what) {
                    *counts.entry(Role::of_kit(kit).name()).or_default() += 1;
                }
            }
        }
    }
    assert!(bundled >= 16, "{bundled} bundles");
    for kit in DATA_KITS {
        assert!(
            counts.get(Role::of_kit(kit).name()).copied().unwrap_or(0) >= 2,
            "{counts:?}"
        );
    }
    eprintln!("hosts checked per role: {counts:?}");
}

// ---- Hand-written Debian configs ------------------------------------------------

fn data_debian() -> std::path::PathBuf {
    common::root().join("tests/import/data-debian")
}

/// A host folder as the CLI reads it (every file is text here).
fn host_folder(name: &str) -> HostFiles {
    fn walk(dir: &Path, base: &Path, h: &mut HostFiles) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, base, h);
            } else {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                h.insert(
                    format!("/{rel}"),
                    Entry::Text(std::fs::read_to_string(&p).unwrap()),
                );
            }
        }
    }
    let base = data_debian().join(name);
    let mut h = HostFiles::new(name);
    walk(&base, &base, &mut h);
    h
}

#[test]
fn the_hand_written_debian_configs_give_their_facts() {
    let cases: [(&str, &[&str]); 7] = [
        (
            "db-01",
            &[
                "Runs(R) @ /etc/mysql/mariadb.conf.d/50-server.cnf:6",
                "Address(10.0.2.21) @ /etc/mysql/mariadb.conf.d/50-server.cnf:27",
                "Serves { role: R, protocol: Mysql, addr: Some(10.0.2.21), port: 3306, tls: false } @ /etc/mysql/mariadb.conf.d/50-server.cnf:27",
                "Store { role: R, read_only: Some(false), server_id: Some(1), log_bin: Some(true), gtid: Some(true) } @ /etc/mysql/mariadb.conf.d/50-server.cnf:6",
            ],
        ),
        (
            "db-02",
            &[
                "Runs(R) @ /etc/mysql/mariadb.conf.d/50-server.cnf:6",
                "Address(10.0.2.22) @ /etc/mysql/mariadb.conf.d/50-server.cnf:27",
                "Serves { role: R, protocol: Mysql, addr: Some(10.0.2.22), port: 3306, tls: false } @ /etc/mysql/mariadb.conf.d/50-server.cnf:27",
                "Store { role: R, read_only: Some(true), server_id: Some(2), log_bin: Some(true), gtid: Some(true) } @ /etc/mysql/mariadb.conf.d/50-server.cnf:35",
                "Follows { role: R, primary: Addr(10.0.2.21, Some(3306)) } @ /var/lib/mysql/master.info:4",
            ],
        ),
        (
            "pg-01",
            &[
                "Runs(R) @ /etc/postgresql/15/main/postgresql.conf:0",
                "Serves { role: R, protocol: Postgres, addr: Some(127.0.0.1), port: 5432, tls: false } @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Address(10.0.3.31) @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Serves { role: R, protocol: Postgres, addr: Some(10.0.3.31), port: 5432, tls: false } @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Store { role: R, read_only: Some(false), server_id: None, log_bin: None, gtid: None } @ /etc/postgresql/15/main/postgresql.conf:0",
            ],
        ),
        (
            "pg-02",
            &[
                "Runs(R) @ /etc/postgresql/15/main/postgresql.conf:0",
                "Serves { role: R, protocol: Postgres, addr: Some(127.0.0.1), port: 5432, tls: false } @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Address(10.0.3.32) @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Serves { role: R, protocol: Postgres, addr: Some(10.0.3.32), port: 5432, tls: false } @ /etc/postgresql/15/main/conf.d/10-network.conf:2",
                "Store { role: R, read_only: Some(true), server_id: None, log_bin: None, gtid: None } @ /var/lib/postgresql/15/main/standby.signal:0",
                "Follows { role: R, primary: Addr(10.0.3.31, Some(5432)) } @ /etc/postgresql/15/main/conf.d/20-standby.conf:3",
            ],
        ),
        (
            "redis-01",
            &[
                "Runs(R) @ /etc/redis/redis.conf:0",
                "Serves { role: R, protocol: Redis, addr: Some(127.0.0.1), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Serves { role: R, protocol: Redis, addr: Some(::1), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Address(10.0.4.41) @ /etc/redis/redis.conf:12",
                "Serves { role: R, protocol: Redis, addr: Some(10.0.4.41), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Store { role: R, read_only: Some(false), server_id: None, log_bin: None, gtid: None } @ /etc/redis/redis.conf:0",
            ],
        ),
        (
            "redis-02",
            &[
                "Runs(R) @ /etc/redis/redis.conf:0",
                "Serves { role: R, protocol: Redis, addr: Some(127.0.0.1), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Serves { role: R, protocol: Redis, addr: Some(::1), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Address(10.0.4.42) @ /etc/redis/redis.conf:12",
                "Serves { role: R, protocol: Redis, addr: Some(10.0.4.42), port: 6379, tls: false } @ /etc/redis/redis.conf:12",
                "Follows { role: R, primary: Addr(10.0.4.41, Some(6379)) } @ /etc/redis/redis.conf:45",
                "Store { role: R, read_only: Some(true), server_id: None, log_bin: None, gtid: None } @ /etc/redis/redis.conf:45",
            ],
        ),
        (
            "cache-01",
            &[
                "Runs(R) @ /etc/memcached.conf:0",
                "Serves { role: R, protocol: Memcached, addr: Some(127.0.0.1), port: 11211, tls: false } @ /etc/memcached.conf:29",
                "Address(10.0.5.51) @ /etc/memcached.conf:29",
                "Serves { role: R, protocol: Memcached, addr: Some(10.0.5.51), port: 11211, tls: false } @ /etc/memcached.conf:29",
            ],
        ),
    ];
    for (host, want) in cases {
        let kit = match &host[..2] {
            "db" => Kit::Mysql,
            "pg" => Kit::Postgres,
            "re" => Kit::Redis,
            _ => Kit::Memcached,
        };
        // `R` stands for the role's index in the roles table.
        let r = format!("{:?}", Role::of_kit(kit));
        let want: Vec<String> = want
            .iter()
            .map(|l| {
                l.replace("Runs(R)", &format!("Runs({r})"))
                    .replace("role: R,", &format!("role: {r},"))
            })
            .collect();
        let f = data_facts(&host_folder(host));
        let got: Vec<String> = f
            .facts
            .iter()
            .map(|(_, x, o)| format!("{x:?} @ {}:{}", o.path, o.line))
            .chain(f.warnings.iter().map(|w| format!("warning: {w}")))
            .collect();
        assert_eq!(got, want, "{host}: {got:#?}");
    }
}

// ---- The daemons' own checks -------------------------------------------------------

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what}: {}\n{text}", out.status);
    text
}

#[test]
fn mariadbd_reads_the_hand_written_option_files() {
    if !common::require_tool("mariadbd") {
        return;
    }
    for (host, id, ro) in [("db-01", "1", "FALSE"), ("db-02", "2", "TRUE")] {
        let cnf = data_debian()
            .join(host)
            .join("etc/mysql/mariadb.conf.d/50-server.cnf");
        let out = run(
            Command::new("mariadbd")
                .arg(format!("--defaults-file={}", cnf.display()))
                .args(["--help", "--verbose"]),
            &format!("{host}: mariadbd --help --verbose"),
        );
        assert!(!out.contains("[ERROR]"), "{host}: {out}");
        let value = |k: &str| {
            out.lines()
                .find_map(|l| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    (w.len() == 2 && w[0] == k).then(|| w[1].to_string())
                })
                .unwrap_or_default()
        };
        assert_eq!(value("server-id"), id, "{host}");
        assert_eq!(value("read-only"), ro, "{host}");
        assert_eq!(value("gtid-strict-mode"), "TRUE", "{host}");
        assert_eq!(value("bind-address"), format!("10.0.2.2{id}"), "{host}");
    }
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

#[test]
fn postgres_reads_the_hand_written_configs() {
    if !Path::new(PG_BIN).join("postgres").is_file() {
        let required = ["CI", "STACKC_REQUIRE_TOOLS"]
            .iter()
            .any(|v| std::env::var_os(v).is_some());
        assert!(
            !required,
            "PostgreSQL 15 is required but {PG_BIN}/postgres is missing"
        );
        eprintln!("SKIP: PostgreSQL 15 is not installed ({PG_BIN}/postgres)");
        return;
    }
    let root = unsafe { libc::geteuid() } == 0;
    for (host, listen, conninfo) in [
        ("pg-01", "localhost,10.0.3.31", ""),
        (
            "pg-02",
            "localhost, 10.0.3.32",
            "host=10.0.3.31 port=5432 user=replicator password='s3cr#t' application_name=pg_02",
        ),
    ] {
        // The configuration folder copied where the postgres user reads it,
        // with an empty data folder (postgres -C reads no data).
        let work = tempfile::tempdir().unwrap();
        let conf = work.path().join("conf");
        let data = work.path().join("data");
        std::fs::create_dir_all(conf.join("conf.d")).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let src = data_debian().join(host).join("etc/postgresql/15/main");
        for f in [
            "postgresql.conf",
            "conf.d/10-network.conf",
            "conf.d/20-standby.conf",
        ] {
            if src.join(f).is_file() {
                std::fs::copy(src.join(f), conf.join(f)).unwrap();
            }
        }
        if root {
            run(
                Command::new("chown")
                    .args(["-R", "postgres"])
                    .arg(work.path()),
                "chown",
            );
            run(Command::new("chmod").arg("755").arg(work.path()), "chmod");
        }
        for (name, want) in [
            ("listen_addresses", listen),
            ("port", "5432"),
            ("primary_conninfo", conninfo),
        ] {
            let mut cmd = if root {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"])
                    .arg(format!("{PG_BIN}/postgres"));
                c
            } else {
                Command::new(format!("{PG_BIN}/postgres"))
            };
            cmd.arg(format!(
                "--config-file={}",
                conf.join("postgresql.conf").display()
            ))
            .arg("-c")
            .arg(format!("data_directory={}", data.display()))
            .args(["-C", name])
            .stderr(Stdio::null());
            let out = run(&mut cmd, &format!("{host}: postgres -C {name}"));
            assert_eq!(out.trim(), want, "{host}: {name}");
        }
    }
}

#[test]
fn redis_server_reads_the_hand_written_configs() {
    if !common::require_tool("redis-server") || !common::require_tool("redis-cli") {
        return;
    }
    for (host, role) in [("redis-01", "role:master"), ("redis-02", "role:master")] {
        let conf = data_debian().join(host).join("etc/redis/redis.conf");
        let work = tempfile::tempdir().unwrap();
        let sock = work.path().join("sock");
        // The file as written, then overrides so that nothing leaves the
        // host: no TCP, a Unix socket, replication off, files in `work`.
        let mut child = Command::new("redis-server")
            .arg(&conf)
            .args(["--port", "0", "--bind", "127.0.0.1", "--unixsocket"])
            .arg(&sock)
            .arg("--dir")
            .arg(work.path())
            .arg("--pidfile")
            .arg(work.path().join("pid"))
            .args([
                "--logfile",
                "",
                "--supervised",
                "no",
                "--daemonize",
                "no",
                "--replicaof",
                "no",
                "one",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut exited = None;
        while !sock.exists() && start.elapsed() < Duration::from_secs(10) {
            if let Some(status) = child.try_wait().unwrap() {
                exited = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let info = sock.exists().then(|| {
            let cli = |args: &[&str]| {
                let out = Command::new("redis-cli")
                    .arg("-s")
                    .arg(&sock)
                    .args(args)
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout).to_string()
            };
            (
                cli(&["config", "get", "replica-read-only"]),
                cli(&["info", "replication"]),
            )
        });
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        let (ro, repl) = info
            .unwrap_or_else(|| panic!("{host}: redis-server did not start ({exited:?}):\n{log}"));
        assert!(ro.contains("yes"), "{host}: {ro}");
        assert!(repl.contains(role), "{host}: {repl}");
    }
}

// ---- Bad input ---------------------------------------------------------------------

/// Where the readers look, and pieces of what real files hold there.
const PATHS: &[&str] = &[
    "/etc/mysql/my.cnf",
    "/etc/mysql/conf.d/a.cnf",
    "/var/lib/mysql/master.info",
    "/etc/mysql/x.sql",
    "/etc/postgresql/15/main/postgresql.conf",
    "/etc/postgresql/15/main/conf.d/a.conf",
    "/var/lib/postgresql/15/main/standby.signal",
    "/etc/redis/redis.conf",
    "/etc/memcached.conf",
    "/lib/systemd/system/memcached.service",
    "/etc/rabbitmq/rabbitmq.conf",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Any text in any of the readers' files: facts and warnings, never a
    /// panic.
    #[test]
    fn any_text_reads_without_panicking(
        files in proptest::collection::vec(
            (0..PATHS.len(), "([\\[\\]!=,;:'\"#/*\\\\ \t\n-]|[a-z_]{1,12}|[0-9.]{1,9}|é|include(dir)?|CHANGE MASTER TO|MASTER_HOST|bind|port|replicaof|-l|listeners\\.tcp\\.x|/etc/mysql/my\\.cnf|/etc/redis/redis\\.conf|primary_conninfo|host=){0,40}"),
            1..6,
        )
    ) {
        let mut h = HostFiles::new("x");
        for (i, text) in files {
            h.insert(PATHS[i], Entry::Text(text));
        }
        h.insert("/etc/mysql/big.cnf", Entry::Skipped("larger than 4 MiB".into()));
        let _ = data_facts(&h);
    }
}

#[test]
fn large_files_read_in_linear_time() {
    let mut h = HostFiles::new("db");
    let stmt = "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3306; -- x\n";
    h.insert("/etc/mysql/big.sql", Entry::Text(stmt.repeat(40_000)));
    h.insert(
        "/etc/mysql/my.cnf",
        Entry::Text("[mysqld]\nport = 3306\n".repeat(50_000)),
    );
    h.insert(
        "/etc/redis/redis.conf",
        Entry::Text("bind 10.0.0.1 -::1\n".repeat(100_000)),
    );
    let start = Instant::now();
    let f = data_facts(&h);
    let took = start.elapsed();
    assert_eq!(
        f.facts
            .iter()
            .filter(|(_, x, _)| matches!(x, Fact::Follows { .. }))
            .count(),
        40_000
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    eprintln!(
        "3 files of {} MiB read in {took:?}",
        (stmt.len() * 40_000 + 1_100_000 + 1_900_000) >> 20
    );
}
