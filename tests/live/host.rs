//! A host of a live deployment: a network namespace plus a PID namespace
//! whose init is a `sleep`. The host's daemons run inside it, see the
//! host's files at their real paths (`/etc/netns/NS/X` over `/etc/X`,
//! mounted by `ip netns exec`) and a `/run`, `/var/log`, `/var/lib/mysql`
//! and `/var/www` of their own (bind mounts in the host's private mount
//! namespace). Killing the init kills every process of the host at once,
//! and the kernel reaps them: a crash, with nothing left behind.

use crate::daemons::{Pg, Place, Redis};
use crate::netns::{host_prefix, ok, try_run, Ns};
use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const KEEPALIVED_CONF: &str = "/etc/keepalived/keepalived.conf";

/// A host of the bundle's manifest.
#[derive(Clone, Debug)]
pub struct HostInfo {
    pub name: String,
    pub address: IpAddr,
    pub vip: Option<IpAddr>,
    pub zone: Option<String>,
}

/// The hosts of a bundle, in the manifest's order.
pub fn manifest_hosts(bundle: &Path) -> Vec<HostInfo> {
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    m["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| HostInfo {
            name: h["name"].as_str().unwrap().to_string(),
            address: h["address"].as_str().unwrap().parse().unwrap(),
            vip: h["vip"].as_str().map(|v| v.parse().unwrap()),
            zone: h["zone"].as_str().map(str::to_string),
        })
        .collect()
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Where the daemons' harness (`tests/support/daemons.rs`) runs a host's
/// commands: inside the host (its network, mount and PID namespaces).
pub struct InHost {
    init: u32,
    name: String,
}

impl Place for InHost {
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.args([
            "-t",
            &self.init.to_string(),
            "-n",
            "-m",
            "-p",
            "--",
            program,
        ]);
        c
    }
    fn label(&self) -> String {
        self.name.clone()
    }
}

/// One host: its network namespace, its bridge port and its init.
pub struct Host {
    pub info: HostInfo,
    pub ns: Ns,
    /// The peer of its `eth0`, in the bridge namespace.
    pub port: String,
    /// Its files (`run/`, `log/`, `mysql/`, `www/`, `out/`: daemons' output;
    /// `pg/`, `redis/`: the work directories of the daemons' harness).
    pub dir: PathBuf,
    /// Its files in the bundle (`hosts/NAME`).
    pub bundle: PathBuf,
    /// `unshare`, parent of the init; `None` once crashed.
    pub unshare: Option<Child>,
    pub init: u32,
    /// Processes started on the host (`nsenter`, parent of each daemon).
    pub daemons: Vec<(String, Child)>,
    /// PostgreSQL and Redis, started by the daemons' harness
    /// (`tests/support/daemons.rs`), which stops them by PID when dropped.
    pub pg: Option<Pg<InHost>>,
    pub redis: Option<Redis<InHost>>,
}

impl Host {
    /// The host, as a place of the daemons' harness.
    pub fn place(&self) -> InHost {
        InHost {
            init: self.init,
            name: self.info.name.clone(),
        }
    }

    /// A command run inside the host (its network, mount and PID namespaces).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("nsenter");
        c.args(["-t", &self.init.to_string(), "-n", "-m", "-p", "--"])
            .args(args);
        c
    }

    pub fn exec(&self, args: &[&str], limit: Duration) -> Result<Output, String> {
        try_run(&mut self.cmd(args), limit)
    }

    /// Runs until success or `limit`; the error says what it last printed.
    pub fn wait_ok(&self, args: &[&str], limit: Duration, what: &str) -> Result<(), String> {
        let mut last = String::new();
        let ok = wait_until(limit, || {
            last = match self.exec(args, secs(10)) {
                Ok(o) if o.status.success() => return true,
                Ok(o) => format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => e,
            };
            false
        });
        ok.map_err(|_| {
            format!(
                "{}: {what} not within {limit:?}: {}\n{}",
                self.info.name,
                last.trim(),
                self.logs()
            )
        })
    }

    /// Starts a daemon on the host, its output in `out/NAME.log`.
    pub fn spawn(&mut self, name: &str, args: &[&str], env: Option<&BTreeMap<String, String>>) {
        let log = fs::File::create(self.dir.join("out").join(format!("{name}.log"))).unwrap();
        let mut c = self.cmd(args);
        if let Some(env) = env {
            c.env_clear()
                .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
                .envs(env);
        }
        let child = c
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start {name}: {e}", self.info.name));
        self.daemons.push((name.to_string(), child));
    }

    /// A file of the host, as the host sees it.
    pub fn file(&self, real: &str) -> PathBuf {
        self.ns.etc().join(real.trim_start_matches("/etc/"))
    }

    pub fn has(&self, real: &str) -> bool {
        self.file(real).is_file()
    }

    /// The last lines of every daemon's output.
    pub fn logs(&self) -> String {
        let mut s = String::new();
        let files = self
            .daemons
            .iter()
            .map(|(name, _)| {
                (
                    name.clone(),
                    self.dir.join("out").join(format!("{name}.log")),
                )
            })
            .chain([
                (
                    "nginx error.log".to_string(),
                    self.dir.join("log/nginx/error.log"),
                ),
                ("postgres".to_string(), self.dir.join("pg/postgres.log")),
                ("redis-server".to_string(), self.dir.join("redis/redis.log")),
            ]);
        for (name, path) in files {
            let Ok(text) = fs::read_to_string(path) else {
                continue;
            };
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(8)..];
            s += &format!("--- {} {name}:\n{}\n", self.info.name, tail.join("\n"));
        }
        s
    }

    pub fn holds(&self, vip: IpAddr) -> bool {
        let out = try_run(
            Command::new("ip").args(["-n", &self.ns.name, "-o", "addr", "show", "dev", "eth0"]),
            secs(10),
        )
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
        out.contains(&format!(" {} ", host_prefix(vip)))
    }

    /// Kills every process of the host (the init, so the whole PID
    /// namespace), and reaps what the test started.
    pub fn kill(&mut self) {
        if let Some(mut u) = self.unshare.take() {
            let _ = try_run(
                Command::new("kill").args(["-9", &self.init.to_string()]),
                secs(10),
            );
            reap(&mut u);
        }
        for (_, c) in &mut self.daemons {
            reap(c);
        }
        // Their processes are gone with the init: the harness only reaps.
        self.pg = None;
        self.redis = None;
    }
}

