//! `stackc fmt`: canonical output, idempotent, meaning preserved.

mod common;

use proptest::prelude::*;
use stackc::model::Model;

/// Everything a model means, without spans: two files mean the same when
/// their descriptions are equal.
fn meaning(src: &str) -> String {
    let c = stackc::check(src);
    let m: &Model = &c.model;
    let zone = |z: Option<stackc::model::ZoneId>| z.map(|z| m.zones[z.index()].name.clone());
    let mut out = format!(
        "stack {:?} {:?} {:?} {:?}\n",
        m.name, m.title, m.tolerate, m.slo
    );
    for z in &m.zones {
        out += &format!("zone {} {:?}\n", z.name, z.availability);
    }
    for s in &m.servers {
        out += &format!(
            "server {} {} {:?} {:?} {:?} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n",
            s.name,
            s.roles.joined(),
            s.address,
            zone(s.zone),
            s.group.map(|g| m.group(g).name.clone()),
            s.port,
            s.firewall,
            s.monitor,
            s.db,
            s.runtime,
            s.command,
            s.health,
            s.host,
            s.tier,
            s.availability,
            s.capacity
        );
    }
    for g in &m.groups {
        let members: Vec<&str> = g
            .members
            .iter()
            .map(|s| m.server(*s).name.as_str())
            .collect();
        out += &format!(
            "group {} {} {:?} {:?} {:?} {} {} {:?} {:?} {:?}\n",
            g.name,
            g.roles.joined(),
            members,
            g.mode,
            g.vip,
            g.track,
            g.unicast,
            g.failover,
            g.primary,
            g.quorum
        );
    }
    for l in &m.links {
        let from: Vec<&str> = l.from.iter().map(|s| m.server(*s).name.as_str()).collect();
        let to: Vec<String> = l
            .targets
            .iter()
            .map(|t| format!("{}:{}:{}", m.target_name(t.target), t.protocol, t.port))
            .collect();
        out += &format!("link {from:?} {to:?} {} {}\n", l.read, l.optional);
    }
    for d in &m.domains {
        out += &format!("domain {} {:?}\n", d.name, d.ttl);
    }
    for r in &m.records {
        let to: Vec<String> = r
            .targets
            .iter()
            .map(|t| format!("{}:{}:{}", m.target_name(t.target), t.protocol, t.port))
            .collect();
        out += &format!(
            "record {} {} {to:?} {:?}\n",
            r.subject,
            r.rtype.as_str(),
            r.load
        );
    }
    for a in &m.allows {
        out += &format!("allow {:?} {} {:?}\n", a.rule, a.subject, a.reason);
    }
    for f in &c.findings {
        out += &format!("finding {} {:?} {}\n", f.rule, f.subject, f.message);
    }
    out
}

fn fmt(src: &str) -> String {
    stackc::fmt::format_source(src).expect("no syntax errors")
}

#[test]
fn messy_file_in_canonical_form() {
    let src = std::fs::read_to_string(common::root().join("tests/fmt/messy.stack")).unwrap();
    let out = fmt(&src);
    insta::assert_snapshot!("fmt-messy", out);
    assert_eq!(fmt(&out), out, "idempotent");
    assert_eq!(meaning(&out), meaning(&src), "same meaning");
}

