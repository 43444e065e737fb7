//! `stackc lsp`'s navigation and help driven over stdio as an editor
//! drives them: hover on a SPOF server says what goes dark (after deleting
//! its partner), definition/references/rename hit every use, completion
//! lists the roles and the valid attributes, and a code action's edit,
//! applied and sent back, removes its finding.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::LspClient;
use serde_json::{json, Value};

const URI: &str = "file:///work/nav.stack";

const TEXT: &str = "\
stack shop
zone a
zone b
group lb: haproxy mode=active-passive vip=203.0.113.10 track firewall monitor=agent {
  server lb-01 10.0.0.11 zone=a
  server lb-02 10.0.0.12 zone=b
}
group web: nginx firewall monitor=agent {
  server web-01 10.0.1.11 zone=a
  server web-02 10.0.1.12 zone=b
}
lb -> web : http
domain example.com {
  www A -> lb : https
}
allow plaintext-backend lb \"a private VLAN\"
allow cut-set lb-01+web-02 \"accepted for now\"
";

fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn td() -> Value {
    json!({ "uri": URI })
}

/// Applies LSP text edits to a text (positions are ASCII here: bytes).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + ch
    };
    let mut es: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    es.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in es {
        out.replace_range(a..b, &t);
    }
    out
}

fn open(text: &str) -> LspClient {
    let (mut c, _) = LspClient::initialized();
    c.open(URI, text, 1);
    c.diagnostics(URI, 1);
    c
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn hover_on_a_spof_server_says_what_goes_dark() {
    let mut c = open(TEXT);
    let hover = |c: &mut LspClient| {
        c.request(
            "textDocument/hover",
            json!({ "textDocument": td(), "position": pos(4, 10) }),
        )
    };
    let h = hover(&mut c);
    assert_eq!(h["contents"]["kind"], "markdown");
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**server** `lb-01`: haproxy"), "{text}");
    assert!(text.contains("**Redundant**"), "{text}");
    assert_eq!(h["range"], json!({ "start": pos(4, 9), "end": pos(4, 14) }));
    // Delete lb-02: lb-01 becomes a spof, and its hover says what goes dark.
    c.edit(URI, json!({ "start": pos(5, 0), "end": pos(6, 0) }), "", 2);
    let diags = c.diagnostics(URI, 2);
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "spof" && d["message"].as_str().unwrap().starts_with("lb-01")),
        "{diags:?}"
    );
    let h = hover(&mut c);
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**Without it** www.example.com goes dark: `www.example.com -> lb"),
        "{text}"
    );
    // Whitespace: null.
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": td(), "position": pos(3, 9) }),
    );
    assert_eq!(r, Value::Null);
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn definition_references_and_rename_hit_every_use() {
    let mut c = open(TEXT);
    // From the cut subject's `lb-01` to its declaration.
    let d = c.request(
        "textDocument/definition",
        json!({ "textDocument": td(), "position": pos(16, 15) }),
    );
    assert_eq!(d["uri"], URI);
    assert_eq!(d["range"], json!({ "start": pos(4, 9), "end": pos(4, 14) }));
    // Group `lb`: its declaration, the link, the record, the allow.
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": td(), "position": pos(11, 0),
                "context": { "includeDeclaration": true } }),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 11, 13, 15]);
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": td(), "position": pos(11, 0),
                "context": { "includeDeclaration": false } }),
    );
    assert_eq!(refs.as_array().unwrap().len(), 3);
    // Rename web-02 (declared in a group, used in a cut subject).
    let r = c.request(
        "textDocument/prepareRename",
        json!({ "textDocument": td(), "position": pos(9, 12) }),
    );
    assert_eq!(r, json!({ "start": pos(9, 9), "end": pos(9, 15) }));
    let w = c.request(
        "textDocument/rename",
        json!({ "textDocument": td(), "position": pos(9, 12), "newName": "web-b" }),
    );
    let edits = w["changes"][URI].as_array().unwrap().clone();
    let renamed = apply(TEXT, &edits);
    assert_eq!(
        renamed,
        TEXT.replace("server web-02", "server web-b")
            .replace("lb-01+web-02", "lb-01+web-b")
    );
    // Refused: a clash, a keyword, an invalid name.
    for (name, says) in [
        ("lb", "already declared"),
        ("group", "keyword"),
        ("9x", "not a valid name"),
    ] {
        let r = c.call(
            "textDocument/rename",
            json!({ "textDocument": td(), "position": pos(9, 12), "newName": name }),
        );
        let msg = r["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"));
        assert!(msg.contains(says), "{name}: {msg}");
    }
    // The renamed text checks to the same findings, the name mapped.
    c.change(URI, &renamed, 2);
    let after = c.diagnostics(URI, 2);
    c.change(URI, TEXT, 3);
    let before = c.diagnostics(URI, 3);
    assert_eq!(codes(&after), codes(&before));
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn completion_lists_roles_and_valid_attributes() {
    let typed = format!("{TEXT}server x: ");
    let mut c = open(&typed);
    let labels = |c: &mut LspClient, line: u32, character: u32| -> Vec<String> {
        let r = c.request(
            "textDocument/completion",
            json!({ "textDocument": td(), "position": pos(line, character) }),
        );
        let items = r
            .as_array()
            .cloned()
            .or_else(|| r["items"].as_array().cloned());
        items
            .unwrap_or_default()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let roles: Vec<String> = stackc::model::ROLES
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    assert_eq!(labels(&mut c, 17, 10), roles);
    let typed = format!("{TEXT}server x: nginx 10.0.9.1 ");
    c.change(URI, &typed, 2);
    c.diagnostics(URI, 2);
    let got = labels(&mut c, 17, 26);
    for want in ["zone", "port", "firewall", "monitor", "health", "capacity"] {
        assert!(got.contains(&want.to_string()), "{want}: {got:?}");
    }
    for not in ["primary", "runtime", "host", "vip", "read"] {
        assert!(!got.contains(&not.to_string()), "{not}: {got:?}");
    }
    let typed = format!("{TEXT}server x: nginx 10.0.9.1 zone=");
    c.change(URI, &typed, 3);
    c.diagnostics(URI, 3);
    assert_eq!(labels(&mut c, 17, 31), vec!["a", "b"]);
    // Asked the moment `zone=` is typed, before its check ran (the
    // debounce holds it back): completion reads the newest text.
    c.change(URI, &format!("{TEXT}server x: "), 4);
    c.diagnostics(URI, 4);
    c.change(URI, &format!("{TEXT}server x: nginx 10.0.9.1 zone="), 5);
    assert_eq!(labels(&mut c, 17, 31), vec!["a", "b"]);
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn code_actions_edits_applied_remove_the_finding() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/replica-write.stack"),
    )
    .unwrap();
    let (mut c, _) = LspClient::initialized();
    c.open(URI, &text, 1);
    let diags = c.diagnostics(URI, 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "replica-write")
        .unwrap()
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": td(), "range": d["range"],
                "context": { "diagnostics": [d] } }),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"add `read` to the link"), "{titles:?}");
    assert!(
        titles.contains(&"point the link at the group `db` instead of db-02"),
        "{titles:?}"
    );
    for (v, a) in (2..).zip(actions) {
        assert_eq!(a["kind"], "quickfix");
        assert_eq!(a["diagnostics"][0]["code"], "replica-write", "{a}");
        let edits = a["edit"]["changes"][URI].as_array().unwrap();
        let fixed = apply(&text, edits);
        c.change(URI, &fixed, v);
        let after = c.diagnostics(URI, v);
        assert!(
            !codes(&after).contains(&"replica-write".to_string()),
            "{}: {after:?}",
            a["title"]
        );
    }
    assert_eq!(c.shutdown().code(), Some(0));
}
