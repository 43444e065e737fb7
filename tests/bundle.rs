//! `stackc bundle` (BUNDLE.md): what is written, what is refused, secrets,
//! determinism and atomic output. The real daemons' checks of the files are
//! in `bundle_checks.rs`.

mod common;
#[path = "support/small_stacks.rs"]
mod small_stacks;

use stackc::bundle::{self, Bundle, Flavor, Options, Refusal, Secrets};
use stackc::diag::RuleId;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::stackc;

fn sample(name: &str) -> String {
    fs::read_to_string(common::root().join("samples").join(name)).unwrap()
}

/// Passwords from a fixed sequence, so that snapshots are stable.
fn fixed_secrets(checked: &stackc::Checked) -> Secrets {
    let mut s = Secrets::new();
    let mut n: u32 = 7;
    s.fill(&bundle::required_secrets(checked), |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *b = (n >> 16) as u8;
        }
        Ok::<(), ()>(())
    })
    .unwrap();
    s
}

fn build(src: &str, flavor: Flavor) -> Bundle {
    let c = stackc::check(src);
    let secrets = fixed_secrets(&c);
    match bundle::generate(
        &c,
        &Options {
            flavor,
            ..Options::default()
        },
        &secrets,
    ) {
        Ok(b) => b,
        Err(Refusal::Findings(f)) => panic!("refused: {f:#?}"),
        Err(Refusal::Secrets(e)) => panic!("secrets: {e}"),
    }
}

/// Every file of a bundle as one text, for a snapshot.
fn listing(b: &Bundle) -> String {
    let mut out = String::new();
    for (path, f) in &b.files {
        out.push_str(&format!(
            "===== {path} ({:04o}{})\n",
            f.mode,
            if f.secret { ", secret" } else { "" }
        ));
        out.push_str(&String::from_utf8_lossy(&f.bytes));
    }
    out
}

fn read_tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                out.insert(rel, (fs::read(&p).unwrap(), mode));
            }
        }
    }
    out
}

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
    let m: serde_json::Value = serde_json::from_slice(&b.files["manifest.json"].bytes).unwrap();
    assert_eq!(m["generator"], "stackc");
    assert_eq!(m["stack"], "foobar");
    let files = m["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        b.files.len() - 1,
        "every file but the manifest"
    );
    for f in files {
        let path = f["path"].as_str().unwrap();
        let file = &b.files[path];
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(&file.bytes)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect::<String>()
        };
        assert_eq!(f["sha256"], digest.as_str(), "{path}");
        assert_eq!(f["secret"], file.secret, "{path}");
    }
    let hosts = m["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 8);
    let lb = &hosts[0];
    assert_eq!(lb["name"], "lb-01");
    assert_eq!(lb["vip"], "203.0.113.10");
    assert_eq!(lb["roles"], serde_json::json!(["haproxy", "keepalived"]));
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
}

fn refusals(src: &str) -> Vec<(RuleId, String, String)> {
    let c = stackc::check(src);
    bundle::validate(&c)
        .into_iter()
        .map(|f| {
            let at = src[f.span.start..f.span.end].to_string();
            (f.rule, at, f.message)
        })
        .collect()
}

#[test]
fn failover_auto_without_vip_is_missing_vip() {
    let src = "server app: app 10.0.2.1\ngroup db: mysql failover=auto {\n  server db-01 10.0.3.1 primary\n  server db-02 10.0.3.2\n}\napp -> db\n";
    // check accepts the group: only spof findings, which bundle allows.
    assert!(bundle::blocking_findings(&stackc::check(src)).is_empty());
    let r = refusals(src);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, RuleId::MissingVip);
    assert_eq!(r[0].1, "db");
    let tmp = tempfile::tempdir().unwrap();
    let o = stackc()
        .args(["bundle", "-", "-o"])
        .arg(tmp.path().join("b"))
        .write_stdin(src)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing-vip"));
}

#[test]
fn servers_without_address_are_refused() {
    let r = refusals("server box: nginx\n");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, RuleId::BadValue);
    assert_eq!(r[0].1, "box");
    assert!(r[0].2.contains("no address"), "{}", r[0].2);
}

/// Adversarial strings in every string attribute: refused with a finding
/// on the attribute's value, or (the title, which reaches no config file)
/// written where JSON and Markdown hold it safely.
#[test]
fn adversarial_strings_are_refused_at_their_value() {
    let payloads = [
        r#"x\"; include /etc/passwd"#,
        "x; y",
        "x { y }",
        "x}",
        "x{",
        "x # y",
        r"x\\n  server evil 1.2.3.4",
        "$HOME",
        "%n",
        "x'y",
        "x\ty",
    ];
    for p in payloads {
        for (attr, line) in [
            (
                "monitor",
                format!("server web: nginx 10.0.1.1 monitor=\"{p}\""),
            ),
            (
                "runtime",
                format!("server web: app 10.0.1.1 runtime=\"{p}\""),
            ),
            (
                "command",
                format!("server web: app 10.0.1.1 command=\"/bin/run {p}\""),
            ),
            (
                "health",
                format!("server web: nginx 10.0.1.1 health=\"/h{p}\""),
            ),
            (
                "monitor",
                format!("group web: nginx monitor=\"{p}\" {{\n  server web-01 10.0.1.1\n}}"),
            ),
        ] {
            let src = format!("{line}\n");
            let r = refusals(&src);
            assert!(
                r.iter()
                    .any(|(rule, at, _)| *rule == RuleId::BadValue && at.starts_with('"')),
                "{attr}={p:?} was not refused at its value: {r:?}"
            );
        }
    }
}