#[test]
fn samples_and_cases_are_formatted_and_keep_their_meaning() {
    for dir in ["samples", "tests/cases"] {
        for path in common::stack_files(&common::root().join(dir)) {
            let src = std::fs::read_to_string(&path).unwrap();
            let Some(out) = stackc::fmt::format_source(&src) else {
                continue; // the syntax case
            };
            assert_eq!(fmt(&out), out, "{} idempotent", path.display());
            assert_eq!(meaning(&out), meaning(&src), "{} meaning", path.display());
            if dir == "samples" {
                assert_eq!(
                    out,
                    src,
                    "{} is not in canonical form: run `stackc fmt`",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn syntax_errors_are_not_formatted() {
    assert!(stackc::fmt::format_source("server box: 10.0.0.1\n").is_none());
}

const STATEMENTS: &[&str] = &[
    "stack foobar \"a \\\"title\\\" \\\\ here\" tolerate=2 slo=99.95",
    "zone a availability=99.95",
    "zone b",
    "server box: nginx+app+mysql 198.51.100.10 firewall monitor=agent",
    "server solo: app 10.0.9.1 command=\"python -m app ; echo #\" runtime=python health=/up",
    "group lb: haproxy mode=active-passive vip=203.0.113.10 track unicast {\n server lb-01 10.0.0.11 zone=a\n server lb-02 10.0.0.12 zone=b\n}",
    "group web: nginx firewall { server web-01 10.0.1.11 zone=a; server web-02 10.0.1.12 port=8080 }",
    "group db: mysql failover=auto vip=10.0.3.10 {\n\n server db-01 10.0.3.11 primary # p\n server db-02 10.0.3.12\n}",
    "group empty: app {\n}",
    "domain foobar.com ttl=300 {\n www A -> lb : https load=2000\n @ A -> web, box load=12.5\n}",
    "group etcd: app mode=quorum quorum=2 capacity=500 availability=99.5 {\n server etcd-01 10.0.7.11\n server etcd-02 10.0.7.12 capacity=250\n server etcd-03 10.0.7.13\n}",
    "allow cut-set lb-01+lb-02 \"a third # balancer\"",
    "domain example.org { api.v2 CNAME -> web }",
    "lb -> web : http 80",
    "web -> db",
    "web-01 -> db-02 : mysql 3306 read",
    "box, solo -> db",
    "allow spof box \"one box for now\"",
    "server pay: external host=\"api.payments.example\" tier=app port=8443",
    "group kv: redis failover=auto vip=10.0.4.10 {\n server kv-01 10.0.4.11 primary\n server kv-02 10.0.4.12\n}",
    "group pg: postgres vip=10.0.5.10 { server pg-01 10.0.5.11 primary; server pg-02 10.0.5.12 replica }",
    "server cache: memcached 10.0.6.11 firewall",
    "box -> cache : memcached optional",
    "solo -> pay : tcp 4000 optional",
    "solo -> kv : redis read",
    "allow no-tls www.foobar.com \"redirect # only\"",
];

fn noisy_file() -> impl Strategy<Value = String> {
    let stmt = proptest::sample::select(STATEMENTS);
    let sep = prop_oneof![
        Just("\n"),
        Just("\n\n"),
        Just("\n\n\n"),
        Just(";"),
        Just(" ; "),
        Just("  # note\n"),
        Just("\n# own line\n"),
        Just("\n  # indented\n\n"),
    ];
    proptest::collection::vec((stmt, sep), 0..14).prop_map(|parts| {
        let mut s = String::new();
        for (st, sp) in parts {
            // Blocks cannot be followed by `;` on... they can: `}` ends the
            // statement and `;` separates. Spaces are free around tokens.
            s.push_str(&st.replace(" -> ", "->").replace(": ", " : "));
            s.push_str(sp);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn fmt_is_idempotent_and_keeps_the_meaning(src in noisy_file()) {
        let Some(out) = stackc::fmt::format_source(&src) else {
            return Err(TestCaseError::reject("syntax error in the generated file"));
        };
        prop_assert_eq!(fmt(&out), out.clone(), "not idempotent on {:?}", src);
        prop_assert_eq!(meaning(&out), meaning(&src), "meaning changed for {:?}", src);
        // Every comment survives.
        let before = stackc::syntax::parse(&src).file.comments.len();
        let after = stackc::syntax::parse(&out).file.comments.len();
        prop_assert_eq!(before, after);
    }
}

// `stackc fmt FILE` on disk: the file is rewritten as an editor saves it,
// through symbolic links, keeping hard links, mode and owner.

/// A directory holding `messy.stack` (not formatted); its canonical form.
fn messy_dir() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let src = std::fs::read_to_string(common::root().join("tests/fmt/messy.stack")).unwrap();
    let formatted = fmt(&src);
    assert_ne!(src, formatted, "the fixture is not in canonical form");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messy.stack");
    std::fs::write(&path, &src).unwrap();
    (dir, path, formatted)
}

/// The names in a directory, sorted: no temporary file may be left.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn fmt_through_a_symlink_formats_the_target_and_keeps_the_link() {
    let (dir, real, formatted) = messy_dir();
    // A relative link beside the file, and an absolute one in another folder.
    let near = dir.path().join("near.stack");
    std::os::unix::fs::symlink("messy.stack", &near).unwrap();
    let other = tempfile::tempdir().unwrap();
    let far = other.path().join("far.stack");
    std::os::unix::fs::symlink(&near, &far).unwrap();

    common::stackc().arg("fmt").arg(&far).assert().code(0);
    for (link, to) in [
        (&near, std::path::PathBuf::from("messy.stack")),
        (&far, near.clone()),
    ] {
        let meta = std::fs::symlink_metadata(link).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "{} is still a symlink",
            link.display()
        );
        assert_eq!(std::fs::read_link(link).unwrap(), to);
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), formatted);
    assert_eq!(names_in(dir.path()), ["messy.stack", "near.stack"]);
    assert_eq!(names_in(other.path()), ["far.stack"]);
}

#[test]
fn fmt_keeps_hard_links_shared() {
    use std::os::unix::fs::MetadataExt;
    let (dir, real, formatted) = messy_dir();
    let twin = dir.path().join("twin.stack");
    std::fs::hard_link(&real, &twin).unwrap();
    let ino = std::fs::metadata(&real).unwrap().ino();

    common::stackc()
        .arg("fmt")
        .arg(&twin)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "has 2 hard links: rewritten in place",
        ));
    for p in [&real, &twin] {
        let meta = std::fs::metadata(p).unwrap();
        assert_eq!(meta.ino(), ino, "{} is the same file", p.display());
        assert_eq!(meta.nlink(), 2);
        assert_eq!(std::fs::read_to_string(p).unwrap(), formatted);
    }
    assert_eq!(names_in(dir.path()), ["messy.stack", "twin.stack"]);
}

#[test]
fn fmt_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    for mode in [0o640, 0o604, 0o755, 0o600] {
        let (dir, real, formatted) = messy_dir();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(mode)).unwrap();
        common::stackc().arg("fmt").arg(&real).assert().code(0);
        assert_eq!(std::fs::read_to_string(&real).unwrap(), formatted);
        let got = std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777;
        assert_eq!(got, mode, "mode {mode:o} kept");
        assert_eq!(names_in(dir.path()), ["messy.stack"]);
    }
}

