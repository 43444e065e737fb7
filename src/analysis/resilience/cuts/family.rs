//! Signed implicants and their families: the exact "this gate is false"
//! of every gate, for failure sets up to a size.
//!
//! An implicant `(P, N)` holds under a failure set F when every element of
//! P is in F and no server of N is down (neither it nor its zone is in F).
//! A family is a set of implicants, read as their OR; `Fail(g)` is a family
//! such that gate `g` is false under F (|F| <= k) exactly when one of its
//! implicants holds. P only grows when families are combined, so dropping
//! implicants with |P| > k is exact for the sets of size <= k; implicants
//! that can never hold (a server with its own zone in P, a server of N down
//! under P) are dropped, and so are the ones another subsumes
//! (`(P', N')` with P' ⊆ P and N' ⊆ N holds whenever `(P, N)` does).

use std::collections::HashMap;

/// Padding of an implicant's P (and the "no zone" of a server).
pub(super) const NONE: u32 = u32::MAX;
/// The largest cut size the search handles.
pub(super) const MAX_K: usize = 4;

/// `p`: the elements of P in increasing order, padded with [`NONE`]; `n`:
/// the interned set of servers that must be up (0: none).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Imp {
    pub p: [u32; MAX_K],
    pub n: u32,
}

impl Imp {
    /// Nothing needed: the gate is false under every set.
    pub const ALWAYS: Imp = Imp {
        p: [NONE; MAX_K],
        n: 0,
    };

    pub fn one(e: u32) -> Imp {
        let mut p = [NONE; MAX_K];
        p[0] = e;
        Imp { p, n: 0 }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.p.iter().take_while(|x| **x != NONE).count()
    }

    #[inline]
    pub fn elements(&self) -> &[u32] {
        &self.p[..self.len()]
    }
}

/// The work done so far went past the budget.
#[derive(Debug)]
pub(super) struct OverBudget;

/// What the combination of families needs: the size bound, each server's
/// zone, the interned N sets and the work counter.
pub(super) struct Ctx<'a> {
    pub k: usize,
    /// Per server: the element id of its zone, or [`NONE`].
    pub zone_of: &'a [u32],
    /// Element ids below this are servers.
    pub servers: u32,
    nsets: Vec<Vec<u32>>,
    nmap: HashMap<Vec<u32>, u32>,
    /// Implicants built (and other units of work) so far.
    pub built: u64,
    pub budget: u64,
}

impl<'a> Ctx<'a> {
    pub fn new(k: usize, zone_of: &'a [u32], budget: u64) -> Self {
        Ctx {
            k: k.min(MAX_K),
            zone_of,
            servers: zone_of.len() as u32,
            nsets: vec![Vec::new()],
            nmap: HashMap::new(),
            built: 0,
            budget,
        }
    }

    #[inline]
    pub fn tick(&mut self, work: u64) -> Result<(), OverBudget> {
        self.built += work;
        if self.built > self.budget {
            Err(OverBudget)
        } else {
            Ok(())
        }
    }

    fn intern(&mut self, v: Vec<u32>) -> u32 {
        if v.is_empty() {
            return 0;
        }
        if let Some(&id) = self.nmap.get(&v) {
            return id;
        }
        let id = self.nsets.len() as u32;
        self.nsets.push(v.clone());
        self.nmap.insert(v, id);
        id
    }

    /// N ∪ N'.
    fn n_union(&mut self, a: u32, b: u32) -> u32 {
        if a == 0 || a == b {
            return b;
        }
        if b == 0 {
            return a;
        }
        let (x, y) = (&self.nsets[a as usize], &self.nsets[b as usize]);
        let mut v = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() || j < y.len() {
            let (p, q) = (
                x.get(i).copied().unwrap_or(NONE),
                y.get(j).copied().unwrap_or(NONE),
            );
            if p <= q {
                v.push(p);
                i += 1;
                j += usize::from(p == q);
            } else {
                v.push(q);
                j += 1;
            }
        }
        self.intern(v)
    }

    /// N with one more server.
    pub fn n_with(&mut self, a: u32, s: u32) -> u32 {
        let mut v = self.nsets[a as usize].clone();
        if let Err(at) = v.binary_search(&s) {
            v.insert(at, s);
        }
        self.intern(v)
    }

    fn n_subset(&self, a: u32, b: u32) -> bool {
        if a == 0 || a == b {
            return true;
        }
        if b == 0 {
            return false;
        }
        let (x, y) = (&self.nsets[a as usize], &self.nsets[b as usize]);
        x.len() <= y.len() && x.iter().all(|s| y.binary_search(s).is_ok())
    }

    fn n_len(&self, a: u32) -> usize {
        self.nsets[a as usize].len()
    }

    /// P ∪ P', or `None` past k elements.
    #[inline]
    fn p_union(&self, a: &[u32; MAX_K], b: &[u32; MAX_K]) -> Option<[u32; MAX_K]> {
        let mut out = [NONE; MAX_K];
        let (mut i, mut j, mut o) = (0, 0, 0);
        loop {
            let x = if i < MAX_K { a[i] } else { NONE };
            let y = if j < MAX_K { b[j] } else { NONE };
            if x == NONE && y == NONE {
                return Some(out);
            }
            let v = if x < y {
                i += 1;
                x
            } else if y < x {
                j += 1;
                y
            } else {
                i += 1;
                j += 1;
                x
            };
            if o == self.k {
                return None;
            }
            out[o] = v;
            o += 1;
        }
    }

