//! `stackc check FILE... [--format F] [--deny warnings]`

use crate::Format;
use stackc::report::text::clean;
use stackc::report::{self, human, FileReport, InputError, RunInfo};

/// Reads one input: the message of a read error (unreadable, too large,
/// not UTF-8 with the place of the first bad byte) is what the reports
/// print for a file that could not be read.
fn read(path: &str) -> Result<String, InputError> {
    super::read_input(path).map_err(|e| InputError {
        file: path.to_string(),
        message: e.to_string(),
    })
}

pub fn run(paths: &[String], format: Format, deny_warnings: bool, tolerate: Option<u8>) -> u8 {
    let mut info = RunInfo::default();
    let mut inputs = Vec::new();
    for p in paths {
        match read(p) {
            Ok(src) => inputs.push((p.as_str(), src)),
            Err(e) => {
                // A name with a newline stays on one line.
                super::report::error(&clean(&e.message, false));
                info.errors.push(e);
            }
        }
    }
    let checked: Vec<_> = inputs
        .iter()
        .map(|(path, src)| super::check_input_with(path, src, tolerate))
        .collect();
    info.nothing_declared = checked.iter().map(report::nothing_declared).collect();
    info.tolerance = checked.iter().map(report::Tolerance::of).collect();
    let reports: Vec<FileReport<'_>> = inputs
        .iter()
        .zip(&checked)
        .map(|((path, src), c)| FileReport::new(path, src, c))
        .collect();
    let out = render(&reports, &info, format);
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return 2;
    }
    let errors: usize = reports.iter().map(FileReport::errors).sum();
    let warnings: usize = reports.iter().map(FileReport::warnings).sum();
    if !info.errors.is_empty() {
        2
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}

/// The reports of `check` (and `drift`) in one of the formats.
pub fn render(reports: &[FileReport<'_>], info: &RunInfo, format: Format) -> String {
    let cwd = std::env::current_dir().ok();
    match format {
        Format::Human => {
            let style = human::Style {
                color: super::use_color(),
                width: super::width(),
            };
            reports
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let note = report::summary_note(info, i, r);
                    human::render_with_note(r, style, note.as_deref())
                })
                .collect::<String>()
        }
        Format::Json => report::json::render_run(reports, info),
        Format::Sarif => report::sarif::render_run(reports, info, cwd.as_deref()),
        Format::Github => report::github::render_run(reports, info, cwd.as_deref()),
    }
}
