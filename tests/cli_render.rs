//! `stackc render`: formats, exit codes, atomic `-o`, standard input,
//! themes and `--watch`.

mod common;

use predicates::prelude::*;
use std::time::{Duration, Instant};

use common::stackc;

#[test]
fn draws_with_findings_and_exits_0() {
    // The sample has 4 spofs: rendering is not linting.
    let out = stackc()
        .args(["render", "samples/scale-up-as-drawn.stack", "--to", "svg"])
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty())
        .get_output()
        .stdout
        .clone();
    let svg = String::from_utf8(out).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("node server spof"));
    stackc()
        .args(["render", "samples/scale-up.stack", "--to", "mermaid"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("flowchart TB"));
    stackc()
        .args(["render", "samples/scale-up.stack", "--to", "dot"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("digraph stack {"));
}

#[test]
fn output_file_is_written_whole_and_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.svg");
    stackc()
        .args(["render", "samples/distributed.stack", "--to", "svg", "-o"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    let printed = stackc()
        .args(["render", "samples/distributed.stack", "--to", "svg"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(written.as_bytes(), &printed[..]);
    // Nothing but the output is left in the directory.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("d.svg")]);
}

#[test]
fn a_stopping_error_prints_diagnostics_writes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cycle.svg");
    stackc()
        .args(["render", "tests/cases/cycle.stack", "--to", "svg", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("cycle").and(predicate::str::contains("requests loop")));
    assert!(!out.exists());
    // An existing output stays as it was.
    std::fs::write(&out, "before").unwrap();
    stackc()
        .args(["render", "tests/cases/syntax.stack", "--to", "dot", "-o"])
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "before");
}

#[test]
fn could_not_run_exits_2() {
    stackc()
        .args(["render", "samples/no-such.stack", "--to", "svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing-dir").join("x.svg");
    stackc()
        .args(["render", "samples/scale-up.stack", "--to", "svg", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write"));
    stackc()
        .args(["render", "samples/scale-up.stack", "--to", "png"])
        .assert()
        .code(2);
    stackc()
        .args(["render", "-", "--to", "svg", "--watch"])
        .write_stdin("server box: nginx 10.0.0.1\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--watch needs a file"));
}

#[test]
fn reads_standard_input_and_draws_the_dark_theme() {
    stackc()
        .args(["render", "-", "--to", "svg", "--theme", "dark"])
        .write_stdin("stack s \"from stdin\"\nserver box: nginx+app+mysql 198.51.100.10\ndomain foobar.com { www A -> box }\n")
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("from stdin")
                .and(predicate::str::contains("#0f172a"))
                .and(predicate::str::contains("node server spof")),
        );
    stackc()
        .args(["render", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--to").and(predicate::str::contains("Example")));
}

/// `--watch` draws at once, then again when the file changes, printing the
/// findings each time; it keeps running until stopped (by PID here).
#[test]
fn watch_redraws_when_the_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("w.stack");
    let out = dir.path().join("w.dot");
    std::fs::write(
        &input,
        "stack w \"first\"\nserver box: nginx 198.51.100.10\ndomain foobar.com { www A -> box }\n",
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("stackc");
    let err_path = dir.path().join("stderr.txt");
    let mut child = std::process::Command::new(bin)
        .args(["render"])
        .arg(&input)
        .args(["--to", "dot", "--watch", "-o"])
        .arg(&out)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let wait_for = |what: &str, f: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !f() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for("the first drawing", &|| read(&out).contains("\"first\""));
        // The watcher is set up before the first drawing is written.
        std::thread::sleep(Duration::from_millis(200));
        std::fs::write(
            &input,
            "stack w \"second\"\nserver box: nginx 198.51.100.10\ndomain foobar.com { www A -> box }\n",
        )
        .unwrap();
        wait_for("the second drawing", &|| read(&out).contains("\"second\""));
        wait_for("findings printed twice", &|| {
            read(&err_path).matches("spof").count() >= 2
        });
        // A stopping error keeps the last drawing and says so.
        std::fs::write(&input, "server box: nginx 198.51.100.10\nbox -> nope\n").unwrap();
        wait_for("the error", &|| read(&err_path).contains("not drawn"));
        assert!(read(&out).contains("\"second\""));
    }));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        panic!(
            "{:?}\nstderr:\n{}",
            e.downcast_ref::<String>(),
            read(&err_path)
        );
    }
}
