//! A reduced ordered binary decision diagram, for the exact availability
//! (RESILIENCE.md §3).
//!
//! Nodes live in one `Vec` as `(var, lo, hi)`, hash-consed through an
//! open-addressing unique table, so two equal functions are one node. A
//! node is created after its children: ids grow from the terminals up,
//! and a scan by id is a bottom-up (or, reversed, top-down) traversal.
//! `and`, `or` and `ite` run on an explicit stack (a chain of 100,000
//! servers is 100,000 levels deep: no recursion may follow it) with a lossy
//! computed cache. Past a node budget every operation returns [`TooBig`],
//! so a diagram that would explode is refused instead of eating the memory.
//!
//! The probability that a function holds and the probability that it does
//! not are computed by two separate recurrences of non-negative terms, so
//! an unavailability of 1e-12 keeps its relative precision; the partial
//! derivatives of every variable come out of one top-down pass.

use super::{thousands, TooBig};

/// A function: the id of its root node.
pub type Ref = u32;
/// The constant false.
pub const FALSE: Ref = 0;
/// The constant true.
pub const TRUE: Ref = 1;

/// The level of the terminals: below every variable.
const TERMINAL: u32 = u32::MAX;
/// Cache keys: the third operand of the binary operations.
const AND: u32 = u32::MAX;
const OR: u32 = u32::MAX - 1;
/// An empty cache slot.
const EMPTY: u32 = u32::MAX;
/// The computed cache never grows past this many entries (16 bytes each:
/// 1 MiB). On the benches a cache 16 times larger saved about 1 % of the
/// steps and cost more time than that, each lookup missing the processor's
/// caches.
const MAX_CACHE: usize = 1 << 16;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Node {
    var: u32,
    lo: Ref,
    hi: Ref,
}

#[derive(Copy, Clone)]
struct Entry {
    a: u32,
    b: u32,
    c: u32,
    r: Ref,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Ite,
}

#[derive(Copy, Clone)]
enum Frame {
    /// Compute `op(a, b, c)` and push the result.
    Call(Ref, Ref, Ref),
    /// Both cofactors of `op(a, b, c)` at level `var` are on the result
    /// stack (the 1-cofactor on top): make the node.
    Build(u32, Ref, Ref, Ref),
}

/// Recursive steps allowed per node of the budget (see `Bdd::steps`).
pub const STEPS_PER_NODE: u64 = 1;

/// A diagram manager over variables `0..vars`, variable 0 on top.
pub struct Bdd {
    nodes: Vec<Node>,
    /// Node ids, 0 for an empty slot (the terminals are never in it).
    unique: Vec<Ref>,
    cache: Vec<Entry>,
    budget: usize,
    /// Recursive steps taken (cache misses), and the most allowed: the
    /// cache is lossy, so a tangled stack can cost far more steps than it
    /// keeps nodes, and the step budget bounds the time as the node budget
    /// bounds the memory.
    steps: u64,
    step_budget: u64,
    work: Vec<Frame>,
    results: Vec<Ref>,
}

