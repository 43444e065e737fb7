//! The reports of `stackc diff` (TOOLS.md §2): `human`, `json` (the §2
//! shape, findings as `check --format json` writes them) and `markdown`
//! (a pull-request comment: a verdict in words, compact tables, and NEW's
//! Mermaid diagram with the change marked). Pure functions of an [`Input`].

mod human;
mod json;
pub mod markdown;

pub use human::human;
pub use json::json;
pub use markdown::markdown;

use crate::diag::{Finding, RuleId, Severity};
use crate::diff::{CutSet, Diff, How, Kind, Side};
use crate::render::changes::ChangesAsked;
use crate::report::{resilience::figures::percent, Tolerance};
use crate::Checked;

/// Rows a human or markdown table shows before "and N more" (JSON lists
/// every one).
pub const ROWS_SHOWN: usize = crate::report::resilience::ROWS_SHOWN;

/// What a diff report reads.
#[derive(Copy, Clone)]
pub struct Input<'a> {
    pub old: Side<'a>,
    pub new: Side<'a>,
    /// NEW, checked: its diagram.
    pub new_checked: &'a Checked,
    pub diff: &'a Diff,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The subjects of some findings, listed: `db-02, zone b`.
fn subjects(fs: &[&Finding]) -> String {
    let names: Vec<String> = fs
        .iter()
        .map(|f| match f.rule {
            RuleId::ZoneSpof => format!("zone {}", f.subject_name().unwrap_or("")),
            _ => f.subject_name().unwrap_or("").to_string(),
        })
        .collect();
    let shown = names.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    match names.len() {
        n if n > 5 => format!("{shown} and {} more", n - 5),
        _ => shown,
    }
}

fn is_spof(f: &Finding) -> bool {
    matches!(f.rule, RuleId::Spof | RuleId::ZoneSpof)
}

/// A finding about what the stack survives (spof, zone-spof, cut-set,
/// broken, slo, overload): the errors of the analysis.
fn is_resilience(f: &Finding) -> bool {
    f.rule.phase() == crate::diag::Phase::Analysis && f.severity() == Severity::Error
}

/// Whether the change touches resilience: a finding of the analysis' errors,
/// a cut, the tolerance or the availability.
pub fn touches_resilience(d: &Diff) -> bool {
    d.added.iter().chain(&d.removed).any(is_resilience)
        || !d.cuts_added().is_empty()
        || !d.cuts_removed().is_empty()
        || d.old.tolerance != d.new.tolerance
        || d.old.availability != d.new.availability
}

