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

/// Runs the preprocessor on one chapter of this repository's book, with its
/// book.toml settings; returns (exit code, new content, stderr).
fn preprocess(content: &str) -> (i32, Option<String>, String) {
    preprocess_in(
        &common::root().join("book"),
        json!({ "findings": false, "files-root": "..", "before": ["links"] }),
        content,
    )
}

/// Runs the preprocessor on one chapter of a book at `root` whose
/// `[preprocessor.stackc]` table is `stackc`.
fn preprocess_in(root: &Path, stackc: Value, content: &str) -> (i32, Option<String>, String) {
    let input = json!([
        {
            "root": root,
            "config": { "book": { "src": "src" }, "preprocessor": { "stackc": stackc } },
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

/// Every relative link of the built HTML leads to a file that exists (and
/// to a heading of it that exists, when it names one).
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
                // A link to a heading of another page: the page has it.
                let anchor_missing = || match target.split_once('#') {
                    Some((_, id)) if !id.is_empty() => !std::fs::read_to_string(&resolved)
                        .is_ok_and(|t| t.contains(&format!("id=\"{id}\""))),
                    _ => false,
                };
                if !resolved.exists() || anchor_missing() {
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
    // The worked example: the figure worked by hand, checked and shown.
    let resilience = std::fs::read_to_string(dir.join("resilience.html")).unwrap();
    assert!(
        resilience.contains("0.999371082914223283749375")
            && resilience.contains("availability     0.999371082914")
            && resilience.contains("agrees within 1e-9"),
        "the worked example's figure"
    );
    assert!(
        resilience.contains("stackc-diagram"),
        "the holder case is drawn"
    );
    for rule in ["cut-set", "slo", "overload"] {
        let page = std::fs::read_to_string(dir.join(format!("rules/{rule}.html"))).unwrap();
        assert!(page.contains(&format!("<strong>{rule}</strong>")), "{rule}");
    }
    // The editors page holds the Neovim lines tests/editor_nvim.rs runs and
    // the screenshot tests/editor_screenshot.rs takes.
    let editors = std::fs::read_to_string(dir.join("editors.html")).unwrap();
    assert!(
        editors.contains("vim.lsp.start_client") && editors.contains("src=\"editors/editor.png\""),
        "the editors page"
    );
    assert!(dir.join("editors/editor.png").is_file());
    let broken = check_links(dir);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// A book folder (`book/`, with `book/src/`) inside a folder that holds a
/// secret beside it, and the preprocessor's default settings.
fn scratch_book() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    std::fs::create_dir_all(book.join("src")).unwrap();
    std::fs::write(
        dir.path().join("secret.stack"),
        "server secret: nginx 10.0.0.1\n",
    )
    .unwrap();
    std::fs::write(
        book.join("ok.stack"),
        "group web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\ndomain example.com { www A -> web : https }\n",
    )
    .unwrap();
    (dir, book)
}

fn defaults() -> Value {
    json!({ "findings": false })
}

/// The error lines the preprocessor printed.
fn failed(code: i32, content: &Option<String>, stderr: &str) -> bool {
    code == 1 && content.is_none() && stderr.contains("error: one.md: line 1: ")
}

#[test]
fn directives_read_only_files_under_the_book() {
    let (dir, book) = scratch_book();
    // Inside: read.
    let (code, content, stderr) = preprocess_in(&book, defaults(), "{{#stackc source ok.stack}}\n");
    assert_eq!(code, 0, "{stderr}");
    assert!(content.unwrap().contains("server web-01 10.0.1.11"));
    // An absolute path, a `..` escape, a symbolic link out of the book:
    // refused, naming the directive, for every directive that reads a file.
    std::os::unix::fs::symlink(dir.path().join("secret.stack"), book.join("link.stack")).unwrap();
    std::os::unix::fs::symlink("/etc", book.join("etc")).unwrap();
    for (file, why) in [
        ("/etc/hostname", "is an absolute path"),
        ("../secret.stack", "outside"),
        ("../../../../../../../../etc/passwd", "outside"),
        ("link.stack", "outside"),
        ("etc/hostname", "outside"),
        ("src/../../secret.stack", "outside"),
    ] {
        for verb in ["source", "check", "diagram"] {
            let directive = format!("{{{{#stackc {verb} {file}}}}}");
            let (code, content, stderr) =
                preprocess_in(&book, defaults(), &format!("{directive}\n"));
            assert!(failed(code, &content, &stderr), "{directive}: {stderr}");
            assert!(
                stderr.contains(&format!("`{directive}`: ")) && stderr.contains(why),
                "{directive}: {stderr}"
            );
            assert!(!stderr.contains("secret: nginx"), "{stderr}");
        }
    }
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc simulate ../secret.stack secret}}\n",
    );
    assert!(
        failed(code, &content, &stderr) && stderr.contains("outside"),
        "{stderr}"
    );
    // `files-root` widens the folder, and only to itself.
    let wider = json!({ "files-root": ".." });
    let (code, _, stderr) =
        preprocess_in(&book, wider.clone(), "{{#stackc source ../secret.stack}}\n");
    assert_eq!(code, 0, "{stderr}");
    let (code, content, stderr) =
        preprocess_in(&book, wider, "{{#stackc source ../../secret.stack}}\n");
    assert!(failed(code, &content, &stderr), "{stderr}");
}

#[test]
fn a_source_file_cannot_break_out_of_its_fence() {
    let (_dir, book) = scratch_book();
    let evil =
        "server box: nginx 10.0.0.1\n```\n<img src=x onerror=alert(1)>\n\n````\n# ``` `````` x\n";
    std::fs::write(book.join("evil.stack"), evil).unwrap();
    // Not a valid .stack: the build fails, saying why.
    let (code, content, stderr) =
        preprocess_in(&book, defaults(), "{{#stackc source evil.stack}}\n");
    assert!(failed(code, &content, &stderr), "{stderr}");
    assert!(
        stderr.contains("evil.stack has errors it does not expect"),
        "{stderr}"
    );
    // Shown on purpose: the fence is longer than any run of backticks.
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc source evil.stack expect=syntax}}\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    assert_eq!(content, format!("```````stack\n{evil}```````\n\n"));
    // A file without a final newline still closes its fence.
    std::fs::write(book.join("short.stack"), "server box: nginx 10.0.0.1").unwrap();
    let (code, content, _) =
        preprocess_in(&book, defaults(), "{{#stackc source short.stack}}\nafter\n");
    assert_eq!(code, 0);
    assert_eq!(
        content.unwrap(),
        "```stack\nserver box: nginx 10.0.0.1\n```\n\nafter\n"
    );
    // The options of source are expect=RULE only.
    let (code, content, stderr) =
        preprocess_in(&book, defaults(), "{{#stackc source ok.stack frob}}\n");
    assert!(
        failed(code, &content, &stderr) && stderr.contains("expect=RULE"),
        "{stderr}"
    );
}

