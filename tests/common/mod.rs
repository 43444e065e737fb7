//! Helpers shared by the integration tests.
#![allow(dead_code)]

use stackc::report::{human, FileReport};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The human report of a source, without colour, as a user sees it.
pub fn human_report(path: &str, src: &str) -> String {
    let c = stackc::check(src);
    let r = FileReport::new(path, src, &c);
    human::render(
        &r,
        human::Style {
            color: false,
            width: 100,
        },
    )
}

/// `(rule, subject)` of each finding, in report order.
pub fn rules_and_subjects(src: &str) -> Vec<(String, String)> {
    stackc::check(src)
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                f.subject_name().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The `.stack` files of a directory, sorted.
pub fn stack_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "stack"))
        .collect();
    v.sort();
    v
}

/// Whether an external program the test needs is on PATH. When it is not:
/// under `CI` or `STACKC_REQUIRE_TOOLS` the test fails; otherwise it prints
/// a skip line and the caller returns early.
pub fn require_tool(program: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let p = dir.join(program);
            p.is_file()
                && std::fs::metadata(&p).is_ok_and(|m| {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode() & 0o111 != 0
                })
        })
    });
    if found {
        return true;
    }
    let required = ["CI", "STACKC_REQUIRE_TOOLS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"));
    if required {
        panic!("`{program}` is required (CI or STACKC_REQUIRE_TOOLS is set) but is not installed: run ./scripts/test, which installs it");
    }
    eprintln!("SKIP: `{program}` is not installed; ./scripts/test installs it (set STACKC_REQUIRE_TOOLS=1 to fail instead)");
    false
}

/// The stackc binary, run from the repository root, without colour and
/// without `CI` (so tool-dependent code paths behave as on a laptop).
pub fn stackc() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("stackc").unwrap();
    c.current_dir(root()).env_remove("CI").env("NO_COLOR", "1");
    c
}

/// Every `.stack` file the render tests draw: samples, rule cases and the
/// diagram cases of `tests/diagrams/`.
pub fn drawable_files() -> Vec<PathBuf> {
    let root = root();
    let mut v = stack_files(&root.join("samples"));
    v.extend(stack_files(&root.join("tests/cases")));
    v.extend(stack_files(&root.join("tests/diagrams")));
    v
}
