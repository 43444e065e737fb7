//! The graph the load of RESILIENCE.md §4 flows along, built once per
//! model: a node per server and per way of reaching a group (a "route
//! node": split among working members, a quorum, one chosen member, the
//! holder), the link lines each server passes its load along, and the
//! records that bring load in. Which targets are available in a scenario
//! comes from the circuit (the "works" of each server); a route node's
//! availability and split are worked out here from its members.

use crate::analysis::circuit::Circuit;
use crate::model::{GroupId, Mode, Model, Protocol, Route, ServerId, Target};
use std::collections::HashMap;

/// A node of the flow: `0..servers` are the servers (by `ServerId`), the
/// route nodes follow.
pub(super) type Node = u32;

/// How a route node hands on the load that reaches it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// Evenly among the working members (an active-active group, a read
    /// from a replicated group).
    Split,
    /// Evenly among the working members, while at least `k` of them work.
    Quorum(u32),
    /// All to one member: `prefer` when it works, else the first working
    /// member in declared order (a `track`ed pair; a write with
    /// `failover=auto`, preferring the primary).
    First(Option<ServerId>),
    /// All to the holder, the first member that is up, when it works.
    Holder,
}

/// A compressed list of lists.
#[derive(Clone, Debug, Default)]
pub(super) struct Lists<T> {
    at: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Lists<T> {
    fn from(lists: Vec<Vec<T>>) -> Self {
        let mut at = Vec::with_capacity(lists.len() + 1);
        at.push(0);
        let mut items = Vec::new();
        for l in lists {
            items.extend(l);
            at.push(items.len() as u32);
        }
        Lists { at, items }
    }
    #[inline]
    pub(super) fn get(&self, i: usize) -> &[T] {
        &self.items[self.at[i] as usize..self.at[i + 1] as usize]
    }
}

pub(super) struct Graph<'m> {
    pub m: &'m Model,
    pub servers: usize,
    pub routes: Vec<(GroupId, Kind)>,
    /// Every node, each before every node it can send load to.
    pub order: Vec<Node>,
    /// Position of each node in `order`.
    pub rank: Vec<u32>,
    /// Link lines (one per link): their targets, without repeats and
    /// without routes that never take any (a replica write, no primary).
    lines: Lists<Node>,
    /// Per server: the lines it passes its load along (not those held
    /// locally).
    out: Lists<u32>,
    /// Per line: the servers that pass load along it.
    pub line_sources: Lists<ServerId>,
    /// Records with a load: the load and the targets.
    pub records: Vec<(f64, Vec<Node>)>,
    /// Per node: the lines and the records naming it.
    pub line_users: Lists<u32>,
    pub record_users: Lists<u32>,
    /// Per group: its route nodes.
    pub group_routes: Vec<Vec<u32>>,
    /// Per server: its class (the servers that pass load along the same
    /// lines), so that the same change of an even share is handed on once
    /// per class rather than once per member.
    pub server_class: Vec<u32>,
    /// Per class: its lines.
    class_lines: Lists<u32>,
    /// The sum of the records' loads.
    pub total: f64,
}

