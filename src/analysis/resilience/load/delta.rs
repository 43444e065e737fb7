//! The incremental flow of one failure set: starting from the flow with
//! nothing down, only what the set changes is propagated — the servers
//! whose "works" it flips, the route nodes of their groups, the sources of
//! lines whose targets' availability flipped — and from there the load's
//! deltas, node by node in flow order, stopping where a delta vanishes
//! (within a relative tolerance) and nothing about the node's split
//! changed.

use super::graph::{Graph, Node};
use crate::model::ServerId;

/// A delta below this share of a node's load (plus the stack's total) is
/// float noise: it stops there.
pub(super) const NOISE: f64 = 1e-12;

const RULE: u8 = 2;
const TOUCHED: u8 = 4;

/// The incremental flow: the loads with nothing down, and per failure set
/// the deltas it causes.
pub(super) struct Scan<'g, 'm> {
    g: &'g Graph<'m>,
    base_avail: Vec<bool>,
    base_in: Vec<f64>,
    no_down: Vec<bool>,
    avail: Vec<bool>,
    down: Vec<bool>,
    d: Deltas,
    flipped: Vec<Node>,
    record_seen: Vec<bool>,
    records: Vec<u32>,
    /// Per route node that splits evenly: its members that work with
    /// nothing down, and how many of them are in each class.
    working: Vec<Vec<ServerId>>,
    class_base: Vec<Vec<(u32, u32)>>,
    /// Per group: the change of the even share of each member that works
    /// with nothing down and now and is not changed itself (they are
    /// visited, not handed on one by one).
    group_change: Vec<f64>,
    /// The route nodes whose members' shares changed that way.
    changed_routes: Vec<u32>,
    class_count: Vec<u32>,
    class_used: Vec<u32>,
    /// Work done (nodes handled and shares handed on), for the cost
    /// estimate of larger sets.
    pub(super) steps: u64,
}

/// The deltas of one failure set and the nodes still to hand theirs on.
struct Deltas {
    delta: Vec<f64>,
    state: Vec<u8>,
    touched: Vec<Node>,
    queue: Queue,
    gives: u64,
    /// Per server: its group (`u32::MAX`: none).
    group_of: Vec<u32>,
    /// Per group: its members marked (changed themselves, or their lines'
    /// targets), and the groups with any.
    marked: Vec<Vec<ServerId>>,
    marked_groups: Vec<u32>,
}

impl Deltas {
    #[inline]
    fn enqueue(&mut self, rank: &[u32], n: Node) {
        let st = &mut self.state[n as usize];
        if *st & TOUCHED == 0 {
            *st |= TOUCHED;
            self.touched.push(n);
        }
        self.queue.push(rank[n as usize]);
    }

    #[inline]
    fn add(&mut self, rank: &[u32], t: Node, x: f64) {
        self.gives += 1;
        self.delta[t as usize] += x;
        self.enqueue(rank, t);
    }

    fn mark(&mut self, rank: &[u32], n: Node) {
        self.enqueue(rank, n);
        let i = n as usize;
        if self.state[i] & RULE != 0 {
            return;
        }
        self.state[i] |= RULE;
        if let Some(&g) = self.group_of.get(i).filter(|g| **g != u32::MAX) {
            let list = &mut self.marked[g as usize];
            if list.is_empty() {
                self.marked_groups.push(g);
            }
            list.push(ServerId(n));
        }
    }
}

/// The nodes to visit, by rank: a bit per rank, scanned upwards (what a
/// node hands load to always comes later), so a set costs what it touches
/// plus a pass over `ranks / 64` words.
struct Queue {
    words: Vec<u64>,
    lo: usize,
    hi: usize,
}

impl Queue {
    fn new(ranks: usize) -> Self {
        Queue {
            words: vec![0; ranks.div_ceil(64)],
            lo: usize::MAX,
            hi: 0,
        }
    }

    #[inline]
    fn push(&mut self, rank: u32) {
        let w = rank as usize / 64;
        self.words[w] |= 1 << (rank % 64);
        self.lo = self.lo.min(w);
        self.hi = self.hi.max(w);
    }

    #[inline]
    fn pop(&mut self) -> Option<u32> {
        while self.lo <= self.hi {
            let w = &mut self.words[self.lo];
            if *w != 0 {
                let b = w.trailing_zeros();
                *w &= *w - 1;
                return Some((self.lo * 64) as u32 + b);
            }
            self.lo += 1;
        }
        self.lo = usize::MAX;
        self.hi = 0;
        None
    }
}

