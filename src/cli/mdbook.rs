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
//!   and the table of rules. FILE is relative to the book's root.
//!
//! Every block is checked: a block with errors it does not `expect`, an
//! unknown directive or an unreadable file fails the build, so the examples
//! of a book cannot rot.
//!
//! In `book.toml`:
//!
//! ```toml
//! [preprocessor.stackc]
//! command = "stackc mdbook"
//! findings = false   # add the findings under every diagram
//! theme = "light"    # or "dark"
//! ```

use serde_json::Value;
use stackc::analysis::rules;
use stackc::diag::{RuleId, Severity};
use stackc::report::{human, FileReport};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;

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
    let env = Env {
        root,
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
    root: PathBuf,
    findings: bool,
    dark: bool,
    help: HelpFn<'a>,
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

fn stack_block(info: &str, src: &str, env: &Env<'_>) -> Result<String, String> {
    let o = options(info, env)?;
    let mut out = String::new();
    if o.source || o.ignore {
        out.push_str("```stack\n");
        out.push_str(src);
        out.push_str("```\n");
    }
    if o.ignore {
        return Ok(out);
    }
    let c = stackc::check(src);
    let errors: BTreeSet<String> = c
        .findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| f.rule.as_str().to_string())
        .collect();
    let report = || report_text("example.stack", src, &c);
    let stopping = c.findings.iter().any(|f| f.rule.is_stopping());
    let unexpected: Vec<&String> = errors
        .iter()
        .filter(|r| {
            !o.expect.contains(*r) && !matches!(r.as_str(), "spof" | "zone-spof" | "broken")
        })
        .collect();
    if !unexpected.is_empty() || (stopping && o.expect.is_empty()) {
        return Err(format!(
            "the example has errors it does not expect:\n{}",
            report()
        ));
    }
    if let Some(missing) = o.expect.iter().find(|r| !errors.contains(*r)) {
        return Err(format!(
            "the example should report `{missing}` and does not:\n{}",
            report()
        ));
    }
    if o.diagram && !stopping {
        out.push_str(&diagram(src, &c, env)?);
    }
    if o.findings {
        out.push_str("\n```text\n");
        out.push_str(&report());
        out.push_str("```\n");
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
        scope_svg(&svg, n)
    ))
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

fn read_book_file(env: &Env<'_>, rel: &str) -> Result<(String, String), String> {
    let path: PathBuf = env.root.join(rel);
    let shown = rel.trim_start_matches("../").to_string();
    std::fs::read_to_string(&path)
        .map(|s| (shown, s))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Replaces `{{#stackc VERB ARGS}}` in one line.
fn directives(line: &str, env: &Env<'_>) -> Result<String, String> {
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
        let after = directives(&rest[close + 2..], env)?;
        return Ok(format!(
            "{}{}{}{}",
            &line[..at - 1],
            OPEN,
            &rest[..close + 2],
            after
        ));
    }
    let words: Vec<&str> = rest[..close].split_whitespace().collect();
    let replacement = match words.as_slice() {
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
            format!("```text\n{}\n```\n", text.trim_end())
        }
        ["check", file] => {
            let (shown, src) = read_book_file(env, file)?;
            let c = stackc::check(&src);
            format!("```text\n{}```\n", report_text(&shown, &src, &c))
        }
        ["diagram", file] => {
            let (_, src) = read_book_file(env, file)?;
            let c = stackc::check(&src);
            if c.analysis.is_none() {
                return Err(format!("{file} has errors: no diagram"));
            }
            diagram(&src, &c, env)?
        }
        ["simulate", file, names] => {
            let (shown, src) = read_book_file(env, file)?;
            let c = stackc::check(&src);
            let names: Vec<String> = names.split(',').map(str::to_string).collect();
            let (text, _) = super::simulate::report(&shown, &c, &names, false)?;
            format!("```text\n{text}```\n")
        }
        ["source", file] => {
            let (_, src) = read_book_file(env, file)?;
            format!("```stack\n{}```\n", src)
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
        _ => {
            return Err(format!(
                "unknown directive `{{{{#stackc {}}}}}`",
                words.join(" ")
            ))
        }
    };
    let after = directives(&rest[close + 2..], env)?;
    Ok(format!("{}{}{}", &line[..at], replacement, after))
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
