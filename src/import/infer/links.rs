//! Requests to links, zone files to records.

use super::hosts::Ctx;
use super::{Attr, Domain, GroupKind, Link, Notes, Record, Server, Topology};
use crate::import::facts::{Fact, Facts, Origin, PoolMember, Target};
use crate::model::{Kit, Protocol, Role, RoleSet};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

/// Where one `Sends` goes: a group, or servers (one of them).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum To {
    Group(usize),
    Servers(Vec<usize>),
}

/// The group that holds `ip` as its vip.
fn vip_group(t: &Topology, ip: IpAddr) -> Option<usize> {
    t.groups.iter().position(|g| g.vip == Some(ip))
}

/// A server of a replicated group is reached through its group when `p`
/// is the group's data protocol and it writes (the bundle's apps send writes to the
/// primary's address; `-> db` and `-> db-01` route alike, LANGUAGE.md
/// §5.4). Anything else sent to a member's own address (an upstream of
/// one member of a pair) is sent to that member: the pair is its vip.
fn through_group(t: &Topology, s: usize, p: Protocol, read: bool) -> To {
    match t.servers[s].group {
        Some(g) if t.groups[g].kind == GroupKind::Replicated && p.is_data() && !read => {
            To::Group(g)
        }
        _ => To::Servers(vec![s]),
    }
}

/// The servers of `members` as a target: their group when they are all
/// of a pool, or of a replicated group spoken to in its data protocol (a
/// pair's members by their own addresses are not the pair: "one of them"
/// is not "the holder").
fn as_target(t: &Topology, mut ids: Vec<usize>, p: Protocol, read: bool) -> To {
    ids.sort_unstable();
    ids.dedup();
    for (g, grp) in t.groups.iter().enumerate() {
        let same_kind = match grp.kind {
            GroupKind::Pool => true,
            GroupKind::Replicated => p.is_data(),
            GroupKind::ActivePassive => false,
        };
        let mut m = grp.members.clone();
        m.sort_unstable();
        if same_kind && m == ids {
            return To::Group(g);
        }
    }
    if ids.len() == 1 {
        return through_group(t, ids[0], p, read);
    }
    To::Servers(ids)
}

/// The name an external service gets from its DNS name:
/// `api.payments.example` -> `payments`.
fn external_name(host: &str) -> String {
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    let body = if labels.len() > 1 {
        &labels[..labels.len() - 1]
    } else {
        &labels[..]
    };
    let pick = body
        .iter()
        .find(|l| !matches!(**l, "api" | "www" | "svc" | "service"))
        .or(body.first())
        .copied()
        .unwrap_or("external");
    let mut n: String = pick
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n = format!("ext-{n}");
    }
    n
}

/// An `external` server for a DNS name no host has (one per name), named
/// as a config calls it (`PAY_URL`: `pay`), else after the DNS name.
fn external(
    t: &mut Topology,
    ctx: &mut Ctx,
    calls: &HashMap<&str, &str>,
    host: &str,
    o: &Origin,
) -> usize {
    let key = Attr::new("host", Some(host));
    if let Some(i) = t.servers.iter().position(|s| s.attrs.contains(&key)) {
        return i;
    }
    let mut name = calls
        .get(host)
        .map_or_else(|| external_name(host), |n| n.to_string());
    while t.server(&name).is_some() || t.groups.iter().any(|g| g.name == name) {
        name.push_str("-ext");
    }
    let mut notes = Notes::default();
    notes.add(o);
    let msg = format!("{host} is no host in DIR: an `external` server `{name}` (a service the stack does not run)");
    Topology::warn(&mut notes, &mut t.warnings, o, msg);
    ctx.tls.push(false);
    ctx.origin.push(o.clone());
    t.push_server(Server {
        name,
        roles: vec![Role::of_kit(Kit::External)],
        address: None,
        attrs: vec![key],
        group: None,
        notes,
    })
}

/// The port to write: none when it is the target's default for `p` (the
/// model's rule: its `port=` for its main role's protocol, 443 for https,
/// else the port of the role that speaks `p`).
fn port_to_write(t: &Topology, to: &To, p: Protocol, port: Option<u16>) -> Option<u16> {
    let port = port?;
    let first = match to {
        To::Group(g) => t.groups[*g].members.first().copied(),
        To::Servers(s) => s.first().copied(),
    }?;
    let srv = &t.servers[first];
    let own = srv
        .attrs
        .iter()
        .chain(srv.group.map_or(&[][..], |g| &t.groups[g].attrs[..]))
        .find(|a| a.key == "port")
        .and_then(|a| a.value.as_deref()?.parse::<u16>().ok());
    let mut roles = RoleSet::default();
    for r in &srv.roles {
        roles.insert(*r);
    }
    let main_speaks = roles.main().is_some_and(|r| r.spec().protocol() == p);
    let default = match own {
        Some(n) if main_speaks || p.default_port().is_none() => Some(n),
        _ if p == Protocol::Https => Some(443),
        _ => roles
            .speaking(p)
            .and_then(|r| r.spec().port_of(p))
            .or(p.default_port()),
    };
    (default != Some(port)).then_some(port)
}

