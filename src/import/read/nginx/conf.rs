//! nginx's configuration syntax: directives of words ended by `;` or by a
//! `{ ... }` block, `#` comments, `"..."`/`'...'` strings with `\` escapes,
//! `${var}` inside words; `include PATTERN` expanded in place from the
//! host's files (globs, paths relative to `/etc/nginx/`), an include loop
//! warned once and cut. Bounded: nesting depth, files expanded.

use crate::import::facts::Facts;
use crate::import::read::origin;
use crate::import::tree::{Entry, HostFiles};

/// nginx's configuration folder: relative includes start here.
pub const PREFIX: &str = "/etc/nginx/";
const MAX_DEPTH: usize = 64;
/// Files expanded per host (an include of a file twice counts twice).
const MAX_FILES: usize = 512;
/// Text expanded per host.
const MAX_BYTES: usize = 8 << 20;

/// One directive, with the file and line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    pub path: String,
    pub line: u32,
    /// Its `{ ... }` block, if it has one.
    pub block: Option<Vec<Directive>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Semi,
    Open,
    Close,
}

/// The tokens of one file with their lines.
fn tokens(text: &str) -> Vec<(Tok, u32)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1u32;
    let mut word = String::new();
    let mut word_line = 1;
    let mut in_word = false;
    let flush = |word: &mut String, in_word: &mut bool, out: &mut Vec<(Tok, u32)>, l: u32| {
        if *in_word {
            out.push((Tok::Word(std::mem::take(word)), l));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                flush(&mut word, &mut in_word, &mut out, word_line);
                line += 1;
            }
            c if c.is_whitespace() => flush(&mut word, &mut in_word, &mut out, word_line),
            '#' if !in_word => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            ';' | '{' | '}' => {
                // `${var}` inside a word.
                if c == '{' && in_word && word.ends_with('$') {
                    word.push(c);
                    for c in chars.by_ref() {
                        word.push(c);
                        if c == '}' || c == '\n' {
                            break;
                        }
                    }
                    continue;
                }
                flush(&mut word, &mut in_word, &mut out, word_line);
                out.push((
                    match c {
                        ';' => Tok::Semi,
                        '{' => Tok::Open,
                        _ => Tok::Close,
                    },
                    line,
                ));
            }
            '"' | '\'' if !in_word => {
                let quote = c;
                let start = line;
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                if n == '\n' {
                                    line += 1;
                                }
                                if n != quote && n != '\\' {
                                    s.push('\\');
                                }
                                s.push(n);
                            }
                        }
                        c if c == quote => break,
                        c => {
                            if c == '\n' {
                                line += 1;
                            }
                            s.push(c);
                        }
                    }
                }
                out.push((Tok::Word(s), start));
            }
            c => {
                if !in_word {
                    in_word = true;
                    word_line = line;
                }
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        word.push(n);
                    }
                } else {
                    word.push(c);
                }
            }
        }
    }
    flush(&mut word, &mut in_word, &mut out, word_line);
    out
}

/// Reads a configuration from the host's files.
pub struct Loader<'a> {
    h: &'a HostFiles,
    facts: &'a mut Facts,
    /// The files being expanded (include loops).
    stack: Vec<String>,
    expanded: usize,
    bytes: usize,
    /// Missing includes already warned.
    missing: std::collections::HashSet<String>,
    loop_warned: bool,
    budget_warned: bool,
}

