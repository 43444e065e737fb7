//! `stackc fmt FILE... [--check]`

use stackc::report::{human, FileReport};
use std::fmt::Write as _;

pub fn run(paths: &[String], check: bool) -> u8 {
    let mut code = 0u8;
    let mut o = String::new();
    for path in paths {
        let src = match super::read_input(path) {
            Ok(s) => s,
            Err(e) => {
                code = code.max(super::fail(&e));
                continue;
            }
        };
        let parsed = stackc::syntax::parse(&src);
        if !parsed.is_ok() {
            let report = FileReport {
                path,
                source: &src,
                findings: &parsed.errors,
                suppressed: &[],
                allow_reasons: Vec::new(),
            };
            eprint!(
                "{}",
                human::render(
                    &report,
                    human::Style {
                        color: false,
                        width: super::width()
                    }
                )
            );
            eprintln!("error: {path} has syntax errors: not formatted");
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
            if let Err(e) = super::write_atomic(std::path::Path::new(path), formatted.as_bytes()) {
                code = code.max(super::fail(&format!("cannot write {path}: {e}")));
            }
        }
    }
    super::print(&o);
    code
}
