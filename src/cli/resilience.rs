//! `stackc resilience FILE [--max-size K] [--format human|json|markdown]`
//! (RESILIENCE.md §6): the cuts, the tolerance, the availability and the
//! headroom in one report. Exit 0, or 1 when `check` would report an
//! error; 2 when the input cannot be read.

use crate::ResilienceFormat;
use stackc::report::resilience::{self, Input};
use stackc::report::FileReport;

pub fn run(path: &str, max_size: Option<usize>, format: ResilienceFormat) -> u8 {
    let src = match super::read_input(path) {
        Ok(s) => s,
        Err(e) => return super::report::fail(&e.to_string()),
    };
    let checked = super::check_input(path, &src);
    let (Some(analysis), Some(r)) = (&checked.analysis, stackc::resilience(&checked, max_size))
    else {
        // A stopping error: nothing sound to analyse. `check` exits 1 on it.
        super::report::refused(
            &FileReport::new(path, &src, &checked),
            &format!("cannot analyse the resilience of {path}"),
        );
        return 1;
    };
    let left_out = stackc::left_out(&checked);
    let input = Input {
        file: path,
        model: &checked.model,
        analysis,
        report: &r,
        left_out: &left_out,
    };
    for (part, message) in resilience::refusals(&r) {
        super::report::warn(&format!("{part} not computed: {message}"));
    }
    let text = match format {
        ResilienceFormat::Human => resilience::human(&input),
        ResilienceFormat::Json => resilience::json(&input),
        ResilienceFormat::Markdown => resilience::markdown(&input),
    };
    super::print(&text);
    let errors = checked.errors();
    if errors > 0 {
        super::report::note(&format!(
            "`stackc check {path}` reports {}",
            stackc::report::counts(errors, checked.warnings())
        ));
        1
    } else {
        0
    }
}
