//! Redis from a host's `etc/redis/redis.conf`: started as the redis user
//! on the addresses it binds, reached with its password, a replica seen
//! synced (`master_link_status:up`), promoted by `REPLICAOF NO ONE`.

use super::{as_user, chown, copy, output, poll, read, secs, workdir, Daemon, Place, REDIS_CONF};
use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The directives of a redis.conf: lower-cased name, then its arguments
/// (unquoted as Redis does: `"..."` with backslash escapes, `'...'`), in
/// file order.
pub fn directives(text: &str) -> Vec<(String, Vec<String>)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut words = split_args(l).into_iter();
            Some((words.next()?.to_lowercase(), words.collect()))
        })
        .collect()
}

/// A line's words, as Redis's `sdssplitargs` reads them (the common
/// escapes; `\xHH` is kept as written).
fn split_args(line: &str) -> Vec<String> {
    let (mut words, mut chars) = (vec![], line.chars().peekable());
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return words;
        };
        let mut w = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('n') => w.push('\n'),
                        Some('t') => w.push('\t'),
                        Some(e) => w.push(e),
                        None => {}
                    },
                    c if c == first => break,
                    c => w.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                w.push(c);
            }
        }
        words.push(w);
    }
}

/// One Redis host, started.
pub struct Redis<P: Place> {
    place: P,
    pub work: PathBuf,
    /// The first address of `bind` (a leading `-`, "optional", dropped); the
    /// clients of `cli` go there (a caller may point them at another
    /// address the server listens on, e.g. a vip).
    pub addr: IpAddr,
    pub port: u16,
    /// `requirepass`
    pub password: Option<String>,
    /// `replicaof HOST PORT`
    pub replicaof: Option<(String, u16)>,
    daemon: Option<Daemon>,
}

impl<P: Place> Redis<P> {
    /// Starts `redis-server` with the host's redis.conf (paths redirected
    /// into `work`, `daemonize no`) as the redis user, and waits until it
    /// answers `PING` with the password.
    pub fn start(place: P, host: &Path, work: &Path) -> Result<Redis<P>, String> {
        let file = host.join(REDIS_CONF);
        let d = directives(&read(&file)?);
        let last = |name: &str| d.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        let addr = last("bind")
            .and_then(|v| v.first())
            .ok_or_else(|| format!("{}: no bind", file.display()))?;
        // `*` / `::*` (every address): the client goes to the unspecified
        // address, which is the local host.
        let addr: IpAddr = match addr.trim_start_matches('-') {
            "*" => IpAddr::from([0, 0, 0, 0]),
            "::*" => IpAddr::from([0u16; 8]),
            a => a
                .parse()
                .map_err(|_| format!("{}: bind {addr}", file.display()))?,
        };
        let port = match last("port").and_then(|v| v.first()) {
            Some(p) => p.parse().map_err(|_| format!("port {p}"))?,
            None => 6379,
        };
        let password = last("requirepass").and_then(|v| v.first()).cloned();
        let replicaof = match last("replicaof").or(last("slaveof")) {
            Some(v) if v.len() == 2 => Some((
                v[0].clone(),
                v[1].parse().map_err(|_| format!("replicaof {v:?}"))?,
            )),
            Some(v) => return Err(format!("replicaof {v:?}")),
            None => None,
        };
        workdir(work)?;
        let (conf, data) = (work.join("redis.conf"), work.join("data"));
        copy(&file, &conf)?;
        fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        chown(work, "redis")?;
        let mut cmd = as_user(&place, "redis", "redis-server");
        cmd.arg(&conf)
            .args(["--daemonize", "no", "--supervised", "no", "--dir"])
            .arg(&data)
            .arg("--pidfile")
            .arg(work.join("redis.pid"))
            .args(["--logfile", ""]);
        if last("unixsocket").is_some() {
            cmd.arg("--unixsocket").arg(work.join("redis.sock"));
        }
        let label = place.label();
        let log = work.join("redis.log");
        let mut r = Redis {
            place,
            work: work.to_path_buf(),
            addr,
            port,
            password,
            replicaof,
            daemon: Some(Daemon::spawn("redis-server", cmd, log, libc::SIGTERM)?),
        };
        poll(secs(20), || {
            if let Err(e) = r.daemon.as_mut().unwrap().alive() {
                return Ok(Err(e));
            }
            match r.cli(&["PING"])?.as_str() {
                "PONG" => Ok(Ok(())),
                other => Err(format!("PING: {other}")),
            }
        })
        .and_then(|r| r)
        .map_err(|e| format!("{label}: redis-server does not answer: {e}"))?;
        Ok(r)
    }

    /// `redis-cli` on its address with its password; the reply, or the
    /// error reply as an error.
    pub fn cli(&self, args: &[&str]) -> Result<String, String> {
        self.cli_as(self.password.as_deref(), args)
    }

    /// `redis-cli` on its address with this password (or none).
    pub fn cli_as(&self, password: Option<&str>, args: &[&str]) -> Result<String, String> {
        let mut c = self.place.command("redis-cli");
        c.args(["-e", "--no-auth-warning", "-h", &self.addr.to_string()])
            .args(["-p", &self.port.to_string()]);
        if let Some(p) = password {
            c.env("REDISCLI_AUTH", p);
        }
        output(c.args(args), secs(10)).map(|s| s.trim().to_string())
    }

    /// `INFO SECTION` as a map.
    pub fn info(&self, section: &str) -> Result<BTreeMap<String, String>, String> {
        Ok(self
            .cli(&["INFO", section])?
            .lines()
            .filter_map(|l| l.trim().split_once(':'))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    /// Waits until this replica's link to its primary is up and synced.
    pub fn wait_synced(&self) -> Result<BTreeMap<String, String>, String> {
        poll(secs(30), || {
            let i = self.info("replication")?;
            let up = i.get("role").map(String::as_str) == Some("slave")
                && i.get("master_link_status").map(String::as_str) == Some("up")
                && i.get("master_sync_in_progress").map(String::as_str) == Some("0");
            match up {
                true => Ok(i),
                false => Err(format!("INFO replication: {i:?}")),
            }
        })
        .map_err(|e| format!("{}: not synced: {e}", self.place.label()))
    }

    /// `REPLICAOF NO ONE`, then waits until it says it is a master.
    pub fn promote(&self) -> Result<(), String> {
        let got = self.cli(&["REPLICAOF", "NO", "ONE"])?;
        if got != "OK" {
            return Err(format!("REPLICAOF NO ONE: {got}"));
        }
        poll(secs(10), || {
            let i = self.info("replication")?;
            match i.get("role").map(String::as_str) {
                Some("master") => Ok(()),
                r => Err(format!("role {r:?}")),
            }
        })
    }

    /// The server's output.
    pub fn log(&self) -> String {
        self.daemon.as_ref().map(Daemon::tail).unwrap_or_default()
    }

    /// Stops it; whether it ended within 10 s of SIGTERM.
    pub fn stop(&mut self) -> bool {
        self.daemon.take().is_none_or(|mut d| d.stop())
    }
}
