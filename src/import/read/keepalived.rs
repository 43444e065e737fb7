//! The keepalived reader: `/etc/keepalived/keepalived.conf` and the files
//! its `include`s name (see [`super::keepalived_conf`] for the language).
//!
//! Each `vrrp_instance` becomes one [`Fact::Vrrp`] at its line:
//!
//! - `vips`: the addresses of `virtual_ipaddress` (and
//!   `virtual_ipaddress_excluded`), `/prefix`, `dev`, `label`... dropped;
//! - `priority`: as written (keepalived's default 100 when absent; a
//!   `state` is not a priority and is not read);
//! - `peers`: the `unicast_peer` addresses (empty with multicast);
//! - `track`: from the `vrrp_script`s its `track_script` names (a
//!   `track_process` watches the local process):
//!   - [`Track::Backends`] when a script checks the backends: it probes an
//!     HAProxy `monitor-uri` of this host that has a `monitor fail`
//!     condition (what the bundle writes for `track`: the monitor fails
//!     when a backend has no server up), or asks HAProxy's stats socket
//!     about its servers (`show stat`, `show servers`, `nbsrv`);
//!   - [`Track::LocalOnly`] when it only checks the local daemon: `killall
//!     -0`, `pidof`, `pgrep`, `systemctl is-active`, `service ... status`,
//!     an HTTP probe (curl, wget) of anything else, a database's ping
//!     (`pg_isready`, `redis-cli ... ping`, `mysqladmin ping`); a script
//!     the reader cannot tell is read as this too, with a warning;
//!   - [`Track::None`] without `track_script`/`track_process`.
//!
//! An instance's `unicast_src_ip` is the host's own address: a
//! [`Fact::Address`] at its line (before the instance's `Vrrp`).
//!
//! A script given as a file of the host (`script "/usr/local/bin/chk.sh"`)
//! is judged by that file's text.

use super::keepalived_conf::{self, Parsed, Stmt};
use crate::import::facts::{Fact, Facts, Track};
use crate::import::tree::{Entry, HostFiles};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub const MAIN: &str = "/etc/keepalived/keepalived.conf";

fn parsed(h: &HostFiles) -> Option<Parsed> {
    h.text(MAIN).map(|t| keepalived_conf::parse(h, MAIN, t))
}

/// Every `virtual_ipaddress` of the host's keepalived config: the other
/// readers leave them out of the host's own addresses.
pub fn vips(h: &HostFiles) -> Vec<IpAddr> {
    let Some(p) = parsed(h) else {
        return Vec::new();
    };
    p.top
        .iter()
        .filter(|s| s.key() == "vrrp_instance")
        .flat_map(|s| instance_vips(s).0)
        .collect()
}

/// The first word of each line of a block, as addresses (`10.0.0.1/24`
/// is `10.0.0.1`); the lines that are not addresses.
fn addresses(block: &Stmt) -> (Vec<IpAddr>, Vec<&Stmt>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for s in block.children() {
        let a = s.key().split('/').next().unwrap_or("");
        match a.parse::<IpAddr>() {
            Ok(ip) => ok.push(ip),
            Err(_) => bad.push(s),
        }
    }
    (ok, bad)
}

fn instance_vips(inst: &Stmt) -> (Vec<IpAddr>, Vec<&Stmt>) {
    let mut vips = Vec::new();
    let mut bad = Vec::new();
    for s in inst.children() {
        if matches!(s.key(), "virtual_ipaddress" | "virtual_ipaddress_excluded") {
            let (ok, b) = addresses(s);
            vips.extend(ok);
            bad.extend(b);
        }
    }
    (vips, bad)
}

/// `http://127.0.0.1:8404/path` -> (port, path).
fn url_port_path(url: &str) -> Option<(Option<u16>, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let port = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.contains(']') => p.parse().ok(),
        _ => None,
    }
    .or(match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    });
    let path = path.split(['?', '#']).next().unwrap_or("").to_string();
    Some((port, if path.is_empty() { "/".into() } else { path }))
}

/// What a local URL a check probes tells: (ports, path, it fails when
/// the backends do). The host's HAProxy monitor URIs (with `monitor
/// fail`: they fail), and the paths its nginx passes on to what is behind
/// it (they fail when nothing behind answers).
type Monitors = Vec<(Vec<Option<u16>>, String, bool)>;

