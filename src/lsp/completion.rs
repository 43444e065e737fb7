//! `textDocument/completion`: keywords, roles, attributes valid at the
//! cursor with their values, declared names and zones, rule ids after
//! `allow` and then the subjects of that rule.
//!
//! The cursor's place is read from the text before it, not from the syntax
//! tree: the line being typed rarely parses. The names, zones and findings
//! come from a checked model, the last good one when the caller keeps it
//! ([`in_text`]).

use super::Snapshot;
use crate::diag::{Phase, RuleId};
use crate::model::{AttrPlace, Protocol, Role, RoleSet, Tier, ValueKind, ATTRS};
use crate::Checked;
use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, Position,
};

pub fn at(snap: &Snapshot, pos: Position) -> Vec<CompletionItem> {
    let off = snap.offset(pos);
    in_text(&snap.text[..off], &snap.checked)
}

/// The completions at the end of `before` (the document's text up to the
/// cursor), with the names and findings of `checked` (the document's last
/// good check: the text being typed need not parse).
pub fn in_text(before: &str, checked: &Checked) -> Vec<CompletionItem> {
    let Some((block, stmt)) = statement(before) else {
        return Vec::new();
    };
    let (done, partial) = tokens(stmt);
    let done: Vec<&str> = done.iter().map(String::as_str).collect();
    let cx = Cx { checked };
    match block {
        Block::Top => cx.top(&done, &partial),
        Block::Group(roles) => match done.as_slice() {
            [] => keywords(&["server"]),
            ["server"] => Vec::new(),
            ["server", _name, rest @ ..] => {
                cx.attrs_or_values(AttrPlace::MEMBER, roles, rest, &partial)
            }
            _ => Vec::new(),
        },
        Block::Domain => cx.record(&done, &partial),
    }
}

/// Where the statement being typed stands.
enum Block {
    Top,
    /// Inside a group's braces, with the group's roles.
    Group(RoleSet),
    /// Inside a domain's braces.
    Domain,
}

/// The block the cursor is in and the statement's text before the cursor;
/// `None` in a comment or a string.
fn statement(before: &str) -> Option<(Block, &str)> {
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let (code, inside) = code_of(line);
    if inside {
        return None;
    }
    // The innermost brace before the cursor: on this line, else on the
    // closest line above that has one.
    let mut block = Block::Top;
    let mut stmt = code;
    if let Some(i) = code.rfind(['{', '}']) {
        if code.as_bytes()[i] == b'{' {
            block = header(&code[..i]);
        }
        stmt = &code[i + 1..];
    } else {
        for l in before[..line_start].lines().rev() {
            let (c, _) = code_of(l);
            if let Some(i) = c.rfind(['{', '}']) {
                if c.as_bytes()[i] == b'{' {
                    block = header(&c[..i]);
                }
                break;
            }
        }
    }
    let stmt = stmt.rsplit(';').next().unwrap_or(stmt);
    Some((block, stmt))
}

/// A line without its comment, and whether its end is inside a comment
/// or a string.
fn code_of(line: &str) -> (&str, bool) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return (&line[..i], true),
            _ => {}
        }
    }
    (line, quoted)
}

/// The block a `{` opens, from the text before it on its line.
fn header(head: &str) -> Block {
    let (done, partial) = tokens(head);
    let mut words: Vec<&str> = done.iter().map(String::as_str).collect();
    if !partial.is_empty() {
        words.push(&partial);
    }
    match words.as_slice() {
        ["domain", ..] => Block::Domain,
        ["group", _name, ":", roles, ..] => Block::Group(role_set(roles)),
        _ => Block::Group(RoleSet::default()),
    }
}

fn role_set(roles: &str) -> RoleSet {
    let mut set = RoleSet::default();
    for r in roles.split('+').filter_map(Role::lookup) {
        set.insert(r);
    }
    set
}

/// The statement's complete tokens and the one being typed (empty after a
/// space). Quoted strings are one token; `:` after a name and `,` are
/// tokens of their own.
fn tokens(stmt: &str) -> (Vec<String>, String) {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in stmt.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            _ if quoted => cur.push(c),
            ' ' | '\t' | '\r' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            ',' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(",".into());
            }
            // `web-01:` and `-> web:` but not an address's or a value's
            // colons (`2001:db8::1`, `host="a:b"`).
            ':' if !cur.contains(['=', '.', ':'])
                && !cur.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(":".into());
            }
            _ => cur.push(c),
        }
    }
    (out, cur)
}

struct Cx<'a> {
    checked: &'a Checked,
}

