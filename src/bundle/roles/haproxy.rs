//! `haproxy`: `/etc/haproxy/haproxy.cfg` (a frontend per protocol on the
//! vip or the host address, a backend per http(s) link, the monitor URI
//! keepalived probes) and its play.

use super::super::plan::CheckKind;
use super::super::stack::playbook::{self as pb, Node, Play};
use super::super::text::hostport;
use super::super::writer::Out;
use super::http::{self, Backend};
use super::keepalived::SYSCTL;
use crate::model::{Kit, Protocol, Role, ServerId};
use serde::Serialize;

/// keepalived probes HAProxy here, on the loopback address.
pub(super) const MONITOR_PORT: u16 = 8404;
pub(super) const MONITOR_URI: &str = "/stackc-monitor";
const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
const CERTS: &str = "/etc/haproxy/certs";

#[derive(Serialize)]
struct HaproxyCfg<'a> {
    host: &'a str,
    /// TLS anywhere (a frontend or a backend): the ssl defaults.
    tls: bool,
    monitor_port: u16,
    monitor_uri: &'static str,
    /// The `monitor fail` condition with `track` (empty: none).
    monitor_fail: String,
    frontends: Vec<Frontend>,
    default_backend: Option<String>,
    backends: Vec<Backend>,
}

#[derive(Serialize)]
struct Frontend {
    name: &'static str,
    binds: Vec<Bind>,
    /// Only redirects to https.
    redirect: bool,
    proto: &'static str,
}

#[derive(Serialize)]
struct Bind {
    addr: String,
    crts: Vec<String>,
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let vr = p.vrrp_of(s).filter(|v| v.check == CheckKind::Haproxy);
    let bind_ip = vr.map_or(p.addr(s), |v| v.vip);
    let ports = p.ports(s, Kit::Haproxy);
    let mut certs: Vec<String> = http::https_names(p, s)
        .iter()
        .map(|n| format!("{CERTS}/{n}.pem"))
        .collect();
    let of = |proto: Protocol| -> Vec<u16> {
        ports
            .iter()
            .filter(|(pr, _)| *pr == proto)
            .map(|(_, port)| *port)
            .collect()
    };
    let (http, https) = (of(Protocol::Http), of(Protocol::Https));
    if !https.is_empty() && certs.is_empty() {
        let who = match p.m.server(s).group {
            Some(g) if vr.is_some() => p.m.group(g).name.clone(),
            _ => p.m.server(s).name.clone(),
        };
        certs.push(format!("{CERTS}/{who}.pem"));
    }
    let binds = |ports: &[u16], crts: &[String]| -> Vec<Bind> {
        ports
            .iter()
            .map(|port| Bind {
                addr: hostport(bind_ip, *port),
                crts: crts.to_vec(),
            })
            .collect()
    };
    let mut frontends = Vec::new();
    if !http.is_empty() {
        frontends.push(Frontend {
            name: "fe_http",
            binds: binds(&http, &[]),
            redirect: false,
            proto: "http",
        });
    } else if !https.is_empty() && !https.contains(&80) {
        frontends.push(Frontend {
            name: "fe_http",
            binds: binds(&[80], &[]),
            redirect: true,
            proto: "http",
        });
    }
    if !https.is_empty() {
        frontends.push(Frontend {
            name: "fe_https",
            binds: binds(&https, &certs),
            redirect: false,
            proto: "https",
        });
    }
    let backends = http::backends(p, s, "be");
    let track = p.m.server(s).group.is_some_and(|g| p.m.group(g).track) && vr.is_some();
    let monitor_fail = if track {
        backends
            .iter()
            .map(|b| format!("{{ nbsrv({}) lt 1 }}", b.name))
            .collect::<Vec<_>>()
            .join(" or ")
    } else {
        String::new()
    };
    for c in &certs {
        o.cert(c.clone());
    }
    let bytes = o.render(
        "haproxy.cfg",
        &HaproxyCfg {
            host: &p.m.server(s).name,
            tls: !https.is_empty() || backends.iter().any(|b| b.tls),
            monitor_port: MONITOR_PORT,
            monitor_uri: MONITOR_URI,
            monitor_fail,
            frontends,
            default_backend: backends.first().map(|b| b.name.clone()),
            backends,
        },
    );
    o.host_file(s, HAPROXY_CFG, bytes, 0o644, false);
}

pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let spec = Role::of_kit(Kit::Haproxy).spec();
    let service = spec.service;
    let mut play = Play::new("Load balancers (HAProxy)", format!("role_{}", spec.name));
    play.tasks
        .push(pb::install("Install HAProxy", spec.packages));
    let sysctl = o.host_files.iter().any(|f| f.iter().any(|x| x == SYSCTL));
    if sysctl {
        play.tasks
            .extend(super::keepalived::nonlocal_bind_tasks("HAProxy"));
    }
    if o.certs.iter().any(|c| c.starts_with(CERTS)) {
        play.tasks.push(pb::directory(
            "Directory of the certificates (put each PEM, certificate and key, there first)",
            CERTS,
            "haproxy",
            0o750,
        ));
    }
    play.tasks.push(
        pb::copy_with(
            "Configure HAProxy (checked with haproxy -c first)",
            HAPROXY_CFG,
            0o644,
            vec![("validate", Node::plain("haproxy -c -f %s"))],
        )
        .notify("Reload HAProxy"),
    );
    play.tasks.push(pb::start("Start HAProxy", service));
    play.handlers
        .push(pb::service_handler("Reload HAProxy", service, "reloaded"));
    if sysctl {
        play.handlers.push(super::keepalived::sysctl_handler());
    }
    vec![play]
}
