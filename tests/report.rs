//! The reports of `check` (issue 9, items C8, E16, E17, E19, B4/B5): no
//! terminal control reaches the terminal, one position model for every
//! format, bounded output per finding, unreadable files said in every
//! format, and a file that declares nothing says so.

mod common;

use common::stackc;
use serde_json::Value;
use std::path::Path;

/// Characters that must never be printed raw: C0 but tab and newline, DEL,
/// C1, bidirectional controls, line/paragraph separators.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Runs `stackc check --format FORMAT FILE` in `dir`; (exit code, stdout).
fn check_in(dir: &Path, format: &str, file: &str) -> (i32, String) {
    let out = stackc()
        .current_dir(dir)
        .args(["check", "--format", format, file])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
    )
}

// ---- C8: terminal escapes ---------------------------------------------------

/// Every control character of the issue in a comment on the line of a
/// finding, and in an `allow` reason (which SARIF carries as the
/// justification of a suppression).
const HOSTILE: &str = "server box: nginx+app+mysql 198.51.100.10 # \u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e} \u{9b}31m \u{7f} \u{2066}\u{200f}\u{61c}\u{85}\u{2028}\r\n\
domain foobar.com { www A -> box }\n\
allow no-firewall box \"r\u{202e}\u{85}\u{7f}\"\n";

/// A token a syntax error quotes.
const HOSTILE_TOKEN: &str = "server bad: nginx 198.51.100.11 \u{202e}\u{1b}[2Jx\u{7}\n";

#[test]
fn no_control_or_bidi_character_reaches_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hostile.stack"), HOSTILE).unwrap();
    std::fs::write(dir.path().join("token.stack"), HOSTILE_TOKEN).unwrap();
    for file in ["hostile.stack", "token.stack"] {
        for format in ["human", "github", "json", "sarif"] {
            let (code, out) = check_in(dir.path(), format, file);
            assert_eq!(code, 1, "{format}: {out}");
            let bad: Vec<char> = out.chars().filter(|c| is_unsafe(*c)).collect();
            assert!(bad.is_empty(), "{format} prints {bad:?} raw:\n{out}");
        }
    }
    // Human shows them as visible escapes, on the snippet line.
    let (_, human) = check_in(dir.path(), "human", "hostile.stack");
    assert!(
        human.contains(
            " 1 │ server box: nginx+app+mysql 198.51.100.10 # \\u{1B}]0;PWNED\\u{7}\\u{1B}[2J\\u{202E} \\u{9B}31m \\u{7F}"
        ),
        "{human}"
    );
    assert!(
        human.contains(" 2 │ domain foobar.com"),
        "the escapes add no line: {human}"
    );
    // SARIF keeps the exact reason, escaped: the value reads back unchanged.
    let (_, sarif) = check_in(dir.path(), "sarif", "hostile.stack");
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let reasons: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"][0]["justification"].as_str())
        .collect();
    assert_eq!(reasons, ["r\u{202e}\u{85}\u{7f}"], "{sarif}");
}

#[test]
fn a_file_name_with_controls_is_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\u{1b}[2J\u{202e}.stack";
    std::fs::write(
        dir.path().join(name),
        "server box: nginx 198.51.100.10\ndomain foobar.com { www A -> box }\n",
    )
    .unwrap();
    for format in ["human", "github", "json", "sarif"] {
        let (_, out) = check_in(dir.path(), format, name);
        assert!(!out.chars().any(is_unsafe), "{format}:\n{out}");
        assert!(out.contains("box"), "{format}:\n{out}");
    }
}

#[test]
fn escapes_do_not_move_the_underline() {
    let dir = tempfile::tempdir().unwrap();
    // Three characters become 18 before the server's name on the same line.
    let src = "stack foo \"t\u{1b}\u{1b}\u{202e}\" ; server box: nginx+app+mysql 198.51.100.10\n\
               domain foobar.com { www A -> box }\n";
    std::fs::write(dir.path().join("s.stack"), src).unwrap();
    let (_, out) = check_in(dir.path(), "human", "s.stack");
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("server box:"))
        .expect("the snippet line");
    let text: Vec<char> = lines[i].chars().collect();
    let under: Vec<char> = lines[i + 1].chars().collect();
    let name_at = lines[i]
        .find("box:")
        .map(|b| lines[i][..b].chars().count())
        .unwrap();
    assert_eq!(
        under.get(name_at),
        Some(&'─'),
        "\n{}\n{}",
        lines[i],
        lines[i + 1]
    );
    assert_eq!(under.get(name_at + 2), Some(&'─'));
    assert_ne!(
        under.get(name_at + 3),
        Some(&'─'),
        "the underline ends with the name"
    );
    assert!(text.len() < 200);
    // The header's column is the source's: 27 scalar values in.
    assert!(out.contains("[s.stack:1:27]"), "{out}");
}

