//! The worst load of each server with `capacity` over nothing down and
//! every tolerated failure set that does not break the stack: the sets
//! among the elements that can change a load, by size then declaration
//! order, 64 at a time through the lane evaluator (which says what works),
//! each handed to the incremental flow of `delta`.

use super::delta::{Scan, NOISE};
use super::graph::Graph;
use super::{Headroom, TOLERANCE};
use crate::analysis::circuit::{Cell, Circuit};
use crate::analysis::lanes::{Evaluator, LANES};
use crate::analysis::resilience::thousands;
use crate::analysis::resilience::{is_failure_set, servers_down, Element, TooBig};
use crate::model::{Model, ServerId};

/// The most work the sets of size 2 and more may cost (in gate evaluations
/// and flow steps, about 2 s on this machine's cores), past which the
/// check is refused with its cost.
pub const BUDGET: f64 = 4e8;

pub(super) fn worst(
    m: &Model,
    c: &Circuit,
    tolerate: usize,
    left_out: &[bool],
) -> Result<Vec<Headroom>, TooBig> {
    let capped: Vec<ServerId> = m
        .server_ids()
        .filter(|s| m.server(*s).capacity.is_some())
        .collect();
    if capped.is_empty() {
        return Ok(Vec::new());
    }
    let g = Graph::new(m, c);
    let n = m.servers.len();
    let mut e = Evaluator::new(c, n);
    let works: Vec<bool> = c
        .server_cell
        .iter()
        .map(|&x| e.baseline[x as usize] != 0)
        .collect();
    let no_down = vec![false; n];
    let avail = g.availability(&works, &no_down);
    let base_in = g.incoming(&avail, &no_down);
    let base_load: Vec<f64> = (0..n)
        .map(|s| if works[s] { base_in[s] } else { 0.0 })
        .collect();
    let mut best = Best {
        worst: base_load.clone(),
        set: vec![usize::MAX; n],
        sets: Vec::new(),
        capped: (0..n).map(|s| m.servers[s].capacity.is_some()).collect(),
        noise: NOISE * g.total,
    };
    if g.total > 0.0 {
        let matter = g.can_matter();
        let candidates = candidates(m, &matter);
        let judged: Vec<Cell> = crate::analysis::resilience::judged(&e, left_out)
            .iter()
            .zip(&c.entries)
            .filter(|(j, _)| **j)
            .map(|(_, en)| en.cell)
            .collect();
        let mut scan = Scan::new(&g, avail, base_in);
        let mut run = Run {
            m,
            c,
            judged: &judged,
            lanes: vec![Vec::new(); LANES],
        };
        let mut sets_done = 0u64;
        for size in 1..=tolerate.min(candidates.len()) {
            if size == 2 {
                // What the larger sets would cost, from what the single
                // failures cost on average.
                let sets: f64 = (2..=tolerate).map(|k| binomial(candidates.len(), k)).sum();
                let per_set = (c.gates.len() + n) as f64 / LANES as f64
                    + scan.steps as f64 / sets_done.max(1) as f64;
                let cost = sets * per_set;
                if cost > BUDGET {
                    return Err(TooBig {
                        message: format!(
                            "the capacity check at tolerate={tolerate} would look at {} failure sets of 2 to {tolerate} of the {} elements that can carry load (about {cost:.1e} steps, over the budget of {BUDGET:.0e}); lower `tolerate`",
                            count(sets),
                            thousands(candidates.len() as u64)
                        ),
                    });
                }
            }
            let mut batch: Vec<Vec<Element>> = Vec::with_capacity(LANES);
            let mut combo = Combos::new(candidates.len(), size);
            while let Some(idx) = combo.next() {
                let set: Vec<Element> = idx.iter().map(|&i| candidates[i]).collect();
                if !is_failure_set(m, &set) {
                    continue;
                }
                batch.push(set);
                if batch.len() == LANES {
                    sets_done += batch.len() as u64;
                    run.batch(&mut e, &mut scan, &mut best, &mut batch);
                }
            }
            if !batch.is_empty() {
                sets_done += batch.len() as u64;
                run.batch(&mut e, &mut scan, &mut best, &mut batch);
            }
        }
    }
    Ok(capped
        .into_iter()
        .map(|s| {
            let i = s.index();
            Headroom {
                server: s,
                capacity: m.server(s).capacity.unwrap_or(f64::INFINITY),
                baseline: base_load[i],
                worst: best.worst[i],
                failed: match best.set[i] {
                    usize::MAX => Vec::new(),
                    k => best.sets[k].clone(),
                },
            }
        })
        .collect())
}

