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
//!   address and a replica syncs (started by `tests/support/daemons.rs`); the failover=auto scripts promote
//!   (`REPLICAOF NO ONE`) and demote (`REPLICAOF <vip>`), and keepalived's
//!   check (`PING` as `stackc-health`) answers;
//! - memcached: Debian's `systemd-memcached-wrapper` starts memcached from
//!   `/etc/memcached.conf` (`tests/support/daemons.rs`), which answers on
//!   the host's address only;
//! - RabbitMQ: Debian's `rabbitmq-server` starts from
//!   `/etc/rabbitmq/rabbitmq.conf` (`tests/support/daemons.rs`) and opens AMQP
//!   0-9-1 on the host's address only, on the port of the link;
//! - `keepalived -t` on the keepalived files of the failover=auto groups;
//! - `samples/full-stack.stack` (every role) bundled by the `stackc` binary:
//!   its PostgreSQL, Redis and memcached hosts' files start the daemons
//!   through the shared harness (`tests/support/daemons.rs`); its HAProxy,
//!   nginx, MySQL, keepalived and Ansible files are `bundle_checks`'s, which
//!   checks every sample.
//!
//! PostgreSQL keeps its own start-up here: the bundle's replica is made by
//! its `replica-setup.sh` (which writes `standby.signal`), while the
//! harness's `Pg::base_backup` wants a `standby.signal` among the host's
//! files; and the checks read the bundle's own `pg_hba.conf` and `conf.d`
//! in place.
//!
//! Network safety: every client runs inside a namespace this test made and
//! talks to addresses of namespaces this test made; the namespaces (and the
//! processes inside them) go when the test ends, even when it fails.

mod common;
#[path = "support/daemons.rs"]
mod daemons;
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

/// Starts redis-server in `ns` from a host's `redis.conf` through the
/// shared harness (as the redis user, Debian's paths redirected into
/// `work/HOST`), with the file also at `/etc/redis/redis.conf` inside the
/// namespace, where the notify scripts read it.
fn start_redis<'n>(ns: &'n Ns, bundle: &Path, host: &str, work: &Path) -> daemons::Redis<&'n Ns> {
    let dir = bundle.join("hosts").join(host);
    let etc = ns.etc().join("redis");
    fs::create_dir_all(&etc).unwrap();
    fs::copy(dir.join(daemons::REDIS_CONF), etc.join("redis.conf")).unwrap();
    daemons::Redis::start(ns, &dir, &work.join(host)).unwrap_or_else(|e| panic!("{e}"))
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
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let bdir = work.path().join("bundle");
    let (_b, secrets) = write_bundle(role_designs::REDIS, &bdir);
    let (ns1, ns2) = Ns::pair(addr("10.0.2.11"), addr("10.0.2.12"));
    // Each answers PING on its address with the store's password.
    let r1 = start_redis(&ns1, &bdir, "redis-01", work.path());
    let r2 = start_redis(&ns2, &bdir, "redis-02", work.path());
    assert_eq!(
        r1.password.as_deref(),
        secrets.get("redis/sessions/password")
    );
    assert!(
        r1.cli_as(Some("wrong"), &["PING"]).is_err(),
        "the password is required"
    );
    r1.cli(&["SET", "k", "v1"]).unwrap();
    let info = r2
        .wait_synced()
        .unwrap_or_else(|e| panic!("{e}\n{}", r2.log()));
    assert_eq!(
        info.get("master_link_status").map(String::as_str),
        Some("up")
    );
    wait_for(
        "the replica syncs",
        Duration::from_secs(20),
        &r2.work.join("redis.log"),
        || r2.cli(&["GET", "k"]).as_deref() == Ok("v1"),
    );
    assert!(
        r2.cli(&["SET", "k", "v2"]).is_err(),
        "the replica is read-only"
    );
    // The lone one, on its port.
    let ns3 = Ns::new(&[addr("10.0.2.21")]);
    let r3 = start_redis(&ns3, &bdir, "queue", work.path());
    assert_eq!((r3.addr, r3.port), (addr("10.0.2.21"), 6380));
    let qpass = secrets.get("redis/queue/password").unwrap();
    assert_eq!(r3.password.as_deref(), Some(qpass));
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
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
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
    let r1 = start_redis(&ns1, &bdir, "kv-01", work.path());
    let r2 = start_redis(&ns2, &bdir, "kv-02", work.path());
    let log1 = r1.work.join("redis.log");
    let log2 = r2.work.join("redis.log");
    wait_for(
        "kv-01 answers on the vip",
        Duration::from_secs(10),
        &log1,
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
        &log1,
        || redis_cli(&ns1, pass, a1, 6379, &["GET", "k"]).as_deref() == Some("v2"),
    );
}

// ---- memcached ------------------------------------------------------------------------

