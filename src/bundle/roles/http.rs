//! What HAProxy and nginx share: the backends behind a server's http(s)
//! links, the names its https records give its certificates, health paths.

use super::super::plan::Plan;
use super::super::text::{domain, hostport};
use crate::model::{Protocol, ServerId, Target};
use serde::Serialize;
use std::collections::HashSet;
use std::net::IpAddr;

/// The path a server answers health checks on.
pub(in crate::bundle) fn health(p: &Plan<'_>, s: ServerId) -> String {
    p.m.server(s)
        .health
        .clone()
        .unwrap_or_else(|| "/healthz".to_string())
}

/// The servers behind one http(s) link (a HAProxy backend, an nginx
/// upstream).
#[derive(Clone, Debug, Serialize)]
pub(super) struct Backend {
    pub name: String,
    pub servers: Vec<BackendServer>,
    /// Some target speaks https: the proxy re-encrypts.
    pub tls: bool,
    /// The health path of the first target.
    pub health: String,
}

#[derive(Clone, Debug, Serialize)]
pub(super) struct BackendServer {
    pub name: String,
    /// `address:port`.
    pub addr: String,
}

/// The servers behind a target, as (name, address): the group's name for
/// its vip.
fn target_servers(p: &Plan<'_>, t: Target, protocol: Protocol) -> Vec<(String, IpAddr)> {
    let m = p.m;
    let eps = p.endpoints(t, protocol, false);
    match t {
        Target::Server(s) => vec![(m.server(s).name.clone(), eps[0])],
        Target::Group(g) => {
            let grp = m.group(g);
            if eps.len() == 1 && !grp.members.iter().any(|s| p.addr(*s) == eps[0]) {
                vec![(grp.name.clone(), eps[0])]
            } else {
                grp.members
                    .iter()
                    .map(|s| (m.server(*s).name.clone(), p.addr(*s)))
                    .collect()
            }
        }
    }
}

/// Records reaching a server over https: their names, for certificates.
pub(super) fn https_names(p: &Plan<'_>, s: ServerId) -> Vec<String> {
    let m = p.m;
    let mut out = Vec::new();
    for r in &m.records {
        for t in &r.targets {
            if t.protocol == Protocol::Https && m.target_members(&t.target).contains(&s) {
                let name = domain(&r.subject);
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// The links that leave a server over http(s): a backend each, named
/// `PREFIX_TARGETS` (made unique), without those whose targets are only
/// empty groups.
pub(super) fn backends(p: &Plan<'_>, s: ServerId, prefix: &str) -> Vec<Backend> {
    let m = p.m;
    let mut out: Vec<Backend> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for l in m.links.iter().filter(|l| l.from.contains(&s)) {
        let targets: Vec<_> = l.targets.iter().filter(|t| t.protocol.is_http()).collect();
        if targets.is_empty() {
            continue;
        }
        let base = format!(
            "{prefix}_{}",
            targets
                .iter()
                .map(|t| m.target_name(t.target))
                .collect::<Vec<_>>()
                .join("_")
        );
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(name.clone());
        let mut servers = Vec::new();
        let mut seen = HashSet::new();
        for t in &targets {
            for (sname, ip) in target_servers(p, t.target, t.protocol) {
                let addr = hostport(ip, t.port);
                if seen.insert(addr.clone()) {
                    servers.push(BackendServer { name: sname, addr });
                }
            }
        }
        if servers.is_empty() {
            // Only empty groups behind this link: nothing to send to.
            continue;
        }
        let health = targets
            .iter()
            .find_map(|t| m.target_members(&t.target).first())
            .map_or_else(|| "/healthz".to_string(), |s| health(p, *s));
        out.push(Backend {
            name,
            servers,
            tls: targets.iter().any(|t| t.protocol == Protocol::Https),
            health,
        });
    }
    out
}
