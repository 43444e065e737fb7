//! Evaluating the circuit for 64 failure scenarios at once: each gate's
//! value is a `u64` whose bit `i` says whether the gate holds in scenario
//! `i`. A batch starts from the values with nothing down and re-evaluates
//! only the gates downstream of a failed server, in evaluation order, and
//! stops wherever a value does not change. A failure that redundancy absorbs
//! costs a few gates, so the exact analysis of every single failure stays
//! near-linear in the size of the stack.

use super::circuit::{Cell, Circuit, Gate, Origin};
use crate::model::{GroupId, ServerId};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub const LANES: usize = 64;

pub struct Evaluator<'c> {
    pub c: &'c Circuit,
    /// Every gate's value with nothing down, as all-ones or all-zeros.
    pub baseline: Vec<u64>,
    cur: Vec<u64>,
    /// Bit `i` of `fail[s]`: server `s` is down in scenario `i`.
    fail: Vec<u64>,
    queued: Vec<bool>,
    heap: BinaryHeap<Reverse<Cell>>,
    touched: Vec<Cell>,
    failed: Vec<ServerId>,
    full: bool,
    seg: Segments,
    /// Per segment head: the lanes in which a server of the segment is down.
    seg_fail: Vec<u64>,
    seg_failed: Vec<Cell>,
    /// Per gate: the entry point it is the gate of, or `u32::MAX`.
    entry_at: Vec<u32>,
}

/// Straight runs of the circuit evaluated as one gate. A gate with a
/// single input (a server with one requirement, a group of one member)
/// whose input is read by nothing else is a pass-through: along a run of
/// them the head's value is the tail's input AND "no server of the run is
/// down". A failure inside a run then costs one gate instead of the run's
/// length, which keeps the single failures of a long chain `s0 -> … -> sN`
/// near-linear (it was N²/64 gate evaluations). The gates inside a run are
/// not kept up to date in a batch: only their head is; `why` knows that a
/// gate inside a run it reached from its reader is false.
struct Segments {
    /// The head of the run each gate is in (itself when it is in none or
    /// heads it).
    head: Vec<Cell>,
    /// Whether the gate heads a run of two gates or more.
    is_head: Vec<bool>,
    /// For each gate read as a run head: the input of the run's tail
    /// (`Cell::MAX`: none, the tail is a server without requirements).
    input: Vec<Cell>,
}

impl Segments {
    fn new(c: &Circuit) -> Self {
        let n = c.gates.len();
        let single = |g: Cell| -> Option<Option<Cell>> {
            match c.gates[g as usize] {
                Gate::Server { reqs, .. } if reqs.len <= 1 => Some(c.inputs(reqs).first().copied()),
                Gate::Any(ins) if ins.len == 1 => Some(Some(c.inputs(ins)[0])),
                _ => None,
            }
        };
        // `inner[d]`: d is read only by a pass-through whose single input
        // it is, and is a pass-through (or a server with no requirement).
        let inner = |d: Cell| -> bool {
            single(d).is_some() && matches!(c.fanout(d), [p] if single(*p) == Some(Some(d)))
        };
        let mut head: Vec<Cell> = (0..n as Cell).collect();
        for d in (0..n as Cell).rev() {
            if inner(d) {
                head[d as usize] = head[c.fanout(d)[0] as usize];
            }
        }
        let mut input = vec![Cell::MAX; n];
        let mut is_head = vec![false; n];
        for g in 0..n as Cell {
            match single(g) {
                Some(Some(i)) if inner(i) => {
                    input[g as usize] = input[i as usize];
                    is_head[g as usize] = head[g as usize] == g;
                }
                Some(Some(i)) => input[g as usize] = i,
                _ => {}
            }
        }
        Segments {
            head,
            is_head,
            input,
        }
    }

    #[inline]
    fn inner(&self, c: Cell) -> bool {
        self.head[c as usize] != c
    }
}

/// One step of the chain that explains why an entry point is dark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Entry(usize),
    /// No member of the group is available.
    Group(GroupId),
    /// The active-passive group is held by this member, which does not work.
    Holder(GroupId, ServerId),
    /// The server is up but one of its requirements fails.
    Server(ServerId),
    /// The server is down in this scenario.
    Down(ServerId),
    /// The link writes to this replica.
    ReplicaWrite(ServerId),
    /// The mysql group has no primary to write to.
    NoPrimary(GroupId),
    /// Steps of a long chain left out (`more`: and an unknown number after
    /// them, the walk was cut short).
    Skipped {
        hops: usize,
        more: bool,
    },
}

