//! What `stackc diff` marks on NEW's diagram: the elements a change
//! added or changed, and the newly fragile ones (new single points of
//! failure, members of cuts the change added), with a legend that also
//! names what was removed (it is not in NEW to be drawn).
//!
//! As with the cuts of [`super::marks`], the diff hands these over as plain
//! values ([`ChangesAsked`]) and [`super::Diagram::with_changes`] puts them
//! on the built diagram. Mermaid draws them (the pull-request comment is
//! Markdown); the other formats ignore them.

use super::diagram::{Diagram, NodeKind};
use super::text::visible;

/// How an element of NEW is marked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Added,
    Changed,
    /// A new single point of failure, or in a cut the change added.
    Fragile,
}

/// What a change did, as the diagram builder takes it: names as findings
/// name them (servers, groups, record subjects, zones).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangesAsked {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    /// Servers (by name) and zones (`zone a`) newly fragile.
    pub fragile: Vec<String>,
    /// What NEW no longer has, in words (`server lb-02`): the legend's.
    pub removed: Vec<String>,
}

/// The marks put on a diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeLegend {
    /// (node index, its marks), in node order.
    pub nodes: Vec<(usize, Vec<Mark>)>,
    /// (group index, its marks), in group order.
    pub groups: Vec<(usize, Vec<Mark>)>,
    /// The legend's lines: `added: db-03`, `newly fragile: lb-01`...
    pub lines: Vec<String>,
}

/// The most names one legend line lists before "and N more".
const NAMES_SHOWN: usize = 12;

fn line(what: &str, names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let shown: Vec<String> = names.iter().take(NAMES_SHOWN).map(|n| visible(n)).collect();
    let more = names.len().saturating_sub(NAMES_SHOWN);
    Some(if more > 0 {
        format!("{what}: {} and {more} more", shown.join(", "))
    } else {
        format!("{what}: {}", shown.join(", "))
    })
}

/// Puts the marks on a built diagram.
pub(super) fn attach(d: &mut Diagram, asked: &ChangesAsked) {
    let marks_of = |name: &str, zone: Option<&str>| -> Vec<Mark> {
        let mut v = Vec::new();
        if asked.added.iter().any(|n| n == name) {
            v.push(Mark::Added);
        } else if asked.changed.iter().any(|n| n == name) {
            v.push(Mark::Changed);
        }
        // A zone is written `zone a` (no server name holds a space).
        let in_zone = |n: &str| zone.is_some_and(|z| n.strip_prefix("zone ") == Some(z));
        if asked.fragile.iter().any(|n| n == name || in_zone(n)) {
            v.push(Mark::Fragile);
        }
        v
    };
    let mut legend = ChangeLegend::default();
    for (i, n) in d.nodes.iter().enumerate() {
        let zone = match &n.kind {
            NodeKind::Server { zone, .. } => zone.as_deref(),
            _ => None,
        };
        if matches!(n.kind, NodeKind::Empty) {
            continue;
        }
        let m = marks_of(&n.name, zone);
        if !m.is_empty() {
            legend.nodes.push((i, m));
        }
    }
    for (i, g) in d.groups.iter().enumerate() {
        let m: Vec<Mark> = marks_of(&g.name, None)
            .into_iter()
            .filter(|m| *m != Mark::Fragile)
            .collect();
        if !m.is_empty() {
            legend.groups.push((i, m));
        }
    }
    legend.lines.extend(line("added", &asked.added));
    legend.lines.extend(line("changed", &asked.changed));
    legend.lines.extend(line("newly fragile", &asked.fragile));
    legend
        .lines
        .extend(line("removed (not drawn)", &asked.removed));
    d.changes = Some(legend);
}
