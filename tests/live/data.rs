//! The data tier of a live deployment, brought up as a playbook run would:
//!
//! - MariaDB from the bundle's `conf.d` file and setup SQL (the primaries
//!   first: accounts, databases; then each replica's `CHANGE MASTER`);
//! - PostgreSQL 15 and Redis through the daemons' harness
//!   (`tests/support/daemons.rs`), run inside the host (`InHost`): a fresh
//!   cluster as Debian makes one with the bundle's `conf.d` file and
//!   `pg_hba.conf`, the primary's setup SQL, each replica a base backup
//!   of its primary as the replication user of its `primary_conninfo`;
//!   `redis-server` with the bundle's `redis.conf` (its paths in the
//!   host's work directory), each replica seen synced;
//!
//! then the test application's table in every database (owned by its
//! owner, so that the application can write it), and keepalived on the
//! members of `failover=auto` groups, the primaries a second ahead so that
//! they win the first election. The bundle's notify scripts (promotion on
//! takeover) run as the bundle wrote them: the host's own
//! `/run/postgresql` is the socket directory of its PostgreSQL, where
//! Debian's `psql` looks.

use crate::daemons::pg::{self, PgFiles};
use crate::daemons::{redis, Pg, Redis};
use crate::host::{chown, secs, start_keepalived, wait_until, Host, InHost, KEEPALIVED_CONF};
use std::fs;
use std::net::IpAddr;
use std::time::Instant;

/// The test application's table (tests/live/app.py).
pub const TABLE: &str = "live_probe";
pub const MYSQL_CNF: &str = "/etc/mysql/mariadb.conf.d/60-stackc.cnf";
const SETUP_SQL: &str = "/etc/mysql/stackc/setup.sql";
/// The test's own MariaDB settings (deploy.rs, module comment).
pub const MARIADB_MACHINE: &str = "# stackc live test: what this machine gives every MariaDB host\n[mysqld]\ninnodb_log_file_size = 8M\ninnodb_buffer_pool_size = 32M\n";
const PG_HBA: &str = "/etc/postgresql/15/main/pg_hba.conf";
const REDIS_CONF: &str = "/etc/redis/redis.conf";

/// The data store a host runs, by the files the bundle gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Mariadb,
    Postgres,
    Redis,
}

pub fn store(h: &Host) -> Option<Store> {
    if h.has(SETUP_SQL) {
        Some(Store::Mariadb)
    } else if h.has(PG_HBA) {
        Some(Store::Postgres)
    } else if h.has(REDIS_CONF) {
        Some(Store::Redis)
    } else {
        None
    }
}

/// Whether the bundle makes the host a replica.
pub fn is_replica(h: &Host) -> bool {
    let text = |real: &str| fs::read_to_string(h.file(real)).unwrap_or_default();
    match store(h) {
        Some(Store::Mariadb) => text(SETUP_SQL).contains("CHANGE MASTER"),
        Some(Store::Postgres) => pg_conninfo(h).is_some(),
        Some(Store::Redis) => redis::directives(&text(REDIS_CONF))
            .iter()
            .any(|(k, _)| k == "replicaof" || k == "slaveof"),
        None => false,
    }
}

/// A replica's `primary_conninfo`, from the bundle's files (a `conf.d`
/// file, or a `postgresql.auto.conf`).
fn pg_conninfo(h: &Host) -> Option<String> {
    let files = PgFiles::of(&h.bundle).ok()?;
    files
        .conf_d
        .iter()
        .chain(&files.auto_conf)
        .filter_map(|f| fs::read_to_string(f).ok())
        .filter_map(|t| pg::conf_value(&t, "primary_conninfo"))
        .find(|v| !v.is_empty())
}

/// The value of `key=` in a libpq connection string.
fn conninfo_value(conninfo: &str, key: &str) -> Option<String> {
    conninfo
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim_matches('\'').to_string())
}

impl Host {
    /// `mariadb -e SQL` on the host: the rows, tab-separated.
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        let o = self.exec(
            &["mariadb", "--batch", "--skip-column-names", "-e", sql],
            secs(20),
        )?;
        if o.status.success() {
            Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&o.stderr).into_owned())
        }
    }

    fn pg(&self) -> &Pg<InHost> {
        self.pg.as_ref().expect("PostgreSQL runs on the host")
    }

    /// Whether the store takes writes (after a promotion, say).
    pub fn writable(&self) -> bool {
        match store(self) {
            Some(Store::Mariadb) => {
                self.sql("SELECT @@global.read_only").ok().as_deref() == Some("0")
            }
            Some(Store::Postgres) => {
                self.pg
                    .as_ref()
                    .and_then(|pg| {
                        pg.sql(
                            "postgres",
                            "SELECT pg_is_in_recovery()::text || ' ' || current_setting('default_transaction_read_only')",
                        )
                        .ok()
                    })
                    .as_deref()
                    == Some("false off")
            }
            Some(Store::Redis) => self
                .redis
                .as_ref()
                .and_then(|r| r.info("replication").ok())
                .is_some_and(|i| i.get("role").map(String::as_str) == Some("master")),
            None => false,
        }
    }
}