/// Waits for a child that should be ending; kills it after 5 s.
pub fn reap(c: &mut Child) {
    let start = Instant::now();
    while start.elapsed() < secs(5) {
        if let Ok(Some(_)) = c.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = c.kill();
    let _ = c.wait();
}

/// `chown USER:USER PATH`.
pub fn chown(path: &Path, user: &str) {
    ok(
        Command::new("chown")
            .arg(format!("{user}:{user}"))
            .arg(path),
        "chown",
    );
}

/// Copies a bundle host's files into its `/etc` overlay, keeping modes.
pub fn place_tree(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dst).unwrap();
            place_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
            fs::set_permissions(&dst, fs::metadata(&src).unwrap().permissions()).unwrap();
        }
    }
}

/// Words after `word` in a config (`crt X`, `root X;`, `priority N`).
pub fn after(text: &str, word: &str) -> Vec<String> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    toks.windows(2)
        .filter(|w| w[0] == word)
        .map(|w| w[1].trim_end_matches(';').to_string())
        .collect()
}

/// systemd's reading of an `EnvironmentFile`.
pub fn env_file(path: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

impl Drop for Host {
    fn drop(&mut self) {
        // Then its namespace, which kills what is left inside it.
        self.kill();
    }
}

/// The host's init: PID 1 of a new PID namespace, inside the host's
/// network namespace, with the host's own directories mounted.
pub fn start_init(h: &mut Host) -> Result<(), String> {
    let mut script = String::from("set -e\n");
    let mut args = vec![];
    for (i, (target, sub)) in [
        ("/run", "run"),
        ("/var/log", "log"),
        ("/var/lib/mysql", "mysql"),
        ("/var/www", "www"),
    ]
    .iter()
    .enumerate()
    {
        script += &format!(
            "if [ -d {target} ]; then mount --bind \"${}\" {target}; fi\n",
            i + 1
        );
        args.push(h.dir.join(sub));
    }
    script += "exec sleep 1800\n";
    let err = fs::File::create(h.dir.join("out/init.log")).unwrap();
    let child = Command::new("ip")
        .args(["netns", "exec", &h.ns.name])
        .args(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"])
        .args(["sh", "-c", &script, "sh"])
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .map_err(|e| format!("{}: unshare: {e}", h.info.name))?;
    let pid = child.id();
    h.unshare = Some(child);
    // The init is unshare's child; it is ready once it has become `sleep`.
    let start = Instant::now();
    loop {
        let children =
            fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        if let Some(init) = children.split_whitespace().next() {
            let comm = fs::read_to_string(format!("/proc/{init}/comm")).unwrap_or_default();
            if comm.trim() == "sleep" {
                h.init = init.parse().unwrap();
                return Ok(());
            }
        }
        if let Some(Ok(Some(st))) = h.unshare.as_mut().map(Child::try_wait) {
            return Err(format!(
                "{}: the host's init ended ({st}): {}",
                h.info.name,
                fs::read_to_string(h.dir.join("out/init.log")).unwrap_or_default()
            ));
        }
        if start.elapsed() > secs(10) {
            return Err(format!("{}: the host's init did not start", h.info.name));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls `f` every 100 ms until it holds; an error past `limit`.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> Result<(), ()> {
    let start = Instant::now();
    // Bounded in count too: one try per 100 ms of the limit, and one more.
    for _ in 0..=limit.as_millis() / 100 {
        if f() {
            return Ok(());
        }
        if start.elapsed() > limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(())
}

/// keepalived, once what its checks probe answers.
pub fn start_keepalived(h: &mut Host) -> Result<(), String> {
    let conf = fs::read_to_string(h.file(KEEPALIVED_CONF)).unwrap();
    for l in conf.lines() {
        if let Some(s) = l.trim().strip_prefix("script \"") {
            let s = s.trim_end_matches('"');
            h.wait_ok(&["sh", "-c", s], secs(20), &format!("check `{s}`"))?;
        }
    }
    h.spawn(
        "keepalived",
        &["keepalived", "-n", "-l", "-D", "-f", KEEPALIVED_CONF],
        None,
    );
    Ok(())
}
