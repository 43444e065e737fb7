//! `stackc import DIR` as a user runs it: exit codes 0/1/2, `-o`, and bad
//! trees (a 100 MB sparse log, a binary file, a symbolic link loop, a link
//! out of DIR, a fifo, an unreadable file, a missing DIR) skipped quickly
//! with a warning, never a panic or a hang.

mod common;

use common::stackc;
use predicates::prelude::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// A bundle of `samples/full-stack.stack` in `dir/b`.
fn bundle(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("b");
    stackc()
        .args(["bundle", "samples/full-stack.stack", "-o"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .code(0);
    out
}

#[test]
fn missing_dir_file_and_empty_dir_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    stackc()
        .arg("import")
        .arg(tmp.path().join("nope"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"))
        .stdout("");
    let file = tmp.path().join("f");
    fs::write(&file, "x").expect("write");
    stackc()
        .arg("import")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a directory"));
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    stackc()
        .arg("import")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no host folder"));
    // An inventory that is neither INI nor YAML is refused.
    fs::create_dir_all(empty.join("h1/etc")).expect("mkdir");
    let inv = tmp.path().join("inv");
    fs::write(&inv, "[web\nx\n").expect("write");
    stackc()
        .arg("import")
        .arg(&empty)
        .arg("--inventory")
        .arg(&inv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--inventory"));
}

#[test]
fn a_bundle_root_imports_and_checks_and_o_writes_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = bundle(tmp.path());
    let out = tmp.path().join("shop.stack");
    let a = stackc()
        .arg("import")
        .arg(&b)
        .arg("-o")
        .arg(&out)
        .assert()
        .stdout("");
    let code = a.get_output().status.code();
    assert!(matches!(code, Some(0 | 1)), "{:?}", a.get_output());
    let text = fs::read_to_string(&out).expect("written");
    assert!(text.contains("stack shop"), "{text}");
    // What it writes is canonical.
    stackc().args(["fmt", "--check"]).arg(&out).assert().code(0);
    // Standard output without -o: the same text.
    let a = stackc().arg("import").arg(&b).assert();
    assert_eq!(String::from_utf8_lossy(&a.get_output().stdout), text);
    // Warnings name the file on the disk.
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    for line in stderr.lines() {
        assert!(
            line.starts_with(&b.display().to_string()) && line.contains(": warning: "),
            "{line}"
        );
    }
    assert_eq!(code == Some(1), !stderr.is_empty(), "{stderr}");
}

#[test]
fn exit_1_exactly_when_there_are_warnings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = bundle(tmp.path());
    // One host that no reader needs to understand to warn about: a tree
    // of only the dns/ folder's zone is not a host; keep one whole host.
    let only = tmp.path().join("only");
    fs::create_dir_all(&only).expect("mkdir");
    copy_dir(&b.join("hosts/cache-01"), &only.join("cache-01"));
    let a = stackc().arg("import").arg(&only).assert();
    let out = a.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0 when nothing is a guess, 1 otherwise: the code follows stderr.
    assert_eq!(
        out.status.code() == Some(1),
        !stderr.trim().is_empty(),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# Written by stackc import"));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
fn bad_files_are_skipped_quickly_with_warnings() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fetched");
    let etc = dir.join("web-01/etc");
    fs::create_dir_all(etc.join("nginx")).expect("mkdir");
    fs::write(etc.join("nginx/nginx.conf"), "events {}\nhttp {}\n").expect("write");
    // A 100 MB sparse log: skipped from its size, never read.
    let log = fs::File::create(dir.join("web-01/var.log")).expect("create");
    log.set_len(100 * 1024 * 1024).expect("sparse");
    fs::write(etc.join("blob.bin"), b"\x7fELF\x02\x01\x00\x00binary").expect("write");
    fs::write(etc.join("latin1.conf"), b"caf\xe9\n").expect("write");
    symlink("..", etc.join("loop")).expect("symlink");
    symlink("/etc/passwd", etc.join("passwd")).expect("symlink");
    symlink("nginx", etc.join("nginx-link")).expect("symlink");
    let fifo = etc.join("fifo");
    let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let start = Instant::now();
    let a = stackc()
        .arg("import")
        .arg(&dir)
        .timeout(Duration::from_secs(20))
        .assert()
        .code(1);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let at = |rel: &str, what: &str| {
        let want = format!(
            "{}/{rel}: warning: skipped: {what}",
            dir.join("web-01").display()
        );
        assert!(stderr.contains(&want), "no `{want}` in\n{stderr}");
    };
    at("var.log", "larger than 4 MiB (104857600 bytes)");
    at("etc/blob.bin", "holds NUL bytes");
    at("etc/latin1.conf", "not UTF-8");
    at("etc/loop", "a symbolic link loop");
    at("etc/passwd", "a symbolic link out of DIR");
    at("etc/fifo", "not a regular file");
    // A link inside DIR is followed: no warning about it.
    assert!(!stderr.contains("nginx-link"), "{stderr}");
}

#[test]
fn an_unreadable_file_is_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let dir = tmp.path().join("fetched");
    fs::create_dir_all(dir.join("db-01/etc/mysql")).expect("mkdir");
    let secret = dir.join("db-01/etc/mysql/debian.cnf");
    fs::write(&secret, "[client]\npassword = x\n").expect("write");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads any file: run the command as nobody then (setpriv).
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        if !common::require_tool("setpriv") {
            return;
        }
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(assert_cmd::cargo::cargo_bin("stackc"));
        assert_cmd::Command::from_std(c)
    } else {
        stackc()
    };
    let a = cmd
        .arg("import")
        .arg(&dir)
        .timeout(Duration::from_secs(20))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let want = format!("{}: warning: skipped: cannot be read", secret.display());
    assert!(stderr.contains(&want), "no `{want}` in\n{stderr}");
}

#[test]
fn links_between_folders_cannot_make_the_walk_explode() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let etc = tmp.path().join("fetched/h/etc");
    // d0 -> {x, y} -> d1 -> {x, y} -> d2 ...: 2^30 paths, few folders.
    for i in 0..=30 {
        fs::create_dir_all(etc.join(format!("d{i}"))).expect("mkdir");
    }
    for i in 0..30 {
        for l in ["x", "y"] {
            symlink(format!("../d{}", i + 1), etc.join(format!("d{i}/{l}"))).expect("symlink");
        }
    }
    symlink("/etc", tmp.path().join("fetched/outside")).expect("symlink");
    let start = Instant::now();
    let a = stackc()
        .arg("import")
        .arg(tmp.path().join("fetched"))
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        stderr.contains("entries: the rest of DIR is not read"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("folders deep").count(), 1, "{stderr}");
    assert!(
        stderr.contains("outside/: warning: the host folder is a symbolic link out of DIR"),
        "{stderr}"
    );
    assert!(stderr.lines().count() < 10, "{stderr}");
}
