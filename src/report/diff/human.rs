//! `stackc diff` for a terminal: the verdict, then each part in a few
//! lines (tables capped at [`super::ROWS_SHOWN`] rows).

use super::{availability, change_text, tolerance, verdict_line, why_unknown, Input, ROWS_SHOWN};
use crate::diag::Finding;
use crate::report::text::clean;
use crate::report::LineIndex;
use std::fmt::Write;

fn more(o: &mut String, n: usize) {
    if n > ROWS_SHOWN {
        let _ = writeln!(o, "  … and {} more", n - ROWS_SHOWN);
    }
}

fn findings(o: &mut String, title: &str, fs: &[Finding], file: &str, src: &str) {
    if fs.is_empty() {
        return;
    }
    let idx = LineIndex::new(src);
    let _ = writeln!(o, "\n{title} ({}):", fs.len());
    for f in fs.iter().take(ROWS_SHOWN) {
        let (line, col) = idx.line_col(f.span.start);
        let subject = f.subject_name().map(|s| format!(" {}", clean(s, false)));
        let _ = writeln!(
            o,
            "  {}[{}]{} at {}:{line}:{col}: {}",
            f.severity().as_str(),
            f.rule,
            subject.unwrap_or_default(),
            clean(file, false),
            clean(&f.message, false)
        );
    }
    more(o, fs.len());
}

/// The human report.
pub fn human(i: &Input<'_>) -> String {
    let d = i.diff;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "stackc diff {} → {}: {}",
        clean(i.old.name, false),
        clean(i.new.name, false),
        if d.is_empty() {
            "no change".to_string()
        } else {
            verdict_line(d)
        }
    );
    findings(&mut o, "findings added", &d.added, i.new.name, i.new.source);
    findings(
        &mut o,
        "findings removed",
        &d.removed,
        i.old.name,
        i.old.source,
    );
    match &d.cuts {
        Some((added, removed)) if !added.is_empty() || !removed.is_empty() => {
            let _ = writeln!(
                o,
                "\ncuts (failure sets of up to {} that stop the stack):",
                d.max_size
            );
            for (word, cuts) in [("added", added), ("removed", removed)] {
                for c in cuts.iter().take(ROWS_SHOWN) {
                    let why = match super::absorbed_by(d, c) {
                        Some(n) if word == "removed" => {
                            format!(" ({} alone stops the stack now)", clean(&n.joined(), false))
                        }
                        _ => String::new(),
                    };
                    let _ = writeln!(o, "  {word}: {}{why}", clean(&c.joined(), false));
                }
                more(&mut o, cuts.len());
            }
        }
        Some(_) => {}
        None => {
            let _ = writeln!(o, "\ncuts: not compared");
        }
    }
    let _ = writeln!(
        o,
        "\ntolerance:    {} → {}\navailability: {} → {}",
        tolerance(d.old.tolerance),
        tolerance(d.new.tolerance),
        availability(d.old.availability),
        availability(d.new.availability)
    );
    for w in why_unknown(i) {
        let _ = writeln!(o, "  ({})", clean(&w, false));
    }
    if !d.changes.is_empty() {
        let _ = writeln!(o, "\nchanges ({}):", d.changes.len());
        for c in d.changes.iter().take(ROWS_SHOWN) {
            let text = change_text(c);
            let _ = writeln!(
                o,
                "  {} {}: {}{}",
                c.kind.as_str(),
                clean(&c.name, false),
                c.how.as_str(),
                if text.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", clean(&text, false))
                }
            );
        }
        more(&mut o, d.changes.len());
    }
    o
}
