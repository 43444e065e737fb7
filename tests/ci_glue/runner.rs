//! A small stand-in for the GitHub runner: it runs the `run:` steps of
//! action.yml as GitHub does (`bash --noprofile --norc -eo pipefail`, the
//! step's `env:` evaluated, GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY
//! files, `if:` conditions), records the `uses:` steps it cannot run, and
//! fakes `gh api` for the pull request comment. It knows only the
//! expressions the action uses, and fails on any other, so the action and
//! this runner cannot drift apart silently.

use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    serde_norway::from_str(&text).expect("action.yml parses")
}

pub fn input_names(a: &Value) -> BTreeSet<String> {
    a["inputs"]
        .as_mapping()
        .expect("inputs")
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

pub fn steps(a: &Value) -> Vec<&Value> {
    a["runs"]["steps"]
        .as_sequence()
        .expect("runs.steps")
        .iter()
        .collect()
}

/// The directory of the stackc binary under test.
pub fn stackc_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_stackc"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `dirs`, then this process's PATH.
pub fn path_with(dirs: &[PathBuf]) -> OsString {
    let mut all: Vec<PathBuf> = dirs.to_vec();
    all.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(all).unwrap()
}

pub fn git_head(repo: &Path) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// One job: the workspace, the event, the inputs given, and what the steps
/// wrote.
pub struct Job {
    workspace: PathBuf,
    temp: tempfile::TempDir,
    inputs: BTreeMap<String, String>,
    github: BTreeMap<String, String>,
    path: Vec<PathBuf>,
    /// Step id -> output -> value.
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Step id -> what it wrote to GITHUB_STEP_SUMMARY.
    summaries: BTreeMap<String, String>,
}

pub struct Run {
    /// The name of the step that failed, if one did.
    pub failed: Option<String>,
    /// Everything the steps printed, with a header per step.
    pub log: String,
    /// The `uses:` of the steps whose `if:` held (not run here).
    pub skipped_uses: Vec<String>,
}

impl Job {
    pub fn new(workspace: &Path, event: &str) -> Job {
        let action_path = root().to_str().unwrap().to_string();
        let github = [
            ("event_name", event),
            ("repository", "o/r"),
            ("token", "fake-token"),
            ("action_path", action_path.as_str()),
        ];
        Job {
            workspace: workspace.to_path_buf(),
            temp: tempfile::tempdir().unwrap(),
            inputs: BTreeMap::new(),
            github: github
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            path: vec![stackc_dir()],
            outputs: BTreeMap::new(),
            summaries: BTreeMap::new(),
        }
    }

    pub fn input(&mut self, name: &str, value: &str) {
        assert!(input_names(&action()).contains(name), "no input {name}");
        self.inputs.insert(name.into(), value.into());
    }

    pub fn pull_request(&mut self, base_sha: &str, number: u32) {
        self.github
            .insert("event.pull_request.base.sha".into(), base_sha.into());
        self.github
            .insert("event.pull_request.number".into(), number.to_string());
    }

    /// What the step `id` wrote to its job summary.
    pub fn summary(&self, id: &str) -> String {
        self.summaries.get(id).cloned().unwrap_or_default()
    }

    /// The stackc under test is not put on PATH (a step must install it).
    pub fn without_stackc(&mut self) {
        self.path.retain(|d| *d != stackc_dir());
    }

    pub fn path_prepend(&mut self, dir: PathBuf) {
        self.path.insert(0, dir);
    }

    /// The value of a dotted name (`inputs.files`, `steps.check.outputs.errors`).
    fn lookup(&self, a: &Value, name: &str) -> String {
        let (ctx, rest) = name.split_once('.').unwrap_or((name, ""));
        match ctx {
            "inputs" => match self.inputs.get(rest) {
                Some(v) => v.clone(),
                None => {
                    let default = a["inputs"][rest]["default"].as_str().unwrap_or_default();
                    self.template(a, default)
                }
            },
            "github" => self.github.get(rest).cloned().unwrap_or_else(|| {
                assert!(
                    rest.starts_with("event."),
                    "the runner knows no github.{rest}"
                );
                String::new()
            }),
            "runner" => match rest {
                "temp" => self.temp.path().to_str().unwrap().to_string(),
                other => panic!("the runner knows no runner.{other}"),
            },
            "steps" => {
                let (id, out) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                self.outputs
                    .get(id)
                    .and_then(|o| o.get(out))
                    .cloned()
                    .unwrap_or_default()
            }
            other => panic!("the runner knows no context {other}"),
        }
    }

    /// A string with each `${{ name }}` replaced by its value.
    fn template(&self, a: &Value, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${{") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 3..];
            let end = after.find("}}").unwrap();
            out.push_str(&self.lookup(a, after[..end].trim()));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:`: `||` of `&&` of `X == 'v'`, `X != 'v'`, `always()`, `success()`.
    fn condition(&self, a: &Value, cond: &str, failed: bool) -> bool {
        let cond = cond.trim().trim_start_matches("${{").trim_end_matches("}}");
        let mentions_status = cond.contains("always()") || cond.contains("failure()");
        let value = cond.split("||").any(|alt| {
            alt.split("&&").all(|term| {
                let term = term.trim();
                match term {
                    "always()" => true,
                    "success()" => !failed,
                    "failure()" => failed,
                    _ => {
                        let (lhs, op, rhs) = if let Some((l, r)) = term.split_once("!=") {
                            (l, "!=", r)
                        } else if let Some((l, r)) = term.split_once("==") {
                            (l, "==", r)
                        } else {
                            panic!("the runner cannot evaluate `{term}`")
                        };
                        let rhs = rhs.trim();
                        let lit = rhs.strip_prefix('\'').and_then(|r| r.strip_suffix('\''));
                        let rhs = lit.unwrap_or_else(|| panic!("compare with a 'literal': {term}"));
                        (self.lookup(a, lhs.trim()) == rhs) == (op == "==")
                    }
                }
            })
        });
        value && (mentions_status || !failed)
    }
}

/// Runs the action's steps in order, as the runner would, until one fails.
pub fn run_steps(job: &mut Job) -> Run {
    let a = action();
    let mut run = Run {
        failed: None,
        log: String::new(),
        skipped_uses: Vec::new(),
    };
    for (n, step) in steps(&a).into_iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("?").to_string();
        let cond = step["if"].as_str().unwrap_or("success()");
        if !job.condition(&a, cond, run.failed.is_some()) {
            continue;
        }
        if let Some(uses) = step["uses"].as_str() {
            run.skipped_uses.push(uses.to_string());
            continue;
        }
        let script = step["run"].as_str().expect("run or uses");
        let dir = job.temp.path().join(format!("step{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let files = ["output", "path", "env", "summary"].map(|f| dir.join(f));
        for f in &files {
            std::fs::write(f, "").unwrap();
        }
        std::fs::write(dir.join("script.sh"), script).unwrap();
        let mut c = Command::new("bash");
        c.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(dir.join("script.sh"))
            .current_dir(&job.workspace)
            .env("PATH", path_with(&job.path))
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_PATH", &files[1])
            .env("GITHUB_ENV", &files[2])
            .env("GITHUB_STEP_SUMMARY", &files[3])
            .env("GITHUB_WORKSPACE", &job.workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("RUNNER_TEMP", job.temp.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                c.env(
                    k.as_str().unwrap(),
                    job.template(&a, v.as_str().unwrap_or_default()),
                );
            }
        }
        let (ok, printed) = run_bounded(c, Duration::from_secs(120));
        run.log.push_str(&format!("--- {name}\n{printed}"));
        let mut outs = BTreeMap::new();
        for line in std::fs::read_to_string(&files[0]).unwrap().lines() {
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("a GITHUB_OUTPUT line {line:?}"));
            outs.insert(k.to_string(), v.to_string());
        }
        if let Some(id) = step["id"].as_str() {
            job.outputs.insert(id.to_string(), outs);
            let summary = std::fs::read_to_string(&files[3]).unwrap();
            job.summaries.insert(id.to_string(), summary);
        }
        for line in std::fs::read_to_string(&files[1]).unwrap().lines() {
            job.path.insert(0, PathBuf::from(line));
        }
        if !ok {
            run.failed = Some(name);
            break;
        }
    }
    run
}

/// Runs a command for at most `limit`; kills it (by its own pid) past that.
fn run_bounded(mut c: Command, limit: Duration) -> (bool, String) {
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return (out.status.success(), printed);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a step ran over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `gh` that answers the three `gh api` calls of the action for pull
/// request 7 of o/r, keeping the comments in a JSON file (one comment by
/// someone else is there from the start).
pub struct FakeGh {
    dir: tempfile::TempDir,
}

impl FakeGh {
    pub fn new() -> FakeGh {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path();
        std::fs::create_dir_all(state.join("bin")).unwrap();
        std::fs::write(
            state.join("comments.json"),
            r#"[{"id": 5, "body": "LGTM"}]"#,
        )
        .unwrap();
        let script = format!(
            r#"#!/usr/bin/env bash
set -euo pipefail
state='{state}'
[[ -n ${{GH_TOKEN:-}} ]] || {{ echo 'gh: GH_TOKEN is not set' >&2; exit 4; }}
[[ $1 == api ]] || {{ echo "gh: only api: $*" >&2; exit 1; }}
shift
method=GET body= path= jq=
while (($#)); do
  case $1 in
    --paginate) ;;
    --method) method=$2; shift ;;
    -F) [[ $2 == body=@* ]] || exit 1; body=${{2#body=@}}; shift ;;
    --jq) jq=$2; shift ;;
    *) path=$1 ;;
  esac
  shift
done
echo "$method" >>"$state/methods"
[[ ! -e $state/read-only ]] || {{ echo 'gh: HTTP 403: Resource not accessible by integration' >&2; exit 1; }}
url='https://github.com/o/r/pull/7#issuecomment-1'
case $method:$path in
  GET:repos/o/r/issues/7/comments) cat "$state/comments.json" ;;
  POST:repos/o/r/issues/7/comments)
    jq --rawfile b "$body" '. + [{{id: 1, body: $b}}]' "$state/comments.json" >"$state/new"
    mv "$state/new" "$state/comments.json"
    [[ $jq == .html_url ]] && echo "$url" ;;
  PATCH:repos/o/r/issues/comments/1)
    jq --rawfile b "$body" 'map(if .id == 1 then .body = $b else . end)' "$state/comments.json" >"$state/new"
    mv "$state/new" "$state/comments.json"
    [[ $jq == .html_url ]] && echo "$url" ;;
  *) echo "gh: unexpected $method $path" >&2; exit 1 ;;
esac
"#,
            state = state.display()
        );
        let gh = state.join("bin/gh");
        std::fs::write(&gh, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        FakeGh { dir }
    }

    pub fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// The bodies of the comments posted (not the one there from the start).
    pub fn comments(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.path().join("comments.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] != 5)
            .map(|c| c["body"].as_str().unwrap().to_string())
            .collect()
    }

    /// From now on every call fails as with a read-only token.
    pub fn read_only(&self) {
        std::fs::write(self.dir.path().join("read-only"), "").unwrap();
    }

    /// How many calls used this method.
    pub fn calls(&self, method: &str) -> usize {
        std::fs::read_to_string(self.dir.path().join("methods"))
            .unwrap_or_default()
            .lines()
            .filter(|l| *l == method)
            .count()
    }
}