impl<'c> Evaluator<'c> {
    pub fn new(c: &'c Circuit, servers: usize) -> Self {
        let n = c.gates.len();
        let mut e = Evaluator {
            c,
            baseline: Vec::new(),
            cur: vec![0; n],
            fail: vec![0; servers],
            queued: vec![false; n],
            heap: BinaryHeap::new(),
            touched: Vec::new(),
            failed: Vec::new(),
            full: false,
            seg: Segments::new(c),
            seg_fail: vec![0; n],
            seg_failed: Vec::new(),
            entry_at: vec![u32::MAX; n],
        };
        for (i, en) in c.entries.iter().enumerate() {
            e.entry_at[en.cell as usize] = i as u32;
        }
        for i in 0..n {
            let v = e.gate(i as Cell);
            e.cur[i] = if v & 1 == 1 { !0 } else { 0 };
        }
        e.baseline = e.cur.clone();
        e
    }

    #[inline]
    fn gate(&self, cell: Cell) -> u64 {
        let v = &self.cur;
        if self.seg.is_head[cell as usize] {
            let i = self.seg.input[cell as usize];
            let input = if i == Cell::MAX { !0 } else { v[i as usize] };
            return input & !self.seg_fail[cell as usize];
        }
        match self.c.gates[cell as usize] {
            Gate::Never => 0,
            Gate::Server { server, reqs } => {
                let mut acc = !self.fail[server.index()];
                for &r in self.c.inputs(reqs) {
                    if acc == 0 {
                        break;
                    }
                    acc &= v[r as usize];
                }
                acc
            }
            Gate::Any(ins) => {
                let mut acc = 0;
                for &i in self.c.inputs(ins) {
                    acc |= v[i as usize];
                    if acc == !0 {
                        break;
                    }
                }
                acc
            }
            Gate::Holder { members } => {
                // Lanes still looking for the first member that is up.
                let mut searching = !0u64;
                let mut acc = 0;
                for &(s, c) in self.c.members(members) {
                    let up = !self.fail[s.index()];
                    acc |= searching & up & v[c as usize];
                    searching &= !up;
                    if searching == 0 {
                        break;
                    }
                }
                acc
            }
            Gate::Quorum { ins, k } => {
                at_least(k, self.c.inputs(ins).iter().map(|&i| v[i as usize]))
            }
        }
    }

    fn set_failures(&mut self, scenarios: &[&[crate::model::ServerId]]) {
        assert!(scenarios.len() <= LANES, "at most 64 scenarios a batch");
        self.reset();
        for (lane, sc) in scenarios.iter().enumerate() {
            for s in sc.iter() {
                if self.fail[s.index()] == 0 {
                    self.failed.push(*s);
                }
                self.fail[s.index()] |= 1 << lane;
            }
        }
        for &s in &self.failed {
            let cell = self.c.server_cell[s.index()];
            let h = self.seg.head[cell as usize];
            if h != cell || self.seg.is_head[cell as usize] {
                if self.seg_fail[h as usize] == 0 {
                    self.seg_failed.push(h);
                }
                self.seg_fail[h as usize] |= self.fail[s.index()];
            }
        }
    }

    /// Evaluates a batch of scenarios (lane `i` = `scenarios[i]` down),
    /// touching only what the failures reach.
    pub fn batch(&mut self, scenarios: &[&[ServerId]]) {
        self.set_failures(scenarios);
        for i in 0..self.failed.len() {
            let cell = self.c.server_cell[self.failed[i].index()];
            self.enqueue(cell);
        }
        while let Some(Reverse(cell)) = self.heap.pop() {
            self.queued[cell as usize] = false;
            let v = self.gate(cell);
            if v != self.cur[cell as usize] {
                self.cur[cell as usize] = v;
                self.touched.push(cell);
                let c = self.c;
                for &d in c.fanout(cell) {
                    self.enqueue(d);
                }
            }
        }
    }

