//! The MySQL 8 flavor, checked without a MySQL 8 server (Debian has no
//! package for one; MariaDB runs the MariaDB flavor for real in
//! `bundle_checks.rs`). Every statement of the setup SQL and of the
//! failover scripts, and every option of the conf.d files, must match the
//! MySQL 8.0 Reference Manual's syntax, transcribed here: 15.7.1.3 CREATE
//! USER, 15.7.1.1 ALTER USER, 15.7.1.6 GRANT (static privileges), 15.4.2.2
//! CHANGE REPLICATION SOURCE TO, 15.4.2.4/15.4.2.5/15.4.2.8 RESET, START,
//! STOP REPLICA, 7.1.8 SET GLOBAL, and the server option reference (7.1.7,
//! 19.1.6).

mod common;
#[path = "support/small_stacks.rs"]
mod small_stacks;

use stackc::bundle::{self, Bundle, Flavor, Options, Secrets};

fn bundle_of(src: &str) -> Bundle {
    let c = stackc::check(src);
    let mut secrets = Secrets::new();
    let mut n = 0u8;
    secrets
        .fill(&bundle::required_secrets(&c), |b: &mut [u8]| {
            for x in b.iter_mut() {
                n = n.wrapping_add(37);
                *x = n;
            }
            Ok::<(), ()>(())
        })
        .unwrap();
    bundle::generate(
        &c,
        &Options {
            flavor: Flavor::Mysql,
            ..Options::default()
        },
        &secrets,
    )
    .unwrap()
}

