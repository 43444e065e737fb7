//! CI glue (TOOLS.md §2): the composite GitHub Action (`action.yml`) and the
//! pre-commit hooks (`.pre-commit-hooks.yaml`), each checked by its own
//! ecosystem's tool: actionlint (with shellcheck) and pre-commit, installed by
//! `scripts/setup.d/65-ci.sh`. The action's metadata is also checked here,
//! and its `run:` steps are run for real on this machine by a small runner
//! (`tests/ci_glue/runner.rs`) with `gh` faked.

mod common;
/// The pre-commit hooks, run by pre-commit.
#[path = "ci_glue/pre_commit.rs"]
mod pre_commit;
#[path = "ci_glue/runner.rs"]
mod runner;
/// The action's steps run here (the runner of runner.rs).
#[path = "ci_glue/runs.rs"]
mod runs;

use runner::{action, input_names, steps};
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

// ---------------------------------------------------------------- shared

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
