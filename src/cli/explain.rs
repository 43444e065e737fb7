//! `stackc explain [RULE]`

use stackc::analysis::rules;
use stackc::diag::{did_you_mean, RuleId};
use std::fmt::Write as _;

pub fn run(rule: Option<&str>) -> u8 {
    let mut o = String::new();
    let Some(name) = rule else {
        let _ = writeln!(o, "The rules of stackc (`stackc explain RULE` for one):\n");
        for id in RuleId::ALL {
            let _ = writeln!(
                o,
                "  {:<20} {:<8} {}",
                id.as_str(),
                id.severity().as_str(),
                rules::doc(*id).summary
            );
        }
        super::print(&o);
        return 0;
    };
    match name.parse::<RuleId>() {
        Ok(id) => {
            super::print(&explain_text(id));
            0
        }
        Err(()) => {
            let hint = did_you_mean(name, RuleId::ALL.iter().map(|r| r.as_str()))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            super::report::fail(&format!(
                "no rule is called `{name}`{hint}; `stackc explain` lists them"
            ))
        }
    }
}

/// The text `explain` prints for a rule (also the book's rule page).
pub fn explain_text(id: RuleId) -> String {
    let doc = rules::doc(id);
    format!(
        "{} ({}): {}\n\n{}\n",
        id.as_str(),
        id.severity().as_str(),
        doc.summary,
        doc.explain_text()
    )
}