#[test]
fn memcached_starts_from_debians_file_on_its_address() {
    if !tools(
        &["ip", "memcached", "bash", "timeout"],
        "the memcached checks",
    ) || !daemons::require(
        &["setpriv", daemons::MEMCACHED_WRAPPER],
        "the memcached checks",
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
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
        // Debian's wrapper turns the file into arguments; the harness
        // waits until it answers `version` on the address of `-l`.
        let mc =
            daemons::Memcached::start(&ns, &bdir.join("hosts").join(host), &work.path().join(host))
                .unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!((mc.addr, mc.port), (addr(ip), port), "{host}");
        assert_eq!(mc.set_get("k", "v").as_deref(), Ok("v"), "{host}");
        let loopback = try_exec(
            &ns,
            &[
                "timeout",
                "2",
                "bash",
                "-c",
                &format!(
                    "exec 3<>/dev/tcp/127.0.0.1/{port}; printf 'version\\r\\n' >&3; head -c 8 <&3"
                ),
            ],
        );
        assert!(loopback.is_none(), "{host} listens on its address only");
    }
}

// ---- rabbitmq ---------------------------------------------------------------------

#[test]
fn rabbitmq_starts_from_its_file_on_its_address() {
    if !tools(
        &["ip", "bash", "epmd", "timeout", "head"],
        "the rabbitmq checks",
    ) || !daemons::require(&[daemons::rabbitmq::RABBITMQ_SERVER], "the rabbitmq checks")
    {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let bdir = work.path().join("bundle");
    let src = "stack mq\nserver app-01: app 10.0.2.11\nserver mq-01: rabbitmq 10.0.7.11\n\
               server mq6: rabbitmq 2001:db8:7::11\napp-01 -> mq-01\napp-01 -> mq6 : amqp 5673\n";
    let (b, _) = write_bundle(src, &bdir);
    let env = String::from_utf8(b.files["hosts/app-01/etc/default/mq-app"].bytes.clone()).unwrap();
    assert!(env.contains("AMQP_SERVERS=10.0.7.11:5672\n"), "{env}");
    assert!(
        env.contains("AMQP_MQ6_SERVERS=[2001:db8:7::11]:5673\n"),
        "{env}"
    );
    for (host, ip, port) in [
        ("mq-01", "10.0.7.11", 5672),
        ("mq6", "2001:db8:7::11", 5673),
    ] {
        let ns = Ns::new(&[addr(ip)]);
        let mq =
            daemons::Rabbitmq::start(&ns, &bdir.join("hosts").join(host), &work.path().join(host))
                .unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(
            mq.listen,
            std::net::SocketAddr::new(addr(ip), port),
            "{host}"
        );
        // Its address only: not on loopback.
        let loopback = std::net::SocketAddr::new(addr("127.0.0.1"), port);
        assert!(
            mq.hello(loopback).is_err(),
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

// ---- the full-stack sample, from the binary ------------------------------------

#[test]
fn the_full_stack_sample_bundles_and_its_stores_start() {
    let work = tempfile::tempdir().unwrap();
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let out = work.path().join("fs");
    let o = run(
        Command::new(env!("CARGO_BIN_EXE_stackc"))
            .arg("bundle")
            .arg(common::root().join("samples/full-stack.stack"))
            .arg("-o")
            .arg(&out),
        Duration::from_secs(60),
    );
    assert!(
        o.status.success(),
        "stackc bundle samples/full-stack.stack: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let host = |name: &str| out.join("hosts").join(name);
    for name in [
        "lb-01",
        "web-01",
        "app-01",
        "cache-01",
        "redis-01",
        "pg-02",
        "reports-01",
    ] {
        assert!(host(name).is_dir(), "{name} gets files");
    }
    assert!(!host("payments").exists(), "the external service gets none");
    if !pg_tools()
        || !redis_tools()
        || !daemons::require(&["setpriv", "bash", "memcached"], "the full-stack checks")
    {
        return;
    }
    // Each store's primary in a namespace that owns its address and its
    // group's vip (it holds it: keepalived's MASTER).
    let pg_ns = Ns::new(&[addr("10.0.5.11"), addr("10.0.5.10")]);
    let mut pg = daemons::Pg::install(&pg_ns, &host("pg-01"), &work.path().join("pg-01"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        pg.setting("listen_addresses").unwrap(),
        "10.0.5.11,10.0.5.10"
    );
    pg.start().unwrap_or_else(|e| panic!("{e}\n{}", pg.log()));
    pg.setup().unwrap_or_else(|e| panic!("{e}\n{}", pg.log()));
    assert_eq!(
        pg.sql(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname = 'shop'"
        )
        .unwrap(),
        "shop"
    );
    let redis_ns = Ns::new(&[addr("10.0.4.11"), addr("10.0.4.10")]);
    let redis = daemons::Redis::start(&redis_ns, &host("redis-01"), &work.path().join("redis-01"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(redis.cli(&["SET", "k", "v"]).unwrap(), "OK");
    let mc_ns = Ns::new(&[addr("10.0.3.11")]);
    let mc = daemons::Memcached::start(&mc_ns, &host("cache-01"), &work.path().join("cache-01"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mc.set_get("k", "v").unwrap(), "v");
}
