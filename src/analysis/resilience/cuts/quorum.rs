//! `Fail` of a k-of-n gate: at least `need = n - k + 1` inputs false.
//!
//! Two exact methods. The implicants every input shares (a requirement all
//! members have) falsify all inputs at once: they are part of the result,
//! and a minimal implicant that holds one of them is that one, so the rest
//! is computed on what is left of each input (`rest`). Then:
//! - when what is left has no negative literal: the sets P of at most k
//!   elements that falsify `need` inputs, by a search over elements in
//!   decreasing order of how many inputs they reach, cut off as soon as
//!   even the best remaining elements cannot reach `need` (a wide group
//!   over three zones costs a few nodes, not n × need);
//! - otherwise a DP over the inputs (`at[j]`: j of them false).

use super::family::{Ctx, Imp, OverBudget, MAX_K, NONE};
use std::collections::{HashMap, HashSet};

pub(super) fn fail(ctx: &mut Ctx<'_>, ins: &[&[Imp]], k: usize) -> Result<Vec<Imp>, OverBudget> {
    let total = ins.len();
    if k == 0 {
        return Ok(Vec::new()); // never false
    }
    let need = (total + 1).saturating_sub(k);
    if need == 0 || ins.is_empty() {
        return Ok(Vec::new());
    }
    // What every input shares.
    let common: Vec<Imp> = ins[0]
        .iter()
        .copied()
        .filter(|imp| ins[1..].iter().all(|f| f.contains(imp)))
        .collect();
    ctx.tick(ins.iter().map(|f| f.len() as u64).sum())?;
    let rest: Vec<Vec<Imp>> = ins
        .iter()
        .map(|f| f.iter().copied().filter(|i| !common.contains(i)).collect())
        .collect();
    let signed = rest.iter().flatten().any(|i| i.n != 0 || i.p[0] == NONE);
    let found = if signed {
        dp(ctx, &rest, need)?
    } else {
        let found = by_elements(ctx, &rest, need)?;
        if cfg!(debug_assertions) && total <= 8 {
            let mut a = ctx.minimise(found.clone());
            let mut b = dp(ctx, &rest, need)?;
            a.sort();
            b.sort();
            assert_eq!(a, b, "the two quorum methods agree");
        }
        found
    };
    ctx.union(&[&common, &found])
}

/// The DP over the inputs.
fn dp(ctx: &mut Ctx<'_>, ins: &[Vec<Imp>], need: usize) -> Result<Vec<Imp>, OverBudget> {
    let total = ins.len();
    let mut at: Vec<Vec<Imp>> = vec![Vec::new(); need + 1];
    at[0] = vec![Imp::ALWAYS];
    for (i, f) in ins.iter().enumerate() {
        // After this input, `j` false inputs are still of use only if the
        // rest can bring them to `need`.
        let lo = (need + i + 1).saturating_sub(total).max(1);
        let hi = (i + 1).min(need);
        for j in (lo..=hi).rev() {
            ctx.tick(1)?;
            if at[j - 1].is_empty() {
                continue;
            }
            let add = ctx.product(&at[j - 1], f)?;
            if !add.is_empty() {
                at[j] = ctx.union(&[&at[j], &add])?;
            }
        }
        let stale = (need + i + 1).saturating_sub(total);
        for slot in at.iter_mut().take(stale.min(need)) {
            *slot = Vec::new();
        }
    }
    Ok(std::mem::take(&mut at[need]))
}

/// The minimal sets of at most k elements under which `need` inputs are
/// false (every implicant here has a P and no N).
fn by_elements(ctx: &mut Ctx<'_>, ins: &[Vec<Imp>], need: usize) -> Result<Vec<Imp>, OverBudget> {
    // Per element: the inputs with an implicant holding it.
    let mut reach: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, f) in ins.iter().enumerate() {
        for imp in f {
            for &e in imp.elements() {
                let v = reach.entry(e).or_default();
                if v.last() != Some(&(i as u32)) {
                    v.push(i as u32);
                }
            }
        }
    }
    let mut elements: Vec<(u32, Vec<u32>)> = reach.into_iter().collect();
    elements.sort_unstable_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    let mut chosen: Vec<usize> = Vec::new();
    search(ctx, ins, need, &elements, 0, &mut chosen, &mut out)?;
    Ok(ctx.minimise(out))
}

/// Extends `chosen` (indices into `elements`, increasing) with elements
/// from `from` on.
fn search(
    ctx: &mut Ctx<'_>,
    ins: &[Vec<Imp>],
    need: usize,
    elements: &[(u32, Vec<u32>)],
    from: usize,
    chosen: &mut Vec<usize>,
    out: &mut Vec<Imp>,
) -> Result<(), OverBudget> {
    let covered = if chosen.is_empty() {
        0
    } else {
        coverage(ctx, ins, elements, chosen)?
    };
    if covered >= need {
        let mut p = [NONE; MAX_K];
        let mut v: Vec<u32> = chosen.iter().map(|&c| elements[c].0).collect();
        v.sort_unstable();
        p[..v.len()].copy_from_slice(&v);
        let imp = Imp { p, n: 0 };
        if ctx.valid(&imp) {
            out.push(imp);
        }
        return Ok(()); // larger sets are not minimal
    }
    let room = ctx.k - chosen.len();
    if room == 0 {
        return Ok(());
    }
    for next in from..elements.len() {
        // The best `room` elements left bound what any extension reaches.
        let bound: usize = elements[next..]
            .iter()
            .take(room)
            .map(|(_, r)| r.len())
            .sum();
        ctx.tick(1)?;
        if covered + bound < need {
            break; // sorted: later elements reach no more
        }
        chosen.push(next);
        search(ctx, ins, need, elements, next + 1, chosen, out)?;
        chosen.pop();
    }
    Ok(())
}

/// How many inputs are false under the chosen elements alone.
fn coverage(
    ctx: &mut Ctx<'_>,
    ins: &[Vec<Imp>],
    elements: &[(u32, Vec<u32>)],
    chosen: &[usize],
) -> Result<usize, OverBudget> {
    let set: Vec<u32> = chosen.iter().map(|&c| elements[c].0).collect();
    let mut seen: HashSet<u32> = HashSet::new();
    let mut count = 0;
    for &c in chosen {
        ctx.tick(elements[c].1.len() as u64)?;
        for &i in &elements[c].1 {
            if !seen.insert(i) {
                continue;
            }
            let falls = ins[i as usize]
                .iter()
                .any(|imp| imp.elements().iter().all(|e| set.contains(e)));
            count += usize::from(falls);
        }
    }
    Ok(count)
}
