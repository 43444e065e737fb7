//! keepalived's configuration language: statements of words, one a line,
//! a statement followed by `{` opening a block that `}` closes (nested to
//! any depth; a `{` alone on the next line belongs to the statement
//! before it); `#` and `!` start comments outside double quotes; `include
//! PATTERN` (with `*`, `?` and `[...]` globs, relative to the including
//! file's folder) splices other files in; `@HOST` lines apply to one host
//! only and `$NAME=value` parameters are substituted. Unknown statements
//! are kept and ignored by the reader.

use crate::import::tree::{Entry, HostFiles};
use std::collections::BTreeMap;

/// One statement: its words (quotes removed), where it is, and its block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub words: Vec<String>,
    /// Index into [`Parsed::files`].
    pub file: usize,
    pub line: u32,
    pub block: Option<Vec<Stmt>>,
}

impl Stmt {
    pub fn key(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    /// The statements of the block (none without one).
    pub fn children(&self) -> &[Stmt] {
        self.block.as_deref().unwrap_or(&[])
    }
}

/// A parsed config with the files it was read from and what went wrong.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub files: Vec<String>,
    pub top: Vec<Stmt>,
    /// (file, line, message): includes that match nothing, unreadable or
    /// looping files, unbalanced braces.
    pub problems: Vec<(usize, u32, String)>,
}

/// The words of one line: comments cut, `"..."` one word, `{` and `}`
/// words of their own.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut has = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                has = true;
            }
            '#' | '!' if !quoted => break,
            '{' | '}' if !quoted => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
                out.push(c.to_string());
            }
            c if c.is_whitespace() && !quoted => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

/// `*`, `?` and `[abc]`/`[a-z]`/`[!a]` glob matching of a whole path, one
/// `/`-separated segment at a time (a `*` never crosses a `/`). Linear in
/// each segment's length times its pattern's: a `*` is retried only from
/// the last one seen, never nested.
pub fn glob(pattern: &str, path: &str) -> bool {
    let (ps, ss): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), path.split('/').collect());
    ps.len() == ss.len() && ps.iter().zip(&ss).all(|(p, s)| segment(p, s))
}

/// One pattern item: a literal, `?`, `*` or a set.
#[derive(Debug)]
enum Item {
    Char(char),
    Any,
    Star,
    Set(bool, Vec<(char, char)>),
}

fn items(p: &str) -> Vec<Item> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Item::Star),
            '?' => out.push(Item::Any),
            '[' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|k| i + 1 + k);
                let Some(end) = close.filter(|e| *e > i + 1) else {
                    out.push(Item::Char('['));
                    i += 1;
                    continue;
                };
                let mut set = &chars[i + 1..end];
                let neg = matches!(set.first(), Some('!' | '^'));
                if neg {
                    set = &set[1..];
                }
                let mut ranges = Vec::new();
                let mut k = 0;
                while k < set.len() {
                    if k + 2 < set.len() && set[k + 1] == '-' {
                        ranges.push((set[k], set[k + 2]));
                        k += 3;
                    } else {
                        ranges.push((set[k], set[k]));
                        k += 1;
                    }
                }
                out.push(Item::Set(neg, ranges));
                i = end;
            }
            c => out.push(Item::Char(c)),
        }
        i += 1;
    }
    out
}

fn segment(pattern: &str, s: &str) -> bool {
    let p = items(pattern);
    let s: Vec<char> = s.chars().collect();
    let one = |it: &Item, c: char| match it {
        Item::Char(x) => *x == c,
        Item::Any => true,
        Item::Set(neg, r) => r.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
        Item::Star => false,
    };
    let (mut pi, mut si) = (0, 0);
    // The last `*` and where its match ends now.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && matches!(p[pi], Item::Star) {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && one(&p[pi], s[si]) {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|it| matches!(it, Item::Star))
}

/// `/a/./b/../c` is `/a/c`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// How deep includes may nest (keepalived's own limit is lower).
const MAX_DEPTH: usize = 8;

