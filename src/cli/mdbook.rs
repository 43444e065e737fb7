//! `stackc mdbook`: an mdBook preprocessor.
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
//!   `{{#stackc check FILE}}`, `{{#stackc diagram FILE}}`,
//!   `{{#stackc source FILE}}` and `{{#stackc rules}}` are replaced by the
//!   rule's text, the command's `--help`, the report, the diagram, the file
//!   and the table of rules. A directive stands alone on its line (it
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
use stackc::analysis::rules;
use stackc::diag::{RuleId, Severity};
use stackc::report::{human, FileReport};
use std::collections::BTreeSet;
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
        return super::fail(&format!(
            "`stackc mdbook {first}`: the preprocessor takes no such argument"
        ));
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return super::fail(&format!("cannot read the book from standard input: {e}"));
    }
    let parsed: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => return super::fail(&format!("the input is not mdBook's preprocessor JSON: {e}")),
    };
    let Some([ctx, book]) = parsed
        .as_array()
        .and_then(|a| <&[Value; 2]>::try_from(a.as_slice()).ok())
    else {
        return super::fail("the input is not mdBook's `[context, book]`");
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
            return super::fail(&format!(
                "stackc mdbook: the folder of the book's files, {}, cannot be opened: {e}",
                files_root.display()
            ))
        }
    };
    let env = Env {
        root,
        files_root,
        links_after: links_may_run_after(&ctx["config"]),
        findings: cfg["findings"].as_bool().unwrap_or(false),
        dark: cfg["theme"].as_str() == Some("dark"),
        help,
    };
    let mut book = book.clone();
    let mut errors = Vec::new();
    walk(&mut book, &env, &mut errors);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!("stackc mdbook: {} error(s)", errors.len());
        return 1;
    }
    super::print(&serde_json::to_string(&book).expect("the book serializes"));
    0
}

struct Env<'a> {
    /// The book's root: FILE is relative to it.
    root: PathBuf,
    /// Where FILE may be, canonical: the book's root or `files-root`.
    files_root: PathBuf,
    /// Whether mdBook's `links` preprocessor may run on this one's output.
    links_after: bool,
    findings: bool,
    dark: bool,
    help: HelpFn<'a>,
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
fn walk(v: &mut Value, env: &Env<'_>, errors: &mut Vec<String>) {
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
                match process(content, env) {
                    Ok(new) => {
                        map.insert("content".into(), Value::String(new));
                    }
                    Err(es) => errors.extend(es.into_iter().map(|e| format!("{chapter}: {e}"))),
                }
            }
            for (_, child) in map.iter_mut() {
                walk(child, env, errors);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, env, errors)),
        _ => {}
    }
}

