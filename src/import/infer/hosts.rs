//! Hosts to servers: names, addresses, roles, attributes; and the shared
//! attributes of a group's members moved to the group.

use super::{Attr, Notes, Server, Topology};
use crate::import::facts::{Fact, Facts, Origin, Target};
use crate::import::inventory::Inventory;
use crate::model::{Role, RoleSet};
use std::collections::HashMap;
use std::net::IpAddr;

/// What the later steps look up.
#[derive(Default)]
pub(super) struct Ctx {
    /// Address -> the server that owns it.
    pub owner: HashMap<IpAddr, usize>,
    /// Per server: it serves TLS (an `ssl crt` bind, `listen ... ssl`).
    pub tls: Vec<bool>,
    /// Per server: the first origin that names it (for warnings).
    pub origin: Vec<Origin>,
}

impl Ctx {
    /// The server a target names: an owned address or a host's name.
    pub fn host(&self, t: &Topology, target: &Target) -> Option<usize> {
        match target {
            Target::Addr(ip, _) => self.owner.get(ip).copied(),
            Target::Name(n, _) => t.server(n).or_else(|| {
                // `db-01.internal` for the host `db-01`.
                let short = n.split('.').next()?;
                t.server(short)
            }),
        }
    }
}

/// The variables of a bundle's inventory that are `.stack` attributes.
const INVENTORY_ATTRS: &[(&str, &str)] = &[("stackc_zone", "zone"), ("stackc_monitor", "monitor")];

/// Inventory variables that are `.stack` flags when true (the bundle
/// writes none of them today: an operator may).
const INVENTORY_FLAGS: &[(&str, &str)] = &[("stackc_firewall", "firewall")];