    /// Evaluates every gate for the scenarios (for `simulate`).
    pub fn full(&mut self, scenarios: &[&[ServerId]]) {
        self.set_failures(scenarios);
        self.full = true;
        for i in 0..self.c.gates.len() {
            self.cur[i] = self.gate(i as Cell);
        }
    }

    fn enqueue(&mut self, cell: Cell) {
        let cell = self.seg.head[cell as usize];
        if !self.queued[cell as usize] {
            self.queued[cell as usize] = true;
            self.heap.push(Reverse(cell));
        }
    }

    /// Back to nothing down.
    pub fn reset(&mut self) {
        if self.full {
            self.cur.copy_from_slice(&self.baseline);
            self.full = false;
        } else {
            for &c in &self.touched {
                self.cur[c as usize] = self.baseline[c as usize];
            }
        }
        self.touched.clear();
        for h in self.seg_failed.drain(..) {
            self.seg_fail[h as usize] = 0;
        }
        for s in self.failed.drain(..) {
            self.fail[s.index()] = 0;
        }
    }

    /// A gate's value; after `batch`, only for gates outside straight runs
    /// and run heads (entry points, for instance), after `full` for all.
    pub fn value(&self, cell: Cell) -> u64 {
        self.cur[cell as usize]
    }

    pub fn is_down(&self, s: ServerId, lane: usize) -> bool {
        self.fail[s.index()] >> lane & 1 == 1
    }

    /// Lanes in which some entry point that serves with nothing down is
    /// dark (after `batch`): entry points broken from the start are
    /// `broken`, not the failure's doing (§7.3, v1.1).
    pub fn dark_lanes(&self) -> u64 {
        self.dark_entries().iter().fold(0, |dark, &i| {
            dark | !self.cur[self.c.entries[i].cell as usize]
        })
    }

