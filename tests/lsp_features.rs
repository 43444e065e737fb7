//! The language server's navigation and help, at the library level: names,
//! hover, definition and references, rename, completion and code actions
//! on `Snapshot`s of the samples, the rule cases and small texts.

use lsp_types::{
    CodeActionOrCommand, CompletionItem, HoverContents, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use stackc::lsp::names::Kind;
use stackc::lsp::{actions, completion, goto, hover, rename, Snapshot};
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snap(text: &str) -> Snapshot {
    Snapshot::new(text.to_string(), Some("t"), 1)
}

fn uri() -> Uri {
    Uri::from_str("file:///work/t.stack").unwrap()
}

/// The position of the `nth` (0-based) `needle` in `text`, `k` bytes in.
fn at(s: &Snapshot, needle: &str, nth: usize, k: usize) -> Position {
    let off = s
        .text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th `{needle}`"))
        .0;
    s.index.position(&s.text, off + k)
}

/// The text under a range.
fn under(s: &Snapshot, r: Range) -> &str {
    let (a, b) = (s.offset(r.start), s.offset(r.end));
    &s.text[a..b]
}

/// The lines (0-based) of the ranges.
fn lines(rs: &[Range]) -> Vec<u32> {
    rs.iter().map(|r| r.start.line).collect()
}

fn files(dir: &str) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "stack"))
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    out.sort();
    out
}