#[test]
fn a_directive_stands_alone_on_its_line_and_keeps_its_indentation() {
    let (_dir, book) = scratch_book();
    // In a paragraph a fence is no fence: refused.
    for line in [
        "See {{#stackc source ok.stack}}\n",
        "{{#stackc source ok.stack}} and more\n",
        "> {{#stackc source ok.stack}}\n",
        "\\{{#stackc x}} {{#stackc source ok.stack}}\n",
    ] {
        let (code, content, stderr) = preprocess_in(&book, defaults(), line);
        assert!(failed(code, &content, &stderr), "{line}: {stderr}");
        assert!(stderr.contains("must stand alone on its line"), "{stderr}");
    }
    // In a list item: every line of the block indented as the directive.
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "- item\n\n  {{#stackc source ok.stack}}\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    let block: Vec<&str> = content.lines().skip(2).filter(|l| !l.is_empty()).collect();
    assert_eq!(block.len(), 4, "{content}");
    assert!(block.iter().all(|l| l.starts_with("  ")), "{content}");
}

#[test]
fn file_text_is_not_expanded_by_mdbooks_links_preprocessor() {
    let (_dir, book) = scratch_book();
    std::fs::write(
        book.join("inc.stack"),
        "stack inc \"{{#include /etc/hostname}}\"\n# {{#include ../x}} and {{#title pwned}}\nserver box: nginx 10.0.0.1\ndomain example.com { www A -> box }\n",
    )
    .unwrap();
    let before = json!({ "before": ["links"] });
    // Escaped as mdBook's links preprocessor reads escapes: once per line.
    let (code, content, stderr) =
        preprocess_in(&book, before.clone(), "{{#stackc source inc.stack}}\n");
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    assert!(
        content.contains("stack inc \"\\{{#include /etc/hostname}}\"\n"),
        "{content}"
    );
    assert!(
        content.contains("# \\{{#include ../x}} and {{#title pwned}}\n"),
        "{content}"
    );
    let (code, content, stderr) =
        preprocess_in(&book, before.clone(), "{{#stackc check inc.stack}}\n");
    assert_eq!(code, 0, "{stderr}");
    assert!(content.unwrap().contains("\\{{#include"));
    // In the SVG, no `{{` is left.
    let (code, content, stderr) =
        preprocess_in(&book, before.clone(), "{{#stackc diagram inc.stack}}\n");
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    assert!(!content.contains("{{"), "{content}");
    assert!(
        content.contains("&#123;{#include /etc/hostname}}"),
        "{content}"
    );
    // When links ran first there is nothing to escape.
    let (_, content, _) = preprocess_in(
        &book,
        json!({ "after": ["links"] }),
        "{{#stackc source inc.stack}}\n",
    );
    assert!(content
        .unwrap()
        .contains("stack inc \"{{#include /etc/hostname}}\"\n"));
    // A form that an escape cannot cover fails the build.
    for text in [
        "# {{ #include /etc/hostname}}\nserver box: nginx 10.0.0.1\n",
        "# {{#include /etc/hostname\n# }}\nserver box: nginx 10.0.0.1\n",
    ] {
        std::fs::write(book.join("odd.stack"), text).unwrap();
        let (code, content, stderr) =
            preprocess_in(&book, before.clone(), "{{#stackc source odd.stack}}\n");
        assert!(failed(code, &content, &stderr), "{text}: {stderr}");
        assert!(stderr.contains("line 1 holds `{{` and `#`"), "{stderr}");
    }
}

