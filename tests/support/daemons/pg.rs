//! PostgreSQL 15 from a host's bundle files: a fresh cluster made as
//! Debian's `pg_createcluster` makes one, the bundle's files over it, the
//! server started, its own checks asked (`postgres -C`,
//! `pg_hba_file_rules`), the primary's setup SQL run, a replica made by
//! `pg_basebackup` as the replication user, streaming seen on both sides,
//! promotion by `pg_promote()`.
//!
//! A replica on Debian, as this harness makes it and a playbook would:
//! `primary_conninfo` goes in the conf.d file, in `/etc` with every other
//! setting the bundle manages (the file then holds the replication
//! password: mode 0600, owned by postgres). `postgresql.auto.conf` is
//! `ALTER SYSTEM`'s file in the data directory and beats conf.d, so
//! `pg_basebackup` runs without `-R` (which would write its own
//! `primary_conninfo` there). `standby.signal` is an empty file in the
//! data directory (`/var/lib/postgresql/15/main/standby.signal`), put
//! there after the base backup, which needs an empty directory. Both
//! places are accepted here; the conf.d one is what Debian users expect.

use super::{as_user, chown, copy, find, output, poll, read, secs, workdir, Daemon, Place};
use super::{PG_BIN, PG_ETC};
use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A host's PostgreSQL files in the bundle's layout (module comment of
/// `daemons.rs`).
#[derive(Clone, Debug)]
pub struct PgFiles {
    /// `etc/postgresql/15/main/conf.d/*.conf`
    pub conf_d: Vec<PathBuf>,
    /// `etc/postgresql/15/main/pg_hba.conf`
    pub hba: PathBuf,
    /// The one `*.sql` under `etc/postgresql/` (the primary's set-up).
    pub setup_sql: Option<PathBuf>,
    /// A `standby.signal` anywhere in the host's files: a replica.
    pub standby: Option<PathBuf>,
    /// A `postgresql.auto.conf` anywhere in the host's files (it goes into
    /// the data directory).
    pub auto_conf: Option<PathBuf>,
}

impl PgFiles {
    pub fn of(host: &Path) -> Result<PgFiles, String> {
        let etc = host.join(PG_ETC);
        let conf_d = find(&etc.join("conf.d"), &|n| n.ends_with(".conf"));
        if conf_d.is_empty() {
            return Err(format!("{}: no conf.d/*.conf", etc.display()));
        }
        let hba = etc.join("pg_hba.conf");
        if !hba.is_file() {
            return Err(format!("{}: missing", hba.display()));
        }
        let mut sql = find(&host.join("etc/postgresql"), &|n| n.ends_with(".sql"));
        if sql.len() > 1 {
            return Err(format!("more than one setup SQL: {sql:?}"));
        }
        let one = |name: &'static str| find(host, &move |n| n == name).into_iter().next();
        Ok(PgFiles {
            conf_d,
            hba,
            setup_sql: sql.pop(),
            standby: one("standby.signal"),
            auto_conf: one("postgresql.auto.conf"),
        })
    }
}

/// One PostgreSQL host: its cluster in `work`, the server once started.
pub struct Pg<P: Place> {
    place: P,
    pub files: PgFiles,
    pub work: PathBuf,
    /// What Debian has in `/etc/postgresql/15/main`.
    pub conf: PathBuf,
    pub data: PathBuf,
    /// Socket directory and pid file, as the place sees it. A caller may
    /// change it before `start` (the live deployment: `/run/postgresql`,
    /// the host's own `/run`, where Debian's `psql` in a bundle's script
    /// looks), having made it there, owned by postgres.
    pub run: PathBuf,
    /// The port the config gives.
    pub port: u16,
    daemon: Option<Daemon>,
}

impl<P: Place> Pg<P> {
    /// A fresh cluster with the host's files installed, not started; its
    /// configuration checked by `postgres -C` (which loads every file).
    pub fn install(place: P, host: &Path, work: &Path) -> Result<Pg<P>, String> {
        let files = PgFiles::of(host)?;
        workdir(work)?;
        let conf = work.join(PG_ETC);
        let (data, run) = (work.join("data"), work.join("run"));
        fs::create_dir_all(conf.join("conf.d")).map_err(|e| e.to_string())?;
        fs::create_dir_all(&run).map_err(|e| e.to_string())?;
        chown(work, "postgres")?;
        output(
            as_user(&place, "postgres", &format!("{PG_BIN}/initdb"))
                .args([
                    "--no-sync",
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                ])
                .args(["--encoding=UTF8", "--locale=C.UTF-8", "--username=postgres"])
                .arg("-D")
                .arg(&data),
            secs(60),
        )
        .map_err(|e| format!("{}: initdb: {e}", place.label()))?;
        // pg_createcluster: the config files go to /etc, conf.d included.
        for f in ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"] {
            fs::rename(data.join(f), conf.join(f)).map_err(|e| e.to_string())?;
        }
        let main = conf.join("postgresql.conf");
        let mut text = read(&main)?;
        text += "\n# Added by pg_createcluster (as Debian does)\ninclude_dir = 'conf.d'\n";
        fs::write(&main, text).map_err(|e| e.to_string())?;
        for f in &files.conf_d {
            copy(f, &conf.join("conf.d").join(f.file_name().unwrap()))?;
        }
        copy(&files.hba, &conf.join("pg_hba.conf"))?;
        chown(work, "postgres")?;
        let mut pg = Pg {
            place,
            files,
            work: work.to_path_buf(),
            conf,
            data,
            run,
            port: 0,
            daemon: None,
        };
        let port = pg.setting("port")?;
        pg.port = port
            .parse()
            .map_err(|_| format!("postgres -C port: {port:?}"))?;
        Ok(pg)
    }

    /// `postgres` with the paths of this test (which beat every file).
    fn postgres(&self) -> Command {
        let mut c = as_user(&self.place, "postgres", &format!("{PG_BIN}/postgres"));
        let conf = self.conf.display();
        for (k, v) in [
            ("config_file", format!("{conf}/postgresql.conf")),
            ("data_directory", self.data.display().to_string()),
            ("hba_file", format!("{conf}/pg_hba.conf")),
            ("ident_file", format!("{conf}/pg_ident.conf")),
            (
                "external_pid_file",
                self.run.join("15-main.pid").display().to_string(),
            ),
            ("unix_socket_directories", self.run.display().to_string()),
        ] {
            c.arg("-c").arg(format!("{k}={v}"));
        }
        c
    }

    /// A setting as the server reads its files (`postgres -C NAME`, which
    /// fails on any error in them).
    pub fn setting(&self, name: &str) -> Result<String, String> {
        output(self.postgres().args(["-C", name]), secs(30))
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("{}: postgres -C {name}: {e}", self.place.label()))
    }

    /// Starts the server; waits until it answers; checks `pg_hba_file_rules`
    /// has no error.
    pub fn start(&mut self) -> Result<(), String> {
        let log = self.work.join("postgres.log");
        self.daemon = Some(Daemon::spawn(
            "postgres",
            self.postgres(),
            log,
            libc::SIGINT,
        )?);
        // An ended server is an answer at once (`Ok(Err)` stops the poll).
        poll(secs(30), || match self.daemon.as_mut().unwrap().alive() {
            Err(e) => Ok(Err(e)),
            Ok(()) => self.sql("postgres", "SELECT 1").map(Ok),
        })
        .and_then(|r| r)
        .map_err(|e| format!("{}: postgres does not answer: {e}", self.place.label()))?;
        let errors = self.hba_errors()?;
        if !errors.is_empty() {
            return Err(format!("{}: pg_hba.conf: {errors}", self.place.label()));
        }
        Ok(())
    }

    /// The errors `pg_hba_file_rules` sees in the pg_hba.conf on disk now
    /// (`LINE: ERROR`, one a line; empty when none).
    pub fn hba_errors(&self) -> Result<String, String> {
        self.sql(
            "postgres",
            "SELECT line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL",
        )
    }

    /// A fast shutdown; whether it ended within 10 s.
    pub fn stop(&mut self) -> bool {
        self.daemon.take().is_none_or(|mut d| d.stop())
    }

    /// The server's output.
    pub fn log(&self) -> String {
        self.daemon.as_ref().map(Daemon::tail).unwrap_or_default()
    }

    /// `psql` as the postgres user on the socket (peer authentication, as
    /// a Debian admin runs it): the unaligned rows.
    pub fn sql(&self, db: &str, sql: &str) -> Result<String, String> {
        let mut c = as_user(&self.place, "postgres", &format!("{PG_BIN}/psql"));
        c.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.run)
            .args(["-p", &self.port.to_string(), "-d", db, "-c", sql]);
        output(&mut c, secs(30)).map(|s| s.trim().to_string())
    }

    /// The environment a bundle's script needs to reach this server with
    /// the default `psql` (`PGHOST`, `PGPORT`).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("PGHOST".into(), self.run.display().to_string()),
            ("PGPORT".into(), self.port.to_string()),
        ]
    }

    /// A script of the bundle (a keepalived notify script) run as root in
    /// the place, with `env()`.
    pub fn script(&self, script: &Path) -> Result<Output, String> {
        crate::netns::try_run(
            self.place.command("sh").arg(script).envs(self.env()),
            secs(60),
        )
    }

    /// Runs the primary's setup SQL as the playbook does (`psql -f`, as
    /// postgres).
    pub fn setup(&self) -> Result<(), String> {
        let sql = self.files.setup_sql.as_ref().ok_or("no setup SQL")?;
        let copy_of = self.work.join("setup.sql");
        copy(sql, &copy_of)?;
        chown(&copy_of, "postgres")?;
        let mut c = as_user(&self.place, "postgres", &format!("{PG_BIN}/psql"));
        c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.run)
            .args(["-p", &self.port.to_string(), "-d", "postgres", "-f"])
            .arg(&copy_of);
        output(&mut c, secs(60))
            .map(drop)
            .map_err(|e| format!("{}: {}: {e}", self.place.label(), sql.display()))
    }

    /// The replica's `primary_conninfo`: from the config files, or from
    /// the bundle's `postgresql.auto.conf`.
    pub fn primary_conninfo(&self) -> Result<String, String> {
        if let Some(auto) = &self.files.auto_conf {
            if let Some(v) = conf_value(&read(auto)?, "primary_conninfo") {
                return Ok(v);
            }
        }
        let v = self.setting("primary_conninfo")?;
        if v.is_empty() {
            return Err(format!("{}: no primary_conninfo", self.place.label()));
        }
        Ok(v)
    }

    /// A replica's data, as the playbook makes it on Debian: the packaged
    /// cluster's data directory emptied, `pg_basebackup` from the primary
    /// as the replication user of `primary_conninfo`, then the bundle's
    /// `standby.signal` (and `postgresql.auto.conf`) into it.
    pub fn base_backup(&mut self) -> Result<(), String> {
        if self.daemon.as_mut().is_some_and(|d| d.alive().is_ok()) {
            return Err(format!("{}: the server runs", self.place.label()));
        }
        let conninfo = self.primary_conninfo()?;
        let standby = self
            .files
            .standby
            .as_ref()
            .ok_or_else(|| format!("{}: no standby.signal", self.place.label()))?;
        fs::remove_dir_all(&self.data).map_err(|e| e.to_string())?;
        fs::create_dir(&self.data).map_err(|e| e.to_string())?;
        fs::set_permissions(&self.data, fs::Permissions::from_mode(0o700))
            .map_err(|e| e.to_string())?;
        chown(&self.data, "postgres")?;
        output(
            as_user(&self.place, "postgres", &format!("{PG_BIN}/pg_basebackup"))
                .arg("-d")
                .arg(&conninfo)
                .arg("-D")
                .arg(&self.data)
                .args(["-X", "stream", "-c", "fast", "--no-sync", "-w"]),
            secs(60),
        )
        .map_err(|e| format!("{}: pg_basebackup: {e}", self.place.label()))?;
        copy(standby, &self.data.join("standby.signal"))?;
        if let Some(auto) = &self.files.auto_conf {
            copy(auto, &self.data.join("postgresql.auto.conf"))?;
        }
        chown(&self.data, "postgres")
    }

    /// `(client_addr, state)` of each standby the primary sends to.
    pub fn senders(&self) -> Result<Vec<(String, String)>, String> {
        let rows = self.sql(
            "postgres",
            "SELECT client_addr, state FROM pg_stat_replication",
        )?;
        Ok(rows
            .lines()
            .filter_map(|l| l.split_once('|'))
            .map(|(a, s)| (a.to_string(), s.to_string()))
            .collect())
    }

    /// Waits until the primary streams to a standby at `addr`.
    pub fn wait_sending_to(&self, addr: IpAddr) -> Result<(), String> {
        poll(secs(30), || {
            let rows = self.senders()?;
            match rows
                .iter()
                .any(|(a, s)| a == &addr.to_string() && s == "streaming")
            {
                true => Ok(()),
                false => Err(format!("pg_stat_replication: {rows:?}")),
            }
        })
        .map_err(|e| format!("{}: not streaming to {addr}: {e}", self.place.label()))
    }

    /// Waits until this standby's WAL receiver streams from `primary`.
    pub fn wait_receiving_from(&self, primary: IpAddr) -> Result<(), String> {
        poll(secs(30), || {
            let row = self.sql(
                "postgres",
                "SELECT status || '|' || sender_host FROM pg_stat_wal_receiver",
            )?;
            match row == format!("streaming|{primary}") {
                true => Ok(()),
                false => Err(format!("pg_stat_wal_receiver: {row:?}")),
            }
        })
        .map_err(|e| format!("{}: not receiving from {primary}: {e}", self.place.label()))
    }

    pub fn in_recovery(&self) -> Result<bool, String> {
        Ok(self.sql("postgres", "SELECT pg_is_in_recovery()")? == "t")
    }

    /// `SELECT pg_promote()`, then waits until it is out of recovery.
    pub fn promote(&self) -> Result<(), String> {
        let got = self.sql("postgres", "SELECT pg_promote(true, 30)")?;
        if got != "t" {
            return Err(format!("{}: pg_promote() gave {got:?}", self.place.label()));
        }
        poll(secs(30), || match self.in_recovery()? {
            false => Ok(()),
            true => Err("still in recovery".into()),
        })
    }
}