impl Cx<'_> {
    fn top(&self, done: &[&str], partial: &str) -> Vec<CompletionItem> {
        match done {
            [] => {
                let mut out = keywords(crate::syntax::KEYWORDS);
                out.extend(self.targets());
                out
            }
            ["allow"] => rules(),
            ["allow", rule] => self.subjects(rule.parse().ok(), partial),
            ["allow", ..] => Vec::new(),
            ["stack", _name, rest @ ..] => {
                self.attrs_or_values(AttrPlace::STACK, RoleSet::default(), rest, partial)
            }
            ["zone", _name, rest @ ..] => {
                self.attrs_or_values(AttrPlace::ZONE, RoleSet::default(), rest, partial)
            }
            ["domain", _name, rest @ ..] => {
                self.attrs_or_values(AttrPlace::DOMAIN, RoleSet::default(), rest, partial)
            }
            ["server", _name, ":"] => roles(),
            ["server", _name, ":", roles, rest @ ..] => {
                self.attrs_or_values(AttrPlace::SERVER, role_set(roles), rest, partial)
            }
            ["group", _name, ":"] => roles(),
            ["group", _name, ":", roles, rest @ ..] => {
                self.attrs_or_values(AttrPlace::GROUP, role_set(roles), rest, partial)
            }
            ["stack" | "zone" | "domain" | "server" | "group", ..] => Vec::new(),
            _ => self.link(done, partial, AttrPlace::LINK),
        }
    }

    /// `SRC, ... -> TARGET, ... : PROTO [PORT] ATTRS` (a record's part after
    /// its label and type is the same, with a record's attributes).
    fn link(&self, done: &[&str], partial: &str, place: AttrPlace) -> Vec<CompletionItem> {
        let Some(arrow) = done.iter().position(|t| *t == "->") else {
            // The sources, or the arrow after them.
            return match done.last() {
                None | Some(&",") => self.targets(),
                Some(_) => keywords(&["->"]),
            };
        };
        let after = &done[arrow + 1..];
        match after.iter().position(|t| *t == ":") {
            None => match after.last() {
                None | Some(&",") => self.targets(),
                Some(_) => self.attrs_or_values(place, RoleSet::default(), &[], partial),
            },
            Some(c) => match &after[c + 1..] {
                [] => protocols(),
                [_proto, rest @ ..] => {
                    let rest = match rest {
                        [port, tail @ ..] if port.bytes().all(|b| b.is_ascii_digit()) => tail,
                        _ => rest,
                    };
                    self.attrs_or_values(place, RoleSet::default(), rest, partial)
                }
            },
        }
    }

    /// A record line: `LABEL TYPE -> TARGETS [: PROTO [PORT]] [ATTR...]`.
    fn record(&self, done: &[&str], partial: &str) -> Vec<CompletionItem> {
        match done {
            [] => Vec::new(),
            [_label] => ["A", "AAAA", "CNAME"]
                .iter()
                .map(|t| item(t, CompletionItemKind::KEYWORD, Some("record type"), None))
                .collect(),
            [_label, _type] => keywords(&["->"]),
            [_label, _type, rest @ ..] => self.link(rest, partial, AttrPlace::RECORD),
        }
    }

    /// The servers and groups a link or record can name.
    fn targets(&self) -> Vec<CompletionItem> {
        let m = &self.checked.model;
        let groups = m.groups.iter().map(|g| {
            item(
                &g.name,
                CompletionItemKind::MODULE,
                Some(&format!("group: {}", g.roles.joined())),
                None,
            )
        });
        let servers = m.servers.iter().map(|s| {
            item(
                &s.name,
                CompletionItemKind::VARIABLE,
                Some(&format!("server: {}", s.roles.joined())),
                None,
            )
        });
        groups.chain(servers).collect()
    }

    fn zones(&self) -> Vec<CompletionItem> {
        self.checked
            .model
            .zones
            .iter()
            .map(|z| item(&z.name, CompletionItemKind::ENUM_MEMBER, Some("zone"), None))
            .collect()
    }

    /// After `allow RULE`: the subjects that have that finding now (first),
    /// then every element of the kinds the rule speaks of.
    fn subjects(&self, rule: Option<RuleId>, partial: &str) -> Vec<CompletionItem> {
        let m = &self.checked.model;
        let mut out: Vec<CompletionItem> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if let Some(rule) = rule {
            for f in self.checked.findings.iter().filter(|f| f.rule == rule) {
                if let Some(name) = f.subject_name() {
                    if seen.insert(name.to_string()) {
                        let mut it = item(
                            name,
                            CompletionItemKind::VALUE,
                            Some(&format!("has a `{rule}` now")),
                            None,
                        );
                        it.sort_text = Some(format!("0{name}"));
                        out.push(it);
                    }
                }
            }
        }
        let (servers, groups, zones, records) = match rule {
            Some(RuleId::CutSet) => (true, false, true, false),
            Some(RuleId::ZoneSpof) => (false, false, true, false),
            Some(RuleId::Spof) => (true, true, false, false),
            Some(RuleId::Broken | RuleId::NoTls | RuleId::Overload) => (true, true, false, true),
            _ => (true, true, true, true),
        };
        // In a cut (`a+b`), each part is a server or a zone.
        let (servers, groups, records) = if partial.contains('+') {
            (true, false, false)
        } else {
            (servers, groups, records)
        };
        let mut names: Vec<(&str, &str)> = Vec::new();
        if servers {
            names.extend(m.servers.iter().map(|s| (s.name.as_str(), "server")));
        }
        if groups {
            names.extend(m.groups.iter().map(|g| (g.name.as_str(), "group")));
        }
        if zones || partial.contains('+') {
            names.extend(m.zones.iter().map(|z| (z.name.as_str(), "zone")));
        }
        if records {
            names.extend(m.records.iter().map(|r| (r.subject.as_str(), "record")));
        }
        for (name, what) in names {
            if seen.insert(name.to_string()) {
                let mut it = item(name, CompletionItemKind::VALUE, Some(what), None);
                it.sort_text = Some(format!("1{name}"));
                out.push(it);
            }
        }
        out
    }

    /// An attribute key (the keys valid at `place` with `roles`, less the
    /// ones already written), or after `key=` that key's values.
    fn attrs_or_values(
        &self,
        place: AttrPlace,
        roles: RoleSet,
        written: &[&str],
        partial: &str,
    ) -> Vec<CompletionItem> {
        if let Some((key, _)) = partial.split_once('=') {
            return self.values(key);
        }
        let written: Vec<&str> = written
            .iter()
            .map(|w| w.split('=').next().unwrap_or(w))
            .collect();
        ATTRS
            .iter()
            .filter(|a| a.places.contains(place))
            .filter(|a| {
                // A host's roles decide the keys that need a capability;
                // a group member's are its group's.
                let host = place == AttrPlace::SERVER
                    || place == AttrPlace::GROUP
                    || place == AttrPlace::MEMBER;
                !host || roles.is_empty() || a.needs.is_none_or(|n| roles.any(n.test))
            })
            .filter(|a| !written.contains(&a.key))
            .filter(|a| a.excludes.is_none_or(|x| !written.contains(&x)))
            .map(|a| {
                let mut it = item(
                    a.key,
                    CompletionItemKind::PROPERTY,
                    Some(&hint(a.value)),
                    Some(a.doc),
                );
                if a.value != ValueKind::Flag {
                    it.insert_text = Some(format!("{}=", a.key));
                }
                it
            })
            .collect()
    }

    /// The values of `key=`: its words, the declared zones, the tiers.
    fn values(&self, key: &str) -> Vec<CompletionItem> {
        let Some(spec) = ATTRS.iter().find(|a| a.key == key) else {
            return Vec::new();
        };
        let words = |ws: &mut dyn Iterator<Item = &str>| -> Vec<CompletionItem> {
            ws.map(|w| item(w, CompletionItemKind::ENUM_MEMBER, Some(key), None))
                .collect()
        };
        match spec.value {
            ValueKind::Choice(ws) => words(&mut ws.iter().copied()),
            ValueKind::Tier => words(&mut Tier::ALL.iter().map(|t| t.as_str())),
            ValueKind::Zone => self.zones(),
            _ => Vec::new(),
        }
    }
}

