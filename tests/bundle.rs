//! `stackc bundle` (BUNDLE.md): what is written, what is refused, secrets,
//! determinism and atomic output. The real daemons' checks of the files are
//! in `bundle_checks.rs`.

#[path = "support/bundles.rs"]
mod bundles;
mod common;
#[path = "support/designs.rs"]
mod designs;

use stackc::bundle::{self, Flavor, Manifest, Options, Secrets};
use stackc::diag::RuleId;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use bundles::{build, fixed_secrets, listing, manifest, read_tree, refusals, sample};
use common::stackc;

#[test]
fn snapshot_scale_up_mysql() {
    let b = build(&sample("scale-up.stack"), Flavor::Mysql);
    insta::assert_snapshot!("scale-up-mysql", listing(&b));
}

#[test]
fn snapshot_distributed_mariadb() {
    let b = build(&sample("distributed.stack"), Flavor::Mariadb);
    insta::assert_snapshot!("distributed-mariadb", listing(&b));
}

/// `site.yml` has a play for every role group of the inventory that has
/// hosts (each kit's module writes its own), deepest tier first, and
/// keepalived's last.
#[test]
fn every_role_of_the_inventory_has_its_play() {
    for (name, flavor) in [
        ("scale-up.stack", Flavor::Mysql),
        ("distributed.stack", Flavor::Mariadb),
        ("single-box.stack", Flavor::Mysql),
        ("secured-monitored.stack", Flavor::Mysql),
    ] {
        let b = build(&sample(name), flavor);
        let inv = String::from_utf8_lossy(&b.files["ansible/inventory.ini"].bytes).into_owned();
        let site = String::from_utf8_lossy(&b.files["ansible/site.yml"].bytes).into_owned();
        let plays: Vec<&str> = site
            .lines()
            .filter_map(|l| l.strip_prefix("  hosts: "))
            .collect();
        let roles: Vec<&str> = inv
            .lines()
            .filter_map(|l| l.strip_prefix("[role_")?.strip_suffix(']'))
            .collect();
        assert!(!roles.is_empty(), "{name}");
        for r in &roles {
            assert!(
                plays.contains(&format!("role_{r}").as_str()),
                "{name}: no play for {r}"
            );
        }
        // Deepest tier first: the database before the app, nginx, haproxy.
        let order: Vec<usize> = ["role_mysql", "role_app", "role_nginx", "role_haproxy"]
            .iter()
            .filter_map(|h| plays.iter().position(|p| p == h))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{name}: {plays:?}");
        if inv.contains("\n[keepalived]\n") {
            assert_eq!(plays.last(), Some(&"keepalived"), "{name}");
        }
    }
}

#[test]
fn the_library_is_deterministic() {
    for f in [Flavor::Mysql, Flavor::Mariadb] {
        assert_eq!(
            build(&sample("scale-up.stack"), f),
            build(&sample("scale-up.stack"), f)
        );
    }
}