/// The elements whose loss can change a load, in declaration order: the
/// servers that can matter and the zones holding one. A set holding
/// another element has the loads of the set without it, and breaks the
/// stack whenever that smaller set does (such an element is in no
/// active-passive group, the only gate a loss can restore), so leaving
/// them out changes neither a worst load nor the first set that causes it.
fn candidates(m: &Model, matter: &[bool]) -> Vec<Element> {
    let mut zone = vec![false; m.zones.len()];
    for s in m.server_ids() {
        if let (true, Some(z)) = (matter[s.index()], m.server(s).zone) {
            zone[z.index()] = true;
        }
    }
    let mut out: Vec<Element> = Element::all(m)
        .into_iter()
        .filter(|e| match *e {
            Element::Server(s) => matter[s.index()],
            Element::Zone(z) => zone[z.index()],
        })
        .collect();
    out.sort_by_key(|e| e.order(m));
    out
}

/// The worst load of each server so far and the set that caused it.
struct Best {
    worst: Vec<f64>,
    /// Index into `sets` (`usize::MAX`: nothing down).
    set: Vec<usize>,
    sets: Vec<Vec<Element>>,
    capped: Vec<bool>,
    noise: f64,
}

/// One batch of up to 64 failure sets at a time.
struct Run<'a> {
    m: &'a Model,
    c: &'a Circuit,
    judged: &'a [Cell],
    /// Per lane: the servers whose "works" differs from nothing down.
    lanes: Vec<Vec<ServerId>>,
}

impl Run<'_> {
    fn batch(
        &mut self,
        e: &mut Evaluator<'_>,
        scan: &mut Scan<'_, '_>,
        best: &mut Best,
        batch: &mut Vec<Vec<Element>>,
    ) {
        let downs: Vec<Vec<ServerId>> = batch.iter().map(|s| servers_down(self.m, s)).collect();
        let refs: Vec<&[ServerId]> = downs.iter().map(|d| d.as_slice()).collect();
        e.full(&refs);
        let k = batch.len();
        let mask = if k == LANES { !0u64 } else { (1u64 << k) - 1 };
        let dark = self.judged.iter().fold(0u64, |d, &cell| d | !e.value(cell)) & mask;
        for l in &mut self.lanes {
            l.clear();
        }
        for (s, &cell) in self.c.server_cell.iter().enumerate() {
            let mut d = (e.value(cell) ^ e.baseline[cell as usize]) & mask & !dark;
            while d != 0 {
                self.lanes[d.trailing_zeros() as usize].push(ServerId(s as u32));
                d &= d - 1;
            }
        }
        for lane in 0..k {
            if dark >> lane & 1 == 1 {
                continue;
            }
            let mut kept: Option<usize> = None;
            let set = &batch[lane];
            scan.run(&self.lanes[lane], &downs[lane], |s, load| {
                let i = s.index();
                let w = best.worst[i];
                if best.capped[i] && load > w + TOLERANCE * w.abs() + best.noise {
                    best.worst[i] = load;
                    best.set[i] = *kept.get_or_insert_with(|| {
                        best.sets.push(set.clone());
                        best.sets.len() - 1
                    });
                }
            });
        }
        batch.clear();
        e.reset();
    }
}

/// The `k`-subsets of `0..n` in lexicographic order.
struct Combos {
    idx: Vec<usize>,
    n: usize,
    started: bool,
}

impl Combos {
    fn new(n: usize, k: usize) -> Self {
        Combos {
            idx: (0..k).collect(),
            n,
            started: false,
        }
    }

    fn next(&mut self) -> Option<&[usize]> {
        let k = self.idx.len();
        if k > self.n || k == 0 {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(&self.idx);
        }
        let mut i = k;
        while i > 0 {
            i -= 1;
            if self.idx[i] < self.n - k + i {
                self.idx[i] += 1;
                for j in i + 1..k {
                    self.idx[j] = self.idx[j - 1] + 1;
                }
                return Some(&self.idx);
            }
        }
        self.n = 0; // done
        None
    }
}

fn binomial(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// A count that may be an estimate past `u64`: grouped digits, or a
/// power of ten.
fn count(x: f64) -> String {
    if x < 1e18 {
        thousands(x.round() as u64)
    } else {
        format!("{x:.1e}")
    }
}