pub(super) fn links(t: &mut Topology, facts: &Facts, ctx: &mut Ctx) {
    // (source, to, protocol, port, read, origin)
    let mut sends: Vec<(usize, To, Protocol, Option<u16>, bool, Origin)> = Vec::new();
    // Each host's pools by name.
    let mut pools: HashMap<(&str, &str), Vec<&PoolMember>> = HashMap::new();
    for (h, f, _) in &facts.facts {
        if let Fact::Pool { name, members, .. } = f {
            pools
                .entry((h.as_str(), name.as_str()))
                .or_default()
                .extend(members.iter());
        }
    }
    // What the configs call each DNS name (the first name wins).
    let mut calls: HashMap<&str, &str> = HashMap::new();
    for (_, f, _) in &facts.facts {
        if let Fact::Calls { name, host } = f {
            calls.entry(host.as_str()).or_insert(name.as_str());
        }
    }
    for (h, f, o) in &facts.facts {
        let Fact::Sends {
            protocol,
            to,
            pool,
            read,
        } = f
        else {
            continue;
        };
        let Some(s) = t.server(h) else { continue };
        let dest = match (pool, to) {
            (Some(p), _) => {
                let members: &[&PoolMember] = pools
                    .get(&(h.as_str(), p.as_str()))
                    .map_or(&[], |v| v.as_slice());
                let ids: Vec<usize> = members
                    .iter()
                    .filter_map(|m| ctx.host(t, &m.target))
                    .collect();
                // `server 10.0.2.10:8000`: a pair's (or a write) vip.
                let vips: BTreeSet<usize> = members
                    .iter()
                    .filter_map(|m| match m.target {
                        Target::Addr(ip, _) => vip_group(t, ip),
                        Target::Name(..) => None,
                    })
                    .collect();
                if ids.is_empty() && vips.len() == 1 {
                    let g = *vips.first().expect("one");
                    To::Group(g)
                } else if ids.is_empty() {
                    let msg = format!(
                        "{h} sends to `{p}`, which has no server a host in DIR owns: no link"
                    );
                    Topology::warn(&mut t.servers[s].notes, &mut t.warnings, o, msg);
                    continue;
                } else {
                    as_target(t, ids, *protocol, *read)
                }
            }
            (None, Some(Target::Addr(ip, _))) => {
                if let Some(g) = vip_group(t, *ip) {
                    To::Group(g)
                } else if let Some(d) = ctx.owner.get(ip) {
                    through_group(t, *d, *protocol, *read)
                } else {
                    let msg = format!(
                        "{h} sends {protocol} to {ip}, an address no host in DIR owns: no link"
                    );
                    Topology::warn(&mut t.servers[s].notes, &mut t.warnings, o, msg);
                    continue;
                }
            }
            (None, Some(target @ Target::Name(n, _))) => match ctx.host(t, target) {
                Some(d) => through_group(t, d, *protocol, *read),
                None => {
                    let e = external(t, ctx, &calls, n, o);
                    To::Servers(vec![e])
                }
            },
            (None, None) => continue,
        };
        let port = match (pool, to) {
            (Some(p), _) => {
                let ports: BTreeSet<Option<u16>> = pools
                    .get(&(h.as_str(), p.as_str()))
                    .map(|v| v.iter().map(|m| m.target.port()).collect())
                    .unwrap_or_default();
                match ports.into_iter().collect::<Vec<_>>()[..] {
                    [one] => one,
                    _ => None,
                }
            }
            (None, to) => to.as_ref().and_then(Target::port),
        };
        // One variable's hosts (`DB_READ=10.0.3.11:3306,10.0.3.12:3306`,
        // one fact each, one origin) are one requirement: "one of them".
        if let Some(last) = sends.last_mut() {
            if let (To::Servers(have), To::Servers(more)) = (&mut last.1, &dest) {
                if last.0 == s && last.2 == *protocol && last.4 == *read && last.5 == *o {
                    have.extend(more.iter().copied());
                    let ids = std::mem::take(have);
                    last.1 = as_target(t, ids, *protocol, *read);
                    if last.3 != port {
                        last.3 = None;
                    }
                    continue;
                }
            }
        }
        sends.push((s, dest, *protocol, port, *read, o.clone()));
    }
    // One entry per (source, where, protocol, read), in reading order.
    type Entry = (usize, To, Protocol, Option<u16>, bool, Vec<Origin>);
    let mut merged: Vec<Entry> = Vec::new();
    let mut at: HashMap<(usize, To, Protocol, bool), usize> = HashMap::new();
    for (s, to, p, port, read, o) in sends {
        match at.entry((s, to.clone(), p, read)) {
            std::collections::hash_map::Entry::Occupied(e) => merged[*e.get()].5.push(o),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(merged.len());
                merged.push((s, to, p, port, read, vec![o]));
            }
        }
    }
    // A source that sends the same to each member of a pool group sends
    // to the group.
    let mut buckets: BTreeMap<(usize, usize, Protocol, bool), Vec<usize>> = BTreeMap::new();
    for (i, e) in merged.iter().enumerate() {
        if let To::Servers(v) = &e.1 {
            if let [only] = v.as_slice() {
                let g = t.servers[*only].group;
                if let Some(g) = g.filter(|g| t.groups[*g].kind == GroupKind::Pool) {
                    buckets.entry((e.0, g, e.2, e.4)).or_default().push(i);
                }
            }
        }
    }
    let mut drop = vec![false; merged.len()];
    for ((_, g, _, _), hits) in buckets {
        let members: BTreeSet<usize> = t.groups[g].members.iter().copied().collect();
        let covered: BTreeSet<usize> = hits
            .iter()
            .filter_map(|i| match &merged[*i].1 {
                To::Servers(v) => v.first().copied(),
                To::Group(_) => None,
            })
            .collect();
        if covered != members {
            continue;
        }
        let keep = hits[0];
        let mut origins = Vec::new();
        for i in &hits {
            origins.extend(merged[*i].5.clone());
            drop[*i] = *i != keep;
        }
        merged[keep].1 = To::Group(g);
        merged[keep].5 = origins;
    }
    let merged: Vec<Entry> = merged
        .into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(e, _)| e)
        .collect();
    // Links by what they send; sources a group's when every member sends.
    /// (where, protocol, port, read, sources, notes)
    type Out = (To, Protocol, Option<u16>, bool, Vec<usize>, Notes);
    let mut out: Vec<Out> = Vec::new();
    for (s, to, p, port, read, origins) in merged {
        let port = port_to_write(t, &to, p, port);
        let e = match out
            .iter_mut()
            .find(|e| e.0 == to && e.1 == p && e.2 == port && e.3 == read)
        {
            Some(e) => e,
            None => {
                out.push((to, p, port, read, Vec::new(), Notes::default()));
                out.last_mut().expect("just pushed")
            }
        };
        if !e.4.contains(&s) {
            e.4.push(s);
        }
        for o in &origins {
            e.5.add(o);
        }
    }
    for (to, protocol, port, read, sources, notes) in out {
        let mut names = Vec::new();
        let mut done = BTreeSet::new();
        for s in &sources {
            if done.contains(s) {
                continue;
            }
            match t.servers[*s].group {
                Some(g) if t.groups[g].members.iter().all(|m| sources.contains(m)) => {
                    done.extend(t.groups[g].members.iter().copied());
                    names.push(t.groups[g].name.clone());
                }
                _ => {
                    done.insert(*s);
                    names.push(t.name_of(*s).to_string());
                }
            }
        }
        // A target that includes a source is that source's own traffic
        // (LANGUAGE.md §5.3: held while it is up): no link of it.
        let to_self = |s: &usize| match &to {
            To::Servers(v) => v.contains(s),
            // A member to its own pool or pair (nginx to the apps of its
            // box group); a replicated group's writes go to its primary.
            To::Group(g) => {
                t.servers[*s].group == Some(*g) && t.groups[*g].kind != GroupKind::Replicated
            }
        };
        if sources.iter().all(to_self) {
            continue;
        }
        if sources.iter().any(to_self) {
            names.retain(|n| t.server(n).is_none_or(|s| !to_self(&s)));
        }
        let targets = match to {
            To::Group(g) => vec![t.groups[g].name.clone()],
            To::Servers(v) => {
                let names: Vec<String> = v.iter().map(|s| t.name_of(*s).to_string()).collect();
                with_groups(t, names)
            }
        };
        t.links.push(Link {
            sources: names,
            targets,
            protocol,
            port,
            read,
            optional: false,
            notes,
        });
    }
}