// ---- E17: one position model -----------------------------------------------

/// `box` declared on line 2 after non-ASCII text, in four encodings of
/// lines. Every format must give line 2, column 9 (`é` and `日` are one
/// column each, the BOM none).
fn position_files() -> Vec<(&'static str, String)> {
    let body = |nl: &str| {
        format!(
            "# é日 stack{nl}stack foo \"é日\" ; server box: nginx+app+mysql 198.51.100.10{nl}domain foobar.com {{ www A -> box }}{nl}"
        )
    };
    vec![
        ("lf.stack", body("\n")),
        ("crlf.stack", body("\r\n")),
        ("cr.stack", body("\r")),
        ("bom.stack", format!("\u{feff}{}", body("\n"))),
        ("bom-crlf.stack", format!("\u{feff}{}", body("\r\n"))),
    ]
}

#[test]
fn every_format_agrees_on_lines_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    for (name, src) in position_files() {
        std::fs::write(dir.path().join(name), &src).unwrap();
        // The finding on `box`: where is `box` in the source?
        let at = src.find("box:").unwrap();
        let expected_col = {
            let line_start = src[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            src[line_start..at]
                .trim_start_matches('\u{feff}')
                .chars()
                .count()
                + 1
        };
        assert_eq!(expected_col, 25, "{name}");
        let expected = (2u64, expected_col as u64);

        let (_, json) = check_in(dir.path(), "json", name);
        let v: Value = serde_json::from_str(&json).unwrap();
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "spof")
            .unwrap_or_else(|| panic!("{name}: {json}"));
        let j = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
        assert_eq!(j, expected, "json, {name}");

        let (_, sarif) = check_in(dir.path(), "sarif", name);
        let v: Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
        let r = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "spof")
            .unwrap();
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let s = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        assert_eq!(s, expected, "sarif, {name}");

        let (_, github) = check_in(dir.path(), "github", name);
        let want = format!(
            "::error file={name},line={},col={},title=spof::",
            expected.0, expected.1
        );
        assert!(
            github.lines().any(|l| l.starts_with(&want)),
            "github, {name}:\n{github}"
        );

        let (_, human) = check_in(dir.path(), "human", name);
        let header = format!("[{name}:{}:{}]", expected.0, expected.1);
        assert!(human.contains(&header), "human, {name}:\n{human}");
        // miette shows the right line under the right number, and the
        // underline under `box`.
        let lines: Vec<&str> = human.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.starts_with(" 2 │ stack foo"))
            .unwrap_or_else(|| panic!("human, {name}: line 2 shown as line 2:\n{human}"));
        // Columns on the terminal: `日` is two wide.
        let width = |s: &str| {
            s.chars()
                .map(|c| if c == '日' { 2 } else { 1 })
                .sum::<usize>()
        };
        let col = lines[i]
            .find("box:")
            .map(|b| width(&lines[i][..b]))
            .unwrap();
        assert_eq!(
            lines[i + 1].chars().nth(col),
            Some('─'),
            "human, {name}:\n{human}"
        );
        assert!(
            lines[i - 1].starts_with(" 1 │ # é日 stack"),
            "{name}:\n{human}"
        );
        assert!(
            !human.contains('\u{feff}') && !human.contains('\r'),
            "{name}"
        );
    }
}

#[test]
fn paths_are_normalised_and_relative_to_the_working_directory() {
    let root = common::root();
    let (_, sarif) = check_in(&root, "sarif", "samples/../samples/single-box.stack");
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "samples/single-box.stack"
    );
    let abs = root.join("samples/./single-box.stack");
    let (_, github) = check_in(&root, "github", abs.to_str().unwrap());
    assert!(
        github
            .lines()
            .all(|l| l.contains("file=samples/single-box.stack,")),
        "{github}"
    );
    // Outside the working directory: an absolute file:// URI, escaped.
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("a b.stack");
    std::fs::copy(root.join("samples/single-box.stack"), &name).unwrap();
    let (_, sarif) = check_in(&root, "sarif", name.to_str().unwrap());
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/a%20b.stack"),
        "{uri}"
    );
}