/// What the primaries' bring-up leaves for the replicas'.
#[derive(Default)]
pub struct Primaries {
    /// When keepalived started on them.
    started: Option<Instant>,
    /// The MariaDB databases their setup SQL made.
    mariadb: Vec<String>,
}

/// Starts each host's store: `mariadbd`; a PostgreSQL cluster (a
/// replica's is made now and replaced by its base backup later); a Redis
/// primary, then its replicas. On each primary, the bundle's setup SQL and the test
/// application's table; then keepalived on the primaries of
/// `failover=auto` groups, whose first election (a few seconds) runs while
/// the other tiers start. (keepalived starts as a backup, whose notify
/// script makes the server read-only until it takes the vip: the setup
/// comes first, as a playbook runs it.)
pub fn start_primaries(hosts: &mut [Host]) -> Result<Primaries, String> {
    for h in hosts.iter_mut() {
        match store(h) {
            Some(Store::Mariadb) => h.spawn("mariadbd", &["mariadbd", "--user=mysql"], None),
            Some(Store::Postgres) => {
                // The socket where the notify scripts' `psql` looks: the
                // host's own /run/postgresql.
                let run = h.dir.join("run/postgresql");
                fs::create_dir_all(&run).map_err(|e| e.to_string())?;
                chown(&run, "postgres");
                let mut pg = Pg::install(h.place(), &h.bundle, &h.dir.join("pg"))?;
                pg.run = "/run/postgresql".into();
                if !is_replica(h) {
                    pg.start()?;
                }
                h.pg = Some(pg);
            }
            Some(Store::Redis) if !is_replica(h) => {
                h.redis = Some(Redis::start(h.place(), &h.bundle, &h.dir.join("redis"))?);
            }
            Some(Store::Redis) | None => {}
        }
    }
    let mut up = Primaries::default();
    for h in hosts.iter() {
        match store(h) {
            Some(Store::Mariadb) => {
                h.wait_ok(
                    &["mysqladmin", "--connect-timeout=1", "ping"],
                    secs(30),
                    "mariadbd answers",
                )?;
                if !is_replica(h) {
                    up.mariadb.extend(mariadb_primary(h)?);
                }
            }
            Some(Store::Postgres) if !is_replica(h) => pg_primary(h)?,
            _ => {}
        }
    }
    for h in hosts.iter_mut() {
        if store(h).is_some() && !is_replica(h) && h.has(KEEPALIVED_CONF) {
            start_keepalived(h)?;
            up.started.get_or_insert_with(Instant::now);
        }
    }
    // Redis replicas now: their first sync (Redis waits a few seconds for
    // more replicas before a diskless one) runs while the rest starts.
    for h in hosts.iter_mut() {
        if store(h) == Some(Store::Redis) && is_replica(h) {
            h.redis = Some(Redis::start(h.place(), &h.bundle, &h.dir.join("redis"))?);
        }
    }
    Ok(up)
}

/// Each replica from the bundle: MariaDB's `CHANGE MASTER`, PostgreSQL's
/// base backup, Redis's `replicaof`, each seen replicating; then
/// keepalived on the replicas of a `failover=auto` group, a second at
/// least after the primaries'.
pub fn start_replicas(hosts: &mut [Host], primaries: &Primaries) -> Result<(), String> {
    let databases = &primaries.mariadb;
    for i in 0..hosts.len() {
        if !is_replica(&hosts[i]) {
            continue;
        }
        match store(&hosts[i]) {
            Some(Store::Mariadb) => mariadb_replica(&hosts[i], databases)?,
            Some(Store::Postgres) => pg_replica(hosts, i)?,
            Some(Store::Redis) => {
                let h = &hosts[i];
                h.redis
                    .as_ref()
                    .expect("started by start_primaries")
                    .wait_synced()
                    .map_err(|e| format!("{e}\n{}", h.logs()))?;
            }
            None => {}
        }
    }
    if let Some(t) = primaries.started {
        std::thread::sleep(secs(1).saturating_sub(t.elapsed()));
    }
    for h in hosts.iter_mut() {
        if store(h).is_some() && is_replica(h) && h.has(KEEPALIVED_CONF) {
            start_keepalived(h)?;
        }
    }
    Ok(())
}

/// The setup SQL of a MariaDB primary, and the table in each database it
/// creates; those databases.
fn mariadb_primary(h: &Host) -> Result<Vec<String>, String> {
    source(h, SETUP_SQL)?;
    let mut databases = vec![];
    let sql = fs::read_to_string(h.file(SETUP_SQL)).unwrap();
    for l in sql.lines() {
        if let Some(db) = l
            .strip_prefix("CREATE DATABASE IF NOT EXISTS `")
            .and_then(|r| r.strip_suffix("`;"))
        {
            h.sql(&format!("CREATE TABLE IF NOT EXISTS `{db}`.{TABLE} (id BIGINT AUTO_INCREMENT PRIMARY KEY, host VARCHAR(64) NOT NULL, token CHAR(32) NOT NULL, KEY (token))"))
                .map_err(|e| format!("{}: {e}", h.info.name))?;
            databases.push(db.to_string());
        }
    }
    Ok(databases)
}

