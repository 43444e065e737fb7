//! Every sample gives the verdict its header promises; the reports are
//! pinned by insta snapshots.

mod common;

use std::collections::BTreeSet;

fn verdict(name: &str) -> (usize, Vec<(String, String)>) {
    let src = std::fs::read_to_string(common::root().join("samples").join(name)).unwrap();
    let c = stackc::check(&src);
    let errors: Vec<(String, String)> = c
        .findings
        .iter()
        .filter(|f| f.severity() == stackc::diag::Severity::Error)
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                f.subject_name().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (c.errors(), errors)
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn single_box_is_one_spof() {
    let (_, errors) = verdict("single-box.stack");
    assert_eq!(
        errors.into_iter().collect::<BTreeSet<_>>(),
        set(&[("spof", "box")])
    );
}

#[test]
fn distributed_has_two_spofs() {
    let (_, errors) = verdict("distributed.stack");
    assert_eq!(
        errors.into_iter().collect::<BTreeSet<_>>(),
        set(&[("spof", "lb-01"), ("spof", "box-01")])
    );
}

#[test]
fn secured_monitored_keeps_its_spofs() {
    let (_, errors) = verdict("secured-monitored.stack");
    assert_eq!(
        errors.into_iter().collect::<BTreeSet<_>>(),
        set(&[("spof", "lb-01"), ("spof", "box-01")])
    );
}

/// LANGUAGE.md §5, worked example, as drawn.
#[test]
fn scale_up_as_drawn_matches_the_worked_example() {
    let src =
        std::fs::read_to_string(common::root().join("samples/scale-up-as-drawn.stack")).unwrap();
    let all: BTreeSet<(String, String)> = common::rules_and_subjects(&src).into_iter().collect();
    assert_eq!(
        all,
        set(&[
            ("replica-write", "app-02"),
            ("spof", "lb-01"),
            ("spof", "web-01"),
            ("spof", "app-01"),
            ("spof", "db-01"),
            ("asymmetric-failover", "lb"),
        ])
    );
}

/// The worked example's second half: the last link marked `read`.
#[test]
fn scale_up_as_drawn_with_read_link() {
    let src = std::fs::read_to_string(common::root().join("samples/scale-up-as-drawn.stack"))
        .unwrap()
        .replace("app-02 -> db-02 : mysql", "app-02 -> db-02 : mysql read");
    let all: BTreeSet<(String, String)> = common::rules_and_subjects(&src).into_iter().collect();
    assert_eq!(
        all,
        set(&[
            ("spof", "web-01"),
            ("spof", "app-01"),
            ("spof", "db-01"),
            ("asymmetric-failover", "lb"),
        ])
    );
}

/// LANGUAGE.md §1 has no spof and no zone-spof, and passes.
#[test]
fn scale_up_passes() {
    let (errors, _) = verdict("scale-up.stack");
    assert_eq!(errors, 0);
    let src = std::fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    let all = common::rules_and_subjects(&src);
    assert!(
        all.iter().all(|(r, _)| r != "spof" && r != "zone-spof"),
        "{all:?}"
    );
}

#[test]
fn sample_reports() {
    for path in common::stack_files(&common::root().join("samples")) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let report = common::human_report(&format!("samples/{name}"), &src);
        insta::assert_snapshot!(format!("sample-{name}"), report);
    }
}

/// Every sample's header states its verdict: the exit status it promises.
#[test]
fn sample_headers_state_the_verdict() {
    for path in common::stack_files(&common::root().join("samples")) {
        let src = std::fs::read_to_string(&path).unwrap();
        let c = stackc::check(&src);
        let exit = if c.errors() > 0 { 1 } else { 0 };
        let promise = format!("Expected verdict: exit {exit}");
        assert!(
            src.contains(&promise),
            "{} should say `{promise}`",
            path.display()
        );
    }
}

/// ROLES.md §2: one sample runs every role of the table and passes; the
/// one provider is the only spof, and it is allowed.
#[test]
fn full_stack_uses_every_role_and_passes() {
    let src = std::fs::read_to_string(common::root().join("samples/full-stack.stack")).unwrap();
    let c = stackc::check(&src);
    assert_eq!(c.errors(), 0, "{:?}", c.findings);
    for role in stackc::model::Role::all() {
        assert!(
            c.model.servers.iter().any(|s| s.roles.contains(role)),
            "no server runs {}",
            role.name()
        );
    }
    let allowed: Vec<_> = c
        .suppressed
        .iter()
        .map(|s| {
            (
                s.finding.rule.as_str(),
                s.finding.subject_name().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(allowed, [("spof", "payments")]);
    assert_eq!(c.model.links.iter().filter(|l| l.optional).count(), 2);
    let auto: Vec<_> = c
        .model
        .groups
        .iter()
        .filter(|g| g.is_replicated() && g.failover == stackc::model::Failover::Auto)
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(auto, ["sessions", "db"]);
}