// ---- B4/B5: bounded output per finding --------------------------------------

#[test]
fn a_megabyte_line_prints_a_few_kilobytes() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "stack foo \"{}\" ; server box: nginx+app+mysql 198.51.100.10 # {}\n\
         domain foobar.com {{ www A -> box }}\n",
        "é".repeat(500_000),
        "x".repeat(1_000_000)
    );
    std::fs::write(dir.path().join("long.stack"), &src).unwrap();
    let (code, out) = check_in(dir.path(), "human", "long.stack");
    assert_eq!(code, 1, "{out}");
    assert!(out.len() < 8_000, "{} bytes", out.len());
    assert!(out.contains("[long.stack:1:500023]"), "{out}");
    assert!(out.contains("… ; server box: nginx+app+mysql") || out.contains("é\" ; server box"));
    assert!(out.contains('…'));
    // A megabyte token that a finding quotes: the message is capped.
    let src = format!("server box: nginx 10.0.0.1 {}\n", "a".repeat(1_000_000));
    std::fs::write(dir.path().join("token.stack"), &src).unwrap();
    for format in ["human", "github"] {
        let (code, out) = check_in(dir.path(), format, "token.stack");
        assert_eq!(code, 1);
        assert!(out.len() < 12_000, "{format}: {} bytes", out.len());
        assert!(out.contains("more characters)"), "{format}");
    }
}

#[test]
fn a_finding_draws_at_most_eight_secondary_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("group db: mysql {\n");
    for i in 0..20 {
        src.push_str(&format!("  server d{i} 10.0.0.{} primary\n", i + 1));
    }
    src.push_str("}\ndomain foobar.com { www A -> db : mysql }\n");
    std::fs::write(dir.path().join("p.stack"), &src).unwrap();
    let (code, out) = check_in(dir.path(), "human", "p.stack");
    assert_eq!(code, 1);
    assert!(out.contains("has 20 primaries"), "{out}");
    assert_eq!(out.matches(" is primary").count(), 8, "{out}");
    assert!(out.contains("(12 more places not shown)"), "{out}");
}

// ---- E16: unreadable input in every format -----------------------------------

#[test]
fn an_unreadable_file_is_said_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.stack"),
        "server box: nginx 198.51.100.10\ndomain foobar.com { www A -> box }\n",
    )
    .unwrap();
    let mut bytes = b"server box: nginx 198.51.100.10 # caf".to_vec();
    bytes.extend([0xe9, b'\n']);
    std::fs::write(dir.path().join("latin1.stack"), &bytes).unwrap();
    let run = |format: &str, files: &[&str]| {
        let out = stackc()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .args(files)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, json) = run("json", &["missing.stack", "latin1.stack", "ok.stack"]);
    assert_eq!(code, Some(2));
    let v: Value = serde_json::from_str(&json).unwrap();
    let errors = v["errors"].as_array().expect("an errors array");
    assert_eq!(errors.len(), 2, "{json}");
    assert_eq!(errors[0]["file"], "missing.stack");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot read missing.stack"));
    assert_eq!(errors[1]["file"], "latin1.stack");
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("latin1.stack is not UTF-8: byte 0xE9 at line"),
        "{json}"
    );
    // The readable file is still checked.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "ok.stack" && f["rule"] == "spof"));
    let (_, ok) = run("json", &["ok.stack"]);
    let v: Value = serde_json::from_str(&ok).unwrap();
    assert_eq!(v["errors"], serde_json::json!([]));

    let (code, sarif) = run("sarif", &["missing.stack"]);
    assert_eq!(code, Some(2));
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let _typed: serde_sarif::sarif::Sarif = serde_json::from_str(&sarif).expect("valid SARIF");
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert!(n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("cannot read missing.stack"));
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "missing.stack"
    );
    let (_, sarif) = run("sarif", &["ok.stack"]);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);

    let (code, github) = run("github", &["missing.stack"]);
    assert_eq!(code, Some(2));
    assert!(
        github.starts_with("::error file=missing.stack,title=stackc::cannot read missing.stack"),
        "{github}"
    );
}

