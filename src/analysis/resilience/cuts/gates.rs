//! `Fail(g)` for every gate the judged entry points read, bottom-up in
//! circuit order (inputs come first), and the candidate cuts: the minimal
//! P among the implicants of the judged entries' families.

use super::family::{minimal_sets, Ctx, Imp, OverBudget, NONE};
use crate::analysis::circuit::{Cell, Circuit, Gate};
use std::rc::Rc;

pub(super) type Family = Rc<Vec<Imp>>;

/// What the search found: the candidate sets, and the family of each
/// judged entry point (to tell which ones a set darkens).
pub(super) struct Found {
    pub sets: Vec<Vec<u32>>,
    pub entry_fams: Vec<Family>,
}

/// The inputs a gate reads.
pub(super) fn inputs(c: &Circuit, g: &Gate, mut f: impl FnMut(Cell)) {
    match *g {
        Gate::Never => {}
        Gate::Server { reqs: r, .. } | Gate::Any(r) | Gate::Quorum { ins: r, .. } => {
            c.inputs(r).iter().for_each(|&i| f(i))
        }
        Gate::Holder { members } => c.members(members).iter().for_each(|m| f(m.1)),
    }
}

/// The element sets (ids: servers, then zones after them) that break
/// some judged entry and contain no other such set, among those of size
/// 2..=k whose elements are none of `banned` (the single cuts, which no
/// larger cut contains).
pub(super) fn candidates(
    ctx: &mut Ctx<'_>,
    c: &Circuit,
    entry_cells: &[Cell],
    banned: &[bool],
) -> Result<Found, OverBudget> {
    let n = c.gates.len();
    // The gates the judged entries read, and how many of those read each.
    let mut needed = vec![false; n];
    for &e in entry_cells {
        needed[e as usize] = true;
    }
    let mut readers = vec![0u32; n];
    let mut holder_member = vec![false; ctx.servers as usize];
    for g in (0..n).rev() {
        if !needed[g] {
            continue;
        }
        let gate = &c.gates[g];
        inputs(c, gate, |i| {
            needed[i as usize] = true;
            readers[i as usize] += 1;
        });
        if let Gate::Holder { members } = *gate {
            for &(s, _) in c.members(members) {
                holder_member[s.index()] = true;
            }
        }
    }
    for &e in entry_cells {
        readers[e as usize] += 1;
    }
    let mut fams: Vec<Option<Family>> = vec![None; n];
    // ReqFail of the servers some holder reads.
    let mut req_fail: Vec<Option<Family>> = vec![None; ctx.servers as usize];
    let down = |ctx: &Ctx<'_>, s: u32| -> Vec<Imp> {
        let mut v = Vec::with_capacity(2);
        if !banned[s as usize] {
            v.push(Imp::one(s));
        }
        let z = ctx.zone_of[s as usize];
        if z != NONE && !banned[z as usize] {
            v.push(Imp::one(z));
        }
        v
    };
    for g in 0..n {
        if !needed[g] {
            continue;
        }
        let gate = c.gates[g];
        let get = |fams: &[Option<Family>], i: Cell| -> Family {
            fams[i as usize]
                .clone()
                .expect("inputs come before their readers")
        };
        let fam: Family = match gate {
            Gate::Never => Rc::new(vec![Imp::ALWAYS]),
            Gate::Server { server, reqs } => {
                let s = server.0;
                let ins: Vec<Family> = c.inputs(reqs).iter().map(|&i| get(&fams, i)).collect();
                let rf: Family = match ins.as_slice() {
                    [] => Rc::new(Vec::new()),
                    [one] => one.clone(),
                    _ => {
                        let parts: Vec<&[Imp]> = ins.iter().map(|f| f.as_slice()).collect();
                        Rc::new(ctx.union(&parts)?)
                    }
                };
                let base = down(ctx, s);
                let fam = if base.is_empty() {
                    rf.clone()
                } else {
                    Rc::new(ctx.union(&[&base, &rf])?)
                };
                if holder_member[s as usize] {
                    req_fail[s as usize] = Some(rf);
                }
                fam
            }
            Gate::Any(r) => {
                let ins = c.inputs(r);
                if ins.len() == 1 {
                    get(&fams, ins[0])
                } else {
                    let mut fs: Vec<Family> = ins.iter().map(|&i| get(&fams, i)).collect();
                    if fs.iter().any(|f| f.is_empty()) {
                        Rc::new(Vec::new())
                    } else {
                        fs.sort_by_key(|f| f.len());
                        let mut acc: Vec<Imp> = fs[0].to_vec();
                        for f in &fs[1..] {
                            acc = ctx.product(&acc, f)?;
                            if acc.is_empty() {
                                break;
                            }
                        }
                        Rc::new(acc)
                    }
                }
            }
            Gate::Holder { members } => {
                // The first member that is up holds the vip: false when
                // members 0..i are down, member i is up and one of its
                // requirements fails; or when every member is down.
                let mut out: Vec<Imp> = Vec::new();
                let mut prefix: Vec<Imp> = vec![Imp::ALWAYS];
                for &(s, _) in c.members(members) {
                    let rf = req_fail[s.index()]
                        .clone()
                        .expect("a member's gate comes before its holder");
                    let t = ctx.product(&prefix, &rf)?;
                    out.extend(ctx.with_up(&t, s.0)?);
                    prefix = ctx.product(&prefix, &down(ctx, s.0))?;
                    if prefix.is_empty() {
                        break;
                    }
                }
                // Minimised once: the terms of a wide group add up.
                out.extend_from_slice(&prefix);
                Rc::new(ctx.minimise(out))
            }
            Gate::Quorum { ins, k } => {
                let fs: Vec<Family> = c.inputs(ins).iter().map(|&i| get(&fams, i)).collect();
                let parts: Vec<&[Imp]> = fs.iter().map(|f| f.as_slice()).collect();
                Rc::new(super::quorum::fail(ctx, &parts, k as usize)?)
            }
        };
        fams[g] = Some(fam);
        // Free what no gate still to come reads.
        inputs(c, &gate, |i| {
            readers[i as usize] -= 1;
            if readers[i as usize] == 0 {
                fams[i as usize] = None;
            }
        });
        if let Gate::Holder { members } = gate {
            for &(s, _) in c.members(members) {
                req_fail[s.index()] = None;
            }
        }
    }
    let entry_fams: Vec<Family> = entry_cells
        .iter()
        .map(|&e| fams[e as usize].clone().expect("entries are kept"))
        .collect();
    let all: Vec<Imp> = entry_fams.iter().flat_map(|f| f.iter().copied()).collect();
    ctx.tick(all.len() as u64)?;
    Ok(Found {
        sets: minimal_sets(&all),
        entry_fams,
    })
}
