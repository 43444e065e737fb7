//! One deployment of a bundle on this machine: a network namespace per host
//! of the stack, joined by a bridge that lives in a namespace of its own, a
//! namespace running `named` with the bundle's zones, and a client
//! namespace. Each host runs its daemons from the bundle's files, at their
//! real paths.
//!
//! A host is a network namespace plus a PID namespace (`host.rs`); the
//! data tier comes up as `data.rs` says.
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

use crate::data::{self, MARIADB_MACHINE, MYSQL_CNF};
use crate::host::{
    after, chown, env_file, manifest_hosts, place_tree, secs, start_init, start_keepalived,
    wait_until, Host, HostInfo, KEEPALIVED_CONF,
};
use crate::netns::{copy_dir, host_prefix, try_run, Ns};
use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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

const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
const NGINX_CONF: &str = "/etc/nginx/conf.d/stackc.conf";

/// A stack deployed from a bundle.
pub struct Deployment {
    pub hosts: Vec<Host>,
    dns: Option<Host>,
    client: Ns,
    br: Ns,
    url: String,
    ca: PathBuf,
    /// What the data tier's primaries left for its replicas.
    primaries: data::Primaries,
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
        let t = std::time::Instant::now();
        let trace = |what: &str| {
            if std::env::var_os("STACKC_LIVE_TRACE").is_some() {
                eprintln!(
                    "live trace {prefix}: {what} at {:.1} s",
                    t.elapsed().as_secs_f64()
                );
            }
        };
        let mut d = Deployment::network(kit, bundle, prefix, dir, url)?;
        trace("network");
        d.start_dns(bundle)?;
        d.start_services(kit)?;
        trace("services");
        data::start_replicas(&mut d.hosts, &d.primaries)?;
        trace("databases");
        d.settled()?;
        trace("settled");
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
            bundle: bundle.join("hosts").join(&info.name),
            info,
            ns,
            port,
            unshare: None,
            init: 0,
            daemons: vec![],
            pg: None,
            redis: None,
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
            primaries: data::Primaries::default(),
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

    /// The bundle's sysctl, the data stores' primaries (set up, and
    /// keepalived on them), then the applications, nginx and HAProxy, each tier
    /// once the one behind it answers (as a playbook run would: nginx
    /// started before its applications listen counts them failed for
    /// `fail_timeout`), and keepalived on the load balancers: the
    /// elections run while the data tier is set up.
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
        }
        self.primaries = data::start_primaries(&mut self.hosts)?;
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
        self.start_keepalived()
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

    /// keepalived on the hosts without a store that have it (the load
    /// balancers).
    fn start_keepalived(&mut self) -> Result<(), String> {
        for h in &mut self.hosts {
            if data::store(h).is_none() && h.has(KEEPALIVED_CONF) {
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
            if data::store(h).is_some() {
                wait_until(secs(10), || h.writable()).map_err(|_| {
                    format!(
                        "{}: not writable after promotion\n{}",
                        h.info.name,
                        h.logs()
                    )
                })?;
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

/// A host's files: Debian's `/etc/nginx`, `/etc/mysql` and
/// `/etc/postgresql` where the bundle
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
    if etc.join("postgresql").is_dir() {
        // What Debian's `psql` wrapper reads to find the cluster.
        copy_dir(Path::new("/etc/postgresql"), &overlay.join("postgresql"));
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
