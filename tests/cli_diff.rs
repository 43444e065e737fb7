//! `stackc diff` (TOOLS.md §2) on the command line: exit codes 0/1/2, the
//! JSON shape, sides read from git in a scratch repository, every side that
//! cannot be read (exit 2, the message naming the side), and snapshots of
//! the three formats for the issue's change: scale-up without lb-02.

mod common;

use common::stackc;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BEFORE: &str = "samples/scale-up.stack";
const AFTER: &str = "book/examples/scale-up-after.stack";

fn run_in(dir: Option<&Path>, args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String) {
    let mut c = stackc();
    if let Some(d) = dir {
        // Git looks for no repository above the temporary directory.
        c.current_dir(d)
            .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir());
    }
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    run_in(None, args, None)
}

#[test]
fn the_three_formats_of_scale_up_without_lb_02() {
    for (format, name) in [
        ("human", "scale-up-without-lb-02-human"),
        ("json", "scale-up-without-lb-02-json"),
        ("markdown", "scale-up-without-lb-02-markdown"),
    ] {
        let (code, out, err) = run(&["diff", BEFORE, AFTER, "--format", format]);
        assert_eq!(code, Some(1), "an added spof exits 1: {err}");
        assert_eq!(err, "");
        insta::assert_snapshot!(name, out);
    }
    let (_, md, _) = run(&["diff", BEFORE, AFTER, "--format", "markdown"]);
    let first = md.lines().next().unwrap();
    assert!(
        first.contains("adds 2 single points of failure\\: zone a, lb-01"),
        "{first}"
    );
    assert!(md.contains("```mermaid\n---\n"), "{md}");
    assert!(md.contains("class s_lb_d01 chg_fragile"), "{md}");
    assert!(md.contains("removed (not drawn): server lb-02"), "{md}");
}

#[test]
fn exit_codes() {
    // Identical sides: nothing, exit 0.
    let (code, out, err) = run(&["diff", BEFORE, BEFORE]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(&format!("stackc diff {BEFORE} → {BEFORE}: no change\n")),
        "{out}"
    );
    // The repair (lb-02 back): it removes findings and adds none, exit 0.
    let (code, out, _) = run(&["diff", AFTER, BEFORE]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("removes 2 single points of failure: zone a, lb-01"),
        "{out}"
    );
    // A change that adds only a warning exits 0.
    let src = std::fs::read_to_string(common::root().join(BEFORE)).unwrap();
    let warned = src.replace("group web: nginx firewall", "group web: nginx");
    let (code, out, _) = run_in(
        None,
        &["diff", BEFORE, "-", "--format", "json"],
        Some(&warned),
    );
    assert_eq!(code, Some(0), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["added"][0]["rule"], "no-firewall");
    assert_eq!(v["added"][0]["file"], "-");
    // Standard input once only.
    let (code, _, err) = run(&["diff", "-", "-"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("standard input can be read only once"),
        "{err}"
    );
}

#[test]
fn the_json_shape_is_tools_md_s() {
    let (_, out, _) = run(&["diff", BEFORE, AFTER, "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "added",
            "availability",
            "changes",
            "cuts",
            "removed",
            "tolerance",
            "version"
        ]
    );
    // In the order TOOLS.md writes them.
    let at: Vec<usize> = [
        "version",
        "added",
        "removed",
        "cuts",
        "tolerance",
        "availability",
        "changes",
    ]
    .iter()
    .map(|k| out.find(&format!("\n  \"{k}\":")).unwrap())
    .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert_eq!(v["version"], 1);
    // Findings shaped as in `check --format json`.
    let (_, check, _) = run(&["check", "--format", "json", AFTER]);
    let check: Value = serde_json::from_str(&check).unwrap();
    let shape = |f: &Value| -> Vec<String> { f.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(shape(&v["added"][0]), shape(&check["findings"][0]));
    let spof = v["added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "spof")
        .unwrap();
    let in_check = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "spof")
        .unwrap();
    assert_eq!(spof, in_check, "the same finding, the same object");
    assert!(v["cuts"]["added"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["lb-01"])));
    assert!(v["cuts"]["removed"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["lb-01", "lb-02"])));
    assert_eq!(v["tolerance"], serde_json::json!([1, 0]));
    let a = v["availability"].as_array().unwrap();
    assert!(a[0].as_f64().unwrap() > a[1].as_f64().unwrap());
    assert_eq!(
        v["changes"],
        serde_json::json!([
            {"kind": "server", "name": "lb-02", "change": "removed"},
            {"kind": "group", "name": "lb", "change": "changed"},
        ])
    );
    // A side with a stopping error: no figures, no cuts compared.
    let (code, out, _) = run_in(
        None,
        &["diff", BEFORE, "-", "--format", "json"],
        Some("server a: nginx\nserver a: nginx\n"),
    );
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cuts"], Value::Null);
    assert_eq!(v["tolerance"], serde_json::json!([1, null]));
    assert_eq!(v["availability"][1], Value::Null);
}

