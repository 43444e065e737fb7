//! The action's `run:` steps run on this machine by `runner.rs`, with the
//! stackc under test on PATH (or installed by a fake cargo) and `gh` faked.

use super::*;
use runner::{run_steps, Job};
use std::path::Path;
use std::process::Command;

fn push_job(repo: &Path, inputs: &[(&str, &str)]) -> Job {
    let mut job = Job::new(repo, "push");
    job.input("install", "path");
    for (k, v) in inputs {
        job.input(k, v);
    }
    job
}

#[test]
fn the_action_fails_the_job_iff_check_fails_after_writing_the_sarif() {
    if !common::require_tool("jq") || !common::require_tool("git") {
        return;
    }
    let repo = scratch_repo(&[
        ("infra/web.stack", sample(GOOD)),
        ("infra/box.stack", sample(BAD)),
    ]);
    // Both files: check fails; the SARIF is still written and counted.
    let mut job = push_job(repo.path(), &[("files", "infra/*.stack")]);
    let r = run_steps(&mut job);
    assert_eq!(
        r.failed.as_deref(),
        Some("Fail on stackc check's verdict"),
        "{}",
        r.log
    );
    let check = &job.outputs["check"];
    assert_eq!(check["exit-code"], "1");
    let expected = stackc::check(&sample(BAD)).findings;
    let errors = expected
        .iter()
        .filter(|f| f.severity() == stackc::diag::Severity::Error)
        .count();
    assert_eq!(check["errors"], errors.to_string());
    assert_eq!(
        check["warnings"],
        (expected.len() - errors + count_warnings(GOOD)).to_string()
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("stackc.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // Accepted findings (`allow`) are there too, as suppressed results.
    let results: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].as_array().is_none_or(|s| s.is_empty()))
        .collect();
    assert_eq!(
        results.len(),
        expected.len() + count_warnings(GOOD),
        "{sarif:#}"
    );
    assert!(
        r.skipped_uses
            .iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif")),
        "{:?}",
        r.skipped_uses
    );
    assert!(r.log.contains("stackc check failed: 1 errors"), "{}", r.log);

    // The good file alone passes, every step.
    let mut job = push_job(
        repo.path(),
        &[
            ("files", "infra/web.stack"),
            ("sarif", "false"),
            ("sarif-file", "out/s.sarif"),
        ],
    );
    let r = run_steps(&mut job);
    assert_eq!(r.failed, None, "{}", r.log);
    assert!(
        repo.path().join("out/s.sarif").is_file(),
        "the SARIF is written without upload"
    );
    assert_eq!(job.outputs["check"]["exit-code"], "0");
    assert!(
        !r.skipped_uses.iter().any(|u| u.contains("upload-sarif")),
        "sarif=false still uploads"
    );

    // deny-warnings turns its warnings into a failure.
    if count_warnings(GOOD) > 0 {
        let mut job = push_job(
            repo.path(),
            &[("files", "infra/web.stack"), ("deny-warnings", "true")],
        );
        assert!(run_steps(&mut job).failed.is_some());
    }

    // A pattern that matches nothing stops the job before check, by name.
    let mut job = push_job(
        repo.path(),
        &[("files", "infra/*.stack nowhere/**/*.stack")],
    );
    let r = run_steps(&mut job);
    assert_eq!(r.failed.as_deref(), Some("Find the files"), "{}", r.log);
    assert!(
        r.log.contains("no file matches 'nowhere/**/*.stack'"),
        "{}",
        r.log
    );

    // `**` crosses directories; each file once.
    let mut job = push_job(repo.path(), &[("files", "**/*.stack infra/web.stack")]);
    run_steps(&mut job);
    let list = std::fs::read_to_string(&job.outputs["files"]["list"]).unwrap();
    assert_eq!(list, "infra/box.stack\ninfra/web.stack\n");
}