#[test]
fn manifest_lists_every_file_with_its_sha256_and_secrets() {
    let b = build(&sample("scale-up.stack"), Flavor::Mysql);
    // Read back with the type the writer fills (and the CLI reads).
    let text = String::from_utf8(b.files["manifest.json"].bytes.clone()).unwrap();
    let m = Manifest::from_json(&text).unwrap();
    // Written and read by one type (and so no `"sha256": null` either).
    assert_eq!(m.to_json(), text);
    assert_eq!(m.generator, "stackc");
    assert_eq!(m.stack, "foobar");
    assert_eq!(
        m.files.len(),
        b.files.len() - 1,
        "every file but the manifest"
    );
    for f in &m.files {
        let path = f.path.as_str();
        let file = &b.files[path];
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(&file.bytes)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect::<String>()
        };
        if file.secret {
            // A hash of a secret file would let anyone test password
            // guesses offline: none.
            assert_eq!(f.sha256, None, "{path} has a hash");
        } else {
            assert_eq!(f.sha256.as_deref(), Some(digest.as_str()), "{path}");
        }
        assert_eq!(f.secret, file.secret, "{path}");
        assert_eq!(f.mode, format!("{:04o}", file.mode), "{path}");
    }
    assert_eq!(
        m.secret_files,
        m.files
            .iter()
            .filter(|f| f.secret)
            .map(|f| f.path.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(m.hosts.len(), 8);
    let lb = &m.hosts[0];
    assert_eq!(lb.name, "lb-01");
    assert_eq!(lb.vip.as_deref(), Some("203.0.113.10"));
    assert_eq!(lb.roles, ["haproxy", "keepalived"]);
}

#[test]
fn secrets_are_only_in_secret_files_which_are_0600() {
    let src = sample("scale-up.stack");
    let c = stackc::check(&src);
    let secrets = fixed_secrets(&c);
    let b = bundle::generate(&c, &Options::default(), &secrets).unwrap();
    let values: Vec<String> = secrets
        .keys()
        .map(|k| secrets.get(k).unwrap().to_string())
        .collect();
    assert_eq!(values.len(), 4, "vrrp lb, vrrp db, replication, app");
    for (path, f) in &b.files {
        let text = String::from_utf8_lossy(&f.bytes);
        let holds = values.iter().any(|v| text.contains(v.as_str()));
        assert_eq!(holds, f.secret, "{path}: holds a secret = {holds}");
        if f.secret {
            assert_eq!(f.mode, 0o600, "{path}");
        }
    }
}

#[test]
fn cli_writes_a_bundle_and_never_prints_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let tree = read_tree(&out);
    let secrets =
        Secrets::from_json(&String::from_utf8(tree["secrets.json"].0.clone()).unwrap()).unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for k in secrets.keys() {
        let v = secrets.get(k).unwrap();
        assert!(!printed.contains(v), "printed the secret {k}");
    }
    for (path, (bytes, mode)) in &tree {
        let text = String::from_utf8_lossy(bytes);
        let holds = secrets
            .keys()
            .any(|k| text.contains(secrets.get(k).unwrap()));
        if holds {
            assert_eq!(*mode, 0o600, "{path} holds a secret");
        }
    }
    assert_eq!(tree["secrets.json"].1, 0o600);
    assert_eq!(tree["hosts/lb-01/etc/keepalived/keepalived.conf"].1, 0o600);
    assert_eq!(
        tree["hosts/db-01/etc/keepalived/stackc-promote.sh"].1,
        0o755
    );
    assert_eq!(tree["hosts/lb-01/etc/haproxy/haproxy.cfg"].1, 0o644);
    // Fresh passwords each time without --secrets.
    let again = tmp.path().join("c");
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&again)
        .assert()
        .code(0);
    assert_ne!(read_tree(&again)["secrets.json"], tree["secrets.json"]);
}

#[test]
fn two_runs_with_the_same_secrets_give_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    stackc()
        .args([
            "bundle",
            "samples/scale-up.stack",
            "--flavor",
            "mariadb",
            "-o",
        ])
        .arg(&first)
        .assert()
        .code(0);
    let secrets = tmp.path().join("secrets.json");
    fs::copy(first.join("secrets.json"), &secrets).unwrap();
    let second = tmp.path().join("second");
    for out in [&second, &first] {
        stackc()
            .args([
                "bundle",
                "samples/scale-up.stack",
                "--flavor",
                "mariadb",
                "-o",
            ])
            .arg(out)
            .arg("--secrets")
            .arg(&secrets)
            .assert()
            .code(0);
    }
    let a = read_tree(&first);
    let b = read_tree(&second);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(b[k] == *v, "{k} differs between two runs");
    }
}

#[test]
fn reusing_secrets_from_the_bundle_being_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let before = read_tree(&out);
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .arg("--secrets")
        .arg(out.join("secrets.json"))
        .assert()
        .code(0);
    assert_eq!(read_tree(&out), before);
}