    /// The entry points, in order, that serve with nothing down and are
    /// dark in some lane. After `batch` only the gates it changed are
    /// looked at, so a batch costs what its failures reach, not the number
    /// of entry points (a stack of many records stays linear).
    pub fn dark_entries(&self) -> Vec<usize> {
        let dark = |i: usize| {
            let cell = self.c.entries[i].cell;
            self.serves_at_baseline(cell) && self.cur[cell as usize] != !0
        };
        if self.full {
            return (0..self.c.entries.len()).filter(|&i| dark(i)).collect();
        }
        let mut out: Vec<usize> = self
            .touched
            .iter()
            .map(|&c| self.entry_at[c as usize])
            .filter(|&i| i != u32::MAX)
            .map(|i| i as usize)
            .filter(|&i| dark(i))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `cell` holds with nothing down.
    pub fn serves_at_baseline(&self, cell: Cell) -> bool {
        self.baseline[cell as usize] != 0
    }

    /// Why `cell` does not hold in `lane`: the chain from it down to a
    /// server that is down (or to a write no server can take). Prefers the
    /// inputs this scenario changed, so the chain leads to its failures.
    ///
    /// The chain is bounded, so that a stack of long chains with a finding
    /// per hop stays near-linear: it keeps its first [`CHAIN_HEAD`] and last
    /// [`CHAIN_TAIL`] steps with a [`Step::Skipped`] between them, and the
    /// walk stops after [`CHAIN_WALK`] gates (then the end is given only
    /// when the scenario downs a single server the walk is known to reach).
    pub fn why(&self, cell: Cell, lane: usize) -> Vec<Step> {
        self.why_within(cell, lane, CHAIN_WALK, false)
    }

    /// [`Evaluator::why`] for a scenario of several failures (a cut): where
    /// several inputs fail, it prefers one that is up and fails for a
    /// deeper reason, so that the chain reaches the failure that is not
    /// the first one met (`www -> lb -> lb-02 -> web -> web-02 -> db ->
    /// db-01 (down)` rather than `www -> lb -> lb-01 (down)`).
    pub fn why_deep(&self, cell: Cell, lane: usize) -> Vec<Step> {
        self.why_within(cell, lane, CHAIN_WALK, true)
    }

    fn why_within(&self, cell: Cell, lane: usize, walk: usize, deep: bool) -> Vec<Step> {
        // A gate inside a run is only reached from its reader, which fails
        // and is not down: it fails too (its value is not kept, see
        // `Segments`).
        let bit = |c: Cell| !self.seg.inner(c) && self.cur[c as usize] >> lane & 1 == 1;
        let changed = |c: Cell| {
            let now = if self.seg.inner(c) {
                0
            } else {
                self.cur[c as usize]
            };
            (now ^ self.baseline[c as usize]) >> lane & 1 == 1
        };
        let down_itself = |c: Cell| match self.c.gates[c as usize] {
            Gate::Server { server, .. } => self.is_down(server, lane),
            _ => false,
        };
        // The first input that fails and that the scenario changed, else
        // the first that fails; `deep`: one not down itself first.
        let pick = |ins: &[Cell]| -> Option<Cell> {
            let mut first = None;
            let mut changed_down = None;
            for &c in ins {
                if !bit(c) {
                    if changed(c) {
                        if !deep || !down_itself(c) {
                            return Some(c);
                        }
                        changed_down = changed_down.or(Some(c));
                    }
                    first = first.or(Some(c));
                }
            }
            changed_down.or(first)
        };
        let mut steps = Bounded::default();
        // Every gate so far was changed by the scenario: the walk leads to
        // one of its failures.
        let mut on_changed = true;
        let mut cur = Some(cell);
        let mut visited = 0;
        while let Some(c) = cur.take() {
            if bit(c) {
                break;
            }
            if visited == walk {
                return steps.cut(self.end_of_changed_walk(lane, on_changed));
            }
            visited += 1;
            on_changed &= changed(c);
            match (self.c.gates[c as usize], &self.c.origins[c as usize]) {
                (Gate::Never, Origin::ReplicaWrite(s)) => steps.push(Step::ReplicaWrite(*s)),
                (Gate::Never, Origin::Group(g)) => steps.push(Step::NoPrimary(*g)),
                (Gate::Never, _) => {}
                (Gate::Server { server, reqs }, _) => {
                    if self.is_down(server, lane) {
                        steps.push(Step::Down(server));
                    } else {
                        steps.push(Step::Server(server));
                        cur = pick(self.c.inputs(reqs));
                    }
                }
                (Gate::Any(ins), origin) => {
                    match origin {
                        Origin::Entry(i) => steps.push(Step::Entry(*i)),
                        Origin::Group(g) => steps.push(Step::Group(*g)),
                        _ => {}
                    }
                    cur = pick(self.c.inputs(ins));
                }
                (Gate::Quorum { ins, .. }, origin) => {
                    if let Origin::Quorum(g) = origin {
                        steps.push(Step::Group(*g));
                    }
                    cur = pick(self.c.inputs(ins));
                }
                (Gate::Holder { members }, origin) => {
                    let Origin::Holder(g) = origin else { break };
                    let members = self.c.members(members);
                    match members.iter().find(|(s, _)| !self.is_down(*s, lane)) {
                        Some(&(s, sc)) => {
                            steps.push(Step::Holder(*g, s));
                            cur = Some(sc);
                        }
                        None => {
                            steps.push(Step::Group(*g));
                            cur = members.first().map(|m| m.1);
                        }
                    }
                }
            }
        }
        steps.finish()
    }

    /// Where a walk through changed gates ends when it is cut short: the
    /// server the scenario downs, when it downs only one.
    fn end_of_changed_walk(&self, lane: usize, on_changed: bool) -> Option<Step> {
        if !on_changed {
            return None;
        }
        let mut down = self.failed.iter().filter(|s| self.is_down(**s, lane));
        match (down.next(), down.next()) {
            (Some(s), None) => Some(Step::Down(*s)),
            _ => None,
        }
    }
}

/// The lanes in which at least `k` of the values hold: a bit-sliced counter
/// per lane (ripple-carry over at most 32 bit planes), then a bit-sliced
/// comparison with `k`. Costs O(n log n) word operations for n inputs.
pub fn at_least(k: u32, values: impl Iterator<Item = u64>) -> u64 {
    if k == 0 {
        return !0;
    }
    let mut planes = [0u64; 33];
    let mut used = 0;
    for x in values {
        let mut carry = x;
        let mut b = 0;
        while carry != 0 {
            let p = planes[b];
            planes[b] = p ^ carry;
            carry &= p;
            b += 1;
        }
        used = used.max(b);
    }
    let top = (32 - k.leading_zeros()) as usize;
    if used < top {
        return 0; // the counters cannot reach k
    }
    // From the most significant plane down: lanes whose count is already
    // greater than k's prefix, and lanes still equal to it.
    let (mut gt, mut eq) = (0u64, !0u64);
    for b in (0..used).rev() {
        if b < 32 && (k >> b) & 1 == 1 {
            eq &= planes[b];
        } else {
            gt |= eq & planes[b];
            eq &= !planes[b];
        }
    }
    gt | eq
}

/// The steps of a chain kept: the first [`CHAIN_HEAD`], the last
/// [`CHAIN_TAIL`], and how many were left out between them.
pub const CHAIN_HEAD: usize = 4;
pub const CHAIN_TAIL: usize = 2;
/// The most gates one explanation walks.
pub const CHAIN_WALK: usize = 512;

#[derive(Default)]
struct Bounded {
    head: Vec<Step>,
    tail: std::collections::VecDeque<Step>,
    skipped: usize,
}

impl Bounded {
    fn push(&mut self, s: Step) {
        if self.head.len() < CHAIN_HEAD {
            self.head.push(s);
            return;
        }
        self.tail.push_back(s);
        if self.tail.len() > CHAIN_TAIL {
            self.tail.pop_front();
            self.skipped += 1;
        }
    }

