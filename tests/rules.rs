//! One case per rule (tests/cases/RULE.stack): the rule is reported, and the
//! human report is pinned by an insta snapshot.

mod common;

use stackc::diag::RuleId;

#[test]
fn every_rule_has_a_case_and_the_case_reports_it() {
    let dir = common::root().join("tests/cases");
    // `drift` is reported only by `stackc drift FILE DIR` (a file against
    // the configs of a running stack), never by `check`: its cases are
    // src/drift/tests.rs (model against model) and tests/drift.rs (a
    // bundle with one thing changed).
    let checked = RuleId::ALL
        .iter()
        .filter(|r| r.phase() != stackc::diag::Phase::Drift);
    for rule in checked {
        let path = dir.join(format!("{}.stack", rule.as_str()));
        let src = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing case {}", path.display()));
        let found = common::rules_and_subjects(&src);
        assert!(
            found.iter().any(|(r, _)| r == rule.as_str()),
            "{} does not report {rule}: {found:?}",
            path.display()
        );
    }
}

#[test]
fn human_reports_of_every_case() {
    let dir = common::root().join("tests/cases");
    for path in common::stack_files(&dir) {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let shown = format!("tests/cases/{name}.stack");
        let report = common::human_report(&shown, &src);
        insta::assert_snapshot!(format!("case-{name}"), report);
    }
}

// ---- issue 9: findings of the model ---------------------------------------

fn findings(src: &str) -> Vec<stackc::diag::Finding> {
    stackc::check(src).findings
}

fn of_rule(src: &str, rule: &str) -> Vec<stackc::diag::Finding> {
    findings(src)
        .into_iter()
        .filter(|f| f.rule.as_str() == rule)
        .collect()
}

/// B5: a key repeated N times is one finding naming the count, on the first
/// repeat, and checking stays linear.
#[test]
fn a_repeated_attribute_or_role_is_one_finding_with_its_count() {
    let n = 20_000;
    let src = format!("server a: nginx 10.0.0.1 {}\n", "firewall ".repeat(n));
    let bad = of_rule(&src, "bad-value");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].message, format!("`firewall` is given {n} times"));
    let first_repeat = src.find("firewall firewall").unwrap() + "firewall ".len();
    assert_eq!(bad[0].span.start, first_repeat);
    assert_eq!(bad[0].subject_name(), Some("a"));

    let src = format!("server a: nginx{} 10.0.0.1\n", "+nginx".repeat(n));
    let bad = of_rule(&src, "bad-value");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(
        bad[0].message,
        format!("the role `nginx` is listed {} times", n + 1)
    );

    // Unknown keys and roles repeated: one finding each, too.
    let src = format!(
        "server a: nginx{} 10.0.0.1 {}\n",
        "+ngnix".repeat(50),
        "firewal ".repeat(50)
    );
    assert_eq!(of_rule(&src, "unknown-role").len(), 1);
    assert_eq!(of_rule(&src, "unknown-attribute").len(), 1);
    let twice = of_rule("server a: nginx 10.0.0.1 firewall firewall\n", "bad-value");
    assert_eq!(twice[0].message, "`firewall` is given twice");
}

/// E17: the subject is the server, group, zone, record or link source the
/// finding is about, never the offending token.
#[test]
fn static_findings_name_their_subject() {
    let src = "\
stack shop
group web: nginx+ngnix firewal zone=nowhere {
  server web-01 10.0.1.11 port=0
}
server app-01: app 10.0.2.11 color=red
web -> app-01 : http bogus
domain example.com ttl=x { www A -> web : https }
";
    let got: Vec<(String, String)> = common::rules_and_subjects(src)
        .into_iter()
        .filter(|(r, _)| r != "syntax")
        .collect();
    let want = [
        ("unknown-role", "web"),
        ("unknown-attribute", "web"),
        ("unknown-zone", "web"),
        ("bad-value", "web-01"),
        ("unknown-attribute", "app-01"),
        ("unknown-attribute", "web-01"),
        ("bad-value", "example.com"),
    ];
    for (rule, subject) in want {
        assert!(
            got.iter().any(|(r, s)| r == rule && s == subject),
            "no {rule} on {subject}: {got:?}"
        );
    }
    assert!(got.iter().all(|(_, s)| !s.is_empty()), "{got:?}");
    let stack = common::rules_and_subjects(
        "stack a-very-long-name-that-goes-on-and-on-and-on-and-on-past-sixty-three-chars\n",
    );
    assert_eq!(
        stack[0].1,
        "a-very-long-name-that-goes-on-and-on-and-on-and-on-past-sixty-three-chars"
    );
}

