//! `stackc fmt FILE... [--check]`
//!
//! A file is rewritten only when its canonical form differs, through
//! symbolic links and keeping its mode and owner ([`super::atomic::rewrite_file`]).

use super::atomic::Rewritten;
use super::report;
use stackc::report::FileReport;
use std::fmt::Write as _;

pub fn run(paths: &[String], check: bool) -> u8 {
    let mut code = 0u8;
    let mut o = String::new();
    for path in paths {
        let src = match super::read_input(path) {
            Ok(s) => s,
            Err(e) => {
                code = code.max(report::fail(&e.to_string()));
                continue;
            }
        };
        let parsed = stackc::syntax::parse(&src);
        if !parsed.is_ok() {
            let r = FileReport {
                path,
                source: &src,
                findings: &parsed.errors,
                suppressed: &[],
                allow_reasons: Vec::new(),
            };
            report::refused(&r, &format!("cannot format {path}"));
            code = code.max(1);
            continue;
        }
        let formatted = stackc::fmt::format_file(&src, &parsed.file);
        if check {
            if formatted != src {
                let diff = similar::TextDiff::from_lines(&src, &formatted);
                let _ = write!(
                    o,
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(path, &format!("{path} (formatted)"))
                );
                code = code.max(1);
            }
        } else if path == "-" {
            let _ = write!(o, "{formatted}");
        } else if formatted != src {
            match super::atomic::rewrite_file(std::path::Path::new(path), formatted.as_bytes()) {
                Ok(Rewritten::Replaced) => {}
                Ok(Rewritten::InPlaceLinks(n)) => report::note(&format!(
                    "{path} has {n} hard links: rewritten in place to keep them (not atomically)"
                )),
                Ok(Rewritten::InPlaceFolder) => report::note(&format!(
                    "the folder of {path} cannot be written: rewritten in place (not atomically)"
                )),
                Ok(Rewritten::InPlaceOwner) => report::note(&format!(
                    "{path} belongs to another user: rewritten in place to keep its owner (not atomically)"
                )),
                Err(e) => code = code.max(report::fail(&format!("cannot write {path}: {e}"))),
            }
        }
    }
    super::print(&o);
    code
}