    fn finish(mut self) -> Vec<Step> {
        if self.skipped > 0 {
            self.head.push(Step::Skipped {
                hops: self.skipped,
                more: false,
            });
        }
        self.head.extend(self.tail);
        self.head
    }

    /// The walk stopped before its end; `end` is its last step when known.
    fn cut(mut self, end: Option<Step>) -> Vec<Step> {
        self.head.push(Step::Skipped {
            hops: self.skipped + self.tail.len(),
            more: true,
        });
        self.head.extend(end);
        self.head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `at_least` counts per lane exactly: compared with a count of each
    /// lane's bits for every k, on pseudo-random words (and the edges: no
    /// input, k = 0, k past the inputs, 40 inputs past one bit plane).
    #[test]
    fn at_least_counts_each_lane() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0usize, 1, 2, 3, 5, 8, 17, 40] {
            let values: Vec<u64> = (0..n).map(|_| next()).collect();
            for k in 0..=(n as u32 + 2) {
                let got = at_least(k, values.iter().copied());
                for lane in 0..64 {
                    let count = values.iter().filter(|v| *v >> lane & 1 == 1).count() as u32;
                    assert_eq!(got >> lane & 1 == 1, count >= k, "n={n} k={k} lane={lane}");
                }
            }
        }
    }

    /// A quorum group of three under every scenario of its members: the
    /// 64-lane evaluator agrees with a count.
    #[test]
    fn a_quorum_gate_holds_while_k_members_work() {
        for (k, attr) in [(2, ""), (1, " quorum=1"), (3, " quorum=3")] {
            let src = format!(
                "group db: mysql mode=quorum{attr} {{\n server d1 10.0.3.1\n server d2 10.0.3.2\n server d3 10.0.3.3\n}}\n\
                 server w: nginx 10.0.1.1\nw -> db\ndomain ex.com {{ www A -> w }}\n"
            );
            let c = crate::check(&src);
            let a = c.analysis.as_ref().expect("analysed");
            let ids: Vec<_> = c
                .model
                .server_ids()
                .filter(|s| c.model.server(*s).name.starts_with('d'))
                .collect();
            let sets: Vec<Vec<crate::model::ServerId>> = (0..8u32)
                .map(|bits| {
                    ids.iter()
                        .enumerate()
                        .filter(|(i, _)| bits >> i & 1 == 1)
                        .map(|(_, s)| *s)
                        .collect()
                })
                .collect();
            let scenarios: Vec<&[crate::model::ServerId]> = sets.iter().map(|v| &v[..]).collect();
            let mut ev = Evaluator::new(&a.circuit, c.model.servers.len());
            ev.full(&scenarios);
            let www = ev.value(a.circuit.entries[0].cell);
            for (lane, set) in sets.iter().enumerate() {
                let working = 3 - set.len() as u32;
                assert_eq!(www >> lane & 1 == 1, working >= k, "k={k} down={set:?}");
            }
        }
    }
}
