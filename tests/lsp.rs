//! `stackc lsp` driven over stdio as an editor drives it (TOOLS.md §1):
//! the lifecycle, every request, diagnostics equal to `check --format
//! json` on every sample and rule case, formatting equal to `fmt`, the
//! outline, the robustness cases, and random edit sequences (proptest).

mod common;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{file_uri, LspClient};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `(rule, line, character, severity)` of an LSP diagnostic.
type Key = (String, u64, u64, String);

fn lsp_keys(diags: &[Value]) -> Vec<Key> {
    let mut v: Vec<Key> = diags
        .iter()
        .map(|d| {
            let sev = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "?",
            };
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
                sev.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The UTF-16 column of 1-based code-point column `col` on 1-based `line`.
fn utf16_col(text: &str, line: u64, col: u64) -> u64 {
    let l = text
        .split_inclusive('\n')
        .nth(line as usize - 1)
        .unwrap_or("");
    let l = if line == 1 {
        l.trim_start_matches('\u{feff}')
    } else {
        l
    };
    l.chars()
        .take(col as usize - 1)
        .map(|c| c.len_utf16() as u64)
        .sum()
}

/// `check --format json` of the files, as keys per file (positions mapped
/// to LSP's: 0-based lines, UTF-16 columns), and the messages.
fn check_json(files: &[PathBuf]) -> std::collections::BTreeMap<String, (Vec<Key>, Vec<String>)> {
    let out = common::stackc()
        .arg("check")
        .args(["--format", "json"])
        .args(files)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    let mut per: std::collections::BTreeMap<String, (Vec<Key>, Vec<String>)> = files
        .iter()
        .map(|f| (f.to_string_lossy().into_owned(), Default::default()))
        .collect();
    for f in v["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap().to_string();
        let text = std::fs::read_to_string(common::root().join(&file)).unwrap();
        let line = f["line"].as_u64().unwrap();
        let entry = per.entry(file).or_default();
        entry.0.push((
            f["rule"].as_str().unwrap().to_string(),
            line - 1,
            utf16_col(&text, line, f["column"].as_u64().unwrap()),
            f["severity"].as_str().unwrap().to_string(),
        ));
        entry.1.push(f["message"].as_str().unwrap().to_string());
    }
    for (keys, _) in per.values_mut() {
        keys.sort();
    }
    per
}

fn pos(line: u64, character: u64) -> Value {
    json!({ "line": line, "character": character })
}

fn doc(uri: &str) -> Value {
    json!({ "uri": uri })
}

/// The position of the first `needle` in `text` (ASCII before it).
fn find(text: &str, needle: &str) -> Value {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() as u64;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    pos(line, col as u64)
}

#[test]
fn lifecycle_and_every_request() {
    let (mut c, init) = LspClient::initialized();
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "documentFormattingProvider",
        "codeActionProvider",
        "documentSymbolProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} advertised: {caps}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "stackc");

    let path = common::root().join("samples/scale-up.stack");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    c.open(&uri, &text, 1);
    let diags = c.diagnostics(&uri, 1);
    assert!(diags.iter().all(|d| d["source"] == "stackc"), "{diags:?}");
    assert!(
        !diags.iter().any(|d| d["code"] == "spof"),
        "scale-up has no spof"
    );

    // Delete the lb-02 line: lb-01 becomes a spof, with its chain.
    let lb02 = find(&text, "  server lb-02");
    let line = lb02["line"].as_u64().unwrap();
    c.edit(
        &uri,
        json!({ "start": pos(line, 0), "end": pos(line + 1, 0) }),
        "",
        2,
    );
    let diags = c.diagnostics(&uri, 2);
    let spof = diags
        .iter()
        .find(|d| d["code"] == "spof")
        .unwrap_or_else(|| panic!("a spof after deleting lb-02: {diags:?}"));
    assert!(
        spof["message"].as_str().unwrap().contains("lb-01"),
        "{spof}"
    );
    assert_eq!(spof["severity"], 1);
    assert_eq!(
        spof["codeDescription"]["href"],
        "https://stackc.dev/book/rules/spof.html"
    );
    let edited = {
        let mut t: Vec<&str> = text.split_inclusive('\n').collect();
        t.remove(line as usize);
        t.concat()
    };
    let f = stackc::check_as(&edited, Some("scale-up"));
    let finding = f
        .findings
        .iter()
        .find(|f| f.rule == stackc::diag::RuleId::Spof)
        .unwrap();
    let related = spof["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(related.len(), finding.labels.len(), "{spof}");
    for (r, l) in related.iter().zip(&finding.labels) {
        assert_eq!(r["message"], l.text.as_str());
        assert_eq!(r["location"]["uri"], uri.as_str());
    }

    // Every request is wired and answers without an error (the nav
    // capabilities may still answer null or empty).
    let at = find(&edited, "lb-01");
    let td = doc(&uri);
    for (method, params) in [
        (
            "textDocument/hover",
            json!({ "textDocument": td, "position": at }),
        ),
        (
            "textDocument/definition",
            json!({ "textDocument": td, "position": at }),
        ),
        (
            "textDocument/references",
            json!({ "textDocument": td, "position": at, "context": { "includeDeclaration": true } }),
        ),
        (
            "textDocument/prepareRename",
            json!({ "textDocument": td, "position": at }),
        ),
        (
            "textDocument/completion",
            json!({ "textDocument": td, "position": at }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": td, "range": { "start": at, "end": at },
                    "context": { "diagnostics": [] } }),
        ),
        ("textDocument/documentSymbol", json!({ "textDocument": td })),
        (
            "textDocument/formatting",
            json!({ "textDocument": td, "options": { "tabSize": 2, "insertSpaces": true } }),
        ),
    ] {
        let r = c.call(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
        assert!(r.get("result").is_some(), "{method}: {r}");
    }
    // Rename answers a workspace edit, or refuses with a message.
    let r = c.call(
        "textDocument/rename",
        json!({ "textDocument": td, "position": at, "newName": "lb-09" }),
    );
    match r.get("error") {
        Some(e) => {
            assert_eq!(e["code"], -32803, "{r}");
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
        None => assert!(r["result"].is_object(), "{r}"),
    }
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": td }));
    assert!(
        symbols.as_array().is_some_and(|s| !s.is_empty()),
        "{symbols}"
    );
    c.notify("textDocument/didClose", json!({ "textDocument": td }));
    let m = c
        .wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"] == json!([])
        })
        .expect("closing clears the diagnostics");
    assert!(m["params"]["version"].is_null());
    let r = c.call(
        "textDocument/hover",
        json!({ "textDocument": td, "position": at }),
    );
    assert_eq!(r["result"], Value::Null, "a closed document: {r}");
    assert_eq!(c.shutdown().code(), Some(0));
}

/// Every sample and every rule case, opened in one server: the diagnostics
/// are `check --format json`'s findings (rule, position, severity), and
/// each message starts with the finding's.
#[test]
fn diagnostics_equal_check_on_samples_and_cases() {
    let root = common::root();
    let mut files: Vec<PathBuf> = common::stack_files(&root.join("samples"));
    files.extend(common::stack_files(&root.join("tests/cases")));
    // Non-ASCII before a finding on its line: UTF-16 columns, not bytes or
    // code points (a 4-byte emoji is 2 units, 1 code point).
    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide-chars.stack");
    std::fs::write(
        &wide,
        "stack wide \"ünï 😀 cödé\"\nserver web-01: nginx 10.0.0.1 monitor=\"😀é\" colour=blue\nserver web-02: nginx 10.0.0.2 zone=\"é😀\"\n",
    )
    .unwrap();
    let rel: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().to_path_buf())
        .chain([wide.clone()])
        .collect();
    let expected = check_json(&rel);
    let (mut c, _) = LspClient::initialized();
    let uris: Vec<String> = rel.iter().map(|f| file_uri(&root.join(f))).collect();
    for (f, uri) in rel.iter().zip(&uris) {
        c.open(uri, &std::fs::read_to_string(root.join(f)).unwrap(), 1);
    }
    let mut non_ascii = 0;
    for (f, uri) in rel.iter().zip(&uris) {
        let diags = c.diagnostics(uri, 1);
        let (keys, messages) = &expected[&f.to_string_lossy().into_owned()];
        assert_eq!(&lsp_keys(&diags), keys, "{}", f.display());
        for m in messages {
            assert!(
                diags
                    .iter()
                    .any(|d| d["message"].as_str().unwrap().starts_with(m.as_str())),
                "{}: no diagnostic says {m:?}",
                f.display()
            );
        }
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        for d in &diags {
            let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
            let l = text.split('\n').nth(line).unwrap_or("");
            let ch = d["range"]["start"]["character"].as_u64().unwrap() as usize;
            if l.chars().count() != l.len() && ch > 0 {
                non_ascii += 1;
            }
        }
    }
    assert!(
        non_ascii >= 2,
        "the wide-chars case proves the UTF-16 mapping"
    );
    let (keys, _) = &expected[&wide.to_string_lossy().into_owned()];
    assert!(
        keys.iter().any(|k| k.0 == "unknown-attribute" && k.2 == 44),
        "{keys:?}"
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

/// Applies LSP text edits (JSON) to a text.
fn apply(text: &str, edits: &Value) -> String {
    let ix = stackc::lsp::LineIndex::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let p = |v: &Value| {
                lsp_types::Position::new(
                    v["line"].as_u64().unwrap() as u32,
                    v["character"].as_u64().unwrap() as u32,
                )
            };
            (
                ix.offset(text, p(&e["range"]["start"])),
                ix.offset(text, p(&e["range"]["end"])),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

/// Formatting is `stackc fmt`; the outline names every declared name.
#[test]
fn formatting_is_fmt_and_symbols_name_everything() {
    let (mut c, _) = LspClient::initialized();
    for (i, path) in common::stack_files(&common::root().join("samples"))
        .iter()
        .enumerate()
    {
        let text = std::fs::read_to_string(path).unwrap();
        // Made untidy: extra blanks inside lines and at the end.
        let messy = text.replace(" -> ", "  ->   ").replace("\n}", "\n   }") + "\n\n";
        let uri = file_uri(path);
        c.open(&uri, &messy, i as i64);
        c.diagnostics(&uri, i as i64);
        let edits = c.request(
            "textDocument/formatting",
            json!({ "textDocument": doc(&uri), "options": { "tabSize": 2, "insertSpaces": true } }),
        );
        let out = common::stackc()
            .args(["fmt", "-"])
            .write_stdin(messy.clone())
            .output()
            .unwrap();
        assert!(out.status.success());
        let fmt = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            edits.as_array().unwrap().len(),
            1,
            "one whole-document edit"
        );
        assert_eq!(apply(&messy, &edits), fmt, "{}", path.display());

        let symbols = c.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": doc(&uri) }),
        );
        let mut names = Vec::new();
        fn walk(v: &Value, names: &mut Vec<String>) {
            for s in v.as_array().unwrap() {
                names.push(s["name"].as_str().unwrap().to_string());
                if let Some(ch) = s.get("children").filter(|c| c.is_array()) {
                    walk(ch, names);
                }
            }
        }
        walk(&symbols, &mut names);
        let m = stackc::check(&text).model;
        let declared = m
            .zones
            .iter()
            .map(|z| &z.name)
            .chain(m.servers.iter().map(|s| &s.name))
            .chain(m.groups.iter().map(|g| &g.name))
            .chain(m.domains.iter().map(|d| &d.name))
            .chain(m.name.iter());
        for n in declared {
            assert!(
                names.contains(n),
                "{}: `{n}` in the outline {names:?}",
                path.display()
            );
        }
        for r in &m.records {
            assert!(
                names.contains(&r.label),
                "{}: record {}",
                path.display(),
                r.label
            );
        }
    }
    // A file that does not parse: no edits (fmt refuses it too).
    let uri = "file:///tmp/broken.stack";
    c.open(uri, "server {\n", 1);
    c.diagnostics(uri, 1);
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": doc(uri), "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(r, Value::Null);
    assert_eq!(c.shutdown().code(), Some(0));
}

fn error_code(r: &Value) -> i64 {
    r["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error response: {r}"))
}

/// Bad input of every kind gets an error response or nothing, and the
/// server goes on serving.
#[test]
fn robustness() {
    let mut c = LspClient::spawn();
    // Before `initialize`: requests refused, notifications ignored.
    c.open("file:///tmp/early.stack", "server a: nginx 10.0.0.1\n", 1);
    let r = c.call("textDocument/hover", json!({}));
    assert_eq!(error_code(&r), -32002, "ServerNotInitialized");
    let r = c.call("initialize", json!({ "capabilities": {} }));
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    c.notify("initialized", json!({}));
    assert_eq!(
        error_code(&c.call("initialize", json!({ "capabilities": {} }))),
        -32600
    );
    // The early didOpen was ignored: that document is not open.
    let r = c.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": doc("file:///tmp/early.stack") }),
    );
    assert_eq!(r["result"], Value::Null, "{r}");

    // Bad frames: not JSON, not UTF-8, a raw NUL, not a message.
    for body in [
        &b"{not json"[..],
        b"\xff\xfe{}",
        b"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"x\",\"params\":\"\0\"}",
    ] {
        c.send_body(body);
        let r = c
            .wait(|m| m.get("error").is_some())
            .expect("an error answer");
        assert_eq!(error_code(&r), -32700, "ParseError for {body:?}: {r}");
        assert_eq!(r["id"], Value::Null);
    }
    for (body, id) in [
        ("[1, 2]", Value::Null),
        (r#"{"jsonrpc":"2.0","id":7}"#, json!(7)),
        ("42", Value::Null),
    ] {
        c.send_body(body.as_bytes());
        let r = c
            .wait(|m| m.get("error").is_some())
            .expect("an error answer");
        assert_eq!(error_code(&r), -32600, "InvalidRequest for {body}: {r}");
        assert_eq!(r["id"], id);
    }
    // Garbage between frames, a frame without a length.
    c.send_bytes(b"hello\r\nX-Other: 1\r\n\r\n");
    // Missing params, wrong types, an unknown method.
    assert_eq!(
        error_code(&c.call("textDocument/hover", Value::Null)),
        -32602
    );
    assert_eq!(
        error_code(&c.call(
            "textDocument/hover",
            json!({ "textDocument": 5, "position": "x" })
        )),
        -32602
    );
    assert_eq!(
        error_code(&c.call("textDocument/unknown", json!({}))),
        -32601
    );
    // Unknown and malformed notifications: nothing.
    c.notify("$/unknown", json!({ "x": 1 }));
    c.notify("textDocument/didOpen", json!({ "textDocument": 1 }));
    c.notify("textDocument/didChange", json!(null));
    // A change to, and requests on, a document never opened.
    let ghost = "file:///tmp/ghost.stack";
    c.change(ghost, "server a: nginx\n", 2);
    c.edit(
        ghost,
        json!({ "start": pos(0, 0), "end": pos(0, 0) }),
        "x",
        3,
    );
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
    ] {
        let r = c.call(
            method,
            json!({ "textDocument": doc(ghost), "position": pos(0, 0) }),
        );
        assert_eq!(r["result"], Value::Null, "{method}: {r}");
    }
    let quiet = c.drain(Duration::from_millis(300));
    assert!(
        !quiet.iter().any(|m| m["params"]["uri"] == ghost),
        "nothing published for a document never opened: {quiet:?}"
    );

    // Positions past the end, on a real document.
    let uri = "file:///tmp/robust.stack";
    let text = "server web-01: nginx 10.0.0.1\n";
    c.open(uri, text, 1);
    c.diagnostics(uri, 1);
    for p in [
        pos(0, 999),
        pos(99, 0),
        pos(u32::MAX as u64, u32::MAX as u64),
    ] {
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/prepareRename",
        ] {
            let r = c.call(method, json!({ "textDocument": doc(uri), "position": p }));
            assert!(r.get("error").is_none(), "{method} at {p}: {r}");
        }
    }
    // An edit past the end is clamped: it appends.
    c.edit(
        uri,
        json!({ "start": pos(50, 3), "end": pos(60, 0) }),
        "server web-02: nginx 10.0.0.2\n",
        2,
    );
    let got = lsp_keys(&c.diagnostics(uri, 2));
    let want = stackc::check_as(
        &format!("{text}server web-02: nginx 10.0.0.2\n"),
        Some("robust"),
    );
    assert_eq!(got.len(), want.findings.len(), "{got:?}");

    // Text no UTF-8 file can hold: a lone surrogate. One diagnostic.
    let bad = "file:///tmp/surrogate.stack";
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{bad}","languageId":"stack","version":1,"text":"server a\ud800: nginx\n"}}}}}}"#
    );
    c.send_body(body.as_bytes());
    let d = c.diagnostics(bad, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid Unicode"),
        "{d:?}"
    );
    // Fixed by a full change: checked again.
    c.change(bad, "server a: nginx 10.0.0.1\n", 2);
    let d = c.diagnostics(bad, 2);
    assert!(
        !d.iter()
            .any(|d| d["message"].as_str().unwrap().contains("Unicode")),
        "{d:?}"
    );
    // A NUL in the text (escaped, as JSON must): checked like any text.
    let nul = "file:///tmp/nul.stack";
    let src = "server a: nginx 10.0.0.1\n\0\n";
    c.open(nul, src, 1);
    let got = lsp_keys(&c.diagnostics(nul, 1));
    let want = stackc::check_as(src, Some("nul")).findings.len();
    assert_eq!(got.len(), want, "{got:?}");
    assert!(want > 0);

    // Larger than the CLI's 16 MiB input cap: one diagnostic, no check.
    let huge = "file:///tmp/huge.stack";
    let big = format!("server a: nginx 10.0.0.1\n{}", "#".repeat(16 * 1024 * 1024));
    c.open(huge, &big, 1);
    let d = c.diagnostics(huge, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 16 MiB"),
        "{d:?}"
    );
    let r = c.call(
        "textDocument/hover",
        json!({ "textDocument": doc(huge), "position": pos(0, 8) }),
    );
    assert_eq!(r["result"], Value::Null);
    drop(big);

    // Still serving.
    let r = c.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": doc(uri) }),
    );
    assert_eq!(r["result"].as_array().map(Vec::len), Some(2), "{r}");
    // After shutdown: requests refused, then exit 0.
    let r = c.call("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    assert_eq!(error_code(&c.call("textDocument/hover", json!({}))), -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(lsp_client::TIMEOUT).unwrap().code(), Some(0));
}