#[test]
fn bad_secrets_files_are_refused_without_showing_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let bad = tmp.path().join("s.json");
    fs::write(
        &bad,
        r#"{"generator":"stackc","secrets":{"vrrp/lb":"has space!"}}"#,
    )
    .unwrap();
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .arg("--secrets")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("vrrp/lb") && err.contains("malformed"),
        "{err}"
    );
    assert!(!err.contains("has space"), "{err}");
    assert!(!out.exists());
    fs::write(&bad, "not json").unwrap();
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .arg("--secrets")
        .arg(&bad)
        .assert()
        .code(2);
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .arg("--secrets")
        .arg(tmp.path().join("missing.json"))
        .assert()
        .code(2);
}

#[test]
fn exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    // Error findings other than spof: 1, nothing written.
    let o = stackc()
        .args(["bundle", "samples/scale-up-as-drawn.stack", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("replica-write"), "{err}");
    assert!(o.stdout.is_empty());
    assert!(!out.exists());
    // spof and zone-spof do not stop a bundle.
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    // Unreadable input, bad usage: 2.
    stackc()
        .args(["bundle", "samples/nope.stack", "-o"])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2);
    stackc()
        .args(["bundle", "samples/scale-up.stack"])
        .assert()
        .code(2);
    stackc()
        .args([
            "bundle",
            "samples/scale-up.stack",
            "--flavor",
            "oracle",
            "-o",
        ])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2);
    // Standard input.
    stackc()
        .args(["bundle", "-", "-o"])
        .arg(tmp.path().join("stdin"))
        .write_stdin(sample("single-box.stack"))
        .assert()
        .code(0);
}

#[test]
fn a_directory_that_is_not_a_bundle_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("precious");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    // A manifest.json that stackc did not write does not count.
    fs::write(out.join("manifest.json"), r#"{"name":"other"}"#).unwrap();
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .assert()
        .code(2);
    // A file is never replaced.
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    stackc()
        .args(["bundle", "samples/scale-up.stack", "--force", "-o"])
        .arg(&file)
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    // --force replaces the directory as a whole.
    stackc()
        .args(["bundle", "samples/scale-up.stack", "--force", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    assert!(!out.join("notes.txt").exists());
    assert!(out.join("manifest.json").exists());
    // Nothing is left beside it.
    let names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// A bundle is written in a temporary directory first: a failure while
/// writing (here the file size limit: first with the signal ignored, so
/// `write` fails and stackc exits 2; then with the signal killing stackc
/// mid-write) leaves the earlier bundle as it was.
#[test]
fn a_failure_mid_write_leaves_dir_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let before = read_tree(&out);
    let bin = assert_cmd::cargo::cargo_bin("stackc");
    let scale_up = common::root().join("samples/scale-up.stack");
    // 4 KiB: README.md and site.yml of scale-up are larger.
    let graceful = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$0\" bundle \"$1\" -o \"$2\"")
        .arg(&bin)
        .arg(&scale_up)
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(graceful.status.code(), Some(2), "{graceful:?}");
    assert!(String::from_utf8_lossy(&graceful.stderr).contains("cannot write"));
    assert_eq!(read_tree(&out), before);
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "b")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let killed = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 4; exec \"$0\" bundle \"$1\" -o \"$2\"")
        .arg(&bin)
        .arg(&scale_up)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(killed.status.code(), None, "killed by SIGXFSZ: {killed:?}");
    assert_eq!(read_tree(&out), before);
    // The next run removes what the killed one left (its PID is gone).
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "b")
        .collect();
    assert!(
        leftovers.is_empty(),
        "stale temporaries left: {leftovers:?}"
    );
}

// ---- issue 9 -----------------------------------------------------------------