impl<'g, 'm> Scan<'g, 'm> {
    pub(super) fn new(g: &'g Graph<'m>, base_avail: Vec<bool>, base_in: Vec<f64>) -> Self {
        let nodes = g.nodes();
        let mut working = vec![Vec::new(); g.routes.len()];
        let mut class_base = vec![Vec::new(); g.routes.len()];
        let mut count = vec![0u32; g.classes()];
        for r in 0..g.routes.len() {
            if !g.splits_evenly(r) {
                continue;
            }
            let w: Vec<ServerId> = g
                .members(r)
                .iter()
                .copied()
                .filter(|s| base_avail[s.index()])
                .collect();
            let mut used = Vec::new();
            for s in &w {
                let c = g.server_class[s.index()];
                if count[c as usize] == 0 {
                    used.push(c);
                }
                count[c as usize] += 1;
            }
            class_base[r] = used
                .into_iter()
                .map(|c| (c, std::mem::take(&mut count[c as usize])))
                .collect();
            working[r] = w;
        }
        let group_of =
            g.m.servers
                .iter()
                .map(|s| s.group.map_or(u32::MAX, |x| x.0))
                .collect();
        Scan {
            g,
            no_down: vec![false; g.servers],
            down: vec![false; g.servers],
            avail: base_avail.clone(),
            base_avail,
            base_in,
            d: Deltas {
                delta: vec![0.0; nodes],
                state: vec![0; nodes],
                touched: Vec::new(),
                queue: Queue::new(nodes),
                gives: 0,
                group_of,
                marked: vec![Vec::new(); g.m.groups.len()],
                marked_groups: Vec::new(),
            },
            flipped: Vec::new(),
            record_seen: vec![false; g.records.len()],
            records: Vec::new(),
            working,
            class_base,
            group_change: vec![0.0; g.m.groups.len()],
            changed_routes: Vec::new(),
            class_count: vec![0; g.classes()],
            class_used: Vec::new(),
            steps: 0,
        }
    }

    /// The loads with `down` down, `changed` the servers whose "works"
    /// differs from nothing down: `visit(server, load)` for every server
    /// whose load may have changed.
    pub(super) fn run(
        &mut self,
        changed: &[ServerId],
        down: &[ServerId],
        mut visit: impl FnMut(ServerId, f64),
    ) {
        let g = self.g;
        let rank = &g.rank[..];
        for s in down {
            self.down[s.index()] = true;
        }
        for &s in changed {
            self.avail[s.index()] = !self.avail[s.index()];
            self.flipped.push(s.0);
            self.d.mark(rank, s.0);
        }
        for s in down.iter().chain(changed) {
            let Some(gid) = g.m.server(*s).group else {
                continue;
            };
            for &r in &g.group_routes[gid.index()] {
                let node = g.servers as u32 + r;
                if self.d.state[node as usize] & RULE != 0 {
                    continue;
                }
                self.d.mark(rank, node);
                let a = g.route_available(r as usize, &self.avail, &self.down);
                if a != self.avail[node as usize] {
                    self.avail[node as usize] = a;
                    self.flipped.push(node);
                }
            }
        }
        let d = &mut self.d;
        for i in 0..self.flipped.len() {
            let v = self.flipped[i] as usize;
            for &li in g.line_users.get(v) {
                for src in g.line_sources.get(li as usize) {
                    d.mark(rank, src.0);
                }
            }
            for &r in g.record_users.get(v) {
                if !std::mem::replace(&mut self.record_seen[r as usize], true) {
                    self.records.push(r);
                    g.spread_record(r as usize, &self.avail, &mut |t, x| d.add(rank, t, x));
                    g.spread_record(r as usize, &self.base_avail, &mut |t, x| d.add(rank, t, -x));
                }
            }
        }
        while let Some(at) = self.d.queue.pop() {
            self.steps += 1;
            let n = g.order[at as usize];
            let i = n as usize;
            let d = &mut self.d;
            let (b, x) = (self.base_in[i], d.delta[i]);
            let rule = d.state[i] & RULE != 0;
            if !rule && x.abs() <= NOISE * (b.abs() + g.total) {
                continue;
            }
            if i >= g.servers && g.splits_evenly(i - g.servers) {
                self.even(n, b, x);
            } else if rule {
                g.spread(n, b + x, &self.avail, &self.down, &mut |t, y| {
                    d.add(rank, t, y)
                });
                g.spread(n, b, &self.base_avail, &self.no_down, &mut |t, y| {
                    d.add(rank, t, -y)
                });
            } else {
                g.spread(n, x, &self.avail, &self.down, &mut |t, y| d.add(rank, t, y));
            }
        }
        let d = &mut self.d;
        for &r in &self.changed_routes {
            let change = self.group_change[g.routes[r as usize].0.index()];
            for s in &self.working[r as usize] {
                let i = s.index();
                if d.state[i] & (RULE | TOUCHED) == 0 {
                    visit(*s, self.base_in[i] + change);
                }
            }
        }
        for &n in &d.touched {
            let i = n as usize;
            if i < g.servers {
                let load = if self.avail[i] {
                    let group = d.group_of[i];
                    let shared = if d.state[i] & RULE == 0 && group != u32::MAX {
                        self.group_change[group as usize]
                    } else {
                        0.0
                    };
                    self.base_in[i] + d.delta[i] + shared
                } else {
                    0.0
                };
                visit(ServerId(n), load);
            }
            d.delta[i] = 0.0;
            d.state[i] = 0;
        }
        for r in self.changed_routes.drain(..) {
            self.steps += self.working[r as usize].len() as u64;
            self.group_change[g.routes[r as usize].0.index()] = 0.0;
        }
        for grp in d.marked_groups.drain(..) {
            d.marked[grp as usize].clear();
        }
        self.steps += d.gives;
        d.gives = 0;
        d.touched.clear();
        for &v in &self.flipped {
            self.avail[v as usize] = self.base_avail[v as usize];
        }
        self.flipped.clear();
        for s in down {
            self.down[s.index()] = false;
        }
        for r in self.records.drain(..) {
            self.record_seen[r as usize] = false;
        }
    }
}

