//! The HAProxy reader: `/etc/haproxy/haproxy.cfg`, then every `*.cfg` of
//! `/etc/haproxy/conf.d/` when there is one (the folder setups commonly add
//! with `-f`; a folder's files load in name order), plus the `-f` files and
//! folders that `/etc/default/haproxy` and the unit's drop-ins
//! (`/etc/systemd/system/haproxy.service.d/*.conf`, `Environment=`) name
//! with `CONFIG=` and `EXTRAOPTS="-f ..."`. See [`super::haproxy_cfg`] for
//! the language.
//!
//! What it emits, on the host whose files these are:
//!
//! - [`Fact::Runs`] (haproxy), line 0 of the main file, when a config exists;
//! - per frontend or `listen` bind: [`Fact::Serves`] with the bind's
//!   address (`None` for `*`/`:PORT`), port and `tls` (a bind with `ssl`,
//!   as in `ssl crt FILE`); the protocol is `http`/`https` in `mode http`
//!   and, in `mode tcp`, the protocol whose default port it is (`443` is
//!   TLS passed through: `https`; an unknown port is `tcp`);
//! - [`Fact::Address`] for each bound address that is not loopback and not
//!   a `virtual_ipaddress` of the host's own keepalived config (a vip is a
//!   group's, not the host's: infer learns it from [`Fact::Vrrp`]);
//! - per backend (or `listen` with servers): [`Fact::Pool`] named after it,
//!   its `server` lines as members (`backup` kept, a server without a port
//!   has `None`); the protocol is `https` when every server speaks TLS
//!   (`ssl` on the line or a `default-server`), `http` otherwise in `mode
//!   http`; in `mode tcp` a health-check option decides (`option
//!   mysql-check`, `pgsql-check`, `redis-check`) and then the servers' port
//!   as for binds;
//! - per frontend: [`Fact::Sends`] `{ pool }` for `default_backend` and each
//!   `use_backend`, with the pool's protocol; [`Fact::Unrouted`] for a
//!   frontend (or `listen` without servers) with no backend that does not
//!   just redirect;
//! - nothing for stats and monitor listeners (`stats enable`/`stats uri`,
//!   `monitor-uri`, the Prometheus exporter, with no backend): they answer
//!   for HAProxy itself, not for the stack.
//!
//! Warnings: a file that could not be read, a backend that is named but
//! not defined, a `server-template` or a backend chosen at run time, a
//! backend with no servers.

use super::haproxy_cfg::{self, Config, Host, Kind, Mode, Proxy};
use crate::import::facts::{Fact, Facts, PoolMember, Target};
use crate::import::tree::{Entry, HostFiles};
use crate::model::{Kit, Protocol, Role};
use std::collections::BTreeSet;
use std::net::IpAddr;

pub const MAIN: &str = "/etc/haproxy/haproxy.cfg";
const CONF_D: &str = "/etc/haproxy/conf.d";
const DEFAULTS: &str = "/etc/default/haproxy";
const DROP_INS: &str = "/etc/systemd/system/haproxy.service.d";

