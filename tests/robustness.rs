//! No input makes stackc panic, and the statement driver agrees with the
//! whole-file grammar on what is valid.

use proptest::prelude::*;

const SAMPLE_LINES: &[&str] = &[
    "stack foobar \"foobar.com\"",
    "zone a",
    "zone b",
    "server box: nginx+app+mysql 198.51.100.10",
    "server lb-01: haproxy 10.0.0.11 zone=a firewall",
    "group web: nginx firewall monitor=agent {",
    "group lb: haproxy mode=active-passive vip=203.0.113.10 track {",
    "group db: mysql failover=auto vip=10.0.3.10 {",
    "  server web-01 10.0.1.11 zone=a",
    "  server db-01 10.0.3.11 primary",
    "  server db-02 10.0.3.12 replica",
    "}",
    "domain foobar.com ttl=300 {",
    "  www A -> lb : https",
    "  @ AAAA -> web",
    "lb -> web : http 80",
    "web -> app, db : mysql 3306 read",
    "app -> db",
    "web-01 -> web-01",
    "allow spof db \"reason\"",
    "server pay: external host=\"api.payments.example\" tier=app port=8443",
    "server bad: external 10.0.9.9 host=\"a..b\" tier=nowhere firewall",
    "server mix: nginx+external+memcached 10.0.9.10",
    "group kv: redis+postgres failover=auto vip=10.0.4.10 {",
    "group pg: postgres optional {",
    "  server pg-01 10.0.5.11 primary host=\"x.example\"",
    "app -> pay : tcp",
    "app -> kv : redis read optional",
    "app -> pay, kv : postgres 5432 optional",
    "web -> cache : memcached",
    "allow no-tls www.foobar.com \"\"",
    "# a comment",
    "",
    "{ } ; : -> , + = \" \\",
];

fn near_valid() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => proptest::sample::select(SAMPLE_LINES).prop_map(str::to_string),
        1 => "[ -~]{0,30}",
    ];
    proptest::collection::vec(line, 0..25)
        .prop_flat_map(|lines| {
            let text = lines.join("\n");
            let len = text.len();
            // Optionally cut or splice the text somewhere, byte-wise but on a
            // char boundary (the text is ASCII).
            (Just(text), 0..=len, 0..3u8)
        })
        .prop_map(|(text, cut, mode)| match mode {
            0 => text,
            1 => text[..cut].to_string(),
            _ => format!("{}}}{}", &text[..cut], &text[cut..]),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let c = stackc::check(&text);
        for f in &c.findings {
            prop_assert!(f.span.end <= text.len());
            prop_assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
        }
    }

    #[test]
    fn near_valid_text_never_panics_and_spans_are_in_bounds(text in near_valid()) {
        let c = stackc::check(&text);
        for f in &c.findings {
            prop_assert!(f.span.start <= f.span.end && f.span.end <= text.len(), "{:?} in {:?}", f, text);
            // CLI.md: every finding but `syntax` names what it is about.
            prop_assert!(f.rule == stackc::diag::RuleId::Syntax || f.subject.is_some(), "{:?} in {:?}", f, text);
            for l in &f.labels {
                prop_assert!(l.span.end <= text.len());
            }
        }
        // Reports render for every finding.
        let r = stackc::report::FileReport {
            path: "x.stack",
            source: &text,
            findings: &c.findings,
            suppressed: &c.suppressed,
            allow_reasons: vec![],
        };
        let _ = stackc::report::human::render(&r, stackc::report::human::Style { color: false, width: 80 });
        let _ = stackc::report::sarif::render(std::slice::from_ref(&r), None);
    }

    /// Issue 9 B5: however often keys repeat, one finding per repeated key.
    #[test]
    fn repeated_keys_give_one_finding_each(
        attrs in proptest::collection::vec(proptest::sample::select(&["firewall", "monitor=agent", "port=81", "firewal", "zone=a"][..]), 0..60),
        roles in proptest::collection::vec(proptest::sample::select(&["nginx", "app", "ngnix"][..]), 1..40),
    ) {
        let src = format!("zone a\nserver s: {} 10.0.0.1 {}\n", roles.join("+"), attrs.join(" "));
        let c = stackc::check(&src);
        let key = |a: &str| a.split('=').next().unwrap().to_string();
        let mut repeated = std::collections::BTreeSet::new();
        let mut seen = std::collections::BTreeSet::new();
        for k in attrs.iter().map(|a| key(a)).chain(roles.iter().map(|r| format!("role {r}"))) {
            if !seen.insert(k.clone()) {
                repeated.insert(k);
            }
        }
        let repeats = c.findings.iter().filter(|f| f.message.contains(" is given ") || f.message.contains(" is listed ")).count();
        prop_assert_eq!(repeats, repeated.len(), "{:?}", c.findings);
        let unknown = c.findings.iter().filter(|f| matches!(f.rule.as_str(), "unknown-attribute" | "unknown-role")).count();
        prop_assert!(unknown <= 2, "{:?}", c.findings);
    }

    #[test]
    fn driver_and_whole_file_grammar_agree(text in near_valid()) {
        let parsed = stackc::syntax::parse(&text);
        prop_assert_eq!(parsed.is_ok(), stackc::syntax::grammar_accepts(&text), "{:?}", text);
    }
}

