//! `--format github`: workflow commands that GitHub Actions shows as
//! annotations on the pull request.
//!
//! Paths are relative to the working directory when the file lies under it
//! (GitHub wants paths relative to the repository), and normalised.
//! Control and bidirectional characters are escaped (the log is a
//! terminal too); messages are capped as in the human report.

use super::position::Positions;
use super::text::{cap, clean};
use super::{paths, FileReport, RunInfo, NOTHING_DECLARED};
use crate::diag::Severity;
use std::path::Path;

/// Escapes the message part of a workflow command.
fn escape_data(s: &str) -> String {
    clean(s, true)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn file_name(path: &str, base: Option<&Path>) -> String {
    paths::slashed(&paths::display_path(path, base))
}

/// The annotations of files that were all read, paths as given.
pub fn render(files: &[FileReport<'_>]) -> String {
    render_run(files, &RunInfo::default(), None)
}

/// The annotations of a `check` run; `base` is the working directory.
pub fn render_run(files: &[FileReport<'_>], info: &RunInfo, base: Option<&Path>) -> String {
    let mut out = String::new();
    for e in &info.errors {
        out.push_str(&format!(
            "::error file={},title=stackc::{}\n",
            escape_property(&file_name(&e.file, base)),
            escape_data(&e.message)
        ));
    }
    for (i, file) in files.iter().enumerate() {
        let name = file_name(file.path, base);
        let idx = Positions::new(file.source);
        for f in file.findings {
            let (line, col) = idx.line_col(f.span.start);
            let level = match f.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = cap(&f.message, super::human::MESSAGE_MAX).into_owned();
            if let Some(h) = &f.help {
                message.push_str("\nhelp: ");
                message.push_str(&cap(h, super::human::HELP_MAX));
            }
            out.push_str(&format!(
                "::{level} file={},line={line},col={col},title={}::{}\n",
                escape_property(&name),
                escape_property(f.rule.as_str()),
                escape_data(&message)
            ));
        }
        if info.nothing_declared.get(i) == Some(&true) && file.errors() == 0 {
            out.push_str(&format!(
                "::notice file={}::{}\n",
                escape_property(&name),
                escape_data(&format!("{name}: {NOTHING_DECLARED}"))
            ));
        } else if let Some(t) = info.tolerance.get(i).copied().flatten() {
            out.push_str(&format!(
                "::notice file={},title=tolerance::{}\n",
                escape_property(&name),
                escape_data(&format!("{name} {}", t.words()))
            ));
        }
    }
    out
}