/// Rewrites one chapter's markdown.
fn process(content: &str, env: &Env<'_>) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(content.len());
    let mut errors = Vec::new();
    let mut lines = content.split_inclusive('\n').enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        if let Some((ch, len)) = fence_of(trimmed) {
            let info = trimmed[len..].trim();
            let mut body = String::new();
            let mut closing = None;
            for (_, l) in lines.by_ref() {
                if fence_of(l.trim_start()).is_some_and(|(c, n)| c == ch && n >= len)
                    && l.trim().chars().all(|c| c == ch)
                {
                    closing = Some(l);
                    break;
                }
                body.push_str(l);
            }
            let first_word = info.split([',', ' ']).next().unwrap_or("");
            match closing {
                Some(_) if first_word == "stack" => match stack_block(info, &body, env) {
                    Ok(html) => out.push_str(&html),
                    Err(e) => errors.push(format!("line {}: {e}", n + 1)),
                },
                _ => {
                    out.push_str(line);
                    out.push_str(&body);
                    out.push_str(closing.unwrap_or(""));
                }
            }
            continue;
        }
        match directives(line, env) {
            Ok(l) => out.push_str(&l),
            Err(e) => errors.push(format!("line {}: {e}", n + 1)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A code fence: its character and length (three or more).
fn fence_of(line: &str) -> Option<(char, usize)> {
    let ch = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.chars().take_while(|c| *c == ch).count();
    (len >= 3).then_some((ch, len))
}

struct BlockOptions {
    source: bool,
    findings: bool,
    diagram: bool,
    ignore: bool,
    expect: BTreeSet<String>,
}

fn options(info: &str, env: &Env<'_>) -> Result<BlockOptions, String> {
    let mut o = BlockOptions {
        source: false,
        findings: env.findings,
        diagram: true,
        ignore: false,
        expect: BTreeSet::new(),
    };
    for word in info.split([',', ' ']).skip(1).filter(|w| !w.is_empty()) {
        match word {
            "source" => o.source = true,
            "findings" => o.findings = true,
            "nodiagram" => {
                o.diagram = false;
                o.source = true;
            }
            "ignore" => o.ignore = true,
            w if w.starts_with("expect=") => {
                let rule = &w["expect=".len()..];
                if rule.parse::<RuleId>().is_err() {
                    return Err(format!("`{w}`: `{rule}` is not a rule"));
                }
                o.expect.insert(rule.to_string());
            }
            w => return Err(format!("unknown option `{w}` on a stack block (source, findings, nodiagram, ignore, expect=RULE)")),
        }
    }
    Ok(o)
}

/// A fenced code block that nothing in `body` can close: the fence is one
/// backtick longer than the longest run of backticks in it (three at
/// least), and the body ends with a newline.
fn fence(info: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let f = "`".repeat((longest + 1).max(3));
    let nl = if body.is_empty() || body.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{f}{info}\n{body}{nl}{f}\n")
}

/// Checks a stack: it must report exactly the errors it `expect`s, beyond
/// `spof`, `zone-spof` and `broken` (what examples are often about).
/// `what` names it in the error ("the example", a file).
fn verify(src: &str, expect: &BTreeSet<String>, what: &str) -> Result<stackc::Checked, String> {
    let c = stackc::check(src);
    let errors: BTreeSet<String> = c
        .findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| f.rule.as_str().to_string())
        .collect();
    let shown = if what == "the example" {
        "example.stack"
    } else {
        what
    };
    let report = || report_text(shown, src, &c);
    let stopping = c.findings.iter().any(|f| f.rule.is_stopping());
    let unexpected: Vec<&String> = errors
        .iter()
        .filter(|r| !expect.contains(*r) && !matches!(r.as_str(), "spof" | "zone-spof" | "broken"))
        .collect();
    if !unexpected.is_empty() || (stopping && expect.is_empty()) {
        return Err(format!(
            "{what} has errors it does not expect (add expect=RULE for each):\n{}",
            report()
        ));
    }
    if let Some(missing) = expect.iter().find(|r| !errors.contains(*r)) {
        return Err(format!(
            "{what} should report `{missing}` and does not:\n{}",
            report()
        ));
    }
    Ok(c)
}

fn stack_block(info: &str, src: &str, env: &Env<'_>) -> Result<String, String> {
    let o = options(info, env)?;
    let mut out = String::new();
    if o.source || o.ignore {
        out.push_str(&fence("stack", src));
    }
    if o.ignore {
        return Ok(out);
    }
    let c = verify(src, &o.expect, "the example")?;
    let stopping = c.findings.iter().any(|f| f.rule.is_stopping());
    if o.diagram && !stopping {
        out.push_str(&diagram(src, &c, env)?);
    }
    if o.findings {
        out.push('\n');
        out.push_str(&fence("text", &report_text("example.stack", src, &c)));
    }
    Ok(out)
}

fn report_text(path: &str, src: &str, c: &stackc::Checked) -> String {
    let r = FileReport::new(path, src, c);
    human::render(
        &r,
        human::Style {
            color: false,
            width: 88,
        },
    )
}

/// The diagram of a checked stack, as HTML for a chapter: the SVG of
/// `stackc render`, inline (so its tooltips work), with its ids and styles
/// made unique so that several diagrams can share a page.
fn diagram(_src: &str, c: &stackc::Checked, env: &Env<'_>) -> Result<String, String> {
    use stackc::render::{Format, Theme};
    let theme = if env.dark { Theme::Dark } else { Theme::Light };
    let svg =
        stackc::render::render(c, Format::Svg, theme).ok_or("the stack has errors: no diagram")?;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(format!(
        "\n<div class=\"stackc-diagram\">\n{}\n</div>\n\n",
        no_double_braces(&scope_svg(&svg, n))
    ))
}

/// HTML with no `{{` left (each `{` before a `{` becomes `&#123;`, which
/// shows the same), so that no preprocessor after this one can find a
/// `{{#include ...}}` in a stack's title or strings.
fn no_double_braces(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && chars.peek() == Some(&'{') {
            out.push_str("&#123;");
        } else {
            out.push(c);
        }
    }
    out
}

/// Text from a file, made safe from mdBook's `links` preprocessor when it
/// may run after this one: `{{#...}}` gets the backslash that makes
/// `links` show it as written. A `{{` and `#` apart (spaces, lines) or
/// without `}}` on its line cannot be escaped so: an error.
fn guard_links(text: &str, env: &Env<'_>) -> Result<String, String> {
    if !env.links_after || !text.contains("{{") {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    // `links` takes `\{{#` up to the last `}}` of its line as one escape.
    let mut covered = 0;
    for i in 0..bytes.len().saturating_sub(1) {
        if i < covered || bytes[i] != b'{' || bytes[i + 1] != b'{' {
            continue;
        }
        let after = &text[i + 2..];
        let rest = after.trim_start();
        if !rest.starts_with('#') {
            continue;
        }
        let line_rest = after.split('\n').next().unwrap_or("");
        if rest.len() != after.len() || !line_rest.contains("}}") {
            let line = text[..i].matches('\n').count() + 1;
            return Err(format!(
                "line {line} holds `{{{{` and `#` in a form that mdBook's links preprocessor, which runs after stackc here, would expand and that cannot be escaped"
            ));
        }
        out.push_str(&text[copied..i]);
        out.push('\\');
        copied = i;
        covered = i + 2 + line_rest.rfind("}}").map_or(0, |e| e + 2);
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// Prefixes an SVG's ids and scopes its style rules to it.
fn scope_svg(svg: &str, n: usize) -> String {
    let prefix = format!("s{n}-");
    let class = format!("stackc-svg-{n}");
    // Ids and the references to them.
    let mut ids = Vec::new();
    for part in svg.split("id=\"").skip(1) {
        if let Some(end) = part.find('"') {
            ids.push(part[..end].to_string());
        }
    }
    let mut out = svg.to_string();
    for id in &ids {
        for (from, to) in [
            (format!("id=\"{id}\""), format!("id=\"{prefix}{id}\"")),
            (format!("url(#{id})"), format!("url(#{prefix}{id})")),
            (format!("href=\"#{id}\""), format!("href=\"#{prefix}{id}\"")),
        ] {
            out = out.replace(&from, &to);
        }
    }
    // Style rules apply to the whole page: scope each selector.
    if let (Some(a), Some(b)) = (out.find("<style>"), out.find("</style>")) {
        let css = &out[a + "<style>".len()..b];
        let mut scoped = String::new();
        for rule in css.split_inclusive('}') {
            match rule.split_once('{') {
                Some((selectors, body)) if !selectors.trim().is_empty() => {
                    let sel: Vec<String> = selectors
                        .split(',')
                        .map(|s| format!(".{class} {}", s.trim()))
                        .collect();
                    scoped.push_str(&sel.join(","));
                    scoped.push('{');
                    scoped.push_str(body);
                }
                _ => scoped.push_str(rule),
            }
        }
        out = format!("{}<style>{}{}", &out[..a], scoped, &out[b..]);
    }
    out.replacen("<svg ", &format!("<svg class=\"{class}\" "), 1)
}

/// Reads FILE of a directive: relative to the book's root, and, with
/// symbolic links resolved, under the allowed folder. Returns the name to
/// show and the text.
fn read_book_file(env: &Env<'_>, rel: &str) -> Result<(String, String), String> {
    if Path::new(rel).is_absolute() {
        return Err(format!(
            "{rel} is an absolute path: FILE is relative to the book's root ({})",
            env.root.display()
        ));
    }
    let path: PathBuf = env.root.join(rel);
    let real =
        std::fs::canonicalize(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !real.starts_with(&env.files_root) {
        return Err(format!(
            "{rel} is {}, outside {}: a book reads only the files under its root (or under `files-root` in book.toml)",
            real.display(),
            env.files_root.display()
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

/// Replaces `{{#stackc VERB ARGS}}` in one line.
fn directives(line: &str, env: &Env<'_>) -> Result<String, String> {
    directives_from(line, true, env)
}

/// `line` is the rest of a line; `start` whether it is the whole line.
fn directives_from(line: &str, start: bool, env: &Env<'_>) -> Result<String, String> {
    const OPEN: &str = "{{#stackc";
    let Some(at) = line.find(OPEN) else {
        return Ok(line.to_string());
    };
    let rest = &line[at + OPEN.len()..];
    let Some(close) = rest.find("}}") else {
        return Err("`{{#stackc` without `}}`".into());
    };
    // `\{{#stackc ...}}` is the directive written out, not run.
    if line[..at].ends_with('\\') {
        let after = directives_from(&rest[close + 2..], false, env)?;
        return Ok(format!(
            "{}{}{}{}",
            &line[..at - 1],
            OPEN,
            &rest[..close + 2],
            after
        ));
    }
    let words: Vec<&str> = rest[..close].split_whitespace().collect();
    let written = format!("{{{{#stackc {}}}}}", words.join(" "));
    let indent = &line[..at];
    let tail = &rest[close + 2..];
    // Its output is a block: text around it on the line would end up
    // outside the block (or inside a paragraph, where a fence is no fence).
    if !start || !indent.trim().is_empty() || !tail.trim().is_empty() {
        return Err(format!(
            "`{written}` must stand alone on its line: it becomes a block"
        ));
    }
    let replacement = directive(&words, env).map_err(|e| format!("`{written}`: {e}"))?;
    let mut out = String::with_capacity(replacement.len() + tail.len());
    for l in replacement.split_inclusive('\n') {
        out.push_str(indent);
        out.push_str(l);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(tail);
    Ok(out)
}

/// What one directive becomes.
fn directive(words: &[&str], env: &Env<'_>) -> Result<String, String> {
    let replacement = match words {
        ["explain", rule] => {
            let id: RuleId = rule
                .parse()
                .map_err(|()| format!("`{rule}` is not a rule"))?;
            let doc = rules::doc(id);
            format!(
                "**{}** ({}): {}\n\n{}\n",
                id.as_str(),
                id.severity().as_str(),
                doc.summary,
                indent_code(doc.explain)
            )
        }
        ["help"] | ["help", _] => {
            let text = (env.help)(words.get(1).copied())
                .ok_or_else(|| format!("no command `{}`", words[1]))?;
            fence("text", text.trim_end())
        }
        ["check", file] => {
            let (shown, src) = read_book_file(env, file)?;
            let c = super::check_input(file, &src);
            fence("text", &guard_links(&report_text(&shown, &src, &c), env)?)
        }
        ["diagram", file] => {
            let (_, src) = read_book_file(env, file)?;
            let c = super::check_input(file, &src);
            if c.analysis.is_none() {
                return Err(format!("{file} has errors: no diagram"));
            }
            diagram(&src, &c, env)?
        }
        ["simulate", file, names] => {
            let (shown, src) = read_book_file(env, file)?;
            let c = super::check_input(file, &src);
            let names: Vec<String> = names.split(',').map(str::to_string).collect();
            let (text, _) = super::simulate::report(&shown, &c, &names, false)?;
            fence("text", &guard_links(&text, env)?)
        }
        ["source", file, options @ ..] => {
            let (shown, src) = read_book_file(env, file)?;
            let mut expect = BTreeSet::new();
            for o in options {
                let rule = o
                    .strip_prefix("expect=")
                    .filter(|r| r.parse::<RuleId>().is_ok())
                    .ok_or_else(|| format!("`{o}`: the options of source are expect=RULE"))?;
                expect.insert(rule.to_string());
            }
            verify(&src, &expect, &shown)?;
            fence("stack", &guard_links(&src, env)?)
        }
        ["rules"] => {
            let mut t = String::from("| rule | severity | finds |\n|---|---|---|\n");
            for id in RuleId::ALL {
                t.push_str(&format!(
                    "| [`{0}`](rules/{0}.md) | {1} | {2} |\n",
                    id.as_str(),
                    id.severity().as_str(),
                    rules::doc(*id).summary
                ));
            }
            t
        }
        _ => return Err("unknown directive".to_string()),
    };
    Ok(replacement)
}

/// The explain texts indent code by four spaces; fence it for markdown so
/// it is highlighted as `.stack`.
fn indent_code(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in text.lines() {
        let code = line.starts_with("    ") && !line.trim().is_empty();
        if code && !in_code {
            out.push_str("```stack\n");
            in_code = true;
        } else if !code && in_code && !line.trim().is_empty() {
            out.push_str("```\n");
            in_code = false;
        }
        if code {
            out.push_str(&line[4..]);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if in_code {
        out.push_str("```\n");
    }
    out
}
