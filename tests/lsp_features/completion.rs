//! Completion: keywords, roles, attributes and values, names, rules and subjects.

use super::*;

// ---- completion -----------------------------------------------------------

/// The labels offered at the end of `typed`, appended to `base` (which is
/// checked as the last good snapshot).
fn offered(base: &str, typed: &str) -> Vec<String> {
    let good = snap(base);
    let text = format!("{base}{typed}");
    completion::in_text(&text, &good.checked)
        .into_iter()
        .map(|i| i.label)
        .collect()
}

fn has(got: &[String], want: &[&str]) -> bool {
    want.iter().all(|w| got.iter().any(|g| g == w))
}

#[test]
fn completion_at_the_start_of_a_line_gives_keywords_and_names() {
    let got = offered(SMALL, "");
    assert!(
        has(
            &got,
            &["stack", "zone", "server", "group", "domain", "allow", "lb", "web-01", "lb-01"]
        ),
        "{got:?}"
    );
    assert!(
        !got.contains(&"a".to_string()),
        "zones start no statement: {got:?}"
    );
    // Inside a group: members.
    assert_eq!(
        offered("group g: nginx {\n  server g-01 10.0.0.1\n", "  "),
        vec!["server"]
    );
    // In a comment or a string: nothing.
    assert!(offered(SMALL, "# zo").is_empty());
    assert!(offered(SMALL, "allow spof web-01 \"one ").is_empty());
}

#[test]
fn completion_lists_roles_from_the_roles_table() {
    let roles: Vec<&str> = stackc::model::ROLES.iter().map(|r| r.name).collect();
    for typed in [
        "server x: ",
        "server x:",
        "server x: ng",
        "server x: nginx+",
        "group g: ",
        "group g : my",
    ] {
        assert_eq!(offered(SMALL, typed), roles, "{typed:?}");
    }
    let good = snap(SMALL);
    let items = completion::in_text(&format!("{SMALL}server x: "), &good.checked);
    let nginx = items.iter().find(|i| i.label == "nginx").unwrap();
    assert!(nginx.detail.is_some() && nginx.documentation.is_some());
}

#[test]
fn completion_lists_the_attributes_valid_at_the_place() {
    let keys = |place: stackc::model::AttrPlace| -> Vec<&str> {
        stackc::model::ATTRS
            .iter()
            .filter(|a| a.places.contains(place))
            .map(|a| a.key)
            .collect()
    };
    use stackc::model::AttrPlace;
    // An nginx server: the host keys, less those that need a role it lacks
    // (replication, code, external) and those already written.
    let got = offered(SMALL, "server x: nginx 10.0.0.9 zone=a ");
    assert!(
        has(
            &got,
            &[
                "port",
                "firewall",
                "monitor",
                "health",
                "availability",
                "capacity"
            ]
        ),
        "{got:?}"
    );
    for absent in [
        "zone", "primary", "replica", "runtime", "command", "host", "tier", "read", "vip", "ttl",
    ] {
        assert!(!got.contains(&absent.to_string()), "{absent}: {got:?}");
    }
    // A mysql member of a group: primary/replica, one of them at a time.
    let got = offered("group db: mysql {\n", "  server db-01 10.0.3.1 primary ");
    assert!(
        got.contains(&"port".to_string()) && !got.contains(&"replica".to_string()),
        "{got:?}"
    );
    let got = offered("group db: mysql {\n", "  server db-01 10.0.3.1 ");
    assert!(has(&got, &["primary", "replica"]), "{got:?}");
    // Names and addresses made of hex digits, IPv6 addresses.
    let got = offered("group db: mysql {\n", "  server db-01 fe80::1 ");
    assert!(has(&got, &["primary", "replica"]), "{got:?}");
    let got = offered(SMALL, "group cafe: mysql vip=fe80::1 ");
    assert!(
        has(&got, &["failover", "port"]) && !got.contains(&"vip".to_string()),
        "{got:?}"
    );
    let got = offered(SMALL, "server dead: nginx 2001:db8::1 ");
    assert!(has(&got, &["port", "health"]), "{got:?}");
    assert_eq!(offered(SMALL, "server beef:"), offered(SMALL, "server x: "));
    // A group, a link, a record, a domain, the stack, a zone.
    let got = offered(SMALL, "group g: haproxy ");
    assert!(
        has(&got, &["mode", "vip", "track", "unicast", "firewall"]),
        "{got:?}"
    );
    assert!(
        !got.contains(&"failover".to_string()),
        "haproxy does not replicate: {got:?}"
    );
    assert_eq!(
        offered(SMALL, "lb -> web-01 : http "),
        keys(AttrPlace::LINK)
    );
    assert_eq!(
        offered(SMALL, "lb -> web-01 : mysql 3307 "),
        keys(AttrPlace::LINK)
    );
    assert_eq!(offered(SMALL, "lb -> web-01 "), keys(AttrPlace::LINK));
    assert_eq!(
        offered("domain x.com {\n", "  www A -> lb : https "),
        keys(AttrPlace::RECORD)
    );
    assert_eq!(offered(SMALL, "domain x.com "), keys(AttrPlace::DOMAIN));
    assert_eq!(
        offered("", "stack s \"A title: yes\" "),
        keys(AttrPlace::STACK)
    );
    assert_eq!(offered(SMALL, "zone c "), keys(AttrPlace::ZONE));
    // The items carry the value hint and the doc; valued keys insert `key=`.
    let good = snap(SMALL);
    let items = completion::in_text(&format!("{SMALL}group g: haproxy "), &good.checked);
    let mode = items.iter().find(|i| i.label == "mode").unwrap();
    assert_eq!(
        mode.detail.as_deref(),
        Some("active-active | active-passive | quorum")
    );
    assert_eq!(mode.insert_text.as_deref(), Some("mode="));
    let track = items.iter().find(|i| i.label == "track").unwrap();
    assert_eq!(track.insert_text, None);
}