/// Applies text edits (non-overlapping) to a text.
fn apply(s: &Snapshot, edits: &[TextEdit]) -> String {
    let mut es: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                s.offset(e.range.start),
                s.offset(e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    es.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = s.text.clone();
    for (a, b, t) in es {
        text.replace_range(a..b, t);
    }
    text
}

// `Uri` caches its parse in a cell: it hashes by its text all the same.
#[allow(clippy::mutable_key_type)]
fn workspace_edits(w: &WorkspaceEdit) -> Vec<TextEdit> {
    let changes = w.changes.as_ref().expect("changes");
    assert!(changes.keys().all(|k| *k == uri()));
    changes.values().flatten().cloned().collect()
}

const SMALL: &str = "\
stack shop
zone a
zone b
group lb: haproxy mode=active-passive vip=203.0.113.10 firewall monitor=agent {
  server lb-01 10.0.0.11 zone=a
  server lb-02 10.0.0.12 zone=\"b\"
}
server web-01: nginx 10.0.1.11 zone=a firewall monitor=agent
lb -> web-01 : http
domain example.com {
  www A -> lb : https
}
allow spof web-01 \"one web server until March\"
allow cut-set lb-01+web-01 \"a pair we accept\"
";

// ---- names ------------------------------------------------------------

#[test]
fn names_index_every_declaration_and_use() {
    let s = snap(SMALL);
    let names = s.names();
    let got: Vec<(Kind, &str, &str, bool)> = names
        .occurrences
        .iter()
        .map(|o| {
            (
                o.kind,
                o.name.as_str(),
                &SMALL[o.span.start..o.span.end],
                o.decl,
            )
        })
        .collect();
    use Kind::*;
    assert_eq!(
        got,
        vec![
            (Zone, "a", "a", true),
            (Zone, "b", "b", true),
            (Group, "lb", "lb", true),
            (Server, "lb-01", "lb-01", true),
            (Zone, "a", "a", false),
            (Server, "lb-02", "lb-02", true),
            (Zone, "b", "b", false),
            (Server, "web-01", "web-01", true),
            (Zone, "a", "a", false),
            (Group, "lb", "lb", false),
            (Server, "web-01", "web-01", false),
            (Domain, "example.com", "example.com", true),
            (Record, "www.example.com", "www", true),
            (Group, "lb", "lb", false),
            (Rule, "spof", "spof", false),
            (Server, "web-01", "web-01", false),
            (Rule, "cut-set", "cut-set", false),
            (Server, "lb-01", "lb-01", false),
            (Server, "web-01", "web-01", false),
        ]
    );
    // The cursor inside a name or just after it; not on whitespace.
    let off = SMALL.find("lb -> web-01").unwrap();
    assert_eq!(names.at(off).unwrap().name, "lb");
    assert_eq!(names.at(off + 2).unwrap().name, "lb");
    assert!(names.at(off + 3).is_none());
    assert_eq!(names.at(off + 6).unwrap().name, "web-01");
}

#[test]
fn names_ignore_undeclared_names_and_see_records_in_allows() {
    let text = "server a: nginx 10.0.0.1\nb -> a\ndomain Ex.COM. { WWW A -> a }\nallow broken www.ex.com \"soon\"\n";
    let s = snap(text);
    let names = s.names();
    let used: Vec<(&str, bool)> = names
        .occurrences
        .iter()
        .filter(|o| o.kind != Kind::Rule)
        .map(|o| (o.name.as_str(), o.decl))
        .collect();
    assert_eq!(
        used,
        vec![
            ("a", true),
            ("a", false),
            ("ex.com", true),
            ("www.ex.com", true),
            ("a", false),
            ("www.ex.com", false),
        ]
    );
}

// ---- definition and references -----------------------------------------

#[test]
fn definition_goes_to_the_declaration_from_every_use() {
    let s = snap(SMALL);
    let decl = at(&s, "server web-01", 0, 7).line;
    for (needle, nth, k) in [
        ("lb -> web-01", 0, 7),
        ("spof web-01", 0, 6),
        ("+web-01", 0, 2),
    ] {
        let loc = goto::definition(&s, &uri(), at(&s, needle, nth, k)).unwrap();
        assert_eq!(loc.range.start.line, decl, "{needle}");
        assert_eq!(under(&s, loc.range), "web-01");
        assert_eq!(loc.uri, uri());
    }
    // A zone value, quoted or not.
    let loc = goto::definition(&s, &uri(), at(&s, "zone=\"b\"", 0, 6)).unwrap();
    assert_eq!((loc.range.start.line, under(&s, loc.range)), (2, "b"));
    // A record target.
    let loc = goto::definition(&s, &uri(), at(&s, "-> lb :", 0, 3)).unwrap();
    assert_eq!((loc.range.start.line, under(&s, loc.range)), (3, "lb"));
    // Whitespace, a keyword, a rule id: nothing.
    assert!(goto::definition(&s, &uri(), Position::new(3, 9)).is_none());
    assert!(goto::definition(&s, &uri(), Position::new(0, 2)).is_none());
    assert!(goto::definition(&s, &uri(), at(&s, "spof", 0, 1)).is_none());
}

#[test]
fn references_with_and_without_the_declaration() {
    let s = snap(SMALL);
    let p = at(&s, "web-01", 0, 0);
    let all: Vec<Range> = goto::references(&s, &uri(), p, true)
        .into_iter()
        .map(|l| l.range)
        .collect();
    assert_eq!(lines(&all), vec![7, 8, 12, 13]);
    assert!(all.iter().all(|r| under(&s, *r) == "web-01"));
    let uses: Vec<Range> = goto::references(&s, &uri(), p, false)
        .into_iter()
        .map(|l| l.range)
        .collect();
    assert_eq!(lines(&uses), vec![8, 12, 13]);
    // Zone `a`: its declaration and two `zone=a`.
    let z = goto::references(&s, &uri(), at(&s, "zone=a", 0, 5), true);
    assert_eq!(
        z.iter().map(|l| l.range.start.line).collect::<Vec<_>>(),
        vec![1, 4, 7]
    );
    assert!(goto::references(&s, &uri(), Position::new(3, 9), true).is_empty());
}

// ---- rename -------------------------------------------------------------

#[test]
fn rename_changes_every_occurrence_including_cut_subjects() {
    let s = snap(SMALL);
    let p = at(&s, "lb-01+", 0, 1);
    let r = rename::prepare(&s, p).unwrap();
    assert_eq!(under(&s, r), "lb-01");
    let w = rename::edits(&s, &uri(), p, "edge-01").unwrap();
    let text = apply(&s, &workspace_edits(&w));
    assert_eq!(
        text,
        SMALL
            .replace("server lb-01", "server edge-01")
            .replace("lb-01+web-01", "edge-01+web-01")
    );
    let w = rename::edits(&s, &uri(), at(&s, "zone=\"b\"", 0, 6), "zb").unwrap();
    assert_eq!(
        apply(&s, &workspace_edits(&w)),
        SMALL
            .replace("zone b", "zone zb")
            .replace("zone=\"b\"", "zone=\"zb\"")
    );
}

#[test]
fn rename_is_refused_on_a_clash_a_keyword_or_an_invalid_name() {
    let s = snap(SMALL);
    let p = at(&s, "web-01", 0, 0);
    let refused = |name: &str| rename::edits(&s, &uri(), p, name).unwrap_err();
    assert!(
        refused("lb").contains("already declared"),
        "{}",
        refused("lb")
    );
    assert!(refused("a").contains("already declared"));
    assert!(refused("lb-02").contains("already declared"));
    assert!(refused("server").contains("keyword"));
    assert!(refused("allow").contains("keyword"));
    for bad in [
        "",
        "1web",
        "web 01",
        "web->x",
        "web.01",
        "web+01",
        "wéb",
        "a\nzone b",
        "x#y",
        "\"q\"",
    ] {
        assert!(
            refused(bad).contains("not a valid name"),
            "{bad:?}: {}",
            refused(bad)
        );
    }
    let long = "w".repeat(64);
    assert!(refused(&long).contains("63"), "{}", refused(&long));
    assert!(rename::edits(&s, &uri(), p, &"w".repeat(63)).is_ok());
    // Records, domains and rule ids are not renamed; nor is whitespace.
    assert!(rename::prepare(&s, at(&s, "www", 0, 1)).is_none());
    assert!(rename::prepare(&s, at(&s, "spof", 0, 1)).is_none());
    assert!(rename::prepare(&s, Position::new(3, 9)).is_none());
    assert!(rename::edits(&s, &uri(), at(&s, "www", 0, 1), "w2").is_err());
}

/// Every server, group and zone of every sample and rule case renamed
/// once: the findings are the same, the name mapped (rule, subject, line,
/// message).
#[test]
fn renaming_any_name_keeps_the_findings() {
    let mut renamed = 0;
    for dir in ["samples", "tests/cases"] {
        for (path, text) in files(dir) {
            let s = snap(&text);
            let names = s.names();
            let decls: Vec<(Kind, String, usize)> = names
                .occurrences
                .iter()
                .filter(|o| matches!(o.kind, Kind::Server | Kind::Group | Kind::Zone) && o.decl)
                .map(|o| (o.kind, o.name.clone(), o.span.start))
                .collect();
            let before = findings(&s, None);
            for (kind, name, off) in decls {
                if names.all(kind, &name).filter(|o| o.decl).count() > 1
                    || names
                        .occurrences
                        .iter()
                        .filter(|o| o.decl && o.name == name)
                        .count()
                        > 1
                {
                    continue; // a duplicate: which one is renamed is ambiguous
                }
                let new = format!("zq{}", renamed);
                let p = s.index.position(&s.text, off);
                let w = rename::edits(&s, &uri(), p, &new)
                    .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
                let after = snap(&apply(&s, &workspace_edits(&w)));
                assert_eq!(
                    findings(&after, Some((&new, &name))),
                    before,
                    "{}: renaming {name}",
                    path.display()
                );
                renamed += 1;
            }
        }
    }
    assert!(renamed > 100, "{renamed}");
}

/// (rule, subject, line, message) of each finding, `new` read as `old`.
fn findings(s: &Snapshot, map: Option<(&str, &str)>) -> Vec<(String, String, u32, String)> {
    let back = |t: &str| match map {
        Some((new, old)) => replace_word(t, new, old),
        None => t.to_string(),
    };
    let mut out: Vec<_> = s
        .checked
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                back(f.subject_name().unwrap_or("")),
                s.range(f.span).start.line,
                back(&f.message),
            )
        })
        .collect();
    out.sort();
    out
}

