//! PostgreSQL 15, Redis and memcached started for real from one host's
//! bundle files, inside a place that owns the host's address (a network
//! namespace of `netns.rs`, or a host of the live deployment): the proof
//! that what `stackc bundle` writes for the roles `postgres`, `redis` and
//! `memcached` is accepted and works. Shared with `#[path]`; the including
//! crate also includes `netns.rs` as `mod netns`.
//!
//! A host's files are read in the bundle's layout (`hosts/<server>/`):
//!
//! - postgres: `etc/postgresql/15/main/conf.d/*.conf`,
//!   `etc/postgresql/15/main/pg_hba.conf`, the primary's setup SQL (the one
//!   `*.sql` file under `etc/postgresql/`), and on a replica a
//!   `standby.signal` (at its real path, `var/lib/postgresql/15/main/`, or
//!   anywhere in the host's files) with `primary_conninfo` in the conf.d
//!   file or in a `postgresql.auto.conf`.
//! - redis: `etc/redis/redis.conf`.
//! - memcached: `etc/memcached.conf`.
//!
//! What a packaged install gives a real host comes from this machine, as
//! Debian makes it: a cluster is `initdb`ed (as `pg_createcluster` does,
//! `--auth-local peer --auth-host scram-sha-256`), its `postgresql.conf`
//! and `pg_ident.conf` moved to the config directory, `include_dir =
//! 'conf.d'` appended, and the bundle's files put in place over Debian's.
//! memcached is started by Debian's own
//! `/usr/share/memcached/scripts/systemd-memcached-wrapper FILE`, which
//! turns the file into arguments as the packaged unit does.
//!
//! The test redirects only paths, never settings: PostgreSQL's data
//! directory, config directory, socket directory and pid file (on the
//! command line, which beats every file), Redis's `dir`, `pidfile`,
//! `logfile` and `unixsocket` (arguments after the file, which beat it) and
//! `daemonize no`, memcached's `-P` pid file; all in the caller's work
//! directory. Every daemon runs as its Debian user (postgres, redis,
//! memcache) and is stopped by its PID when dropped; every wait is bounded.
#![allow(dead_code)]

use crate::netns::{try_run, Ns};
use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
pub const PG_ETC: &str = "etc/postgresql/15/main";
pub const REDIS_CONF: &str = "etc/redis/redis.conf";
pub const MEMCACHED_CONF: &str = "etc/memcached.conf";
pub const MEMCACHED_WRAPPER: &str = "/usr/share/memcached/scripts/systemd-memcached-wrapper";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// ---- where a host's commands run --------------------------------------------

/// A place that owns a host's addresses: commands made here run inside it.
/// The daemons own theirs (`Pg<P>`...): a borrowed `&Ns` in a test, or a
/// small handle of the live deployment's host (its init's PID, for
/// `nsenter`), so that they can be stored beside the hosts.
pub trait Place {
    /// `program`, to run inside the place.
    fn command(&self, program: &str) -> Command;
    /// Its name, for messages.
    fn label(&self) -> String;
}

impl<T: Place + ?Sized> Place for &T {
    fn command(&self, program: &str) -> Command {
        (**self).command(program)
    }
    fn label(&self) -> String {
        (**self).label()
    }
}

impl Place for Ns {
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }
    fn label(&self) -> String {
        self.name.clone()
    }
}

/// `program` inside `place` as a Debian system user (`setpriv`, which
/// execs: the child's PID is the program's).
fn as_user(place: &dyn Place, user: &str, program: &str) -> Command {
    let mut c = place.command("setpriv");
    c.args([
        &format!("--reuid={user}"),
        &format!("--regid={user}"),
        "--init-groups",
        "--",
        program,
    ]);
    c
}

/// Whether the programs are there (a name on PATH or an absolute path).
/// When one is not: under `CI` or `STACKC_REQUIRE_TOOLS` the test fails;
/// otherwise it prints a skip line and the caller returns early.
pub fn require(programs: &[&str], what: &str) -> bool {
    let found = |p: &str| {
        let exec = |path: &Path| {
            fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        };
        if p.starts_with('/') {
            return exec(Path::new(p));
        }
        std::env::var_os("PATH")
            .is_some_and(|ps| std::env::split_paths(&ps).any(|d| exec(&d.join(p))))
    };
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !found(p)).collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !crate::netns::tools_required(),
        "{what}: {missing:?} required (CI or STACKC_REQUIRE_TOOLS is set) but not installed: run ./scripts/test, which installs them"
    );
    eprintln!("SKIP: {what}: {missing:?} not installed; ./scripts/test installs them (set STACKC_REQUIRE_TOOLS=1 to fail instead)");
    false
}

/// The output of a command that must succeed within `limit`, or why not.
fn output(cmd: &mut Command, limit: Duration) -> Result<String, String> {
    let o: Output = try_run(cmd, limit)?;
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    if o.status.success() {
        Ok(out)
    } else {
        Err(format!("{cmd:?}: {}\n{out}{err}", o.status))
    }
}

/// Polls `f` every 100 ms until it gives `Some`, at most `limit` (and
/// one try per 100 ms of it); the last error otherwise.
pub fn poll<T>(limit: Duration, mut f: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let start = Instant::now();
    let mut last = String::from("never tried");
    for _ in 0..=limit.as_millis() / 100 {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
        if start.elapsed() > limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("not within {limit:?}: {last}"))
}

fn chown(path: &Path, user: &str) -> Result<(), String> {
    output(
        Command::new("chown")
            .arg("-R")
            .arg(format!("{user}:{user}"))
            .arg(path),
        secs(10),
    )
    .map(drop)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

/// The files under `dir` (recursively) whose name satisfies `f`, sorted.
fn find(dir: &Path, f: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut v = vec![];
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(find(&p, f));
        } else if f(&e.file_name().to_string_lossy()) {
            v.push(p);
        }
    }
    v.sort();
    v
}

/// A daemon started for a test: stopped by its PID when dropped (`stop`
/// first, then SIGKILL after 10 s); its output in `log`.
pub struct Daemon {
    pub name: String,
    child: Child,
    pub log: PathBuf,
    stop: libc::c_int,
}

impl Daemon {
    pub fn spawn(
        name: &str,
        mut cmd: Command,
        log: PathBuf,
        stop: libc::c_int,
    ) -> Result<Self, String> {
        let file = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({cmd:?}): {e}"))?;
        Ok(Daemon {
            name: name.to_string(),
            child,
            log,
            stop,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error when it has ended, with its output.
    pub fn alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(st)) => Err(format!("{} ended ({st}):\n{}", self.name, self.tail())),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// The last lines it printed.
    pub fn tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Stops it (bounded); whether it ended by itself before the SIGKILL.
    pub fn stop(&mut self) -> bool {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return true;
        }
        // SAFETY: a signal to our own child, which has not been reaped.
        unsafe { libc::kill(self.child.id() as libc::pid_t, self.stop) };
        let start = Instant::now();
        while start.elapsed() < secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `ADDR:PORT`, with brackets for IPv6.
pub fn endpoint(addr: IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// The work directory, made and opened to the daemons' users.
fn workdir(work: &Path) -> Result<(), String> {
    fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    fs::set_permissions(work, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
}

#[path = "daemons/memcached.rs"]
pub mod memcached;
#[path = "daemons/pg.rs"]
pub mod pg;
#[path = "daemons/redis.rs"]
pub mod redis;

pub use memcached::Memcached;
pub use pg::Pg;
pub use redis::Redis;