/// Marks `optional` the links whose every source host has all the link's
/// targets in its inventory's `stackc_optional` (`cache-01,reports-01`:
/// what the bundle writes for the file's `optional` links).
pub(super) fn optional(t: &mut Topology, inv: &crate::import::inventory::Inventory) {
    let listed = |host: &str| -> Vec<&str> {
        inv.host(host)
            .and_then(|h| h.vars.get("stackc_optional"))
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut marks = Vec::with_capacity(t.links.len());
    for l in &t.links {
        let mut hosts: Vec<&str> = Vec::new();
        for s in &l.sources {
            match t.groups.iter().find(|g| g.name == *s) {
                Some(g) => hosts.extend(g.members.iter().map(|m| t.name_of(*m))),
                None => hosts.push(s),
            }
        }
        let all = !hosts.is_empty()
            && hosts.iter().all(|h| {
                let names = listed(h);
                l.targets.iter().all(|x| names.contains(&x.as_str()))
            });
        marks.push(all);
    }
    for (l, m) in t.links.iter_mut().zip(marks) {
        l.optional = m;
    }
}

/// `names` (servers) with each pool group whose members are all among
/// them written as the group, in the place of its first member: "one of
/// the targets" means the same, and it is what the file said.
fn with_groups(t: &Topology, names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in &names {
        let group = t.server(n).and_then(|s| t.servers[s].group).filter(|g| {
            let grp = &t.groups[*g];
            grp.kind == GroupKind::Pool
                && grp
                    .members
                    .iter()
                    .all(|m| names.contains(&t.servers[*m].name))
        });
        let name = group.map_or_else(|| n.clone(), |g| t.groups[g].name.clone());
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

pub(super) fn records(t: &mut Topology, facts: &Facts, ctx: &Ctx) {
    records_of(t, facts, ctx);
    let t2: &Topology = t;
    let collapsed: Vec<Vec<Vec<String>>> = t2
        .domains
        .iter()
        .map(|d| {
            d.records
                .iter()
                .map(|r| with_groups(t2, r.targets.clone()))
                .collect()
        })
        .collect();
    for (d, recs) in t.domains.iter_mut().zip(collapsed) {
        for (r, targets) in d.records.iter_mut().zip(recs) {
            r.targets = targets;
        }
    }
}

fn records_of(t: &mut Topology, facts: &Facts, ctx: &Ctx) {
    for (_, f, o) in &facts.facts {
        let Fact::Record {
            domain,
            label,
            rtype,
            value,
            ttl,
        } = f
        else {
            continue;
        };
        let domain = domain.trim_end_matches('.').to_string();
        let target: Option<(String, bool)> = match value.parse::<IpAddr>() {
            Ok(ip) => {
                if let Some(g) = vip_group(t, ip) {
                    let tls = t.groups[g].members.iter().any(|m| ctx.tls[*m]);
                    Some((t.groups[g].name.clone(), tls))
                } else {
                    ctx.owner
                        .get(&ip)
                        .map(|s| (t.name_of(*s).to_string(), ctx.tls[*s]))
                }
            }
            Err(_) => {
                // A CNAME to `lb.shop.example.` or `lb`: a server or group.
                let v = value.trim_end_matches('.');
                let short = v.strip_suffix(&format!(".{domain}")).unwrap_or(v);
                let name = short.split('.').next().unwrap_or(short);
                if let Some(g) = t.groups.iter().find(|g| g.name == name) {
                    let tls = g.members.iter().any(|m| ctx.tls[*m]);
                    Some((g.name.clone(), tls))
                } else {
                    t.server(name).map(|s| (name.to_string(), ctx.tls[s]))
                }
            }
        };
        let Some((target, tls)) = target else {
            let shown = if label == "@" {
                domain.clone()
            } else {
                format!("{label}.{domain}")
            };
            let msg = if value.parse::<IpAddr>().is_ok() {
                format!("{shown} {rtype} {value}: an address no host in DIR owns: the record is left out")
            } else {
                format!("{shown} {rtype} {value}: names no server or group of DIR: the record is left out")
            };
            t.warnings.push(crate::import::Warning::new(o.clone(), msg));
            continue;
        };
        let d = match t.domains.iter().position(|d| d.name == domain) {
            Some(d) => d,
            None => {
                t.domains.push(Domain {
                    name: domain.clone(),
                    ttl: *ttl,
                    records: Vec::new(),
                    notes: Notes::default(),
                });
                t.domains.len() - 1
            }
        };
        let dom = &mut t.domains[d];
        dom.notes.add(&Origin::new(&o.host, &o.path, 0));
        let protocol = tls.then_some(Protocol::Https);
        match dom
            .records
            .iter_mut()
            .find(|r| r.label == *label && r.rtype == *rtype)
        {
            Some(r) => {
                if !r.targets.contains(&target) {
                    r.targets.push(target);
                }
                r.notes.add(o);
            }
            None => {
                let mut notes = Notes::default();
                notes.add(o);
                dom.records.push(Record {
                    label: label.clone(),
                    rtype: rtype.clone(),
                    targets: vec![target],
                    protocol,
                    notes,
                });
            }
        }
    }
}