/// B7: addresses no host can have are refused as server addresses and vips.
#[test]
fn special_addresses_are_bad_values() {
    for ip in [
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.5",
        "127.0.0.1",
        "169.254.1.1",
        "0.1.2.3",
        "240.0.0.1",
        "::",
        "::1",
        "ff02::1",
        "fe80::1",
        "::ffff:10.0.0.1",
    ] {
        let server = format!("server a: nginx {ip}\n");
        let bad = of_rule(&server, "bad-value");
        assert!(
            bad.iter()
                .any(|f| f.message.contains(ip) && f.subject_name() == Some("a")),
            "{ip} as a server address: {bad:?}"
        );
        let vip = format!(
            "group lb: haproxy mode=active-passive vip={ip} {{\n  server lb-01 10.0.0.1\n  server lb-02 10.0.0.2\n}}\n"
        );
        let bad = of_rule(&vip, "bad-value");
        assert!(
            bad.iter()
                .any(|f| f.message.contains(ip) && f.subject_name() == Some("lb")),
            "{ip} as a vip: {bad:?}"
        );
    }
    for ip in [
        "10.0.0.1",
        "203.0.113.7",
        "198.51.100.1",
        "2001:db8::1",
        "fd00::1",
    ] {
        let server = format!("server a: nginx {ip}\n");
        assert!(of_rule(&server, "bad-value").is_empty(), "{ip} refused");
    }
}

/// B7: http or https to a target that serves neither is a bad value.
#[test]
fn http_to_a_mysql_only_target_is_a_bad_value() {
    let src = "\
server app-01: app 10.0.2.11
group db: mysql {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12
}
app-01 -> db : http
app-01 -> db-01 : https
app-01 -> db : mysql
";
    let bad = of_rule(src, "bad-value");
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].message.contains("`db` serves no http"), "{bad:?}");
    assert!(bad[1].message.contains("cannot be `https`"), "{bad:?}");
    assert_eq!(bad[0].subject_name(), Some("app-01"));
}

/// D14: DNS length limits, for the domain and for each `label.domain`.
#[test]
fn dns_names_and_labels_have_their_lengths_checked() {
    let label = "a".repeat(63);
    let domain = format!("{label}.{label}.{label}.{}", "b".repeat(61)); // 253
    assert_eq!(domain.len(), 253);
    let ok = format!("server w: nginx 10.0.0.1\ndomain {domain} {{ @ A -> w }}\n");
    assert!(of_rule(&ok, "bad-value").is_empty());
    let long = format!("server w: nginx 10.0.0.1\ndomain {domain}x {{ @ A -> w }}\n");
    let bad = of_rule(&long, "bad-value");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].message.contains("254 characters long"), "{bad:?}");
    // The domain fits, the record's full name does not.
    let rec = format!("server w: nginx 10.0.0.1\ndomain {domain} {{ www A -> w }}\n");
    let bad = of_rule(&rec, "bad-value");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(
        bad[0].subject_name(),
        Some(format!("www.{domain}").as_str())
    );
    let l64 = format!(
        "server w: nginx 10.0.0.1\ndomain example.com {{ {}x A -> w }}\n",
        label
    );
    let bad = of_rule(&l64, "bad-value");
    assert!(bad[0].message.contains("64 characters long"), "{bad:?}");
}

/// E18: duplicate records and domains, in any case and with a final dot,
/// and `allow` naming a record the same way.
#[test]
fn dns_names_are_canonical_everywhere() {
    let src = "\
server w: nginx 10.0.0.1 firewall monitor=agent
domain Foobar.COM. {
  www A -> w : https
  Www A -> w : https
}
domain foobar.com { api A -> w : https }
";
    let dups = of_rule(src, "duplicate-name");
    assert_eq!(dups.len(), 2, "{dups:?}");
    assert_eq!(dups[0].subject_name(), Some("www.foobar.com"));
    assert_eq!(dups[1].subject_name(), Some("foobar.com"));

    let src = "\
server w: nginx 10.0.0.1 firewall monitor=agent
domain Foobar.COM. { WWW A -> w : https }
allow spof WWW.Foobar.COM. \"one box for now\"
allow spof w \"one box for now\"
";
    let c = stackc::check(src);
    assert!(
        c.findings.iter().all(|f| f.rule.as_str() != "unknown-name"),
        "{:?}",
        c.findings
    );
    assert_eq!(c.model.domains[0].name, "foobar.com");
    assert_eq!(c.model.records[0].subject, "www.foobar.com");
}