#[test]
fn stack_block_sources_and_reports_keep_their_fences() {
    // A chapter block fenced with four backticks holding three.
    let chapter = "````stack,source,findings\nstack t \"a ``` b\"\nserver box: nginx 10.0.0.1\ndomain example.com { www A -> box }\n````\n";
    let (code, content, stderr) = preprocess(chapter);
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    assert!(
        content.starts_with("````stack\nstack t \"a ``` b\"\n"),
        "{content}"
    );
    assert!(content.contains("\n````text\n"), "{content}");
}

#[test]
fn simulate_directive_refuses_empty_names() {
    let (code, content, stderr) =
        preprocess("{{#stackc simulate ../samples/scale-up.stack db-01,,a}}\n");
    assert!(failed(code, &content, &stderr), "{stderr}");
    assert!(stderr.contains("a name may not be empty"), "{stderr}");
}

#[test]
fn the_availability_directive_checks_a_hand_figure_through_the_protocol() {
    let (_dir, book) = scratch_book();
    // ok.stack: two web servers at the default 99.9 %, either serves.
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc availability ok.stack www.example.com 0.999999}}\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let content = content.unwrap();
    assert!(
        content.starts_with("```text\nwww.example.com (ok.stack), computed by stackc:\n")
            && content.contains("availability     0.999999000000  (99.9999000000 %)")
            && content.contains("worked by hand   0.999999: agrees within 1e-9"),
        "{content}"
    );
    // A wrong hand figure fails the build, with stackc's figure.
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc availability ok.stack www.example.com 0.9999991}}\n",
    );
    assert!(failed(code, &content, &stderr), "{stderr}");
    assert!(
        stderr.contains("the figure worked by hand for www.example.com, 0.9999991, is not stackc's: stackc computes 0.999999000000000")
            && stderr.contains("more than 1e-9"),
        "{stderr}"
    );
    // A missing file, an unknown record.
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc availability gone.stack www.example.com 0.999999}}\n",
    );
    assert!(failed(code, &content, &stderr), "{stderr}");
    assert!(
        stderr.contains("cannot read") && stderr.contains("gone.stack"),
        "{stderr}"
    );
    let (code, content, stderr) = preprocess_in(
        &book,
        defaults(),
        "{{#stackc availability ok.stack api.example.com 0.999999}}\n",
    );
    assert!(failed(code, &content, &stderr), "{stderr}");
    assert!(
        stderr.contains("`api.example.com` is not a record of ok.stack: name one of its records (www.example.com)"),
        "{stderr}"
    );
}