/// B3: VRRPv3 (IPv6 vips) has no authentication, so no password: the
/// keepalived files of IPv6 instances say `version 3` and hold no secret.
#[test]
fn ipv6_vrrp_instances_are_vrrpv3_without_a_password() {
    let c = stackc::check(designs::DUAL_STACK);
    let keys: Vec<String> = bundle::required_secrets(&c)
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert!(keys.contains(&"vrrp/lb4".to_string()), "{keys:?}");
    assert!(
        !keys.iter().any(|k| k == "vrrp/lb6" || k == "vrrp/db"),
        "{keys:?}"
    );
    let b = build(designs::DUAL_STACK, Flavor::Mariadb);
    for host in ["lb6-01", "lb6-02", "db-01", "db-02"] {
        let f = &b.files[&format!("hosts/{host}/etc/keepalived/keepalived.conf")];
        let text = String::from_utf8_lossy(&f.bytes);
        assert!(!text.contains("authentication"), "{host}:\n{text}");
        assert!(!text.contains("auth_pass"), "{host}");
        assert!(
            text.contains("\n    version 3\n") && text.contains("\n    native_ipv6\n"),
            "{host}:\n{text}"
        );
        assert!(!f.secret, "{host}: no password, no secret");
    }
    let v6 = String::from_utf8_lossy(&b.files["hosts/lb6-01/etc/keepalived/keepalived.conf"].bytes)
        .into_owned();
    assert!(v6.contains("unicast_src_ip 2001:db8::11\n") && v6.contains("2001:db8::12\n"));
    assert!(v6.contains("2001:db8::10/128 dev eth0"));
    let f = &b.files["hosts/lb4-01/etc/keepalived/keepalived.conf"];
    let v4 = String::from_utf8_lossy(&f.bytes);
    assert!(v4.contains("auth_type PASS") && !v4.contains("version 3"));
    assert!(f.secret);
}