fn monitors(h: &HostFiles) -> Monitors {
    let passed = super::nginx::passed_paths(h)
        .into_iter()
        .map(|(ports, path)| (ports, path, true));
    let mut out: Monitors = super::haproxy::config(h)
        .map(|c| {
            c.proxies
                .iter()
                .filter_map(|p| {
                    let uri = p.monitor_uri.clone()?;
                    Some((
                        p.binds.iter().map(|b| b.port).collect(),
                        uri,
                        p.monitor_fail,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    out.extend(passed);
    out
}

/// What a check script watches; `None` when the reader cannot tell.
fn classify(text: &str, monitors: &Monitors) -> Option<Track> {
    const BACKENDS: &[&str] = &["nbsrv", "show stat", "show servers", "show backend"];
    if BACKENDS.iter().any(|m| text.contains(m)) {
        return Some(Track::Backends);
    }
    for w in text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        if let Some((port, path)) = url_port_path(w) {
            let hit = monitors.iter().find(|(ports, uri, _)| {
                *uri == path && (ports.contains(&port) || ports.is_empty())
            });
            if let Some((_, _, fails)) = hit {
                return Some(if *fails {
                    Track::Backends
                } else {
                    Track::LocalOnly
                });
            }
        }
    }
    const LOCAL: &[&str] = &[
        "killall",
        "pidof",
        "pgrep",
        "systemctl",
        "service ",
        "curl",
        "wget",
        "pg_isready",
        "redis-cli",
        "mysqladmin",
        "mysql ",
        "mariadb-admin",
        "nc ",
        "/proc/",
        "test ",
        "[ ",
    ];
    LOCAL
        .iter()
        .any(|m| text.contains(m))
        .then_some(Track::LocalOnly)
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    match h.get(MAIN) {
        None => return,
        Some(Entry::Skipped(why)) => {
            facts.warn(
                super::origin(h, MAIN, 0),
                format!("keepalived config not read: {why}"),
            );
            return;
        }
        Some(Entry::Text(_)) => {}
    }
    let Some(p) = parsed(h) else {
        return;
    };
    let at = |s: &Stmt| super::origin(h, &p.files[s.file], s.line);
    for (file, line, message) in &p.problems {
        facts.warn(super::origin(h, &p.files[*file], *line), message.clone());
    }
    // The scripts by name: their command and what it watches.
    let mut scripts: BTreeMap<&str, (&Stmt, Option<Track>)> = BTreeMap::new();
    let monitors = monitors(h);
    for s in p.top.iter().filter(|s| s.key() == "vrrp_script") {
        let Some(name) = s.words.get(1) else {
            continue;
        };
        let command = s
            .children()
            .iter()
            .find(|c| c.key() == "script")
            .map(|c| c.words[1..].join(" "))
            .unwrap_or_default();
        // A script file of the host: judge its text.
        let file = command
            .split_whitespace()
            .next()
            .and_then(|path| h.text(path))
            .unwrap_or("");
        let track = classify(&format!("{command}\n{file}"), &monitors);
        scripts.insert(name.as_str(), (s, track));
    }
    for s in p.top.iter() {
        match s.key() {
            "vrrp_instance" => instance(s, &scripts, &at, facts),
            "virtual_server" | "virtual_server_group" => facts.warn(
                at(s),
                "an LVS `virtual_server`: not read (stackc models HAProxy and nginx balancers)",
            ),
            _ => {}
        }
    }
}

fn instance(
    s: &Stmt,
    scripts: &BTreeMap<&str, (&Stmt, Option<Track>)>,
    at: &dyn Fn(&Stmt) -> crate::import::facts::Origin,
    facts: &mut Facts,
) {
    let name = s.words.get(1).cloned().unwrap_or_default();
    let (vips, bad) = instance_vips(s);
    for b in bad {
        facts.warn(
            at(b),
            format!("`{}` is not an address: left out of the vips", b.key()),
        );
    }
    let mut priority = 100u8;
    let mut peers = Vec::new();
    let mut promotes = false;
    let mut track = Track::None;
    let mut watch = |t: Track| {
        if t == Track::Backends || track == Track::None {
            track = t;
        }
    };
    for c in s.children() {
        match c.key() {
            "priority" => match c.words.get(1).and_then(|p| p.parse::<u16>().ok()) {
                Some(p) => priority = p.clamp(1, 255) as u8,
                None => facts.warn(at(c), "a `priority` that is not a number: 100 assumed"),
            },
            "unicast_peer" => {
                let (ok, bad) = addresses(c);
                peers.extend(ok);
                for b in bad {
                    facts.warn(at(b), format!("`{}` is not a peer address", b.key()));
                }
            }
            "unicast_src_ip" => match c.words.get(1).and_then(|a| a.parse::<IpAddr>().ok()) {
                Some(a) => facts.add(Fact::Address(a), at(c)),
                None => facts.warn(at(c), "a `unicast_src_ip` that is not an address"),
            },
            "track_process" => watch(Track::LocalOnly),
            // A script run on becoming MASTER: the store it fronts is
            // promoted (the bundle's stackc-promote.sh), `failover=auto`.
            "notify_master" if c.words.len() > 1 => promotes = true,
            "track_script" => {
                // `track_script { NAME [weight W] }`, or `track_script NAME`.
                let names: Vec<&Stmt> = c.children().iter().collect();
                let inline = c.words.get(1).map(String::as_str);
                for n in names
                    .iter()
                    .map(|n| (n.key(), *n))
                    .chain(inline.map(|n| (n, c)))
                {
                    match scripts.get(n.0) {
                        Some((_, Some(t))) => watch(*t),
                        Some((script, None)) => {
                            facts.warn(
                                at(script),
                                format!(
                                    "cannot tell what the check `{}` watches: read as checking only the local daemon (no `track`)",
                                    n.0
                                ),
                            );
                            watch(Track::LocalOnly);
                        }
                        None => facts.warn(
                            at(n.1),
                            format!("`track_script {}` names no `vrrp_script`", n.0),
                        ),
                    }
                }
            }
            _ => {}
        }
    }
    if vips.is_empty() {
        facts.warn(
            at(s),
            format!("vrrp_instance {name} has no virtual_ipaddress"),
        );
    }
    facts.add(
        Fact::Vrrp {
            instance: name,
            vips,
            priority,
            peers,
            track,
            promotes,
        },
        at(s),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(files: &[(&str, &str)]) -> HostFiles {
        HostFiles::with_texts("lb-01", files)
    }

    fn vrrp(h: &HostFiles) -> (Vec<(Fact, u32)>, Vec<String>) {
        let mut f = Facts::default();
        read(h, &mut f);
        (
            f.facts.into_iter().map(|(_, x, o)| (x, o.line)).collect(),
            f.warnings.iter().map(|w| w.to_string()).collect(),
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn track_of(check: &str, extra: &[(&str, &str)]) -> (Track, Vec<String>) {
        let conf = format!(
            "vrrp_script chk {{\n  script \"{check}\"\n}}\nvrrp_instance VI_1 {{\n  virtual_ipaddress {{\n    10.0.0.100\n  }}\n  track_script {{\n    chk weight -20\n  }}\n}}\n"
        );
        let mut files = vec![(MAIN, conf.as_str())];
        files.extend_from_slice(extra);
        let (facts, w) = vrrp(&host(&files));
        match &facts[0].0 {
            Fact::Vrrp { track, .. } => (*track, w),
            f => panic!("{f:?}"),
        }
    }

    #[test]
    fn an_instance_with_vips_peers_priority() {
        let (facts, w) = vrrp(&host(&[(
            MAIN,
            "! Configuration File for keepalived\nglobal_defs {\n   router_id LB1\n}\n\nvrrp_instance VI_1 {\n\tstate MASTER\n\tinterface eth0\n\tvirtual_router_id 51\n\tpriority 101   # the primary\n\tunicast_src_ip 10.0.0.11\n\tunicast_peer {\n\t\t10.0.0.12\n\t}\n\tvirtual_ipaddress {\n\t\t203.0.113.20/32 dev eth0 label eth0:1\n\t\t2001:db8::20/64\n\t}\n\tnotify \"/usr/local/bin/notify.sh x\"\n}\n",
        )]));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            facts,
            [
                (Fact::Address(ip("10.0.0.11")), 11),
                (
                    Fact::Vrrp {
                        instance: "VI_1".into(),
                        vips: vec![ip("203.0.113.20"), ip("2001:db8::20")],
                        priority: 101,
                        peers: vec![ip("10.0.0.12")],
                        track: Track::None,
                        promotes: false,
                    },
                    6
                ),
            ]
        );
    }

    #[test]
    fn local_only_checks() {
        for check in [
            "/usr/bin/killall -0 haproxy",
            "pidof nginx",
            "/bin/systemctl is-active --quiet haproxy",
            "/usr/bin/curl -fs http://127.0.0.1/healthz",
            "/usr/lib/postgresql/15/bin/pg_isready -q -t 1 -h 10.0.5.11 -p 5432",
            "/usr/bin/redis-cli -h 10.0.4.11 -e ping",
        ] {
            assert_eq!(track_of(check, &[]), (Track::LocalOnly, vec![]), "{check}");
        }
    }

    #[test]
    fn the_monitor_uri_decides_with_monitor_fail() {
        let curl = "/usr/bin/curl -fsS -g -o /dev/null -m 1 http://127.0.0.1:8404/stackc-monitor";
        let cfg = |fail: &str| {
            format!("frontend mon\n bind 127.0.0.1:8404\n monitor-uri /stackc-monitor\n{fail}")
        };
        let with = cfg(" monitor fail if { nbsrv(be_web) lt 1 }\n");
        let without = cfg("");
        assert_eq!(
            track_of(curl, &[("/etc/haproxy/haproxy.cfg", &with)]).0,
            Track::Backends
        );
        assert_eq!(
            track_of(curl, &[("/etc/haproxy/haproxy.cfg", &without)]).0,
            Track::LocalOnly
        );
        assert_eq!(
            track_of(
                "/bin/sh -c 'echo show stat | socat stdio /run/haproxy/admin.sock | grep -q UP'",
                &[]
            )
            .0,
            Track::Backends
        );
    }

    #[test]
    fn an_nginx_location_that_passes_the_request_on_watches_the_backends() {
        // As the bundle writes an nginx pair: the health location passes
        // the probe to the applications; /stackc-alive is nginx's own.
        let conf = "upstream up_app {\n server 10.0.2.11:8000;\n}\nserver {\n listen 10.0.1.11:80;\n location = /healthz {\n  proxy_pass http://up_app/healthz;\n }\n location = /stackc-alive {\n  return 200 \"ok\\n\";\n }\n}\n";
        let nginx = [("/etc/nginx/conf.d/stackc.conf", conf)];
        let probe = |path: &str| {
            track_of(
                &format!("/usr/bin/curl -fsS -m 1 http://10.0.1.11:80{path}"),
                &nginx,
            )
            .0
        };
        assert_eq!(probe("/healthz"), Track::Backends);
        assert_eq!(probe("/stackc-alive"), Track::LocalOnly);
        // Another port is not that server.
        assert_eq!(
            track_of("/usr/bin/curl -fsS http://10.0.1.11:8080/healthz", &nginx).0,
            Track::LocalOnly
        );
    }

    #[test]
    fn a_script_file_is_read_and_an_unknown_one_warned() {
        assert_eq!(
            track_of(
                "/etc/keepalived/chk.sh",
                &[(
                    "/etc/keepalived/chk.sh",
                    "#!/bin/sh\nexec killall -0 haproxy\n"
                )]
            )
            .0,
            Track::LocalOnly
        );
        let (t, w) = track_of("/opt/magic", &[]);
        assert_eq!(t, Track::LocalOnly);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("lb-01:/etc/keepalived/keepalived.conf:1: cannot tell"),
            "{w:?}"
        );
    }

    #[test]
    fn includes_missing_scripts_and_bad_lines_warn() {
        let (facts, w) = vrrp(&host(&[
            (MAIN, "include /etc/keepalived/conf.d/*.conf\n"),
            (
                "/etc/keepalived/conf.d/lb.conf",
                "vrrp_instance lb {\n  priority x\n  virtual_ipaddress {\n    eth0\n  }\n  track_script {\n    nope\n  }\n}\nvirtual_server 10.0.0.1 80 {\n}\n",
            ),
        ]));
        assert!(
            matches!(&facts[0], (Fact::Vrrp { priority: 100, vips, .. }, 1) if vips.is_empty())
        );
        let p = "lb-01:/etc/keepalived/conf.d/lb.conf";
        assert_eq!(
            w,
            [
                format!("{p}:4: `eth0` is not an address: left out of the vips"),
                format!("{p}:2: a `priority` that is not a number: 100 assumed"),
                format!("{p}:7: `track_script nope` names no `vrrp_script`"),
                format!("{p}:1: vrrp_instance lb has no virtual_ipaddress"),
                format!("{p}:10: an LVS `virtual_server`: not read (stackc models HAProxy and nginx balancers)"),
            ]
        );
    }

    #[test]
    fn a_large_config_is_read_in_linear_time() {
        let n = 5_000;
        let mut conf = String::new();
        for i in 0..n {
            conf += &format!(
                "vrrp_script c{i} {{\n script \"pidof x{i}\"\n}}\nvrrp_instance v{i} {{\n priority 100\n virtual_ipaddress {{\n  10.2.{}.{}\n }}\n track_script {{\n  c{i}\n }}\n}}\n",
                i / 250,
                i % 250
            );
        }
        let t = std::time::Instant::now();
        let (facts, w) = vrrp(&host(&[(MAIN, &conf)]));
        assert!(w.is_empty());
        assert_eq!(facts.len(), n);
        assert!(facts.iter().all(|(f, _)| matches!(
            f,
            Fact::Vrrp {
                track: Track::LocalOnly,
                ..
            }
        )));
        eprintln!("{} lines read in {:?}", conf.lines().count(), t.elapsed());
    }

    #[test]
    fn vips_for_the_other_readers() {
        let h = host(&[(
            MAIN,
            "vrrp_instance a {\n virtual_ipaddress {\n  10.0.0.10/24\n }\n}\nvrrp_instance b {\n virtual_ipaddress {\n  10.0.0.20\n }\n}\n",
        )]);
        assert_eq!(vips(&h), [ip("10.0.0.10"), ip("10.0.0.20")]);
        assert!(vips(&host(&[])).is_empty());
    }
}
