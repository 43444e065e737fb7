//! `--format github`: workflow commands that GitHub Actions shows as
//! annotations on the pull request.

use super::{FileReport, LineIndex};
use crate::diag::Severity;

/// Escapes the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(files: &[FileReport<'_>]) -> String {
    let mut out = String::new();
    for file in files {
        let idx = LineIndex::new(file.source);
        for f in file.findings {
            let (line, col) = idx.line_col(f.span.start);
            let level = match f.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = f.message.clone();
            if let Some(h) = &f.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            out.push_str(&format!(
                "::{level} file={},line={line},col={col},title={}::{}\n",
                escape_property(file.path),
                escape_property(f.rule.as_str()),
                escape_data(&message)
            ));
        }
    }
    out
}
