//! `--format json`: one object for all files, as CLI.md defines it.

use super::{FileReport, LineIndex};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    severity: &'static str,
    subject: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

pub fn render(files: &[FileReport<'_>]) -> String {
    let mut findings = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for file in files {
        let idx = LineIndex::new(file.source);
        errors += file.errors();
        warnings += file.warnings();
        for f in file.findings {
            let (line, column) = idx.line_col(f.span.start);
            findings.push(JsonFinding {
                rule: f.rule.as_str(),
                severity: f.severity().as_str(),
                subject: f.subject.as_deref(),
                file: file.path,
                line,
                column,
                message: &f.message,
            });
        }
    }
    findings.sort_by(|a, b| {
        (a.file, a.line, a.column, a.rule, a.subject, a.message)
            .cmp(&(b.file, b.line, b.column, b.rule, b.subject, b.message))
    });
    let out = Output {
        version: 1,
        findings,
        summary: Summary { errors, warnings },
    };
    let mut s = serde_json::to_string_pretty(&out).expect("findings serialize");
    s.push('\n');
    s
}
