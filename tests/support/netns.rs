//! Programs run bounded in time, and the network namespaces the tests that
//! run real daemons use (`bundle_checks.rs`, `live/`). Shared with `#[path]`.
//!
//! Network safety: a namespace made here has no default route and is only
//! joined to other namespaces made here; dropping an `Ns` kills the
//! processes inside it (and only those) and deletes it.
#![allow(dead_code)]

use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---- running programs, bounded in time --------------------------------------

/// Runs a command to its end, killing it (and failing) past `limit`.
pub fn run(cmd: &mut Command, limit: Duration) -> Output {
    try_run(cmd, limit).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a command to its end; an error when it cannot start or when it
/// takes more than `limit` (it is then killed).
pub fn try_run(cmd: &mut Command, limit: Duration) -> Result<Output, String> {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    // Drain the pipes while waiting, or a talkative child blocks.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{cmd:?} took more than {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Output {
        status,
        stdout: t1.join().expect("stdout reader"),
        stderr: t2.join().expect("stderr reader"),
    })
}

/// Runs a command that must succeed within a minute; its output.
pub fn ok(cmd: &mut Command, what: &str) -> String {
    let out = run(cmd, Duration::from_secs(60));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what}: {cmd:?} failed:\n{text}");
    text
}

pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

/// Whether CI or STACKC_REQUIRE_TOOLS asks missing tools to fail the tests.
pub fn tools_required() -> bool {
    ["CI", "STACKC_REQUIRE_TOOLS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"))
}

/// Root, for network namespaces: like a missing tool, its absence fails the
/// test under CI / STACKC_REQUIRE_TOOLS and skips it otherwise (`what` says
/// which test).
pub fn require_root(what: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(!tools_required(), "{what} need root (network namespaces)");
    eprintln!("SKIP: {what} need root (network namespaces)");
    false
}

// ---- network namespaces ---------------------------------------------------------

static NS_COUNT: AtomicUsize = AtomicUsize::new(0);

/// A network namespace and its `/etc/netns/NAME` overlay (`ip netns exec`
/// mounts `/etc/netns/NAME/X` over `/etc/X`). Dropping it kills the
/// processes inside it and deletes both.
pub struct Ns {
    pub name: String,
}

impl Ns {
    /// A namespace with only `lo`, up, named `stackc{pid}-{n}`.
    pub fn bare() -> Ns {
        Ns::named(format!(
            "stackc{}-{}",
            std::process::id(),
            NS_COUNT.fetch_add(1, Ordering::SeqCst)
        ))
    }

    /// A namespace with only `lo`, up, with this name (which the caller
    /// makes unique to its run).
    pub fn named(name: String) -> Ns {
        let ns = Ns { name };
        fs::create_dir_all(ns.etc()).unwrap();
        ok(Command::new("ip").args(["netns", "add", &ns.name]), "netns");
        ok(
            Command::new("ip").args(["-n", &ns.name, "link", "set", "lo", "up"]),
            "lo up",
        );
        ns
    }

    /// Two namespaces joined by a veth pair, each end `eth0` with one
    /// address and a route to the other: a private two-host network.
    pub fn pair(a: IpAddr, b: IpAddr) -> (Ns, Ns) {
        let (na, nb) = (Ns::bare(), Ns::bare());
        ok(
            Command::new("ip").args([
                "link", "add", "stkveth0", "netns", &na.name, "type", "veth", "peer", "name",
                "stkveth1", "netns", &nb.name,
            ]),
            "veth pair",
        );
        for (ns, dev, mine, other) in [(&na, "stkveth0", a, b), (&nb, "stkveth1", b, a)] {
            // No duplicate address detection: an IPv6 address is usable
            // (a daemon can bind it) at once.
            let nodad = if mine.is_ipv6() { " nodad" } else { "" };
            ns.batch(&[
                format!("link set {dev} name eth0"),
                "link set eth0 up".into(),
                format!("addr add {} dev eth0{nodad}", host_prefix(mine)),
                format!("route add {} dev eth0", host_prefix(other)),
            ]);
        }
        (na, nb)
    }

    /// A namespace whose `eth0` holds these addresses, with no peer.
    pub fn new(addrs: &[IpAddr]) -> Ns {
        let ns = Ns::bare();
        // No `dummy` link type here: a veth pair inside the namespace.
        let mut cmds = vec![
            "link add eth0 type veth peer name eth1".to_string(),
            "link set eth0 up".into(),
            "link set eth1 up".into(),
        ];
        for a in addrs {
            let nodad = if a.is_ipv6() { " nodad" } else { "" };
            cmds.push(format!("addr add {} dev eth0{nodad}", host_prefix(*a)));
        }
        ns.batch(&cmds);
        ns
    }

    /// Runs `ip` commands in this namespace, in one process.
    pub fn batch(&self, cmds: &[String]) {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        for c in cmds {
            writeln!(file, "{c}").unwrap();
        }
        file.flush().unwrap();
        ok(
            Command::new("ip")
                .args(["-n", &self.name, "-batch"])
                .arg(file.path()),
            &format!("ip -n {} -batch", self.name),
        );
    }

    /// What the namespace sees as `/etc`.
    pub fn etc(&self) -> PathBuf {
        PathBuf::from("/etc/netns").join(&self.name)
    }

    /// `ip netns exec NAME args...`, which must succeed within a minute.
    pub fn exec(&self, args: &[&str], what: &str) -> String {
        ok(
            Command::new("ip")
                .args(["netns", "exec", &self.name])
                .args(args),
            what,
        )
    }

    /// The processes inside the namespace.
    pub fn pids(&self) -> Vec<u32> {
        try_run(
            Command::new("ip").args(["netns", "pids", &self.name]),
            Duration::from_secs(10),
        )
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        // Only processes inside this namespace, which the test made.
        for pid in self.pids() {
            let _ = try_run(
                Command::new("kill").args(["-9", &pid.to_string()]),
                Duration::from_secs(10),
            );
        }
        let _ = try_run(
            Command::new("ip").args(["netns", "del", &self.name]),
            Duration::from_secs(30),
        );
        let _ = fs::remove_dir_all(self.etc());
    }
}

/// `A/32` or `A/128`.
pub fn host_prefix(a: IpAddr) -> String {
    if a.is_ipv4() {
        format!("{a}/32")
    } else {
        format!("{a}/128")
    }
}

// ---- files ----------------------------------------------------------------------

/// A self-signed certificate for these DNS names, and its key, in one PEM.
pub fn self_signed(names: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (key, crt) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let san = names
        .iter()
        .map(|n| format!("DNS:{n}"))
        .collect::<Vec<_>>()
        .join(",");
    ok(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN={}", names[0]),
                "-addext",
                &format!("subjectAltName={san}"),
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&crt),
        "openssl",
    );
    let mut pem = fs::read(&crt).unwrap();
    pem.extend(fs::read(&key).unwrap());
    pem
}

/// A self-signed certificate and its key in one PEM, made once.
pub fn test_pem() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| self_signed(&["stackc-test"]))
}

/// `cp -a FROM TO`.
pub fn copy_dir(from: &Path, to: &Path) {
    ok(
        Command::new("cp").arg("-a").arg(from).arg(to),
        &format!("copy {}", from.display()),
    );
}