// ---- E19: a file that declares nothing ---------------------------------------

#[test]
fn a_file_that_declares_nothing_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.stack"), "").unwrap();
    std::fs::write(dir.path().join("comments.stack"), "# to do\n\n# later\n").unwrap();
    for name in ["empty.stack", "comments.stack"] {
        let (code, human) = check_in(dir.path(), "human", name);
        assert_eq!(code, 0, "an empty file is not an error");
        assert_eq!(
            human,
            format!("0 errors, 0 warnings in {name} (it declares nothing: nothing to analyse)\n")
        );
        let (_, json) = check_in(dir.path(), "json", name);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["files"][0]["file"], name);
        assert_eq!(v["files"][0]["nothing_declared"], true, "{json}");
        let (_, github) = check_in(dir.path(), "github", name);
        assert_eq!(
            github,
            format!("::notice file={name}::{name}: it declares nothing: nothing to analyse\n")
        );
        let (_, sarif) = check_in(dir.path(), "sarif", name);
        let v: Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(
            v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"],
            "note"
        );
    }
    // A file that declares servers has no such note.
    let root = common::root();
    let (_, human) = check_in(&root, "human", "samples/scale-up.stack");
    assert!(!human.contains("declares nothing"));
    let (_, json) = check_in(&root, "json", "samples/scale-up.stack");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["files"][0]["nothing_declared"], false);
}

// ---- invariants on random sources ----------------------------------------------

mod random {
    use super::is_unsafe;
    use proptest::prelude::*;
    use stackc::report::{human, json, FileReport};

    /// Line and column the naive way: split at `\r\n`, `\r`, `\n`; drop a
    /// leading BOM; count characters.
    fn naive(src: &str, offset: usize) -> (u64, u64) {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let before = before.strip_prefix('\u{feff}').unwrap_or(before);
        let unified = before.replace("\r\n", "\n").replace('\r', "\n");
        let line = unified.matches('\n').count() as u64 + 1;
        let col = unified.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
        (line, col)
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("server box: nginx+app+mysql 198.51.100.10".to_string()),
            Just("server b2: nginx 198.51.100.11 firewall".to_string()),
            Just("group g: nginx { server g1 10.0.0.1\n server g2 10.0.0.2 }".to_string()),
            Just("domain foobar.com { www A -> box }".to_string()),
            Just("box -> g : http".to_string()),
            Just("stack foo \"é日\u{1b}[2J\u{202e}\"".to_string()),
            Just("# é日 \u{7}\u{9b}\u{7f}\u{2066}".to_string()),
            Just("server box: nginx 10.0.0.9".to_string()),
            Just("x".repeat(300)),
            Just("\t".to_string()),
            Just(" ; ".to_string()),
            Just("\u{202e}".to_string()),
        ]
    }

    fn source() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            prop::collection::vec(
                (
                    fragment(),
                    prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
                ),
                0..8,
            ),
        )
            .prop_map(|(bom, parts)| {
                let mut s = if bom {
                    "\u{feff}".to_string()
                } else {
                    String::new()
                };
                for (f, nl) in parts {
                    s.push_str(&f);
                    s.push_str(nl);
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Each finding's human header and JSON position agree with the
        /// naive position, and nothing unsafe is printed.
        #[test]
        fn human_and_json_agree_with_a_naive_position(src in source()) {
            let checked = stackc::check(&src);
            for f in &checked.findings {
                let one = std::slice::from_ref(f);
                let report = FileReport {
                    path: "r.stack",
                    source: &src,
                    findings: one,
                    suppressed: &[],
                    allow_reasons: Vec::new(),
                };
                let want = naive(&src, f.span.start);
                let text = human::render(&report, human::Style { color: false, width: 100 });
                prop_assert!(!text.chars().any(is_unsafe), "{}", text);
                let header = format!("[r.stack:{}:{}]", want.0, want.1);
                prop_assert!(text.contains(&header), "{} not in\n{}", header, text);
                let v: serde_json::Value = serde_json::from_str(&json::render(std::slice::from_ref(&report))).unwrap();
                let j = &v["findings"][0];
                prop_assert_eq!((j["line"].as_u64().unwrap(), j["column"].as_u64().unwrap()), want);
            }
        }
    }
}
