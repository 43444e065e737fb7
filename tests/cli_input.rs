//! How the commands read their input: standard input named once, a size
//! cap (16 MiB) for files, standard input and fifos, a non-UTF-8 file
//! located, and `simulate --fail` without empty names. Every case is a
//! usage error or an unreadable input: exit 2 with a clear message.

mod common;

use common::stackc;
use predicates::prelude::*;
use std::io::Write;
use std::time::Duration;

/// The cap of `read_input`, as the book's CLI page documents it.
const CAP: usize = 16 * 1024 * 1024;

#[test]
fn standard_input_may_be_named_once() {
    let src = std::fs::read_to_string(common::root().join("samples/single-box.stack")).unwrap();
    for args in [
        &["check", "-", "-"][..],
        &[
            "check",
            "--format",
            "json",
            "-",
            "samples/scale-up.stack",
            "-",
        ],
        &["fmt", "-", "-"],
        &["fmt", "--check", "-", "-"],
    ] {
        stackc()
            .args(args)
            .write_stdin(src.clone())
            .timeout(Duration::from_secs(30))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(
                "`-` (standard input) is given more than once",
            ));
    }
    // Once is fine.
    stackc()
        .args(["check", "-", "samples/scale-up.stack"])
        .write_stdin(src)
        .assert()
        .code(1);
}

#[test]
fn a_file_over_16_mib_is_refused_and_one_of_16_mib_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Spaces: a valid (empty) stack of any size.
    let exact = dir.path().join("exact.stack");
    std::fs::write(&exact, vec![b' '; CAP]).unwrap();
    stackc()
        .arg("check")
        .arg(&exact)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(0);
    let big = dir.path().join("big.stack");
    std::fs::write(&big, vec![b' '; CAP + 1]).unwrap();
    for cmd in ["check", "fmt", "render", "simulate"] {
        let mut c = stackc();
        c.arg(cmd).arg(&big);
        match cmd {
            "render" => c.args(["--to", "dot"]),
            "simulate" => c.args(["--fail", "x"]),
            _ => &mut c,
        };
        c.timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{} is larger than 16 MiB",
                big.display()
            )));
    }
    // The file is untouched by fmt.
    assert_eq!(std::fs::metadata(&big).unwrap().len(), CAP as u64 + 1);
}

#[test]
fn standard_input_over_16_mib_is_refused() {
    stackc()
        .args(["check", "-"])
        .write_stdin(vec![b' '; CAP + 1])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "standard input is larger than 16 MiB",
        ));
    stackc()
        .args(["fmt", "-"])
        .write_stdin(vec![b' '; CAP + 4096])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "standard input is larger than 16 MiB",
        ));
}

#[test]
fn an_endless_device_is_cut_at_16_mib() {
    // Before the cap, this read until the memory ran out.
    stackc()
        .args(["check", "/dev/zero"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/zero is larger than 16 MiB"));
}

#[test]
fn a_fifo_over_16_mib_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.stack");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    // The writer stops at 32 MiB or when the reader closes its end.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let chunk = vec![b' '; 64 * 1024];
            let mut written = 0usize;
            while written < 2 * CAP {
                if f.write_all(&chunk).is_err() {
                    break;
                }
                written += chunk.len();
            }
            written
        })
    };
    stackc()
        .arg("check")
        .arg(&fifo)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is larger than 16 MiB"));
    let written = writer.join().unwrap();
    assert!(written > CAP, "the reader read past the cap: {written}");
}

#[test]
fn a_non_utf8_file_says_where_the_bad_byte_is() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("latin1.stack");
    // Line 2, after `# café ` (7 characters, 8 bytes): an ISO-8859-1 byte.
    std::fs::write(&f, b"server a: nginx 10.0.0.1\n# caf\xc3\xa9 \xe9t\xe9\n").unwrap();
    let msg = format!(
        "{} is not UTF-8: byte 0xE9 at line 2, column 8 (byte offset 33)",
        f.display()
    );
    for cmd in ["check", "fmt", "render"] {
        let mut c = stackc();
        c.arg(cmd).arg(&f);
        if cmd == "render" {
            c.args(["--to", "dot"]);
        }
        c.assert()
            .code(2)
            .stderr(predicate::str::contains(msg.clone()));
    }
    stackc()
        .args(["check", "-"])
        .write_stdin(&b"\xff"[..])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "standard input is not UTF-8: byte 0xFF at line 1, column 1 (byte offset 0)",
        ));
}

#[test]
fn simulate_refuses_empty_names() {
    for fail in ["", "a,,b", "db-01,", ",db-01", " ", "db-01, ,a"] {
        stackc()
            .args(["simulate", "samples/scale-up.stack", "--fail", fail])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("a name may not be empty"));
    }
    // Spaces around a name are not part of it.
    stackc()
        .args(["simulate", "samples/scale-up.stack", "--fail", " db-01 "])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("down: db-01\n"));
}
