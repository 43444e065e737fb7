//! `nginx`: `/etc/nginx/conf.d/stackc.conf` (a server block per protocol
//! and certificate, an upstream per http(s) link, the health location) and
//! its play, which checks the file with `nginx -t` and puts the previous
//! one back when it fails.

use super::super::plan::CheckKind;
use super::super::stack::playbook::{self as pb, Node, Play, Task};
use super::super::text::hostport;
use super::super::writer::Out;
use super::http::{self, Backend, BackendServer};
use super::keepalived::SYSCTL;
use crate::model::{Kit, Protocol, Role, ServerId};
use serde::Serialize;

const NGINX_CONF: &str = "/etc/nginx/conf.d/stackc.conf";

/// The location nginx answers itself, for keepalived to probe on a pair
/// without `track`: the vip stays while nginx runs, whatever is behind it
/// (LANGUAGE.md §5.4: the holder is the first member up). With `track` the
/// probe is the health location, which passes the check on to the
/// applications, so the vip moves when they fail.
pub(super) const ALIVE_URI: &str = "/stackc-alive";

/// Whether `s`'s keepalived probes [`ALIVE_URI`]: a member of an
/// active-passive nginx pair without `track`.
pub(super) fn probes_alive(o: &Out<'_, '_>, s: ServerId) -> bool {
    let p = o.p;
    let nginx_checked =
        p.m.server(s)
            .roles
            .iter()
            .filter(|r| r.spec().serves_http)
            .max_by_key(|r| r.spec().tier)
            .is_some_and(|r| r.spec().kit == Kit::Nginx);
    p.vrrp_of(s)
        .is_some_and(|v| v.check == CheckKind::Http && !p.m.group(v.group).track)
        && nginx_checked
}

#[derive(Serialize)]
struct NginxConf<'a> {
    host: &'a str,
    root: String,
    health: String,
    /// [`ALIVE_URI`] on an untracked pair.
    alive: Option<&'static str>,
    upstreams: Vec<Upstream>,
    /// Where `/` and the health location proxy to: the first upstream.
    upstream: Option<UpstreamRef>,
    servers: Vec<ServerBlock>,
}

#[derive(Serialize)]
struct Upstream {
    name: String,
    /// `address:port` each.
    servers: Vec<String>,
}

#[derive(Serialize)]
struct UpstreamRef {
    name: String,
    scheme: &'static str,
    health: String,
}

#[derive(Serialize)]
struct ServerBlock {
    listens: Vec<String>,
    server_name: String,
    cert: Option<String>,
}

/// The static root of the stack's web servers.
fn root(stack: &str) -> String {
    format!("/var/www/{stack}")
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let m = p.m;
    let mut backends = http::backends(p, s, "up");
    // A box running nginx and the application, with no link between
    // them: nginx proxies to the local application.
    let local_app = m.server(s).roles.iter().find(|r| r.spec().runs_code);
    if let Some(app) = local_app.filter(|_| backends.is_empty()) {
        backends.push(Backend {
            name: "up_local_app".into(),
            servers: vec![BackendServer {
                name: m.server(s).name.clone(),
                addr: hostport(p.addr(s), p.port(s, app.spec().kit)),
            }],
            tls: false,
            health: http::health(p, s),
        });
    }
    let upstream = backends.first().map(|u| UpstreamRef {
        name: u.name.clone(),
        scheme: if u.tls { "https" } else { "http" },
        health: u.health.clone(),
    });
    let mut addrs = vec![p.addr(s)];
    if let Some(v) = p.vrrp_of(s).filter(|v| v.check == CheckKind::Http) {
        addrs.push(v.vip);
    }
    let ports = p.ports(s, Kit::Nginx);
    let listens = |proto: Protocol, suffix: &str| -> Vec<String> {
        let mut v = Vec::new();
        for a in &addrs {
            for (pr, port) in &ports {
                if *pr == proto {
                    v.push(format!("{}{suffix}", hostport(*a, *port)));
                }
            }
        }
        v
    };
    let mut servers = Vec::new();
    let http = listens(Protocol::Http, "");
    if !http.is_empty() {
        servers.push(ServerBlock {
            listens: http,
            server_name: "_".into(),
            cert: None,
        });
    }
    let https = listens(Protocol::Https, " ssl");
    if !https.is_empty() {
        let mut names = http::https_names(p, s);
        let fallback = names.is_empty();
        if fallback {
            names.push(m.server(s).name.clone());
        }
        for n in names {
            let cert = format!("/etc/nginx/certs/{n}.pem");
            o.cert(cert.clone());
            servers.push(ServerBlock {
                listens: https.clone(),
                server_name: if fallback { "_".to_string() } else { n },
                cert: Some(cert),
            });
        }
    }
    let upstreams = backends
        .into_iter()
        .map(|u| Upstream {
            name: u.name,
            servers: u.servers.into_iter().map(|x| x.addr).collect(),
        })
        .collect();
    let bytes = o.render(
        "nginx.conf",
        &NginxConf {
            host: &m.server(s).name,
            root: root(&p.stack),
            health: http::health(p, s),
            alive: probes_alive(o, s).then_some(ALIVE_URI),
            upstreams,
            upstream,
            servers,
        },
    );
    o.host_file(s, NGINX_CONF, bytes, 0o644, false);
}

pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let spec = Role::of_kit(Kit::Nginx).spec();
    let service = spec.service;
    let mut play = Play::new("Web servers (nginx)", format!("role_{}", spec.name));
    play.tasks.push(pb::install("Install nginx", spec.packages));
    let sysctl = o.host_files.iter().any(|f| f.iter().any(|x| x == SYSCTL));
    if sysctl {
        play.tasks
            .extend(super::keepalived::nonlocal_bind_tasks("nginx"));
    }
    play.tasks.push(pb::directory(
        "Static root",
        &root(&o.p.stack),
        "root",
        0o755,
    ));
    play.tasks.push(
        Task::new("Remove Debian's default site")
            .module(
                "ansible.builtin.file",
                vec![
                    ("path", Node::plain("/etc/nginx/sites-enabled/default")),
                    ("state", Node::plain("absent")),
                ],
            )
            .notify("Reload nginx"),
    );
    play.tasks.push(
        pb::copy_with(
            "Configure nginx",
            NGINX_CONF,
            0o644,
            vec![("backup", Node::bool(true))],
        )
        .with("register", Node::plain("stackc_nginx_conf"))
        .notify("Reload nginx"),
    );
    play.tasks.push(check_or_roll_back());
    play.tasks.push(pb::start("Start nginx", service));
    play.handlers
        .push(pb::service_handler("Reload nginx", service, "reloaded"));
    if sysctl {
        play.handlers.push(super::keepalived::sysctl_handler());
    }
    vec![play]
}

/// `nginx -t` reads every file of the configuration, not one: it runs
/// after the copy, and a failure puts the previous file back.
fn check_or_roll_back() -> Task {
    let check = Task::new("nginx -t")
        .with("ansible.builtin.command", Node::plain("nginx -t"))
        .with("changed_when", Node::bool(false));
    let put_back = Task::new("Put the previous configuration back")
        .module(
            "ansible.builtin.copy",
            vec![
                ("remote_src", Node::bool(true)),
                ("src", Node::quoted("{{ stackc_nginx_conf.backup_file }}")),
                ("dest", Node::plain(NGINX_CONF)),
                ("mode", Node::mode(0o644)),
            ],
        )
        .when("stackc_nginx_conf.backup_file is defined");
    let remove = Task::new("Remove the new configuration (there was none before)")
        .module(
            "ansible.builtin.file",
            vec![
                ("path", Node::plain(NGINX_CONF)),
                ("state", Node::plain("absent")),
            ],
        )
        .when("stackc_nginx_conf.backup_file is not defined");
    let stop = Task::new("Stop here").module(
        "ansible.builtin.fail",
        vec![(
            "msg",
            Node::plain(
                "nginx -t rejected the new configuration; the previous one is back in place",
            ),
        )],
    );
    Task::new("Check the configuration with nginx -t")
        .with("block", Node::Tasks(vec![check]))
        .with("rescue", Node::Tasks(vec![put_back, remove, stop]))
}
