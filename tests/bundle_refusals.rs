//! What `stackc bundle` refuses (BUNDLE.md): a vip missing for failover,
//! servers without addresses, strings the target files cannot hold, names
//! DNS cannot serve; each refusal a finding at its value. Split from
//! `bundle.rs`, which keeps what is written.

#[path = "support/bundles.rs"]
mod bundles;
mod common;
#[path = "support/small_stacks.rs"]
mod small_stacks;

use bundles::{build, manifest, refusals, sample};
use stackc::bundle::{self, Flavor};
use stackc::diag::RuleId;
use std::fs;
use std::path::Path;

use common::stackc;

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

/// Every replicated role's failover=auto group needs its write vip (ROLES.md
/// §2: `vip` and `failover=auto` mean for redis and postgres what they mean
/// for mysql), and the message names the group's role from the table.
#[test]
fn failover_auto_without_vip_is_missing_vip_for_every_replicated_role() {
    for (role, proto) in [
        ("mysql", "mysql"),
        ("postgres", "postgres"),
        ("redis", "redis"),
    ] {
        let src = format!("server app: app 10.0.2.1\ngroup db: {role} failover=auto {{\n  server db-01 10.0.3.1 primary\n  server db-02 10.0.3.2\n}}\napp -> db : {proto}\n");
        let r = refusals(&src);
        let vip: Vec<_> = r.iter().filter(|f| f.0 == RuleId::MissingVip).collect();
        assert_eq!(vip.len(), 1, "{role}: {r:?}");
        assert_eq!(vip[0].1, "db");
        assert!(
            vip[0]
                .2
                .starts_with(&format!("the failover=auto {role} group `db` has no `vip`")),
            "{}",
            vip[0].2
        );
    }
}

/// The roles a refusal lists come from the table, not from a list written
/// in the message.
#[test]
fn refusals_name_the_roles_of_the_table() {
    let r = refusals(
        "server lb: haproxy 10.0.0.1\nserver app: app 10.0.2.1\nlb -> app : https 8000\ndomain example.com { www A -> lb : http }\n",
    );
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].2
            .contains("the bundle ends TLS in haproxy or nginx, not in the application"),
        "{}",
        r[0].2
    );
    // Past the VRRP router ids: the kinds of groups that take one.
    let mut src = String::new();
    for i in 0..206 {
        src.push_str(&format!(
            "group lb{i}: haproxy mode=active-passive vip=10.1.{i}.10 {{\n  server lb{i}-a 10.1.{i}.11\n  server lb{i}-b 10.1.{i}.12\n}}\n"
        ));
    }
    let r = refusals(&src);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].2.starts_with("the stack has 206 VRRP instances (active-passive groups and failover=auto redis, mysql or postgres groups)"),
        "{}",
        r[0].2
    );
    assert_eq!(r[0].1, "lb205");
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
    let m = manifest(&b);
    let unescaped = title.replace("\\\"", "\"");
    assert_eq!(m.title.as_deref(), Some(unescaped.as_str()));
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
            .env("SOURCE_DATE_EPOCH", "1")
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