#[test]
fn exit_without_shutdown_and_closed_stdin() {
    let (mut c, _) = LspClient::initialized();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(lsp_client::TIMEOUT).unwrap().code(), Some(1));
    // The editor goes away in the middle of a session.
    let (mut c, _) = LspClient::initialized();
    c.open("file:///tmp/a.stack", "server a: nginx 10.0.0.1\n", 1);
    c.close_stdin();
    assert_eq!(c.wait_exit(lsp_client::TIMEOUT).unwrap().code(), Some(1));
    // Before initialize, too.
    let mut c = LspClient::spawn();
    c.close_stdin();
    assert!(c.wait_exit(lsp_client::TIMEOUT).is_some());
}

#[path = "../benches/support/layered.rs"]
mod layered;

/// Requests are answered while a long check runs, and a burst of edits
/// publishes only the newest version (versions only go up).
#[test]
fn never_blocked_never_stale() {
    let (mut c, _) = LspClient::initialized();
    let small = "file:///tmp/small.stack";
    c.open(small, "server web-01: nginx 10.0.0.1\n", 1);
    c.diagnostics(small, 1);
    let big = "file:///tmp/big.stack";
    let text = layered::stack(4_000);
    c.open(big, &text, 1);
    // The big check is in flight: the small document answers at once.
    let t = Instant::now();
    let r = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": doc(small) }),
    );
    let answered = t.elapsed();
    assert_eq!(r.as_array().map(Vec::len), Some(1));
    let d = c.diagnostics(big, 1);
    let checked = t.elapsed();
    assert!(
        answered < checked,
        "answered in {answered:?}, checked in {checked:?}"
    );
    assert!(!d.is_empty() || stackc::check(&text).findings.is_empty());

    // A burst: one change per keystroke, typing a comment.
    let mut line = String::new();
    for v in 2..=40 {
        line.push('x');
        c.change(
            small,
            &format!("server web-01: nginx 10.0.0.1\n# {line}\n"),
            v,
        );
    }
    c.diagnostics(small, 40);
    let versions = |ms: Vec<Value>| -> Vec<i64> {
        ms.iter()
            .filter(|m| m["params"]["uri"] == small)
            .map(|m| m["params"]["version"].as_i64().unwrap())
            .collect()
    };
    let before = versions(c.take_pending());
    assert!(
        before.windows(2).all(|w| w[0] < w[1]) && before.iter().all(|v| *v < 40),
        "only newer versions, each the newest when published: {before:?}"
    );
    assert!(before.len() < 39, "debounced: {before:?}");
    let after = versions(c.drain(Duration::from_millis(300)));
    assert!(after.is_empty(), "nothing after the newest: {after:?}");
    assert_eq!(c.shutdown().code(), Some(0));
}