#[test]
fn every_syntax_error_is_reported_in_one_run() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/syntax.stack"
    ))
    .unwrap();
    let parsed = stackc::syntax::parse(&src);
    assert_eq!(parsed.errors.len(), 4);
    // The good statements around them are kept: the group keeps web-01.
    let groups: Vec<_> = parsed
        .file
        .statements
        .iter()
        .filter_map(|s| match s {
            stackc::syntax::Statement::Group(g) => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].members.len(), 1);
    assert_eq!(groups[0].members[0].name.text, "web-01");
}

#[test]
fn unclosed_block_is_reported_and_the_next_statement_still_read() {
    let src = "group web: nginx {\n  server web-01 10.0.1.11\nzone a\nserver x: app 10.0.0.1\n";
    let parsed = stackc::syntax::parse(src);
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert!(parsed.errors[0].message.contains("never closed"));
    assert_eq!(parsed.file.statements.len(), 3);
}

#[test]
fn comments_are_kept_for_fmt() {
    let src = "# head\nzone a # trailing\nserver s: app \"#not\" # real\n";
    let parsed = stackc::syntax::parse(src);
    let texts: Vec<&str> = parsed
        .file
        .comments
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(texts, [" head", " trailing", " real"]);
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_fine() {
    let src = "\u{feff}zone a\r\nserver box: nginx 10.0.0.1 zone=a # c\r\ndomain example.com {\r\n  www A -> box\r\n}\r\n";
    let c = stackc::check(src);
    assert!(
        c.findings.iter().all(|f| f.rule.as_str() != "syntax"),
        "{:?}",
        c.findings
    );
    assert!(stackc::syntax::grammar_accepts(src));
    assert_eq!(c.model.servers.len(), 1);
}

/// A byte order mark counts only as the very first character: the
/// whole-file grammar once let implicit whitespace stand before it, and
/// disagreed with the statement driver (found by the `parse` fuzz target).
#[test]
fn a_byte_order_mark_is_only_the_first_character() {
    for src in [
        "\t\u{feff}",
        " \u{feff}zone a\n",
        "\u{feff}\u{feff}zone a\n",
        "zone a\n\u{feff}",
    ] {
        let parsed = stackc::syntax::parse(src);
        assert!(!parsed.errors.is_empty(), "{src:?} is not a stack file");
        assert!(!stackc::syntax::grammar_accepts(src), "{src:?}");
    }
    assert!(stackc::syntax::grammar_accepts("\u{feff} zone a\n"));
}