/// C10: the title (and every name) reaches README.md as text, never as
/// Markdown or HTML.
#[test]
fn the_title_is_escaped_in_the_readme() {
    for (title, bad) in [
        ("x <!-- ", "<!--"),
        ("<script>alert(1)</script>", "<script>"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("a `code` [link](http://x) *em* | cell #", "[link]("),
    ] {
        let src = format!("stack foo \"{title}\"\nserver box: nginx 10.0.1.1\n");
        let b = build(&src, Flavor::Mysql);
        let readme = String::from_utf8_lossy(&b.files["README.md"].bytes).into_owned();
        let first = readme.lines().next().unwrap();
        assert!(!readme.contains(bad), "{title:?}:\n{first}");
        assert!(first.starts_with("# Bundle of foo: "), "{first}");
        // The rest of the README is still there.
        assert!(readme.contains("\n## Deploy\n"), "{title:?}");
        let m = manifest(&b);
        assert_eq!(
            m.title.as_deref(),
            Some(title),
            "the manifest keeps it as JSON"
        );
    }
    let b = build(
        "stack foo \"<b>&amp;</b> a_b*c\"\nserver box: nginx 10.0.1.1\n",
        Flavor::Mysql,
    );
    let readme = String::from_utf8_lossy(&b.files["README.md"].bytes).into_owned();
    assert!(
        readme.starts_with("# Bundle of foo: &lt;b&gt;&amp;amp;&lt;/b&gt; a\\_b\\*c\n"),
        "{readme}"
    );
}

fn serial_of(dir: &Path, domain: &str) -> u64 {
    let z = fs::read_to_string(dir.join(format!("dns/{domain}.zone"))).unwrap();
    z.lines()
        .find(|l| l.contains("; serial"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn set_mtime(path: &Path, secs: u64) {
    let f = fs::File::open(path).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap();
}

/// D11: the serial comes from the input: SOURCE_DATE_EPOCH, else the
/// file's modification time; the same input gives the same bytes in a
/// fresh directory, a changed zone a larger serial, and a rebuild never
/// goes below the replaced zone's serial + 1.
#[test]
fn zone_serials_come_from_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.stack");
    let bundle_to = |dir: &Path, epoch: Option<&str>| {
        let mut cmd = stackc();
        cmd.args(["bundle"]).arg(&file).arg("-o").arg(dir);
        cmd.env_remove("SOURCE_DATE_EPOCH");
        if let Some(e) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        cmd.assert().code(0);
    };
    let src = sample("scale-up.stack");
    fs::write(&file, &src).unwrap();
    set_mtime(&file, 1_700_000_000);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    bundle_to(&a, None);
    bundle_to(&b, None);
    assert_eq!(serial_of(&a, "foobar.com"), 1_700_000_000);
    assert_eq!(
        fs::read(a.join("dns/foobar.com.zone")).unwrap(),
        fs::read(b.join("dns/foobar.com.zone")).unwrap(),
        "same input, same bytes"
    );
    // Records change: the edit moves the file's time, a fresh DIR gets a
    // larger serial.
    fs::write(
        &file,
        src.replace(
            "  www A -> lb : https\n",
            "  www A -> lb : https\n  @ A -> lb : https\n",
        ),
    )
    .unwrap();
    set_mtime(&file, 1_700_000_500);
    let c = tmp.path().join("c");
    bundle_to(&c, None);
    assert_eq!(serial_of(&c, "foobar.com"), 1_700_000_500);
    // SOURCE_DATE_EPOCH wins over the file's time.
    let d = tmp.path().join("d");
    bundle_to(&d, Some("1800000000"));
    assert_eq!(serial_of(&d, "foobar.com"), 1_800_000_000);
    // Into `d` again with an earlier time: the changed zone still goes up.
    fs::write(&file, &src).unwrap();
    set_mtime(&file, 1_700_000_600);
    bundle_to(&d, None);
    assert_eq!(serial_of(&d, "foobar.com"), 1_800_000_001);
    // Unchanged records keep their serial whatever the time says.
    set_mtime(&file, 1_900_000_000);
    bundle_to(&d, None);
    assert_eq!(serial_of(&d, "foobar.com"), 1_800_000_001);
    // A bad SOURCE_DATE_EPOCH is a usage error.
    stackc()
        .args(["bundle"])
        .arg(&file)
        .arg("-o")
        .arg(tmp.path().join("e"))
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .assert()
        .code(2);
}

/// D12: rebuilding over a bundle without --secrets keeps its passwords
/// (and says so); keys that do not match the stack are named.
#[test]
fn rebuilding_reuses_the_bundles_secrets_and_names_stray_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let before = fs::read(out.join("secrets.json")).unwrap();
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("reusing the passwords of") && err.contains("secrets.json"),
        "{err}"
    );
    assert_eq!(
        fs::read(out.join("secrets.json")).unwrap(),
        before,
        "rotated"
    );
    // A secrets file with keys of another stack: named, and the missing
    // ones are drawn.
    let mut other = Secrets::from_json(&String::from_utf8(before.clone()).unwrap()).unwrap();
    other.insert("vrrp/old-lb", "abcdEFGH");
    other.insert("mysql/gone/app", "abcdefghijklmnopqrstuvwx");
    let path = tmp.path().join("other.json");
    fs::write(&path, other.to_json()).unwrap();
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .arg("--secrets")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning") && err.contains("vrrp/old-lb") && err.contains("mysql/gone/app"),
        "{err}"
    );
    assert!(!err.contains("abcdEFGH"), "printed a secret");
    assert!(!err.contains("reusing"), "{err}");
    // An earlier bundle without its secrets.json: new passwords, said.
    fs::remove_file(out.join("secrets.json")).unwrap();
    let o = stackc()
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("without secrets.json") && err.contains("new passwords"),
        "{err}"
    );
}

/// D13: replacing a bundle is one `renameat2(RENAME_EXCHANGE)` on Linux,
/// so DIR is never missing (no `rename(DIR, ...)` of the two-rename
/// swap). Seen with strace; skipped where strace cannot trace.
#[test]
fn replacing_a_bundle_is_one_atomic_exchange() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let log = tmp.path().join("trace");
    let bin = assert_cmd::cargo::cargo_bin("stackc");
    let traced = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=rename,renameat,renameat2", "-o"])
        .arg(&log)
        .arg(&bin)
        .args(["bundle", "samples/scale-up.stack", "-o"])
        .arg(&out)
        .output();
    let Some(traced) = traced.ok().filter(|o| o.status.success()) else {
        eprintln!("SKIP: strace cannot trace here");
        return;
    };
    assert!(
        out.join("hosts/lb-01/etc/haproxy/haproxy.cfg").is_file(),
        "{traced:?}"
    );
    let trace = fs::read_to_string(&log).unwrap();
    let dir = format!("\"{}\"", out.display());
    let calls: Vec<&str> = trace.lines().filter(|l| l.contains("rename")).collect();
    assert!(
        calls
            .iter()
            .any(|l| l.contains("RENAME_EXCHANGE") && l.contains(&dir)),
        "{trace}"
    );
    // DIR is never the source of a plain rename.
    for l in &calls {
        if let Some(args) = l.split_once('(').map(|(_, a)| a) {
            assert!(
                l.contains("RENAME_EXCHANGE") || !args.contains(&format!("{dir},")),
                "DIR moved away: {l}"
            );
        }
    }
}

