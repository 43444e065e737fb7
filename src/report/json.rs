//! `--format json`: one object for all files, as CLI.md defines it, plus
//! `errors` (files that could not be read) and `files` (one entry per file
//! read, saying whether it declared anything to analyse).

use super::{FileReport, LineIndex, RunInfo, Tolerance};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    files: Vec<JsonFile<'a>>,
    summary: Summary,
    /// The weakest tolerance of the files analysed (null: none was).
    tolerance: Option<Tolerance>,
}

/// A finding as `check --format json` writes it (`diff` writes the same).
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule: &'static str,
    severity: &'static str,
    subject: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

impl<'a> JsonFinding<'a> {
    /// Finding `f` of `file`, its position read in `idx`.
    pub(crate) fn of(f: &'a crate::diag::Finding, file: &'a str, idx: &LineIndex<'_>) -> Self {
        let (line, column) = idx.line_col(f.span.start);
        JsonFinding {
            rule: f.rule.as_str(),
            severity: f.severity().as_str(),
            subject: f.subject_name(),
            file,
            line,
            column,
            message: &f.message,
        }
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    file: &'a str,
    errors: usize,
    warnings: usize,
    /// The file declares no server: nothing was analysed.
    nothing_declared: bool,
    /// Its tolerance (null: not analysed).
    tolerance: Option<Tolerance>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

/// The JSON object for files that were all read.
pub fn render(files: &[FileReport<'_>]) -> String {
    render_run(files, &RunInfo::default())
}

/// The JSON object of a `check` run: its files and what [`RunInfo`] adds.
pub fn render_run(files: &[FileReport<'_>], info: &RunInfo) -> String {
    let mut findings = Vec::new();
    let mut per_file = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        let idx = LineIndex::new(file.source);
        errors += file.errors();
        warnings += file.warnings();
        per_file.push(JsonFile {
            file: file.path,
            errors: file.errors(),
            warnings: file.warnings(),
            nothing_declared: info.nothing_declared.get(i).copied().unwrap_or(false),
            tolerance: info.tolerance.get(i).copied().flatten(),
        });
        for f in file.findings {
            findings.push(JsonFinding::of(f, file.path, &idx));
        }
    }
    findings.sort_by(|a, b| {
        (a.file, a.line, a.column, a.rule, a.subject, a.message)
            .cmp(&(b.file, b.line, b.column, b.rule, b.subject, b.message))
    });
    let out = Output {
        version: 1,
        findings,
        errors: info
            .errors
            .iter()
            .map(|e| JsonError {
                file: &e.file,
                message: &e.message,
            })
            .collect(),
        files: per_file,
        summary: Summary { errors, warnings },
        tolerance: Tolerance::weakest(&info.tolerance),
    };
    let mut s =
        super::text::json_safe(serde_json::to_string_pretty(&out).expect("findings serialize"));
    s.push('\n');
    s
}