impl<P: Place> Drop for Pg<P> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `psql` from `place` to `addr:port` over TCP as `user` with `password`
/// (scram-sha-256 through the host lines of pg_hba.conf): the unaligned
/// rows, or why not.
pub fn client(
    place: &dyn Place,
    (addr, port): (IpAddr, u16),
    (user, password): (&str, &str),
    db: &str,
    sql: &str,
) -> Result<String, String> {
    let mut c = place.command(&format!("{PG_BIN}/psql"));
    c.env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "3")
        .args(["-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-d"])
        .arg(format!(
            "host={addr} port={port} user={user} dbname={db} sslmode=disable"
        ))
        .args(["-c", sql]);
    output(&mut c, secs(30)).map(|s| s.trim().to_string())
}

/// The value of `name = '...'` in a PostgreSQL config text (the last one
/// wins, as in the server), unquoted.
pub fn conf_value(text: &str, name: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !rest.starts_with(|c: char| c == '=' || c.is_whitespace()) {
            continue;
        }
        let rest = rest.trim_start();
        let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
        if let Some(q) = rest.strip_prefix('\'') {
            let (mut v, mut chars) = (String::new(), q.chars().peekable());
            while let Some(c) = chars.next() {
                match c {
                    '\'' if chars.peek() == Some(&'\'') => {
                        chars.next();
                        v.push('\'');
                    }
                    '\'' => break,
                    '\\' => v.extend(chars.next()),
                    c => v.push(c),
                }
            }
            found = Some(v);
        } else {
            found = rest.split_whitespace().next().map(str::to_string);
        }
    }
    found
}