/// A MariaDB replica: its setup SQL (`CHANGE MASTER`), then the tables
/// seen replicated.
fn mariadb_replica(h: &Host, databases: &[String]) -> Result<(), String> {
    source(h, SETUP_SQL)?;
    for db in databases {
        let q = format!(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{db}' AND table_name = '{TABLE}'"
        );
        wait_until(secs(20), || h.sql(&q).ok().as_deref() == Some("1")).map_err(|_| {
            format!(
                "{}: does not replicate {db}: {:?}",
                h.info.name,
                h.sql("SHOW SLAVE STATUS\\G")
            )
        })?;
    }
    Ok(())
}

/// The databases of a PostgreSQL server but its own, with their owners.
fn pg_databases(pg: &Pg<InHost>) -> Result<Vec<(String, String)>, String> {
    Ok(pg
        .sql(
            "postgres",
            "SELECT datname || '|' || pg_get_userbyid(datdba) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY 1",
        )?
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(d, o)| (d.to_string(), o.to_string()))
        .collect())
}

/// A PostgreSQL primary: the bundle's setup SQL, then the test
/// application's table in each database, created as its owner.
fn pg_primary(h: &Host) -> Result<(), String> {
    let pg = h.pg();
    pg.setup()?;
    let dbs = pg_databases(pg)?;
    if dbs.is_empty() {
        return Err(format!("{}: the setup SQL made no database", h.info.name));
    }
    for (db, owner) in dbs {
        pg.sql(
            &db,
            &format!("SET ROLE \"{owner}\"; CREATE TABLE IF NOT EXISTS {TABLE} (id BIGSERIAL PRIMARY KEY, host VARCHAR(64) NOT NULL, token CHAR(32) NOT NULL); CREATE INDEX IF NOT EXISTS {TABLE}_token ON {TABLE} (token)"),
        )
        .map_err(|e| format!("{}: {db}: {e}", h.info.name))?;
    }
    Ok(())
}

/// A PostgreSQL replica (`hosts[i]`): once the address its
/// `primary_conninfo` names answers (a vip: once it is held), a base
/// backup as the replication user, started, seen streaming, the tables
/// there.
fn pg_replica(hosts: &mut [Host], i: usize) -> Result<(), String> {
    let conninfo = pg_conninfo(&hosts[i]).unwrap_or_default();
    let name = hosts[i].info.name.clone();
    let source: IpAddr = conninfo_value(&conninfo, "host")
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("{name}: primary_conninfo without a host address: {conninfo}"))?;
    let vip_of = |h: &Host| h.info.vip == Some(source);
    if hosts.iter().any(vip_of) {
        wait_until(secs(15), || hosts.iter().any(|h| h.holds(source))).map_err(|_| {
            let theirs: String = hosts.iter().filter(|h| vip_of(h)).map(Host::logs).collect();
            format!("{name}: nobody holds {source}, which it replicates from\n{theirs}")
        })?;
    }
    let h = &mut hosts[i];
    let script = script_touching_standby_signal(h);
    let empty = h.dir.join("standby.signal");
    let pg = h.pg.as_mut().expect("installed by start_servers");
    if pg.files.standby.is_none() && script {
        // The bundle's replica set-up script makes it: an empty file.
        fs::write(&empty, "").map_err(|e| e.to_string())?;
        pg.files.standby = Some(empty);
    }
    pg.base_backup()?;
    pg.start()?;
    pg.wait_receiving_from(source)?;
    let pg = h.pg();
    for (db, _) in pg_databases(pg)? {
        let q = format!("SELECT to_regclass('{TABLE}') IS NOT NULL");
        wait_until(secs(20), || pg.sql(&db, &q).ok().as_deref() == Some("t"))
            .map_err(|_| format!("{name}: {db}.{TABLE} is not there"))?;
    }
    Ok(())
}

/// Whether one of the host's PostgreSQL files (a replica set-up script)
/// writes the `standby.signal` that the bundle does not carry as a file.
fn script_touching_standby_signal(h: &Host) -> bool {
    fn walk(dir: &std::path::Path) -> bool {
        fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p)
            } else {
                fs::read_to_string(&p).is_ok_and(|t| t.contains("standby.signal"))
            }
        })
    }
    walk(&h.bundle.join("etc/postgresql"))
}

/// `mariadb < FILE` on the host, as the playbook runs the setup SQL.
fn source(h: &Host, real: &str) -> Result<(), String> {
    let o = h.exec(
        &["sh", "-c", &format!("mariadb --batch < '{real}'")],
        secs(30),
    )?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {real}: {}",
            h.info.name,
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}
