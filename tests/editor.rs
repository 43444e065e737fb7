//! The TextMate grammar of `editors/vscode/`, run on every sample by the
//! engine VS Code uses (vscode-textmate + vscode-oniguruma, installed by
//! scripts/setup.d/60-editor.sh).

mod common;

use serde_json::Value;

/// (token text, innermost scope) for each line of each file.
type Tokens = Vec<Vec<Vec<(String, String)>>>;

fn tokenize(files: &[std::path::PathBuf]) -> Option<Tokens> {
    if !common::require_tool("node") {
        return None;
    }
    let root = common::root();
    let modules = root.join("target/tools/textmate/node_modules");
    if !modules.join("vscode-textmate").is_dir() {
        let required =
            std::env::var_os("CI").is_some() || std::env::var_os("STACKC_REQUIRE_TOOLS").is_some();
        assert!(
            !required,
            "vscode-textmate is not installed: run scripts/setup.d/60-editor.sh"
        );
        eprintln!(
            "SKIP: vscode-textmate is not installed (scripts/setup.d/60-editor.sh installs it)"
        );
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(root.join("editors/vscode/test/tokenize.js"))
        .arg(&modules)
        .arg(root.join("editors/vscode/syntaxes/stack.tmLanguage.json"))
        .args(files)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON tokens");
    Some(
        v.as_array()
            .unwrap()
            .iter()
            .map(|file| {
                file.as_array()
                    .unwrap()
                    .iter()
                    .map(|line| {
                        line.as_array()
                            .unwrap()
                            .iter()
                            .map(|t| {
                                let scope = t["scopes"]
                                    .as_array()
                                    .unwrap()
                                    .last()
                                    .and_then(Value::as_str)
                                    .unwrap_or("");
                                (t["text"].as_str().unwrap().to_string(), scope.to_string())
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect(),
    )
}

#[test]
fn the_grammar_colours_every_sample_as_the_parser_reads_it() {
    let mut files = common::stack_files(&common::root().join("samples"));
    files.extend(common::stack_files(&common::root().join("tests/cases")));
    let Some(tokens) = tokenize(&files) else {
        return;
    };
    for (path, lines) in files.iter().zip(&tokens) {
        let src = std::fs::read_to_string(path).unwrap();
        let parsed = stackc::syntax::parse(&src);
        let name = path.display();
        let scope_of = |line: usize, text: &str| -> Option<&str> {
            lines[line]
                .iter()
                .find(|(t, _)| t.trim() == text)
                .map(|(_, s)| s.as_str())
        };
        let line_of = |offset: usize| src[..offset].matches('\n').count();
        // Comments that start a line are comments, whole.
        for (i, line) in src.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                assert!(
                    lines[i]
                        .iter()
                        .all(|(t, s)| t.trim().is_empty() || s.starts_with("comment.")),
                    "{name}:{} {:?}",
                    i + 1,
                    lines[i]
                );
            }
        }
        for stmt in &parsed.file.statements {
            use stackc::syntax::Statement::*;
            match stmt {
                Server(s) => {
                    let l = line_of(s.span.start);
                    assert_eq!(
                        scope_of(l, "server"),
                        Some("keyword.other.declaration.stack"),
                        "{name}:{}",
                        l + 1
                    );
                    assert_eq!(
                        scope_of(l, &s.name.text),
                        Some("entity.name.type.server.stack"),
                        "{name}:{}",
                        l + 1
                    );
                    for r in s
                        .roles
                        .iter()
                        .filter(|r| stackc::model::Role::lookup(&r.text).is_some())
                    {
                        assert_eq!(
                            scope_of(line_of(r.span.start), &r.text),
                            Some("support.type.role.stack"),
                            "{name}: role {}",
                            r.text
                        );
                    }
                    if let Some(a) = &s.address {
                        assert!(
                            scope_of(l, &a.text)
                                .is_some_and(|s| s.starts_with("constant.numeric.address")),
                            "{name}: {}",
                            a.text
                        );
                    }
                }
                Group(g) => {
                    let l = line_of(g.span.start);
                    assert_eq!(
                        scope_of(l, "group"),
                        Some("keyword.other.declaration.stack"),
                        "{name}:{}",
                        l + 1
                    );
                    for m in &g.members {
                        let ml = line_of(m.span.start);
                        assert_eq!(
                            scope_of(ml, &m.name.text),
                            Some("entity.name.type.server.stack"),
                            "{name}:{}",
                            ml + 1
                        );
                        if let Some(a) = &m.address {
                            assert!(
                                scope_of(ml, &a.text)
                                    .is_some_and(|s| s.starts_with("constant.numeric.address")),
                                "{name}: {}",
                                a.text
                            );
                        }
                    }
                }
                Link(link) => {
                    let l = line_of(link.span.start);
                    assert_eq!(
                        scope_of(l, "->"),
                        Some("keyword.operator.arrow.stack"),
                        "{name}:{}",
                        l + 1
                    );
                    if let Some(p) = &link.proto {
                        if stackc::model::Protocol::parse(&p.protocol.text).is_some() {
                            assert_eq!(
                                scope_of(l, &p.protocol.text),
                                Some("support.constant.protocol.stack"),
                                "{name}:{}",
                                l + 1
                            );
                        }
                    }
                }
                Domain(d) => {
                    for r in &d.records {
                        let l = line_of(r.span.start);
                        assert_eq!(
                            scope_of(l, &r.rtype.text),
                            Some("storage.type.record.stack"),
                            "{name}:{}",
                            l + 1
                        );
                    }
                }
                Allow(a) => {
                    let l = line_of(a.span.start);
                    assert_eq!(
                        scope_of(l, "allow"),
                        Some("keyword.control.allow.stack"),
                        "{name}:{}",
                        l + 1
                    );
                }
                Stack(_) | Zone(_) => {}
            }
        }
    }
}

// ---- role and protocol lists outside the code agree with the table ----------

use std::collections::BTreeSet;

/// The names of the roles table.
fn roles() -> BTreeSet<String> {
    stackc::model::ROLES
        .iter()
        .map(|r| r.name.to_string())
        .collect()
}

fn protocols() -> BTreeSet<String> {
    stackc::model::Protocol::ALL
        .iter()
        .map(|p| p.as_str().to_string())
        .collect()
}

/// The alternatives of the group that follows `open` in `pattern` and ends
/// at `close` (`\b(a|b|c)\b` with `open` `\b(`, `close` `)\b`).
fn alternatives(pattern: &str, open: &str, close: &str) -> BTreeSet<String> {
    let start = pattern
        .find(open)
        .unwrap_or_else(|| panic!("no `{open}` in {pattern}"))
        + open.len();
    let len = pattern[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no `{close}` in {pattern}"));
    pattern[start..start + len]
        .split('|')
        .map(str::to_string)
        .collect()
}

/// A list written in words: "a role (x, y or z)", "roles are x, y and z;".
fn words(list: &str) -> BTreeSet<String> {
    list.replace(" or ", ", ")
        .replace(" and ", ", ")
        .split(", ")
        .map(|w| w.trim().trim_matches('`').to_string())
        .collect()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text
        .find(open)
        .unwrap_or_else(|| panic!("no `{open}` in {text}"))
        + open.len();
    let len = text[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no `{close}` after `{open}` in {text}"));
    &text[start..start + len]
}

#[test]
fn the_textmate_grammar_names_the_tables_roles_and_protocols() {
    let path = common::root().join("editors/vscode/syntaxes/stack.tmLanguage.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let role = g["repository"]["role"]["match"].as_str().unwrap();
    assert_eq!(alternatives(role, "\\b(", ")\\b"), roles(), "{role}");
    let protocol = g["repository"]["link"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["match"].as_str())
        .find(|m| m.starts_with("(:)"))
        .expect("the link's protocol pattern");
    assert_eq!(
        alternatives(protocol, "\\s*(", ")\\b"),
        protocols(),
        "{protocol}"
    );
}

#[test]
fn the_books_highlighter_names_the_tables_roles_and_protocols() {
    let js = std::fs::read_to_string(common::root().join("book/theme/stack-highlight.js")).unwrap();
    let line = |class: &str| {
        js.lines()
            .find(|l| l.contains(&format!("className: '{class}'")) && l.contains("(?:"))
            .unwrap_or_else(|| panic!("no {class} pattern"))
            .to_string()
    };
    assert_eq!(alternatives(&line("built_in"), ")(?:", ")\\b"), roles());
    assert_eq!(alternatives(&line("meta"), ")(?:", ")\\b"), protocols());
}

#[test]
fn the_books_lists_are_the_tables() {
    let language = std::fs::read_to_string(common::root().join("book/src/language.md")).unwrap();
    for directive in ["{{#stackc roles}}", "{{#stackc protocols}}"] {
        assert!(
            language.lines().any(|l| l == directive),
            "book/src/language.md lists them with {directive}"
        );
    }
    let table = stackc::book::roles_table();
    let listed: BTreeSet<String> = table
        .lines()
        .skip(2)
        .map(|row| between(row, "| `", "`").to_string())
        .collect();
    assert_eq!(listed, roles(), "{table}");
    let line = stackc::book::protocols_line();
    assert_eq!(
        words(between(&line, "The protocols are ", ".")),
        protocols(),
        "{line}"
    );
}

#[test]
fn the_expected_a_role_messages_are_the_table() {
    let c = stackc::check("server box: 10.0.0.1\n");
    let f = c
        .findings
        .iter()
        .find(|f| f.message.contains("a role ("))
        .expect("a syntax error expecting a role");
    assert_eq!(
        words(between(&f.message, "a role (", ")")),
        roles(),
        "{}",
        f.message
    );
    let help = f.help.as_deref().expect("a help");
    assert_eq!(words(between(help, "roles are ", ";")), roles(), "{help}");
    let c = stackc::check("server a: nginx 10.0.0.1\nserver b: app 10.0.0.2\na -> b : \n");
    let f = c
        .findings
        .iter()
        .find(|f| f.message.contains("a protocol ("))
        .expect("a syntax error expecting a protocol");
    assert_eq!(
        words(between(&f.message, "a protocol (", ")")),
        protocols(),
        "{}",
        f.message
    );
}

#[test]
fn explain_texts_list_the_tables_roles() {
    use stackc::analysis::rules;
    use stackc::diag::RuleId;
    let listed = |id: RuleId| -> BTreeSet<String> {
        rules::doc(id)
            .explain_text()
            .lines()
            .filter_map(|l| l.strip_prefix("- `"))
            .map(|l| l.split('`').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed(RuleId::UnknownRole), roles());
    let heavy: BTreeSet<String> = stackc::model::ROLES
        .iter()
        .filter(|r| r.heavy)
        .map(|r| r.name.to_string())
        .collect();
    assert_eq!(listed(RuleId::SharedHost), heavy);
    // No rule's summary lists roles by hand, and no placeholder is left.
    for id in RuleId::ALL {
        let doc = rules::doc(*id);
        let named = stackc::model::ROLES
            .iter()
            .filter(|r| doc.summary.contains(&format!(" {}", r.name)))
            .count();
        assert!(named < 2, "{}: {}", id.as_str(), doc.summary);
        let text = doc.explain_text();
        assert!(
            !text.contains("{roles}") && !text.contains("{heavy-roles}"),
            "{}",
            id.as_str()
        );
    }
}