/// `git` with a fixed identity and no user or system configuration.
fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=stackc test",
            "-c",
            "user.email=test@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn sides_read_from_git_and_sides_that_cannot_be_read() {
    if !common::require_tool("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("infra")).unwrap();
    let before = std::fs::read_to_string(common::root().join(BEFORE)).unwrap();
    let after = std::fs::read_to_string(common::root().join(AFTER)).unwrap();
    std::fs::write(repo.join("x.stack"), &before).unwrap();
    std::fs::write(repo.join("infra/y.stack"), &before).unwrap();
    std::fs::write(repo.join("bad.stack"), b"server a: nginx\xff\n").unwrap();
    std::fs::write(repo.join("big.stack"), vec![b'#'; 16 * 1024 * 1024 + 1]).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "before"]);
    std::fs::write(repo.join("x.stack"), &after).unwrap();
    let r = Some(repo.as_path());

    // The committed version against the working file: lb-02 dropped.
    let (code, out, err) = run_in(
        r,
        &["diff", "HEAD:x.stack", "x.stack", "--format", "json"],
        None,
    );
    assert_eq!(code, Some(1), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["added"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "spof")
            .count(),
        1
    );
    assert_eq!(v["removed"][0]["file"], "HEAD:x.stack");
    // Two revisions' files, and a path relative to the current directory.
    let (code, out, err) = run_in(r, &["diff", "HEAD:x.stack", "HEAD:infra/y.stack"], None);
    assert_eq!((code, err.as_str()), (Some(0), ""), "{out}");
    assert!(out.contains(": no change\n"), "{out}");
    let (code, _, err) = run_in(
        Some(&repo.join("infra")),
        &["diff", "HEAD:./y.stack", "../x.stack"],
        None,
    );
    assert_eq!(code, Some(1), "{err}");
    // An existing file wins over REV:PATH.
    std::fs::write(repo.join("HEAD:x.stack"), &after).unwrap();
    let (code, out, _) = run_in(r, &["diff", "HEAD:x.stack", "x.stack"], None);
    assert_eq!(code, Some(0));
    assert!(out.contains(": no change\n"), "{out}");
    std::fs::remove_file(repo.join("HEAD:x.stack")).unwrap();

    // Each side that cannot be read: exit 2, the side and the cause named.
    let outside = tmp.path().join("plain");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("x.stack"), &after).unwrap();
    std::fs::write(outside.join("bad.stack"), b"\xfe").unwrap();
    let cases: Vec<(&Path, Vec<&str>, &str)> = vec![
        (&repo, vec!["nope.stack", "x.stack"], "OLD side `nope.stack`: cannot read nope.stack:"),
        (&repo, vec!["x.stack", "nope.stack"], "NEW side `nope.stack`: cannot read nope.stack:"),
        (&repo, vec!["nosuch:x.stack", "x.stack"], "OLD side `nosuch:x.stack`: unknown revision `nosuch`"),
        (&repo, vec!["HEAD:gone.stack", "x.stack"], "OLD side `HEAD:gone.stack`: path `gone.stack` is not in revision `HEAD`"),
        (&repo, vec!["x.stack", "HEAD:infra"], "NEW side `HEAD:infra`: `infra` is a directory in revision `HEAD`, not a file"),
        (&repo, vec!["HEAD:bad.stack", "x.stack"], "OLD side `HEAD:bad.stack`: HEAD:bad.stack is not UTF-8: byte 0xFF at line 1, column 16"),
        (&repo, vec!["HEAD:big.stack", "x.stack"], "OLD side `HEAD:big.stack`: HEAD:big.stack is larger than 16 MiB"),
        (&repo, vec!["big.stack", "x.stack"], "OLD side `big.stack`: big.stack is larger than 16 MiB"),
        (&repo, vec!["--", "-x:y", "x.stack"], "OLD side `-x:y`: `-x` is not a revision"),
        (&outside, vec!["HEAD:x.stack", "x.stack"], "OLD side `HEAD:x.stack`: not a git repository"),
        (&outside, vec!["x.stack", "bad.stack"], "NEW side `bad.stack`: bad.stack is not UTF-8: byte 0xFE"),
    ];
    for (dir, args, message) in cases {
        let mut a = vec!["diff"];
        a.extend(&args);
        let (code, out, err) = run_in(Some(dir), &a, None);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}: nothing on standard output");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn help_has_an_example() {
    let (code, out, _) = run(&["diff", "--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("stackc diff origin/main:infra/prod.stack infra/prod.stack --format markdown"),
        "{out}"
    );
}

/// A thousand servers: the comment stays within what GitHub takes (the
/// diagram left out, said so), a group's members say who left, and it
/// takes well under a second or two.
#[test]
fn a_thousand_servers_fit_in_a_comment() {
    let mut s = String::from("zone a\nzone b\ndomain example.com {\n  www A -> lb : https\n}\n");
    s += "group lb: haproxy mode=active-passive vip=203.0.113.10 {\n  server lb-01 10.0.0.11 zone=a\n  server lb-02 10.0.0.12 zone=b\n}\n";
    for (t, role, net) in [("web", "nginx", 1), ("app", "app", 2)] {
        s += &format!("group {t}: {role} {{\n");
        for i in 0..500 {
            s += &format!(
                "  server {t}-{i:03} 10.{net}.{}.{} zone={}\n",
                i / 250,
                i % 250 + 1,
                ["a", "b"][i % 2]
            );
        }
        s += "}\n";
    }
    s += "lb -> web : http 80\nweb -> app : http 8000\n";
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.stack"), dir.path().join("new.stack"));
    std::fs::write(&old, &s).unwrap();
    std::fs::write(&new, s.replace("  server web-007 10.1.0.8 zone=b\n", "")).unwrap();
    let started = std::time::Instant::now();
    let (code, md, err) = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    let took = started.elapsed();
    assert_eq!(code, Some(0), "{err}");
    assert!(md.len() < 65_536, "{} bytes", md.len());
    assert!(
        md.contains("| group | web | changed | members −web-007 |"),
        "{md}"
    );
    assert!(md.contains("is left out: its "), "{md}");
    assert!(!md.contains("```mermaid"));
    assert!(took.as_secs() < 10, "{took:?}");
    eprintln!(
        "diff of 1,004 servers, markdown: {} bytes in {took:?}",
        md.len()
    );
}
