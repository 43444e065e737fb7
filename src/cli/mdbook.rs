//! `stackc mdbook`: an mdBook preprocessor. This file is the protocol and
//! the file system; the rewriting of a chapter is the library's
//! [`stackc::book`], strings in and out.
//!
//! mdBook runs `stackc mdbook supports RENDERER` (exit 0: yes), then
//! `stackc mdbook` with `[context, book]` as JSON on standard input, and
//! reads the book back as JSON on standard output. In every chapter:
//!
//! - a fenced block whose info string is `stack` becomes the stack's
//!   diagram, inline SVG. Options after a comma: `source` (keep the code
//!   too), `findings` (add `stackc check`'s report), `nodiagram` (keep only
//!   the code: a language example), `expect=RULE` (the block must report
//!   this error; repeatable), `ignore` (not checked: a fragment);
//! - `{{#stackc explain RULE}}`, `{{#stackc help [COMMAND]}}`,
//!   `{{#stackc check FILE}}`, `{{#stackc diagram FILE [cuts=K]}}`,
//!   `{{#stackc source FILE}}`, `{{#stackc rules}}`, `{{#stackc roles}}` and
//!   `{{#stackc protocols}}` are replaced by the rule's text, the command's
//!   `--help`, the report, the diagram, the file, the table of rules, the
//!   table of roles and the list of protocols (both read from the roles
//!   table); `{{#stackc availability FILE RECORD FIGURE}}` by stackc's
//!   exact availability, once it agrees with the FIGURE worked by hand
//!   (within 1e-9 relative: else the build fails). A directive stands alone on its line (it
//!   becomes a block; its indentation is kept on every line of the block).
//!   FILE is relative to the book's root and must lie, symbolic links
//!   resolved, under the book's root or under `files-root` when set.
//!
//! Every block is checked: a block with errors it does not `expect`, an
//! unknown directive, a file outside the allowed folder, an unreadable
//! file or a `source` file with errors it does not `expect` fails the
//! build, so the examples of a book cannot rot.
//!
//! What a file brings into the book cannot be taken for markup: code
//! fences are longer than any run of backticks in them, the SVG escapes
//! its text, and when mdBook's `links` preprocessor may run after this one
//! (`before = ["links"]`), `{{#...}}` in a file is escaped so that it is
//! shown, not expanded (a form that cannot be escaped fails the build).
//!
//! In `book.toml`:
//!
//! ```toml
//! [preprocessor.stackc]
//! command = "stackc mdbook"
//! findings = false   # add the findings under every diagram
//! theme = "light"    # or "dark"
//! files-root = ".."  # FILE may be under this folder (relative to the book's root)
//! ```

use serde_json::Value;
use stackc::book::{self, Preprocessor};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What the preprocessor needs from the binary's clap definitions.
pub type HelpFn<'a> = &'a dyn Fn(Option<&str>) -> Option<String>;

pub fn run(args: &[String], help: HelpFn<'_>) -> u8 {
    if let Some(first) = args.first() {
        if first == "supports" {
            // Inline SVG and fenced text work for every renderer.
            return 0;
        }
        return super::report::fail(&format!(
            "`stackc mdbook {first}`: the preprocessor takes no such argument"
        ));
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return super::report::fail(&format!("cannot read the book from standard input: {e}"));
    }
    let parsed: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            return super::report::fail(&format!(
                "the input is not mdBook's preprocessor JSON: {e}"
            ))
        }
    };
    let Some([ctx, book]) = parsed
        .as_array()
        .and_then(|a| <&[Value; 2]>::try_from(a.as_slice()).ok())
    else {
        return super::report::fail("the input is not mdBook's `[context, book]`");
    };
    let root = PathBuf::from(ctx["root"].as_str().unwrap_or("."));
    let cfg = &ctx["config"]["preprocessor"]["stackc"];
    let files_root = match cfg["files-root"].as_str() {
        None => root.clone(),
        Some(dir) => root.join(dir),
    };
    let files_root = match std::fs::canonicalize(&files_root) {
        Ok(dir) => dir,
        Err(e) => {
            return super::report::fail(&format!(
                "stackc mdbook: the folder of the book's files, {}, cannot be opened: {e}",
                files_root.display()
            ))
        }
    };
    let host = Files {
        root,
        files_root,
        help,
    };
    let pre = Preprocessor::new(
        book::Config {
            links_after: links_may_run_after(&ctx["config"]),
            findings: cfg["findings"].as_bool().unwrap_or(false),
            dark: cfg["theme"].as_str() == Some("dark"),
        },
        &host,
    );
    let mut book = book.clone();
    let mut errors = Vec::new();
    walk(&mut book, &pre, &mut errors);
    if !errors.is_empty() {
        for e in &errors {
            super::report::error(e);
        }
        super::report::status(&format!("stackc mdbook: {} error(s)", errors.len()));
        return 1;
    }
    super::print(&serde_json::to_string(&book).expect("the book serializes"));
    0
}

