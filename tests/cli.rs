//! The command line as CLI.md defines it: exit codes, formats, stdin.

mod common;

use predicates::prelude::*;
use serde_json::Value;

use common::stackc;

#[test]
fn check_exit_codes() {
    stackc()
        .args(["check", "samples/scale-up.stack"])
        .assert()
        .code(0);
    stackc()
        .args(["check", "samples/single-box.stack"])
        .assert()
        .code(1);
    stackc()
        .args(["check", "--deny", "warnings", "samples/scale-up.stack"])
        .assert()
        .code(1);
    stackc()
        .args(["check", "samples/no-such-file.stack"])
        .assert()
        .code(2);
    stackc()
        .args(["check", "--format", "yaml", "samples/scale-up.stack"])
        .assert()
        .code(2);
    stackc().args(["check"]).assert().code(2);
    // A syntax error is an error finding: exit 1.
    stackc()
        .args(["check", "tests/cases/syntax.stack"])
        .assert()
        .code(1);
}

#[test]
fn human_output_ends_with_a_summary_and_has_no_colour_off_a_terminal() {
    let out = stackc()
        .args(["check", "samples/single-box.stack"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with("1 error, 4 warnings in samples/single-box.stack (tolerates no failure)\n"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI escapes when not on a terminal"
    );
    assert!(text.contains("box is a single point of failure"));
}

#[test]
fn stdin_is_read_for_dash() {
    let src = std::fs::read_to_string(common::root().join("samples/single-box.stack")).unwrap();
    stackc()
        .args(["check", "--format", "json", "-"])
        .write_stdin(src)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"file\": \"-\""));
}

