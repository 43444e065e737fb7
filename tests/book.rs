//! The book: a page per rule, the mdBook preprocessor through its JSON
//! protocol, and the whole book built with a pinned mdBook, with every
//! local link checked.

mod common;

use serde_json::{json, Value};
use stackc::diag::RuleId;
use std::path::Path;
use std::process::{Command, Stdio};

fn stackc_bin() -> &'static str {
    env!("CARGO_BIN_EXE_stackc")
}

#[test]
fn every_rule_has_a_page_in_the_book() {
    let summary = std::fs::read_to_string(common::root().join("book/src/SUMMARY.md")).unwrap();
    for rule in RuleId::ALL {
        let page = common::root().join(format!("book/src/rules/{}.md", rule.as_str()));
        let text =
            std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("no page {}", page.display()));
        assert!(
            text.contains(&format!("{{{{#stackc explain {}}}}}", rule.as_str())),
            "{}",
            page.display()
        );
        assert!(
            summary.contains(&format!("(rules/{}.md)", rule.as_str())),
            "SUMMARY.md lacks {rule}"
        );
    }
}

/// Runs the preprocessor on one chapter; returns (exit code, new content, stderr).
fn preprocess(content: &str) -> (i32, Option<String>, String) {
    let root = common::root().join("book");
    let input = json!([
        {
            "root": root,
            "config": { "book": { "src": "src" }, "preprocessor": { "stackc": { "findings": false } } },
            "renderer": "html",
            "mdbook_version": "0.5.4"
        },
        {
            "items": [
                { "Chapter": { "name": "One", "content": content, "number": [1], "sub_items": [], "path": "one.md", "source_path": "one.md", "parent_names": [] } },
                "Separator"
            ]
        }
    ]);
    let mut child = Command::new(stackc_bin())
        .arg("mdbook")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let content = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|b| {
            b["items"][0]["Chapter"]["content"]
                .as_str()
                .map(str::to_string)
        });
    (out.status.code().unwrap_or(-1), content, stderr)
}

#[test]
fn preprocessor_protocol() {
    // mdBook asks first whether a renderer is supported.
    let st = Command::new(stackc_bin())
        .args(["mdbook", "supports", "html"])
        .status()
        .unwrap();
    assert!(st.success());

    let chapter = "# Title\n\n```stack\ngroup web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\ndomain example.com { www A -> web : https }\n```\n\n```rust\nfn main() {}\n```\n\n{{#stackc explain spof}}\n\n\\{{#stackc check FILE}} stays as written.\n";
    let (code, content, stderr) = preprocess(chapter);
    assert_eq!(code, 0, "{stderr}");
    let content = content.expect("the book comes back");
    assert!(content.contains("stackc-diagram"), "{content}");
    assert!(
        !content.contains("```stack\ngroup web"),
        "the block is replaced"
    );
    assert!(
        content.contains("```rust\nfn main() {}\n```"),
        "other blocks are untouched"
    );
    assert!(content.contains("a server whose loss alone stops the stack serving"));
    assert!(content.contains("{{#stackc check FILE}} stays as written."));
    // Options: source and findings.
    let (code, content, _) = preprocess("```stack,source,findings\nserver box: nginx 10.0.0.1\ndomain example.com { www A -> box }\n```\n");
    assert_eq!(code, 0);
    let content = content.unwrap();
    assert!(content.contains("```stack\nserver box: nginx 10.0.0.1"));
    assert!(content.contains("box is a single point of failure"));
}

#[test]
fn preprocessor_fails_on_a_broken_example() {
    let (code, content, stderr) = preprocess("text\n\n```stack\nserver box: ngnix 10.0.0.1\n```\n");
    assert_eq!(code, 1);
    assert!(content.is_none());
    assert!(
        stderr.contains("one.md: line 3") && stderr.contains("unknown role"),
        "{stderr}"
    );
    // ...unless it expects that error.
    let (code, _, stderr) =
        preprocess("```stack,nodiagram,expect=unknown-role\nserver box: ngnix 10.0.0.1\n```\n");
    assert_eq!(code, 0, "{stderr}");
    // An expected error that does not happen fails too.
    let (code, _, stderr) =
        preprocess("```stack,nodiagram,expect=cycle\nserver box: nginx 10.0.0.1\n```\n");
    assert_eq!(code, 1, "{stderr}");
    // Unknown directives fail.
    let (code, _, stderr) = preprocess("{{#stackc frobnicate}}\n");
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown directive"), "{stderr}");
}

/// Every relative link of the built HTML leads to a file that exists.
fn check_links(dir: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "html") {
                continue;
            }
            let html = std::fs::read_to_string(&p).unwrap();
            for part in html.split("href=\"").skip(1) {
                let target = &part[..part.find('"').unwrap_or(0)];
                if target.is_empty()
                    || target.starts_with('#')
                    || target.contains("://")
                    || target.starts_with("mailto:")
                    || target.starts_with("javascript:")
                {
                    continue;
                }
                let file = target.split(['#', '?']).next().unwrap();
                if file.is_empty() {
                    continue;
                }
                let resolved = p.parent().unwrap().join(file);
                if !resolved.exists() {
                    broken.push(format!(
                        "{} -> {target}",
                        p.strip_prefix(dir).unwrap().display()
                    ));
                }
            }
        }
    }
    broken
}

#[test]
fn the_book_builds_and_its_links_hold() {
    if !common::require_tool("mdbook") {
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(stackc_bin()).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = Command::new("mdbook")
        .arg("build")
        .arg(common::root().join("book"))
        .arg("--dest-dir")
        .arg(out_dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mdbook build failed:\n{log}");
    assert!(!log.contains("ERROR") && !log.contains("WARN"), "{log}");
    let dir = out_dir.path();
    let tutorial = std::fs::read_to_string(dir.join("tutorial.html")).unwrap();
    assert!(
        tutorial.contains("stackc-diagram") && tutorial.contains("<svg class=\"stackc-svg-"),
        "the tutorial has diagrams"
    );
    assert!(
        tutorial.contains("box is a single point of failure"),
        "and findings"
    );
    let spof = std::fs::read_to_string(dir.join("rules/spof.html")).unwrap();
    assert!(spof.contains("a server whose loss alone stops the stack serving"));
    let cli = std::fs::read_to_string(dir.join("cli.html")).unwrap();
    assert!(
        cli.contains("--deny"),
        "the CLI reference holds the real --help"
    );
    assert!(cli.contains("Usage: stackc check") && cli.contains("Usage: stackc simulate"));
    assert!(
        !tutorial.contains("{{#stackc"),
        "every directive was replaced"
    );
    let broken = check_links(dir);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