/// One random edit of a text: a byte range to replace and what goes in.
#[derive(Clone, Debug)]
enum Edit {
    /// Insert a slice of the sample (at fractions of the text).
    Insert {
        at: f64,
        from: f64,
        len: usize,
    },
    Delete {
        at: f64,
        len: usize,
    },
    /// Delete whole lines.
    DeleteLines {
        line: f64,
        count: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0, 0.0..1.0, 0usize..60).prop_map(|(at, from, len)| Edit::Insert { at, from, len }),
        (0.0..1.0, 0usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (0.0..1.0, 1usize..4).prop_map(|(line, count)| Edit::DeleteLines { line, count }),
    ]
}

fn floor_char(t: &str, mut i: usize) -> usize {
    i = i.min(t.len());
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte range and new text of an edit on `text` (`sample` gives the
/// inserted slices).
fn resolve(text: &str, sample: &str, e: &Edit) -> (usize, usize, String) {
    let n = text.len();
    match *e {
        Edit::Insert { at, from, len } => {
            let a = floor_char(text, (at * n as f64) as usize);
            let f = floor_char(sample, (from * sample.len() as f64) as usize);
            let t = floor_char(sample, f + len);
            (a, a, sample[f..t].to_string())
        }
        Edit::Delete { at, len } => {
            let a = floor_char(text, (at * n as f64) as usize);
            (a, floor_char(text, a + len), String::new())
        }
        Edit::DeleteLines { line, count } => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let l = ((line * starts.len() as f64) as usize).min(starts.len() - 1);
            let end = starts.get(l + count).copied().unwrap_or(n);
            (starts[l], end, String::new())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 50, ..ProptestConfig::default() })]

    /// Random edit sequences on the samples, sent as ranged changes
    /// (UTF-16 positions): the server never fails, and the last diagnostics
    /// are `check`'s on the final text.
    #[test]
    fn random_edits_end_as_check(sample in 0usize..6, edits in prop::collection::vec(edit(), 1..12)) {
        let files = common::stack_files(&common::root().join("samples"));
        let path = &files[sample % files.len()];
        let original = std::fs::read_to_string(path).unwrap();
        let (mut c, _) = LspClient::initialized();
        let uri = file_uri(path);
        c.open(&uri, &original, 0);
        let mut text = original.clone();
        for (v, e) in edits.iter().enumerate() {
            let (a, b, new) = resolve(&text, &original, e);
            let ix = stackc::lsp::LineIndex::new(&text);
            let (s, t) = (ix.position(&text, a), ix.position(&text, b));
            let range = json!({ "start": pos(s.line.into(), s.character.into()), "end": pos(t.line.into(), t.character.into()) });
            c.edit(&uri, range, &new, v as i64 + 1);
            text.replace_range(a..b, &new);
        }
        let last = edits.len() as i64;
        let got = lsp_keys(&c.diagnostics(&uri, last));
        let snap = stackc::lsp::Snapshot::new(text.clone(), path.file_stem().and_then(|s| s.to_str()), 0);
        let mut want: Vec<Key> = snap.checked.findings.iter().map(|f| {
            let r = snap.range(f.span);
            (f.rule.as_str().to_string(), r.start.line.into(), r.start.character.into(), f.severity().as_str().to_string())
        }).collect();
        want.sort();
        prop_assert_eq!(got, want);
        // Still answering, on the final text.
        let r = c.call("textDocument/documentSymbol", json!({ "textDocument": doc(&uri) }));
        prop_assert!(r.get("error").is_none());
        prop_assert_eq!(c.shutdown().code(), Some(0));
    }
}