pub(super) fn servers(t: &mut Topology, facts: &Facts, inv: Option<&Inventory>) -> Ctx {
    let mut ctx = Ctx::default();
    // A VRRP vip is its group's, never a host's own address.
    let vips: Vec<IpAddr> = facts
        .facts
        .iter()
        .filter_map(|(_, f, _)| match f {
            Fact::Vrrp { vips, .. } => Some(vips.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    // Hosts in the order their facts come (the tree's order).
    let mut order: Vec<&str> = Vec::new();
    let mut of_host: HashMap<&str, Vec<(&Fact, &Origin)>> = HashMap::new();
    for (h, f, o) in &facts.facts {
        if h.is_empty() || h == "dns" {
            continue;
        }
        let e = of_host.entry(h.as_str()).or_default();
        if e.is_empty() {
            order.push(h);
        }
        e.push((f, o));
    }
    let all_hosts: std::collections::HashSet<&str> = order.iter().copied().collect();
    for host in order {
        let mut roles: Vec<Role> = Vec::new();
        let mut notes = Notes::default();
        let mut addrs: Vec<(IpAddr, Origin)> = Vec::new();
        let mut attrs: Vec<Attr> = Vec::new();
        let mut tls = false;
        let mut facts_ports: Vec<(Role, crate::model::Protocol, u16)> = Vec::new();
        let mut first = None;
        let mut names_records = false;
        for (f, o) in of_host.remove(host).unwrap_or_default() {
            first.get_or_insert_with(|| o.clone());
            match f {
                Fact::Runs(r) => {
                    if !roles.contains(r) {
                        roles.push(*r);
                    }
                    notes.add(o);
                }
                Fact::Address(ip) if !vips.contains(ip) => addrs.push((*ip, o.clone())),
                Fact::Record { .. } => names_records = true,
                Fact::Serves {
                    role,
                    protocol,
                    port,
                    tls: is_tls,
                    ..
                } => {
                    tls |= *is_tls;
                    facts_ports.push((*role, *protocol, *port));
                }
                Fact::Unrouted { name } => {
                    let msg = format!(
                        "{host}: the frontend `{name}` has no backend (no default_backend or use_backend): no link from it"
                    );
                    notes.warnings.push(msg.clone());
                    t.warnings.push(crate::import::Warning::new(o.clone(), msg));
                }
                Fact::Attribute { key, value } if !attrs.iter().any(|a| a.key == *key) => {
                    attrs.push(Attr::new(key, value.as_deref()));
                    notes.add(o);
                }
                _ => {}
            }
        }
        let first = first.unwrap_or_else(|| Origin::new(host, "", 0));
        if roles.is_empty() && names_records {
            // A name server: its zones give records, it is no server of
            // the stack.
            continue;
        }
        if roles.is_empty() {
            t.warnings.push(crate::import::Warning::new(
                first,
                format!(
                    "{host}: no daemon stackc knows runs here (no config it reads): not imported"
                ),
            ));
            continue;
        }
        // The roles table's order, so `nginx+app` reads the same each time.
        roles.sort_by_key(|r| Role::all().position(|q| q == *r));
        // `port=` when the main role listens elsewhere than its default.
        let mut set = RoleSet::default();
        for r in &roles {
            set.insert(*r);
        }
        if let Some(main) = set.main() {
            let spec = main.spec();
            let port = facts_ports
                .iter()
                .find(|(r, p, _)| *r == main && *p == spec.protocol());
            if let Some((_, _, port)) = port {
                if *port != spec.port() && !attrs.iter().any(|a| a.key == "port") {
                    attrs.push(Attr::new("port", Some(&port.to_string())));
                }
            }
        }
        let ih = inv.and_then(|i| i.host(host));
        let mut address = ih.and_then(|h| h.address);
        if let Some(ih) = ih {
            notes.add(&Origin::new(
                "",
                &inv.map(|i| i.path.clone()).unwrap_or_default(),
                ih.line,
            ));
            for (var, key) in INVENTORY_FLAGS {
                if ih
                    .vars
                    .get(*var)
                    .is_some_and(|v| matches!(v.as_str(), "true" | "yes" | "1" | "True"))
                    && !attrs.iter().any(|a| a.key == *key)
                {
                    attrs.push(Attr::new(key, None));
                }
            }
            for (var, key) in INVENTORY_ATTRS {
                if let Some(v) = ih.vars.get(*var) {
                    attrs.retain(|a| a.key != *key);
                    attrs.push(Attr::new(key, Some(v)));
                }
            }
        }
        if address.is_none() {
            if let Some((ip, o)) = addrs.first() {
                address = Some(*ip);
                notes.add(o);
            }
        }
        let i = t.servers.len();
        for (ip, o) in &addrs {
            match ctx.owner.get(ip) {
                Some(other) if *other != i => {
                    let msg = format!(
                        "{host} and {} both bind {ip}: it is taken as {}'s",
                        t.servers[*other].name, t.servers[*other].name
                    );
                    notes.warnings.push(msg.clone());
                    t.warnings.push(crate::import::Warning::new(o.clone(), msg));
                }
                Some(_) => {}
                None => {
                    ctx.owner.insert(*ip, i);
                }
            }
        }
        if let Some(a) = address {
            ctx.owner.insert(a, i);
        }
        // Zones in the order they first appear.
        for a in &attrs {
            if a.key == "zone" {
                if let Some(z) = &a.value {
                    if !t.zones.contains(z) {
                        t.zones.push(z.clone());
                    }
                }
            }
        }
        ctx.tls.push(tls);
        ctx.origin.push(first);
        let mut name = server_name(host, &all_hosts);
        if t.server(&name).is_some() {
            // Two FQDNs with one first label: the whole name.
            name = server_name(host, &std::collections::HashSet::from([name.as_str()]));
        }
        if name != host {
            let msg = format!("the host `{host}` is `{name}` (a `.stack` name has no dots)");
            notes.warnings.push(msg.clone());
            t.warnings
                .push(crate::import::Warning::new(Origin::new(host, "/", 0), msg));
        }
        t.alias(host, i);
        t.push_server(Server {
            name,
            roles,
            address,
            attrs,
            group: None,
            notes,
        });
    }
    if let Some(inv) = inv {
        for w in &inv.warnings {
            t.warnings.push(w.clone());
        }
    }
    ctx
}

/// The attributes every member of a group shares move to the group.
pub(super) fn hoist(t: &mut Topology) {
    for g in 0..t.groups.len() {
        let members = t.groups[g].members.clone();
        let Some(first) = members.first() else {
            continue;
        };
        let shared: Vec<Attr> = t.servers[*first]
            .attrs
            .iter()
            .filter(|a| a.key != "zone" && members.iter().all(|m| t.servers[*m].attrs.contains(a)))
            .cloned()
            .collect();
        for m in &members {
            t.servers[*m].attrs.retain(|a| !shared.contains(a));
        }
        for a in shared {
            if !t.groups[g].attrs.iter().any(|b| b.key == a.key) {
                t.groups[g].attrs.push(a);
            }
        }
    }
}

/// A host's `.stack` name: its own when it is one; an FQDN's first label
/// (`web-01.prod.example` -> `web-01`) unless another host has it; else
/// the name with every other character as `-`.
fn server_name(host: &str, hosts: &std::collections::HashSet<&str>) -> String {
    let ok = |n: &str| {
        n.len() <= 63
            && n.starts_with(|c: char| c.is_ascii_alphabetic())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if ok(host) {
        return host.to_string();
    }
    let first = host.split('.').next().unwrap_or("");
    if ok(first) && !hosts.contains(first) && first != host {
        return first.to_string();
    }
    let mut n: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n = format!("h-{n}");
    }
    n.chars().take(63).collect()
}
