//! Who a MySQL/MariaDB replica follows: `master.info` files in the data
//! directory (the server keeps them current), else the `CHANGE MASTER TO` /
//! `CHANGE REPLICATION SOURCE TO` statements of the host's SQL files.

use super::super::store;
use crate::import::facts::{Facts, Origin, Target};
use crate::import::tree::{Entry, HostFiles};

/// Where SQL files are looked for (the bundle's `/etc/mysql/stackc/setup.sql`
/// among them).
const SQL_DIRS: &[&str] = &["/etc/mysql", "/docker-entrypoint-initdb.d"];

/// The replication sources: `master.info` files, else the SQL files'.
pub(super) fn follows(h: &HostFiles, datadir: &str, facts: &mut Facts) -> Vec<(Target, Origin)> {
    let mut info = Vec::new();
    let infos: Vec<&str> = h
        .under(datadir)
        .map(|(p, _)| p)
        .filter(|p| {
            store::file_in(datadir, p).is_some_and(|name| {
                name == "master.info" || (name.starts_with("master-") && name.ends_with(".info"))
            })
        })
        .collect();
    for p in infos {
        if let Some(t) = h.text(p) {
            info.extend(master_info(t).map(|(t, n)| (t, super::super::origin(h, p, n))));
        }
    }
    let mut sql = Vec::new();
    for dir in SQL_DIRS {
        for (p, e) in h.under(dir) {
            if let (true, Entry::Text(t)) = (p.ends_with(".sql"), e) {
                sql.extend(
                    change_source(t)
                        .into_iter()
                        .map(|(t, n)| (t, super::super::origin(h, p, n))),
                );
            }
        }
    }
    if info.is_empty() {
        return sql;
    }
    for (t, o) in &sql {
        if !info.iter().any(|(i, _)| same_host(i, t)) {
            facts.warn(
                o.clone(),
                format!(
                    "this SQL names a source that master.info does not ({}): master.info used",
                    show(t)
                ),
            );
        }
    }
    info
}

fn same_host(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Addr(x, _), Target::Addr(y, _)) => x == y,
        (Target::Name(x, _), Target::Name(y, _)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

fn show(t: &Target) -> String {
    match t {
        Target::Addr(a, _) => a.to_string(),
        Target::Name(n, _) => n.clone(),
    }
}

/// `master.info`: a line count first (MySQL 5.1+, MariaDB), then the
/// binary log's name and position, the host, user, password and port; in
/// the oldest format the log's name is the first line. An empty host: not
/// a replica.
pub(super) fn master_info(text: &str) -> Option<(Target, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.first()?.trim();
    let at = if first.parse::<u32>().is_ok() { 3 } else { 2 };
    let host = lines.get(at)?.trim();
    if host.is_empty() {
        return None;
    }
    let port = lines.get(at + 3).and_then(|p| p.trim().parse::<u16>().ok());
    Some((store::target(host, port), at as u32 + 1))
}

/// Each `CHANGE MASTER [ 'name' ] TO` / `CHANGE REPLICATION SOURCE TO`
/// statement's host and port, with the host option's line.
pub(super) fn change_source(sql: &str) -> Vec<(Target, u32)> {
    let clean = blank_comments(sql);
    // Line numbers by binary search: linear in the file, however many
    // statements it holds.
    let newlines: Vec<usize> = sql.match_indices('\n').map(|(i, _)| i).collect();
    let mut out = Vec::new();
    let mut start = 0;
    for stmt in split_top(&clean, ';') {
        let here = start;
        start += stmt.len() + 1;
        let words: Vec<&str> = stmt.split_whitespace().take(4).collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let u: Vec<&str> = upper.iter().map(String::as_str).collect();
        let (prefix, body_at) = match u.as_slice() {
            ["CHANGE", "MASTER", "TO", ..] => ("MASTER_", 3),
            ["CHANGE", "MASTER", _, "TO"] => ("MASTER_", 4),
            ["CHANGE", "REPLICATION", "SOURCE", "TO"] => ("SOURCE_", 4),
            _ => continue,
        };
        // The options start after the `TO`.
        let mut body = stmt;
        for _ in 0..body_at {
            body = body.trim_start();
            body = &body[body.find(char::is_whitespace).unwrap_or(body.len())..];
        }
        let body_off = here + (stmt.len() - body.len());
        let (mut host, mut port) = (None, None);
        let mut off = body_off;
        for opt in split_top(body, ',') {
            let this = off;
            off += opt.len() + 1;
            let Some((k, v)) = opt.split_once('=') else {
                continue;
            };
            let key = k.trim().to_ascii_uppercase();
            let value = v
                .split_whitespace()
                .next()
                .map(store::unquote)
                .unwrap_or("");
            if key == format!("{prefix}HOST") {
                let lead = opt.len() - opt.trim_start().len();
                let line = newlines.partition_point(|&n| n < this + lead) as u32 + 1;
                host = Some((value.to_string(), line));
            } else if key == format!("{prefix}PORT") {
                port = value.parse::<u16>().ok();
            }
        }
        if let Some((h, line)) = host.filter(|(h, _)| !h.is_empty()) {
            out.push((store::target(&h, port), line));
        }
    }
    out
}

/// `sql` with `-- `, `#` and `/* */` comments as spaces (newlines kept, so
/// that offsets keep their lines); quoted text untouched.
fn blank_comments(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        let line_comment = c == b'#'
            || (c == b'-'
                && b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_none_or(|d| d.is_ascii_whitespace()));
        if line_comment {
            while i < b.len() && b[i] != b'\n' {
                out[i] = b' ';
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] != b'\n' {
                    out[i] = b' ';
                }
                i += 1;
            }
            out[i..(i + 2).min(b.len())].fill(b' ');
            i += 2;
        } else {
            if matches!(c, b'\'' | b'"' | b'`') {
                quote = Some(c);
            }
            i += 1;
        }
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// `s` split at `sep` outside quotes.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut from = 0;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, c) if c == sep => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}
