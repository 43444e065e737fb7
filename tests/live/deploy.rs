//! One deployment of a bundle on this machine: a network namespace per host
//! of the stack, joined by a bridge that lives in a namespace of its own, a
//! namespace running `named` with the bundle's zones, and a client
//! namespace. Each host runs its daemons from the bundle's files, at their
//! real paths.
//!
//! A host is a network namespace plus a PID namespace whose init is a
//! `sleep`: the host's daemons run inside it, see the host's files at their
//! real paths (`/etc/netns/NS/X` over `/etc/X`, mounted by `ip netns exec`)
//! and a `/run`, `/var/log`, `/var/lib/mysql` and `/var/www` of their own
//! (bind mounts in the host's private mount namespace). Killing the init
//! kills every process of the host at once, and the kernel reaps them: a
//! crash, with nothing left behind.
//!
//! What a packaged install gives a real host comes from this machine: the
//! Debian `/etc/nginx` and `/etc/mysql` (the bundle's files go on top, and
//! Debian's default site goes, as the playbook does), a TLS certificate
//! where the bundle expects one, and one file of the test's own for
//! MariaDB, `55-stackc-live.cnf`: a small InnoDB log, so that a datadir
//! made once is copied in a few milliseconds.
//!
//! Network safety: no namespace has a default route, only a route per
//! address of the test network; the root namespace has no link to it.

use crate::netns::{copy_dir, host_prefix, ok, try_run, Ns};
use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// What every deployment of a run shares.
pub struct Kit {
    /// The Python of the virtualenv that has PyMySQL.
    pub python: PathBuf,
    /// tests/live/app.py
    pub app: PathBuf,
    /// A MariaDB datadir made once by `mariadb-install-db`, owned by mysql.
    pub datadir: PathBuf,
    /// Certificate and key (one PEM) for the names the client asks for.
    pub pem: Vec<u8>,
    /// The certificate alone, for `curl --cacert`.
    pub ca: PathBuf,
    /// The address of the DNS server and of the client, outside the stack's.
    pub dns: IpAddr,
    pub client: IpAddr,
}

pub const TABLE: &str = "live_probe";
const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
const NGINX_CONF: &str = "/etc/nginx/conf.d/stackc.conf";
const KEEPALIVED_CONF: &str = "/etc/keepalived/keepalived.conf";
const MYSQL_CNF: &str = "/etc/mysql/mariadb.conf.d/60-stackc.cnf";
const SETUP_SQL: &str = "/etc/mysql/stackc/setup.sql";
/// The test's own MariaDB settings (see the module comment).
const MARIADB_MACHINE: &str = "# stackc live test: what this machine gives every MariaDB host\n[mysqld]\ninnodb_log_file_size = 8M\ninnodb_buffer_pool_size = 32M\n";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// One host: its network namespace, its bridge port and its init.
pub struct Host {
    pub info: HostInfo,
    pub ns: Ns,
    /// The peer of its `eth0`, in the bridge namespace.
    port: String,
    /// Its files (`run/`, `log/`, `mysql/`, `www/`, `out/`: daemons' output).
    dir: PathBuf,
    /// `unshare`, parent of the init; `None` once crashed.
    unshare: Option<Child>,
    init: u32,
    /// Processes started on the host (`nsenter`, parent of each daemon).
    daemons: Vec<(String, Child)>,
}