#[test]
fn completion_after_equals_gives_the_values() {
    assert_eq!(
        offered(SMALL, "group g: haproxy mode="),
        vec!["active-active", "active-passive", "quorum"]
    );
    assert_eq!(
        offered(SMALL, "group g: mysql failover=au"),
        vec!["manual", "auto"]
    );
    assert_eq!(offered(SMALL, "server x: nginx zone="), vec!["a", "b"]);
    assert_eq!(
        offered("zone q\ngroup g: nginx {\n", "  server g-01 zone="),
        vec!["q"]
    );
    // The zones of the last good model, not of the line being typed.
    let good = snap(SMALL);
    let items = completion::in_text("zone q\nserver x: nginx zone=", &good.checked);
    assert_eq!(
        items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(),
        vec!["a", "b"]
    );
    let tiers: Vec<&str> = stackc::model::Tier::ALL
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(offered(SMALL, "server x: external tier="), tiers);
    assert!(offered(SMALL, "server x: nginx port=").is_empty());
}

#[test]
fn completion_of_link_and_record_targets_and_protocols() {
    let names = ["lb", "lb-01", "lb-02", "web-01"];
    for typed in ["lb -> ", "lb -> we", "lb, web-01 -> lb-01, ", "lb, "] {
        let mut got = offered(SMALL, typed);
        got.sort();
        assert_eq!(got, names, "{typed:?}");
    }
    assert_eq!(
        offered("domain x.com {\n", "  www "),
        vec!["A", "AAAA", "CNAME"]
    );
    assert_eq!(offered("domain x.com {\n", "  www A "), vec!["->"]);
    let mut got = offered(SMALL, "domain x.com { www A -> ");
    got.sort();
    assert_eq!(got, names);
    let protocols: Vec<&str> = stackc::model::Protocol::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    assert_eq!(offered(SMALL, "lb -> web-01 : "), protocols);
    assert_eq!(offered(SMALL, "lb -> web-01:"), protocols);
    assert_eq!(offered("domain x.com {\n", "  www A -> lb : h"), protocols);
}

#[test]
fn completion_after_allow_gives_rules_then_their_subjects() {
    let got = offered(SMALL, "allow ");
    assert!(
        has(
            &got,
            &[
                "spof",
                "zone-spof",
                "cut-set",
                "broken",
                "no-tls",
                "unused-allow"
            ]
        ),
        "{got:?}"
    );
    assert!(!got.contains(&"syntax".to_string()) && !got.contains(&"unknown-name".to_string()));
    // The subjects that have that finding now come first.
    let text = case("spof.stack");
    let got = offered(&text, "allow spof ");
    assert_eq!(got[0], "db-01", "{got:?}");
    assert!(has(&got, &["web-01", "web", "db"]) && !got.contains(&"www.example.com".to_string()));
    let got = offered(SMALL, "allow zone-spof ");
    assert_eq!(got, vec!["a", "b"]);
    let got = offered(SMALL, "allow cut-set lb-01+");
    assert!(
        has(&got, &["lb-02", "web-01", "a", "b"]) && !got.contains(&"lb".to_string()),
        "{got:?}"
    );
    let got = offered(SMALL, "allow broken ");
    assert!(has(&got, &["www.example.com", "lb", "web-01"]), "{got:?}");
    assert!(offered(SMALL, "allow spof web-01 ").is_empty());
}

#[test]
fn completion_items_edit_the_word_being_typed() {
    for (typed, word, first) in [
        ("lb -> web-0", "web-0", "lb"),
        ("allow cut-set lb-01+we", "we", "lb-01"),
        ("server x: nginx+ap", "ap", "haproxy"),
        ("group g: haproxy mo", "mo", "zone="),
        (
            "group g: haproxy mode=active-p",
            "active-p",
            "active-active",
        ),
        ("server x: nginx ", "", "zone="),
    ] {
        let text = format!("{SMALL}{typed}");
        let s = snap(&text);
        let end = s.index.position(&s.text, text.len());
        let items = completion::at(&s, end);
        let Some(lsp_types::CompletionTextEdit::Edit(e)) = &items[0].text_edit else {
            panic!("{typed}: {:?}", items[0]);
        };
        assert_eq!(
            (under(&s, e.range), e.new_text.as_str()),
            (word, first),
            "{typed}"
        );
        assert!(items.iter().all(|i| i.insert_text.is_none()));
    }
}

#[test]
fn completion_in_a_text_newer_than_the_check() {
    let good = snap(SMALL);
    let text = format!("{SMALL}server x: nginx zone=");
    let index = stackc::lsp::LineIndex::new(&text);
    let end = index.position(&text, text.len());
    let items = completion::at_text(&text, &index, end, &good.checked);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, vec!["a", "b"]);
    assert!(items.iter().all(|i| i.text_edit.is_some()));
}

#[test]
fn completion_at_a_position_reads_the_snapshot() {
    let s = snap("zone a\nserver x: nginx zone=\n");
    let got: Vec<String> = completion::at(&s, Position::new(1, 21))
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert_eq!(got, vec!["a"]);
    let got: Vec<String> = completion::at(&s, Position::new(99, 0))
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert!(got.contains(&"server".to_string()));
}