/// `new` replaced by `old` where it stands as a whole name.
fn replace_word(t: &str, new: &str, old: &str) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::new();
    let mut rest = t;
    while let Some(i) = rest.find(new) {
        let before_ok = !rest[..i].chars().next_back().is_some_and(is_name);
        let after_ok = !rest[i + new.len()..].chars().next().is_some_and(is_name);
        out += &rest[..i];
        out += if before_ok && after_ok { old } else { new };
        rest = &rest[i + new.len()..];
    }
    out + rest
}

// ---- hover ----------------------------------------------------------------

fn hover_text(s: &Snapshot, p: Position) -> Option<String> {
    hover::at(s, p).map(|h| match h.contents {
        HoverContents::Markup(m) => m.value,
        other => panic!("{other:?}"),
    })
}

fn case(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/cases").join(name)).unwrap()
}

#[test]
fn hover_on_a_spof_server_says_what_goes_dark() {
    let s = snap(&case("spof.stack"));
    let h = hover_text(&s, at(&s, "db-01", 0, 2)).unwrap();
    assert_eq!(
        h,
        "**server** `db-01`: mysql (database)\n\n\
         member of group `db` · address 10.0.3.11 · primary\n\n\
         **Requires** nothing: it links to no other server.\n\n\
         **Without it** www.example.com goes dark: `www.example.com -> web -> web-01 -> db-01 (down)`"
    );
    let h = hover_text(&s, at(&s, "web-01", 0, 0)).unwrap();
    assert!(
        h.contains("**Requires**\n- `db` over mysql 3306: its primary db-01\n"),
        "{h}"
    );
    assert!(
        h.ends_with("**Redundant**: nothing goes dark when it alone is down."),
        "{h}"
    );
    // The range is the name's.
    let r = hover::at(&s, at(&s, "db-01", 0, 2)).unwrap().range.unwrap();
    assert_eq!(under(&s, r), "db-01");
}