impl Scan<'_, '_> {
    /// Route node `n`, which splits evenly, takes `b + x` (`b` with nothing
    /// down). A member that works with nothing down and now, and is not
    /// marked itself, sees its share change by the same amount as every
    /// such member: that change is handed on once per class of members
    /// (those passing load along the same lines, whose targets are
    /// unchanged) and kept per group for the members' loads. The marked
    /// members get theirs one by one. Costs the marked members and the
    /// classes, not the members.
    fn even(&mut self, n: Node, b: f64, x: f64) {
        let g = self.g;
        let rank = &g.rank[..];
        let i = n as usize;
        let r = i - g.servers;
        let grp = g.routes[r].0.index();
        let (avail, base) = (&self.avail, &self.base_avail);
        let d = &mut self.d;
        let marked = std::mem::take(&mut d.marked[grp]);
        self.steps += (marked.len() + self.class_base[r].len()) as u64;
        let before = self.working[r].len();
        let mut now = before as i64;
        for s in &marked {
            let j = s.index();
            if base[j] != avail[j] {
                now += if avail[j] { 1 } else { -1 };
            }
        }
        let old = if base[i] && before > 0 {
            b / before as f64
        } else {
            0.0
        };
        let new = if avail[i] && now > 0 {
            (b + x) / now as f64
        } else {
            0.0
        };
        for s in &marked {
            let j = s.index();
            let had = if base[j] { old } else { 0.0 };
            let has = if avail[j] { new } else { 0.0 };
            if has != had {
                d.add(rank, s.0, has - had);
            }
        }
        let change = new - old;
        if change.abs() > NOISE * (old.abs() + g.total) {
            for &(class, c) in &self.class_base[r] {
                self.class_count[class as usize] += c;
                self.class_used.push(class);
            }
            for s in &marked {
                if base[s.index()] {
                    self.class_count[g.server_class[s.index()] as usize] -= 1;
                }
            }
            for class in self.class_used.drain(..) {
                let c = std::mem::take(&mut self.class_count[class as usize]);
                if c > 0 {
                    g.spread_class(class, f64::from(c) * change, avail, &mut |t, y| {
                        d.add(rank, t, y)
                    });
                }
            }
            self.group_change[grp] = change;
            self.changed_routes.push(r as u32);
        }
        d.marked[grp] = marked;
    }
}