/// D13: DIR a symlink to a bundle, an empty DIR, a manifest that only
/// says `{"generator":"stackc"}`, files the manifest does not list, and
/// temporaries of earlier runs.
#[test]
fn output_directory_edge_cases() {
    let tmp = tempfile::tempdir().unwrap();
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    // A symbolic link to a bundle: the bundle it points to is replaced,
    // the link stays, nothing is left beside them.
    let real = tmp.path().join("real");
    let link = tmp.path().join("link");
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&real)
        .assert()
        .code(0);
    std::os::unix::fs::symlink("real", &link).unwrap();
    for _ in 0..2 {
        let o = stackc()
            .args(["bundle", "samples/scale-up.stack", "-o"])
            .arg(&link)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{o:?}");
    }
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(real.join("hosts/lb-01/etc/haproxy/haproxy.cfg").is_file());
    assert_eq!(names(tmp.path()), ["link", "real"]);
    // An empty directory is accepted.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&empty)
        .assert()
        .code(0);
    assert!(empty.join("manifest.json").is_file());
    // A manifest that is only `{"generator":"stackc"}` is no bundle.
    let fake = tmp.path().join("fake");
    fs::create_dir(&fake).unwrap();
    fs::write(fake.join("manifest.json"), r#"{"generator":"stackc"}"#).unwrap();
    fs::write(fake.join("thesis.tex"), "mine").unwrap();
    let o = stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&fake)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(fake.join("thesis.tex")).unwrap(), "mine");
    // A real bundle holding a file of the user's: refused, naming it.
    fs::create_dir_all(empty.join("notes")).unwrap();
    fs::write(empty.join("notes/todo.txt"), "mine").unwrap();
    fs::write(empty.join("hosts/box/extra.conf"), "mine").unwrap();
    let o = stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("notes/") && err.contains("hosts/box/extra.conf") && err.contains("--force"),
        "{err}"
    );
    assert!(empty.join("notes/todo.txt").is_file());
    // Temporaries of an earlier run that died are removed; those of a
    // live process are not.
    let dead = tmp.path().join(".real.stackc-999999999-AbCd1234");
    let live = tmp
        .path()
        .join(format!(".real.stackc-{}-AbCd1234", std::process::id()));
    let legacy = tmp.path().join(".link.stackc-old-Xy12Ab");
    for d in [&dead, &live, &legacy] {
        fs::create_dir(d).unwrap();
        fs::write(d.join("partial"), "x").unwrap();
    }
    set_mtime(&legacy, 1_000_000_000);
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&link)
        .assert()
        .code(0);
    assert!(!dead.exists(), "a dead run's temporary stays");
    assert!(live.exists(), "a live run's temporary was removed");
    fs::remove_dir_all(&live).unwrap();
    // An hour-old leftover of an earlier version, named after the link.
    assert!(!legacy.exists(), "the legacy leftover stays");
    assert_eq!(names(tmp.path()), ["empty", "fake", "link", "real"]);
}