/// The verdict in words, its parts in order of weight: `adds 1 single point
/// of failure: db-02`, `removes 2 findings`, `no change to resilience`.
pub fn verdict(d: &Diff) -> Vec<String> {
    let mut parts = Vec::new();
    let spofs: Vec<&Finding> = d.added.iter().filter(|f| is_spof(f)).collect();
    if !spofs.is_empty() {
        parts.push(format!(
            "adds {}: {}",
            plural(
                spofs.len(),
                "single point of failure",
                "single points of failure"
            ),
            subjects(&spofs)
        ));
    }
    let errors: Vec<&Finding> = d
        .added
        .iter()
        .filter(|f| f.severity() == Severity::Error && !is_spof(f))
        .collect();
    if !errors.is_empty() {
        let mut rules: Vec<&str> = errors.iter().map(|f| f.rule.as_str()).collect();
        rules.dedup();
        parts.push(format!(
            "adds {} ({})",
            plural(errors.len(), "error", "errors"),
            rules.join(", ")
        ));
    }
    let gone: Vec<&Finding> = d.removed.iter().filter(|f| is_spof(f)).collect();
    if !gone.is_empty() {
        parts.push(format!(
            "removes {}: {}",
            plural(
                gone.len(),
                "single point of failure",
                "single points of failure"
            ),
            subjects(&gone)
        ));
    }
    let other = d.removed.len() - gone.len();
    if other > 0 {
        let word = if gone.is_empty() { "" } else { "other " };
        parts.push(format!(
            "removes {other} {word}{}",
            if other == 1 { "finding" } else { "findings" }
        ));
    }
    let warnings = d
        .added
        .iter()
        .filter(|f| f.severity() == Severity::Warning)
        .count();
    if warnings > 0 {
        parts.push(format!("adds {}", plural(warnings, "warning", "warnings")));
    }
    // Single cuts are the SPOFs said above; a removed cut that holds a cut
    // of NEW (`a+b` once `a` alone stops the stack) is no gain.
    let added: Vec<&CutSet> = d
        .cuts_added()
        .iter()
        .filter(|c| c.elements.len() > 1)
        .collect();
    let removed: Vec<&CutSet> = d
        .cuts_removed()
        .iter()
        .filter(|c| c.elements.len() > 1 && absorbed_by(d, c).is_none())
        .collect();
    for (word, cuts) in [("adds", added), ("removes", removed)] {
        if !cuts.is_empty() {
            let names: Vec<String> = cuts.iter().take(3).map(|c| c.joined()).collect();
            let more = if cuts.len() > 3 {
                format!(" and {} more", cuts.len() - 3)
            } else {
                String::new()
            };
            parts.push(format!(
                "{word} {}: {}{more}",
                plural(cuts.len(), "cut", "cuts"),
                names.join(", ")
            ));
        }
    }
    if d.old.tolerance != d.new.tolerance {
        parts.push(format!(
            "tolerance {} → {}",
            tolerance(d.old.tolerance),
            tolerance(d.new.tolerance)
        ));
    }
    if !touches_resilience(d) {
        parts.insert(0, "no change to resilience".to_string());
        if !d.changes.is_empty() {
            parts.push(plural(
                d.changes.len(),
                "structural change",
                "structural changes",
            ));
        }
    }
    parts
}

/// The cut of NEW that a removed cut holds, if one does: the removed one
/// is no longer minimal, not gone (`a+b` once `a` alone stops the stack).
pub fn absorbed_by<'d>(d: &'d Diff, cut: &crate::diff::CutSet) -> Option<&'d crate::diff::CutSet> {
    d.new
        .cuts
        .as_ref()?
        .iter()
        .find(|n| n.elements.iter().all(|e| cut.elements.contains(e)))
}

/// The verdict as one line.
pub fn verdict_line(d: &Diff) -> String {
    verdict(d).join("; ")
}

/// A tolerance in a cell: `1`, `≥ 2`, `—` (not analysed).
pub fn tolerance(t: Option<Tolerance>) -> String {
    match t {
        None => "—".into(),
        Some(t) if t.exact => t.value.to_string(),
        Some(t) => format!("≥ {}", t.value),
    }
}

/// An availability in a cell: `99.99970 %`, `—` (not analysed, or refused).
pub fn availability(f: Option<crate::analysis::resilience::exact::Figure>) -> String {
    f.map_or_else(|| "—".into(), percent)
}

/// Why a side has no figures, when it has none: `OLD has errors that stop
/// the analysis`.
pub fn why_unknown(i: &Input<'_>) -> Vec<String> {
    let mut v = Vec::new();
    for (side, sound, f) in [
        (i.old.name, i.diff.sound.0, &i.diff.old),
        (i.new.name, i.diff.sound.1, &i.diff.new),
    ] {
        if !sound {
            v.push(format!(
                "{} has errors that stop the analysis: no figures",
                side
            ));
        }
        for (part, message) in &f.refused {
            v.push(format!("{side}: {part} not computed: {message}"));
        }
    }
    v
}