impl<'a> Loader<'a> {
    pub fn new(h: &'a HostFiles, facts: &'a mut Facts) -> Loader<'a> {
        Loader {
            h,
            facts,
            stack: Vec::new(),
            expanded: 0,
            bytes: 0,
            missing: Default::default(),
            loop_warned: false,
            budget_warned: false,
        }
    }

    /// The directives of the file `path` whose text is `text`, includes
    /// expanded.
    pub fn file(&mut self, path: &str, text: &str) -> Vec<Directive> {
        self.stack.push(path.to_string());
        self.expanded += 1;
        self.bytes += text.len();
        let toks = tokens(text);
        let mut pos = 0;
        let mut out = Vec::new();
        self.block(path, &toks, &mut pos, 0, &mut out);
        if pos < toks.len() {
            let line = toks[pos].1;
            self.facts.warn(
                origin(self.h, path, line),
                "unexpected `}`: the rest of the file is not read",
            );
        }
        self.stack.pop();
        out
    }

    fn block(
        &mut self,
        path: &str,
        toks: &[(Tok, u32)],
        pos: &mut usize,
        depth: usize,
        out: &mut Vec<Directive>,
    ) {
        while *pos < toks.len() {
            let (t, line) = &toks[*pos];
            match t {
                Tok::Close => return,
                Tok::Semi | Tok::Open => {
                    // A stray `;` or an anonymous block: skip it.
                    *pos += 1;
                    if *t == Tok::Open {
                        let mut inner = Vec::new();
                        self.nested(path, toks, pos, depth, *line, &mut inner);
                    }
                }
                Tok::Word(name) => {
                    let name = name.clone();
                    let line = *line;
                    *pos += 1;
                    let mut args = Vec::new();
                    let mut block = None;
                    while *pos < toks.len() {
                        match &toks[*pos].0 {
                            Tok::Word(w) => {
                                args.push(w.clone());
                                *pos += 1;
                            }
                            Tok::Semi => {
                                *pos += 1;
                                break;
                            }
                            Tok::Open => {
                                *pos += 1;
                                let mut inner = Vec::new();
                                self.nested(path, toks, pos, depth, line, &mut inner);
                                block = Some(inner);
                                break;
                            }
                            Tok::Close => {
                                self.facts.warn(
                                    origin(self.h, path, line),
                                    format!("`{name}` is not ended by `;`"),
                                );
                                break;
                            }
                        }
                    }
                    if name == "include" && block.is_none() && args.len() == 1 {
                        self.include(path, line, &args[0], out);
                    } else {
                        out.push(Directive {
                            name,
                            args,
                            path: path.to_string(),
                            line,
                            block,
                        });
                    }
                }
            }
        }
    }

    /// The inside of a block opened at `line`, up to its `}`.
    fn nested(
        &mut self,
        path: &str,
        toks: &[(Tok, u32)],
        pos: &mut usize,
        depth: usize,
        line: u32,
        inner: &mut Vec<Directive>,
    ) {
        if depth >= MAX_DEPTH {
            self.facts.warn(
                origin(self.h, path, line),
                format!("blocks nested deeper than {MAX_DEPTH}: not read"),
            );
            // Skip to the matching `}`.
            let mut open = 1usize;
            while *pos < toks.len() && open > 0 {
                match toks[*pos].0 {
                    Tok::Open => open += 1,
                    Tok::Close => open -= 1,
                    _ => {}
                }
                *pos += 1;
            }
            return;
        }
        self.block(path, toks, pos, depth + 1, inner);
        if *pos < toks.len() {
            *pos += 1; // the `}`
        } else {
            self.facts.warn(
                origin(self.h, path, line),
                "a block is not closed by `}` before the end of the file",
            );
        }
    }

    fn include(&mut self, path: &str, line: u32, pattern: &str, out: &mut Vec<Directive>) {
        if self.budget_warned {
            return;
        }
        let pattern = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            format!("{PREFIX}{pattern}")
        };
        let globbed = pattern.contains(['*', '?', '[']);
        // Only the files under the pattern's folder before its first
        // wildcard are candidates.
        let fixed = match pattern.find(['*', '?', '[']) {
            Some(k) => &pattern[..pattern[..k].rfind('/').map_or(0, |s| s + 1)],
            None => pattern.as_str(),
        };
        let h: &'a HostFiles = self.h;
        // Borrowed from the host's files: an include costs no copy.
        let files: Vec<(&'a String, &'a Entry)> = if globbed {
            h.files
                .range(fixed.to_string()..)
                .take_while(|(p, _)| p.starts_with(fixed))
                .filter(|(p, _)| glob_match(&pattern, p))
                .collect()
        } else {
            h.files.get_key_value(&pattern).into_iter().collect()
        };
        if files.is_empty()
            && !globbed
            && !is_stock(&pattern)
            && self.missing.insert(pattern.clone())
        {
            self.facts.warn(
                origin(self.h, path, line),
                format!("include {pattern}: not among the host's files"),
            );
        }
        for (p, e) in files {
            if self.stack.contains(p) {
                if !self.loop_warned {
                    self.loop_warned = true;
                    self.facts.warn(
                        origin(self.h, path, line),
                        format!("include loop: {p} includes itself; not followed"),
                    );
                }
                continue;
            }
            if self.expanded >= MAX_FILES || self.bytes >= MAX_BYTES {
                if !self.budget_warned {
                    self.budget_warned = true;
                    self.facts.warn(
                        origin(self.h, path, line),
                        format!(
                            "more than {MAX_FILES} included files or {} MiB: the rest is not read",
                            MAX_BYTES >> 20
                        ),
                    );
                }
                return;
            }
            match e {
                Entry::Text(t) => out.extend(self.file(p, t)),
                Entry::Skipped(why) => self.facts.warn(
                    origin(self.h, path, line),
                    format!("include {p}: not read ({why})"),
                ),
            }
        }
    }
}