#[test]
fn an_adversarial_title_stays_in_the_readme_and_manifest() {
    let title = r#"a\" } ; # {{ x }} {% if %} $HOME %n"#;
    let src = format!("stack foo \"{title}\"\nserver box: nginx 10.0.1.1\n");
    let b = build(&src, Flavor::Mysql);
    let m: serde_json::Value = serde_json::from_slice(&b.files["manifest.json"].bytes).unwrap();
    let unescaped = title.replace("\\\"", "\"");
    assert_eq!(m["title"], unescaped.as_str());
    for (path, f) in &b.files {
        if path != "README.md" && path != "manifest.json" {
            assert!(
                !String::from_utf8_lossy(&f.bytes).contains("{{ x }}"),
                "{path} holds the title"
            );
        }
    }
    // A control character is refused.
    let r = refusals("stack foo \"a\u{7}b\"\nserver box: nginx 10.0.1.1\n");
    assert_eq!(r.len(), 1);
    assert!(r[0].2.contains("title"));
}

#[test]
fn safe_values_are_written_as_given() {
    let src = "stack shop\nserver app-01: app 10.0.2.1 port=9000 runtime=python3.11 command=\"/usr/bin/gunicorn -w 4 -b 10.0.2.1:9000 shop.wsgi:app\" health=\"/status/live\" monitor=datadog-agent\n";
    let b = build(src, Flavor::Mysql);
    let unit =
        String::from_utf8_lossy(&b.files["hosts/app-01/etc/systemd/system/shop-app.service"].bytes)
            .into_owned();
    assert!(unit.contains("\nExecStart=/usr/bin/gunicorn -w 4 -b 10.0.2.1:9000 shop.wsgi:app\n"));
    let env =
        String::from_utf8_lossy(&b.files["hosts/app-01/etc/default/shop-app"].bytes).into_owned();
    assert!(env.contains("\nPORT=9000\n") && env.contains("\nHEALTH_PATH=/status/live\n"));
    assert!(env.contains("\nRUNTIME=python3.11\n"));
    let inv = String::from_utf8_lossy(&b.files["ansible/inventory.ini"].bytes).into_owned();
    assert!(inv.contains("app-01 ansible_host=10.0.2.1 stackc_monitor=datadog-agent\n"));
}

/// Random small stacks, sound or not: `validate` never panics, and when it
/// accepts a stack, `generate` does not panic either and is deterministic.
#[test]
fn random_stacks_never_panic() {
    let mut accepted = 0;
    for seed in 0..1500 {
        let s = small_stacks::small_stack(seed);
        let c = stackc::check(&s);
        if !bundle::validate(&c).is_empty() {
            continue;
        }
        accepted += 1;
        let flavor = if seed % 2 == 0 {
            Flavor::Mysql
        } else {
            Flavor::Mariadb
        };
        assert!(
            build(&s, flavor) == build(&s, flavor),
            "not deterministic:\n{s}"
        );
    }
    assert!(accepted > 20, "only {accepted} random stacks were accepted");
}

/// Rebuilding into the same directory keeps a zone's serial while its
/// records stay the same, and raises it when they change.
#[test]
fn zone_serials_move_with_their_records() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.stack");
    let out = tmp.path().join("b");
    let serial = |dir: &Path| -> String {
        let z = fs::read_to_string(dir.join("dns/foobar.com.zone")).unwrap();
        z.lines()
            .find(|l| l.contains("; serial"))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let bundle_to = |dir: &Path| {
        stackc()
            .args(["bundle"])
            .arg(&file)
            .arg("-o")
            .arg(dir)
            .assert()
            .code(0);
    };
    let src = sample("scale-up.stack");
    fs::write(&file, &src).unwrap();
    bundle_to(&out);
    assert_eq!(serial(&out), "1");
    bundle_to(&out);
    assert_eq!(serial(&out), "1", "unchanged records keep the serial");
    fs::write(
        &file,
        src.replace(
            "  www A -> lb : https\n",
            "  www A -> lb : https\n  @ A -> lb : https\n",
        ),
    )
    .unwrap();
    bundle_to(&out);
    assert_eq!(serial(&out), "2", "changed records raise it");
    bundle_to(&out);
    assert_eq!(serial(&out), "2");
    let elsewhere = tmp.path().join("c");
    bundle_to(&elsewhere);
    assert_eq!(serial(&elsewhere), "1");
}

#[test]
fn dns_names_must_be_host_names() {
    for (src, at) in [
        (
            "server a: nginx 10.0.0.1\ndomain ex_ample.com { www A -> a }\n",
            "ex_ample.com",
        ),
        (
            "server a: nginx 10.0.0.1\ndomain example.com { w_w A -> a }\n",
            "w_w",
        ),
        (
            "server a: nginx 10.0.0.1\ndomain example.com { www- A -> a }\n",
            "www-",
        ),
    ] {
        let r = refusals(src);
        assert!(
            r.iter().any(|(rule, s, m)| *rule == RuleId::BadValue
                && s == at
                && m.contains("host name")),
            "{src}: {r:?}"
        );
    }
}
