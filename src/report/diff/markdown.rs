//! `stackc diff --format markdown`: a pull-request comment. A one-line
//! verdict in words, the figures before → after, compact tables of the
//! findings, cuts and structural changes, and NEW's Mermaid diagram with
//! what changed and what became fragile marked (GitHub renders Mermaid).
//! Every text that comes from a file is escaped for Markdown ([`md`]).

use super::{
    absorbed_by, availability, change_text, changes_asked, tolerance, verdict, why_unknown, Input,
    ROWS_SHOWN,
};
use crate::diag::Finding;
use crate::report::text::clean;
use crate::report::LineIndex;
use std::fmt::Write;

/// Text for a Markdown table cell (or a line): no character it holds can
/// make markup, a table column, HTML or a line break.
pub fn md(s: &str) -> String {
    let s = clean(s, false);
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            // `@` would mention someone, `#12` link an issue, `$` start
            // maths, `:x:` an emoji.
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '$' | ':' | '@' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

/// The most Mermaid text GitHub draws: Mermaid's default `maxTextSize`.
pub const MERMAID_MAX: usize = 50_000;
/// The most characters a GitHub comment holds.
pub const COMMENT_MAX: usize = 65_536;

fn more(o: &mut String, n: usize) {
    if n > ROWS_SHOWN {
        let _ = writeln!(o, "\n… and {} more", n - ROWS_SHOWN);
    }
}

fn findings(o: &mut String, title: &str, fs: &[Finding], src: &str) {
    if fs.is_empty() {
        return;
    }
    let idx = LineIndex::new(src);
    let _ = writeln!(
        o,
        "\n**{title} ({})**\n\n| | rule | subject | line | message |\n|---|---|---|---:|---|",
        fs.len()
    );
    for f in fs.iter().take(ROWS_SHOWN) {
        let (line, _) = idx.line_col(f.span.start);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {line} | {} |",
            f.severity().as_str(),
            md(f.rule.as_str()),
            md(f.subject_name().unwrap_or("")),
            md(&f.message)
        );
    }
    more(o, fs.len());
}

/// The Markdown comment.
pub fn markdown(i: &Input<'_>) -> String {
    let d = i.diff;
    let mut o = String::new();
    let line = if d.is_empty() {
        "no change".to_string()
    } else {
        verdict(d).join("; ")
    };
    let _ = writeln!(o, "### stackc diff: {}\n", md(&line));
    let _ = writeln!(o, "{} → {}\n", md(i.old.name), md(i.new.name));
    let count = |c: &Option<Vec<crate::diff::CutSet>>| {
        c.as_ref()
            .map_or_else(|| "—".to_string(), |v| v.len().to_string())
    };
    let _ = writeln!(
        o,
        "| | before | after |\n|---|---:|---:|\n| tolerance | {} | {} |\n| availability | {} | {} |\n| cuts of up to {} | {} | {} |",
        md(&tolerance(d.old.tolerance)),
        md(&tolerance(d.new.tolerance)),
        md(&availability(d.old.availability)),
        md(&availability(d.new.availability)),
        d.max_size,
        count(&d.old.cuts),
        count(&d.new.cuts),
    );
    for w in why_unknown(i) {
        let _ = writeln!(o, "\n_{}_", md(&w));
    }
    findings(&mut o, "Findings added", &d.added, i.new.source);
    findings(&mut o, "Findings removed", &d.removed, i.old.source);
    if let Some((added, removed)) = &d.cuts {
        if !added.is_empty() || !removed.is_empty() {
            let _ = writeln!(o, "\n**Cuts**\n\n| cut | change |\n|---|---|");
            let rows: Vec<(String, String)> = added
                .iter()
                .map(|c| (c.joined(), "added".to_string()))
                .chain(removed.iter().map(|c| {
                    let how = match absorbed_by(d, c) {
                        Some(n) => {
                            format!("removed: {} alone stops the stack now", md(&n.joined()))
                        }
                        None => "removed".to_string(),
                    };
                    (c.joined(), how)
                }))
                .collect();
            for (cut, how) in rows.iter().take(ROWS_SHOWN) {
                let _ = writeln!(o, "| {} | {how} |", md(cut));
            }
            more(&mut o, rows.len());
        }
    }
    if !d.changes.is_empty() {
        let _ = writeln!(
            o,
            "\n**Structure ({})**\n\n| kind | name | change | what |\n|---|---|---|---|",
            d.changes.len()
        );
        for c in d.changes.iter().take(ROWS_SHOWN) {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                c.kind.as_str(),
                md(&c.name),
                c.how.as_str(),
                md(&change_text(c))
            );
        }
        more(&mut o, d.changes.len());
    }
    let asked = changes_asked(d);
    match crate::render::Diagram::with_changes(i.new_checked, &asked) {
        Some(diagram) => {
            let text = crate::render::mermaid::render(&diagram, crate::render::Theme::Light);
            let block = format!(
                "\n**{}, the change marked** (thick border: added in green, changed in orange; dashed red: newly fragile)\n\n```mermaid\n{text}```\n",
                md(i.new.name)
            );
            if text.len() > MERMAID_MAX || o.len() + block.len() > COMMENT_MAX {
                let _ = writeln!(
                    o,
                    "\n_The diagram of {} is left out: its {} characters of Mermaid are more than GitHub draws ({MERMAID_MAX}) or a comment holds ({COMMENT_MAX}); `stackc render --to svg` draws it._",
                    md(i.new.name),
                    text.len()
                );
            } else {
                o.push_str(&block);
            }
        }
        None => {
            let _ = writeln!(
                o,
                "\n_{} has errors that stop the analysis: no diagram._",
                md(i.new.name)
            );
        }
    }
    o
}