#[test]
fn fmt_keeps_the_owner() {
    use std::os::unix::fs::MetadataExt;
    let (dir, real, formatted) = messy_dir();
    if std::fs::metadata(&real).unwrap().uid() != 0 {
        eprintln!("SKIP: giving a file to another user needs root");
        return;
    }
    // A user and group that need not exist: ids are enough.
    std::os::unix::fs::chown(&real, Some(4321), Some(4322)).unwrap();
    let ino = std::fs::metadata(&real).unwrap().ino();
    common::stackc()
        .arg("fmt")
        .arg(&real)
        .assert()
        .code(0)
        .stderr("");
    let meta = std::fs::metadata(&real).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4321, 4322), "owner kept");
    assert_ne!(meta.ino(), ino, "replaced atomically by a new file");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), formatted);
    assert_eq!(names_in(dir.path()), ["messy.stack"]);
}

#[test]
fn fmt_does_not_rewrite_a_formatted_file() {
    use std::os::unix::fs::MetadataExt;
    let (_dir, real, formatted) = messy_dir();
    std::fs::write(&real, &formatted).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&real)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let before = std::fs::metadata(&real).unwrap();
    common::stackc().arg("fmt").arg(&real).assert().code(0);
    let after = std::fs::metadata(&real).unwrap();
    assert_eq!(after.ino(), before.ino());
    assert_eq!(after.modified().unwrap(), old, "not written");
}

#[test]
fn fmt_refuses_what_is_not_a_regular_file() {
    // A fifo is read, but there is no file to rewrite: fmt says so instead
    // of putting a regular file in its place.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.stack");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let _ = f.write_all(b"server  box: nginx 10.0.0.1\n");
        })
    };
    common::stackc()
        .arg("fmt")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a regular file"));
    writer.join().unwrap();
}

/// Runs `stackc fmt PATH` as user and group 65534 (nobody), from root;
/// `None` when the test does not run as root or setpriv is missing.
fn fmt_as_nobody(path: &std::path::Path) -> Option<std::process::Output> {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::tempfile().ok()?;
    if probe.metadata().ok()?.uid() != 0 || !common::require_tool("setpriv") {
        eprintln!("SKIP: running fmt as another user needs root and setpriv");
        return None;
    }
    Some(
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("stackc"))
            .arg("fmt")
            .arg(path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    )
}

/// A messy file that user 65534 reaches: the folder's mode and owner, the
/// file's mode and owner.
fn nobody_case(
    dir_mode: u32,
    dir_owner: u32,
    file_mode: u32,
    file_owner: u32,
) -> (tempfile::TempDir, std::path::PathBuf, String) {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path, formatted) = messy_dir();
    std::os::unix::fs::chown(&path, Some(file_owner), Some(file_owner)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file_mode)).unwrap();
    std::os::unix::fs::chown(dir.path(), Some(dir_owner), Some(dir_owner)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(dir_mode)).unwrap();
    (dir, path, formatted)
}

#[test]
fn fmt_by_another_user_keeps_the_owner_in_place() {
    use std::os::unix::fs::MetadataExt;
    // Root's file, writable by all, in a folder all may write.
    let (dir, path, formatted) = nobody_case(0o777, 0, 0o666, 0);
    let Some(out) = fmt_as_nobody(&path) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("belongs to another user: rewritten in place"),
        "{stderr}"
    );
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, 0), "still root's");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), formatted);
    assert_eq!(names_in(dir.path()), ["messy.stack"]);
}

#[test]
fn fmt_in_a_folder_it_cannot_write_rewrites_in_place() {
    // nobody's file in root's folder (not writable by nobody).
    let (dir, path, formatted) = nobody_case(0o755, 0, 0o644, 65534);
    let Some(out) = fmt_as_nobody(&path) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot be written: rewritten in place"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), formatted);
    assert_eq!(names_in(dir.path()), ["messy.stack"]);
}

#[test]
fn fmt_leaves_a_file_it_may_not_write() {
    use std::os::unix::fs::MetadataExt;
    // Root's read-only file in a folder all may write: a rename would
    // replace it, but the user may not change it.
    let (dir, path, _) = nobody_case(0o777, 0, 0o644, 0);
    let before = std::fs::read_to_string(&path).unwrap();
    let Some(out) = fmt_as_nobody(&path) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("Permission denied"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_eq!(std::fs::metadata(&path).unwrap().uid(), 0);
    assert_eq!(names_in(dir.path()), ["messy.stack"]);
}
