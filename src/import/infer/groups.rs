//! Which hosts form a group, of which kind, under which name. Candidates
//! come from the VRRP instances, the replication facts, the pools and the
//! bundle inventory's `group_NAME` groups, in that order; a candidate
//! whose hosts are already another group's is merged when they are the
//! same hosts (the better name wins), and dropped with a warning when only
//! some are.

use super::hosts::Ctx;
use super::{Group, GroupKind, Notes, Topology};
use crate::import::facts::{Fact, Facts, Origin, Track};
use crate::import::inventory::Inventory;
use std::collections::BTreeMap;
use std::net::IpAddr;

struct Cand {
    name: String,
    /// Higher wins when two candidates name the same hosts: 3 the
    /// inventory's, 2 a VRRP instance's, 1 a pool's, 0 made up.
    rank: u8,
    members: Vec<usize>,
    kind: GroupKind,
    vip: Option<IpAddr>,
    track: bool,
    unicast: bool,
    failover_auto: bool,
    primary: Option<usize>,
    notes: Notes,
    origin: Origin,
    /// A pool's members stay linked one by one when they cannot be a group.
    what: String,
}

impl Cand {
    fn new(name: String, rank: u8, members: Vec<usize>, kind: GroupKind, origin: &Origin) -> Cand {
        let mut notes = Notes::default();
        notes.add(origin);
        Cand {
            name,
            rank,
            members,
            kind,
            vip: None,
            track: false,
            unicast: false,
            failover_auto: false,
            primary: None,
            notes,
            origin: origin.clone(),
            what: String::new(),
        }
    }
}

/// A pool's name without the bundle's (and common) prefixes and suffixes:
/// `be_web` -> `web`, `up_app` -> `app`, `web_backend` -> `web`; `_`
/// written `-` (the bundle writes `-` as `_`).
pub(super) fn pool_name(name: &str) -> String {
    let mut n = name;
    for p in ["be_", "be-", "bk_", "backend_", "up_", "up-", "upstream_"] {
        if let Some(rest) = n.strip_prefix(p) {
            if !rest.is_empty() {
                n = rest;
                break;
            }
        }
    }
    for s in [
        "_backend",
        "-backend",
        "_servers",
        "-servers",
        "_upstream",
        "_pool",
    ] {
        if let Some(rest) = n.strip_suffix(s) {
            if !rest.is_empty() {
                n = rest;
                break;
            }
        }
    }
    n.replace('_', "-")
}