#[inline]
fn mix(a: u32, b: u32, c: u32) -> u64 {
    // Three words folded, then a full avalanche (the finaliser of
    // MurmurHash3), so that the low bits the tables use depend on every bit.
    let mut h = (a as u64) ^ ((b as u64) << 32) ^ (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

impl Bdd {
    /// A manager that refuses to hold more than `budget` nodes.
    pub fn new(budget: usize) -> Self {
        let terminal = Node {
            var: TERMINAL,
            lo: FALSE,
            hi: FALSE,
        };
        Bdd {
            nodes: vec![terminal, terminal],
            unique: vec![0; 1 << 12],
            cache: vec![
                Entry {
                    a: EMPTY,
                    b: 0,
                    c: 0,
                    r: 0
                };
                1 << 12
            ],
            budget: budget.max(2),
            steps: 0,
            step_budget: (budget as u64).saturating_mul(STEPS_PER_NODE),
            work: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Nodes held, the two terminals included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never: the two terminals are always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The variable a non-terminal node tests (`u32::MAX` for a terminal).
    pub fn level(&self, f: Ref) -> u32 {
        self.nodes[f as usize].var
    }

    /// Recursive steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    fn too_many_steps(&self) -> TooBig {
        TooBig {
            message: format!(
                "the exact availability of this stack needs more than {} decision-diagram steps (its requirements cross too much to factor)",
                thousands(self.step_budget)
            ),
        }
    }

    fn too_big(&self) -> TooBig {
        TooBig {
            message: format!(
                "the exact availability of this stack needs more than {} decision-diagram nodes",
                thousands(self.budget as u64)
            ),
        }
    }

    /// The function "variable `v` holds".
    pub fn var(&mut self, v: u32) -> Result<Ref, TooBig> {
        self.mk(v, FALSE, TRUE)
    }

    fn mk(&mut self, var: u32, lo: Ref, hi: Ref) -> Result<Ref, TooBig> {
        if lo == hi {
            return Ok(lo);
        }
        let mask = self.unique.len() - 1;
        let mut i = mix(var, lo, hi) as usize & mask;
        loop {
            let id = self.unique[i];
            if id == 0 {
                break;
            }
            let n = self.nodes[id as usize];
            if n.var == var && n.lo == lo && n.hi == hi {
                return Ok(id);
            }
            i = (i + 1) & mask;
        }
        if self.nodes.len() >= self.budget {
            return Err(self.too_big());
        }
        let id = self.nodes.len() as Ref;
        self.nodes.push(Node { var, lo, hi });
        self.unique[i] = id;
        if self.nodes.len() * 2 > self.unique.len() {
            self.grow_unique();
        }
        if self.nodes.len() > self.cache.len() && self.cache.len() < MAX_CACHE {
            self.grow_cache();
        }
        Ok(id)
    }

    fn grow_unique(&mut self) {
        let size = self.unique.len() * 2;
        let mask = size - 1;
        let mut t = vec![0; size];
        for (id, n) in self.nodes.iter().enumerate().skip(2) {
            let mut i = mix(n.var, n.lo, n.hi) as usize & mask;
            while t[i] != 0 {
                i = (i + 1) & mask;
            }
            t[i] = id as Ref;
        }
        self.unique = t;
    }

    fn grow_cache(&mut self) {
        let size = self.cache.len() * 4;
        let mask = size - 1;
        let mut t = vec![
            Entry {
                a: EMPTY,
                b: 0,
                c: 0,
                r: 0
            };
            size
        ];
        for e in &self.cache {
            if e.a != EMPTY {
                t[mix(e.a, e.b, e.c) as usize & mask] = *e;
            }
        }
        self.cache = t;
    }

    #[inline]
    fn cached(&self, a: u32, b: u32, c: u32) -> Option<Ref> {
        let e = self.cache[mix(a, b, c) as usize & (self.cache.len() - 1)];
        (e.a == a && e.b == b && e.c == c).then_some(e.r)
    }

    #[inline]
    fn remember(&mut self, a: u32, b: u32, c: u32, r: Ref) {
        let i = mix(a, b, c) as usize & (self.cache.len() - 1);
        self.cache[i] = Entry { a, b, c, r };
    }

    /// The terminal cases of `op`, or its operands normalised (the cache
    /// key).
    #[inline]
    fn simplify(op: Op, a: Ref, b: Ref, c: Ref) -> Result<Ref, (Ref, Ref, Ref)> {
        match op {
            Op::And => {
                if a == FALSE || b == FALSE {
                    Ok(FALSE)
                } else if a == TRUE || a == b {
                    Ok(b)
                } else if b == TRUE {
                    Ok(a)
                } else {
                    Err((a.min(b), a.max(b), AND))
                }
            }
            Op::Or => {
                if a == TRUE || b == TRUE {
                    Ok(TRUE)
                } else if a == FALSE || a == b {
                    Ok(b)
                } else if b == FALSE {
                    Ok(a)
                } else {
                    Err((a.min(b), a.max(b), OR))
                }
            }
            Op::Ite => {
                let b = if b == a { TRUE } else { b };
                let c = if c == a { FALSE } else { c };
                if a == TRUE || b == c {
                    Ok(b)
                } else if a == FALSE {
                    Ok(c)
                } else if b == TRUE && c == FALSE {
                    Ok(a)
                } else {
                    Err((a, b, c))
                }
            }
        }
    }

    /// The cofactors of `f` at level `v` (`f` itself twice when it does
    /// not test `v`).
    #[inline]
    fn cofactors(&self, f: Ref, v: u32) -> (Ref, Ref) {
        let n = self.nodes[f as usize];
        if n.var == v {
            (n.lo, n.hi)
        } else {
            (f, f)
        }
    }

    fn apply(&mut self, op: Op, a: Ref, b: Ref, c: Ref) -> Result<Ref, TooBig> {
        let mut work = std::mem::take(&mut self.work);
        let mut results = std::mem::take(&mut self.results);
        work.clear();
        results.clear();
        work.push(Frame::Call(a, b, c));
        let out = self.run(op, &mut work, &mut results);
        self.work = work;
        self.results = results;
        out
    }

    fn run(
        &mut self,
        op: Op,
        work: &mut Vec<Frame>,
        results: &mut Vec<Ref>,
    ) -> Result<Ref, TooBig> {
        while let Some(frame) = work.pop() {
            match frame {
                Frame::Call(a, b, c) => {
                    let (a, b, c) = match Self::simplify(op, a, b, c) {
                        Ok(r) => {
                            results.push(r);
                            continue;
                        }
                        Err(key) => key,
                    };
                    if let Some(r) = self.cached(a, b, c) {
                        results.push(r);
                        continue;
                    }
                    self.steps += 1;
                    if self.steps > self.step_budget {
                        return Err(self.too_many_steps());
                    }
                    let mut v = self.level(a).min(self.level(b));
                    if op == Op::Ite {
                        v = v.min(self.level(c));
                    }
                    let (a0, a1) = self.cofactors(a, v);
                    let (b0, b1) = self.cofactors(b, v);
                    let (c0, c1) = if op == Op::Ite {
                        self.cofactors(c, v)
                    } else {
                        (c, c)
                    };
                    work.push(Frame::Build(v, a, b, c));
                    work.push(Frame::Call(a1, b1, c1));
                    work.push(Frame::Call(a0, b0, c0));
                }
                Frame::Build(v, a, b, c) => {
                    let hi = results.pop().expect("the 1-cofactor was computed");
                    let lo = results.pop().expect("the 0-cofactor was computed");
                    let r = self.mk(v, lo, hi)?;
                    self.remember(a, b, c, r);
                    results.push(r);
                }
            }
        }
        Ok(results.pop().expect("the call left its result"))
    }

    pub fn and(&mut self, f: Ref, g: Ref) -> Result<Ref, TooBig> {
        self.apply(Op::And, f, g, AND)
    }

    pub fn or(&mut self, f: Ref, g: Ref) -> Result<Ref, TooBig> {
        self.apply(Op::Or, f, g, OR)
    }

    pub fn not(&mut self, f: Ref) -> Result<Ref, TooBig> {
        self.apply(Op::Ite, f, FALSE, TRUE)
    }

    /// If `f` then `g` else `h`.
    pub fn ite(&mut self, f: Ref, g: Ref, h: Ref) -> Result<Ref, TooBig> {
        self.apply(Op::Ite, f, g, h)
    }

    /// The AND of every function (true for none), folded as a balanced
    /// tree over the functions sorted by their top variable: a left fold
    /// over a group of 10,000 would copy a growing diagram 10,000 times.
    pub fn and_all(&mut self, fs: &[Ref]) -> Result<Ref, TooBig> {
        self.fold(Op::And, fs)
    }

    /// The OR of every function (false for none), balanced like
    /// [`Bdd::and_all`].
    pub fn or_all(&mut self, fs: &[Ref]) -> Result<Ref, TooBig> {
        self.fold(Op::Or, fs)
    }

    fn fold(&mut self, op: Op, fs: &[Ref]) -> Result<Ref, TooBig> {
        let (unit, key) = match op {
            Op::And => (TRUE, AND),
            _ => (FALSE, OR),
        };
        let mut v: Vec<Ref> = fs.to_vec();
        // Neighbours in variable order combine first: each partial result
        // then covers a run of levels, and stays small.
        v.sort_by_key(|f| std::cmp::Reverse(self.level(*f)));
        v.dedup();
        while v.len() > 1 {
            let mut next = Vec::with_capacity(v.len().div_ceil(2));
            for pair in v.chunks(2) {
                next.push(match pair {
                    [a, b] => self.apply(op, *a, *b, key)?,
                    [a] => *a,
                    _ => unreachable!("chunks of two"),
                });
            }
            v = next;
        }
        Ok(v.first().copied().unwrap_or(unit))
    }

    /// At least `k` of the functions hold: the threshold recurrence
    /// `T(i, j) = ite(f_i, T(i+1, j-1), T(i+1, j))`, only over the `j` that
    /// can still matter.
    pub fn at_least(&mut self, k: usize, fs: &[Ref]) -> Result<Ref, TooBig> {
        let n = fs.len();
        if k == 0 {
            return Ok(TRUE);
        }
        if k > n {
            return Ok(FALSE);
        }
        let mut v: Vec<Ref> = fs.to_vec();
        // The top-most function tested first: T(0, k) at the top.
        v.sort_by_key(|f| self.level(*f));
        // row[j] = T(i, j) for the current i, j in 0..=k.
        let mut row = vec![FALSE; k + 1];
        row[0] = TRUE;
        for i in (0..n).rev() {
            // T(i, j) is needed for j >= k - i only, and is false for
            // j > n - i.
            let lo = k.saturating_sub(i).max(1);
            let hi = k.min(n - i);
            // Descending j: row[j - 1] is still T(i + 1, j - 1).
            for j in (lo..=hi).rev() {
                row[j] = self.ite(v[i], row[j - 1], row[j])?;
            }
        }
        Ok(row[k])
    }

    /// The first function of `(up, works)` pairs, in order, whose `up`
    /// holds decides: the result holds when its `works` does, and is false
    /// when no `up` holds. Folded as a balanced tree of
    /// `(decides, none up)` halves.
    pub fn first_up(&mut self, members: &[(Ref, Ref)]) -> Result<Ref, TooBig> {
        let mut v: Vec<(Ref, Ref)> = Vec::with_capacity(members.len());
        for &(up, works) in members {
            // Holds when this member is the first up and works.
            let decides = self.and(up, works)?;
            let none = self.not(up)?;
            v.push((decides, none));
        }
        while v.len() > 1 {
            let mut next = Vec::with_capacity(v.len().div_ceil(2));
            for pair in v.chunks(2) {
                next.push(match pair {
                    [(h1, n1), (h2, n2)] => (self.ite(*n1, *h2, *h1)?, self.and(*n1, *n2)?),
                    [x] => *x,
                    _ => unreachable!("chunks of two"),
                });
            }
            v = next;
        }
        Ok(v.first().map_or(FALSE, |x| x.0))
    }

    /// Which nodes lie under one of `roots`.
    fn reachable(&self, roots: &[Ref]) -> Vec<bool> {
        let top = roots.iter().copied().max().unwrap_or(TRUE).max(TRUE) as usize;
        let mut mark = vec![false; top + 1];
        for &r in roots {
            mark[r as usize] = true;
        }
        for id in (2..=top).rev() {
            if mark[id] {
                let n = self.nodes[id];
                mark[n.lo as usize] = true;
                mark[n.hi as usize] = true;
            }
        }
        mark
    }

    /// The probability of every node under `roots` being true and being
    /// false, where variable `v` holds with probability `up[v]` and fails
    /// with `down[v]` (each given directly, not as `1 - up`).
    pub fn probabilities(&self, roots: &[Ref], up: &[f64], down: &[f64]) -> Probabilities {
        let mark = self.reachable(roots);
        let mut p1 = vec![0.0; mark.len()];
        let mut p0 = vec![0.0; mark.len()];
        p1[TRUE as usize] = 1.0;
        p0[FALSE as usize] = 1.0;
        for id in 2..mark.len() {
            if mark[id] {
                let n = self.nodes[id];
                let (u, d) = (up[n.var as usize], down[n.var as usize]);
                p1[id] = u * p1[n.hi as usize] + d * p1[n.lo as usize];
                p0[id] = u * p0[n.hi as usize] + d * p0[n.lo as usize];
            }
        }
        Probabilities { mark, p1, p0 }
    }

    /// For every variable `v`, the partial derivative of P(`root`) by
    /// `up[v]`: the sum over the nodes testing `v` of the probability of
    /// reaching the node times P(hi) - P(lo) (taken as P0(lo) - P0(hi),
    /// which keeps its digits when both are near 1). One top-down pass.
    pub fn derivatives(
        &self,
        root: Ref,
        p: &Probabilities,
        up: &[f64],
        down: &[f64],
        vars: usize,
    ) -> Vec<f64> {
        let mut d = vec![0.0; vars];
        let top = root as usize;
        if top < 2 {
            return d;
        }
        let mut reach = vec![0.0; top + 1];
        reach[top] = 1.0;
        for id in (2..=top).rev() {
            let r = reach[id];
            if r == 0.0 {
                continue;
            }
            debug_assert!(p.mark[id], "a node under the root was evaluated");
            let n = self.nodes[id];
            let v = n.var as usize;
            // Children have smaller ids than their parents.
            reach[n.hi as usize] += r * up[v];
            reach[n.lo as usize] += r * down[v];
            d[v] += r * (p.p0[n.lo as usize] - p.p0[n.hi as usize]);
        }
        d
    }
}

/// The probabilities [`Bdd::probabilities`] computed.
pub struct Probabilities {
    mark: Vec<bool>,
    p1: Vec<f64>,
    p0: Vec<f64>,
}

impl Probabilities {
    /// P(f holds), for a root the probabilities were computed for.
    pub fn up(&self, f: Ref) -> f64 {
        self.p1[f as usize]
    }
    /// P(f fails), computed on its own.
    pub fn down(&self, f: Ref) -> f64 {
        self.p0[f as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every assignment of `n` variables: bit `v` of the index is `v`.
    fn eval(b: &Bdd, mut f: Ref, bits: u32) -> bool {
        while f > TRUE {
            let n = b.nodes[f as usize];
            f = if bits >> n.var & 1 == 1 { n.hi } else { n.lo };
        }
        f == TRUE
    }

    #[test]
    fn operations_agree_with_truth_tables() {
        let mut b = Bdd::new(1 << 20);
        let x: Vec<Ref> = (0..4).map(|v| b.var(v).unwrap()).collect();
        let and = b.and(x[0], x[2]).unwrap();
        let or = b.or(x[1], and).unwrap();
        let not = b.not(or).unwrap();
        let ite = b.ite(x[3], not, x[0]).unwrap();
        let q = b.at_least(2, &[x[0], x[1], x[2]]).unwrap();
        let h = b.first_up(&[(x[0], x[1]), (x[2], x[3])]).unwrap();
        for bits in 0..16u32 {
            let v = |i: u32| bits >> i & 1 == 1;
            assert_eq!(eval(&b, and, bits), v(0) && v(2));
            assert_eq!(eval(&b, or, bits), v(1) || (v(0) && v(2)));
            assert_eq!(eval(&b, not, bits), !(v(1) || (v(0) && v(2))));
            let expect = if v(3) {
                !(v(1) || (v(0) && v(2)))
            } else {
                v(0)
            };
            assert_eq!(eval(&b, ite, bits), expect);
            assert_eq!(
                eval(&b, q, bits),
                (v(0) as u8 + v(1) as u8 + v(2) as u8) >= 2
            );
            let holder = if v(0) { v(1) } else { v(2) && v(3) };
            assert_eq!(eval(&b, h, bits), holder);
        }
    }

    #[test]
    fn equal_functions_are_one_node() {
        let mut b = Bdd::new(1 << 20);
        let x: Vec<Ref> = (0..3).map(|v| b.var(v).unwrap()).collect();
        let ab = b.and(x[0], x[1]).unwrap();
        let abc = b.and(ab, x[2]).unwrap();
        let bc = b.and(x[1], x[2]).unwrap();
        let abc2 = b.and(bc, x[0]).unwrap();
        assert_eq!(abc, abc2);
        let all = b.and_all(&[x[2], x[0], x[1]]).unwrap();
        assert_eq!(all, abc);
        let nn = b.not(abc).unwrap();
        assert_eq!(b.not(nn).unwrap(), abc);
    }

    #[test]
    fn a_wide_balanced_or_stays_linear() {
        let mut b = Bdd::new(1 << 22);
        let n = 10_000;
        let xs: Vec<Ref> = (0..n).map(|v| b.var(v).unwrap()).collect();
        let f = b.or_all(&xs).unwrap();
        // Each of the log2(n) rounds copies at most half of the chain: n log
        // n nodes in all (a left fold from the top would make n² / 2).
        assert!(b.len() < (n * 9) as usize, "{} nodes", b.len());
        let up = vec![0.5; n as usize];
        let p = b.probabilities(&[f], &up, &up);
        assert_eq!(p.down(f), 0.5f64.powi(n as i32));
    }

    #[test]
    fn a_deep_chain_needs_no_deep_stack() {
        // 200,000 levels: recursion would overflow a test thread's stack.
        let mut b = Bdd::new(1 << 22);
        let xs: Vec<Ref> = (0..200_000).map(|v| b.var(v).unwrap()).collect();
        let f = b.and_all(&xs).unwrap();
        let g = b.not(f).unwrap();
        let h = b.or(f, g).unwrap();
        assert_eq!(h, TRUE);
    }

    #[test]
    fn past_the_budget_is_too_big_naming_the_cost() {
        let mut b = Bdd::new(1_000);
        let xs: Vec<Ref> = (0..64).map(|v| b.var(v).unwrap()).collect();
        // 32 of 64 variables: 32 * 33 nodes, past 1,000 with the 66 held.
        let err = b.at_least(32, &xs).unwrap_err();
        assert_eq!(
            err.message,
            "the exact availability of this stack needs more than 1,000 decision-diagram nodes"
        );
    }

    #[test]
    fn probabilities_and_derivatives_by_hand() {
        // f = x0 & (x1 | x2), with p = 0.9, 0.8, 0.7.
        let mut b = Bdd::new(1 << 20);
        let x: Vec<Ref> = (0..3).map(|v| b.var(v).unwrap()).collect();
        let or = b.or(x[1], x[2]).unwrap();
        let f = b.and(x[0], or).unwrap();
        let up = [0.9, 0.8, 0.7];
        let down = [0.1, 0.2, 0.30000000000000004];
        let p = b.probabilities(&[f], &up, &down);
        let a = 0.9 * (1.0 - 0.2 * 0.3);
        assert!((p.up(f) - a).abs() < 1e-15);
        assert!((p.down(f) - (1.0 - a)).abs() < 1e-15);
        let d = b.derivatives(f, &p, &up, &down, 3);
        assert!((d[0] - 0.94).abs() < 1e-15, "{d:?}");
        assert!((d[1] - 0.9 * 0.3).abs() < 1e-15, "{d:?}");
        assert!((d[2] - 0.9 * 0.2).abs() < 1e-15, "{d:?}");
    }

    #[test]
    fn tiny_unavailabilities_keep_their_digits() {
        // Three in parallel at 1e-5 down each: 1e-15 down, exactly.
        let mut b = Bdd::new(1 << 20);
        let x: Vec<Ref> = (0..3).map(|v| b.var(v).unwrap()).collect();
        let f = b.or_all(&x).unwrap();
        let down = [1e-5; 3];
        let up = [1.0 - 1e-5; 3];
        let p = b.probabilities(&[f], &up, &down);
        let expect = 1e-15;
        assert!((p.down(f) - expect).abs() / expect < 1e-12, "{}", p.down(f));
    }

    #[test]
    fn constants_have_their_probabilities() {
        let b = Bdd::new(16);
        for roots in [&[FALSE][..], &[TRUE], &[], &[FALSE, TRUE]] {
            let p = b.probabilities(roots, &[], &[]);
            assert_eq!((p.up(TRUE), p.down(TRUE)), (1.0, 0.0));
            assert_eq!((p.up(FALSE), p.down(FALSE)), (0.0, 1.0));
        }
        let p = b.probabilities(&[FALSE], &[], &[]);
        assert!(b.derivatives(FALSE, &p, &[], &[], 0).is_empty());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000_000), "20,000,000");
    }
}
