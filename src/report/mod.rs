//! Emitters for findings: miette's graphical report (`human`), one JSON
//! object (`json`), SARIF 2.1.0 (`sarif`) and GitHub annotations (`github`).
//! They take the findings of every file checked and return text.

pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod paths;
pub mod position;
pub mod resilience;
pub mod sarif;
pub mod text;

use crate::diag::{Finding, Severity};
use crate::Suppressed;

/// One checked file, as the emitters see it.
pub struct FileReport<'a> {
    /// The path as given on the command line (`-` for standard input).
    pub path: &'a str,
    pub source: &'a str,
    pub findings: &'a [Finding],
    pub suppressed: &'a [Suppressed],
    /// The `allow` statements' reasons, by index, for suppressions.
    pub allow_reasons: Vec<String>,
}

impl<'a> FileReport<'a> {
    /// The report of one checked source.
    pub fn new(path: &'a str, source: &'a str, checked: &'a crate::Checked) -> Self {
        FileReport {
            path,
            source,
            findings: &checked.findings,
            suppressed: &checked.suppressed,
            allow_reasons: checked
                .model
                .allows
                .iter()
                .map(|a| a.reason.clone())
                .collect(),
        }
    }
}

impl FileReport<'_> {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// Byte offsets to 1-based lines and columns: the one position model of
/// every format (see [`position`]).
pub type LineIndex<'a> = position::Positions<'a>;

/// A file that could not be checked: unreadable, not UTF-8 text, too large.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The path as given on the command line (`-` for standard input).
    pub file: String,
    /// What went wrong, for a person: "cannot read x.stack: ...".
    pub message: String,
}

/// What a `check` of several files reports beyond the findings: the files
/// that could not be read, and for each file read whether it declares
/// anything to analyse.
#[derive(Clone, Debug, Default)]
pub struct RunInfo {
    pub errors: Vec<InputError>,
    /// Parallel to the files: `true` for a file that declares no server
    /// (empty, or only comments, zones, a `stack` line): nothing was analysed.
    pub nothing_declared: Vec<bool>,
    /// Parallel to the files: the tolerance `check` found (RESILIENCE.md
    /// §1), `None` when nothing was analysed (a stopping error, or nothing
    /// declared). Missing entries count as `None`.
    pub tolerance: Vec<Option<Tolerance>>,
}

/// How many failures at once a stack survives, as `check` knows it
/// (RESILIENCE.md §1): `exact` is false when `value` is a lower bound (no
/// cut of size `value + 1` was looked for, or none exists up to it).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tolerance {
    pub value: usize,
    pub exact: bool,
}

impl Tolerance {
    /// The tolerance of a checked file, from the cuts its analysis found
    /// (only single failures when the policy is `tolerate=1`: then a lower
    /// bound). `None` when nothing was analysed.
    pub fn of(checked: &crate::Checked) -> Option<Tolerance> {
        let a = checked.analysis.as_ref()?;
        if nothing_declared(checked) {
            return None;
        }
        let cuts = check_cuts(a);
        let max_size = cuts.map_or(1, |c| c.max_size);
        let (value, exact) =
            crate::analysis::resilience::tolerance(&checked.model, a, &a.left_out, cuts, max_size);
        Some(Tolerance { value, exact })
    }

    /// The weakest of several: the smallest value; exact when one of the
    /// files with that value knows it exactly.
    pub fn weakest(all: &[Option<Tolerance>]) -> Option<Tolerance> {
        let value = all.iter().flatten().map(|t| t.value).min()?;
        let exact = all.iter().flatten().any(|t| t.value == value && t.exact);
        Some(Tolerance { value, exact })
    }

    /// `tolerates 1 failure`, `tolerates at least 2 failures`, `tolerates
    /// no failure`.
    pub fn words(&self) -> String {
        let plural = if self.value == 1 { "" } else { "s" };
        match (self.value, self.exact) {
            (0, _) => "tolerates no failure".to_string(),
            (k, true) => format!("tolerates {k} failure{plural}"),
            (k, false) => format!("tolerates at least {k} failure{plural}"),
        }
    }
}

/// The cuts `check` looked for (`tolerate` >= 2, not refused as too
/// costly); without them the tolerance is the single-failure one.
fn check_cuts(a: &crate::analysis::Analysis) -> Option<&crate::analysis::resilience::cuts::Cuts> {
    a.cuts.as_ref().and_then(|c| c.as_ref().ok())
}

/// What the human summary line of file `i` of a run adds in parentheses:
/// that it declares nothing, else its tolerance.
pub fn summary_note(info: &RunInfo, i: usize, file: &FileReport<'_>) -> Option<String> {
    if info.nothing_declared.get(i) == Some(&true) && file.errors() == 0 {
        return Some(NOTHING_DECLARED.to_string());
    }
    info.tolerance.get(i).copied().flatten().map(|t| t.words())
}

/// The note a summary carries for a file with nothing in it to analyse.
pub const NOTHING_DECLARED: &str = "it declares nothing: nothing to analyse";

/// Whether a checked file declares nothing to analyse: no server, hence no
/// record that could serve and no finding of the analysis to expect.
pub fn nothing_declared(checked: &crate::Checked) -> bool {
    checked.model.servers.is_empty() && checked.model.records.is_empty()
}

/// "2 errors, 5 warnings"
pub fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Where the rule pages of the book live.
pub const BOOK_URL: &str = "https://stackc.dev/book/rules";

pub fn rule_url(rule: crate::diag::RuleId) -> String {
    format!("{BOOK_URL}/{}.html", rule.as_str())
}
