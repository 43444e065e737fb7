//! `stackc diff OLD NEW` (TOOLS.md §2): what a change does to a stack's
//! resilience, as data. Pure: the two sides come in as checked stacks (or
//! texts with their names), the [`Diff`] goes out; the reports are in
//! `report::diff`, the reading of files and git revisions in `cli/diff.rs`.
//!
//! - [`findings`]: findings added and removed by (rule, typed subject);
//! - [`cuts`]: cuts added and removed, tolerance and availability before
//!   and after (from [`crate::resilience`] on each side);
//! - [`structure`]: servers, groups, records and links added, removed or
//!   changed.

pub mod cuts;
pub mod findings;
pub mod structure;

pub use cuts::{CutElement, CutSet, Figures};
pub use structure::{Change, Field, How, Kind};

use crate::diag::{Finding, Severity};
use crate::Checked;

/// One side as given: the name it is shown by (`old.stack`,
/// `HEAD:infra/prod.stack`, `-`) and its text.
#[derive(Copy, Clone, Debug)]
pub struct Side<'a> {
    pub name: &'a str,
    pub source: &'a str,
}

/// What changed from OLD to NEW.
#[derive(Clone, Debug)]
pub struct Diff {
    /// NEW's findings whose (rule, subject) OLD does not have.
    pub added: Vec<Finding>,
    /// OLD's findings whose (rule, subject) NEW does not have.
    pub removed: Vec<Finding>,
    /// The largest cut searched, on both sides.
    pub max_size: usize,
    /// (added, removed); `None` when a side's cuts are unknown.
    pub cuts: Option<(Vec<CutSet>, Vec<CutSet>)>,
    pub old: Figures,
    pub new: Figures,
    pub changes: Vec<Change>,
    /// Whether each side had a sound model (no stopping error).
    pub sound: (bool, bool),
}

impl Diff {
    /// The change adds an error finding: `stackc diff` exits 1.
    pub fn adds_error(&self) -> bool {
        self.added.iter().any(|f| f.severity() == Severity::Error)
    }

    /// Nothing differs: no finding, cut, figure or element.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self
                .cuts
                .as_ref()
                .is_none_or(|(a, r)| a.is_empty() && r.is_empty())
            && self.old.tolerance == self.new.tolerance
            && self.old.availability == self.new.availability
            && self.changes.is_empty()
    }

    /// The cuts added (empty when unknown).
    pub fn cuts_added(&self) -> &[CutSet] {
        self.cuts.as_ref().map_or(&[], |(a, _)| a)
    }

    /// The cuts removed (empty when unknown).
    pub fn cuts_removed(&self) -> &[CutSet] {
        self.cuts.as_ref().map_or(&[], |(_, r)| r)
    }
}

/// The diff of two checked stacks.
pub fn diff(old: &Checked, new: &Checked) -> Diff {
    let (added, removed) = findings::split(&old.findings, &new.findings);
    let max_size = cuts::max_size(old, new);
    let (fo, fnew) = (cuts::figures(old, max_size), cuts::figures(new, max_size));
    Diff {
        added,
        removed,
        max_size,
        cuts: cuts::split(&fo, &fnew),
        old: fo,
        new: fnew,
        changes: structure::changes(&old.model, &new.model),
        sound: (old.is_sound(), new.is_sound()),
    }
}

/// Checks both sides as `stackc check` does (a stack without a `stack`
/// statement is named after its file's stem, see [`stem`]) and diffs them.
pub fn diff_sides(old: Side<'_>, new: Side<'_>) -> (Checked, Checked, Diff) {
    let o = crate::check_as(old.source, stem(old.name));
    let n = crate::check_as(new.source, stem(new.name));
    let d = diff(&o, &n);
    (o, n, d)
}

/// The stem a side's name gives an unnamed stack: `infra/web.stack` and
/// `HEAD:infra/web.stack` are `web`; standard input (`-`) has none.
pub fn stem(name: &str) -> Option<&str> {
    if name == "-" {
        return None;
    }
    let path = name.rsplit(['/', ':']).next().unwrap_or(name);
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    (!stem.is_empty()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_of_files_and_revisions() {
        assert_eq!(stem("web.stack"), Some("web"));
        assert_eq!(stem("HEAD:infra/web.stack"), Some("web"));
        assert_eq!(stem("origin/main:prod.stack"), Some("prod"));
        assert_eq!(stem("-"), None);
    }

    #[test]
    fn identical_sides_differ_in_nothing() {
        let src = include_str!("../../samples/scale-up.stack");
        let side = Side {
            name: "scale-up.stack",
            source: src,
        };
        let (_, _, d) = diff_sides(side, side);
        assert!(d.is_empty(), "{d:?}");
        assert!(!d.adds_error());
    }

    #[test]
    fn dropping_a_member_of_a_pair_adds_its_partner_as_a_spof() {
        let old = include_str!("../../samples/scale-up.stack");
        let new = old.replace("  server lb-02 10.0.0.12 zone=b\n", "");
        let (_, _, d) = diff_sides(
            Side {
                name: "scale-up.stack",
                source: old,
            },
            Side {
                name: "scale-up.stack",
                source: &new,
            },
        );
        assert!(d.adds_error());
        assert!(d
            .added
            .iter()
            .any(|f| f.rule == crate::diag::RuleId::Spof && f.subject_name() == Some("lb-01")));
        assert!(d
            .changes
            .iter()
            .any(|c| c.kind == Kind::Server && c.name == "lb-02" && c.how == How::Removed));
        assert!(d
            .changes
            .iter()
            .any(|c| c.kind == Kind::Group && c.name == "lb" && c.how == How::Changed));
        assert_eq!(d.new.tolerance.map(|t| t.value), Some(0));
        assert!(d.cuts_added().iter().any(|c| c.joined() == "lb-01"));
    }
}