#[test]
fn hover_on_an_allowed_spof_gives_the_reason() {
    let text = std::fs::read_to_string(root().join("samples/full-stack.stack")).unwrap();
    let s = snap(&text);
    let h = hover_text(&s, at(&s, "server payments", 0, 7)).unwrap();
    assert!(
        h.contains("**Without it** www.shop.example goes dark"),
        "{h}"
    );
    assert!(h.contains("_Allowed:_ one payment provider"), "{h}");
    let h = hover_text(&s, at(&s, "app -> payments", 0, 0)).unwrap();
    assert!(h.starts_with("**group** `app`: app · active-active"), "{h}");
}

#[test]
fn hover_on_groups_zones_records_and_rules() {
    let s = snap(SMALL);
    let h = hover_text(&s, at(&s, "group lb", 0, 6)).unwrap();
    assert_eq!(
        h,
        "**group** `lb`: haproxy · active-passive\n\n\
         **Members** (2): lb-01, lb-02\n\n\
         held by lb-01 with every member up · vip 203.0.113.10\n\n\
         No member is a single point of failure."
    );
    let h = hover_text(&s, at(&s, "www", 0, 0)).unwrap();
    assert_eq!(
        h,
        "**record** `www.example.com`\n\n- A → `lb` over https 443\n\n\
         **Goes dark** without any one of: web-01\n\n**Goes dark** without zone: a"
    );
    let h = hover_text(&s, at(&s, "zone a", 0, 5)).unwrap();
    assert!(
        h.starts_with("**zone** `a`: availability 99.99 %\n\n**Servers** (2): lb-01, web-01"),
        "{h}"
    );
    assert!(
        h.contains("**Without it** www.example.com goes dark"),
        "{h}"
    );
    let h = hover_text(&s, at(&s, "spof", 0, 0)).unwrap();
    assert_eq!(
        h,
        "**spof** (error): a server whose loss alone stops the stack serving\n\n\
         `stackc explain spof` says more."
    );
    assert!(hover_text(&s, Position::new(3, 9)).is_none());
    assert!(hover_text(&s, Position::new(0, 1)).is_none());
    assert!(hover_text(&s, Position::new(400, 0)).is_none());
}

