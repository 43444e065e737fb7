//! CI glue (TOOLS.md §2): the composite GitHub Action (`action.yml`) and the
//! pre-commit hooks (`.pre-commit-hooks.yaml`), each checked by its own
//! ecosystem's tool: actionlint (with shellcheck) and pre-commit, installed by
//! `scripts/setup.d/65-ci.sh`. The action's metadata is also checked here,
//! and its `run:` steps are run for real on this machine by a small runner
//! (`tests/ci_glue/runner.rs`) with `gh` faked.

mod common;
#[path = "ci_glue/runner.rs"]
mod runner;

use runner::{action, input_names, run_steps, steps, Job};
use serde_norway::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A program of target/tools/ci (the venv 65-ci.sh makes), else from PATH;
/// `None` (a SKIP line, or a failure under CI) when neither has it.
fn ci_tool(name: &str) -> Option<PathBuf> {
    let venv = common::root().join("target/tools/ci/bin").join(name);
    if venv.is_file() {
        return Some(venv);
    }
    common::require_tool(name).then(|| PathBuf::from(name))
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every `${{ … }}` in a string, its inside trimmed.
fn expressions(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${{") {
        let after = &rest[i + 3..];
        let end = after.find("}}").expect("an unclosed ${{");
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

/// Every string in a YAML tree (keys and values).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(xs) => xs.iter().for_each(|x| strings(x, out)),
        Value::Mapping(m) => m.iter().for_each(|(k, x)| {
            strings(k, out);
            strings(x, out);
        }),
        Value::Tagged(t) => strings(&t.value, out),
        _ => {}
    }
}

/// The dotted names an expression reads (`inputs.files`, `steps.check.outputs.errors`).
fn references(expr: &str) -> Vec<&str> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
        .filter(|w| w.contains('.') && w.starts_with(|c: char| c.is_ascii_alphabetic()))
        .collect()
}

#[test]
fn action_metadata_is_consistent() {
    let a = action();
    assert_eq!(a["runs"]["using"].as_str(), Some("composite"));
    for key in ["name", "description"] {
        assert!(
            a[key].as_str().is_some_and(|s| !s.trim().is_empty()),
            "{key}"
        );
    }
    let inputs = input_names(&a);
    for must in [
        "files",
        "sarif",
        "comment",
        "deny-warnings",
        "install",
        "token",
    ] {
        assert!(inputs.contains(must), "no input {must}");
    }
    for (name, spec) in a["inputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let d = spec["description"].as_str().unwrap_or_default();
        assert!(d.trim().len() > 10, "input {name} has no real description");
        assert!(spec.get("default").is_some(), "input {name} has no default");
    }
    for (name, spec) in a["outputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            spec["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty()),
            "output {name}"
        );
        assert!(
            spec["value"].as_str().is_some_and(|v| v.contains("${{")),
            "output {name}"
        );
    }
    // Steps: ids are unique; what reads a step's output reads one it writes.
    let mut ids = BTreeSet::new();
    for s in steps(&a) {
        if let Some(id) = s["id"].as_str() {
            assert!(ids.insert(id.to_string()), "step id {id} twice");
        }
        assert!(s["name"].as_str().is_some(), "a step without a name: {s:?}");
        if let Some(script) = s["run"].as_str() {
            assert_eq!(s["shell"].as_str(), Some("bash"), "{script}");
            // Injection: an expression inside a script is pasted into the
            // shell's source; every value comes in through `env:`.
            assert!(
                !script.contains("${{"),
                "an expression inside run:\n{script}"
            );
        } else {
            let uses = s["uses"].as_str().expect("a step runs or uses");
            let (_, version) = uses.split_once('@').expect("uses: without @version");
            assert!(version.starts_with('v'), "{uses}: pin a release");
        }
    }
    let mut all = Vec::new();
    strings(&a, &mut all);
    // An `if:` is an expression without `${{ }}`.
    let conditions: Vec<String> = steps(&a)
        .iter()
        .filter_map(|s| s["if"].as_str())
        .map(|c| format!("${{{{ {c} }}}}"))
        .collect();
    let mut seen_inputs = BTreeSet::new();
    for s in all.iter().chain(&conditions) {
        for e in expressions(s) {
            for r in references(e) {
                let parts: Vec<&str> = r.split('.').collect();
                match parts[0] {
                    "inputs" => {
                        assert!(inputs.contains(parts[1]), "${{{{ {e} }}}} names no input");
                        seen_inputs.insert(parts[1].to_string());
                    }
                    "steps" => {
                        let step = steps(&a)
                            .into_iter()
                            .find(|s| s["id"].as_str() == Some(parts[1]))
                            .unwrap_or_else(|| panic!("${{{{ {e} }}}} names no step"));
                        assert_eq!(parts.get(2), Some(&"outputs"), "{e}");
                        if let Some(script) = step["run"].as_str() {
                            let out = parts[3];
                            assert!(
                                script.contains(&format!("{out}=")),
                                "step {} never writes output {out}",
                                parts[1]
                            );
                        }
                    }
                    "github" | "runner" => {}
                    other => panic!("unexpected context {other} in ${{{{ {e} }}}}"),
                }
            }
        }
    }
    assert_eq!(seen_inputs, inputs, "every input is read somewhere");
}

