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
