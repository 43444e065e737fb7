//! `stackc check FILE... [--format F] [--deny warnings]`

use crate::Format;
use stackc::report::{self, human, FileReport};

pub fn run(paths: &[String], format: Format, deny_warnings: bool) -> u8 {
    let mut unreadable = false;
    let mut inputs = Vec::new();
    for p in paths {
        match super::read_input(p) {
            Ok(src) => inputs.push((p.as_str(), src)),
            Err(e) => {
                eprintln!("error: {e}");
                unreadable = true;
            }
        }
    }
    let checked: Vec<_> = inputs.iter().map(|(_, src)| stackc::check(src)).collect();
    let reports: Vec<FileReport<'_>> = inputs
        .iter()
        .zip(&checked)
        .map(|((path, src), c)| FileReport::new(path, src, c))
        .collect();
    let out = match format {
        Format::Human => {
            let style = human::Style {
                color: super::use_color(),
                width: super::width(),
            };
            reports
                .iter()
                .map(|r| human::render(r, style))
                .collect::<String>()
        }
        Format::Json => report::json::render(&reports),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            report::sarif::render(&reports, cwd.as_deref())
        }
        Format::Github => report::github::render(&reports),
    };
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
    if unreadable {
        2
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}
