//! The VS Code extension of `editors/vscode/` builds as a user builds it:
//! `npm ci` (offline, from the cache scripts/setup.d/61-vscode.sh fills),
//! then `vsce package`, whose `vscode:prepublish` compiles the TypeScript
//! client with `tsc`. The `.vsix` must hold the compiled client, the grammar
//! and a manifest that names the language and `main`; the client must start
//! `stackc lsp`, and that command, spoken to with the client's own protocol
//! library, must answer (diagnostics, hover, a clean exit).

mod common;
#[path = "support/editor_sample.rs"]
mod editor_sample;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn required() -> bool {
    ["CI", "STACKC_REQUIRE_TOOLS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"))
}

/// The npm cache of the extension's packages, or None (after a SKIP line)
/// when setup has not filled it.
fn npm_cache() -> Option<PathBuf> {
    if !common::require_tool("node") || !common::require_tool("npm") {
        return None;
    }
    let cache = common::root().join("target/tools/vscode/npm-cache");
    if !cache.is_dir() {
        assert!(
            !required(),
            "the VS Code extension's npm cache is missing: run scripts/setup.d/61-vscode.sh"
        );
        eprintln!(
            "SKIP: the VS Code extension's npm cache is missing (scripts/setup.d/61-vscode.sh fills it)"
        );
        return None;
    }
    Some(cache)
}

/// Copies the extension's sources (not a `node_modules`, `out` or `.vsix`
/// left by a hand build) into `to`.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "node_modules" || name == "out" || name.ends_with(".vsix") {
            continue;
        }
        let target = to.join(&*name);
        if entry.file_type().unwrap().is_dir() {
            copy_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs a build step in `dir`, failing the test with its output if it fails.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let started = Instant::now();
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env("NO_UPDATE_NOTIFIER", "1")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}):\n{text}",
        out.status
    );
    eprintln!(
        "{program} {}: {:.1} s",
        args.iter().find(|a| !a.starts_with('-')).unwrap_or(&""),
        started.elapsed().as_secs_f64()
    );
    text
}

/// The entries (name, uncompressed size) of a zip and the text of its
/// `extension/package.json`, read with Python's zipfile (which also checks
/// every entry's CRC).
fn read_vsix(vsix: &Path) -> (Vec<(String, u64)>, Value) {
    const SCRIPT: &str = "import json, sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        bad = z.testzip()\n\
        assert bad is None, 'bad CRC in ' + bad\n\
        print(json.dumps({'entries': [[i.filename, i.file_size] for i in z.infolist()],\n\
                          'package': z.read('extension/package.json').decode()}))\n";
    assert!(
        common::require_tool("python3"),
        "python3 reads the .vsix (zip)"
    );
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(vsix)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let entries = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_str().unwrap().to_string(), e[1].as_u64().unwrap()))
        .collect();
    let manifest = serde_json::from_str(v["package"].as_str().unwrap()).expect("package.json");
    (entries, manifest)
}

