//! Each cut as the report shows it: the judged entry points it darkens and
//! the chain of the first (`Evaluator::why`), 64 cuts a batch; and, in debug
//! builds and tests, the evaluator's check of every cut.

use super::family::{Ctx, Imp, MAX_K, NONE};
use super::gates::{inputs, Found};
use super::{breaking_lanes, Cut, Ids};
use crate::analysis::circuit::{Cell, Circuit, Gate};
use crate::analysis::lanes::{Evaluator, Step, LANES};
use crate::analysis::resilience::{servers_down, set_name, Element};
use crate::model::{Model, ServerId};
use std::collections::{HashMap, HashSet};

/// The single cuts: every server, and every zone with servers, alone.
/// Returns them and, per element id, whether it is one.
pub(super) fn singles(
    m: &Model,
    ev: &mut Evaluator<'_>,
    judged: &[bool],
    ids: &Ids,
) -> (Vec<Cut>, Vec<bool>) {
    let n = m.servers.len() as u32;
    let mut elements: Vec<u32> = (0..n).collect();
    elements.extend(
        (0..m.zones.len() as u32)
            .filter(|z| !ids.in_zone[*z as usize].is_empty())
            .map(|z| n + z),
    );
    let mut banned = vec![false; n as usize + m.zones.len()];
    let mut cuts = Vec::new();
    for chunk in elements.chunks(LANES) {
        let downs: Vec<Vec<ServerId>> =
            chunk.iter().map(|&e| ids.down(&[ids.element(e)])).collect();
        let scenarios: Vec<&[ServerId]> = downs.iter().map(Vec::as_slice).collect();
        ev.batch(&scenarios);
        let mut dark = breaking_lanes(ev, judged);
        if dark == 0 {
            continue;
        }
        let entries: Vec<usize> = ev
            .dark_entries()
            .into_iter()
            .filter(|&i| judged[i])
            .collect();
        while dark != 0 {
            let lane = dark.trailing_zeros() as usize;
            dark &= dark - 1;
            let e = chunk[lane];
            banned[e as usize] = true;
            cuts.push(cut_in_lane(ev, &entries, vec![ids.element(e)], lane));
        }
    }
    ev.reset();
    (cuts, banned)
}

fn cut_in_lane(ev: &Evaluator<'_>, entries: &[usize], elements: Vec<Element>, lane: usize) -> Cut {
    let dark: Vec<usize> = entries
        .iter()
        .copied()
        .filter(|&i| ev.value(ev.c.entries[i].cell) >> lane & 1 == 0)
        .collect();
    let chain = dark
        .first()
        .map(|&i| ev.why(ev.c.entries[i].cell, lane))
        .unwrap_or_default();
    Cut {
        elements,
        dark,
        chain,
    }
}