#[test]
fn json_contract() {
    let out = stackc()
        .args([
            "check",
            "--format",
            "json",
            "samples/scale-up-as-drawn.stack",
            "samples/single-box.stack",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    let keys = [
        "rule", "severity", "subject", "file", "line", "column", "message",
    ];
    for f in findings {
        let obj = f.as_object().unwrap();
        assert_eq!(obj.len(), keys.len(), "{f}");
        for k in keys {
            assert!(obj.contains_key(k), "{k} missing in {f}");
        }
        assert!(matches!(f["severity"].as_str(), Some("error" | "warning")));
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    // Sorted by file, line, column, rule.
    let order: Vec<(String, u64, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // The spof on db-01 of the as-drawn sample sits on its declaration.
    let db = findings
        .iter()
        .find(|f| f["rule"] == "spof" && f["subject"] == "db-01")
        .expect("spof on db-01");
    assert_eq!(db["file"], "samples/scale-up-as-drawn.stack");
    assert_eq!(
        (db["line"].as_u64(), db["column"].as_u64()),
        (Some(37), Some(10))
    );
    // The allowed plaintext-backend findings are left out.
    assert!(findings.iter().all(|f| f["rule"] != "plaintext-backend"));
    let errors = findings.iter().filter(|f| f["severity"] == "error").count() as u64;
    assert_eq!(v["summary"]["errors"].as_u64(), Some(errors));
    assert_eq!(
        v["summary"]["warnings"].as_u64(),
        Some(findings.len() as u64 - errors)
    );
    // A syntax finding has a null subject.
    let out = stackc()
        .args(["check", "--format", "json", "tests/cases/syntax.stack"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["subject"].is_null()));
}

#[test]
fn sarif_has_what_code_scanning_needs() {
    let out = stackc()
        .args([
            "check",
            "--format",
            "sarif",
            "samples/scale-up-as-drawn.stack",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // It reads back into the typed SARIF model (generated from the schema).
    let typed: serde_sarif::sarif::Sarif =
        serde_json::from_slice(&out.stdout).expect("valid SARIF");
    assert_eq!(typed.runs.len(), 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "stackc");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), stackc::diag::RuleId::ALL.len());
    for r in rules {
        assert!(r["id"].is_string());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["helpUri"].as_str().unwrap().starts_with("https://"));
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id, "ruleIndex points at the rule");
        assert!(matches!(res["level"].as_str(), Some("error" | "warning")));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "samples/scale-up-as-drawn.stack"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    // An absolute path under the working directory becomes relative.
    let abs = common::root().join("samples/single-box.stack");
    let out = stackc()
        .args(["check", "--format", "sarif"])
        .arg(&abs)
        .output()
        .unwrap();
    let v2: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v2["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "samples/single-box.stack"
    );
    // The allowed findings appear as suppressed results.
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 2, "plaintext-backend on lb-01 and lb-02");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "lb and web share a private VLAN"
    );
}

#[test]
fn github_annotations() {
    let out = stackc()
        .args(["check", "--format", "github", "samples/single-box.stack"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    let spof = lines
        .iter()
        .find(|l| l.starts_with("::error file=samples/single-box.stack,line=11,col=8,title=spof::"))
        .expect("the spof annotation");
    // The help follows on its own line, escaped as %0A.
    assert!(
        spof.contains("goes dark%0Ahelp: the chain that breaks: www.foobar.com -> box (down)"),
        "{spof}"
    );
    assert!(lines[..5]
        .iter()
        .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")));
    // Its tolerance last, like the spofs (RESILIENCE.md §2).
    assert_eq!(
        lines[5],
        "::notice file=samples/single-box.stack,title=tolerance::samples/single-box.stack tolerates no failure"
    );
}

#[test]
fn simulate_exit_codes_and_output() {
    stackc()
        .args(["simulate", "samples/scale-up.stack", "--fail", "db-01"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("the stack still serves"));
    stackc()
        .args(["simulate", "samples/scale-up.stack", "--fail", "a"])
        .assert()
        .code(0);
    stackc()
        .args(["simulate", "samples/scale-up.stack", "--fail", "a,b"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("www.foobar.com  DARK"));
    stackc()
        .args([
            "simulate",
            "samples/scale-up-as-drawn.stack",
            "--fail",
            "web-01",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "lb (held by lb-01) -> web-01 (down)",
        ));
    stackc()
        .args(["simulate", "samples/scale-up.stack", "--fail", "db-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `db-01`?"));
    let out = stackc()
        .args([
            "simulate",
            "samples/single-box.stack",
            "--fail",
            "box",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["serves"], false);
    assert_eq!(v["down"][0], "box");
    assert_eq!(v["entries"][0]["subject"], "www.foobar.com");
}

#[test]
fn explain_every_rule() {
    for rule in stackc::diag::RuleId::ALL {
        let out = stackc().args(["explain", rule.as_str()]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(rule.as_str()), "{text}");
        assert!(text.len() > 200, "explain {rule} says too little");
    }
    stackc()
        .args(["explain", "spfo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `spof`?"));
    stackc()
        .args(["explain"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("zone-spof"));
}

#[test]
fn help_has_examples() {
    for cmd in ["check", "simulate", "explain"] {
        stackc()
            .args([cmd, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn fmt_check_rewrite_and_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.stack");
    std::fs::copy(common::root().join("tests/fmt/messy.stack"), &messy).unwrap();
    let before = std::fs::read_to_string(&messy).unwrap();
    // --check: a diff, exit 1, the file untouched.
    stackc()
        .args(["fmt", "--check"])
        .arg(&messy)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("+zone a\n+zone b # two zones"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), before);
    // Rewrite in place, then --check passes.
    stackc().arg("fmt").arg(&messy).assert().code(0);
    let after = std::fs::read_to_string(&messy).unwrap();
    assert_ne!(after, before);
    stackc()
        .args(["fmt", "--check"])
        .arg(&messy)
        .assert()
        .code(0)
        .stdout("");
    // Standard input to standard output.
    stackc()
        .args(["fmt", "-"])
        .write_stdin(before)
        .assert()
        .code(0)
        .stdout(after);
    // A file with syntax errors is reported and left as it was.
    let bad = dir.path().join("bad.stack");
    std::fs::write(&bad, "server box: 10.0.0.1\n").unwrap();
    stackc()
        .arg("fmt")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expected a role"));
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "server box: 10.0.0.1\n"
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = stackc().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("simulate") && text.contains("explain"),
            "{shell}"
        );
    }
    stackc().args(["completions", "tcsh"]).assert().code(2);
    let out = stackc().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH stackc 1"));
    let committed = std::fs::read_to_string(common::root().join("man/stackc.1")).unwrap();
    assert_eq!(
        page, committed,
        "man/stackc.1 is stale: run `cargo run -- man > man/stackc.1`"
    );
}

/// Issue 9 E17: JSON `subject` is the server, group, record or link source a
/// static finding is about, as CLI.md says; B5: a line repeating a key
/// thousands of times is one finding.
#[test]
fn json_subjects_of_static_findings() {
    let src = format!(
        "group web: nginx+ngnix zone=nowhere {{\n  server web-01 0.0.0.0 colour=red\n}}\nserver s: app 10.0.0.1 {}\nweb -> s : http read\ndomain Example.COM. {{ www AAAA -> web }}\n",
        "firewall ".repeat(5000)
    );
    let out = stackc()
        .args(["check", "--format", "json", "-"])
        .write_stdin(src)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["subject"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect();
    for want in [
        ("unknown-role", "web"),
        ("unknown-zone", "web"),
        ("unknown-attribute", "web-01"),
        ("bad-value", "web-01"),
        ("bad-value", "s"),
        ("bad-value", "www.example.com"),
        ("ignored-attribute", "web-01"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {got:?}"
        );
    }
    assert!(got.len() < 20, "{got:?}");
    assert!(got.iter().all(|(_, s)| s != "null"), "{got:?}");
}

/// Without a `stack` statement, the stack is named after its file: the
/// subject of a `broken` stack, the diagram's title (issue 9 E19).
#[test]
fn a_stack_without_a_name_takes_the_file_stem() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("shop front.stack");
    // No entry point: a sibling link targets the only group.
    std::fs::write(
        &file,
        "group web: nginx { server a 10.0.0.1; server b 10.0.0.2 }\na -> b\n",
    )
    .unwrap();
    let o = stackc()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let broken: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "broken")
        .collect();
    assert!(
        broken.iter().any(|f| f["subject"] == "shop-front"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = stackc()
        .args(["render", "--to", "mermaid"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("shop-front"));
    // Standard input has no file name: the fallback name.
    let o = stackc()
        .args(["check", "--format", "json", "-"])
        .write_stdin(std::fs::read(&file).unwrap())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"subject\": \"stack\""));
}

#[test]
fn stack_names_from_file_stems() {
    use stackc::stack_name_from as name;
    assert_eq!(name("web").as_deref(), Some("web"));
    assert_eq!(name("my app.v2").as_deref(), Some("my-app-v2"));
    assert_eq!(name("2024-shop").as_deref(), Some("shop"));
    assert_eq!(name("2024"), None);
    assert_eq!(name("ü"), None);
    assert_eq!(name("ünï").as_deref(), Some("n"));
    assert_eq!(name(&"x".repeat(80)).map(|n| n.len()), Some(63));
}

/// Every command that findings stop prints the report, then one line in
/// one form: `error: WHAT: fix the errors above` (cli/report.rs).
#[test]
fn a_command_stopped_by_findings_says_so_in_one_form() {
    let dir = tempfile::tempdir().unwrap();
    let cycle = "tests/cases/cycle.stack";
    let bad = dir.path().join("bad.stack");
    std::fs::write(&bad, "server box: 10.0.0.1\n").unwrap();
    let bad = bad.to_str().unwrap();
    let out = dir.path().join("out");
    let cases: [(Vec<&str>, i32, String); 4] = [
        (
            vec!["render", cycle, "--to", "dot"],
            1,
            format!("cannot draw {cycle}"),
        ),
        (
            vec!["simulate", cycle, "--fail", "x"],
            2,
            format!("cannot simulate {cycle}"),
        ),
        (vec!["fmt", bad], 1, format!("cannot format {bad}")),
        (
            vec!["bundle", cycle, "-o", out.to_str().unwrap()],
            1,
            format!("no bundle written for {cycle}"),
        ),
    ];
    for (args, code, what) in cases {
        let assert = stackc().args(&args).assert().code(code).stdout("");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let last = stderr.lines().last().unwrap_or("");
        assert_eq!(
            last,
            format!("error: {what}: fix the errors above"),
            "{args:?}:\n{stderr}"
        );
        assert!(
            stderr.contains("× "),
            "{args:?}: the report comes first:\n{stderr}"
        );
    }
    assert!(!out.exists());
}

/// Notes, warnings and errors escape terminal controls in what they quote.
#[test]
fn stderr_messages_escape_terminal_controls() {
    let assert = stackc()
        .args(["render", "no-such-\x1b[31mfile.stack", "--to", "dot"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("error: cannot read no-such-"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}