#[test]
fn hover_without_analysis_says_so() {
    let s = snap("server a: nginx 10.0.0.1\na -> nowhere\n");
    let h = hover_text(&s, Position::new(0, 7)).unwrap();
    assert!(h.contains("_Not analysed"), "{h}");
    assert!(h.contains("**Requires** nothing"), "{h}");
}

#[test]
fn hover_on_a_record_gives_its_availability_when_the_stack_has_an_slo() {
    let s = snap(&case("slo.stack"));
    let rec = s
        .names()
        .occurrences
        .iter()
        .find(|o| o.kind == Kind::Record)
        .unwrap()
        .span;
    let h = hover_text(&s, s.index.position(&s.text, rec.start)).unwrap();
    assert!(h.contains("**Availability** "), "{h}");
    assert!(h.ends_with(" %"), "{h}");
}

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

// ---- code actions -----------------------------------------------------------

type Key = (String, String, String);

fn key(f: &stackc::diag::Finding) -> Key {
    (
        f.rule.as_str().to_string(),
        f.subject_name().unwrap_or("").to_string(),
        f.message.clone(),
    )
}

fn errors(s: &Snapshot) -> Vec<Key> {
    s.checked
        .findings
        .iter()
        .filter(|f| f.severity() == stackc::diag::Severity::Error)
        .map(key)
        .collect()
}

fn apply_fix(s: &Snapshot, fix: &actions::Fix) -> String {
    let edits: Vec<TextEdit> = fix
        .edits
        .iter()
        .map(|(sp, t)| TextEdit::new(s.range(*sp), t.clone()))
        .collect();
    apply(s, &edits)
}

/// Every fix of every finding of a text, applied: the finding it fixes is
/// gone and no new error appears, but for the single failures of a record
/// that was `broken` and now serves (judged only now, LANGUAGE.md §7.3:
/// the fix reveals them). The fixes' titles, in order.
fn prove(path: &str, text: &str) -> Result<Vec<String>, String> {
    let s = snap(text);
    let before = errors(&s);
    let mut titles = Vec::new();
    for f in &s.checked.findings {
        for fix in actions::of(&s, f) {
            let after = snap(&apply_fix(&s, &fix));
            let k = key(f);
            if after.checked.findings.iter().any(|g| key(g) == k) {
                return Err(format!("{path}: `{}` leaves {k:?}", fix.title));
            }
            let broken = |x: &Snapshot| {
                let c = &x.checked;
                let all = c
                    .findings
                    .iter()
                    .chain(c.suppressed.iter().map(|s| &s.finding));
                all.filter(|g| g.rule.as_str() == "broken").count()
            };
            let revealed = broken(&after) < broken(&s);
            let new: Vec<Key> = errors(&after)
                .into_iter()
                .filter(|e| !before.contains(e))
                .filter(|e| !(revealed && ["spof", "zone-spof"].contains(&e.0.as_str())))
                .collect();
            if !new.is_empty() {
                return Err(format!("{path}: `{}` adds {new:?}", fix.title));
            }
            titles.push(fix.title);
        }
    }
    Ok(titles)
}

