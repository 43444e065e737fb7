//! Markdown that nothing a file or a stack brings can break: fences longer
//! than any run of backticks inside, no `{{` for a later preprocessor to
//! expand.

/// A code fence at the start of `line`: its character and length (three or
/// more).
pub fn fence_of(line: &str) -> Option<(char, usize)> {
    let ch = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.chars().take_while(|c| *c == ch).count();
    (len >= 3).then_some((ch, len))
}

/// A fenced code block that nothing in `body` can close: the fence is one
/// backtick longer than the longest run of backticks in it (three at
/// least), and the body ends with a newline.
pub fn fence(info: &str, body: &str) -> String {
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

/// HTML with no `{{` left (each `{` before a `{` becomes `&#123;`, which
/// shows the same), so that no preprocessor after this one can find a
/// `{{#include ...}}` in a stack's title or strings.
pub fn no_double_braces(html: &str) -> String {
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
/// may run after this one (`links_after`): `{{#...}}` gets the backslash
/// that makes `links` show it as written. A `{{` and `#` apart (spaces,
/// lines) or without `}}` on its line cannot be escaped so: an error.
pub fn guard_links(text: &str, links_after: bool) -> Result<String, String> {
    if !links_after || !text.contains("{{") {
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

/// The explain texts indent code by four spaces; fence it for markdown so
/// it is highlighted as `.stack`.
pub fn indent_code(text: &str) -> String {
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
