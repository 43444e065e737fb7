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

mod describe;
mod family;
mod gates;
mod quorum;
#[cfg(test)]
mod tests;

use super::{thousands, Element, TooBig};
use crate::analysis::circuit::{Cell, Circuit};
use crate::analysis::lanes::{Evaluator, Step};
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
    let judged = super::judged(&ev, left_out);
    let entry_cells: Vec<Cell> = c
        .entries
        .iter()
        .zip(&judged)
        .filter(|(_, j)| **j)
        .map(|(e, _)| e.cell)
        .collect();
    let ids = Ids::new(m);
    let mut cuts: Vec<Cut> = Vec::new();
    if !entry_cells.is_empty() {
        let (singles, banned) = describe::singles(m, &mut ev, &judged, &ids);
        cuts = singles;
        if k >= 2 {
            let mut ctx = family::Ctx::new(k, &ids.zone_of, budget);
            let mut found = match gates::candidates(&mut ctx, c, &entry_cells, &banned) {
                Ok(found) => found,
                Err(family::OverBudget) => {
                    return Err(TooBig {
                        message: format!(
                            "cuts up to size {k} of {} servers would examine more than {} implicants; lower `tolerate` or `--max-size`",
                            thousands(n as u64),
                            thousands(budget)
                        ),
                    })
                }
            };
            // Sets with the same zones share batches: a zone down reaches
            // far, and a batch costs what its failures reach.
            found.sets.sort_by_cached_key(|s| -> Vec<u32> {
                s.iter().copied().filter(|&e| e >= n as u32).collect()
            });
            let entry_of: Vec<usize> = (0..c.entries.len()).filter(|&i| judged[i]).collect();
            cuts.extend(describe::larger(m, &mut ev, &ctx, &ids, &found, &entry_of));
        }
    }
    if cfg!(debug_assertions) {
        describe::verify(m, &mut ev, &judged, &cuts);
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
    /// Per zone: its servers.
    in_zone: Vec<Vec<ServerId>>,
}

impl Ids {
    fn new(m: &Model) -> Self {
        let n = m.servers.len() as u32;
        let mut in_zone = vec![Vec::new(); m.zones.len()];
        for s in m.server_ids() {
            if let Some(z) = m.server(s).zone {
                in_zone[z.index()].push(s);
            }
        }
        Ids {
            servers: n,
            zone_of: m
                .servers
                .iter()
                .map(|s| s.zone.map_or(family::NONE, |z| n + z.0))
                .collect(),
            in_zone,
        }
    }

    /// The servers a failure set takes down, as the evaluator reads them
    /// (in no order, maybe twice): `servers_down` without its scan of every
    /// server per zone.
    fn down(&self, set: &[Element]) -> Vec<ServerId> {
        let mut v = Vec::new();
        for e in set {
            match *e {
                Element::Server(s) => v.push(s),
                Element::Zone(z) => v.extend_from_slice(&self.in_zone[z.index()]),
            }
        }
        v
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