impl<'m> Graph<'m> {
    pub fn new(m: &'m Model, c: &Circuit) -> Self {
        let servers = m.servers.len();
        let mut routes: Vec<(GroupId, Kind)> = Vec::new();
        let mut ids: HashMap<(GroupId, Kind), u32> = HashMap::new();
        let mut node_of = |t: Target, protocol: Protocol, write: bool| -> Option<Node> {
            let (g, kind) = match m.route(t, protocol, write) {
                Route::Server(x) | Route::Primary(_, x) => return Some(x.0),
                Route::ReplicaWrite(_) | Route::NoPrimary(_) => return None,
                Route::AnyMember(g) => {
                    let grp = m.group(g);
                    if grp.mode == Mode::ActivePassive && grp.track && !grp.replicates(protocol) {
                        (g, Kind::First(None))
                    } else {
                        (g, Kind::Split)
                    }
                }
                Route::Failover(g) => (g, Kind::First(m.group(g).primary)),
                Route::Holder(g) => (g, Kind::Holder),
                Route::Quorum(g) => (g, Kind::Quorum(m.group(g).quorum_size())),
            };
            let id = *ids.entry((g, kind)).or_insert_with(|| {
                routes.push((g, kind));
                (routes.len() - 1) as u32
            });
            Some(servers as u32 + id)
        };
        let push = |v: &mut Vec<Node>, n: Option<Node>| {
            if let Some(n) = n {
                if !v.contains(&n) {
                    v.push(n);
                }
            }
        };
        let mut lines = Vec::with_capacity(m.links.len());
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); servers];
        let mut line_sources = Vec::with_capacity(m.links.len());
        for (li, l) in m.links.iter().enumerate() {
            let mut to = Vec::new();
            for t in &l.targets {
                push(&mut to, node_of(t.target, t.protocol, l.is_write(t)));
            }
            let mut from = Vec::new();
            if !to.is_empty() {
                for &s in &l.from {
                    let local = l
                        .targets
                        .iter()
                        .any(|t| m.is_local(s, t.target, t.protocol, l.is_write(t)));
                    if !local && !out[s.index()].contains(&(li as u32)) {
                        out[s.index()].push(li as u32);
                        from.push(s);
                    }
                }
            }
            lines.push(to);
            line_sources.push(from);
        }
        let mut records = Vec::new();
        if !m.domains.is_empty() {
            for r in &m.records {
                let Some(load) = r.load.filter(|l| *l > 0.0) else {
                    continue;
                };
                let mut to = Vec::new();
                for t in &r.targets {
                    push(&mut to, node_of(t.target, t.protocol, t.protocol.is_data()));
                }
                records.push((load, to));
            }
        }
        let mut class_ids: HashMap<&[u32], u32> = HashMap::new();
        let mut class_lines: Vec<Vec<u32>> = Vec::new();
        let server_class: Vec<u32> = out
            .iter()
            .map(|lines| {
                *class_ids.entry(&lines[..]).or_insert_with(|| {
                    class_lines.push(lines.to_vec());
                    (class_lines.len() - 1) as u32
                })
            })
            .collect();
        drop(class_ids);
        let nodes = servers + routes.len();
        let mut line_users: Vec<Vec<u32>> = vec![Vec::new(); nodes];
        for (li, to) in lines.iter().enumerate() {
            for &n in to {
                line_users[n as usize].push(li as u32);
            }
        }
        let mut record_users: Vec<Vec<u32>> = vec![Vec::new(); nodes];
        for (ri, (_, to)) in records.iter().enumerate() {
            for &n in to {
                record_users[n as usize].push(ri as u32);
            }
        }
        let mut group_routes = vec![Vec::new(); m.groups.len()];
        for (r, (g, _)) in routes.iter().enumerate() {
            group_routes[g.index()].push(r as u32);
        }
        // A source's "works" gate comes after those of everything it
        // needs, optional links included (the circuit follows the
        // topology's order): sorting by it, latest first, puts every node
        // before what it sends load to; a route node goes just before its
        // members.
        let key = |n: usize| -> u64 {
            if n < servers {
                2 * u64::from(c.server_cell[n])
            } else {
                let (g, _) = routes[n - servers];
                m.group(g)
                    .members
                    .iter()
                    .map(|s| 2 * u64::from(c.server_cell[s.index()]) + 1)
                    .max()
                    .unwrap_or(1)
            }
        };
        let keys: Vec<u64> = (0..nodes).map(key).collect();
        let mut order: Vec<Node> = (0..nodes as u32).collect();
        order.sort_by_key(|&n| std::cmp::Reverse(keys[n as usize]));
        let mut rank = vec![0; nodes];
        for (i, &n) in order.iter().enumerate() {
            rank[n as usize] = i as u32;
        }
        let total = records.iter().map(|r| r.0).sum();
        Graph {
            m,
            servers,
            routes,
            order,
            rank,
            lines: Lists::from(lines),
            out: Lists::from(out),
            line_sources: Lists::from(line_sources),
            records,
            line_users: Lists::from(line_users),
            record_users: Lists::from(record_users),
            group_routes,
            server_class,
            class_lines: Lists::from(class_lines),
            total,
        }
    }

    pub fn nodes(&self) -> usize {
        self.servers + self.routes.len()
    }

    /// Whether route node `r` splits its load evenly among its working
    /// members.
    pub fn splits_evenly(&self, r: usize) -> bool {
        matches!(self.routes[r].1, Kind::Split | Kind::Quorum(_))
    }

    /// The number of member classes.
    pub fn classes(&self) -> usize {
        self.class_lines.at.len() - 1
    }

    /// Hands on `x`, the load a class of servers takes together, along
    /// their lines.
    pub fn spread_class(
        &self,
        class: u32,
        x: f64,
        avail: &[bool],
        give: &mut impl FnMut(Node, f64),
    ) {
        for &li in self.class_lines.get(class as usize) {
            split(self.lines.get(li as usize), x, avail, give);
        }
    }

    pub fn members(&self, r: usize) -> &'m [ServerId] {
        &self.m.group(self.routes[r].0).members
    }

    /// Whether route node `r` is available: `avail` of the servers says
    /// which work, `down` which are down.
    pub fn route_available(&self, r: usize, avail: &[bool], down: &[bool]) -> bool {
        let members = self.members(r);
        let works = |s: &ServerId| avail[s.index()];
        match self.routes[r].1 {
            Kind::Split | Kind::First(_) => members.iter().any(works),
            Kind::Quorum(k) => members.iter().filter(|s| works(s)).count() as u64 >= u64::from(k),
            Kind::Holder => members.iter().find(|s| !down[s.index()]).is_some_and(works),
        }
    }

    /// Hands on load `x` taken by node `n`: `give(target, share)` for each
    /// share (a server along each of its lines, a route node to its
    /// members). `avail` per node, `down` per server.
    #[inline]
    pub fn spread(
        &self,
        n: Node,
        x: f64,
        avail: &[bool],
        down: &[bool],
        give: &mut impl FnMut(Node, f64),
    ) {
        let n = n as usize;
        if !avail[n] {
            return;
        }
        if n < self.servers {
            for &li in self.out.get(n) {
                let to = self.lines.get(li as usize);
                split(to, x, avail, give);
            }
            return;
        }
        let r = n - self.servers;
        let members = self.members(r);
        let works = |s: &&ServerId| avail[s.index()];
        match self.routes[r].1 {
            Kind::Split | Kind::Quorum(_) => {
                let k = members.iter().filter(works).count();
                if k > 0 {
                    let share = x / k as f64;
                    for s in members.iter().filter(works) {
                        give(s.0, share);
                    }
                }
            }
            Kind::First(prefer) => {
                let pick = prefer
                    .filter(|p| avail[p.index()])
                    .or_else(|| members.iter().find(works).copied());
                if let Some(p) = pick {
                    give(p.0, x);
                }
            }
            Kind::Holder => {
                if let Some(h) = members.iter().find(|s| !down[s.index()]) {
                    if avail[h.index()] {
                        give(h.0, x);
                    }
                }
            }
        }
    }

    /// Hands on the load of record `r`: split among its available targets.
    pub fn spread_record(&self, r: usize, avail: &[bool], give: &mut impl FnMut(Node, f64)) {
        let (load, to) = &self.records[r];
        split(to, *load, avail, give);
    }

    /// The availability of every node from the servers' (`works`).
    pub fn availability(&self, works: &[bool], down: &[bool]) -> Vec<bool> {
        let mut avail = works.to_vec();
        avail.resize(self.nodes(), false);
        for r in 0..self.routes.len() {
            avail[self.servers + r] = self.route_available(r, &avail, down);
        }
        avail
    }

    /// The load reaching every node, the whole flow computed.
    pub fn incoming(&self, avail: &[bool], down: &[bool]) -> Vec<f64> {
        let mut load = vec![0.0; self.nodes()];
        let mut give = |t: Node, x: f64| load[t as usize] += x;
        for r in 0..self.records.len() {
            self.spread_record(r, avail, &mut give);
        }
        for &n in &self.order {
            let x = load[n as usize];
            if x != 0.0 {
                self.spread(n, x, avail, down, &mut |t, y| load[t as usize] += y);
            }
        }
        load
    }

    /// The servers that can ever take load (reachable from a record with
    /// load, whatever is down), or whose loss can restore a chain (members
    /// of active-passive groups): only they can change a load.
    pub fn can_matter(&self) -> Vec<bool> {
        let mut seen = vec![false; self.nodes()];
        let mut stack: Vec<Node> = Vec::new();
        for (_, to) in &self.records {
            stack.extend(to);
        }
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n as usize], true) {
                continue;
            }
            let n = n as usize;
            if n < self.servers {
                for &li in self.out.get(n) {
                    stack.extend(self.lines.get(li as usize));
                }
            } else {
                stack.extend(self.members(n - self.servers).iter().map(|s| s.0));
            }
        }
        seen.truncate(self.servers);
        for g in &self.m.groups {
            if g.mode == Mode::ActivePassive {
                for s in &g.members {
                    seen[s.index()] = true;
                }
            }
        }
        seen
    }
}

/// `x` split evenly among the available nodes of `to`.
#[inline]
fn split(to: &[Node], x: f64, avail: &[bool], give: &mut impl FnMut(Node, f64)) {
    let k = to.iter().filter(|t| avail[**t as usize]).count();
    if k == 0 {
        return;
    }
    let share = x / k as f64;
    for &t in to {
        if avail[t as usize] {
            give(t, share);
        }
    }
}