#[test]
fn the_action_installs_stackc_from_its_own_checkout_keyed_by_its_sources() {
    if !common::require_tool("jq") || !common::require_tool("git") {
        return;
    }
    let repo = scratch_repo(&[("infra/web.stack", sample(GOOD))]);
    // A `cargo` that records its arguments and installs the stackc under test.
    let fake = tempfile::tempdir().unwrap();
    let log = fake.path().join("cargo.log");
    let cargo = fake.path().join("cargo");
    std::fs::write(
        &cargo,
        format!(
            r#"#!/usr/bin/env bash
args="$*"
echo "$args" >>'{}'
root=${{args##*--root }}
mkdir -p "$root/bin"
ln -sf '{}' "$root/bin/stackc"
"#,
            log.display(),
            env!("CARGO_BIN_EXE_stackc")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut keys = Vec::new();
    for _ in 0..2 {
        let mut job = Job::new(repo.path(), "push");
        job.input("files", "infra/web.stack");
        job.input("install", "action");
        job.without_stackc();
        job.path_prepend(fake.path().to_path_buf());
        let r = run_steps(&mut job);
        assert_eq!(r.failed, None, "{}", r.log);
        assert!(
            r.skipped_uses
                .iter()
                .any(|u| u.starts_with("actions/cache@")),
            "{:?}",
            r.skipped_uses
        );
        let key = &job.outputs["key"];
        assert!(
            key["key"].starts_with("stackc-Linux-X64-") && key["key"].len() == 33,
            "{key:?}"
        );
        keys.push(key["key"].clone());
        let calls = std::fs::read_to_string(&log).unwrap();
        let last = calls.lines().last().unwrap().to_string();
        let expected = format!(
            "install --locked --path {} --root {}",
            common::root().display(),
            key["root"]
        );
        assert_eq!(last, expected);
    }
    assert_eq!(keys[0], keys[1], "the key depends on the sources only");
}

fn count_warnings(path: &str) -> usize {
    stackc::check(&sample(path))
        .findings
        .iter()
        .filter(|f| f.severity() == stackc::diag::Severity::Warning)
        .count()
}

fn pull_request_job(repo: &Path, base: &str, gh: &runner::FakeGh) -> Job {
    let mut job = Job::new(repo, "pull_request");
    job.input("install", "path");
    job.input("files", "infra/*.stack");
    job.pull_request(base, 7);
    job.path_prepend(gh.bin());
    job
}

#[test]
fn on_a_pull_request_the_action_posts_one_comment_and_updates_it() {
    if !common::require_tool("jq") || !common::require_tool("git") {
        return;
    }
    let before = sample("samples/scale-up.stack");
    let repo = scratch_repo(&[
        ("infra/web.stack", before.clone()),
        ("infra/old.stack", sample(GOOD)),
    ]);
    let base = runner::git_head(repo.path());
    // The change: lb-02 goes (a new single point of failure), a file is added.
    let after: String = before
        .lines()
        .filter(|l| !l.contains("lb-02"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(after, before);
    std::fs::write(repo.path().join("infra/web.stack"), &after).unwrap();
    std::fs::write(repo.path().join("infra/new.stack"), sample(GOOD)).unwrap();
    let gh = runner::FakeGh::new();
    for round in 0..2 {
        let mut job = pull_request_job(repo.path(), &base, &gh);
        let r = run_steps(&mut job);
        let comments = gh.comments();
        assert_eq!(comments.len(), 1, "round {round}: {comments:?}\n{}", r.log);
        let body = &comments[0];
        assert!(
            body.starts_with("<!-- stackc-diff:stackc -->\n## stackc: "),
            "{body}"
        );
        assert_eq!(
            gh.calls(if round == 0 { "POST" } else { "PATCH" }),
            1,
            "round {round}"
        );
        assert_eq!(
            job.outputs["diff"]["comment-url"],
            "https://github.com/o/r/pull/7#issuecomment-1"
        );
        assert_eq!(
            &job.summary("diff"),
            body,
            "the job summary has the comment"
        );
        // Each changed file's diff as stackc diff writes it, against the base.
        for (old, new) in [
            (
                format!("{}:infra/web.stack", &base[..12]),
                "infra/web.stack",
            ),
            ("/dev/null".into(), "infra/new.stack"),
        ] {
            let expected = Command::new(env!("CARGO_BIN_EXE_stackc"))
                .args(["diff", "--format", "markdown", "--", &old, new])
                .current_dir(repo.path())
                .output()
                .unwrap();
            let expected = String::from_utf8(expected.stdout).unwrap();
            assert!(expected.starts_with("### stackc diff: "), "{expected}");
            assert!(body.contains(expected.trim()), "no diff of {new}:\n{body}");
        }
        assert!(
            body.contains("single point of failure") && body.contains("lb-01"),
            "{body}"
        );
        assert!(body.contains("\nUnchanged: `infra/old.stack`"), "{body}");
        assert!(!body.contains("could not compare"), "{body}");
        // The check's verdict still decides the job (scale-up without lb-02 fails).
        assert_eq!(
            r.failed.is_some(),
            job.outputs["check"]["exit-code"] != "0",
            "{}",
            r.log
        );
    }
    // A read-only token (a pull request from a fork): a warning, no failure of its own.
    gh.read_only();
    let mut job = pull_request_job(repo.path(), &base, &gh);
    let r = run_steps(&mut job);
    assert!(
        r.log
            .contains("::warning title=stackc::could not post the diff comment"),
        "{}",
        r.log
    );
    assert_ne!(
        r.failed.as_deref(),
        Some("stackc diff against the base"),
        "{}",
        r.log
    );
    assert_eq!(job.outputs["diff"].get("comment-url"), None);

    // A side stackc diff cannot read (not UTF-8): said in the comment, the
    // other files still compared.
    std::fs::write(repo.path().join("infra/new.stack"), b"stack x \"\xff\"\n").unwrap();
    let gh = runner::FakeGh::new();
    let mut job = pull_request_job(repo.path(), &base, &gh);
    let r = run_steps(&mut job);
    let body = &gh.comments()[0];
    assert!(
        body.contains("### `infra/new.stack`: stackc diff could not compare it\n\n```text\n"),
        "{body}"
    );
    assert!(body.contains("UTF-8"), "stackc's message: {body}");
    assert!(body.contains("→ infra/web.stack"), "{body}");
    assert_eq!(job.outputs["check"]["exit-code"], "2", "{}", r.log);
    assert_eq!(r.failed.as_deref(), Some("Fail on stackc check's verdict"));
    assert!(
        r.log.contains("stackc check could not run (exit 2)"),
        "{}",
        r.log
    );
    assert!(
        !r.skipped_uses.iter().any(|u| u.contains("upload-sarif")),
        "no upload of a failed run"
    );
}

#[test]
fn a_comment_over_githubs_limit_keeps_whole_files_and_says_how_many_it_left() {
    if !common::require_tool("jq") || !common::require_tool("git") {
        return;
    }
    let repo = scratch_repo(&[("infra/web.stack", sample(GOOD))]);
    let base = runner::git_head(repo.path());
    // Twelve new files of ~6 KB of diff each: over 65536 characters.
    for i in 0..12 {
        std::fs::write(
            repo.path().join(format!("infra/new{i:02}.stack")),
            sample(GOOD),
        )
        .unwrap();
    }
    let gh = runner::FakeGh::new();
    let mut job = pull_request_job(repo.path(), &base, &gh);
    let r = run_steps(&mut job);
    let comment = &gh.comments()[0];
    let summary = job.summary("diff");
    assert!(
        comment.chars().count() <= 65536,
        "{} characters",
        comment.chars().count()
    );
    let sections = |t: &str| t.matches("\n### stackc diff: ").count();
    assert_eq!(sections(&summary), 12, "the summary has every file");
    let kept = sections(comment);
    assert!((1..12).contains(&kept), "{kept} sections kept\n{}", r.log);
    let note = format!(
        "_{} more changed file(s) did not fit in a comment: the job summary has them._",
        12 - kept
    );
    assert!(comment.contains(&note), "{comment}");
    // Whole sections only: every Mermaid block that opens closes.
    assert_eq!(comment.matches("```mermaid").count(), kept, "{comment}");
    assert_eq!(comment.matches("```").count() % 2, 0, "an unclosed block");
    assert!(
        comment.ends_with("\nUnchanged: `infra/web.stack`\n"),
        "{comment}"
    );
}
