//! The language server's navigation and help, at the library level: names,
//! hover, definition and references, rename, completion and code actions
//! on `Snapshot`s of the samples, the rule cases and small texts.

use lsp_types::{
    CodeActionOrCommand, HoverContents, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use stackc::lsp::names::Kind;
use stackc::lsp::{actions, completion, goto, hover, rename, Snapshot};
use std::path::PathBuf;
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

fn case(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/cases").join(name)).unwrap()
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
            (Stack, "shop", "shop", true),
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

#[test]
fn rename_is_refused_while_a_line_naming_it_does_not_parse() {
    let text = format!("{SMALL}lb -> web-01 : : http\n");
    let s = snap(&text);
    let e = rename::edits(&s, &uri(), at(&s, "server web-01", 0, 8), "w1").unwrap_err();
    assert!(e.contains("does not parse"), "{e}");
    // Other names still rename.
    assert!(rename::edits(&s, &uri(), at(&s, "zone b", 0, 5), "zb").is_ok());
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
                let w = match rename::edits(&s, &uri(), p, &new) {
                    Ok(w) => w,
                    // Refused: the name is in a line that does not parse.
                    Err(e) if e.contains("does not parse") && path.ends_with("syntax.stack") => {
                        continue;
                    }
                    Err(e) => panic!("{}: {name}: {e}", path.display()),
                };
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

#[path = "lsp_features/actions.rs"]
mod actions_;
#[path = "lsp_features/completion.rs"]
mod completion_;
#[path = "lsp_features/hover.rs"]
mod hover_;
#[path = "lsp_features/robustness.rs"]
mod robustness;