/// The files HAProxy loads on this host, in order, with their text; the
/// paths named but unreadable are warned about.
fn files<'a>(h: &'a HostFiles, facts: &mut Facts) -> Vec<(&'a str, &'a str)> {
    let mut paths: Vec<String> = vec![MAIN.to_string(), CONF_D.to_string()];
    let mut env: Vec<&str> = h.text(DEFAULTS).into_iter().collect();
    env.extend(
        h.under(DROP_INS)
            .filter(|(p, _)| p.ends_with(".conf"))
            .filter_map(|(_, e)| match e {
                Entry::Text(t) => Some(t.as_str()),
                Entry::Skipped(_) => None,
            }),
    );
    for text in env {
        for (_, line) in super::lines(text, '#') {
            // `KEY=value` (/etc/default) or `Environment="KEY=value" ...`.
            let line = line.strip_prefix("Environment=").unwrap_or(line);
            for assignment in env_assignments(line) {
                let Some((key, value)) = assignment.split_once('=') else {
                    continue;
                };
                match key.trim() {
                    "CONFIG" => paths[0] = value.trim().to_string(),
                    "EXTRAOPTS" => {
                        let w: Vec<&str> = value.split_whitespace().collect();
                        for pair in w.windows(2) {
                            if pair[0] == "-f" && !paths.iter().any(|p| p == pair[1]) {
                                paths.push(pair[1].to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out: Vec<(&'a str, &'a str)> = Vec::new();
    let mut take = |path: &'a str, entry: &'a Entry, facts: &mut Facts| match entry {
        Entry::Text(t) => {
            if !out.iter().any(|(p, _)| *p == path) {
                out.push((path, t.as_str()));
            }
        }
        Entry::Skipped(why) => facts.warn(
            super::origin(h, path, 0),
            format!("HAProxy config not read: {why}"),
        ),
    };
    for p in &paths {
        let p = p.trim_end_matches('/');
        if let Some((path, entry)) = h.files.get_key_value(p) {
            take(path.as_str(), entry, facts);
        } else {
            for (path, entry) in h.under(p).filter(|(path, _)| path.ends_with(".cfg")) {
                take(path, entry, facts);
            }
        }
    }
    out
}

/// The assignments of a line: `A=1 "B=x y"` is `A=1`, `B=x y`; a line of
/// /etc/default (`EXTRAOPTS="-f /x"`) is one assignment.
fn env_assignments(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Parses the host's HAProxy config, when it has one.
pub(super) fn config(h: &HostFiles) -> Option<Config> {
    let mut scratch = Facts::default();
    let files = files(h, &mut scratch);
    (!files.is_empty()).then(|| haproxy_cfg::parse(&files))
}

/// A stats or monitor listener: answers for HAProxy itself.
fn is_stats(p: &Proxy) -> bool {
    (p.stats || p.monitor_uri.is_some()) && p.backends.is_empty() && p.servers.is_empty()
}

/// The protocol of a `mode tcp` port: the one whose default port it is.
fn tcp_protocol(port: Option<u16>) -> Protocol {
    Protocol::ALL
        .iter()
        .copied()
        .find(|p| port.is_some() && p.default_port() == port)
        .unwrap_or(Protocol::Tcp)
}

/// What a backend's servers speak.
fn pool_protocol(p: &Proxy) -> Protocol {
    match p.mode {
        Mode::Http if !p.servers.is_empty() && p.servers.iter().all(|s| s.tls) => Protocol::Https,
        Mode::Http => Protocol::Http,
        Mode::Tcp => match p.check.and_then(Protocol::parse) {
            Some(proto) if proto != Protocol::Http => proto,
            _ => tcp_protocol(p.servers.first().and_then(|s| s.port)),
        },
    }
}

fn target(host: &Host, port: Option<u16>) -> Option<Target> {
    match host {
        Host::Addr(a) => Some(Target::Addr(*a, port)),
        // `"${DB_HOST}:3306"`: set by the environment, not the file.
        Host::Name(n) if n.contains('$') => None,
        Host::Name(n) => Some(Target::Name(n.clone(), port)),
        Host::Any | Host::Other => None,
    }
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let files = files(h, facts);
    if files.is_empty() {
        return;
    }
    let role = Role::of_kit(Kit::Haproxy);
    let cfg = haproxy_cfg::parse(&files);
    let path = |p: &Proxy| files[p.file].0;
    facts.add(Fact::Runs(role), super::origin(h, files[0].0, 0));
    let vips: Vec<IpAddr> = super::keepalived::vips(h);
    let vips: BTreeSet<IpAddr> = vips.into_iter().collect();
    let mut owned: BTreeSet<IpAddr> = BTreeSet::new();
    let backends = cfg.backends();
    for p in &cfg.proxies {
        let at = |line: u32| super::origin(h, path(p), line);
        for (line, what) in &p.unread {
            facts.warn(at(*line), format!("not read: {what}"));
        }
        if p.kind != Kind::Frontend && !p.servers.is_empty() {
            let members = p
                .servers
                .iter()
                .filter_map(|s| {
                    let t = target(&s.host, s.port);
                    if t.is_none() {
                        facts.warn(
                            at(s.line),
                            format!(
                                "server {} has no network address the file gives: left out",
                                s.name
                            ),
                        );
                    }
                    Some(PoolMember {
                        name: Some(s.name.clone()),
                        target: t?,
                        backup: s.backup,
                        line: s.line,
                    })
                })
                .collect();
            facts.add(
                Fact::Pool {
                    name: p.name.clone(),
                    protocol: pool_protocol(p),
                    members,
                },
                at(p.line),
            );
        } else if p.kind == Kind::Backend {
            facts.warn(at(p.line), format!("backend {} has no servers", p.name));
        }
        if p.kind == Kind::Backend || is_stats(p) {
            continue;
        }
        for b in &p.binds {
            let (addr, port) = match (&b.host, b.port) {
                (Host::Any, Some(port)) => (None, port),
                (Host::Addr(a), Some(port)) => (Some(*a), port),
                _ => continue,
            };
            let protocol = match p.mode {
                Mode::Http if b.tls => Protocol::Https,
                Mode::Http => Protocol::Http,
                Mode::Tcp => tcp_protocol(Some(port)),
            };
            facts.add(
                Fact::Serves {
                    role,
                    protocol,
                    addr,
                    port,
                    tls: b.tls,
                },
                at(b.line),
            );
            if let Some(a) = addr {
                if !a.is_loopback() && !vips.contains(&a) && owned.insert(a) {
                    facts.add(Fact::Address(a), at(b.line));
                }
            }
        }
        if p.kind == Kind::Listen && !p.servers.is_empty() {
            facts.add(
                Fact::Sends {
                    protocol: pool_protocol(p),
                    to: None,
                    pool: Some(p.name.clone()),
                    read: false,
                },
                at(p.line),
            );
        }
        for (name, line) in &p.backends {
            let protocol = match backends.get(name.as_str()) {
                Some(b) => pool_protocol(b),
                None => {
                    facts.warn(
                        at(*line),
                        format!("backend {name} is not defined in the HAProxy config"),
                    );
                    continue;
                }
            };
            facts.add(
                Fact::Sends {
                    protocol,
                    to: None,
                    pool: Some(name.clone()),
                    read: false,
                },
                at(*line),
            );
        }
        if p.backends.is_empty() && p.servers.is_empty() && !p.redirects {
            facts.add(
                Fact::Unrouted {
                    name: p.name.clone(),
                },
                at(p.line),
            );
        }
    }
    // A backend no frontend names (the bundle writes one for a link the
    // frontends do not route yet, with a comment saying so): the host
    // sends there all the same, as nginx's unused `upstream` is read.
    let used: BTreeSet<&str> = cfg
        .proxies
        .iter()
        .flat_map(|p| p.backends.iter().map(|(n, _)| n.as_str()))
        .collect();
    for p in cfg.proxies.iter().filter(|p| {
        p.kind == Kind::Backend && !p.servers.is_empty() && !used.contains(p.name.as_str())
    }) {
        let at = super::origin(h, path(p), p.line);
        facts.warn(
            at.clone(),
            format!(
                "backend {} is used by no frontend: read as a link all the same",
                p.name
            ),
        );
        facts.add(
            Fact::Sends {
                protocol: pool_protocol(p),
                to: None,
                pool: Some(p.name.clone()),
                read: false,
            },
            at,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(files: &[(&str, &str)]) -> HostFiles {
        HostFiles::with_texts("lb-01", files)
    }

    fn read_facts(h: &HostFiles) -> Facts {
        let mut f = Facts::default();
        read(h, &mut f);
        f
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const CFG: &str = "global\n\tdaemon\n\ndefaults\n\tmode http # comment\n\nfrontend fe\n\tbind 10.0.0.5:80\n\tbind 10.0.0.5:443 ssl crt /etc/haproxy/certs/a.pem alpn h2\n\tdefault_backend web\n\tuse_backend api if { path_beg /api }\n\nbackend web\n\tdefault-server check ssl verify none\n\tserver w1 10.0.1.1:443 check\n\tserver w2 10.0.1.2:443 check backup\n\nbackend api\n\tserver a1 app-01:8000\n";

    #[test]
    fn frontends_backends_and_servers() {
        let f = read_facts(&host(&[(MAIN, CFG)]));
        let got: Vec<_> = f
            .facts
            .iter()
            .map(|(_, x, o)| (x.clone(), o.line))
            .collect();
        let role = Role::of_kit(Kit::Haproxy);
        let serves = |protocol, port, tls| Fact::Serves {
            role,
            protocol,
            addr: Some(ip("10.0.0.5")),
            port,
            tls,
        };
        let sends = |protocol, pool: &str| Fact::Sends {
            protocol,
            to: None,
            pool: Some(pool.into()),
            read: false,
        };
        assert_eq!(
            got,
            [
                (Fact::Runs(role), 0),
                (serves(Protocol::Http, 80, false), 8),
                (Fact::Address(ip("10.0.0.5")), 8),
                (serves(Protocol::Https, 443, true), 9),
                (sends(Protocol::Https, "web"), 10),
                (sends(Protocol::Http, "api"), 11),
                (
                    Fact::Pool {
                        name: "web".into(),
                        protocol: Protocol::Https,
                        members: vec![
                            PoolMember {
                                name: Some("w1".into()),
                                target: Target::Addr(ip("10.0.1.1"), Some(443)),
                                backup: false,
                                line: 15
                            },
                            PoolMember {
                                name: Some("w2".into()),
                                target: Target::Addr(ip("10.0.1.2"), Some(443)),
                                backup: true,
                                line: 16
                            }
                        ]
                    },
                    13
                ),
                (
                    Fact::Pool {
                        name: "api".into(),
                        protocol: Protocol::Http,
                        members: vec![PoolMember {
                            name: Some("a1".into()),
                            target: Target::Name("app-01".into(), Some(8000)),
                            backup: false,
                            line: 19
                        }]
                    },
                    18
                ),
            ]
        );
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    #[test]
    fn stats_listeners_are_not_frontends_and_unrouted_ones_are_said() {
        let f = read_facts(&host(&[(
            MAIN,
            "listen stats\n    bind :8404\n    stats enable\n    stats uri /stats\nfrontend mon\n    bind 127.0.0.1:9000\n    monitor-uri /up\nfrontend lost\n    bind *:8080\n    http-request deny deny_status 503\nfrontend redirect\n    bind :80\n    redirect scheme https code 301\n",
        )]));
        let serves: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Serves { port, addr, .. } => Some((*port, *addr)),
                _ => None,
            })
            .collect();
        assert_eq!(serves, [(8080, None), (80, None)]);
        let unrouted: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, o)| match x {
                Fact::Unrouted { name } => Some((name.as_str(), o.line)),
                _ => None,
            })
            .collect();
        assert_eq!(unrouted, [("lost", 8)]);
        assert!(!f
            .facts
            .iter()
            .any(|(_, x, _)| matches!(x, Fact::Address(_))));
    }

    #[test]
    fn tcp_pools_by_check_and_port() {
        let f = read_facts(&host(&[(
            MAIN,
            "defaults\n mode tcp\nlisten mysql\n bind 10.0.0.5:3306\n option mysql-check user haproxy\n server db1 10.0.2.1:3307 check\nfrontend pg\n bind :5432\n default_backend pg\nbackend pg\n server p1 10.0.3.1:5432\nbackend other\n server o1 10.0.4.1:9999\nfrontend tls\n bind :443\n default_backend other\n",
        )]));
        let pools: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Pool { name, protocol, .. } => Some((name.as_str(), *protocol)),
                _ => None,
            })
            .collect();
        assert_eq!(
            pools,
            [
                ("mysql", Protocol::Mysql),
                ("pg", Protocol::Postgres),
                ("other", Protocol::Tcp)
            ]
        );
        let serves: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Serves { protocol, .. } => Some(*protocol),
                _ => None,
            })
            .collect();
        assert_eq!(
            serves,
            [Protocol::Mysql, Protocol::Postgres, Protocol::Https]
        );
        // The listen section sends to itself.
        assert!(f.facts.iter().any(|(_, x, _)| matches!(x,
            Fact::Sends { pool: Some(p), protocol: Protocol::Mysql, .. } if p == "mysql")));
    }

    #[test]
    fn vips_are_not_the_hosts_addresses() {
        let f = read_facts(&host(&[
            (MAIN, "frontend fe\n bind 203.0.113.20:80\n bind 10.0.0.11:81\n default_backend b\nbackend b\n server s 10.0.1.1:80\n"),
            (
                "/etc/keepalived/keepalived.conf",
                "vrrp_instance lb {\n virtual_ipaddress {\n  203.0.113.20/32 dev eth0\n }\n}\n",
            ),
        ]));
        let addrs: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Address(a) => Some(*a),
                _ => None,
            })
            .collect();
        assert_eq!(addrs, [ip("10.0.0.11")]);
    }

    #[test]
    fn conf_d_and_etc_default_files_and_warnings() {
        let mut h = host(&[
            (
                MAIN,
                "frontend fe\n bind :80\n default_backend b\n default_backend missing\n",
            ),
            (
                "/etc/haproxy/conf.d/10-b.cfg",
                "backend b\n server s 10.0.1.1:80\nbackend empty\n",
            ),
            (
                "/etc/haproxy/conf.d/README",
                "backend not-read\n server x 10.9.9.9:1\n",
            ),
            (
                "/etc/default/haproxy",
                "# Debian\nEXTRAOPTS=\"-f /srv/lb.cfg\"\n",
            ),
            ("/srv/lb.cfg", "backend extra\n server e 10.0.1.9:80\n"),
            (
                "/etc/systemd/system/haproxy.service.d/override.conf",
                "[Service]\nEnvironment=\"EXTRAOPTS=-S /run/haproxy-master.sock -f /srv/more\" \"PIDFILE=/run/haproxy.pid\"\n",
            ),
            ("/srv/more/x.cfg", "backend more\n server m 10.0.1.8:80\n"),
        ]);
        h.insert(
            "/etc/haproxy/conf.d/20-bin.cfg",
            Entry::Skipped("not UTF-8".into()),
        );
        let f = read_facts(&h);
        let pools: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, o)| match x {
                Fact::Pool { name, .. } => Some((name.as_str(), o.path.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            pools,
            [
                ("b", "/etc/haproxy/conf.d/10-b.cfg"),
                ("extra", "/srv/lb.cfg"),
                ("more", "/srv/more/x.cfg"),
            ]
        );
        let warnings: Vec<String> = f.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            [
                "lb-01:/etc/haproxy/conf.d/20-bin.cfg: HAProxy config not read: not UTF-8",
                "lb-01:/etc/haproxy/haproxy.cfg:4: backend missing is not defined in the HAProxy config",
                "lb-01:/etc/haproxy/conf.d/10-b.cfg:3: backend empty has no servers",
                "lb-01:/srv/lb.cfg:1: backend extra is used by no frontend: read as a link all the same",
                "lb-01:/srv/more/x.cfg:1: backend more is used by no frontend: read as a link all the same",
            ]
        );
    }

    #[test]
    fn a_large_config_is_read_in_linear_time() {
        // 20,000 backends, each used by one frontend rule and named twice:
        // index lookups, not scans (this took minutes with scans).
        let n = 20_000;
        let mut cfg = String::from("frontend fe\n bind 10.0.0.5:80\n");
        for i in 0..n {
            cfg += &format!(" use_backend b{i} if {{ path_beg /{i} }}\n use_backend b{i}\n");
        }
        for i in 0..n {
            cfg += &format!("backend b{i}\n server s 10.1.{}.{}:80\n", i / 250, i % 250);
        }
        let t = std::time::Instant::now();
        let f = read_facts(&host(&[(MAIN, &cfg)]));
        let pools = f
            .facts
            .iter()
            .filter(|(_, x, _)| matches!(x, Fact::Pool { .. }))
            .count();
        let sends = f
            .facts
            .iter()
            .filter(|(_, x, _)| matches!(x, Fact::Sends { .. }))
            .count();
        assert_eq!((pools, sends), (n, n));
        eprintln!("{} lines read in {:?}", cfg.lines().count(), t.elapsed());
    }

    #[test]
    fn servers_without_an_address_are_left_out_with_a_warning() {
        let f = read_facts(&host(&[(
            MAIN,
            "backend b\n server env \"${DB_HOST}:3306\"\n server sock /run/app.sock\n server ok 10.0.1.1:80\n",
        )]));
        let members: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Pool { members, .. } => Some(members.len()),
                _ => None,
            })
            .collect();
        assert_eq!(members, [1]);
        // Two servers left out, and the backend no frontend uses.
        let w: Vec<_> = f.warnings.iter().map(|w| w.origin.line).collect();
        assert_eq!(w, [2, 3, 1]);
    }

    #[test]
    fn a_backend_no_frontend_uses_is_sent_to_with_a_warning() {
        let f = read_facts(&host(&[(
            MAIN,
            "frontend fe\n bind 10.0.0.1:80\n default_backend be_web\nbackend be_web\n server w 10.0.1.1:80\nbackend be_app\n server a 10.0.2.10:8000\n",
        )]));
        let sends: Vec<&str> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Sends { pool: Some(p), .. } => Some(p.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(sends, ["be_web", "be_app"]);
        let w: Vec<String> = f.warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(
            w,
            ["backend be_app is used by no frontend: read as a link all the same"]
        );
    }

    #[test]
    fn no_config_no_facts() {
        let f = read_facts(&host(&[("/etc/nginx/nginx.conf", "events {}\n")]));
        assert!(f.facts.is_empty() && f.warnings.is_empty());
    }
}
