//! memcached from a host's `etc/memcached.conf` (Debian's format: one
//! option per line), started by Debian's own
//! `systemd-memcached-wrapper FILE` as the packaged unit starts it, and
//! spoken to in its text protocol on its address.

use super::{copy, output, poll, read, secs, workdir, Daemon, Place};
use super::{MEMCACHED_CONF, MEMCACHED_WRAPPER};
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The options of a Debian memcached.conf, as the wrapper reads them:
/// comments and blank lines dropped, one `-X VALUE` (or `-X`) per line;
/// lines that do not start with `-` (`logfile ...`) are not options.
pub fn options(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| l.starts_with('-'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((o, v)) => (o.to_string(), Some(v.trim().to_string())),
            None => (l.to_string(), None),
        })
        .collect()
}

/// One memcached host, started.
pub struct Memcached<P: Place> {
    place: P,
    pub work: PathBuf,
    /// The first address of `-l`.
    pub addr: IpAddr,
    pub port: u16,
    /// `-u`
    pub user: Option<String>,
    daemon: Option<Daemon>,
}

impl<P: Place> Memcached<P> {
    /// Starts memcached from the host's file through Debian's wrapper (the
    /// file's `-P` pid file redirected into `work`); waits until it answers
    /// `version` on its address.
    pub fn start(place: P, host: &Path, work: &Path) -> Result<Memcached<P>, String> {
        let file = host.join(MEMCACHED_CONF);
        let text = read(&file)?;
        let opts = options(&text);
        let last = |o: &str| {
            opts.iter()
                .rev()
                .find(|(k, _)| k == o)
                .and_then(|(_, v)| v.clone())
        };
        let listen = last("-l").ok_or_else(|| format!("{}: no -l", file.display()))?;
        let first = listen.split(',').next().unwrap_or("").trim();
        let addr: IpAddr = first
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{}: -l {listen}", file.display()))?;
        let port = match last("-p") {
            Some(p) => p.parse().map_err(|_| format!("-p {p}"))?,
            None => 11211,
        };
        workdir(work)?;
        let conf = work.join("memcached.conf");
        let pid = work.join("memcached.pid");
        let redirected: String = text
            .lines()
            .map(|l| match l.trim_start().starts_with("-P") {
                true => format!("-P {}\n", pid.display()),
                false => format!("{l}\n"),
            })
            .collect();
        copy(&file, &conf)?;
        fs::write(&conf, redirected).map_err(|e| e.to_string())?;
        let mut cmd = place.command(MEMCACHED_WRAPPER);
        cmd.arg(&conf);
        let label = place.label();
        let log = work.join("memcached.log");
        let mut m = Memcached {
            place,
            work: work.to_path_buf(),
            addr,
            port,
            user: last("-u"),
            daemon: Some(Daemon::spawn("memcached", cmd, log, libc::SIGTERM)?),
        };
        poll(secs(10), || {
            if let Err(e) = m.daemon.as_mut().unwrap().alive() {
                return Ok(Err(e));
            }
            let v = m.talk("version\r\n")?;
            match v.starts_with("VERSION ") {
                true => Ok(Ok(())),
                false => Err(format!("version: {v:?}")),
            }
        })
        .and_then(|r| r)
        .map_err(|e| format!("{label}: memcached does not answer: {e}"))?;
        Ok(m)
    }

    /// Sends `input` (text protocol lines) to its address from inside the
    /// place, then `quit`; what it answered.
    pub fn talk(&self, input: &str) -> Result<String, String> {
        let script = "exec 3<>\"/dev/tcp/$1/$2\" || exit 1; printf '%s' \"$3\" >&3; cat <&3";
        let mut c = self.place.command("bash");
        c.args(["-c", script, "bash", &self.addr.to_string()])
            .arg(self.port.to_string())
            .arg(format!("{input}quit\r\n"));
        output(&mut c, secs(10))
    }

    /// `set KEY` to `value`, then `get KEY`: the value read back.
    pub fn set_get(&self, key: &str, value: &str) -> Result<String, String> {
        let got = self.talk(&format!(
            "set {key} 0 60 {}\r\n{value}\r\nget {key}\r\n",
            value.len()
        ))?;
        let lines: Vec<&str> = got.split("\r\n").collect();
        match lines.as_slice() {
            ["STORED", header, v, "END", ..] if header.starts_with(&format!("VALUE {key} ")) => {
                Ok(v.to_string())
            }
            _ => Err(format!("set/get {key}: {got:?}")),
        }
    }

    /// The user it runs as, from `/proc`.
    pub fn running_user(&self) -> Result<String, String> {
        let pid = self.daemon.as_ref().ok_or("stopped")?.pid();
        let status = read(Path::new(&format!("/proc/{pid}/status")))?;
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            .ok_or("no Uid")?
            .to_string();
        output(
            std::process::Command::new("id").args(["-nu", &uid]),
            secs(5),
        )
        .map(|s| s.trim().to_string())
    }

    /// The server's output.
    pub fn log(&self) -> String {
        self.daemon.as_ref().map(Daemon::tail).unwrap_or_default()
    }

    pub fn stop(&mut self) -> bool {
        self.daemon.take().is_none_or(|mut d| d.stop())
    }
}
