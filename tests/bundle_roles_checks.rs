//! The real programs accept the bundle files of the roles of ROLES.md v2:
//!
//! - PostgreSQL 15: `postgres -C` loads the host's `conf.d`, a fresh cluster
//!   starts with the files (in a network namespace owning the host's
//!   address), `pg_hba_file_rules` has no error, the setup SQL runs (twice:
//!   it is idempotent), a replica copied with `pg_basebackup` streams from
//!   the primary through the vip with its `primary_conninfo`, the demote
//!   script makes the old primary read-only by default and the promote
//!   script promotes the replica (`pg_promote()`);
//! - Redis: `redis-server` starts with each `redis.conf` on the host's
//!   address and a replica syncs; the failover=auto scripts promote
//!   (`REPLICAOF NO ONE`) and demote (`REPLICAOF <vip>`), and keepalived's
//!   check (`PING` as `stackc-health`) answers;
//! - memcached: Debian's `systemd-memcached-wrapper` starts memcached from
//!   `/etc/memcached.conf`, which answers on the host's address only;
//! - `keepalived -t` on the keepalived files of the failover=auto groups.
//!
//! Network safety: every client runs inside a namespace this test made and
//! talks to addresses of namespaces this test made; the namespaces (and the
//! processes inside them) go when the test ends, even when it fails.

mod common;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/role_designs.rs"]
mod role_designs;

use netns::{ok, run, try_run, Ns};
use stackc::bundle::{self, Bundle, Options, Secrets};
use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn tools(list: &[&str], what: &str) -> bool {
    netns::require_root(what) && list.iter().all(|t| common::require_tool(t))
}

fn pg_tools() -> bool {
    if !tools(
        &["ip", "runuser", "psql", "pg_isready"],
        "the PostgreSQL checks",
    ) {
        return false;
    }
    if Path::new(PG_BIN).join("postgres").is_file() {
        return true;
    }
    assert!(
        !netns::tools_required(),
        "PostgreSQL 15 is required (CI or STACKC_REQUIRE_TOOLS is set): apt-get install postgresql-15"
    );
    eprintln!("SKIP: PostgreSQL 15 is not installed ({PG_BIN}/postgres)");
    false
}

fn secrets_for(c: &stackc::Checked) -> Secrets {
    let mut s = Secrets::new();
    let mut n: u32 = 5;
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

/// The bundle of `src`, written under `dir`.
fn write_bundle(src: &str, dir: &Path) -> (Bundle, Secrets) {
    let c = stackc::check(src);
    let secrets = secrets_for(&c);
    let b = match bundle::generate(&c, &Options::default(), &secrets) {
        Ok(b) => b,
        Err(e) => panic!("refused: {e:?}"),
    };
    for (path, f) in &b.files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, &f.bytes).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(f.mode)).unwrap();
    }
    (b, secrets)
}

fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A daemon started inside a namespace; killed on drop (and with the
/// namespace in any case).
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(ns: &Ns, args: &[&str], log: &Path) -> Daemon {
    let out = fs::File::create(log).unwrap();
    let err = out.try_clone().unwrap();
    Daemon(
        Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("spawn"),
    )
}

/// `ip netns exec NS args...`: its output, or None when it fails.
fn try_exec(ns: &Ns, args: &[&str]) -> Option<String> {
    let o = try_run(
        Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .args(args),
        Duration::from_secs(30),
    )
    .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Polls `f` every 100 ms until it is true, for at most `limit`.
fn wait_for(what: &str, limit: Duration, log: &Path, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{what}: not within {limit:?}; log:\n{}",
        fs::read_to_string(log).unwrap_or_default()
    );
}

fn chown_postgres(p: &Path) {
    ok(
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(p),
        "chown",
    );
}

// ---- PostgreSQL ---------------------------------------------------------------

/// A PostgreSQL host of the test: its data directory, socket directory and
/// the `postgresql.conf` that stands for Debian's (the data directory, the
/// bundle's `pg_hba.conf` and its `conf.d` included as Debian does).
struct PgHost {
    data: PathBuf,
    sock: PathBuf,
    conf: PathBuf,
}

fn pg_host(work: &Path, bundle: &Path, host: &str) -> PgHost {
    let base = work.join(host);
    let etc = bundle.join(format!("hosts/{host}/etc/postgresql/15/main"));
    let h = PgHost {
        data: base.join("data"),
        sock: base.join("sock"),
        conf: base.join("postgresql.conf"),
    };
    fs::create_dir_all(&h.sock).unwrap();
    fs::write(
        &h.conf,
        format!(
            "data_directory = '{}'\nhba_file = '{}'\nident_file = '{}/pg_ident.conf'\nunix_socket_directories = '{}'\ninclude_dir = '{}'\n",
            h.data.display(),
            etc.join("pg_hba.conf").display(),
            h.data.display(),
            h.sock.display(),
            etc.join("conf.d").display()
        ),
    )
    .unwrap();
    h
}

fn pg(args: &[&str]) -> Vec<String> {
    let mut v = vec![
        "runuser".to_string(),
        "-u".into(),
        "postgres".into(),
        "--".into(),
    ];
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `psql` as postgres on the host's socket: the one value of `sql`.
fn psql(ns: &Ns, h: &PgHost, db: &str, sql: &str) -> Option<String> {
    let sock = h.sock.display().to_string();
    let args = pg(&[
        "psql",
        "-X",
        "-q",
        "-At",
        "-h",
        &sock,
        "-d",
        db,
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
    ]);
    try_exec(ns, &as_strs(&args))
}

fn start_pg(ns: &Ns, h: &PgHost, log: &Path) -> Daemon {
    let conf = format!("--config-file={}", h.conf.display());
    let d = spawn(
        ns,
        &as_strs(&pg(&[&format!("{PG_BIN}/postgres"), &conf])),
        log,
    );
    let sock = h.sock.display().to_string();
    wait_for("PostgreSQL starts", Duration::from_secs(30), log, || {
        try_exec(ns, &["pg_isready", "-q", "-h", &sock]).is_some()
    });
    d
}

#[test]
fn postgres_loads_the_files_streams_and_promotes() {
    if !pg_tools() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let bdir = work.path().join("bundle");
    let (_b, secrets) = write_bundle(role_designs::POSTGRES, &bdir);
    let (primary_ip, replica_ip, vip) = (addr("10.0.3.11"), addr("10.0.3.12"), "10.0.3.10");
    let (ns1, ns2) = Ns::pair(primary_ip, replica_ip);
    // The primary holds the vip; the replica reaches it, and may bind it
    // (the bundle's sysctl file, applied in its namespace).
    ns1.batch(&[format!("addr add {vip}/32 dev eth0")]);
    ns2.batch(&[format!("route add {vip}/32 dev eth0")]);
    let sysctl = bdir.join("hosts/pg-02/etc/sysctl.d/60-stackc.conf");
    ns2.exec(
        &["sysctl", "-q", "-p", &sysctl.display().to_string()],
        "sysctl -p",
    );

    let h1 = pg_host(work.path(), &bdir, "pg-01");
    let h2 = pg_host(work.path(), &bdir, "pg-02");
    chown_postgres(work.path());

    // A fresh cluster, then `postgres -C` reads the bundle's settings.
    let data1 = h1.data.display().to_string();
    ok(
        Command::new("runuser")
            .args([
                "-u",
                "postgres",
                "--",
                &format!("{PG_BIN}/initdb"),
                "-D",
                &data1,
                "-U",
                "postgres",
            ])
            .stdout(Stdio::null()),
        "initdb",
    );
    let conf1 = format!("--config-file={}", h1.conf.display());
    for (name, want) in [
        ("listen_addresses", "10.0.3.11,10.0.3.10"),
        ("port", "5432"),
        ("wal_level", "replica"),
        ("password_encryption", "scram-sha-256"),
        ("hot_standby", "on"),
    ] {
        let out = ok(
            Command::new("runuser").args([
                "-u",
                "postgres",
                "--",
                &format!("{PG_BIN}/postgres"),
                &conf1,
                "-C",
                name,
            ]),
            "postgres -C",
        );
        assert_eq!(out.trim(), want, "{name}");
    }

    let log1 = work.path().join("pg-01.log");
    let _d1 = start_pg(&ns1, &h1, &log1);
    assert_eq!(
        psql(
            &ns1,
            &h1,
            "postgres",
            "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL"
        )
        .as_deref(),
        Some("0"),
        "pg_hba.conf has no error"
    );
    let rules = psql(
        &ns1,
        &h1,
        "postgres",
        "SELECT count(*) FROM pg_hba_file_rules",
    )
    .unwrap();
    assert_eq!(rules, "5", "local postgres, two apps, two members");
    let sql = bdir.join("hosts/pg-01/etc/postgresql/stackc/setup.sql");
    chown_postgres(&sql);
    let sock1 = h1.sock.display().to_string();
    for _ in 0..2 {
        ns1.exec(
            &as_strs(&pg(&[
                "psql",
                "-X",
                "-q",
                "-h",
                &sock1,
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                &sql.display().to_string(),
            ])),
            "setup SQL",
        );
    }
    assert_eq!(
        psql(
            &ns1,
            &h1,
            "postgres",
            "SELECT datname FROM pg_database WHERE datname = 'pgshop'"
        )
        .as_deref(),
        Some("pgshop")
    );
    psql(
        &ns1,
        &h1,
        "pgshop",
        "CREATE TABLE t (v text); INSERT INTO t VALUES ('before')",
    )
    .unwrap();

    // The replica: a copy of the primary (as replica-setup.sh makes it),
    // standby.signal, and the bundle's primary_conninfo through the vip.
    let repl = secrets.get("postgres/pg/replication").unwrap();
    let data2 = h2.data.display().to_string();
    ns2.exec(
        &[
            "runuser",
            "-u",
            "postgres",
            "--",
            "env",
            &format!("PGPASSWORD={repl}"),
            &format!("{PG_BIN}/pg_basebackup"),
            "-h",
            "10.0.3.11",
            "-p",
            "5432",
            "-U",
            "replicator",
            "-D",
            &data2,
            "-X",
            "stream",
            "-c",
            "fast",
        ],
        "pg_basebackup with the replication account",
    );
    ns2.exec(
        &as_strs(&pg(&["touch", &format!("{data2}/standby.signal")])),
        "standby.signal",
    );
    let log2 = work.path().join("pg-02.log");
    let _d2 = start_pg(&ns2, &h2, &log2);
    assert_eq!(
        psql(&ns2, &h2, "postgres", "SELECT pg_is_in_recovery()").as_deref(),
        Some("t")
    );
    psql(&ns1, &h1, "pgshop", "INSERT INTO t VALUES ('streamed')").unwrap();
    wait_for(
        "the replica streams",
        Duration::from_secs(20),
        &log2,
        || {
            psql(
                &ns2,
                &h2,
                "pgshop",
                "SELECT count(*) FROM t WHERE v = 'streamed'",
            )
            .as_deref()
                == Some("1")
        },
    );
    assert_eq!(
        psql(
            &ns1,
            &h1,
            "postgres",
            "SELECT client_addr FROM pg_stat_replication"
        )
        .as_deref(),
        Some("10.0.3.12")
    );

    // Only the stack's addresses, with their accounts: the application
    // account is refused from a database host's address.
    let app = secrets.get("postgres/pg/app").unwrap();
    assert!(
        try_exec(
            &ns2,
            &[
                "env",
                &format!("PGPASSWORD={app}"),
                "psql",
                "-X",
                "-h",
                "10.0.3.11",
                "-U",
                "app",
                "-d",
                "pgshop",
                "-c",
                "SELECT 1"
            ],
        )
        .is_none(),
        "app may not connect from 10.0.3.12"
    );

    // keepalived's scripts: demote the old primary, promote the replica.
    let sock2 = h2.sock.display().to_string();
    let script = |ns: &Ns, host: &str, name: &str, sock: &str| {
        let path = bdir.join(format!("hosts/{host}/etc/keepalived/{name}"));
        // The script's exit status is logger's when there is no syslog.
        let _ = try_exec(
            ns,
            &[
                "env",
                &format!("PGHOST={sock}"),
                "sh",
                &path.display().to_string(),
            ],
        );
    };
    script(&ns1, "pg-01", "stackc-demote.sh", &sock1);
    assert_eq!(
        psql(&ns1, &h1, "postgres", "SHOW default_transaction_read_only").as_deref(),
        Some("on")
    );
    script(&ns2, "pg-02", "stackc-promote.sh", &sock2);
    wait_for(
        "the replica is promoted",
        Duration::from_secs(20),
        &log2,
        || psql(&ns2, &h2, "postgres", "SELECT pg_is_in_recovery()").as_deref() == Some("f"),
    );
    assert_eq!(
        psql(&ns2, &h2, "postgres", "SHOW default_transaction_read_only").as_deref(),
        Some("off")
    );
    psql(&ns2, &h2, "pgshop", "INSERT INTO t VALUES ('after')")
        .expect("the promoted replica takes writes");
    // Promoting a primary again changes nothing (notify_master at start).
    script(&ns2, "pg-02", "stackc-promote.sh", &sock2);
    assert_eq!(
        psql(&ns2, &h2, "pgshop", "SELECT count(*) FROM t").as_deref(),
        Some("3")
    );
}

// ---- Redis ------------------------------------------------------------------------

fn redis_tools() -> bool {
    tools(
        &["ip", "redis-server", "redis-cli", "sh", "sed"],
        "the Redis checks",
    )
}

/// Starts redis-server in `ns` with a host's `redis.conf`, put at
/// `/etc/redis/redis.conf` inside the namespace (where the notify scripts
/// read it); the paths of Debian's service go to the test's directory.
fn start_redis(ns: &Ns, bundle: &Path, host: &str, work: &Path) -> Daemon {
    let conf = bundle.join(format!("hosts/{host}/etc/redis/redis.conf"));
    let etc = ns.etc().join("redis");
    fs::create_dir_all(&etc).unwrap();
    fs::copy(&conf, etc.join("redis.conf")).unwrap();
    let dir = work.join(host);
    fs::create_dir_all(&dir).unwrap();
    let log = work.join(format!("{host}.log"));
    spawn(
        ns,
        &[
            "redis-server",
            "/etc/redis/redis.conf",
            "--dir",
            &dir.display().to_string(),
            "--logfile",
            "",
            "--pidfile",
            &dir.join("pid").display().to_string(),
        ],
        &log,
    )
}

fn redis_cli(ns: &Ns, pass: &str, host: &str, port: u16, cmd: &[&str]) -> Option<String> {
    let mut args = vec![
        "env".to_string(),
        format!("REDISCLI_AUTH={pass}"),
        "redis-cli".into(),
        "-h".into(),
        host.into(),
        "-p".into(),
        port.to_string(),
        "-e".into(),
    ];
    args.extend(cmd.iter().map(|s| s.to_string()));
    try_exec(ns, &as_strs(&args))
}

#[test]
fn redis_starts_on_its_address_and_a_replica_syncs() {
    if !redis_tools() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let bdir = work.path().join("bundle");
    let (_b, secrets) = write_bundle(role_designs::REDIS, &bdir);
    let pass = secrets.get("redis/sessions/password").unwrap();
    let (ns1, ns2) = Ns::pair(addr("10.0.2.11"), addr("10.0.2.12"));
    let _r1 = start_redis(&ns1, &bdir, "redis-01", work.path());
    let _r2 = start_redis(&ns2, &bdir, "redis-02", work.path());
    let log2 = work.path().join("redis-02.log");
    wait_for(
        "redis-01 answers",
        Duration::from_secs(10),
        &work.path().join("redis-01.log"),
        || redis_cli(&ns1, pass, "10.0.2.11", 6379, &["PING"]).as_deref() == Some("PONG"),
    );
    assert!(
        redis_cli(&ns1, "wrong", "10.0.2.11", 6379, &["PING"]).is_none(),
        "the password is required"
    );
    redis_cli(&ns1, pass, "10.0.2.11", 6379, &["SET", "k", "v1"]).unwrap();
    wait_for("the replica syncs", Duration::from_secs(20), &log2, || {
        redis_cli(&ns2, pass, "10.0.2.12", 6379, &["GET", "k"]).as_deref() == Some("v1")
    });
    let info = redis_cli(&ns2, pass, "10.0.2.12", 6379, &["INFO", "replication"]).unwrap();
    assert!(info.contains("master_link_status:up"), "{info}");
    assert!(
        redis_cli(&ns2, pass, "10.0.2.12", 6379, &["SET", "k", "v2"]).is_none(),
        "the replica is read-only"
    );
    // The lone one, on its port.
    let ns3 = Ns::new(&[addr("10.0.2.21")]);
    let _r3 = start_redis(&ns3, &bdir, "queue", work.path());
    let qpass = secrets.get("redis/queue/password").unwrap();
    wait_for(
        "queue answers on 6380",
        Duration::from_secs(10),
        &work.path().join("queue.log"),
        || redis_cli(&ns3, qpass, "10.0.2.21", 6380, &["PING"]).as_deref() == Some("PONG"),
    );
    assert!(
        redis_cli(&ns3, qpass, "127.0.0.1", 6380, &["PING"]).is_none(),
        "not on loopback"
    );
}

#[test]
fn redis_failover_scripts_promote_and_follow_the_vip() {
    if !redis_tools() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let bdir = work.path().join("bundle");
    let (_b, secrets) = write_bundle(role_designs::REDIS_AUTO, &bdir);
    let pass = secrets.get("redis/kv/password").unwrap();
    let (a1, a2, vip) = ("2001:db8:2::11", "2001:db8:2::12", "2001:db8:2::10");
    let (ns1, ns2) = Ns::pair(addr(a1), addr(a2));
    // kv-01 holds the vip; both may bind it (the bundle's sysctl file).
    // Addresses without duplicate address detection: usable at once.
    for (ns, mine) in [(&ns1, a1), (&ns2, a2)] {
        ns.batch(&[
            format!("addr del {mine}/128 dev eth0"),
            format!("addr add {mine}/128 dev eth0 nodad"),
        ]);
    }
    ns1.batch(&[format!("addr add {vip}/128 dev eth0 nodad")]);
    ns2.batch(&[format!("route add {vip}/128 dev eth0")]);
    for (ns, host) in [(&ns1, "kv-01"), (&ns2, "kv-02")] {
        let f = bdir.join(format!("hosts/{host}/etc/sysctl.d/60-stackc.conf"));
        ns.exec(
            &["sysctl", "-q", "-p", &f.display().to_string()],
            "sysctl -p",
        );
    }
    let _r1 = start_redis(&ns1, &bdir, "kv-01", work.path());
    let _r2 = start_redis(&ns2, &bdir, "kv-02", work.path());
    let log2 = work.path().join("kv-02.log");
    wait_for(
        "kv-01 answers on the vip",
        Duration::from_secs(10),
        &work.path().join("kv-01.log"),
        || redis_cli(&ns1, pass, vip, 6379, &["PING"]).as_deref() == Some("PONG"),
    );
    redis_cli(&ns1, pass, vip, 6379, &["SET", "k", "v1"]).unwrap();
    wait_for("kv-02 syncs", Duration::from_secs(20), &log2, || {
        redis_cli(&ns2, pass, a2, 6379, &["GET", "k"]).as_deref() == Some("v1")
    });
    // keepalived's check, as keepalived runs it (no password given).
    let ka = fs::read_to_string(bdir.join("hosts/kv-02/etc/keepalived/keepalived.conf")).unwrap();
    let check = ka
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("script \"")
                .and_then(|s| s.strip_suffix('"'))
        })
        .expect("a vrrp_script")
        .to_string();
    let words: Vec<&str> = check.split_whitespace().collect();
    assert_eq!(try_exec(&ns2, &words).as_deref(), Some("PONG"), "{check}");
    // The health user may do nothing else.
    let mut get = words.clone();
    *get.last_mut().unwrap() = "GET";
    get.push("k");
    assert!(
        try_exec(&ns2, &get).is_none(),
        "stackc-health may only PING"
    );

    // Failover: kv-01 loses the vip (demoted: it follows the vip), kv-02
    // takes it and is promoted.
    let script = |ns: &Ns, host: &str, name: &str| {
        let path = bdir.join(format!("hosts/{host}/etc/keepalived/{name}"));
        let _ = try_exec(ns, &["sh", &path.display().to_string()]);
    };
    ns1.batch(&[format!("addr del {vip}/128 dev eth0")]);
    ns2.batch(&[
        format!("route del {vip}/128 dev eth0"),
        format!("addr add {vip}/128 dev eth0 nodad"),
    ]);
    ns1.batch(&[format!("route add {vip}/128 dev eth0")]);
    script(&ns2, "kv-02", "stackc-promote.sh");
    let info = redis_cli(&ns2, pass, a2, 6379, &["INFO", "replication"]).unwrap();
    assert!(info.contains("role:master"), "{info}");
    script(&ns1, "kv-01", "stackc-demote.sh");
    redis_cli(&ns2, pass, vip, 6379, &["SET", "k", "v2"]).expect("the new primary takes writes");
    wait_for(
        "kv-01 follows the new primary",
        Duration::from_secs(20),
        &work.path().join("kv-01.log"),
        || redis_cli(&ns1, pass, a1, 6379, &["GET", "k"]).as_deref() == Some("v2"),
    );
}