/// Files every Debian nginx has that a fetch often leaves out: their
/// absence is no news.
fn is_stock(path: &str) -> bool {
    let rel = path.strip_prefix(PREFIX).unwrap_or(path);
    rel.starts_with("snippets/")
        || [
            "mime.types",
            "fastcgi_params",
            "fastcgi.conf",
            "proxy_params",
            "scgi_params",
            "uwsgi_params",
            "koi-utf",
            "koi-win",
            "win-utf",
        ]
        .contains(&rel)
}

/// glob(3) on `/`-separated paths: `*` and `?` within one component,
/// `[abc]`/`[a-z]`/`[!a]` classes.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let ps: Vec<&str> = pattern.split('/').collect();
    let xs: Vec<&str> = path.split('/').collect();
    ps.len() == xs.len()
        && ps.iter().zip(&xs).all(|(p, x)| {
            // glob(3) leaves dot files out of `*`.
            (p.starts_with('.') || !x.starts_with('.')) && segment(p.as_bytes(), x.as_bytes())
        })
}

fn segment(p: &[u8], x: &[u8]) -> bool {
    // Iterative with one backtrack point for `*`: linear-ish, no recursion.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < x.len() {
        if i < p.len() {
            match p[i] {
                b'*' => {
                    star = Some((i, j));
                    i += 1;
                    continue;
                }
                b'?' => {
                    i += 1;
                    j += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, len)) = class(&p[i..], x[j]) {
                        if ok {
                            i += len;
                            j += 1;
                            continue;
                        }
                    } else if x[j] == b'[' {
                        i += 1;
                        j += 1;
                        continue;
                    }
                }
                c if c == x[j] => {
                    i += 1;
                    j += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((si, sj)) => {
                i = si + 1;
                j = sj + 1;
                star = Some((si, sj + 1));
            }
            None => return false,
        }
    }
    p[i..].iter().all(|c| *c == b'*')
}

