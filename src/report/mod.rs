//! Emitters for findings: miette's graphical report (`human`), one JSON
//! object (`json`), SARIF 2.1.0 (`sarif`) and GitHub annotations (`github`).
//! They take the findings of every file checked and return text.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

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

/// Byte offsets to 1-based lines and columns (columns count characters).
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
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
