//! `stackc fmt`: the canonical form of a `.stack` file (LANGUAGE.md §6).
//!
//! Two-space indent in blocks, one statement or member per line, one space
//! around `->` and `:`, attributes in source order, comments kept (a comment
//! on its own line stays before what follows it; a comment after code stays
//! on that line), at most one blank line where the source had some, and
//! exactly one blank line around each top-level block. Formatting is
//! idempotent and keeps the meaning: parsing the output gives the same model.

use crate::syntax::{self, Attr, Comment, File, ProtoSpec, Spanned, Statement};

/// Formats a source text; `None` when it has syntax errors (there is no
/// tree to print; `check` reports them).
pub fn format_source(src: &str) -> Option<String> {
    let parsed = syntax::parse(src);
    parsed.is_ok().then(|| format_file(src, &parsed.file))
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Kind {
    Simple,
    Open,
    Item,
    Close,
}

/// One output line before comments: what it prints and where it came from.
struct Line {
    start: usize,
    end: usize,
    depth: usize,
    kind: Kind,
    text: String,
}

/// Prints a parsed file in canonical form; `src` is the text it was parsed
/// from (for comments and blank lines).
pub fn format_file(src: &str, file: &File) -> String {
    let lines = lines_of(src, file);
    let (leading, trailing, tail) = place_comments(src, &lines, &file.comments);
    let mut out = String::new();
    let mut prev_end: Option<usize> = None;
    let mut blank_next = false;
    for (i, line) in lines.iter().enumerate() {
        let first_start = leading[i].first().map_or(line.start, |c| c.span.start);
        let mut blank = prev_end.is_some_and(|p| has_blank_line(src, p, first_start));
        if line.depth == 0 && line.kind == Kind::Open {
            blank = true;
        }
        if blank_next {
            blank = true;
            blank_next = false;
        }
        // No blank line right inside braces.
        if line.kind == Kind::Close || i > 0 && lines[i - 1].kind == Kind::Open {
            blank = false;
        }
        if blank && !out.is_empty() {
            out.push('\n');
        }
        let indent = "  ".repeat(line.depth);
        let mut cursor = first_start;
        for (k, c) in leading[i].iter().enumerate() {
            if k > 0 && has_blank_line(src, cursor, c.span.start) {
                out.push('\n');
            }
            let depth = if line.kind == Kind::Close {
                line.depth + 1
            } else {
                line.depth
            };
            out.push_str(&"  ".repeat(depth));
            out.push_str(&comment_text(c));
            out.push('\n');
            cursor = c.span.end;
        }
        if let Some(last) = leading[i].last() {
            if has_blank_line(src, last.span.end, line.start) {
                out.push('\n');
            }
        }
        out.push_str(&indent);
        out.push_str(&line.text);
        if let Some(c) = &trailing[i] {
            out.push(' ');
            out.push_str(&comment_text(c));
        }
        out.push('\n');
        prev_end = Some(trailing[i].as_ref().map_or(line.end, |c| c.span.end));
        if line.depth == 0 && line.kind == Kind::Close {
            blank_next = true;
        }
    }
    for (k, c) in tail.iter().enumerate() {
        let from = if k == 0 {
            prev_end
        } else {
            Some(tail[k - 1].span.end)
        };
        if (blank_next && k == 0 || from.is_some_and(|p| has_blank_line(src, p, c.span.start)))
            && !out.is_empty()
        {
            out.push('\n');
        }
        out.push_str(&comment_text(c));
        out.push('\n');
    }
    out
}

fn comment_text(c: &Comment) -> String {
    format!("#{}", c.text.trim_end())
}

/// Whether the source between two offsets holds an empty line.
fn has_blank_line(src: &str, from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let between = &src[from..to];
    let mut newlines = 0;
    for ch in between.chars() {
        match ch {
            '\n' => {
                newlines += 1;
                if newlines >= 2 {
                    return true;
                }
            }
            ' ' | '\t' | '\r' => {}
            _ => newlines = 0,
        }
    }
    false
}

/// Attaches each comment to a line: trailing when code precedes it on its
/// source line, else leading the next line; comments after everything form
/// the tail.
#[allow(clippy::type_complexity)]
fn place_comments<'c>(
    src: &str,
    lines: &[Line],
    comments: &'c [Comment],
) -> (
    Vec<Vec<&'c Comment>>,
    Vec<Option<&'c Comment>>,
    Vec<&'c Comment>,
) {
    let mut leading = vec![Vec::new(); lines.len()];
    let mut trailing = vec![None; lines.len()];
    let mut tail = Vec::new();
    for c in comments {
        let line_start = src[..c.span.start].rfind('\n').map_or(0, |i| i + 1);
        let code_before = !src[line_start..c.span.start].trim().is_empty();
        if code_before {
            // The last line that ends before the comment on its source line.
            if let Some(i) = lines
                .iter()
                .rposition(|l| l.end <= c.span.start && l.end >= line_start)
            {
                if trailing[i].is_none() {
                    trailing[i] = Some(c);
                    continue;
                }
            }
        }
        match lines.iter().position(|l| l.start > c.span.start) {
            Some(i) => leading[i].push(c),
            None => tail.push(c),
        }
    }
    (leading, trailing, tail)
}