#[test]
fn action_run_scripts_pass_shellcheck() {
    if !common::require_tool("shellcheck") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for s in steps(&action()) {
        let Some(script) = s["run"].as_str() else {
            continue;
        };
        let name = s["name"].as_str().unwrap();
        // As the runner runs it: `bash -e {0}`, the step's env set.
        let path = dir.path().join(format!("step{n}.sh"));
        n += 1;
        let env: String = s["env"]
            .as_mapping()
            .map(|m| {
                m.keys()
                    .map(|k| {
                        format!(
                            "# shellcheck disable=SC2034\n: \"${{{}:?}}\"\n",
                            k.as_str().unwrap()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        std::fs::write(&path, format!("#!/usr/bin/env bash\nset -e\n{env}{script}")).unwrap();
        let out = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=style", "--norc"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "shellcheck on the step `{name}`:\n{}",
            text(&out)
        );
    }
    assert!(n >= 5, "only {n} run: steps");
}

/// A scratch repository with this action at its root (so `uses: ./` is this
/// action, as in a checkout of stackc) and the given workflows.
fn lint_repo(workflows: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // actionlint looks for the repository's root (.git).
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(
        common::root().join("action.yml"),
        dir.path().join("action.yml"),
    )
    .unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    for (name, body) in workflows {
        std::fs::write(wf.join(name), body).unwrap();
    }
    dir
}

fn actionlint(dir: &Path, bin: &Path) -> std::process::Output {
    Command::new(bin)
        .args(["-oneline", "-no-color", "-pyflakes="])
        .current_dir(dir)
        .env("PATH", std::env::var_os("PATH").unwrap())
        .output()
        .unwrap()
}

/// A workflow that runs the action with every input set and reads every
/// output: actionlint checks the inputs and outputs against action.yml.
fn every_input_workflow(extra_input: &str) -> String {
    let a = action();
    let mut with = String::new();
    for name in input_names(&a) {
        let value = match name.as_str() {
            "token" => "${{ secrets.GITHUB_TOKEN }}",
            "files" => "infra/*.stack",
            "sarif-file" => "out/stackc.sarif",
            "install" => "action",
            "comment-tag" | "category" => "prod",
            _ => "true",
        };
        with.push_str(&format!("          {name}: \"{value}\"\n"));
    }
    with.push_str(extra_input);
    let outputs: Vec<String> = a["outputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| {
            let k = k.as_str().unwrap();
            format!(
                "          OUT_{}: ${{{{ steps.stackc.outputs.{k} }}}}\n",
                k.replace('-', "_").to_uppercase()
            )
        })
        .collect();
    format!(
        "name: stack\non:\n  push:\n  pull_request:\npermissions:\n  contents: read\njobs:\n  stackc:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      security-events: write\n      pull-requests: write\n    steps:\n      - uses: actions/checkout@v5\n      - id: stackc\n        uses: ./\n        with:\n{with}      - if: always()\n        run: env | grep '^OUT_'\n        env:\n{}",
        outputs.concat()
    )
}

#[test]
fn actionlint_checks_a_workflow_that_uses_every_input() {
    let (Some(bin), true) = (ci_tool("actionlint"), common::require_tool("shellcheck")) else {
        return;
    };
    let dir = lint_repo(&[("use.yml".into(), every_input_workflow(""))]);
    let out = actionlint(dir.path(), &bin);
    assert!(out.status.success(), "actionlint:\n{}", text(&out));
    // The control: actionlint did read action.yml's inputs.
    let dir = lint_repo(&[(
        "use.yml".into(),
        every_input_workflow("          no-such-input: x\n"),
    )]);
    let out = actionlint(dir.path(), &bin);
    let t = text(&out);
    assert!(
        !out.status.success() && t.contains("no-such-input") && t.contains("not defined"),
        "{t}"
    );
}

/// The ```yaml blocks of the book's CI page.
fn book_yaml_blocks() -> Vec<String> {
    let page = std::fs::read_to_string(common::root().join("book/src/ci.md")).unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<String> = None;
    for line in page.lines() {
        match &mut cur {
            None if line.trim_start().starts_with("```yaml") => cur = Some(String::new()),
            Some(b) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(b));
                cur = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    assert!(cur.is_none(), "an unclosed block in ci.md");
    blocks
}

fn is_workflow(block: &str) -> bool {
    let v: Value =
        serde_norway::from_str(block).expect("a yaml block of ci.md that does not parse");
    v.get("jobs").is_some() && v.get("on").is_some()
}

#[test]
fn book_workflows_pass_actionlint() {
    let (Some(bin), true) = (ci_tool("actionlint"), common::require_tool("shellcheck")) else {
        return;
    };
    let mut workflows = Vec::new();
    for (i, b) in book_yaml_blocks().into_iter().enumerate() {
        if !is_workflow(&b) {
            continue;
        }
        // The book names the action by its repository; here it is `./`.
        let local: String = b
            .lines()
            .map(|l| match l.split_once("uses: ") {
                Some((head, what)) if what.contains("/stackc@") => format!("{head}uses: ./\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        workflows.push((format!("book{i}.yml"), local));
    }
    assert!(
        workflows.len() >= 2,
        "the book shows {} workflows",
        workflows.len()
    );
    assert!(
        workflows.iter().any(|(_, w)| w.contains("uses: ./")),
        "no book workflow uses the action"
    );
    let dir = lint_repo(&workflows);
    let out = actionlint(dir.path(), &bin);
    assert!(
        out.status.success(),
        "actionlint on the book's workflows:\n{}",
        text(&out)
    );
}

#[test]
fn the_books_ci_page_documents_every_input_output_and_hook() {
    let page = std::fs::read_to_string(common::root().join("book/src/ci.md")).unwrap();
    let a = action();
    for name in input_names(&a) {
        let default = a["inputs"][name.as_str()]["default"].as_str().unwrap();
        let default = default.trim_start_matches("${{ ").trim_end_matches(" }}");
        let row = format!("| `{name}` | `{default}` |");
        assert!(page.contains(&row), "ci.md has no row {row}");
    }
    for name in a["outputs"].as_mapping().unwrap().keys() {
        let name = name.as_str().unwrap();
        assert!(
            page.contains(&format!("`{name}`")),
            "ci.md does not name the output {name}"
        );
    }
    let hooks: Value = serde_norway::from_str(&sample(".pre-commit-hooks.yaml")).unwrap();
    for h in hooks.as_sequence().unwrap() {
        let id = h["id"].as_str().unwrap();
        assert!(
            page.contains(&format!("`{id}`")),
            "ci.md does not name the hook {id}"
        );
    }
}

// ---------------------------------------------------------------- the action, run here

const GOOD: &str = "samples/full-stack.stack";
const BAD: &str = "samples/single-box.stack";

/// A scratch git repository holding `files` (name, source), committed.
fn scratch_repo(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    };
    git(&["init", "-q"]);
    for (name, src) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, src).unwrap();
    }
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    dir
}

fn sample(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).unwrap()
}

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

// ---------------------------------------------------------------- pre-commit

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