/// E18: a syntax error drops only the findings the failed text explains.
#[test]
fn a_syntax_error_keeps_unrelated_findings() {
    let src = "\
server web-01 nginx 10.0.1.11
group db: mysql {
  server db-01 10.0.3.11
}
group dbx: mysql {
  server dbx-01 10.0.3.21
  server dbx-02 10.0.3.22 primary extra=\"x
}
web-01 -> db
web-01 -> typo
";
    let got = common::rules_and_subjects(src);
    // web-01 is named in the statement that failed: no unknown-name for it.
    assert!(
        !got.iter()
            .any(|(r, s)| r == "unknown-name" && s == "web-01"),
        "{got:?}"
    );
    // `typo` is named nowhere: kept.
    assert!(
        got.iter().any(|(r, s)| r == "unknown-name" && s == "typo"),
        "{got:?}"
    );
    // db has all its lines: its missing primary is real.
    assert!(
        got.iter().any(|(r, s)| r == "no-primary" && s == "db"),
        "{got:?}"
    );
    // dbx lost a member line: its no-primary may be the parse error's doing.
    assert!(
        !got.iter().any(|(r, s)| r == "no-primary" && s == "dbx"),
        "{got:?}"
    );
}

/// E18: the statement driver parses one statement at a time: what it
/// expects at the end is the end of the statement, not of the file.
#[test]
fn mid_file_syntax_errors_expect_the_end_of_the_statement() {
    let src = "zone a, b\nzone c\n";
    let f = &of_rule(src, "syntax")[0];
    assert!(
        f.message.contains("the end of the statement"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("end of the file"), "{}", f.message);
}

/// E19: checks the bundle made alone are made by `check`.
#[test]
fn check_reports_what_the_bundle_would_refuse() {
    let base = "server w4: nginx 10.0.0.1\nserver w6: nginx 2001:db8::1\n";
    let aaaa = format!("{base}domain example.com {{ www AAAA -> w4 : https }}\n");
    let bad = of_rule(&aaaa, "bad-value");
    assert!(
        bad.iter()
            .any(|f| f.message.contains("IPv4") && f.subject_name() == Some("www.example.com")),
        "{bad:?}"
    );
    let a = format!("{base}domain example.com {{ www A -> w6 : https }}\n");
    assert!(of_rule(&a, "bad-value")
        .iter()
        .any(|f| f.message.contains("IPv6")));
    let both =
        format!("{base}domain example.com {{ www A -> w4 : https\n v6 AAAA -> w6 : https }}\n");
    assert!(of_rule(&both, "bad-value").is_empty());

    let monitor = "server w: nginx 10.0.0.1 monitor=\"data dog\"\n";
    assert_eq!(of_rule(monitor, "bad-value").len(), 1);
    assert!(of_rule("server w: nginx 10.0.0.1 monitor=datadog\n", "bad-value").is_empty());

    for ttl in ["0", "-5", "2147483648", "99999999999999999999"] {
        let src =
            format!("server w: nginx 10.0.0.1\ndomain example.com ttl={ttl} {{ www A -> w }}\n");
        let bad: Vec<_> = findings(&src)
            .into_iter()
            .filter(|f| matches!(f.rule.as_str(), "bad-value" | "syntax"))
            .collect();
        assert_eq!(bad.len(), 1, "ttl={ttl}: {bad:?}");
    }
    let max = "server w: nginx 10.0.0.1\ndomain example.com ttl=2147483647 { www A -> w }\n";
    assert!(of_rule(max, "bad-value").is_empty());

    let read = "server a: app 10.0.2.1\nserver b: app 10.0.2.2\na -> b read\n";
    let w = of_rule(read, "ignored-attribute");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].subject_name(), Some("a"));
    let db = "server a: app 10.0.2.1\nserver d: mysql 10.0.3.1\na -> d read\n";
    assert!(of_rule(db, "ignored-attribute").is_empty());
}

/// E18: an empty group is a warning on the group.
#[test]
fn an_empty_group_is_a_warning() {
    let w = of_rule("group web: nginx { }\n", "empty-group");
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].subject_name(), Some("web"));
    assert!(of_rule(
        "group web: nginx {\n  server w 10.0.0.1\n}\n",
        "empty-group"
    )
    .is_empty());
}

// ---- issue 10: typed subjects ----------------------------------------------

