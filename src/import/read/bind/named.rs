//! `named.conf`: the `zone` statements (name, primary's file) and the
//! `include`s and `options { directory }` they depend on. Comments `//`,
//! `#`, `/* */`; quoted strings; bounded includes.

use crate::import::facts::Facts;
use crate::import::read::origin;
use crate::import::tree::HostFiles;

const MAIN: &str = "/etc/bind/named.conf";
/// Debian's `options { directory }`.
const DIRECTORY: &str = "/var/cache/bind";
const MAX_FILES: usize = 64;

/// A primary zone with its file (absolute) and where it is declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub file: String,
    pub conf: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Semi,
    Open,
    Close,
}

fn tokens(text: &str) -> Vec<(Tok, u32)> {
    let mut out = Vec::new();
    let b: Vec<char> = text.chars().collect();
    let (mut i, mut line) = (0usize, 1u32);
    while i < b.len() {
        let c = b[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            ';' => {
                out.push((Tok::Semi, line));
                i += 1;
            }
            '{' => {
                out.push((Tok::Open, line));
                i += 1;
            }
            '}' => {
                out.push((Tok::Close, line));
                i += 1;
            }
            '"' => {
                let start = line;
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    s.push(b[i]);
                    i += 1;
                }
                i += 1;
                out.push((Tok::Word(s), start));
            }
            _ => {
                let mut s = String::new();
                while i < b.len() && !b[i].is_whitespace() && !";{}\"".contains(b[i]) {
                    s.push(b[i]);
                    i += 1;
                }
                out.push((Tok::Word(s), line));
            }
        }
    }
    out
}

/// A statement: its words, its block's statements, its line.
#[derive(Debug)]
struct Stmt {
    words: Vec<String>,
    block: Vec<Stmt>,
    line: u32,
}

fn statements(toks: &[(Tok, u32)], pos: &mut usize, depth: usize) -> Vec<Stmt> {
    let mut out = Vec::new();
    while *pos < toks.len() {
        let line = toks[*pos].1;
        let mut words = Vec::new();
        let mut block = Vec::new();
        while let Some((t, _)) = toks.get(*pos) {
            *pos += 1;
            match t {
                Tok::Word(w) => words.push(w.clone()),
                Tok::Semi => break,
                Tok::Open if depth < 32 => block = statements(toks, pos, depth + 1),
                Tok::Open => {}
                Tok::Close => {
                    if words.is_empty() && block.is_empty() {
                        return out;
                    }
                    *pos -= 1;
                    break;
                }
            }
        }
        if !words.is_empty() {
            out.push(Stmt { words, block, line });
        }
    }
    out
}

/// The primary zones `named.conf` declares (with its includes).
pub fn zones(h: &HostFiles, facts: &mut Facts) -> Vec<Zone> {
    let mut out = Vec::new();
    if h.text(MAIN).is_none() {
        return out;
    }
    // Breadth first, each file once, at most MAX_FILES.
    let mut queue = std::collections::VecDeque::from([MAIN.to_string()]);
    let mut seen: std::collections::HashSet<String> = Default::default();
    let mut directory = DIRECTORY.to_string();
    // (file, zone name, declared in, line), resolved once `directory` is known.
    let mut found: Vec<(String, String, String, u32)> = Vec::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= MAX_FILES || !seen.insert(path.clone()) {
            continue;
        }
        let Some(text) = h.text(&path) else {
            facts.warn(
                origin(h, &path, 0),
                "included by named.conf: not among the host's files",
            );
            continue;
        };
        let toks = tokens(text);
        let mut pos = 0;
        for s in statements(&toks, &mut pos, 0) {
            match s.words[0].as_str() {
                "include" if s.words.len() == 2 => {
                    let f = &s.words[1];
                    if queue.len() < MAX_FILES {
                        queue.push_back(absolute(f, "/etc/bind"));
                    }
                }
                "options" => {
                    for o in &s.block {
                        if o.words.len() == 2 && o.words[0] == "directory" {
                            directory = o.words[1].clone();
                        }
                    }
                }
                "zone" if s.words.len() >= 2 => {
                    let kind = s
                        .block
                        .iter()
                        .find(|o| o.words[0] == "type")
                        .and_then(|o| o.words.get(1))
                        .map(|t| t.to_ascii_lowercase());
                    let file = s
                        .block
                        .iter()
                        .find(|o| o.words[0] == "file")
                        .and_then(|o| o.words.get(1));
                    if let (Some("master" | "primary"), Some(f)) = (kind.as_deref(), file) {
                        found.push((f.clone(), s.words[1].clone(), path.clone(), s.line));
                    }
                }
                _ => {}
            }
        }
    }
    for (f, name, conf, line) in found {
        out.push(Zone {
            name,
            file: absolute(&f, &directory),
            conf,
            line,
        });
    }
    out
}

fn absolute(f: &str, dir: &str) -> String {
    if f.starts_with('/') {
        f.to_string()
    } else {
        format!("{}/{f}", dir.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::tree::Entry;

    #[test]
    fn zones_of_named_conf_and_its_includes() {
        let mut h = HostFiles::new("ns-01");
        h.insert(
            MAIN,
            Entry::Text(
                "// Debian\ninclude \"/etc/bind/named.conf.options\";\ninclude \"/etc/bind/named.conf.local\";\n\
                 include \"/etc/bind/named.conf.default-zones\";\n"
                    .into(),
            ),
        );
        h.insert(
            "/etc/bind/named.conf.options",
            Entry::Text("options {\n\tdirectory \"/var/cache/bind\";\n\t/* dnssec-validation auto; */\n};\n".into()),
        );
        h.insert(
            "/etc/bind/named.conf.local",
            Entry::Text(
                "zone \"shop.example\" {\n\ttype master;\n\tfile \"/etc/bind/db.shop.example\";\n};\n\
                 zone \"other.example\" IN { type primary; file \"db.other\"; allow-transfer { 10.0.0.2; }; };\n\
                 zone \"sec.example\" { type secondary; file \"db.sec\"; primaries { 10.0.0.1; }; };\n"
                    .into(),
            ),
        );
        let mut f = Facts::default();
        let z = zones(&h, &mut f);
        let got: Vec<(&str, &str, u32)> = z
            .iter()
            .map(|z| (z.name.as_str(), z.file.as_str(), z.line))
            .collect();
        assert_eq!(
            got,
            [
                ("shop.example", "/etc/bind/db.shop.example", 1),
                ("other.example", "/var/cache/bind/db.other", 5)
            ]
        );
        // named.conf.default-zones was not fetched.
        assert_eq!(f.warnings.len(), 1);
    }
}