#[test]
fn every_fix_of_every_rule_case_removes_its_finding() {
    let mut fixes = 0;
    let mut failures = Vec::new();
    for (path, text) in files("tests/cases") {
        match prove(&path.display().to_string(), &text) {
            Ok(t) => fixes += t.len(),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(fixes > 40, "{fixes}");
}

#[test]
fn replica_write_gets_read_or_the_group() {
    let text = case("replica-write.stack");
    let s = snap(&text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "replica-write")
        .unwrap();
    let titles: Vec<String> = actions::of(&s, f).into_iter().map(|x| x.title).collect();
    assert_eq!(
        titles,
        vec![
            "add `read` to the link",
            "point the link at the group `db` instead of db-02",
        ]
    );
    let fixes = actions::of(&s, f);
    assert!(apply_fix(&s, &fixes[0]).contains("app -> db-02 : mysql read\n"));
    assert!(apply_fix(&s, &fixes[1]).contains("app -> db : mysql\n"));
}

#[test]
fn a_holder_that_cannot_serve_gets_track() {
    let text = "\
group lb: haproxy mode=active-passive vip=203.0.113.10 firewall monitor=agent {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}
server web-01: nginx 10.0.1.11 firewall monitor=agent
server web-02: nginx 10.0.1.12 firewall monitor=agent
lb-01 -> web-01
lb-02 -> web-02
domain example.com { www A -> lb : https }
";
    let s = snap(text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "spof" && f.subject_name() == Some("web-01"))
        .unwrap();
    let fixes = actions::of(&s, f);
    assert_eq!(fixes[0].title, "add `track` to group `lb`");
    let fixed = apply_fix(&s, &fixes[0]);
    assert!(fixed.contains("firewall monitor=agent track {"), "{fixed}");
    prove("track", text).unwrap();
}

#[test]
fn asymmetric_failover_gets_the_group_linked() {
    let text = case("asymmetric-failover.stack");
    let s = snap(&text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "asymmetric-failover")
        .unwrap();
    let fixes = actions::of(&s, f);
    assert_eq!(
        fixes[0].title,
        "link the group `lb` as lb-01 is linked (removes the links of lb-02)"
    );
    let fixed = apply_fix(&s, &fixes[0]);
    assert_eq!(
        fixed,
        text.replace("lb-01 -> web\nlb-02 -> web-02\n", "lb -> web\n")
    );
    let s = snap(&case("asymmetric-failover-protocol.stack"));
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "asymmetric-failover")
        .unwrap();
    let fixed = apply_fix(&s, &actions::of(&s, f)[0]);
    assert!(fixed.ends_with("\nlb -> web : https 443\n"), "{fixed}");
}

#[test]
fn did_you_mean_fixes_names_roles_attributes_and_zones() {
    let text = "\
zone east
server web-01: ngix 10.0.1.11 zone=\"eest\" firewal monitor=agent
server db-01: mysql 10.0.3.11 firewall monitor=agent
web-01 -> db-1 : mysql
domain example.com { www A -> web-01 : https }
allow spof web-1 \"one\"
allow cut-set web-01+db-1 \"two\"
";
    let s = snap(text);
    let mut got: Vec<(String, String)> = Vec::new();
    for f in &s.checked.findings {
        for fix in actions::of(&s, f).into_iter().filter(|x| x.preferred) {
            let (sp, t) = &fix.edits[0];
            got.push((text[sp.start..sp.end].to_string(), t.clone()));
        }
    }
    got.sort();
    let want: Vec<(String, String)> = [
        ("db-1", "db-01"),
        ("db-1", "db-01"),
        ("eest", "east"),
        ("firewal", "firewall"),
        ("ngix", "nginx"),
        ("web-1", "web-01"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn code_actions_at_a_range_are_workspace_edits() {
    let text = case("replica-write.stack");
    let s = snap(&text);
    let line = text
        .lines()
        .position(|l| l.starts_with("app -> db-02"))
        .unwrap() as u32;
    let last = text.lines().count() as u32 - 1;
    let got = actions::at(
        &s,
        &uri(),
        Range::new(Position::new(line, 3), Position::new(line, 3)),
    );
    let titles: Vec<String> = got
        .iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => {
                assert_eq!(a.kind, Some(lsp_types::CodeActionKind::QUICKFIX));
                let edits = workspace_edits(a.edit.as_ref().unwrap());
                assert!(!edits.is_empty());
                a.title.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        titles.contains(&"add `read` to the link".to_string()),
        "{titles:?}"
    );
    // An `allow` goes after the last one, or at the end (`broken` on the
    // record, the last line).
    let got = actions::at(
        &s,
        &uri(),
        Range::new(Position::new(last, 0), Position::new(last, 99)),
    );
    let allow = got.iter().find_map(|a| match a {
        CodeActionOrCommand::CodeAction(a) if a.title.starts_with("allow ") => Some(a.clone()),
        _ => None,
    });
    let allow = allow.unwrap();
    let fixed = apply(&s, &workspace_edits(allow.edit.as_ref().unwrap()));
    assert!(
        fixed.ends_with(&format!("\n{} \"TODO: why\"\n", allow.title)),
        "{fixed}"
    );
    // Nothing on a line without a finding.
    assert!(actions::at(
        &s,
        &uri(),
        Range::new(Position::new(0, 0), Position::new(0, 0))
    )
    .is_empty());
}

#[test]
fn samples_fixes_add_no_error() {
    for (path, text) in files("samples") {
        let s = snap(&text);
        let before = errors(&s);
        for f in &s.checked.findings {
            for fix in actions::of(&s, f) {
                let after = snap(&apply_fix(&s, &fix));
                let new: Vec<Key> = errors(&after)
                    .into_iter()
                    .filter(|e| !before.contains(e))
                    .collect();
                assert!(
                    new.is_empty(),
                    "{}: `{}` adds {new:?}",
                    path.display(),
                    fix.title
                );
            }
        }
    }
}

// ---- robustness -----------------------------------------------------------

/// At every character of every sample and rule case: no request panics,
/// every range lies in the text, a definition names what the cursor is on,
/// and completion of every prefix (the text typed so far) answers.
#[test]
fn every_request_at_every_position_of_every_file() {
    let mut dirs = files("samples");
    dirs.extend(files("tests/cases"));
    for (path, text) in dirs {
        let s = snap(&text);
        let ok = |r: Range| {
            let (a, b) = (s.offset(r.start), s.offset(r.end));
            assert!(a <= b && b <= text.len(), "{}: {r:?}", path.display());
        };
        for (off, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = s.index.position(&text, off);
            if let Some(h) = hover::at(&s, p) {
                ok(h.range.unwrap());
            }
            let here = s.names().at(off).map(|o| o.name.clone());
            if let Some(d) = goto::definition(&s, &uri(), p) {
                ok(d.range);
                let o = s.names().at(s.offset(d.range.start)).unwrap();
                assert_eq!(Some(&o.name), here.as_ref(), "{}", path.display());
            }
            for l in goto::references(&s, &uri(), p, true) {
                ok(l.range);
            }
            if let Some(r) = rename::prepare(&s, p) {
                ok(r);
                let w = rename::edits(&s, &uri(), p, "zq-renamed").unwrap();
                workspace_edits(&w).iter().for_each(|e| ok(e.range));
            }
            let _ = completion::at(&s, p);
            for a in actions::at(&s, &uri(), Range::new(p, p)) {
                let CodeActionOrCommand::CodeAction(a) = a else {
                    panic!()
                };
                workspace_edits(a.edit.as_ref().unwrap())
                    .iter()
                    .for_each(|e| ok(e.range));
            }
        }
        let good = snap(&text);
        for (off, _) in text.match_indices(['\n', ' ', '=', ':', '+']) {
            let _ = completion::in_text(&text[..off + 1], &good.checked);
        }
    }
}

#[test]
fn positions_are_utf16_after_wide_characters() {
    let text = "zone a\nserver web-01: nginx 10.0.0.1 monitor=\"é😀\" zone=a\n";
    let s = snap(text);
    let refs = goto::references(&s, &uri(), Position::new(0, 5), true);
    let col = |prefix: &str| prefix.encode_utf16().count() as u32;
    let line = text.lines().nth(1).unwrap();
    let at = col(&line[..line.rfind('a').unwrap()]);
    assert_eq!(
        refs.iter().map(|l| l.range).collect::<Vec<_>>(),
        vec![
            Range::new(Position::new(0, 5), Position::new(0, 6)),
            Range::new(Position::new(1, at), Position::new(1, at + 1)),
        ]
    );
    assert_eq!(
        at as usize,
        line.rfind('a').unwrap() - 3,
        "é is 2 bytes and 1 unit, 😀 4 bytes and 2 units"
    );
    let w = rename::edits(&s, &uri(), Position::new(1, at), "east").unwrap();
    assert_eq!(
        apply(&s, &workspace_edits(&w)),
        text.replace("zone a", "zone east")
            .replace("zone=a", "zone=east")
    );
}

#[allow(dead_code)]
fn unused(_: &Path, _: CompletionItem) {}