#[test]
fn the_extension_builds_into_a_vsix_that_starts_stackc_lsp() {
    let Some(cache) = npm_cache() else {
        return;
    };
    let root = common::root();
    // The build stays in target/vscode-build for a look (and the .vsix for
    // an install): deleting its 15,000 files costs more than building them.
    // `npm ci` replaces the node_modules of an earlier run.
    let build = root.join("target/vscode-build");
    let dir = build.join("stackc-stack");
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == "node_modules" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                std::fs::remove_dir_all(entry.path()).unwrap();
            } else {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }
    copy_sources(&root.join("editors/vscode"), &dir);
    let started = Instant::now();

    let cache = cache.to_str().unwrap();
    run(
        &dir,
        "npm",
        &[
            "ci",
            "--offline",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--cache",
            cache,
        ],
    );
    let vsix = build.join("stackc-stack.vsix");
    let _ = std::fs::remove_file(&vsix);
    let log = run(
        &dir,
        "npx",
        &[
            "--no-install",
            "vsce",
            "package",
            // stackc has no published repository URL to name.
            "--allow-missing-repository",
            "-o",
            vsix.to_str().unwrap(),
        ],
    );
    assert!(log.contains("tsc -p ./"), "vsce compiles first:\n{log}");

    // The client, compiled, starts `stackc lsp` (and `<stackc.path> lsp`).
    let server_js = dir.join("out/server.js");
    let check = format!(
        "const s = require({:?});\n\
         process.stdout.write(JSON.stringify([s.serverCommand(undefined), s.serverCommand(''), \
         s.serverCommand(' /opt/stackc/bin/stackc ')]));",
        server_js.to_str().unwrap()
    );
    let out = Command::new("node").args(["-e", &check]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commands: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        commands,
        serde_json::json!([
            {"command": "stackc", "args": ["lsp"]},
            {"command": "stackc", "args": ["lsp"]},
            {"command": "/opt/stackc/bin/stackc", "args": ["lsp"]},
        ])
    );
    let extension_js = std::fs::read_to_string(dir.join("out/extension.js")).unwrap();
    for needle in [
        "require(\"vscode-languageclient/node\")",
        "require(\"./server\")",
        "getConfiguration('stackc')",
        "TransportKind.stdio",
        "'stackc.restartServer'",
    ] {
        assert!(
            extension_js.contains(needle),
            "out/extension.js lacks {needle}:\n{extension_js}"
        );
    }

    // That command, with the protocol library the client is built on
    // (vscode-jsonrpc), starts a working server: the built stackc.
    let (sample, line, column) = editor_sample::scale_up_without_lb_02();
    let file = build.join("shop.stack");
    std::fs::write(&file, &sample).unwrap();
    let stackc = PathBuf::from(env!("CARGO_BIN_EXE_stackc"));
    let path = std::env::join_paths(
        std::iter::once(stackc.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new("node")
        .arg(root.join("editors/vscode/test/handshake.js"))
        .arg(&dir)
        .arg(&file)
        .args([line.to_string(), column.to_string()])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let talk: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(talk["command"], serde_json::json!(["stackc", "lsp"]));
    assert_eq!(talk["server"]["name"], "stackc");
    for capability in ["hoverProvider", "renameProvider", "completionProvider"] {
        assert!(
            talk["capabilities"]
                .as_array()
                .unwrap()
                .contains(&capability.into()),
            "{talk}"
        );
    }
    let spof = talk["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "spof")
        .unwrap_or_else(|| panic!("no spof: {talk}"));
    assert_eq!(spof["source"], "stackc");
    assert_eq!(spof["line"], line);
    assert!(spof["message"]
        .as_str()
        .unwrap()
        .starts_with("lb-01 is a single point of failure"));
    assert!(talk["hover"].to_string().contains("goes dark"), "{talk}");
    assert_eq!(
        talk["status"], 0,
        "the server exits 0 after shutdown and exit"
    );

    // The package.
    let bytes = std::fs::metadata(&vsix)
        .expect("vsce wrote the .vsix")
        .len();
    let (entries, manifest) = read_vsix(&vsix);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/out/extension.js",
        "extension/out/server.js",
        "extension/syntaxes/stack.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/node_modules/vscode-languageclient/package.json",
    ] {
        assert!(
            names.contains(&needed),
            "the .vsix lacks {needed}: {names:?}"
        );
    }
    for name in &names {
        assert!(
            !name.starts_with("extension/src/")
                && !name.starts_with("extension/test/")
                && !name.ends_with(".ts")
                && !name.contains("node_modules/typescript/")
                && !name.contains("node_modules/@vscode/vsce/"),
            "the .vsix holds {name}, which .vscodeignore or devDependencies leave out"
        );
    }
    let grammar_size = entries
        .iter()
        .find(|(n, _)| n == "extension/syntaxes/stack.tmLanguage.json")
        .unwrap()
        .1;
    assert_eq!(
        grammar_size,
        std::fs::metadata(root.join("editors/vscode/syntaxes/stack.tmLanguage.json"))
            .unwrap()
            .len()
    );
    assert_eq!(manifest["main"], "./out/extension.js");
    assert_eq!(
        manifest["activationEvents"],
        serde_json::json!(["onLanguage:stack"])
    );
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "stack");
    assert_eq!(language["extensions"], serde_json::json!([".stack"]));
    assert_eq!(
        manifest["contributes"]["grammars"][0]["path"],
        "./syntaxes/stack.tmLanguage.json"
    );
    let settings = &manifest["contributes"]["configuration"]["properties"];
    assert_eq!(settings["stackc.path"]["default"], "stackc");
    assert_eq!(settings["stackc.trace.server"]["default"], "off");
    // A cloned repository cannot point stackc.path at a program of its own.
    assert_eq!(
        manifest["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"],
        serde_json::json!(["stackc.path"])
    );
    assert_eq!(
        manifest["contributes"]["commands"][0]["command"],
        "stackc.restartServer"
    );
    println!(
        "{}: {bytes} bytes, {} files, built in {:.1} s",
        vsix.display(),
        entries.len(),
        started.elapsed().as_secs_f64()
    );
}
