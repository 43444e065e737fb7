//! Emitters for findings: miette's graphical report (`human`), one JSON
//! object (`json`), SARIF 2.1.0 (`sarif`) and GitHub annotations (`github`).
//! They take the findings of every file checked and return text.

pub mod github;
pub mod human;
pub mod json;
pub mod paths;
pub mod position;
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
