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
    /// Per server: the change of its even share of a route node, handed on
    /// with its class's.
    shared: Vec<f64>,
    /// The route nodes that handed on shares by class.
    shared_routes: Vec<u32>,
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
        self.state[n as usize] |= RULE;
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
            },
            flipped: Vec::new(),
            record_seen: vec![false; g.records.len()],
            records: Vec::new(),
            shared: vec![0.0; g.servers],
            shared_routes: Vec::new(),
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
        for &r in &self.shared_routes {
            for m in g.members(r as usize) {
                let i = m.index();
                if self.shared[i] != 0.0 && d.state[i] & TOUCHED == 0 {
                    visit(*m, self.base_in[i] + self.shared[i]);
                }
            }
        }
        for &n in &d.touched {
            let i = n as usize;
            if i < g.servers {
                let load = if self.avail[i] {
                    self.base_in[i] + d.delta[i] + self.shared[i]
                } else {
                    0.0
                };
                visit(ServerId(n), load);
            }
            d.delta[i] = 0.0;
            d.state[i] = 0;
        }
        for r in self.shared_routes.drain(..) {
            for m in g.members(r as usize) {
                self.shared[m.index()] = 0.0;
            }
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
    /// changed itself, sees its share change by the same amount as every
    /// such member: that change is handed on once per class of members
    /// (those passing load along the same lines, whose targets are
    /// unchanged), and kept in `shared` for the members' loads. The other
    /// members get theirs one by one.
    fn even(&mut self, n: Node, b: f64, x: f64) {
        let g = self.g;
        let rank = &g.rank[..];
        let i = n as usize;
        let r = i - g.servers;
        let members = g.members(r);
        self.steps += members.len() as u64;
        let (avail, base) = (&self.avail, &self.base_avail);
        let before = members.iter().filter(|m| base[m.index()]).count();
        let now = members.iter().filter(|m| avail[m.index()]).count();
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
        let change = new - old;
        let by_class = change.abs() > NOISE * (old.abs() + g.total);
        let d = &mut self.d;
        for (m, &class) in members.iter().zip(&g.member_class[r]) {
            let j = m.index();
            if d.state[j] & RULE != 0 {
                let had = if base[j] { old } else { 0.0 };
                let has = if avail[j] { new } else { 0.0 };
                if has != had {
                    d.add(rank, m.0, has - had);
                }
            } else if avail[j] && by_class {
                self.shared[j] += change;
                let c = &mut self.class_count[class as usize];
                if *c == 0 {
                    self.class_used.push(class);
                }
                *c += 1;
            }
        }
        if by_class {
            self.shared_routes.push(r as u32);
        }
        for class in self.class_used.drain(..) {
            let c = std::mem::take(&mut self.class_count[class as usize]);
            g.spread_class(class, f64::from(c) * change, avail, &mut |t, y| {
                d.add(rank, t, y)
            });
        }
    }
}