// ---- memcached ------------------------------------------------------------------------

const WRAPPER: &str = "/usr/share/memcached/scripts/systemd-memcached-wrapper";

#[test]
fn memcached_starts_from_debians_file_on_its_address() {
    if !tools(
        &["ip", "memcached", "perl", "bash", "timeout"],
        "the memcached checks",
    ) {
        return;
    }
    if !Path::new(WRAPPER).is_file() {
        assert!(
            !netns::tools_required(),
            "{WRAPPER} is required (Debian's memcached)"
        );
        eprintln!("SKIP: {WRAPPER} is missing");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let bdir = work.path().join("bundle");
    write_bundle(role_designs::MEMCACHED, &bdir);
    let v6 = "stack mc6\nserver app-01: app 2001:db8:1::11\nserver mc6: memcached 2001:db8:4::11\napp-01 -> mc6\n";
    write_bundle(v6, &bdir);
    for (host, ip, port) in [
        ("mc-01", "10.0.4.11", 11211),
        ("mc-03", "10.0.4.13", 11311),
        ("mc6", "2001:db8:4::11", 11211),
    ] {
        let ns = Ns::new(&[addr(ip)]);
        // The file at its real path inside the namespace; the pid file's
        // directory as the package makes it.
        fs::copy(
            bdir.join(format!("hosts/{host}/etc/memcached.conf")),
            ns.etc().join("memcached.conf"),
        )
        .unwrap();
        let _ = fs::create_dir_all("/var/run/memcached");
        let log = work.path().join(format!("{host}.log"));
        let _d = spawn(&ns, &[WRAPPER, "/etc/memcached.conf"], &log);
        let probe = |to: &str| {
            try_exec(
                &ns,
                &[
                    "timeout",
                    "2",
                    "bash",
                    "-c",
                    &format!(
                        "exec 3<>/dev/tcp/{to}/{port}; printf 'version\\r\\n' >&3; head -c 8 <&3"
                    ),
                ],
            )
        };
        wait_for("memcached answers", Duration::from_secs(10), &log, || {
            probe(ip).is_some_and(|v| v.starts_with("VERSION"))
        });
        assert!(
            probe("127.0.0.1").is_none(),
            "{host} listens on its address only"
        );
    }
}

// ---- keepalived -----------------------------------------------------------------

#[test]
fn keepalived_accepts_the_failover_files() {
    if !tools(
        &["ip", "keepalived", "pg_isready", "redis-cli"],
        "the keepalived checks",
    ) {
        return;
    }
    for (src, host, ip) in [
        (role_designs::POSTGRES, "pg-02", "10.0.3.12"),
        (role_designs::REDIS_AUTO, "kv-02", "2001:db8:2::12"),
    ] {
        let work = tempfile::tempdir().unwrap();
        let bdir = work.path().join("bundle");
        write_bundle(src, &bdir);
        let ns = Ns::new(&[addr(ip)]);
        let etc = ns.etc().join("keepalived");
        fs::create_dir_all(&etc).unwrap();
        for f in ["keepalived.conf", "stackc-promote.sh", "stackc-demote.sh"] {
            let to = etc.join(f);
            fs::copy(bdir.join(format!("hosts/{host}/etc/keepalived/{f}")), &to).unwrap();
        }
        let o = run(
            Command::new("ip").args([
                "netns",
                "exec",
                &ns.name,
                "keepalived",
                "-t",
                "-f",
                "/etc/keepalived/keepalived.conf",
            ]),
            Duration::from_secs(30),
        );
        assert!(
            o.status.success(),
            "keepalived -t on {host}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

// ---- Ansible ----------------------------------------------------------------------

#[test]
fn ansible_accepts_the_playbooks() {
    let venv = common::root().join("target/tools/ansible/bin/ansible-playbook");
    let program = if venv.is_file() {
        venv
    } else if common::require_tool("ansible-playbook") {
        PathBuf::from("ansible-playbook")
    } else {
        return;
    };
    for src in [
        role_designs::POSTGRES,
        role_designs::REDIS,
        role_designs::REDIS_AUTO,
        role_designs::MEMCACHED,
        role_designs::EXTERNAL,
    ] {
        let work = tempfile::tempdir().unwrap();
        write_bundle(src, work.path());
        let o = run(
            Command::new(&program)
                .current_dir(work.path())
                .env("ANSIBLE_LOCAL_TEMP", work.path().join(".ansible"))
                .env("ANSIBLE_HOME", work.path().join(".ansible"))
                .args([
                    "-i",
                    "ansible/inventory.ini",
                    "--syntax-check",
                    "ansible/site.yml",
                ]),
            Duration::from_secs(120),
        );
        assert!(
            o.status.success(),
            "ansible-playbook --syntax-check: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