/// What NEW's diagram marks (see [`crate::render::changes`]).
pub fn changes_asked(d: &Diff) -> ChangesAsked {
    let mut a = ChangesAsked::default();
    for c in &d.changes {
        let word = |n: &str| format!("{} {n}", c.kind.as_str());
        match (c.how, c.kind) {
            (How::Removed, _) => a.removed.push(word(&c.name)),
            (How::Added, Kind::Link) => a.added.push(word(&c.name)),
            (How::Changed, Kind::Link) => a.changed.push(word(&c.name)),
            (How::Added, _) => a.added.push(c.name.clone()),
            (How::Changed, _) => a.changed.push(c.name.clone()),
        }
    }
    let mut fragile: Vec<String> = Vec::new();
    for f in d.added.iter().filter(|f| is_spof(f)) {
        fragile.push(match (f.rule, f.subject_name()) {
            (RuleId::ZoneSpof, Some(z)) => format!("zone {z}"),
            (_, name) => name.unwrap_or("").to_string(),
        });
    }
    for cut in d.cuts_added() {
        fragile.extend(cut.elements.iter().map(|e| {
            if e.zone {
                format!("zone {}", e.name)
            } else {
                e.name.clone()
            }
        }));
    }
    let mut seen = std::collections::HashSet::new();
    fragile.retain(|n| seen.insert(n.clone()));
    a.fragile = fragile;
    a
}

/// The words of one structural change: `members −lb-02`, `address
/// 10.0.0.11 → 10.0.0.21`. A list (a group's members, a record's targets)
/// says what left it and what joined it, at most five names each.
pub fn change_text(c: &crate::diff::Change) -> String {
    c.fields
        .iter()
        .map(|f| match f.name {
            "members" | "targets" => {
                let split = |s: &str| -> Vec<String> {
                    s.split(", ")
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                };
                let (old, new) = (split(&f.old), split(&f.new));
                let gone: Vec<&String> = old.iter().filter(|x| !new.contains(x)).collect();
                let came: Vec<&String> = new.iter().filter(|x| !old.contains(x)).collect();
                let list = |sign: char, v: &[&String]| -> Option<String> {
                    if v.is_empty() {
                        return None;
                    }
                    let shown: Vec<String> =
                        v.iter().take(5).map(|x| format!("{sign}{x}")).collect();
                    Some(match v.len() {
                        n if n > 5 => format!("{} and {} more", shown.join(" "), n - 5),
                        _ => shown.join(" "),
                    })
                };
                let parts: Vec<String> = [list('−', &gone), list('+', &came)]
                    .into_iter()
                    .flatten()
                    .collect();
                if parts.is_empty() {
                    // The same names in another order.
                    format!("{} reordered", f.name)
                } else {
                    format!("{} {}", f.name, parts.join(" "))
                }
            }
            _ => format!("{} {} → {}", f.name, f.old, f.new),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_sides;

    fn verdict_of(old: &str, new: &str) -> String {
        let side = |source| Side {
            name: "x.stack",
            source,
        };
        let (_, _, d) = diff_sides(side(old), side(new));
        if d.is_empty() {
            "no change".into()
        } else {
            verdict_line(&d)
        }
    }

    const PAIR: &str = "group web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\ndomain example.com { www A -> web : https }\n";

    #[test]
    fn verdicts_in_words() {
        assert_eq!(verdict_of(PAIR, PAIR), "no change");
        let one = PAIR.replace("; server web-02 10.0.1.12", "");
        assert_eq!(
            verdict_of(PAIR, &one),
            "adds 1 single point of failure: web-01; removes 2 findings; adds 2 warnings; tolerance 1 → 0"
        );
        assert_eq!(
            verdict_of(&one, PAIR),
            "removes 1 single point of failure: web-01; removes 2 other findings; adds 2 warnings; adds 1 cut: web-01+web-02; tolerance 0 → 1"
        );
        let firewalled = PAIR.replace("nginx {", "nginx firewall {");
        assert_eq!(
            verdict_of(PAIR, &firewalled),
            "no change to resilience; removes 1 finding; 2 structural changes"
        );
        let moved = PAIR.replace("10.0.1.12", "10.0.1.13");
        assert_eq!(
            verdict_of(PAIR, &moved),
            "no change to resilience; 1 structural change"
        );
    }

    #[test]
    fn markdown_cells_cannot_make_markup() {
        use super::markdown::md;
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(
            md("*x* _y_ `z` [l](u) #1 @me $m$ :e:"),
            "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\#1 \\@me \\$m\\$ \\:e\\:"
        );
        // The visible escape of a newline, its backslash escaped.
        assert_eq!(md("line\nbreak"), "line\\\\u{A}break");
        assert_eq!(md("back\\slash"), "back\\\\slash");
    }
}