/// The cuts of size 2 and more. Which entry points a set darkens comes
/// from their families (exact for sets of size <= k without a single
/// cut); the chain from the evaluator, with each zone of the set taking
/// down only its servers that the first dark entry point reads (the gates
/// it reads depend on nothing else), so that a zone in many cuts does not
/// cost all its servers in every batch.
pub(super) fn larger(
    m: &Model,
    ev: &mut Evaluator<'_>,
    ctx: &Ctx<'_>,
    ids: &Ids,
    found: &Found,
    entry_of: &[usize],
) -> Vec<Cut> {
    let mut by_p: HashMap<[u32; MAX_K], Vec<(u32, u32)>> = HashMap::new();
    for (slot, fam) in found.entry_fams.iter().enumerate() {
        for imp in fam.iter() {
            by_p.entry(imp.p).or_default().push((slot as u32, imp.n));
        }
    }
    let darks: Vec<Vec<usize>> = found
        .sets
        .iter()
        .map(|set| {
            let mut p = [NONE; MAX_K];
            p[..set.len()].copy_from_slice(set);
            let mut dark: Vec<usize> = Vec::new();
            for mask in 1u32..(1 << set.len()) {
                let mut key = [NONE; MAX_K];
                let mut o = 0;
                for (bit, &e) in set.iter().enumerate() {
                    if mask >> bit & 1 == 1 {
                        key[o] = e;
                        o += 1;
                    }
                }
                for &(slot, n) in by_p.get(&key).into_iter().flatten() {
                    if ctx.valid(&Imp { p, n }) {
                        dark.push(entry_of[slot as usize]);
                    }
                }
            }
            dark.sort_unstable();
            dark.dedup();
            dark
        })
        .collect();
    let limit = 2 * ids.in_zone.iter().map(Vec::len).max().unwrap_or(0) + 64;
    let mut cones: HashMap<usize, Option<Vec<ServerId>>> = HashMap::new();
    let mut out = Vec::with_capacity(found.sets.len());
    let order: Vec<usize> = (0..found.sets.len()).collect();
    for chunk in order.chunks(LANES) {
        let mut downs: Vec<Vec<ServerId>> = Vec::with_capacity(chunk.len());
        for &i in chunk {
            let set = &found.sets[i];
            let elements: Vec<Element> = set.iter().map(|&e| ids.element(e)).collect();
            let has_zone = set.iter().any(|&e| e >= ids.servers);
            let cone = match (has_zone, darks[i].first()) {
                (true, Some(&entry)) => cones
                    .entry(entry)
                    .or_insert_with(|| cone_servers(ev.c, ev.c.entries[entry].cell, ids, limit))
                    .as_deref(),
                _ => None,
            };
            downs.push(match cone {
                Some(cone) => {
                    let mut v: Vec<ServerId> = set
                        .iter()
                        .filter(|&&e| e < ids.servers)
                        .map(|&e| ServerId(e))
                        .collect();
                    v.extend(
                        cone.iter()
                            .filter(|s| set.contains(&ids.zone_of[s.index()])),
                    );
                    v
                }
                None => ids.down(&elements),
            });
        }
        let scenarios: Vec<&[ServerId]> = downs.iter().map(Vec::as_slice).collect();
        ev.batch(&scenarios);
        for (lane, &i) in chunk.iter().enumerate() {
            let mut elements: Vec<Element> =
                found.sets[i].iter().map(|&e| ids.element(e)).collect();
            elements.sort_by_key(|e| e.order(m));
            let dark = darks[i].clone();
            let chain = dark
                .first()
                .map(|&e| ev.why_deep(ev.c.entries[e].cell, lane))
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

/// The servers with a zone among those the gates under `cell` read, or
/// `None` when there are more than `limit` gates there.
fn cone_servers(c: &Circuit, cell: Cell, ids: &Ids, limit: usize) -> Option<Vec<ServerId>> {
    let mut seen: HashSet<Cell> = HashSet::new();
    let mut stack = vec![cell];
    let mut servers = Vec::new();
    seen.insert(cell);
    while let Some(g) = stack.pop() {
        if seen.len() > limit {
            return None;
        }
        let gate = &c.gates[g as usize];
        if let Gate::Server { server, .. } = *gate {
            if ids.zone_of[server.index()] != NONE {
                servers.push(server);
            }
        }
        inputs(c, gate, |i| {
            if seen.insert(i) {
                stack.push(i);
            }
        });
    }
    Some(servers)
}

/// Debug builds and tests: every cut breaks exactly the entry points it
/// lists, and none of its proper subsets breaks (all of them: the model is
/// not monotone).
pub(super) fn verify(m: &Model, ev: &mut Evaluator<'_>, judged: &[bool], cuts: &[Cut]) {
    for chunk in cuts.chunks(LANES) {
        let downs: Vec<Vec<ServerId>> =
            chunk.iter().map(|c| servers_down(m, &c.elements)).collect();
        let scenarios: Vec<&[ServerId]> = downs.iter().map(Vec::as_slice).collect();
        ev.batch(&scenarios);
        let entries: Vec<usize> = ev
            .dark_entries()
            .into_iter()
            .filter(|&i| judged[i])
            .collect();
        for (lane, cut) in chunk.iter().enumerate() {
            let dark: Vec<usize> = entries
                .iter()
                .copied()
                .filter(|&i| ev.value(ev.c.entries[i].cell) >> lane & 1 == 0)
                .collect();
            assert!(
                !dark.is_empty(),
                "cut {} does not break",
                set_name(m, &cut.elements)
            );
            assert_eq!(
                dark,
                cut.dark,
                "what {} darkens",
                set_name(m, &cut.elements)
            );
            // The chain found with only the first dark entry point's
            // servers down is the one with the whole set down (but for the
            // end of a walk cut short, named when the set downs one server
            // there).
            let chain = if cut.elements.len() == 1 {
                ev.why(ev.c.entries[dark[0]].cell, lane)
            } else {
                ev.why_deep(ev.c.entries[dark[0]].cell, lane)
            };
            let cut_short = chain
                .iter()
                .any(|s| matches!(s, Step::Skipped { more: true, .. }));
            if !cut_short {
                assert_eq!(
                    chain,
                    cut.chain,
                    "the chain of {}",
                    set_name(m, &cut.elements)
                );
            }
        }
    }
    let mut subsets: Vec<(usize, Vec<ServerId>)> = Vec::new();
    for (i, cut) in cuts.iter().enumerate() {
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
                set_name(m, &cuts[*i].elements)
            );
        }
    }
    ev.reset();
}