/// Statements of a SQL file or of a shell script's here-document.
fn statements(text: &str) -> Vec<String> {
    let body: String = if text.starts_with("#!") {
        let start = text.find("<<'SQL'\n").expect("here-document") + 8;
        let end = text[start..].find("\nSQL\n").expect("end") + start;
        text[start..end].to_string()
    } else {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    body.split(';')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// `'text'` without quotes or backslashes inside; the rest after it.
fn quoted(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('\'')?;
    let end = rest.find('\'')?;
    let inner = &rest[..end];
    (!inner.contains('\\')).then_some(&rest[end + 1..])
}

/// `'user'@'host'`, the rest after it.
fn account(s: &str) -> Option<&str> {
    let rest = quoted(s)?;
    quoted(rest.strip_prefix('@')?)
}

/// MySQL 8.0 static privileges (GRANT, "Permissible Static Privileges").
const PRIVILEGES: &[&str] = &[
    "ALTER",
    "ALTER ROUTINE",
    "CREATE",
    "CREATE ROLE",
    "CREATE ROUTINE",
    "CREATE TABLESPACE",
    "CREATE TEMPORARY TABLES",
    "CREATE USER",
    "CREATE VIEW",
    "DELETE",
    "DROP",
    "DROP ROLE",
    "EVENT",
    "EXECUTE",
    "FILE",
    "GRANT OPTION",
    "INDEX",
    "INSERT",
    "LOCK TABLES",
    "PROCESS",
    "REFERENCES",
    "RELOAD",
    "REPLICATION CLIENT",
    "REPLICATION SLAVE",
    "SELECT",
    "SHOW DATABASES",
    "SHOW VIEW",
    "SHUTDOWN",
    "SUPER",
    "TRIGGER",
    "UPDATE",
    "USAGE",
];

/// CHANGE REPLICATION SOURCE TO options used, and their value types.
const SOURCE_OPTIONS: &[(&str, &str)] = &[
    ("SOURCE_HOST", "string"),
    ("SOURCE_PORT", "port"),
    ("SOURCE_USER", "string"),
    ("SOURCE_PASSWORD", "string"),
    ("SOURCE_CONNECT_RETRY", "number"),
    ("SOURCE_SSL", "bool"),
    ("SOURCE_AUTO_POSITION", "bool"),
];

fn mysql8_statement(st: &str) -> Result<(), String> {
    let bad = || Err(format!("not MySQL 8.0 syntax: {st}"));
    if let Some(rest) = st.strip_prefix("CREATE DATABASE IF NOT EXISTS `") {
        let ok = rest.ends_with('`') && !rest[..rest.len() - 1].contains('`');
        return if ok { Ok(()) } else { bad() };
    }
    for prefix in ["CREATE USER IF NOT EXISTS ", "ALTER USER "] {
        if let Some(rest) = st.strip_prefix(prefix) {
            let Some(rest) = account(rest) else {
                return bad();
            };
            let Some(rest) = rest.strip_prefix(" IDENTIFIED WITH caching_sha2_password BY ") else {
                return bad();
            };
            return if quoted(rest) == Some("") {
                Ok(())
            } else {
                bad()
            };
        }
    }
    if let Some(rest) = st.strip_prefix("GRANT ") {
        let Some((privs, rest)) = rest.split_once(" ON ") else {
            return bad();
        };
        if !privs.split(", ").all(|p| PRIVILEGES.contains(&p)) {
            return bad();
        }
        let Some((level, who)) = rest.split_once(" TO ") else {
            return bad();
        };
        let level_ok = level == "*.*"
            || (level.starts_with('`')
                && level.ends_with("`.*")
                && level.matches('`').count() == 2);
        return if level_ok && account(who) == Some("") {
            Ok(())
        } else {
            bad()
        };
    }
    if let Some(rest) = st.strip_prefix("CHANGE REPLICATION SOURCE TO ") {
        let mut seen = Vec::new();
        for opt in rest.split(", ") {
            let Some((k, v)) = opt.split_once(" = ") else {
                return bad();
            };
            let Some((_, kind)) = SOURCE_OPTIONS.iter().find(|(name, _)| *name == k) else {
                return bad();
            };
            let ok = match *kind {
                "string" => quoted(v) == Some(""),
                "port" => v.parse::<u16>().is_ok_and(|p| p > 0),
                "number" => v.parse::<u32>().is_ok(),
                _ => v == "0" || v == "1",
            };
            if !ok || seen.contains(&k) {
                return bad();
            }
            seen.push(k);
        }
        // GTID auto-positioning needs the host and the account.
        let needed = [
            "SOURCE_HOST",
            "SOURCE_USER",
            "SOURCE_PASSWORD",
            "SOURCE_AUTO_POSITION",
        ];
        return if needed.iter().all(|k| seen.contains(k)) {
            Ok(())
        } else {
            bad()
        };
    }
    match st {
        "START REPLICA"
        | "STOP REPLICA"
        | "RESET REPLICA ALL"
        | "SET GLOBAL read_only = ON"
        | "SET GLOBAL read_only = OFF" => Ok(()),
        _ => bad(),
    }
}

/// Server options of the conf.d file and the values MySQL 8.0 takes.
fn mysql8_option(key: &str, value: Option<&str>) -> bool {
    let on_off = |v: Option<&str>| matches!(v, Some("ON" | "OFF"));
    let number = |v: Option<&str>| v.is_some_and(|v| v.parse::<u64>().is_ok());
    match key {
        "server_id" => value.is_some_and(|v| v.parse::<u32>().is_ok_and(|n| n > 0)),
        "bind-address" => value.is_some_and(|v| v.parse::<std::net::IpAddr>().is_ok()),
        "port" => value.is_some_and(|v| v.parse::<u16>().is_ok_and(|p| p > 0)),
        "skip-name-resolve" => value.is_none(),
        "log_bin" | "relay_log" => value.is_some_and(|v| {
            !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }),
        "binlog_format" => value == Some("ROW"),
        "binlog_expire_logs_seconds" => number(value),
        "gtid_mode" => value == Some("ON"),
        "enforce_gtid_consistency" => value == Some("ON"),
        "log_replica_updates" | "read_only" => on_off(value),
        _ => false,
    }
}

fn mysql8_files() -> Vec<(String, Bundle)> {
    let mut out = Vec::new();
    for path in common::stack_files(&common::root().join("samples")) {
        let src = std::fs::read_to_string(&path).unwrap();
        if bundle::validate(&stackc::check(&src)).is_empty() {
            out.push((path.display().to_string(), bundle_of(&src)));
        }
    }
    for seed in 0..400 {
        let src = small_stacks::small_stack(seed);
        if bundle::validate(&stackc::check(&src)).is_empty() {
            out.push((format!("small stack {seed}"), bundle_of(&src)));
        }
    }
    out
}

/// Whether a bundle file is on a host of MySQL (one with files under
/// `/etc/mysql/`): a PostgreSQL or Redis host's SQL and notify scripts are
/// not MySQL's.
fn on_a_mysql_host(b: &bundle::Bundle, path: &str) -> bool {
    let Some(host) = path
        .strip_prefix("hosts/")
        .and_then(|r| r.split('/').next())
    else {
        return true;
    };
    let prefix = format!("hosts/{host}/etc/mysql/");
    b.files.keys().any(|k| k.starts_with(&prefix))
}

#[test]
fn mysql8_statements_follow_the_reference_manual() {
    let mut checked = 0;
    for (sample, b) in mysql8_files() {
        for (path, f) in &b.files {
            let sql = path.ends_with(".sql")
                || path.ends_with("stackc-promote.sh")
                || path.ends_with("stackc-demote.sh");
            if !sql || !on_a_mysql_host(&b, path) {
                continue;
            }
            for st in statements(&String::from_utf8_lossy(&f.bytes)) {
                mysql8_statement(&st).unwrap_or_else(|e| panic!("{sample}: {path}: {e}"));
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked} statements");
}

#[test]
fn mysql8_options_follow_the_reference_manual() {
    let mut checked = 0;
    for (sample, b) in mysql8_files() {
        for (path, f) in &b.files {
            if !path.ends_with("/etc/mysql/mysql.conf.d/stackc.cnf") {
                continue;
            }
            let text = String::from_utf8_lossy(&f.bytes);
            let mut groups = Vec::new();
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if line.starts_with('[') {
                    groups.push(line.to_string());
                    continue;
                }
                let (k, v) = match line.split_once(" = ") {
                    Some((k, v)) => (k, Some(v)),
                    None => (line, None),
                };
                assert!(mysql8_option(k, v), "{sample}: {path}: `{line}`");
                checked += 1;
            }
            assert_eq!(groups, ["[mysqld]"], "{path}");
        }
    }
    assert!(checked > 20);
}

#[test]
fn the_mysql8_checks_reject_what_mysql8_would() {
    for st in [
        "CHANGE MASTER TO MASTER_HOST = '10.0.0.1'",
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.1', MASTER_USE_GTID = slave_pos",
        "CREATE USER IF NOT EXISTS 'a'@'b' IDENTIFIED BY 'x' OR 1",
        "GRANT ALL EVERYTHING ON *.* TO 'a'@'b'",
        "START SLAVE UNTIL",
    ] {
        assert!(mysql8_statement(st).is_err(), "{st}");
    }
    assert!(!mysql8_option("gtid_strict_mode", Some("ON")));
    assert!(!mysql8_option("binlog_format", Some("STATEMENT")));
}
