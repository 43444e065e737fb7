//! The cuts of RESILIENCE.md §1: minimal breaking failure sets of servers
//! and zones, up to a size.
//!
//! The model is not monotone (an active-passive holder that is up but
//! cannot serve keeps the vip; losing it hands the vip on, which may
//! restore the chain), so the search is exact rather than a monotone
//! approximation. For every gate the judged entry points read, bottom-up,
//! it builds `Fail(g)`: a family of signed implicants `(P, N)` ("every
//! element of P is in F, no server of N is down") such that the gate is
//! false under a failure set F of size <= k exactly when one of them
//! holds (`family`, `gates`). A minimal breaking F of size <= k satisfies
//! some implicant `(P, N)` of an entry's family; P ⊆ F, and P satisfies it
//! too (whatever is up under F is up under P), so F = P: the cuts are the
//! minimal sets among those P. The single cuts (`spof`, `zone-spof`
//! subjects) come from the 64-lane evaluator first; no larger cut contains
//! one, so implicants holding one are never built.

mod family;
mod gates;
#[cfg(test)]
mod tests;

use super::{servers_down, Element, TooBig};
use crate::analysis::circuit::{Cell, Circuit};
use crate::analysis::lanes::{Evaluator, Step, LANES};
use crate::model::{Model, ServerId, ZoneId};

/// A minimal breaking failure set.
#[derive(Clone, Debug, PartialEq)]
pub struct Cut {
    /// Its elements, in declaration order.
    pub elements: Vec<Element>,
    /// The entry points (indices into `Circuit::entries`) that serve with
    /// nothing down, are judged, and are dark with it down, in order.
    pub dark: Vec<usize>,
    /// Why the first of them is dark.
    pub chain: Vec<Step>,
}

/// Every cut up to `max_size`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cuts {
    pub max_size: usize,
    /// Sorted by size, then by the declaration order of their elements.
    pub cuts: Vec<Cut>,
}

/// The most implicants (and other units of work) one search may build
/// before it is refused: well under a gigabyte, a few seconds.
pub const BUDGET: u64 = 20_000_000;

/// Every cut of size 1..=`max_size` (1..=4). `left_out[i]`: entry `i` is
/// not judged (its `broken` is allowed); entries dark with nothing down are
/// never judged (§7.3, v1.1).
pub fn find(m: &Model, c: &Circuit, left_out: &[bool], max_size: usize) -> Result<Cuts, TooBig> {
    find_within(m, c, left_out, max_size, BUDGET)
}

/// [`find`] with another work budget.
pub fn find_within(
    m: &Model,
    c: &Circuit,
    left_out: &[bool],
    max_size: usize,
    budget: u64,
) -> Result<Cuts, TooBig> {
    let k = max_size.clamp(1, family::MAX_K);
    let n = m.servers.len();
    let mut ev = Evaluator::new(c, n);
    let judged: Vec<bool> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| ev.serves_at_baseline(e.cell) && !left_out.get(i).copied().unwrap_or(false))
        .collect();
    let entry_cells: Vec<Cell> = c
        .entries
        .iter()
        .zip(&judged)
        .filter(|(_, j)| **j)
        .map(|(e, _)| e.cell)
        .collect();
    let ids = Ids::new(m);
    let mut sets: Vec<Vec<u32>> = Vec::new();
    if !entry_cells.is_empty() {
        // The single cuts: every server, and every zone with servers.
        let mut singles: Vec<u32> = (0..n as u32).collect();
        let mut has_servers = vec![false; m.zones.len()];
        for &z in ids.zone_of.iter().filter(|z| **z != family::NONE) {
            has_servers[(z - n as u32) as usize] = true;
        }
        singles.extend(
            (0..m.zones.len() as u32)
                .filter(|z| has_servers[*z as usize])
                .map(|z| n as u32 + z),
        );
        let mut banned = vec![false; n + m.zones.len()];
        for chunk in singles.chunks(LANES) {
            let downs: Vec<Vec<ServerId>> = chunk
                .iter()
                .map(|&e| servers_down(m, &[ids.element(e)]))
                .collect();
            let scenarios: Vec<&[ServerId]> = downs.iter().map(Vec::as_slice).collect();
            ev.batch(&scenarios);
            let dark = breaking_lanes(&ev, &judged);
            for (lane, &e) in chunk.iter().enumerate() {
                if dark >> lane & 1 == 1 {
                    banned[e as usize] = true;
                    sets.push(vec![e]);
                }
            }
        }
        if k >= 2 {
            let mut ctx = family::Ctx::new(k, &ids.zone_of, budget);
            match gates::candidates(&mut ctx, c, &entry_cells, &banned) {
                Ok(more) => sets.extend(more),
                Err(family::OverBudget) => {
                    return Err(TooBig {
                        message: format!(
                            "cuts up to size {k} of {} servers would examine more than {} implicants; lower `tolerate` or `--max-size`",
                            thousands(n as u64),
                            thousands(budget)
                        ),
                    })
                }
            }
        }
    }
    let mut cuts = describe(m, &mut ev, &judged, &ids, &sets);
    if cfg!(debug_assertions) {
        verify(m, &mut ev, &judged, &cuts);
    }
    let key = |cut: &Cut| -> (usize, Vec<usize>) {
        (
            cut.elements.len(),
            cut.elements.iter().map(|e| e.order(m)).collect(),
        )
    };
    cuts.sort_by_cached_key(key);
    Ok(Cuts { max_size: k, cuts })
}