struct Reader<'a> {
    h: &'a HostFiles,
    out: Parsed,
    /// The include chain being read (loop detection).
    stack: Vec<String>,
    /// Files spliced in so far (bounded by [`MAX_INCLUDED`]).
    included: usize,
    /// `$NAME=value` parameters.
    vars: BTreeMap<String, String>,
}

/// How many `$NAME` parameters are kept.
const MAX_VARS: usize = 256;

/// How many files includes may splice in, in all: a config that includes
/// a folder many times over stays linear in what the host holds.
const MAX_INCLUDED: usize = 256;

/// A flat statement before blocks are built: words, file, line.
type Flat = (Vec<String>, usize, u32);

impl Reader<'_> {
    fn file_index(&mut self, path: &str) -> usize {
        match self.out.files.iter().position(|p| p == path) {
            Some(i) => i,
            None => {
                self.out.files.push(path.to_string());
                self.out.files.len() - 1
            }
        }
    }

    /// The statements of `path`, includes spliced in, as flat lines whose
    /// braces are separate words.
    fn flat(&mut self, path: &str, text: &str, out: &mut Vec<Flat>) {
        let fi = self.file_index(path);
        self.stack.push(path.to_string());
        for (i, raw) in text.lines().enumerate() {
            let ln = i as u32 + 1;
            let Some(line) = self.line(raw.trim_start()) else {
                continue;
            };
            let w = words(&line);
            if w.first().map(String::as_str) == Some("include") {
                match w.get(1) {
                    Some(p) => self.include(fi, ln, path, p, out),
                    None => self
                        .out
                        .problems
                        .push((fi, ln, "an `include` without a file".into())),
                }
                continue;
            }
            if !w.is_empty() {
                out.push((w, fi, ln));
            }
        }
        self.stack.pop();
    }

    /// A line as this host reads it: `@NAME ...` only on the host NAME
    /// (`@^NAME`: on every other; keepalived's config id is the host name
    /// by default, the host folder's here); `$NAME=value` defines a
    /// parameter (`None`: nothing to read) that `$NAME` and `${NAME}`
    /// stand for in later lines.
    fn line(&mut self, line: &str) -> Option<String> {
        let mut line = line;
        if let Some(rest) = line.strip_prefix('@') {
            let (cond, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let on = match cond.strip_prefix('^') {
                Some(not) => not != self.h.name,
                None => cond == self.h.name,
            };
            if !on {
                return None;
            }
            line = tail.trim_start();
        }
        if let Some(def) = line.strip_prefix('$') {
            if let Some((name, value)) = def.split_once('=') {
                let name = name.trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    if self.vars.len() < MAX_VARS || self.vars.contains_key(name) {
                        self.vars.insert(name.to_string(), value.trim().to_string());
                    }
                    return None;
                }
            }
        }
        if !line.contains('$') || self.vars.is_empty() {
            return Some(line.to_string());
        }
        // One pass, longest names first (`$AB` before `$A`).
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(k) = rest.find('$') {
            out.push_str(&rest[..k]);
            let after = &rest[k + 1..];
            let braced = after.strip_prefix('{');
            let hit = names.iter().find_map(|n| match braced {
                Some(b) => b
                    .strip_prefix(n.as_str())
                    .and_then(|t| t.strip_prefix('}'))
                    .map(|t| (n, t)),
                None => after.strip_prefix(n.as_str()).map(|t| (n, t)),
            });
            match hit {
                Some((n, tail)) => {
                    out.push_str(&self.vars[n.as_str()]);
                    rest = tail;
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Some(out)
    }

    fn include(&mut self, fi: usize, ln: u32, from: &str, pattern: &str, out: &mut Vec<Flat>) {
        let pattern = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            format!("{dir}/{pattern}")
        };
        let pattern = normalize(&pattern);
        let h = self.h;
        let matches: Vec<(&str, &Entry)> = h
            .files
            .iter()
            .filter(|(p, _)| glob(&pattern, p))
            .map(|(p, e)| (p.as_str(), e))
            .collect();
        if matches.is_empty() {
            self.out
                .problems
                .push((fi, ln, format!("`include {pattern}` matches no file")));
        }
        for (p, e) in matches {
            if self.stack.iter().any(|s| s == p) {
                self.out
                    .problems
                    .push((fi, ln, format!("`include {p}` includes itself: skipped")));
            } else if self.included >= MAX_INCLUDED {
                self.out.problems.push((
                    fi,
                    ln,
                    format!("`include {p}`: more than {MAX_INCLUDED} files included: skipped"),
                ));
                return;
            } else if self.stack.len() >= MAX_DEPTH {
                self.out.problems.push((
                    fi,
                    ln,
                    format!("`include {p}` nests more than {MAX_DEPTH} deep: skipped"),
                ));
            } else {
                self.included += 1;
                match e {
                    Entry::Text(t) => self.flat(p, t, out),
                    Entry::Skipped(why) => {
                        self.out
                            .problems
                            .push((fi, ln, format!("`include {p}` not read: {why}")))
                    }
                }
            }
        }
    }
}

/// Builds blocks from flat lines: a `{` word opens a block for the
/// statement it ends (or the one before, when alone), `}` closes it.
fn blocks(flat: Vec<Flat>, problems: &mut Vec<(usize, u32, String)>) -> Vec<Stmt> {
    // The open blocks: the statement that owns each, and its children.
    let mut stack: Vec<(Option<Stmt>, Vec<Stmt>)> = vec![(None, Vec::new())];
    let mut last = (0, 0);
    for (words, file, line) in flat {
        last = (file, line);
        let mut cur: Vec<String> = Vec::new();
        let flush = |cur: &mut Vec<String>, stack: &mut Vec<(Option<Stmt>, Vec<Stmt>)>| {
            if !cur.is_empty() {
                let s = Stmt {
                    words: std::mem::take(cur),
                    file,
                    line,
                    block: None,
                };
                stack.last_mut().expect("the top level").1.push(s);
            }
        };
        for w in words {
            match w.as_str() {
                "{" => {
                    let owner = if cur.is_empty() {
                        // `{` alone: the previous statement's block.
                        stack.last_mut().expect("the top level").1.pop()
                    } else {
                        Some(Stmt {
                            words: std::mem::take(&mut cur),
                            file,
                            line,
                            block: None,
                        })
                    };
                    stack.push((owner, Vec::new()));
                }
                "}" => {
                    flush(&mut cur, &mut stack);
                    if stack.len() == 1 {
                        problems.push((file, line, "a `}` closes nothing".into()));
                        continue;
                    }
                    let (owner, children) = stack.pop().expect("an open block");
                    let top = &mut stack.last_mut().expect("the top level").1;
                    match owner {
                        Some(mut s) => {
                            s.block = Some(children);
                            top.push(s);
                        }
                        None => top.extend(children),
                    }
                }
                _ => cur.push(w),
            }
        }
        flush(&mut cur, &mut stack);
    }
    while stack.len() > 1 {
        problems.push((last.0, last.1, "a `{` is never closed".into()));
        let (owner, children) = stack.pop().expect("an open block");
        let top = &mut stack.last_mut().expect("the top level").1;
        if let Some(mut s) = owner {
            s.block = Some(children);
            top.push(s);
        }
    }
    stack.pop().map(|(_, c)| c).unwrap_or_default()
}

/// Parses `path` on host `h`, following includes.
pub fn parse(h: &HostFiles, path: &str, text: &str) -> Parsed {
    let mut r = Reader {
        h,
        out: Parsed::default(),
        stack: Vec::new(),
        included: 0,
        vars: BTreeMap::new(),
    };
    let mut flat = Vec::new();
    r.flat(path, text, &mut flat);
    let mut out = r.out;
    out.top = blocks(flat, &mut out.problems);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(files: &[(&str, &str)]) -> HostFiles {
        HostFiles::with_texts("lb-01", files)
    }

    #[test]
    fn words_cut_comments_and_split_braces() {
        assert_eq!(words("a \"b # c\" d # e"), ["a", "b # c", "d"]);
        assert_eq!(words("\tx{y}  ! no"), ["x", "{", "y", "}"]);
    }

    #[test]
    fn globs() {
        assert!(glob(
            "/etc/keepalived/conf.d/*.conf",
            "/etc/keepalived/conf.d/a.conf"
        ));
        assert!(!glob(
            "/etc/keepalived/*.conf",
            "/etc/keepalived/conf.d/a.conf"
        ));
        assert!(glob("/etc/k/[a-c]?.conf", "/etc/k/b1.conf"));
        assert!(!glob("/etc/k/[!a-c]?.conf", "/etc/k/b1.conf"));
        assert!(glob("/k/*a*b", "/k/xaxxb"));
        assert!(!glob("/k/*a*b", "/k/xaxxbc"));
        assert!(glob("/k/[x", "/k/[x"));
        // Many stars on a long name: quick, not exponential.
        let long = format!("/k/{}", "a".repeat(5000));
        assert!(!glob("/k/*a*a*a*a*a*a*a*b", &long));
    }

    #[test]
    fn nested_blocks_braces_on_their_own_line_and_one_line_blocks() {
        let h = host(&[]);
        let p = parse(
            &h,
            "/k.conf",
            "a 1\nb\n{\n  c { d }\n  e {\n    f\n  }\n}\ng",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let keys: Vec<_> = p.top.iter().map(|s| (s.key(), s.line)).collect();
        assert_eq!(keys, [("a", 1), ("b", 2), ("g", 9)]);
        let b = &p.top[1];
        assert_eq!(b.children()[0].children()[0].words, ["d"]);
        assert_eq!(b.children()[1].children()[0].line, 6);
    }

    #[test]
    fn includes_relative_globbed_and_looping() {
        let h = host(&[
            ("/etc/keepalived/keepalived.conf", "include conf.d/*.conf\ninclude /etc/keepalived/keepalived.conf\ninclude none/*.conf\n"),
            ("/etc/keepalived/conf.d/a.conf", "x {\n y\n}\ninclude ../conf.d/a.conf\n"),
        ]);
        let p = parse(
            &h,
            "/etc/keepalived/keepalived.conf",
            h.text("/etc/keepalived/keepalived.conf").unwrap(),
        );
        assert_eq!(p.top.len(), 1);
        assert_eq!(p.files[p.top[0].file], "/etc/keepalived/conf.d/a.conf");
        let msgs: Vec<_> = p
            .problems
            .iter()
            .map(|(_, l, m)| (*l, m.as_str()))
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[1].1.contains("includes itself"));
        assert!(msgs[2].1.contains("matches no file"));
    }

    #[test]
    fn includes_are_bounded_in_all() {
        let mut h = host(&[("/k/leaf.conf", "x\n")]);
        let many = "include /k/leaf.conf\n".repeat(MAX_INCLUDED + 5);
        h.insert("/k/main.conf", Entry::Text(many.clone()));
        let p = parse(&h, "/k/main.conf", &many);
        assert_eq!(p.top.len(), MAX_INCLUDED);
        assert_eq!(p.problems.len(), 5);
    }

    #[test]
    fn host_conditions_and_parameters() {
        let h = HostFiles::new("lb-02");
        let p = parse(
            &h,
            "/k.conf",
            "$PRIO=100\n$VIP=10.0.0.10/24 dev eth0\n@lb-01 priority 101\n@lb-02 priority $PRIO\n@^lb-01 state BACKUP\nvip ${VIP}\ncost $PRICE\n",
        );
        let got: Vec<_> = p.top.iter().map(|s| s.words.join(" ")).collect();
        assert_eq!(
            got,
            [
                "priority 100",
                "state BACKUP",
                "vip 10.0.0.10/24 dev eth0",
                "cost $PRICE"
            ]
        );
        assert_eq!(p.top[0].line, 4);
    }

    #[test]
    fn unbalanced_braces_are_problems_not_panics() {
        let h = host(&[]);
        let p = parse(&h, "/k.conf", "}\na {\n b {\n");
        assert_eq!(p.problems.len(), 3);
        assert_eq!(p.top[0].key(), "a");
    }
}