impl Host {
    /// A command run inside the host (its network, mount and PID namespaces).
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("nsenter");
        c.args(["-t", &self.init.to_string(), "-n", "-m", "-p", "--"])
            .args(args);
        c
    }

    fn exec(&self, args: &[&str], limit: Duration) -> Result<Output, String> {
        try_run(&mut self.cmd(args), limit)
    }

    /// Runs until success or `limit`; the error says what it last printed.
    fn wait_ok(&self, args: &[&str], limit: Duration, what: &str) -> Result<(), String> {
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
    fn spawn(&mut self, name: &str, args: &[&str], env: Option<&BTreeMap<String, String>>) {
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

    fn sql(&self, sql: &str) -> Result<String, String> {
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

    /// A file of the host, as the host sees it.
    fn file(&self, real: &str) -> PathBuf {
        self.ns.etc().join(real.trim_start_matches("/etc/"))
    }

    fn has(&self, real: &str) -> bool {
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
            .chain([(
                "nginx error.log".to_string(),
                self.dir.join("log/nginx/error.log"),
            )]);
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

    fn holds(&self, vip: IpAddr) -> bool {
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
    fn kill(&mut self) {
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
    }
}

/// Waits for a child that should be ending; kills it after 5 s.
fn reap(c: &mut Child) {
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

/// A stack deployed from a bundle.
pub struct Deployment {
    pub hosts: Vec<Host>,
    dns: Option<Host>,
    client: Ns,
    br: Ns,
    url: String,
    ca: PathBuf,
}

/// `chown USER:USER PATH`.
fn chown(path: &Path, user: &str) {
    ok(
        Command::new("chown")
            .arg(format!("{user}:{user}"))
            .arg(path),
        "chown",
    );
}

/// Copies a bundle host's files into its `/etc` overlay, keeping modes.
fn place_tree(from: &Path, to: &Path) {
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
fn after(text: &str, word: &str) -> Vec<String> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    toks.windows(2)
        .filter(|w| w[0] == word)
        .map(|w| w[1].trim_end_matches(';').to_string())
        .collect()
}

/// systemd's reading of an `EnvironmentFile`.
fn env_file(path: &Path) -> BTreeMap<String, String> {
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

impl Deployment {
    /// Brings the bundle at `bundle` up under namespaces named
    /// `{prefix}NAME`, and waits until it serves `url` (bounded). `dir`
    /// holds the hosts' files.
    pub fn up(
        kit: &Kit,
        bundle: &Path,
        prefix: &str,
        dir: &Path,
        url: &str,
    ) -> Result<Deployment, String> {
        let mut d = Deployment::network(kit, bundle, prefix, dir, url)?;
        d.start_dns(bundle)?;
        d.start_services(kit)?;
        d.start_databases()?;
        d.start_keepalived()?;
        d.settled()?;
        Ok(d)
    }

    /// The namespaces and their links; each host's files and init.
    fn network(
        kit: &Kit,
        bundle: &Path,
        prefix: &str,
        dir: &Path,
        url: &str,
    ) -> Result<Deployment, String> {
        let infos = manifest_hosts(bundle);
        assert!(
            infos
                .iter()
                .flat_map(|h| std::iter::once(h.address).chain(h.vip))
                .all(|a| a != kit.dns && a != kit.client),
            "the test's DNS or client address is one of the stack's"
        );
        let mut all: Vec<IpAddr> = vec![kit.dns, kit.client];
        for h in &infos {
            for a in std::iter::once(h.address).chain(h.vip) {
                if !all.contains(&a) {
                    all.push(a);
                }
            }
        }
        let br = Ns::named(format!("{prefix}br"));
        br.batch(&[
            "link add br0 type bridge mcast_snooping 0".into(),
            "link set br0 up".into(),
        ]);
        // Each namespace: an `eth0` on the bridge, its address, and a route
        // to each other address of the test network (no default route).
        let mut bridge = vec![];
        let mut attach = |ns: &Ns, port: &str, addr: IpAddr| {
            bridge.push(format!(
                "link add {port} type veth peer name eth0 netns {}",
                ns.name
            ));
            bridge.push(format!("link set {port} master br0 up"));
            let mut mine = vec![
                "link set eth0 up".to_string(),
                format!("addr add {} dev eth0", host_prefix(addr)),
            ];
            for other in &all {
                if *other != addr {
                    mine.push(format!(
                        "route add {} dev eth0 src {addr}",
                        host_prefix(*other)
                    ));
                }
            }
            mine
        };
        let host = |info: HostInfo, ns: Ns, port: String| Host {
            dir: dir.join(&info.name),
            info,
            ns,
            port,
            unshare: None,
            init: 0,
            daemons: vec![],
        };
        let mut hosts = vec![];
        let mut theirs = vec![];
        for (i, info) in infos.into_iter().enumerate() {
            let ns = Ns::named(format!("{prefix}{}", info.name));
            let port = format!("p{i}");
            theirs.push(attach(&ns, &port, info.address));
            hosts.push(host(info, ns, port));
        }
        let dns_ns = Ns::named(format!("{prefix}dns"));
        theirs.push(attach(&dns_ns, "pdns", kit.dns));
        let dns_info = HostInfo {
            name: "dns".into(),
            address: kit.dns,
            vip: None,
            zone: None,
        };
        let dns = host(dns_info, dns_ns, "pdns".into());
        let client = Ns::named(format!("{prefix}client"));
        theirs.push(attach(&client, "pclient", kit.client));
        br.batch(&bridge);
        let namespaces = hosts.iter().map(|h| &h.ns).chain([&dns.ns, &client]);
        for (ns, cmds) in namespaces.zip(&theirs) {
            ns.batch(cmds);
        }
        fs::write(
            client.etc().join("resolv.conf"),
            format!("nameserver {}\noptions timeout:1 attempts:2\n", kit.dns),
        )
        .unwrap();
        let mut d = Deployment {
            hosts,
            dns: Some(dns),
            client,
            br,
            url: url.to_string(),
            ca: kit.ca.clone(),
        };
        for h in &mut d.hosts {
            place_files(h, &bundle.join("hosts").join(&h.info.name).join("etc"), kit);
            start_init(h)?;
        }
        let dns = d.dns.as_mut().unwrap();
        prepare(dns, false);
        start_init(dns)?;
        Ok(d)
    }

    /// `named` with the bundle's zones.
    fn start_dns(&mut self, bundle: &Path) -> Result<(), String> {
        let dns = self.dns.as_mut().unwrap();
        let mut zones = String::new();
        for e in fs::read_dir(bundle.join("dns")).unwrap() {
            let p = e.unwrap().path();
            let domain = p.file_stem().unwrap().to_string_lossy().into_owned();
            let copy = dns.dir.join(p.file_name().unwrap());
            fs::copy(&p, &copy).unwrap();
            zones += &format!(
                "zone \"{domain}\" {{ type primary; file \"{}\"; }};\n",
                copy.display()
            );
        }
        let work = dns.dir.join("named");
        fs::create_dir_all(&work).unwrap();
        chown(&work, "bind");
        let conf = dns.dir.join("named.conf");
        fs::write(
            &conf,
            format!(
                "options {{\n  directory \"{}\";\n  listen-on port 53 {{ {}; }};\n  listen-on-v6 {{ none; }};\n  recursion no;\n  dnssec-validation no;\n  pid-file \"/run/named/named.pid\";\n}};\ncontrols {{ }};\n{zones}",
                work.display(),
                dns.info.address
            ),
        )
        .unwrap();
        let conf = conf.to_str().unwrap();
        dns.spawn(
            "named",
            &["named", "-g", "-4", "-u", "bind", "-c", conf],
            None,
        );
        Ok(())
    }

    /// The bundle's sysctl, MariaDB, then the applications, nginx and
    /// HAProxy, each tier once the one behind it answers (as a playbook
    /// run would: nginx started before its applications listen counts them
    /// failed for `fail_timeout`).
    fn start_services(&mut self, kit: &Kit) -> Result<(), String> {
        for h in &mut self.hosts {
            for e in fs::read_dir(h.ns.etc().join("sysctl.d"))
                .into_iter()
                .flatten()
            {
                let name = e.unwrap().file_name();
                let real = format!("/etc/sysctl.d/{}", name.to_string_lossy());
                let o = h.exec(&["sysctl", "-q", "-p", &real], secs(10))?;
                if !o.status.success() {
                    return Err(format!("{}: sysctl -p {real}: {o:?}", h.info.name));
                }
            }
            if h.has(MYSQL_CNF) {
                h.spawn("mariadbd", &["mariadbd", "--user=mysql"], None);
            }
        }
        let mut apps = vec![];
        for (i, h) in self.hosts.iter_mut().enumerate() {
            for e in fs::read_dir(h.ns.etc().join("default"))
                .into_iter()
                .flatten()
            {
                let env = env_file(&e.unwrap().path());
                if let (Some(bind), Some(port)) = (env.get("BIND"), env.get("PORT")) {
                    let health = env.get("HEALTH_PATH").map_or("/healthz", |s| s.as_str());
                    let host = if bind.contains(':') {
                        format!("[{bind}]")
                    } else {
                        bind.clone()
                    };
                    apps.push((i, format!("http://{host}:{port}{health}")));
                    let (py, app) = (kit.python.to_str().unwrap(), kit.app.to_str().unwrap());
                    h.spawn("app", &[py, "-u", app], Some(&env));
                }
            }
        }
        self.wait_answer(&apps)?;
        let mut webs = vec![];
        for (i, h) in self.hosts.iter_mut().enumerate() {
            if h.has(NGINX_CONF) {
                h.spawn("nginx", &["nginx", "-g", "daemon off;"], None);
                let conf = fs::read_to_string(h.file(NGINX_CONF)).unwrap();
                // `location = /healthz {`
                if let Some(health) = after(&conf, "=").first() {
                    for l in after(&conf, "listen") {
                        webs.push((i, format!("http://{l}{health}")));
                    }
                }
            }
        }
        self.wait_answer(&webs)?;
        for h in &mut self.hosts {
            if h.has(HAPROXY_CFG) {
                h.spawn("haproxy", &["haproxy", "-f", HAPROXY_CFG, "-db"], None);
            }
        }
        Ok(())
    }

    /// Waits until each (host, URL) answers 200 from inside its host.
    fn wait_answer(&self, urls: &[(usize, String)]) -> Result<(), String> {
        for (i, url) in urls {
            let curl = [
                "curl",
                "-q",
                "-fsS",
                "-g",
                "-o",
                "/dev/null",
                "-m",
                "1",
                url,
            ];
            self.hosts[*i].wait_ok(&curl, secs(20), &format!("{url} answers"))?;
        }
        Ok(())
    }

    /// Accounts and replication from the bundle's SQL, the primaries first,
    /// and the test application's table; then keepalived on the database
    /// hosts of a `failover=auto` group, the primary's a second ahead so
    /// that it wins the first election.
    fn start_databases(&mut self) -> Result<(), String> {
        let mut databases = vec![];
        for h in self.hosts.iter().filter(|h| is_db(h)) {
            h.wait_ok(
                &["mysqladmin", "--connect-timeout=1", "ping"],
                secs(30),
                "mariadbd answers",
            )?;
            if is_replica(h) {
                continue;
            }
            source(h, SETUP_SQL)?;
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
        }
        let mut primaries = None;
        for h in &mut self.hosts {
            if is_db(h) && !is_replica(h) && h.has(KEEPALIVED_CONF) {
                start_keepalived(h)?;
                primaries.get_or_insert_with(Instant::now);
            }
        }
        for h in self.hosts.iter().filter(|h| is_db(h) && is_replica(h)) {
            source(h, SETUP_SQL)?;
        }
        for h in self.hosts.iter().filter(|h| is_db(h) && is_replica(h)) {
            for db in &databases {
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
        }
        if let Some(t) = primaries {
            std::thread::sleep(secs(1).saturating_sub(t.elapsed()));
        }
        for h in &mut self.hosts {
            if is_db(h) && is_replica(h) && h.has(KEEPALIVED_CONF) {
                start_keepalived(h)?;
            }
        }
        Ok(())
    }

    /// keepalived on the other hosts that have it (the load balancers).
    fn start_keepalived(&mut self) -> Result<(), String> {
        for h in &mut self.hosts {
            if !is_db(h) && h.has(KEEPALIVED_CONF) {
                start_keepalived(h)?;
            }
        }
        Ok(())
    }

    /// Waits until each vip is held by its highest priority member alone,
    /// each primary behind a write vip is writable, the name resolves, and
    /// the stack serves: a probe, then a burst all answered 200.
    fn settled(&mut self) -> Result<(), String> {
        let mut vips: BTreeMap<IpAddr, Vec<(u32, usize)>> = BTreeMap::new();
        for (i, h) in self.hosts.iter().enumerate() {
            if let (Some(v), true) = (h.info.vip, h.has(KEEPALIVED_CONF)) {
                let conf = fs::read_to_string(h.file(KEEPALIVED_CONF)).unwrap();
                let prio: u32 = after(&conf, "priority")[0].parse().unwrap();
                vips.entry(v).or_default().push((prio, i));
            }
        }
        for (vip, members) in &vips {
            let holder = members.iter().max().unwrap().1;
            wait_until(secs(15), || {
                members
                    .iter()
                    .all(|&(_, i)| self.hosts[i].holds(*vip) == (i == holder))
            })
            .map_err(|_| {
                format!(
                    "{vip} is not held by {} alone\n{}",
                    self.hosts[holder].info.name,
                    self.logs()
                )
            })?;
            let h = &self.hosts[holder];
            if is_db(h) {
                wait_until(secs(10), || {
                    h.sql("SELECT @@global.read_only").ok().as_deref() == Some("0")
                })
                .map_err(|_| format!("{}: not writable after promotion", h.info.name))?;
            }
        }
        let url = &self.url;
        let name = url
            .split("://")
            .nth(1)
            .and_then(|r| r.split(['/', ':']).next())
            .unwrap();
        let getent = ["netns", "exec", &self.client.name, "getent", "ahosts", name];
        wait_until(secs(10), || {
            try_run(Command::new("ip").args(getent), secs(5)).is_ok_and(|o| o.status.success())
        })
        .map_err(|_| format!("{name} does not resolve\n{}", self.logs()))?;
        wait_until(secs(20), || self.probe())
            .map_err(|_| format!("the stack does not serve {url}\n{}", self.logs()))?;
        let codes = self.burst(10);
        if codes.iter().any(|&c| c != 200) {
            return Err(format!(
                "the healthy stack answered {codes:?}\n{}",
                self.logs()
            ));
        }
        Ok(())
    }

    /// One request from the client; whether it got a 200.
    pub fn probe(&self) -> bool {
        self.curl(
            &[
                "--connect-timeout",
                "2",
                "-m",
                "3",
                "-o",
                "/dev/null",
                &self.url,
            ],
            secs(10),
        )
        .first()
        .is_some_and(|&c| c == 200)
    }

    /// `n` requests at once from the client; the status of each (0: no
    /// answer).
    pub fn burst(&self, n: usize) -> Vec<u16> {
        let mut args: Vec<String> = [
            "--connect-timeout",
            "2",
            "-m",
            "5",
            "-Z",
            "--parallel-immediate",
            "--parallel-max",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(n.to_string());
        for i in 0..n {
            args.push("-o".into());
            args.push("/dev/null".into());
            args.push(format!("{}?burst={i}", self.url));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut codes = self.curl(&args, secs(15));
        codes.resize(n, 0);
        codes
    }

    fn curl(&self, args: &[&str], limit: Duration) -> Vec<u16> {
        let out = try_run(
            Command::new("ip")
                .args(["netns", "exec", &self.client.name, "curl", "-q", "-sS"])
                .args(["--noproxy", "*", "--cacert"])
                .arg(&self.ca)
                .args(["-w", "%{http_code}\\n"])
                .args(args),
            limit,
        );
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
    }

    /// A crash of these hosts: their bridge ports cut, then every process
    /// of theirs killed.
    pub fn crash(&mut self, names: &[&str]) {
        let mut cmds = vec![];
        for h in &self.hosts {
            if names.contains(&h.info.name.as_str()) {
                cmds.push(format!("link set {} down", h.port));
            }
        }
        assert_eq!(cmds.len(), names.len(), "unknown host in {names:?}");
        self.br.batch(&cmds);
        for h in &mut self.hosts {
            if names.contains(&h.info.name.as_str()) {
                h.kill();
            }
        }
    }

    /// The last lines of every daemon's output.
    pub fn logs(&self) -> String {
        self.hosts.iter().chain(&self.dns).map(Host::logs).collect()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        // Then its namespace, which kills what is left inside it.
        self.kill();
    }
}

/// A host's files: Debian's `/etc/nginx` and `/etc/mysql` where the bundle
/// adds to them (without Debian's default site, as the playbook does), the
/// bundle's files on top, a certificate where HAProxy expects one, and
/// its own directories, with a copy of the MariaDB datadir on a database
/// host.
fn place_files(h: &mut Host, etc: &Path, kit: &Kit) {
    let overlay = h.ns.etc();
    if etc.join("nginx").is_dir() {
        copy_dir(Path::new("/etc/nginx"), &overlay.join("nginx"));
        let _ = fs::remove_file(overlay.join("nginx/sites-enabled/default"));
    }
    if etc.join("mysql").is_dir() {
        copy_dir(Path::new("/etc/mysql"), &overlay.join("mysql"));
        fs::write(
            overlay.join("mysql/mariadb.conf.d/55-stackc-live.cnf"),
            MARIADB_MACHINE,
        )
        .unwrap();
    }
    place_tree(etc, &overlay);
    if h.has(HAPROXY_CFG) {
        let cfg = fs::read_to_string(h.file(HAPROXY_CFG)).unwrap();
        for crt in after(&cfg, "crt") {
            let p = h.file(&crt);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, &kit.pem).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let db = h.has(MYSQL_CNF);
    if db {
        fs::create_dir_all(&h.dir).unwrap();
        copy_dir(&kit.datadir, &h.dir.join("mysql"));
    }
    prepare(h, db);
    if h.has(NGINX_CONF) {
        let conf = fs::read_to_string(h.file(NGINX_CONF)).unwrap();
        for root in after(&conf, "root") {
            if let Some(rest) = root.strip_prefix("/var/www/") {
                fs::create_dir_all(h.dir.join("www").join(rest)).unwrap();
            }
        }
    }
}

/// The host's own directories: what it sees as `/run`, `/var/log`,
/// `/var/lib/mysql` and `/var/www`, and `out/` for the daemons' output.
fn prepare(h: &mut Host, db: bool) {
    for sub in [
        "run/haproxy",
        "run/named",
        "log/nginx",
        "www",
        "out",
        "mysql",
    ] {
        fs::create_dir_all(h.dir.join(sub)).unwrap();
    }
    chown(&h.dir.join("run/named"), "bind");
    if db {
        for sub in ["run/mysqld", "log/mysql", "mysql"] {
            fs::create_dir_all(h.dir.join(sub)).unwrap();
            chown(&h.dir.join(sub), "mysql");
        }
    }
}

fn is_db(h: &Host) -> bool {
    h.has(SETUP_SQL)
}

fn is_replica(h: &Host) -> bool {
    fs::read_to_string(h.file(SETUP_SQL))
        .unwrap_or_default()
        .contains("CHANGE MASTER")
}

/// The host's init: PID 1 of a new PID namespace, inside the host's
/// network namespace, with the host's own directories mounted.
fn start_init(h: &mut Host) -> Result<(), String> {
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

/// keepalived, once what its checks probe answers.
fn start_keepalived(h: &mut Host) -> Result<(), String> {
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