/// Element ids: servers `0..n`, zones `n..`.
struct Ids {
    servers: u32,
    /// Per server: its zone's id, or `family::NONE`.
    zone_of: Vec<u32>,
}

impl Ids {
    fn new(m: &Model) -> Self {
        let n = m.servers.len() as u32;
        Ids {
            servers: n,
            zone_of: m
                .servers
                .iter()
                .map(|s| s.zone.map_or(family::NONE, |z| n + z.0))
                .collect(),
        }
    }

    fn element(&self, id: u32) -> Element {
        if id < self.servers {
            Element::Server(ServerId(id))
        } else {
            Element::Zone(ZoneId(id - self.servers))
        }
    }
}

/// After a batch: the lanes in which a judged entry point is dark.
fn breaking_lanes(ev: &Evaluator<'_>, judged: &[bool]) -> u64 {
    ev.dark_entries()
        .into_iter()
        .filter(|&i| judged[i])
        .fold(0, |d, i| d | !ev.value(ev.c.entries[i].cell))
}

/// Each set as a cut: its elements in declaration order, the judged entry
/// points it darkens and the chain of the first (64 sets a batch).
fn describe(
    m: &Model,
    ev: &mut Evaluator<'_>,
    judged: &[bool],
    ids: &Ids,
    sets: &[Vec<u32>],
) -> Vec<Cut> {
    let mut out = Vec::with_capacity(sets.len());
    for chunk in sets.chunks(LANES) {
        let elements: Vec<Vec<Element>> = chunk
            .iter()
            .map(|s| {
                let mut v: Vec<Element> = s.iter().map(|&e| ids.element(e)).collect();
                v.sort_by_key(|e| e.order(m));
                v
            })
            .collect();
        let downs: Vec<Vec<ServerId>> = elements.iter().map(|s| servers_down(m, s)).collect();
        let scenarios: Vec<&[ServerId]> = downs.iter().map(Vec::as_slice).collect();
        ev.batch(&scenarios);
        let entries: Vec<usize> = ev
            .dark_entries()
            .into_iter()
            .filter(|&i| judged[i])
            .collect();
        for (lane, elements) in elements.into_iter().enumerate() {
            let dark: Vec<usize> = entries
                .iter()
                .copied()
                .filter(|&i| ev.value(ev.c.entries[i].cell) >> lane & 1 == 0)
                .collect();
            let chain = dark
                .first()
                .map(|&i| ev.why(ev.c.entries[i].cell, lane))
                .unwrap_or_default();
            out.push(Cut {
                elements,
                dark,
                chain,
            });
        }
    }
    ev.reset();
    out
}

/// Debug builds and tests: every cut breaks, and none of its proper
/// subsets does (all of them: the model is not monotone).
fn verify(m: &Model, ev: &mut Evaluator<'_>, judged: &[bool], cuts: &[Cut]) {
    let mut subsets: Vec<(usize, Vec<ServerId>)> = Vec::new();
    for (i, cut) in cuts.iter().enumerate() {
        assert!(
            !cut.dark.is_empty(),
            "cut {} does not break",
            super::set_name(m, &cut.elements)
        );
        let k = cut.elements.len();
        for mask in 1..(1u32 << k) - 1 {
            let sub: Vec<Element> = (0..k)
                .filter(|b| mask >> b & 1 == 1)
                .map(|b| cut.elements[b])
                .collect();
            subsets.push((i, servers_down(m, &sub)));
        }
    }
    for chunk in subsets.chunks(LANES) {
        let scenarios: Vec<&[ServerId]> = chunk.iter().map(|(_, s)| s.as_slice()).collect();
        ev.batch(&scenarios);
        let dark = breaking_lanes(ev, judged);
        for (lane, (i, _)) in chunk.iter().enumerate() {
            assert!(
                dark >> lane & 1 == 0,
                "cut {} is not minimal",
                super::set_name(m, &cuts[*i].elements)
            );
        }
    }
    ev.reset();
}

/// `20000000` as `20,000,000`.
fn thousands(x: u64) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
