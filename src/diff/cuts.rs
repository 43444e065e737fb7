//! Cuts added and removed, and the tolerance and availability before and
//! after, from [`crate::resilience`] on each side.
//!
//! Both sides are searched up to the same size, so a cut never shows up as
//! "added" only because one side looked further: max(2, the `tolerate` of
//! either side), at most 4 (as `stackc resilience`'s default, which is
//! what `check` itself searched when a side asks for more; the search
//! stays under [`crate::analysis::resilience::cuts::BUDGET`] or is refused).

use crate::analysis::resilience::exact::Figure;
use crate::analysis::resilience::{Element, Resilience};
use crate::report::Tolerance;
use crate::Checked;
use std::collections::HashSet;

/// One element of a cut, named as findings name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CutElement {
    /// A zone (all its servers at once), else a server.
    pub zone: bool,
    pub name: String,
}

/// A minimal breaking failure set, its elements in declaration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CutSet {
    pub elements: Vec<CutElement>,
}

impl CutSet {
    /// The elements' names: what the JSON lists.
    pub fn names(&self) -> Vec<&str> {
        self.elements.iter().map(|e| e.name.as_str()).collect()
    }

    /// `lb-01+lb-02`, as a `cut-set` subject is written.
    pub fn joined(&self) -> String {
        self.names().join("+")
    }

    /// What identifies it on both sides: the elements, in any order.
    fn key(&self) -> Vec<CutElement> {
        let mut k = self.elements.clone();
        k.sort();
        k
    }
}

/// What one side's resilience says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// `None`: a stopping error (no sound model), nothing declared, or the
    /// cut search refused as too costly (and no single failure breaks it).
    pub tolerance: Option<Tolerance>,
    /// The stack's availability: `None` when not sound, nothing
    /// declared, or refused as too costly.
    pub availability: Option<Figure>,
    /// The cuts up to the size searched: `None` when not sound or refused.
    pub cuts: Option<Vec<CutSet>>,
    /// What was refused as too costly: (part, message).
    pub refused: Vec<(String, String)>,
}

/// The largest cut both sides are searched for.
pub fn max_size(old: &Checked, new: &Checked) -> usize {
    let tolerate = |c: &Checked| c.analysis.as_ref().map_or(1, |a| a.policy.tolerate);
    tolerate(old).max(tolerate(new)).clamp(2, 4)
}

/// One side's figures, its cuts searched up to `max_size`.
pub fn figures(checked: &Checked, max_size: usize) -> Figures {
    let Some(r) = crate::resilience(checked, Some(max_size)) else {
        return Figures::default();
    };
    let empty = crate::report::nothing_declared(checked);
    Figures {
        // With the cut search refused only a lower bound from the single
        // failures is known: no figure, rather than a wrong one.
        tolerance: (!empty && (r.cuts.is_ok() || r.tolerance_exact)).then_some(Tolerance {
            value: r.tolerance,
            exact: r.tolerance_exact,
        }),
        availability: if empty {
            None
        } else {
            r.availability.as_ref().ok().map(|a| a.stack)
        },
        cuts: cut_sets(checked, &r),
        refused: crate::report::resilience::refusals(&r)
            .into_iter()
            .map(|(part, m)| (part.to_string(), m.to_string()))
            .collect(),
    }
}

fn cut_sets(checked: &Checked, r: &Resilience) -> Option<Vec<CutSet>> {
    let m = &checked.model;
    let cuts = r.cuts.as_ref().ok()?;
    Some(
        cuts.cuts
            .iter()
            .map(|c| {
                let mut elements = c.elements.clone();
                elements.sort_by_key(|e| e.order(m));
                CutSet {
                    elements: elements
                        .iter()
                        .map(|e| CutElement {
                            zone: matches!(e, Element::Zone(_)),
                            name: e.name(m).to_string(),
                        })
                        .collect(),
                }
            })
            .collect(),
    )
}

/// (added, removed), each in its side's order; `None` when either side's
/// cuts are unknown (not sound, or the search refused).
pub fn split(old: &Figures, new: &Figures) -> Option<(Vec<CutSet>, Vec<CutSet>)> {
    let (old, new) = (old.cuts.as_ref()?, new.cuts.as_ref()?);
    let old_keys: HashSet<Vec<CutElement>> = old.iter().map(CutSet::key).collect();
    let new_keys: HashSet<Vec<CutElement>> = new.iter().map(CutSet::key).collect();
    let added = new
        .iter()
        .filter(|c| !old_keys.contains(&c.key()))
        .cloned()
        .collect();
    let removed = old
        .iter()
        .filter(|c| !new_keys.contains(&c.key()))
        .cloned()
        .collect();
    Some((added, removed))
}
