//! RabbitMQ from a host's `etc/rabbitmq/rabbitmq.conf`, started by Debian's
//! `/usr/lib/rabbitmq/bin/rabbitmq-server` as its systemd unit does
//! (`RUNNING_UNDER_SYSTEMD`: the script execs the Erlang VM, so the child's
//! PID is the broker's), and spoken to with the opening of AMQP 0-9-1 on
//! the address of `listeners.tcp.default`.
//!
//! Only paths are redirected (the node's database, logs, plugins file and
//! `HOME` for the Erlang cookie, all in the work directory); the Erlang
//! port mapper runs as its own daemon in the place, in the foreground, so
//! that it is stopped with the broker.

use super::{copy, output, poll, read, secs, workdir, Daemon, Place};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

pub const RABBITMQ_CONF: &str = "etc/rabbitmq/rabbitmq.conf";
pub const RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// The value of `key` in a new-style rabbitmq.conf (`key = value`), the
/// last one written.
pub fn setting(text: &str, key: &str) -> Option<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .next_back()
}

/// One RabbitMQ host, started.
pub struct Rabbitmq<P: Place> {
    place: P,
    pub work: PathBuf,
    /// Where `listeners.tcp.default` says it takes AMQP.
    pub listen: SocketAddr,
    epmd: Option<Daemon>,
    daemon: Option<Daemon>,
}

impl<P: Place> Rabbitmq<P> {
    /// Starts the broker from the host's file; waits (at most 60 s: the
    /// Erlang VM boots in about 5) until it opens an AMQP connection on its
    /// listener.
    pub fn start(place: P, host: &Path, work: &Path) -> Result<Rabbitmq<P>, String> {
        let file = host.join(RABBITMQ_CONF);
        let text = read(&file)?;
        // `IP:PORT`, an IPv6 address without brackets: split at the last
        // colon, as cuttlefish's `ip` type does.
        let value = setting(&text, "listeners.tcp.default")
            .ok_or_else(|| format!("{}: no listeners.tcp.default", file.display()))?;
        let listen = value
            .rsplit_once(':')
            .and_then(|(ip, port)| Some(SocketAddr::new(ip.parse().ok()?, port.parse().ok()?)))
            .ok_or_else(|| format!("{}: listeners.tcp.default = {value}", file.display()))?;
        workdir(work)?;
        let conf = work.join("rabbitmq.conf");
        copy(&file, &conf)?;
        let plugins = work.join("enabled_plugins");
        std::fs::write(&plugins, "[].\n").map_err(|e| e.to_string())?;
        let label = place.label();
        let mut epmd = place.command("epmd");
        epmd.arg("-address").arg("127.0.0.1");
        let mut epmd = Daemon::spawn("epmd", epmd, work.join("epmd.log"), libc::SIGTERM)?;
        // Up before the broker, or the VM starts a port mapper of its own
        // that would outlive the test.
        poll(secs(10), || {
            epmd.alive()?;
            output(place.command("epmd").arg("-names"), secs(5))
        })
        .map_err(|e| format!("{label}: epmd: {e}"))?;
        let mut cmd = place.command("env");
        cmd.arg(format!("HOME={}", work.display()))
            .arg("RUNNING_UNDER_SYSTEMD=true")
            .arg(format!("RABBITMQ_CONFIG_FILE={}", conf.display()))
            .arg(format!(
                "RABBITMQ_MNESIA_BASE={}",
                work.join("mnesia").display()
            ))
            .arg(format!("RABBITMQ_LOG_BASE={}", work.join("log").display()))
            .arg(format!(
                "RABBITMQ_ENABLED_PLUGINS_FILE={}",
                plugins.display()
            ))
            .arg("RABBITMQ_NODENAME=rabbit@localhost")
            .arg("ERL_EPMD_ADDRESS=127.0.0.1")
            .arg(format!(
                "ERL_CRASH_DUMP={}",
                work.join("erl_crash.dump").display()
            ))
            .arg(RABBITMQ_SERVER);
        let mut r = Rabbitmq {
            place,
            work: work.to_path_buf(),
            listen,
            epmd: Some(epmd),
            daemon: Some(Daemon::spawn(
                "rabbitmq-server",
                cmd,
                work.join("rabbitmq.log"),
                libc::SIGTERM,
            )?),
        };
        poll(secs(60), || {
            if let Err(e) = r.daemon.as_mut().unwrap().alive() {
                return Ok(Err(e));
            }
            r.hello(r.listen).map(Ok)
        })
        .and_then(|x| x)
        .map_err(|e| {
            let logs: String = std::fs::read_dir(work.join("log"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|f| std::fs::read_to_string(f.path()).ok())
                .collect();
            let tail: Vec<&str> = logs.lines().rev().take(15).collect();
            format!(
                "{label}: RabbitMQ does not answer on {listen}: {e}\n{}\n{}",
                r.log(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        })?;
        Ok(r)
    }

    /// Opens AMQP 0-9-1 at `at` from inside the place: the start of the
    /// broker's `connection.start`, or why not.
    pub fn hello(&self, at: SocketAddr) -> Result<String, String> {
        let script = "exec 3<>\"/dev/tcp/$1/$2\" || exit 1; printf 'AMQP\\000\\000\\011\\001' >&3; timeout 5 head -c 64 <&3 | tr -c '[:print:]' '.'";
        let mut c = self.place.command("bash");
        let ip: IpAddr = at.ip();
        c.args(["-c", script, "bash", &ip.to_string()])
            .arg(at.port().to_string());
        let got = output(&mut c, secs(10))?;
        // A method frame on channel 0 (`connection.start`, class 10 method
        // 10, version 0-9) whose server properties open with
        // `capabilities`.
        match got.starts_with("....") && got.contains("capabilities") {
            true => Ok(got),
            false => Err(format!("no connection.start: {got:?}")),
        }
    }

    /// The broker's output.
    pub fn log(&self) -> String {
        self.daemon.as_ref().map(Daemon::tail).unwrap_or_default()
    }

    pub fn stop(&mut self) -> bool {
        let broker = self.daemon.take().is_none_or(|mut d| d.stop());
        let _ = self.epmd.take().map(|mut d| d.stop());
        broker
    }
}

impl<P: Place> Drop for Rabbitmq<P> {
    fn drop(&mut self) {
        self.stop();
    }
}