/// What the members' names share, without their numbers: `web-01`,
/// `web-02` -> `web`.
fn common_prefix(names: &[&str]) -> Option<String> {
    let first = names.first()?;
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(
            first
                .bytes()
                .zip(n.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let p = first[..len].trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_');
    (!p.is_empty() && p.starts_with(|c: char| c.is_ascii_alphabetic())).then(|| p.to_string())
}

pub(super) fn groups(t: &mut Topology, facts: &Facts, inv: Option<&Inventory>, ctx: &Ctx) {
    let mut cands = vrrp(t, facts);
    let orphans = replication(t, facts, ctx, &mut cands);
    // A bundle's inventory names every group of its file (`group_NAME`):
    // a pool that is none of them was a list of targets there (a pool
    // named after one and within it is that group, as it runs: a backend
    // server removed leaves the group).
    let bundle_groups: Option<Vec<(String, Vec<usize>)>> = inv.filter(|i| is_bundle(i)).map(|i| {
        i.groups
            .iter()
            .filter_map(|(g, hosts)| {
                let name = g.strip_prefix("group_")?.replace('_', "-");
                Some((name, hosts.iter().filter_map(|h| t.server(h)).collect()))
            })
            .collect()
    });
    pools(t, facts, ctx, &mut cands, bundle_groups.as_deref());
    if let Some(inv) = inv {
        for (g, hosts) in &inv.groups {
            let Some(name) = g.strip_prefix("group_") else {
                continue;
            };
            let members: Vec<usize> = hosts.iter().filter_map(|h| t.server(h)).collect();
            if members.is_empty() {
                continue;
            }
            let line = inv
                .hosts
                .iter()
                .find(|h| hosts.contains(&h.name))
                .map_or(0, |h| h.line);
            // The bundle's `postgres_primary`...: a replicated group's
            // primary, even alone (no replica's files name it then).
            let primary = members.iter().copied().find(|m| {
                inv.groups.iter().any(|(pg, hosts)| {
                    pg.ends_with("_primary") && hosts.contains(&t.servers[*m].name)
                })
            });
            let kind = if primary.is_some() {
                GroupKind::Replicated
            } else {
                GroupKind::Pool
            };
            let mut c = Cand::new(name.replace('_', "-"), 3, members, kind, &inv.origin(line));
            c.primary = primary;
            c.what = format!("the inventory's group `{g}`");
            cands.push(c);
        }
    }
    for c in cands {
        place(t, c);
    }
    // A replica whose primary is unknown, in no group: the file's
    // `replica` (it takes no writes), as it was read.
    for s in orphans {
        if t.servers[s].group.is_none() && !t.servers[s].attrs.iter().any(|a| a.key == "replica") {
            t.servers[s].attrs.push(super::Attr::new("replica", None));
        }
    }
    if let Some(inv) = inv {
        inventory_names(t, inv);
    }
    // Unique names: a group named like a server or another group.
    for g in 0..t.groups.len() {
        let name = t.groups[g].name.clone();
        let taken = |n: &str, t: &Topology| {
            t.server(n).is_some()
                || t.groups
                    .iter()
                    .enumerate()
                    .any(|(k, o)| k != g && o.name == n)
        };
        if taken(&name, t) {
            let mut k = 2;
            let mut n = format!("{name}-group");
            while taken(&n, t) {
                n = format!("{name}-group-{k}");
                k += 1;
            }
            t.groups[g].name = n;
        }
    }
}

/// Whether `inv` is a bundle's (`stackc bundle` writes a `role_NAME`
/// group for every role, and a `group_NAME` for every group of the file).
fn is_bundle(inv: &Inventory) -> bool {
    inv.groups.keys().any(|g| g.starts_with("role_"))
}

/// A group whose hosts are exactly an inventory group's takes its name
/// (the bundle's `group_NAME` first, then the operator's `[lb]`), but not
/// the inventory's own groupings (`all`, `ungrouped`, the bundle's
/// `role_*`, `keepalived*`, `*_primary`, `*_replica`, `stackc`).
fn inventory_names(t: &mut Topology, inv: &Inventory) {
    let own = |g: &str| {
        matches!(g, "all" | "ungrouped" | "stackc")
            || g.starts_with("role_")
            || g.starts_with("keepalived")
            || g.ends_with("_primary")
            || g.ends_with("_replica")
    };
    for g in 0..t.groups.len() {
        let mut members: Vec<&str> = t.groups[g]
            .members
            .iter()
            .map(|m| t.servers[*m].name.as_str())
            .collect();
        members.sort_unstable();
        let same = |hosts: &Vec<String>| {
            let mut h: Vec<&str> = hosts.iter().map(String::as_str).collect();
            h.sort_unstable();
            h == members
        };
        let found =
            inv.groups
                .iter()
                .filter(|(name, hosts)| name.starts_with("group_") && same(hosts))
                .chain(inv.groups.iter().filter(|(name, hosts)| {
                    !name.starts_with("group_") && !own(name) && same(hosts)
                }))
                .map(|(name, _)| {
                    name.strip_prefix("group_")
                        .unwrap_or(name)
                        .replace('_', "-")
                })
                .find(|n| is_name(n));
        if let Some(n) = found {
            t.groups[g].name = n;
        }
    }
}

/// A `.stack` name: a letter, then letters, digits, `-`, `_` (63 at most).
fn is_name(n: &str) -> bool {
    n.len() <= 63
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// keepalived's example names (`VI_1`) say nothing of the group.
fn generic_instance(n: &str) -> bool {
    let l = n.to_ascii_lowercase();
    ["vi_", "vi-", "vrrp_", "vrrp-", "vrrp", "vi"]
        .iter()
        .any(|p| {
            l.strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Adds a candidate: a new group, merged into the group of the same hosts,
/// or dropped (a warning) when some of its hosts are in another group.
fn place(t: &mut Topology, c: Cand) {
    let mut sorted = c.members.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if let Some(g) = t.groups.iter().position(|g| {
        let mut m = g.members.clone();
        m.sort_unstable();
        m == sorted
    }) {
        let grp = &mut t.groups[g];
        for o in &c.notes.from {
            grp.notes.add(o);
        }
        if c.rank == 3 {
            grp.name = c.name;
        }
        return;
    }
    if let Some(busy) = sorted.iter().find(|m| t.servers[**m].group.is_some()) {
        let other = &t.groups[t.servers[*busy].group.unwrap_or(0)].name;
        let msg = format!(
            "{} ({}) shares servers with the group `{other}`: not a group of its own",
            c.what,
            sorted
                .iter()
                .map(|m| t.servers[*m].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        t.warnings
            .push(crate::import::Warning::new(c.origin.clone(), msg));
        return;
    }
    let roles = t.servers[sorted[0]].roles.clone();
    if sorted.iter().any(|m| t.servers[*m].roles != roles) {
        let msg = format!(
            "{}: its servers run different roles, so they are not one group",
            c.what
        );
        t.warnings
            .push(crate::import::Warning::new(c.origin.clone(), msg));
        return;
    }
    let g = t.groups.len();
    for m in &c.members {
        t.servers[*m].group = Some(g);
    }
    let mut failover_auto = c.failover_auto;
    if c.kind == GroupKind::Replicated {
        for m in &c.members {
            let s = &mut t.servers[*m];
            if let Some(a) = s.attrs.iter().find(|a| a.key == "failover") {
                failover_auto |= a.value.as_deref() == Some("auto");
            }
            s.attrs.retain(|a| a.key != "failover");
        }
    }
    t.groups.push(Group {
        name: c.name,
        roles,
        members: c.members,
        kind: c.kind,
        vip: c.vip,
        track: c.track,
        unicast: c.unicast,
        failover_auto,
        primary: c.primary,
        attrs: Vec::new(),
        notes: c.notes,
    });
}

/// Each VRRP instance's hosts (keyed by their first vip).
fn vrrp(t: &mut Topology, facts: &Facts) -> Vec<Cand> {
    // vip -> (instance, [(server, priority, track, peers?)], origin)
    /// (server, priority, track, names its peers)
    type Member = (usize, u8, Track, bool);
    let mut by_vip: BTreeMap<IpAddr, (String, Vec<Member>, Vec<Origin>)> = BTreeMap::new();
    let mut order = Vec::new();
    // The vips whose instance promotes a store on taking them.
    let mut promoting: std::collections::BTreeSet<IpAddr> = Default::default();
    for (h, f, o) in &facts.facts {
        let Fact::Vrrp {
            instance,
            vips,
            priority,
            peers,
            track,
            promotes,
        } = f
        else {
            continue;
        };
        let (Some(s), Some(vip)) = (t.server(h), vips.first()) else {
            continue;
        };
        if *promotes {
            promoting.insert(*vip);
        }
        let e = by_vip.entry(*vip).or_insert_with(|| {
            order.push(*vip);
            (instance.clone(), Vec::new(), Vec::new())
        });
        if !e.1.iter().any(|(m, ..)| *m == s) {
            e.1.push((s, *priority, *track, !peers.is_empty()));
        }
        e.2.push(o.clone());
    }
    let mut out = Vec::new();
    for vip in order {
        let (instance, mut members, origins) = by_vip.remove(&vip).unwrap_or_default();
        members.sort_by_key(|m| std::cmp::Reverse(m.1));
        let ids: Vec<usize> = members.iter().map(|m| m.0).collect();
        let replicated = t.servers[ids[0]].roles.iter().any(|r| r.spec().replicated);
        let kind = if replicated {
            GroupKind::Replicated
        } else {
            GroupKind::ActivePassive
        };
        let names: Vec<&str> = ids.iter().map(|m| t.servers[*m].name.as_str()).collect();
        let name = match common_prefix(&names) {
            Some(p) if generic_instance(&instance) || !is_name(&pool_name(&instance)) => p,
            _ => pool_name(&instance),
        };
        let mut c = Cand::new(name, 2, ids.clone(), kind, &origins[0]);
        for o in &origins[1..] {
            c.notes.add(o);
        }
        c.what = format!("the VRRP instance `{instance}`");
        c.vip = Some(vip);
        c.unicast = members.iter().all(|m| m.3);
        c.track = !replicated && members.iter().any(|m| m.2 == Track::Backends);
        // A replicated pair whose vip moves without a promotion is a pair
        // with manual failover (`mode=active-passive vip=`).
        c.failover_auto = replicated && promoting.contains(&vip);
        if members.len() == 1 {
            let msg = format!(
                "the VRRP instance `{instance}` (vip {vip}) is on {} only: its peer's files are not in DIR",
                t.servers[ids[0]].name
            );
            Topology::warn(&mut c.notes, &mut t.warnings, &origins[0], msg);
        }
        if !replicated && members.iter().any(|m| m.2 == Track::LocalOnly) && !c.track {
            let msg = format!(
                "the VRRP instance `{instance}`'s track_script checks only the local daemon: the vip stays when the backends fail (no `track`)"
            );
            c.notes.remarks.push(msg);
        }
        out.push(c);
    }
    out
}

/// Primaries and the replicas that follow them; returns the read-only
/// servers whose primary is unknown.
fn replication(t: &mut Topology, facts: &Facts, ctx: &Ctx, cands: &mut Vec<Cand>) -> Vec<usize> {
    // replica -> primary
    let mut follows: BTreeMap<usize, usize> = BTreeMap::new();
    let mut origin_of: BTreeMap<usize, Origin> = BTreeMap::new();
    let mut read_only = Vec::new();
    for (h, f, o) in &facts.facts {
        let Some(s) = t.server(h) else { continue };
        match f {
            Fact::Follows { primary, .. } => {
                // To the vip a group holds: its member that follows no one.
                let p = ctx.host(t, primary).or_else(|| {
                    let ip = match primary {
                        crate::import::Target::Addr(ip, _) => *ip,
                        _ => return None,
                    };
                    let c = cands.iter().find(|c| c.vip == Some(ip))?;
                    c.members.iter().copied().find(|m| *m != s)
                });
                match p {
                    Some(p) if p != s => {
                        follows.insert(s, p);
                        origin_of.insert(s, o.clone());
                        t.servers[s].notes.add(o);
                    }
                    _ => {
                        let msg = format!(
                            "{h} follows {}, which no host in DIR owns: a replica whose primary is unknown",
                            show(primary)
                        );
                        Topology::warn(&mut t.servers[s].notes, &mut t.warnings, o, msg);
                    }
                }
            }
            Fact::Store {
                read_only: Some(true),
                ..
            } => read_only.push((s, o.clone())),
            _ => {}
        }
    }
    let mut orphans: Vec<usize> = read_only
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| !follows.contains_key(s))
        .collect();
    orphans.dedup();
    for (s, o) in read_only {
        if !follows.contains_key(&s)
            && !t.servers[s]
                .notes
                .warnings
                .iter()
                .any(|w| w.contains("primary is unknown"))
        {
            let msg = format!(
                "{} is read-only but its files name no primary: a replica whose primary is unknown",
                t.servers[s].name
            );
            Topology::warn(&mut t.servers[s].notes, &mut t.warnings, &o, msg);
        }
    }
    // The root each replica leads to (chains cut at a loop).
    let root = |mut s: usize| {
        let mut steps = 0;
        while let Some(p) = follows.get(&s) {
            s = *p;
            steps += 1;
            if steps > follows.len() {
                break;
            }
        }
        s
    };
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for r in follows.keys() {
        let p = root(*r);
        let e = clusters.entry(p).or_insert_with(|| vec![p]);
        e.push(*r);
    }
    for (p, mut members) in clusters {
        members.sort_unstable();
        if let Some(c) = cands.iter_mut().find(|c| c.members.contains(&p)) {
            c.primary = Some(p);
            c.kind = GroupKind::Replicated;
            c.track = false;
            for m in &members {
                if let Some(o) = origin_of.get(m) {
                    c.notes.add(o);
                }
                if !c.members.contains(m) {
                    c.members.push(*m);
                }
            }
            continue;
        }
        let names: Vec<&str> = members
            .iter()
            .map(|m| t.servers[*m].name.as_str())
            .collect();
        let name =
            common_prefix(&names).unwrap_or_else(|| format!("{}-replication", t.servers[p].name));
        let origin = origin_of
            .get(&members[1])
            .cloned()
            .unwrap_or_else(|| ctx.origin[p].clone());
        let mut c = Cand::new(name, 0, members.clone(), GroupKind::Replicated, &origin);
        for m in &members {
            if let Some(o) = origin_of.get(m) {
                c.notes.add(o);
            }
        }
        c.primary = Some(p);
        c.what = format!("{} and its replicas", t.servers[p].name);
        cands.push(c);
    }
    // A replicated VRRP pair whose files say no replication: which member
    // is the primary is a guess (the highest priority).
    for c in cands
        .iter_mut()
        .filter(|c| c.kind == GroupKind::Replicated && c.primary.is_none())
    {
        c.primary = c.members.first().copied();
        if let Some(p) = c.primary {
            let msg = format!(
                "no replica's files name its primary: {} (the highest VRRP priority) is taken as the primary",
                t.servers[p].name
            );
            let o = c.origin.clone();
            Topology::warn(&mut c.notes, &mut t.warnings, &o, msg);
        }
    }
    orphans
}

fn show(t: &crate::import::Target) -> String {
    match t {
        crate::import::Target::Addr(ip, Some(p)) => format!("{ip}:{p}"),
        crate::import::Target::Addr(ip, None) => ip.to_string(),
        crate::import::Target::Name(n, Some(p)) => format!("{n}:{p}"),
        crate::import::Target::Name(n, None) => n.clone(),
    }
}

/// Every pool's servers that share a role (two at least); with a bundle's
/// groups, only a pool named after one of them and within it.
fn pools(
    t: &mut Topology,
    facts: &Facts,
    ctx: &Ctx,
    cands: &mut Vec<Cand>,
    bundle_groups: Option<&[(String, Vec<usize>)]>,
) {
    // The hosts of the candidates so far (a VRRP pair, a replication):
    // a pool of the same hosts adds nothing.
    let mut seen: std::collections::HashSet<Vec<usize>> = cands
        .iter()
        .map(|c| {
            let mut m = c.members.clone();
            m.sort_unstable();
            m
        })
        .collect();
    for (h, f, o) in &facts.facts {
        let Fact::Pool { name, members, .. } = f else {
            continue;
        };
        let mut ids = Vec::new();
        let mut in_pool = std::collections::HashSet::new();
        for m in members {
            let mo = Origin::new(h, &o.path, m.line);
            match ctx.host(t, &m.target) {
                Some(s) => {
                    if m.backup {
                        let msg = format!(
                            "{} is a `backup` server of `{name}` (takes requests only when the others are down): written as an ordinary member",
                            t.servers[s].name
                        );
                        Topology::warn(&mut t.servers[s].notes, &mut t.warnings, &mo, msg);
                    }
                    if in_pool.insert(s) {
                        ids.push(s);
                    }
                }
                // A vip of a VRRP pair found so far: the link goes to it.
                None if matches!(m.target, crate::import::Target::Addr(ip, _) if cands.iter().any(|c| c.vip == Some(ip))) =>
                    {}
                None => {
                    let msg = format!(
                        "`{name}`: {} is an address no host in DIR owns: left out",
                        show(&m.target)
                    );
                    t.warnings.push(crate::import::Warning::new(mo, msg));
                }
            }
        }
        let mut key = ids.clone();
        key.sort_unstable();
        // The bundle names a backend after the link's target: `be_web` is
        // group web (less a server an operator took out), `up_app-02_app-03`
        // two servers of it.
        let pool = pool_name(name);
        let is_group =
            |(g, hosts): &(String, Vec<usize>)| *g == pool && ids.iter().all(|s| hosts.contains(s));
        if bundle_groups.is_some_and(|gs| !gs.iter().any(is_group)) {
            continue;
        }
        if ids.len() < 2 || !seen.insert(key) {
            continue;
        }
        let mut c = Cand::new(pool_name(name), 1, ids, GroupKind::Pool, o);
        c.what = format!("the pool `{name}` on {h}");
        cands.push(c);
    }
}