/// Answers that are edits are made from the newest text: formatting
/// formats what was just typed, and a rename or code action asked before
/// the newest text is checked is `ContentModified` (ask again), never
/// edits of an older text.
#[test]
fn edits_never_come_from_an_older_text() {
    let (mut c, _) = LspClient::initialized();
    let uri = "file:///tmp/fresh.stack";
    let text = layered::stack(2_000);
    c.open(uri, &text, 1);
    c.diagnostics(uri, 1);
    let typed = text.replacen("zone a\n", "zone    a\n", 1);
    c.change(uri, &typed, 2);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": doc(uri), "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        apply(&typed, &edits),
        stackc::fmt::format_source(&typed).unwrap()
    );
    c.change(uri, &text, 3);
    let at = find(&text, "lb-0");
    for (method, params) in [
        (
            "textDocument/rename",
            json!({ "textDocument": doc(uri), "position": at, "newName": "lb-7" }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": doc(uri), "range": { "start": at, "end": at },
                    "context": { "diagnostics": [] } }),
        ),
    ] {
        let r = c.call(method, params);
        let checked_before = c
            .take_pending()
            .iter()
            .any(|m| m["params"]["uri"] == uri && m["params"]["version"] == 3);
        if !checked_before {
            assert_eq!(error_code(&r), -32801, "{method} before the check: {r}");
        }
    }
    c.diagnostics(uri, 3);
    let r = c.call(
        "textDocument/codeAction",
        json!({ "textDocument": doc(uri), "range": { "start": at, "end": at },
                "context": { "diagnostics": [] } }),
    );
    assert!(r.get("error").is_none(), "checked: {r}");
    assert_eq!(c.shutdown().code(), Some(0));
}