/// A finding's subject says what it is about; the reports print its name.
#[test]
fn subjects_are_typed_and_print_their_names() {
    use stackc::diag::Subject;
    let src = "\
server a: nginx 10.0.0.1
server b: app 10.0.0.2
server c: app 10.0.0.3
a -> b
b -> c
c -> b
";
    let cyc = of_rule(src, "cycle");
    assert_eq!(
        cyc[0].subject,
        Some(Subject::Set(vec![
            Subject::Server("b".into()),
            Subject::Server("c".into())
        ]))
    );
    assert_eq!(cyc[0].subject_name(), Some("b"));

    let src = "\
zone z1
group web: nginx zone=z1 { server w1 10.0.0.1; server w2 10.0.0.2 }
server db: mysql 10.0.0.3 zone=z1
web -> db
domain example.com { www A -> web }
allow spof web \"members of a group are accepted through it\"
";
    let c = stackc::check(src);
    let subjects: Vec<_> = c
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.subject.clone()))
        .collect();
    assert!(
        subjects.contains(&("no-tls", Some(Subject::Record("www.example.com".into())))),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&("zone-spof", Some(Subject::Zone("z1".into())))),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&("spof", Some(Subject::Server("db".into())))),
        "{subjects:?}"
    );
    // `allow spof web` accepts nothing here: db is not in web.
    assert!(
        subjects.contains(&("unused-allow", Some(Subject::Group("web".into())))),
        "{subjects:?}"
    );
}

// ---- issue 10: the new roles' language -------------------------------------

/// `optional` adds no requirement, but the link still counts for `orphan`
/// reachability and for request loops.
#[test]
fn an_optional_link_adds_no_requirement_but_counts_for_orphan_and_cycle() {
    let src = "\
group web: nginx firewall monitor=agent { server web-01 10.0.1.11; server web-02 10.0.1.12 }
server cache-01: memcached 10.0.3.11 firewall monitor=agent
web -> cache-01 optional
domain example.com { www A -> web : https }
";
    let c = stackc::check(src);
    let rules: Vec<_> = c
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.subject_name().unwrap_or("")))
        .collect();
    assert!(!rules.contains(&("spof", "cache-01")), "{rules:?}");
    assert!(!rules.contains(&("orphan", "cache-01")), "{rules:?}");
    assert!(c.model.links[0].optional);

    let src = "\
server a: nginx 10.0.0.1
server b: app 10.0.0.2
a -> b optional
b -> a
";
    assert_eq!(of_rule(src, "cycle").len(), 1);
}

/// `: tcp` takes its port from the link or the target's `port=`; an
/// external service takes any protocol.
#[test]
fn tcp_links_need_a_port_and_external_takes_any_protocol() {
    let ok = "\
server app-01: app 10.0.2.11 firewall monitor=agent
server mail: external host=\"smtp.example.net\" port=587
server pay: external host=\"api.payments.example\"
app-01 -> mail : tcp
app-01 -> pay : postgres
app-01 -> pay : tcp 9000
";
    let c = stackc::check(ok);
    assert!(of_rule(ok, "bad-value").is_empty(), "{:?}", c.findings);
    let ports: Vec<(String, u16)> = c
        .model
        .links
        .iter()
        .map(|l| (l.targets[0].protocol.to_string(), l.targets[0].port))
        .collect();
    assert_eq!(
        ports,
        [
            ("tcp".to_string(), 587),
            ("postgres".to_string(), 5432),
            ("tcp".to_string(), 9000)
        ]
    );
    // `no-firewall`, `no-monitoring`, `shared-host` never name an external service.
    assert!(c
        .findings
        .iter()
        .all(|f| !matches!(f.subject_name(), Some("mail" | "pay"))
            || !matches!(
                f.rule.as_str(),
                "no-firewall" | "no-monitoring" | "shared-host"
            )));
    let bad = of_rule(
        "server a: app 10.0.0.1\nserver q: external host=\"q.example.net\"\na -> q : tcp\n",
        "bad-value",
    );
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].message.contains("needs a port"),
        "{}",
        bad[0].message
    );
}

/// A `host=` is checked as a DNS name; the external keeps it lowercase.
#[test]
fn external_host_is_a_dns_name() {
    let c = stackc::check("server pay: external host=\"API.Payments.Example.\"\n");
    assert_eq!(
        c.model.servers[0].host.as_deref(),
        Some("api.payments.example")
    );
    for bad in [
        "-api.example.com",
        "api_x.example.com",
        "localhost",
        "10.0.0.1",
        "a..b",
    ] {
        let src = format!("server pay: external host=\"{bad}\"\n");
        assert_eq!(of_rule(&src, "bad-value").len(), 1, "{bad}");
    }
    let long = format!(
        "server pay: external host=\"{}.example.com\"\n",
        "a".repeat(64)
    );
    assert_eq!(of_rule(&long, "bad-value").len(), 1);
}