fn lines_of(src: &str, file: &File) -> Vec<Line> {
    let mut lines = Vec::new();
    let simple = |lines: &mut Vec<Line>, span: syntax::Span, text: String| {
        lines.push(Line {
            start: span.start,
            end: span.end,
            depth: 0,
            kind: Kind::Simple,
            text,
        })
    };
    for stmt in &file.statements {
        match stmt {
            Statement::Stack(s) => {
                let mut t = format!("stack {}", s.name);
                if let Some(title) = &s.title {
                    t.push(' ');
                    t.push_str(&quote(&title.text));
                }
                push_attrs(&mut t, &s.attrs);
                simple(&mut lines, s.span, t);
            }
            Statement::Zone(z) => {
                let mut t = format!("zone {}", z.name);
                push_attrs(&mut t, &z.attrs);
                simple(&mut lines, z.span, t);
            }
            Statement::Server(s) => {
                let mut t = format!("server {}: {}", s.name, roles(&s.roles));
                if let Some(a) = &s.address {
                    t.push(' ');
                    t.push_str(&a.text);
                }
                push_attrs(&mut t, &s.attrs);
                simple(&mut lines, s.span, t);
            }
            Statement::Group(g) => {
                let mut head = format!("group {}: {}", g.name, roles(&g.roles));
                push_attrs(&mut head, &g.attrs);
                head.push_str(" {");
                let open_end = brace_after(src, g.span.start);
                block(
                    &mut lines,
                    g.span,
                    open_end,
                    head,
                    g.members.iter().map(|m| {
                        let mut t = format!("server {}", m.name);
                        if let Some(a) = &m.address {
                            t.push(' ');
                            t.push_str(&a.text);
                        }
                        push_attrs(&mut t, &m.attrs);
                        (m.span, t)
                    }),
                );
            }
            Statement::Domain(d) => {
                let mut head = format!("domain {}", d.name);
                push_attrs(&mut head, &d.attrs);
                head.push_str(" {");
                let open_end = brace_after(src, d.span.start);
                block(
                    &mut lines,
                    d.span,
                    open_end,
                    head,
                    d.records.iter().map(|r| {
                        let mut t = format!("{} {} -> {}", r.label, r.rtype, names(&r.targets));
                        push_proto(&mut t, r.proto.as_ref());
                        push_attrs(&mut t, &r.attrs);
                        (r.span, t)
                    }),
                );
            }
            Statement::Link(l) => {
                let mut t = format!("{} -> {}", names(&l.sources), names(&l.targets));
                push_proto(&mut t, l.proto.as_ref());
                push_attrs(&mut t, &l.attrs);
                simple(&mut lines, l.span, t);
            }
            Statement::Allow(a) => simple(
                &mut lines,
                a.span,
                format!("allow {} {} {}", a.rule, a.subject, quote(&a.reason.text)),
            ),
        }
    }
    lines
}

fn block(
    lines: &mut Vec<Line>,
    span: syntax::Span,
    open_end: usize,
    head: String,
    items: impl Iterator<Item = (syntax::Span, String)>,
) {
    lines.push(Line {
        start: span.start,
        end: open_end,
        depth: 0,
        kind: Kind::Open,
        text: head,
    });
    for (s, text) in items {
        lines.push(Line {
            start: s.start,
            end: s.end,
            depth: 1,
            kind: Kind::Item,
            text,
        });
    }
    lines.push(Line {
        start: span.end.saturating_sub(1),
        end: span.end,
        depth: 0,
        kind: Kind::Close,
        text: "}".into(),
    });
}

/// The offset just after the `{` that opens the block starting at `from`.
fn brace_after(src: &str, from: usize) -> usize {
    let b = src.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

fn roles(r: &[Spanned]) -> String {
    r.iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

fn names(n: &[Spanned]) -> String {
    n.iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_proto(t: &mut String, p: Option<&ProtoSpec>) {
    if let Some(p) = p {
        t.push_str(" : ");
        t.push_str(&p.protocol.text);
        if let Some(port) = &p.port {
            t.push(' ');
            t.push_str(&port.text);
        }
    }
}

fn push_attrs(t: &mut String, attrs: &[Attr]) {
    for a in attrs {
        t.push(' ');
        t.push_str(&a.key.text);
        if let Some(v) = &a.value {
            t.push('=');
            if v.quoted {
                t.push_str(&quote(&v.text));
            } else {
                t.push_str(&v.text);
            }
        }
    }
}

/// A double-quoted string with `\"` and `\\` escapes.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