/// The book's files, its `--help` texts and `simulate`: what the library's
/// preprocessor reads through [`book::Host`].
struct Files<'a> {
    /// The book's root: FILE is relative to it.
    root: PathBuf,
    /// Where FILE may be, canonical: the book's root or `files-root`.
    files_root: PathBuf,
    help: HelpFn<'a>,
}

impl book::Host for Files<'_> {
    /// FILE of a directive: relative to the book's root, and, with
    /// symbolic links resolved, under the allowed folder.
    fn read(&self, rel: &str) -> Result<(String, String), String> {
        if Path::new(rel).is_absolute() {
            return Err(format!(
                "{rel} is an absolute path: FILE is relative to the book's root ({})",
                self.root.display()
            ));
        }
        let path: PathBuf = self.root.join(rel);
        let real = std::fs::canonicalize(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if !real.starts_with(&self.files_root) {
            return Err(format!(
                "{rel} is {}, outside {}: a book reads only the files under its root (or under `files-root` in book.toml)",
                real.display(),
                self.files_root.display()
            ));
        }
        let shown = rel.trim_start_matches("../").to_string();
        let real = real
            .to_str()
            .ok_or_else(|| format!("{rel}: the path is not UTF-8"))?;
        super::read_input(real)
            .map(|s| (shown, s))
            .map_err(|e| e.to_string())
    }

    fn help(&self, command: Option<&str>) -> Option<String> {
        (self.help)(command)
    }

    fn simulate(
        &self,
        shown: &str,
        checked: &stackc::Checked,
        names: &[String],
    ) -> Result<String, String> {
        super::simulate::report(shown, checked, names, false).map(|(text, _)| text)
    }
}

/// Whether mdBook's `links` preprocessor (which expands `{{#include}}` and
/// the like) may see what this one writes. mdBook does not promise an
/// order: only `after = ["links"]` (or `links` switched off) says it ran
/// first.
fn links_may_run_after(config: &Value) -> bool {
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let pre = &config["preprocessor"];
    let links_off = config["build"]["use-default-preprocessors"].as_bool() == Some(false)
        && pre["links"].is_null();
    let ran_first = names(&pre["stackc"]["after"]).iter().any(|n| n == "links")
        || names(&pre["links"]["before"]).iter().any(|n| n == "stackc");
    !(links_off || ran_first)
}

/// Visits every chapter: an object with `content` and `sub_items` (mdBook
/// 0.4 and 0.5 both serialize chapters so).
fn walk(v: &mut Value, pre: &Preprocessor<'_>, errors: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(content)), Some(_)) =
                (map.get("content"), map.get("sub_items"))
            {
                let chapter = map
                    .get("path")
                    .and_then(Value::as_str)
                    .or_else(|| map.get("name").and_then(Value::as_str))
                    .unwrap_or("?")
                    .to_string();
                match pre.chapter(content) {
                    Ok(new) => {
                        map.insert("content".into(), Value::String(new));
                    }
                    Err(es) => errors.extend(es.into_iter().map(|e| format!("{chapter}: {e}"))),
                }
            }
            for (_, child) in map.iter_mut() {
                walk(child, pre, errors);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, pre, errors)),
        _ => {}
    }
}
