//! One case per rule (tests/cases/RULE.stack): the rule is reported, and the
//! human report is pinned by an insta snapshot.

mod common;

use stackc::diag::RuleId;

#[test]
fn every_rule_has_a_case_and_the_case_reports_it() {
    let dir = common::root().join("tests/cases");
    for rule in RuleId::ALL {
        let path = dir.join(format!("{}.stack", rule.as_str()));
        let src = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing case {}", path.display()));
        let found = common::rules_and_subjects(&src);
        assert!(
            found.iter().any(|(r, _)| r == rule.as_str()),
            "{} does not report {rule}: {found:?}",
            path.display()
        );
    }
}

#[test]
fn human_reports_of_every_case() {
    let dir = common::root().join("tests/cases");
    for path in common::stack_files(&dir) {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let shown = format!("tests/cases/{name}.stack");
        let report = common::human_report(&shown, &src);
        insta::assert_snapshot!(format!("case-{name}"), report);
    }
}
