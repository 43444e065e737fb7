//! `.pre-commit-hooks.yaml` run by pre-commit itself (`try-repo` on a
//! scratch repository), the `system` hooks and the `rust` ones.

use super::*;
use std::path::Path;
use std::process::Command;

/// A badly formatted copy of the good sample (its canonical form is the sample).
fn misformatted() -> String {
    sample(GOOD).replacen("server ", "server    ", 1)
}

fn try_repo(
    pre_commit: &Path,
    repo: &Path,
    hook: &str,
    file: &str,
    env: &[(&str, &Path)],
) -> (bool, String) {
    let mut c = Command::new(pre_commit);
    c.args(["try-repo", "--color=never"])
        .arg(common::root())
        .args([hook, "--files", file])
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", repo.join(".pre-commit-home"))
        .env("PATH", runner::path_with(&[runner::stackc_dir()]));
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.success(), text(&out))
}

#[test]
fn pre_commit_hooks_manifest_and_the_books_config_are_valid() {
    let Some(pc) = ci_tool("pre-commit") else {
        return;
    };
    let out = Command::new(&pc)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let hooks: Value = serde_norway::from_str(&sample(".pre-commit-hooks.yaml")).unwrap();
    let ids: Vec<&str> = hooks
        .as_sequence()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    for must in ["stackc-check", "stackc-fmt"] {
        assert!(ids.contains(&must), "{ids:?}");
    }
    for h in hooks.as_sequence().unwrap() {
        assert_eq!(h["files"].as_str(), Some("\\.stack$"), "{h:?}");
    }
    let configs: Vec<String> = book_yaml_blocks()
        .into_iter()
        .filter(|b| b.contains("repos:"))
        .collect();
    assert!(
        !configs.is_empty(),
        "the book shows no .pre-commit-config.yaml"
    );
    let dir = tempfile::tempdir().unwrap();
    for c in configs {
        let used: Value = serde_norway::from_str(&c).unwrap();
        for hook in used["repos"][0]["hooks"].as_sequence().unwrap() {
            assert!(
                ids.contains(&hook["id"].as_str().unwrap()),
                "the book uses an unknown hook: {c}"
            );
        }
        let p = dir.path().join(".pre-commit-config.yaml");
        std::fs::write(&p, c).unwrap();
        let out = Command::new(&pc)
            .arg("validate-config")
            .arg(&p)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
}

#[test]
fn pre_commit_system_hooks_pass_good_files_and_fail_bad_ones() {
    let (Some(pc), true) = (ci_tool("pre-commit"), common::require_tool("git")) else {
        return;
    };
    let repo = scratch_repo(&[
        ("good.stack", sample(GOOD)),
        ("bad.stack", sample(BAD)),
        ("ugly.stack", misformatted()),
    ]);
    let run = |hook, file| try_repo(&pc, repo.path(), hook, file, &[]);

    let (ok, out) = run("stackc-check-system", "good.stack");
    assert!(ok, "{out}");
    let (ok, out) = run("stackc-check-system", "bad.stack");
    assert!(
        !ok && out.contains("box is a single point of failure"),
        "{out}"
    );

    let (ok, out) = run("stackc-fmt-system", "good.stack");
    assert!(ok, "{out}");
    // fmt rewrites: the hook fails (pre-commit saw the change) and the file is fixed.
    let (ok, out) = run("stackc-fmt-system", "ugly.stack");
    assert!(
        !ok && out.contains("files were modified by this hook"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("ugly.stack")).unwrap(),
        sample(GOOD)
    );
}

#[test]
fn pre_commit_rust_hooks_build_stackc_and_run_it() {
    let (Some(pc), true, true) = (
        ci_tool("pre-commit"),
        common::require_tool("git"),
        common::require_tool("cargo"),
    ) else {
        return;
    };
    let repo = scratch_repo(&[
        ("good.stack", sample(GOOD)),
        ("bad.stack", sample(BAD)),
        ("ugly.stack", misformatted()),
    ]);
    // pre-commit's rust hooks `cargo install --path .` a fresh clone into a
    // fresh store on every try-repo: one run of every rust hook at once
    // builds stackc once. The build is pre-commit's own, but cheaper: one
    // target dir kept under target/tools/ci (the dependencies are built
    // once per machine), the release profile without optimisation or debug
    // info, and offline (cargo resolves to the crates it already has).
    let target = common::root().join("target/tools/ci/cargo-target");
    let mut c = Command::new(&pc);
    c.args(["try-repo", "--color=never"])
        .arg(common::root())
        .args(["--all-files", "--verbose"])
        .current_dir(repo.path())
        .env("PRE_COMMIT_HOME", repo.path().join(".pre-commit-home"))
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("SKIP", "stackc-fmt,stackc-check-system,stackc-fmt-system")
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    let start = std::time::Instant::now();
    let out = c.output().unwrap();
    eprintln!(
        "pre-commit try-repo, the rust hooks (stackc built): {:?}",
        start.elapsed()
    );
    let out = text(&out);
    // Each hook's part of the report, from its `- hook id:` line on.
    let part = |id: &str| {
        let from = out
            .find(&format!("Failed\n- hook id: {id}\n"))
            .unwrap_or_else(|| panic!("{id} did not fail:\n{out}"));
        let rest = &out[from + "Failed\n".len()..];
        rest[..rest[1..].find("- hook id:").map_or(rest.len(), |e| e + 1)].to_string()
    };
    let check = part("stackc-check");
    assert!(
        check.contains("box is a single point of failure"),
        "{check}"
    );
    assert!(
        check.contains("1 error, 4 warnings in bad.stack"),
        "{check}"
    );
    assert!(
        check.contains("0 errors, 0 warnings in good.stack"),
        "{check}"
    );
    let fmt = part("stackc-fmt-check");
    assert!(
        fmt.contains("ugly.stack") && fmt.contains("server    "),
        "fmt --check shows the diff: {fmt}"
    );
    assert!(!fmt.contains("good.stack"), "{fmt}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("ugly.stack")).unwrap(),
        misformatted()
    );
    for skipped in ["stackc-fmt", "stackc-check-system"] {
        assert!(
            out.contains(&format!("Skipped\n- hook id: {skipped}\n")),
            "{out}"
        );
    }
}
