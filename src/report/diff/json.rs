//! `stackc diff --format json`: the shape of TOOLS.md §2, exactly;
//! findings as `check --format json` writes them (`file` is the side's
//! name: a removed finding sits in OLD, an added one in NEW).

use super::Input;
use crate::report::json::JsonFinding;
use crate::report::LineIndex;
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    added: Vec<JsonFinding<'a>>,
    removed: Vec<JsonFinding<'a>>,
    /// `null` when a side's cuts are unknown (not sound, or refused).
    cuts: Option<Cuts<'a>>,
    tolerance: [Option<usize>; 2],
    availability: [Option<f64>; 2],
    changes: Vec<Change<'a>>,
}

#[derive(Serialize)]
struct Cuts<'a> {
    added: Vec<Vec<&'a str>>,
    removed: Vec<Vec<&'a str>>,
}

#[derive(Serialize)]
struct Change<'a> {
    kind: &'static str,
    name: &'a str,
    change: &'static str,
}

/// The JSON report, pretty-printed, with a final newline.
pub fn json(i: &Input<'_>) -> String {
    let d = i.diff;
    let (old_idx, new_idx) = (LineIndex::new(i.old.source), LineIndex::new(i.new.source));
    let out = Output {
        version: 1,
        added: d
            .added
            .iter()
            .map(|f| JsonFinding::of(f, i.new.name, &new_idx))
            .collect(),
        removed: d
            .removed
            .iter()
            .map(|f| JsonFinding::of(f, i.old.name, &old_idx))
            .collect(),
        cuts: d.cuts.as_ref().map(|(a, r)| Cuts {
            added: a.iter().map(|c| c.names()).collect(),
            removed: r.iter().map(|c| c.names()).collect(),
        }),
        tolerance: [d.old.tolerance, d.new.tolerance].map(|t| t.map(|t| t.value)),
        availability: [d.old.availability, d.new.availability].map(|f| f.map(|f| f.up)),
        changes: d
            .changes
            .iter()
            .map(|c| Change {
                kind: c.kind.as_str(),
                name: &c.name,
                change: c.how.as_str(),
            })
            .collect(),
    };
    let mut s = crate::report::text::json_safe(
        serde_json::to_string_pretty(&out).expect("the diff serializes"),
    );
    s.push('\n');
    s
}
