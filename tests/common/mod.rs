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
    let r = FileReport {
        path,
        source: src,
        findings: &c.findings,
        suppressed: &c.suppressed,
        allow_reasons: c.model.allows.iter().map(|a| a.reason.clone()).collect(),
    };
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
                f.subject.clone().unwrap_or_default(),
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