/// What an attribute's value looks like, in words.
fn hint(v: ValueKind) -> String {
    match v {
        ValueKind::Flag => "a flag (no value)".into(),
        ValueKind::Zone => "a declared zone".into(),
        ValueKind::Port => "a port, 1-65535".into(),
        ValueKind::Choice(ws) => ws.join(" | "),
        ValueKind::Tier => Tier::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        ValueKind::Address => "an IPv4 or IPv6 address".into(),
        ValueKind::Text => "text (quoted when it has spaces)".into(),
        ValueKind::Word => "a word (letters, digits, . _ + -)".into(),
        ValueKind::Path => "an absolute URI path (/healthz)".into(),
        ValueKind::Seconds => "seconds".into(),
        ValueKind::DnsName => "a DNS name (api.example.com)".into(),
        ValueKind::Percent => "a percentage (99.95)".into(),
        ValueKind::Count { min, max } => format!("a whole number, {min}-{max}"),
        ValueKind::Rate => "requests per second".into(),
    }
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<&str>,
    doc: Option<&str>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: detail.map(str::to_string),
        documentation: doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d.to_string(),
            })
        }),
        ..CompletionItem::default()
    }
}

fn keywords(words: &[&str]) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| item(w, CompletionItemKind::KEYWORD, None, None))
        .collect()
}

/// Every role of the roles table, with its title and doc.
fn roles() -> Vec<CompletionItem> {
    Role::all()
        .map(|r| {
            let spec = r.spec();
            item(
                spec.name,
                CompletionItemKind::CLASS,
                Some(spec.title),
                Some(spec.doc),
            )
        })
        .collect()
}

fn protocols() -> Vec<CompletionItem> {
    Protocol::ALL
        .iter()
        .map(|p| {
            let port = p.default_port().map(|n| format!("port {n}"));
            item(
                p.as_str(),
                CompletionItemKind::ENUM_MEMBER,
                port.as_deref(),
                None,
            )
        })
        .collect()
}

/// The rules an `allow` can name (the analysis' and `unused-allow`), with
/// their summaries.
fn rules() -> Vec<CompletionItem> {
    crate::analysis::rules::DOCS
        .iter()
        .filter(|d| d.id.phase() != Phase::Static)
        .map(|d| {
            item(
                d.id.as_str(),
                CompletionItemKind::KEYWORD,
                Some(d.summary),
                None,
            )
        })
        .collect()
}