/// D13: SIGTERM mid-write leaves the earlier bundle and no temporary
/// directory. A large stack makes the write take long enough to be
/// caught in the middle.
#[test]
fn a_signal_mid_write_removes_the_temporary_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("big.stack");
    let mut src = String::from("stack big\ngroup app: app port=8000 {\n");
    for i in 0..3000 {
        src += &format!("  server app-{i} 10.1.{}.{}\n", i / 200, 1 + i % 200);
    }
    src += "}\n";
    fs::write(&file, &src).unwrap();
    let out = tmp.path().join("b");
    stackc()
        .args(["bundle", "samples/single-box.stack", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let before = read_tree(&out);
    for (sig, name) in [(15, "-TERM"), (2, "-INT")] {
        interrupt_mid_write(&file, &out, &before, sig, name);
    }
}

fn interrupt_mid_write(
    file: &Path,
    out: &Path,
    before: &BTreeMap<String, (Vec<u8>, u32)>,
    sig: i32,
    name: &str,
) {
    let tmp = out.parent().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("stackc");
    let mut caught = false;
    for _ in 0..5 {
        let mut child = std::process::Command::new(&bin)
            .args(["bundle"])
            .arg(file)
            .arg("-o")
            .arg(out)
            .arg("--force")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        // Wait until its temporary directory holds some files.
        let mut seen = false;
        while start.elapsed() < std::time::Duration::from_secs(20) {
            let busy = fs::read_dir(tmp).unwrap().flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(".b.stackc-")
                    && e.path().join("hosts").is_dir()
            });
            if busy {
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let pid = child.id().to_string();
        if seen {
            std::process::Command::new("kill")
                .args([name, &pid])
                .status()
                .unwrap();
        }
        let status = child.wait().unwrap();
        let leftovers: Vec<_> = fs::read_dir(tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "b" && n != "big.stack")
            .collect();
        assert!(leftovers.is_empty(), "{name}: left behind: {leftovers:?}");
        if seen && status.code().is_none() {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(sig));
            assert_eq!(
                read_tree(out),
                *before,
                "{name}: the earlier bundle changed"
            );
            caught = true;
            break;
        }
        // It finished first: start again from the small bundle.
        fs::remove_dir_all(out).unwrap();
        fs::create_dir(out).unwrap();
        for (path, (bytes, mode)) in before {
            let p = out.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, bytes).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(*mode)).unwrap();
        }
    }
    assert!(caught, "{name}: never caught the bundle mid-write");
}

/// E18: past the VRRP router ids, one finding naming the count and the
/// limit, not one per group.
#[test]
fn too_many_vrrp_groups_is_one_finding() {
    let mut src = String::new();
    for g in 0..300 {
        src += &format!(
            "group lb{g}: haproxy mode=active-passive vip=10.{}.{}.10 {{\n  server lb{g}-a 10.{}.{}.11\n  server lb{g}-b 10.{}.{}.12\n}}\n",
            1 + g / 250, g % 250, 1 + g / 250, g % 250, 1 + g / 250, g % 250
        );
    }
    let r = refusals(&src);
    assert_eq!(r.len(), 1, "{:#?}", &r[..r.len().min(3)]);
    assert_eq!(r[0].0, RuleId::BadValue);
    assert!(
        r[0].2.contains("300") && r[0].2.contains("205"),
        "{}",
        r[0].2
    );
}

/// A legal 253-character domain passes `check`, so `bundle` must write it:
/// its zone file gets a name short enough for the file system.
#[test]
fn the_longest_legal_domain_bundles() {
    let label = "a".repeat(63);
    let domain = format!("{label}.{label}.{label}.{}", "b".repeat(61));
    assert_eq!(domain.len(), 253);
    let src = format!(
        "server box: nginx+app+mysql 198.51.100.10\ndomain {domain} {{ @ A -> box }}\nallow spof box \"one box\"\n"
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("long.stack");
    std::fs::write(&file, &src).unwrap();
    stackc().arg("check").arg(&file).assert().code(0); // warnings only
    let out = tmp.path().join("b");
    let o = stackc()
        .args(["bundle", "--force"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let zones: Vec<String> = std::fs::read_dir(out.join("dns"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(zones.len(), 1, "{zones:?}");
    assert!(
        zones[0].len() <= 255 && zones[0].ends_with(".zone"),
        "{zones:?}"
    );
    let manifest =
        Manifest::from_json(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.zones[0].domain, domain.as_str());
    assert_eq!(manifest.zones[0].file, format!("dns/{}", zones[0]));
}