/// The whole chain, through a real mdBook: nothing a file holds becomes
/// HTML or is expanded, and the secret beside the book stays out.
#[test]
fn a_hostile_file_through_mdbook_stays_text() {
    if !common::require_tool("mdbook") {
        return;
    }
    let (_dir, book) = scratch_book();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"t\"\nsrc = \"src\"\n\n[preprocessor.stackc]\ncommand = \"stackc mdbook\"\nbefore = [\"links\"]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("src/SUMMARY.md"),
        "# Summary\n\n- [One](one.md)\n",
    )
    .unwrap();
    std::fs::write(
        book.join("evil.stack"),
        "stack evil \"<img src=x onerror=alert(1)> {{#include ../../secret.stack}}\"\n# {{#include ../../secret.stack}}\n```\n<img src=y onerror=alert(2)>\n\n```\n",
    )
    .unwrap();
    std::fs::write(
        book.join("clean.stack"),
        "stack evil \"<img src=x onerror=alert(1)> {{#include ../../secret.stack}}\"\n# {{#include ../../secret.stack}}\nserver box: nginx 10.0.0.1\ndomain example.com { www A -> box }\n",
    )
    .unwrap();
    std::fs::write(
        book.join("src/one.md"),
        "# One\n\n{{#stackc source evil.stack expect=syntax}}\n\n{{#stackc source clean.stack}}\n\n{{#stackc diagram clean.stack}}\n\n{{#stackc check clean.stack}}\n",
    )
    .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(stackc_bin()).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = Command::new("mdbook")
        .arg("build")
        .arg(&book)
        .arg("--dest-dir")
        .arg(out_dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mdbook build failed:\n{log}");
    let html = std::fs::read_to_string(out_dir.path().join("one.html")).unwrap();
    assert!(!html.contains("<img"), "raw HTML from a file:\n{html}");
    assert!(
        html.contains("&lt;img src=y onerror=alert(2)&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("server secret"),
        "a file was included:\n{html}"
    );
    assert!(html.contains("{{#include ../../secret.stack}}"), "{html}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    /// Whatever runs of backticks and tildes a file holds, its `source`
    /// block ends where the file ends: no line inside can close the fence.
    #[test]
    fn no_file_closes_its_source_fence(
        lines in proptest::collection::vec("[` ~<>a]{0,12}", 0..12)
    ) {
        let (_dir, book) = scratch_book();
        // The first line makes it a syntax error, which the directive expects.
        let body = format!("```\n{}", lines.iter().map(|l| format!("{l}\n")).collect::<String>());
        std::fs::write(book.join("f.stack"), &body).unwrap();
        let (code, content, stderr) =
            preprocess_in(&book, defaults(), "{{#stackc source f.stack expect=syntax}}\n");
        proptest::prop_assert_eq!(code, 0, "{}", stderr);
        let content = content.unwrap();
        let fence_len = content.chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(fence_len);
        proptest::prop_assert_eq!(&content, &format!("{fence}stack\n{body}{fence}\n\n"));
        // CommonMark: a closing fence is at most 3 spaces, then at least as
        // many backticks, then only spaces.
        for l in body.lines() {
            let t = l.trim_start_matches(' ');
            let closes = l.len() - t.len() <= 3
                && t.chars().take_while(|c| *c == '`').count() >= fence_len
                && t.trim_start_matches('`').trim().is_empty();
            proptest::prop_assert!(!closes, "{:?} closes {:?}", l, fence);
        }
    }
}