    /// Whether the implicant can hold under a valid failure set: no server
    /// with its own zone in P, no server of N down under P.
    #[inline]
    pub fn valid(&self, imp: &Imp) -> bool {
        let e = imp.elements();
        for &s in e {
            if s >= self.servers {
                break; // zones sort after servers
            }
            let z = self.zone_of[s as usize];
            if z != NONE && e.contains(&z) {
                return false;
            }
        }
        if imp.n != 0 {
            for &s in &self.nsets[imp.n as usize] {
                let z = self.zone_of[s as usize];
                if e.contains(&s) || (z != NONE && e.contains(&z)) {
                    return false;
                }
            }
        }
        true
    }

    fn subsumes(&self, a: &Imp, b: &Imp) -> bool {
        a.elements().iter().all(|x| b.elements().contains(x)) && self.n_subset(a.n, b.n)
    }

    /// Keeps the implicants no other one subsumes, in a canonical order.
    pub fn minimise(&mut self, mut v: Vec<Imp>) -> Vec<Imp> {
        if v.len() <= 1 {
            return v;
        }
        v.sort_unstable_by_key(|i| (i.len(), self.n_len(i.n), i.p, i.n));
        v.dedup();
        let mut kept: Vec<Imp> = Vec::with_capacity(v.len());
        if v.len() <= 48 {
            for x in v {
                if !kept.iter().any(|k| self.subsumes(k, &x)) {
                    kept.push(x);
                }
            }
            return kept;
        }
        // Larger families: look up the kept implicants by each subset of P.
        let mut by_p: HashMap<[u32; MAX_K], Vec<u32>> = HashMap::new();
        for x in v {
            let e = x.elements();
            let mut subsumed = false;
            'subsets: for mask in 0u32..(1 << e.len()) {
                let mut key = [NONE; MAX_K];
                let mut o = 0;
                for (bit, &el) in e.iter().enumerate() {
                    if mask >> bit & 1 == 1 {
                        key[o] = el;
                        o += 1;
                    }
                }
                if let Some(ns) = by_p.get(&key) {
                    if ns.iter().any(|&n| self.n_subset(n, x.n)) {
                        subsumed = true;
                        break 'subsets;
                    }
                }
            }
            if !subsumed {
                by_p.entry(x.p).or_default().push(x.n);
                kept.push(x);
            }
        }
        kept
    }

    /// Both false: the pairwise unions.
    pub fn product(&mut self, a: &[Imp], b: &[Imp]) -> Result<Vec<Imp>, OverBudget> {
        if a.is_empty() || b.is_empty() {
            return Ok(Vec::new());
        }
        if a == [Imp::ALWAYS] {
            return Ok(b.to_vec());
        }
        if b == [Imp::ALWAYS] {
            return Ok(a.to_vec());
        }
        self.tick((a.len() * b.len()) as u64)?;
        let mut out = Vec::new();
        for x in a {
            for y in b {
                let Some(p) = self.p_union(&x.p, &y.p) else {
                    continue;
                };
                let n = self.n_union(x.n, y.n);
                let imp = Imp { p, n };
                if self.valid(&imp) {
                    out.push(imp);
                }
            }
        }
        Ok(self.minimise(out))
    }

    /// Either false.
    pub fn union(&mut self, parts: &[&[Imp]]) -> Result<Vec<Imp>, OverBudget> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        self.tick(total as u64)?;
        let mut out = Vec::with_capacity(total);
        for p in parts {
            out.extend_from_slice(p);
        }
        Ok(self.minimise(out))
    }

    /// `fam` with server `s` up as well.
    pub fn with_up(&mut self, fam: &[Imp], s: u32) -> Result<Vec<Imp>, OverBudget> {
        self.tick(fam.len() as u64)?;
        let mut out = Vec::with_capacity(fam.len());
        for x in fam {
            let imp = Imp {
                p: x.p,
                n: self.n_with(x.n, s),
            };
            if self.valid(&imp) {
                out.push(imp);
            }
        }
        Ok(self.minimise(out))
    }
}

/// The minimal sets among the P of a family's implicants, each in
/// increasing element order.
pub(super) fn minimal_sets(fam: &[Imp]) -> Vec<Vec<u32>> {
    let mut ps: Vec<[u32; MAX_K]> = fam.iter().map(|i| i.p).collect();
    ps.sort_unstable_by_key(|p| (Imp { p: *p, n: 0 }.len(), *p));
    ps.dedup();
    let mut kept: std::collections::HashSet<[u32; MAX_K]> = Default::default();
    let mut out = Vec::new();
    for p in ps {
        let e = Imp { p, n: 0 }.elements().to_vec();
        let has_kept_subset = (0u32..(1 << e.len()) - 1).any(|mask| {
            let mut key = [NONE; MAX_K];
            let mut o = 0;
            for (bit, &el) in e.iter().enumerate() {
                if mask >> bit & 1 == 1 {
                    key[o] = el;
                    o += 1;
                }
            }
            kept.contains(&key)
        });
        if !has_kept_subset {
            kept.insert(p);
            out.push(e);
        }
    }
    out
}