/// A `[...]` class at the start of `p`: whether `c` is in it and its
/// length; None when it is not closed.
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut k = 1;
    let neg = matches!(p.get(1), Some(b'!' | b'^'));
    if neg {
        k += 1;
    }
    let mut hit = false;
    let mut first = true;
    while k < p.len() {
        if p[k] == b']' && !first {
            return Some((hit != neg, k + 1));
        }
        first = false;
        if k + 2 < p.len() && p[k + 1] == b'-' && p[k + 2] != b']' {
            hit |= p[k] <= c && c <= p[k + 2];
            k += 3;
        } else {
            hit |= p[k] == c;
            k += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Tok> {
        tokens(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn tokens_quotes_comments_variables() {
        let w = |s: &str| Tok::Word(s.into());
        assert_eq!(
            words("a \"b c\" 'd;e' # x;\n\tf${g}h;{}"),
            [
                w("a"),
                w("b c"),
                w("d;e"),
                w("f${g}h"),
                Tok::Semi,
                Tok::Open,
                Tok::Close
            ]
        );
        assert_eq!(words("a#b;"), [w("a#b"), Tok::Semi]);
        let lines: Vec<u32> = tokens("a\n\n b \"x\ny\" c;").iter().map(|t| t.1).collect();
        assert_eq!(lines, [1, 3, 3, 4, 4]);
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/conf.d/a.conf"
        ));
        assert!(!glob_match(
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/conf.d/a.conf.bak"
        ));
        assert!(!glob_match(
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/conf.d/x/a.conf"
        ));
        assert!(glob_match(
            "/etc/nginx/sites-enabled/*",
            "/etc/nginx/sites-enabled/default"
        ));
        assert!(!glob_match(
            "/etc/nginx/sites-enabled/*",
            "/etc/nginx/sites-enabled/.swp"
        ));
        assert!(glob_match("/a/[a-c]?.conf", "/a/b1.conf"));
        assert!(!glob_match("/a/[!a-c]?.conf", "/a/b1.conf"));
        assert!(glob_match("/a/*x*y*", "/a/xxaxy"));
        assert!(glob_match("/a/b", "/a/b"));
    }

    fn host(files: &[(&str, &str)]) -> HostFiles {
        HostFiles::with_texts("web-01", files)
    }

    #[test]
    fn includes_are_expanded_in_place_and_loops_cut() {
        let h = host(&[
            (
                "/etc/nginx/nginx.conf",
                "http { include conf.d/*.conf; z; }",
            ),
            (
                "/etc/nginx/conf.d/a.conf",
                "a 1;\ninclude /etc/nginx/conf.d/b.conf;",
            ),
            (
                "/etc/nginx/conf.d/b.conf",
                "b 2; include /etc/nginx/nginx.conf;",
            ),
        ]);
        let mut f = Facts::default();
        let d = Loader::new(&h, &mut f).file(
            "/etc/nginx/nginx.conf",
            h.text("/etc/nginx/nginx.conf").unwrap(),
        );
        let http = d[0].block.as_ref().unwrap();
        let names: Vec<(&str, &str, u32)> = http
            .iter()
            .map(|d| (d.name.as_str(), d.path.as_str(), d.line))
            .collect();
        assert_eq!(
            names,
            [
                ("a", "/etc/nginx/conf.d/a.conf", 1),
                ("b", "/etc/nginx/conf.d/b.conf", 1),
                // b.conf is also one of conf.d/*.conf: nginx reads it twice.
                ("b", "/etc/nginx/conf.d/b.conf", 1),
                ("z", "/etc/nginx/nginx.conf", 1)
            ]
        );
        // b.conf includes nginx.conf (which includes b.conf...): warned once.
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert!(f.warnings[0].message.contains("include loop"));
    }

    #[test]
    fn unbalanced_and_deep_input_warns() {
        let h = host(&[]);
        let mut f = Facts::default();
        let d = Loader::new(&h, &mut f).file("/x", "a { b; ");
        assert_eq!(d.len(), 1);
        assert!(f.warnings[0].message.contains("not closed"));
        let mut f = Facts::default();
        let deep = "a {".repeat(10_000);
        let _ = Loader::new(&h, &mut f).file("/x", &deep);
        assert!(f
            .warnings
            .iter()
            .any(|w| w.message.contains("nested deeper")));
        let mut f = Facts::default();
        let d = Loader::new(&h, &mut f).file("/x", "a; } b;");
        assert_eq!(d.len(), 1);
        assert!(f.warnings[0].message.contains("unexpected"));
    }
}
