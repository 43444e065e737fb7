//! The real-daemon harness (`tests/support/daemons.rs`) proved on
//! hand-written files in the bundle's layout: a PostgreSQL 15 primary and
//! replica (streaming, then promotion), a Redis pair (sync, then
//! `REPLICAOF NO ONE`), a memcached; and the harness catches broken files.
//! Once `stackc bundle` writes these roles, its files go through the same
//! functions.
//!
//! Network safety: each test makes its own namespaces (names unique to the
//! process), with no default route; clients run only inside them. The
//! daemons are stopped by PID, the namespaces deleted, the data in
//! temporary directories, even when an assertion fails.

#[path = "support/daemons.rs"]
mod daemons;
#[path = "support/netns.rs"]
mod netns;

use daemons::{pg, poll, Memcached, Pg, Place, Redis, PG_BIN};
use netns::Ns;
use std::fs;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Writes `files` (path under `dir`, text) and returns `dir`.
fn layout(dir: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

fn can_run(programs: &[&str], what: &str) -> bool {
    netns::require_root(what)
        && daemons::require(&["ip", "setpriv", "bash"], what)
        && daemons::require(programs, what)
}

fn postgres_tools(what: &str) -> bool {
    let bins = ["postgres", "initdb", "psql", "pg_basebackup"].map(|b| format!("{PG_BIN}/{b}"));
    can_run(&bins.iter().map(String::as_str).collect::<Vec<_>>(), what)
}

// ---- PostgreSQL -----------------------------------------------------------------

const PG_PRIMARY: &str = "10.0.7.11";
const PG_REPLICA: &str = "10.0.7.12";
const REPL_PASSWORD: &str = "r3pl-secret";
const APP_PASSWORD: &str = "app-secret";

fn pg_conf(me: &str, extra: &str) -> String {
    format!(
        "# stackc: PostgreSQL settings of this host\nlisten_addresses = '{me}'\nport = 5433\nwal_level = replica\nmax_wal_senders = 5\nhot_standby = on\npassword_encryption = scram-sha-256\n{extra}"
    )
}

fn pg_hba() -> String {
    pg_hba_for(&[PG_PRIMARY, PG_REPLICA])
}

/// Peer for the admin, scram-sha-256 for the application and the
/// replication user from each address.
fn pg_hba_for(addrs: &[&str]) -> String {
    let mut s = String::from("# TYPE DATABASE USER ADDRESS METHOD\nlocal all postgres peer\n");
    for a in addrs {
        s += &format!("host shop shop {a}/32 scram-sha-256\n");
        s += &format!("host replication replicator {a}/32 scram-sha-256\n");
    }
    s
}

fn pg_setup() -> String {
    format!(
        "CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD '{REPL_PASSWORD}';\nCREATE ROLE shop WITH LOGIN PASSWORD '{APP_PASSWORD}';\nCREATE DATABASE shop OWNER shop;\n"
    )
}

/// A primary (`pg-01`) and a replica (`pg-02`) as a bundle would lay
/// them out.
fn pg_bundle(dir: &Path) {
    let conninfo = format!(
        "host={PG_PRIMARY} port=5433 user=replicator password={REPL_PASSWORD} application_name=pg-02"
    );
    let setup = pg_setup();
    let etc = "etc/postgresql/15/main";
    layout(
        dir,
        &[
            (
                &format!("pg-01/{etc}/conf.d/stackc.conf"),
                pg_conf(PG_PRIMARY, ""),
            ),
            (&format!("pg-01/{etc}/pg_hba.conf"), pg_hba()),
            ("pg-01/etc/postgresql/stackc/setup.sql", setup),
            (
                &format!("pg-02/{etc}/conf.d/stackc.conf"),
                pg_conf(PG_REPLICA, &format!("primary_conninfo = '{conninfo}'\n")),
            ),
            (&format!("pg-02/{etc}/pg_hba.conf"), pg_hba()),
            (
                "pg-02/var/lib/postgresql/15/main/standby.signal",
                String::new(),
            ),
        ],
    );
}

/// `psql` from `from` to `to:5433` as the application.
fn app_sql(from: &Ns, to: &str, sql: &str) -> Result<String, String> {
    pg::client(from, (ip(to), 5433), ("shop", APP_PASSWORD), "shop", sql)
}

#[test]
fn postgres_primary_streams_to_a_replica_that_promotes() {
    if !postgres_tools("the PostgreSQL harness tests") {
        return;
    }
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    pg_bundle(&tmp.path().join("hosts"));
    let host = |h: &str| tmp.path().join("hosts").join(h);
    let (ns1, ns2) = Ns::pair(ip(PG_PRIMARY), ip(PG_REPLICA));

    let mut primary = Pg::install(&ns1, &host("pg-01"), &tmp.path().join("w1")).unwrap();
    assert_eq!(primary.setting("listen_addresses").unwrap(), PG_PRIMARY);
    assert_eq!(primary.setting("wal_level").unwrap(), "replica");
    assert_eq!(primary.port, 5433);
    primary.start().unwrap();
    primary.setup().unwrap();
    assert_eq!(
        primary
            .sql(
                "postgres",
                "SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'SCRAM-SHA-256$%' ORDER BY 1"
            )
            .unwrap(),
        "replicator\nshop"
    );
    // The application, from the other host, through its host line.
    app_sql(
        &ns2,
        PG_PRIMARY,
        "CREATE TABLE t (i int PRIMARY KEY); INSERT INTO t VALUES (42)",
    )
    .unwrap();
    let wrong = pg::client(
        &ns2,
        (ip(PG_PRIMARY), 5433),
        ("shop", "guess"),
        "shop",
        "SELECT 1",
    );
    assert!(
        wrong
            .as_ref()
            .is_err_and(|e| e.contains("password authentication failed")),
        "{wrong:?}"
    );
    // No host line for the application on `postgres`: refused.
    let other = pg::client(
        &ns2,
        (ip(PG_PRIMARY), 5433),
        ("shop", APP_PASSWORD),
        "postgres",
        "SELECT 1",
    );
    assert!(
        other
            .as_ref()
            .is_err_and(|e| e.contains("no pg_hba.conf entry")),
        "{other:?}"
    );

    let mut replica = Pg::install(&ns2, &host("pg-02"), &tmp.path().join("w2")).unwrap();
    assert!(replica
        .primary_conninfo()
        .unwrap()
        .contains("user=replicator"));
    replica.base_backup().unwrap();
    replica
        .start()
        .unwrap_or_else(|e| panic!("{e}\n{}", replica.log()));
    primary.wait_sending_to(ip(PG_REPLICA)).unwrap();
    replica.wait_receiving_from(ip(PG_PRIMARY)).unwrap();
    assert!(replica.in_recovery().unwrap());
    app_sql(&ns2, PG_PRIMARY, "INSERT INTO t VALUES (43)").unwrap();
    let rows = poll(Duration::from_secs(20), || {
        let r = app_sql(&ns1, PG_REPLICA, "SELECT i FROM t ORDER BY i")?;
        (r == "42\n43").then_some(r.clone()).ok_or(r)
    });
    assert!(rows.is_ok(), "the replica does not have the rows: {rows:?}");
    let ro = app_sql(&ns1, PG_REPLICA, "INSERT INTO t VALUES (44)");
    assert!(
        ro.as_ref()
            .is_err_and(|e| e.contains("read-only transaction")),
        "{ro:?}"
    );

    replica.promote().unwrap();
    app_sql(&ns1, PG_REPLICA, "INSERT INTO t VALUES (44)").unwrap();
    assert_eq!(
        app_sql(&ns1, PG_REPLICA, "SELECT count(*) FROM t").unwrap(),
        "3"
    );
    assert!(!replica.in_recovery().unwrap());
    assert!(
        replica.stop() && primary.stop(),
        "a server did not stop on SIGINT"
    );
    eprintln!("postgres pair: {:?}", start.elapsed());
}

#[test]
fn postgres_harness_catches_broken_files() {
    if !postgres_tools("the PostgreSQL harness tests") {
        return;
    }
    let t = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let ns = Ns::new(&[ip(PG_PRIMARY)]);
    let etc = "h/etc/postgresql/15/main";
    // A setting PostgreSQL does not know: `postgres -C` refuses the files.
    layout(
        tmp.path(),
        &[
            (
                &format!("{etc}/conf.d/stackc.conf"),
                pg_conf(PG_PRIMARY, "wal_levle = replica\n"),
            ),
            (&format!("{etc}/pg_hba.conf"), pg_hba()),
        ],
    );
    let bad = Pg::install(&ns, &tmp.path().join("h"), &tmp.path().join("w1"));
    let e = bad.err().expect("an unknown setting is accepted");
    assert!(e.contains("wal_levle"), "{e}");
    // A bad address in pg_hba.conf: `pg_hba_file_rules` names the line
    // (a reload would keep the old rules)...
    let bad_hba = format!("{}host shop shop 10.0.7.300/32 scram-sha-256\n", pg_hba());
    layout(
        tmp.path(),
        &[
            (
                &format!("{etc}/conf.d/stackc.conf"),
                pg_conf(PG_PRIMARY, ""),
            ),
            (&format!("{etc}/pg_hba.conf"), pg_hba()),
        ],
    );
    let mut pg = Pg::install(&ns, &tmp.path().join("h"), &tmp.path().join("w2")).unwrap();
    pg.start().unwrap();
    assert_eq!(pg.hba_errors().unwrap(), "");
    fs::write(pg.conf.join("pg_hba.conf"), &bad_hba).unwrap();
    let e = pg.hba_errors().unwrap();
    assert!(
        e.starts_with("7: specifying both host name and CIDR mask is invalid"),
        "{e}"
    );
    // A host without primary_conninfo cannot be made a replica, and a
    // running one is left alone.
    let e = pg
        .base_backup()
        .expect_err("a base backup over a running server");
    assert!(e.contains("the server runs"), "{e}");
    assert!(pg.stop());
    let e = pg
        .base_backup()
        .expect_err("a replica without primary_conninfo");
    assert!(e.contains("no primary_conninfo"), "{e}");
    // ...and the server refuses to start with it, saying which line.
    fs::write(tmp.path().join(etc).join("pg_hba.conf"), &bad_hba).unwrap();
    let mut pg = Pg::install(&ns, &tmp.path().join("h"), &tmp.path().join("w3")).unwrap();
    let e = pg.start().expect_err("a bad pg_hba.conf line is accepted");
    for want in [
        "\"10.0.7.300/32\"",
        "line 7 of configuration file",
        "could not load pg_hba.conf",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

#[test]
fn postgres_conf_values_are_read_as_the_server_reads_them() {
    let text = "primary_conninfo = 'a'\n#primary_conninfo = 'b'\nprimary_conninfo_x = 'c'\nprimary_conninfo='host=h password=''it''''s'' x=\\'y' # note\n";
    assert_eq!(
        pg::conf_value(text, "primary_conninfo").as_deref(),
        Some("host=h password='it''s' x='y")
    );
    assert_eq!(
        pg::conf_value("port = 5433 # p", "port").as_deref(),
        Some("5433")
    );
    assert_eq!(pg::conf_value("ports = 1", "port"), None);
}

// ---- Redis ----------------------------------------------------------------------

const REDIS_PRIMARY: &str = "2001:db8:7::11";
const REDIS_REPLICA: &str = "2001:db8:7::12";
const REDIS_PASSWORD: &str = "r3dis-secret";

fn redis_conf(me: &str, replicaof: Option<&str>) -> String {
    let mut s = format!(
        "# stackc: Redis of this host\nbind {me}\nport 6380\nprotected-mode yes\nrequirepass \"{REDIS_PASSWORD}\"\nmasterauth \"{REDIS_PASSWORD}\"\nreplica-read-only yes\ndaemonize yes\nsupervised systemd\ndir /var/lib/redis\npidfile /run/redis/redis-server.pid\nlogfile /var/log/redis/redis-server.log\nunixsocket /run/redis/redis-server.sock\n"
    );
    if let Some(p) = replicaof {
        s += &format!("replicaof {p} 6380\n");
    }
    s
}

#[test]
fn redis_replica_syncs_and_promotes() {
    if !can_run(&["redis-server", "redis-cli"], "the Redis harness tests") {
        return;
    }
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let hosts = tmp.path().join("hosts");
    layout(
        &hosts,
        &[
            ("r1/etc/redis/redis.conf", redis_conf(REDIS_PRIMARY, None)),
            (
                "r2/etc/redis/redis.conf",
                redis_conf(REDIS_REPLICA, Some(REDIS_PRIMARY)),
            ),
        ],
    );
    let (ns1, ns2) = Ns::pair(ip(REDIS_PRIMARY), ip(REDIS_REPLICA));
    let mut primary = Redis::start(&ns1, &hosts.join("r1"), &tmp.path().join("w1")).unwrap();
    let mut replica = Redis::start(&ns2, &hosts.join("r2"), &tmp.path().join("w2")).unwrap();
    assert_eq!((primary.addr, primary.port), (ip(REDIS_PRIMARY), 6380));
    assert_eq!(replica.replicaof, Some((REDIS_PRIMARY.to_string(), 6380)));
    let anon = primary.cli_as(None, &["SET", "k", "v"]);
    assert!(
        anon.as_ref().is_err_and(|e| e.contains("NOAUTH")),
        "{anon:?}"
    );
    let wrong = primary.cli_as(Some("guess"), &["PING"]);
    assert!(
        wrong.as_ref().is_err_and(|e| e.contains("WRONGPASS")),
        "{wrong:?}"
    );

    let info = replica
        .wait_synced()
        .unwrap_or_else(|e| panic!("{e}\n{}", replica.log()));
    assert_eq!(info["master_host"], REDIS_PRIMARY);
    assert_eq!(
        primary.info("replication").unwrap()["connected_slaves"],
        "1"
    );
    assert_eq!(primary.cli(&["SET", "greeting", "hello"]).unwrap(), "OK");
    let got = poll(Duration::from_secs(10), || {
        let v = replica.cli(&["GET", "greeting"])?;
        (v == "hello").then_some(()).ok_or(v)
    });
    assert!(got.is_ok(), "{got:?}");
    let ro = replica.cli(&["SET", "greeting", "bye"]);
    assert!(ro.as_ref().is_err_and(|e| e.contains("READONLY")), "{ro:?}");

    replica.promote().unwrap();
    assert_eq!(replica.cli(&["SET", "greeting", "bye"]).unwrap(), "OK");
    assert_eq!(replica.cli(&["GET", "greeting"]).unwrap(), "bye");
    assert_eq!(primary.cli(&["GET", "greeting"]).unwrap(), "hello");
    assert!(
        replica.stop() && primary.stop(),
        "a server did not stop on SIGTERM"
    );
    eprintln!("redis pair: {:?}", start.elapsed());
}

#[test]
fn redis_harness_catches_a_bind_the_host_does_not_own() {
    if !can_run(&["redis-server", "redis-cli"], "the Redis harness tests") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    layout(
        tmp.path(),
        &[("h/etc/redis/redis.conf", redis_conf("10.0.7.99", None))],
    );
    let ns = Ns::new(&[ip("10.0.7.31")]);
    let t = Instant::now();
    let e = Redis::start(&ns, &tmp.path().join("h"), &tmp.path().join("w")).err();
    let e = e.expect("redis started on an address the host does not have");
    assert!(e.contains("ended") && e.contains("10.0.7.99"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

// ---- memcached ------------------------------------------------------------------

#[test]
fn memcached_starts_from_debians_file_on_its_address() {
    if !can_run(
        &["memcached", "perl", daemons::MEMCACHED_WRAPPER],
        "the memcached harness test",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let conf = "# memcached, as Debian's file has it\n-d\nlogfile /var/log/memcached.log\n-m 32\n-p 11212\n-u memcache\n-l 10.0.7.21\n-c 256\n-P /var/run/memcached/memcached.pid\n";
    layout(tmp.path(), &[("h/etc/memcached.conf", conf.to_string())]);
    let ns = Ns::new(&[ip("10.0.7.21")]);
    let mut m = Memcached::start(&ns, &tmp.path().join("h"), &tmp.path().join("w")).unwrap();
    assert_eq!((m.addr, m.port), (ip("10.0.7.21"), 11212));
    assert_eq!(
        m.set_get("stackc", "hello memcached").unwrap(),
        "hello memcached"
    );
    assert_eq!(m.running_user().unwrap(), "memcache");
    let stats = m.talk("stats settings\r\n").unwrap();
    for want in [
        "STAT maxbytes 33554432",
        "STAT maxconns 256",
        "STAT tcpport 11212",
    ] {
        assert!(stats.contains(want), "{want}: {stats}");
    }
    // Only on its address: nothing on the namespace's loopback.
    let lo = ns
        .command("bash")
        .args(["-c", "exec 3<>/dev/tcp/127.0.0.1/11212"])
        .output()
        .unwrap();
    assert!(!lo.status.success(), "memcached answers on 127.0.0.1");
    assert!(m.stop(), "memcached did not stop on SIGTERM");
}

// ---- the live test application ----------------------------------------------------

const APP_HOST: &str = "10.0.8.1";
const DATA_HOST: &str = "10.0.8.2";

/// The live proof's application (`tests/live/app.py`) with a PostgreSQL
/// and a Redis in its environment, as the bundle will write it: one
/// request writes and reads both (the Redis read endpoints begin with one
/// that does not answer); with Redis stopped it answers 503.
#[test]
fn the_live_app_writes_and_reads_postgres_and_redis() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/live/bin/python3");
    let python = python.to_str().unwrap();
    if !postgres_tools("the live application test")
        || !can_run(
            &["redis-server", "redis-cli", "curl", python],
            "the live application test",
        )
    {
        return;
    }
    let ready = std::process::Command::new(python)
        .args(["-c", "import pymysql, pg8000.native, redis"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        assert!(
            !netns::tools_required(),
            "pg8000 and redis-py in target/tools/live are required: run ./scripts/test"
        );
        eprintln!(
            "SKIP: pg8000 or redis-py missing in target/tools/live; ./scripts/test installs them"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    layout(
        &data,
        &[
            (
                "etc/postgresql/15/main/conf.d/stackc.conf",
                pg_conf(DATA_HOST, ""),
            ),
            (
                "etc/postgresql/15/main/pg_hba.conf",
                pg_hba_for(&[APP_HOST]),
            ),
            ("etc/postgresql/stackc/setup.sql", pg_setup()),
            ("etc/redis/redis.conf", redis_conf(DATA_HOST, None)),
        ],
    );
    let (app_ns, data_ns) = Ns::pair(ip(APP_HOST), ip(DATA_HOST));
    let mut pg = Pg::install(&data_ns, &data, &tmp.path().join("pg")).unwrap();
    pg.start().unwrap();
    pg.setup().unwrap();
    let table = "CREATE TABLE live_probe (id bigserial PRIMARY KEY, host varchar(64) NOT NULL, token char(32) NOT NULL)";
    app_sql(&app_ns, DATA_HOST, table).unwrap();
    let mut cache = Redis::start(&data_ns, &data, &tmp.path().join("redis")).unwrap();

    let env = [
        ("BIND", APP_HOST.to_string()),
        ("PORT", "8000".into()),
        ("HEALTH_PATH", "/healthz".into()),
        ("DB_MAIN_KIND", "postgres".into()),
        ("DB_MAIN_WRITE", format!("{DATA_HOST}:5433")),
        ("DB_MAIN_READ", format!("{DATA_HOST}:5433")),
        ("DB_MAIN_NAME", "shop".into()),
        ("DB_MAIN_USER", "shop".into()),
        ("DB_MAIN_PASSWORD", APP_PASSWORD.into()),
        ("REDIS_CACHE_WRITE", format!("{DATA_HOST}:6380")),
        (
            "REDIS_CACHE_READ",
            format!("{DATA_HOST}:6399,{DATA_HOST}:6380"),
        ),
        ("REDIS_CACHE_PASSWORD", REDIS_PASSWORD.into()),
    ];
    let app = common_app(&app_ns, python, &env, &tmp.path().join("app.log"));
    let get = |path: &str| -> Result<String, String> {
        let url = format!("http://{APP_HOST}:8000{path}");
        let mut c = app_ns.command("curl");
        c.args([
            "-q",
            "-sS",
            "--noproxy",
            "*",
            "-m",
            "8",
            "-w",
            " %{http_code}",
            &url,
        ]);
        netns::try_run(&mut c, Duration::from_secs(15))
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let up = poll(Duration::from_secs(15), || {
        let r = get("/healthz")?;
        r.ends_with(" 200").then_some(()).ok_or(r)
    });
    assert!(
        up.is_ok(),
        "{up:?}\n{}",
        fs::read_to_string(tmp.path().join("app.log")).unwrap_or_default()
    );
    let r = get("/").unwrap();
    assert!(
        r.ends_with(" 200"),
        "{r}\n{}",
        fs::read_to_string(tmp.path().join("app.log")).unwrap_or_default()
    );
    assert_eq!(
        pg.sql("shop", "SELECT count(*), min(host) FROM live_probe")
            .unwrap(),
        format!("1|{APP_HOST}")
    );
    let keys = cache.cli(&["KEYS", "live_probe:*"]).unwrap();
    assert_eq!(keys.lines().count(), 1, "{keys}");
    assert_eq!(cache.cli(&["GET", keys.trim()]).unwrap(), APP_HOST);
    // Redis gone: the request fails, and says why.
    assert!(cache.stop());
    let r = get("/").unwrap();
    assert!(r.ends_with(" 503") && r.contains("6380"), "{r}");
    drop(app);
}

/// The application, started in `ns` with exactly this environment.
fn common_app(ns: &Ns, python: &str, env: &[(&str, String)], log: &Path) -> daemons::Daemon {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/app.py");
    let mut c = ns.command(python);
    c.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("-u")
        .arg(app);
    daemons::Daemon::spawn("app", c, log.to_path_buf(), libc::SIGTERM).unwrap()
}

#[test]
fn redis_and_memcached_files_are_read_as_the_daemons_read_them() {
    let d = daemons::redis::directives(
        "# c\nbind 10.0.0.1 -::1\nrequirepass \"p w\"\n  PORT 6380\nreplicaof 10.0.0.2 6379\n",
    );
    let get = |k: &str| d.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("bind").unwrap(), ["10.0.0.1", "-::1"]);
    assert_eq!(get("port").unwrap(), ["6380"]);
    assert_eq!(get("replicaof").unwrap(), ["10.0.0.2", "6379"]);
    assert_eq!(get("requirepass").unwrap(), ["p w"]);
    let d = daemons::redis::directives("masterauth 'it\\'s' \"a\\\"b\"\n");
    assert_eq!(d[0].1, ["it's", "a\"b"]);
    let o = daemons::memcached::options(
        "# Debian\n-d\nlogfile /var/log/memcached.log\n-m 64 # megabytes\n  -l 10.0.0.5\n\n-P /run/m.pid\n",
    );
    let want: Vec<(String, Option<String>)> = [
        ("-d", None),
        ("-m", Some("64")),
        ("-l", Some("10.0.0.5")),
        ("-P", Some("/run/m.pid")),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
    .collect();
    assert_eq!(o, want);
}
