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

#[allow(dead_code)]
fn unused(_: &Path, _: CompletionItem, _: CodeActionOrCommand) {
    let _ = actions::at;
}
