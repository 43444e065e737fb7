//! The statement driver: pest parses one statement at a time (see
//! `grammar/stack.pest`), and this driver moves from statement to statement,
//! and from member to member inside `{ }` blocks, so that one bad line costs
//! one diagnostic and the rest of the file is still read.

use super::ast::*;
use super::error::syntax_finding;
use crate::diag::{Finding, RuleId};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/stack.pest"]
pub(crate) struct StackParser;

/// The result of parsing: the statements that could be read, and a `syntax`
/// finding for each place that could not.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub file: File,
    pub errors: Vec<Finding>,
    /// The source ranges that failed to parse and were skipped (a statement,
    /// or a member or record of a block): what the syntax tree lacks.
    pub failed: Vec<Span>,
}

impl Parsed {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parses a whole `.stack` file. Never panics; every syntax error is reported.
pub fn parse(src: &str) -> Parsed {
    // A byte-order mark is not part of the text.
    let start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut d = Driver {
        src,
        pos: start,
        out: Parsed::default(),
    };
    d.run();
    d.out.file.comments = collect_comments(src);
    d.out
}

/// True when the whole-file rule of the grammar accepts `src`. The driver
/// must agree with it on every input; tests check that.
pub fn grammar_accepts(src: &str) -> bool {
    StackParser::parse(Rule::file, src).is_ok()
}

struct Driver<'s> {
    src: &'s str,
    pos: usize,
    out: Parsed,
}

impl<'s> Driver<'s> {
    fn run(&mut self) {
        loop {
            self.pos = skip_trivia(self.src, self.pos);
            if self.pos >= self.src.len() {
                break;
            }
            if self.rest().starts_with('}') {
                self.out.errors.push(
                    Finding::new(
                        RuleId::Syntax,
                        Span::new(self.pos, self.pos + 1),
                        "unexpected `}`: no block is open here",
                    )
                    .label("this brace closes nothing"),
                );
                self.pos += 1;
                continue;
            }
            match StackParser::parse(Rule::statement, self.rest()) {
                Ok(mut pairs) => {
                    let stmt = pairs.next().expect("statement pair");
                    let end = self.pos + stmt.as_span().end();
                    let inner = stmt.into_inner().next().expect("statement body");
                    let built = build_statement(inner, self.pos);
                    self.out.file.statements.push(built);
                    self.pos = end;
                }
                Err(err) => {
                    let first = syntax_finding(self.src, self.pos, &err);
                    let before = self.out.errors.len();
                    let start = self.pos;
                    if !self.recover_block() {
                        self.pos = skip_statement(self.src, self.pos);
                        self.out.failed.push(Span::new(start, self.pos));
                    }
                    if self.out.errors.len() == before {
                        self.out.errors.push(first);
                    }
                }
            }
        }
    }

    fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    /// After a failed statement: if it is a `group` or `domain` whose head
    /// reads well, read its members one by one so that each bad member is
    /// reported and each good one kept. Returns false when the statement is
    /// not such a block.
    fn recover_block(&mut self) -> bool {
        let (head_rule, item_rule) = if starts_with_keyword(self.rest(), "group") {
            (Rule::group_head, Rule::member_item)
        } else if starts_with_keyword(self.rest(), "domain") {
            (Rule::domain_head, Rule::record_item)
        } else {
            return false;
        };
        let Ok(mut pairs) = StackParser::parse(head_rule, self.rest()) else {
            return false;
        };
        let head = pairs.next().expect("head pair");
        let start = self.pos;
        let head_end = start + head.as_span().end();
        let mut members = Vec::new();
        let mut records = Vec::new();
        self.pos = head_end;
        let closed = loop {
            self.pos = skip_trivia(self.src, self.pos);
            if self.pos >= self.src.len() {
                break false;
            }
            if self.rest().starts_with('}') {
                self.pos += 1;
                break true;
            }
            if at_line_start(self.src, self.pos) && starts_with_top_level_keyword(self.rest()) {
                break false;
            }
            match StackParser::parse(item_rule, self.rest()) {
                Ok(mut pairs) => {
                    let item = pairs.next().expect("item pair");
                    let off = self.pos;
                    self.pos += item.as_span().end();
                    let body = item.into_inner().next().expect("item body");
                    if item_rule == Rule::member_item {
                        members.push(build_member(body, off));
                    } else {
                        records.push(build_record(body, off));
                    }
                }
                Err(err) => {
                    self.out
                        .errors
                        .push(syntax_finding(self.src, self.pos, &err));
                    let start = self.pos;
                    self.pos = skip_item(self.src, self.pos);
                    self.out.failed.push(Span::new(start, self.pos));
                }
            }
        };
        let span = Span::new(start, self.pos.max(head_end));
        if !closed {
            self.out.errors.push(
                Finding::new(
                    RuleId::Syntax,
                    Span::new(start, head_end),
                    "this block is never closed: expected `}`",
                )
                .label("the block opened here")
                .help("close the block with `}` after its last line"),
            );
        } else {
            // The statement must end after the closing brace.
            let after = skip_blanks(self.src, self.pos);
            let at_end = after >= self.src.len()
                || matches!(self.src.as_bytes()[after], b'\n' | b'\r' | b';');
            if !at_end {
                let end = token_end(self.src, after);
                self.out.errors.push(
                    Finding::new(
                        RuleId::Syntax,
                        Span::new(after, end),
                        format!(
                            "expected the end of the statement (a new line or `;`) after `}}`, found `{}`",
                            &self.src[after..end]
                        ),
                    )
                    .label("unexpected here"),
                );
                self.pos = skip_statement(self.src, after);
                self.out.failed.push(Span::new(after, self.pos));
            }
        }
        let stmt = if head_rule == Rule::group_head {
            let (name, roles, attrs) = build_group_head(head, start);
            Statement::Group(GroupStmt {
                name,
                roles,
                attrs,
                members,
                span,
            })
        } else {
            let (name, attrs) = build_domain_head(head, start);
            Statement::Domain(DomainStmt {
                name,
                attrs,
                records,
                span,
            })
        };
        self.out.file.statements.push(stmt);
        true
    }
}

// ---- building the AST from pest pairs --------------------------------------

fn span(p: &Pair<'_, Rule>, off: usize) -> Span {
    let s = p.as_span();
    Span::new(off + s.start(), off + s.end())
}

/// The span of a rule without the spaces and comments pest's implicit
/// whitespace may have consumed after its last token: it ends where its last
/// token ends.
fn tight(p: &Pair<'_, Rule>, off: usize) -> Span {
    let s = p.as_span();
    let end = p
        .clone()
        .into_inner()
        .flatten()
        .filter(|c| c.as_rule() == Rule::string || c.clone().into_inner().next().is_none())
        .map(|c| c.as_span().end())
        .max()
        .unwrap_or(s.end());
    Span::new(off + s.start(), off + end)
}

fn spanned(p: &Pair<'_, Rule>, off: usize) -> Spanned {
    Spanned::new(p.as_str(), span(p, off))
}

fn build_statement(p: Pair<'_, Rule>, off: usize) -> Statement {
    let sp = tight(&p, off);
    match p.as_rule() {
        Rule::stack_stmt => {
            let mut name = None;
            let mut title = None;
            let mut attrs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::name => name = Some(spanned(&c, off)),
                    Rule::string => title = Some(build_string(c, off)),
                    Rule::attr => attrs.push(build_attr(c, off)),
                    _ => {}
                }
            }
            Statement::Stack(StackStmt {
                name: name.expect("stack name"),
                title,
                attrs,
                span: sp,
            })
        }
        Rule::zone_stmt => {
            let mut name = None;
            let mut attrs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::name => name = Some(spanned(&c, off)),
                    Rule::attr => attrs.push(build_attr(c, off)),
                    _ => {}
                }
            }
            Statement::Zone(ZoneStmt {
                name: name.expect("zone name"),
                attrs,
                span: sp,
            })
        }
        Rule::server_stmt => {
            let mut name = None;
            let mut roles = Vec::new();
            let mut address = None;
            let mut attrs = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::name => name = Some(spanned(&c, off)),
                    Rule::roles => roles = build_roles(c, off),
                    Rule::address => address = Some(spanned(&c, off)),
                    Rule::attr => attrs.push(build_attr(c, off)),
                    _ => {}
                }
            }
            Statement::Server(ServerStmt {
                name: name.expect("server name"),
                roles,
                address,
                attrs,
                span: sp,
            })
        }
        Rule::group_stmt => {
            let mut inner = p.into_inner();
            let head = inner.next().expect("group head");
            let (name, roles, attrs) = build_group_head(head, off);
            let members = inner
                .filter(|c| c.as_rule() == Rule::member)
                .map(|c| build_member(c, off))
                .collect();
            Statement::Group(GroupStmt {
                name,
                roles,
                attrs,
                members,
                span: sp,
            })
        }
        Rule::domain_stmt => {
            let mut inner = p.into_inner();
            let head = inner.next().expect("domain head");
            let (name, attrs) = build_domain_head(head, off);
            let records = inner
                .filter(|c| c.as_rule() == Rule::record)
                .map(|c| build_record(c, off))
                .collect();
            Statement::Domain(DomainStmt {
                name,
                attrs,
                records,
                span: sp,
            })
        }
        Rule::link_stmt => {
            let mut sources = Vec::new();
            let mut targets = Vec::new();
            let mut proto = None;
            let mut attrs = Vec::new();
            let mut seen_targets = 0;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::targets => {
                        let names = build_names(c, off);
                        if seen_targets == 0 {
                            sources = names;
                        } else {
                            targets = names;
                        }
                        seen_targets += 1;
                    }
                    Rule::proto_spec => proto = Some(build_proto(c, off)),
                    Rule::attr => attrs.push(build_attr(c, off)),
                    _ => {}
                }
            }
            Statement::Link(LinkStmt {
                sources,
                targets,
                proto,
                attrs,
                span: sp,
            })
        }
        Rule::allow_stmt => {
            let mut rule = None;
            let mut subject = None;
            let mut reason = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::rule_name => rule = Some(spanned(&c, off)),
                    Rule::subject => subject = Some(spanned(&c, off)),
                    Rule::reason => {
                        let s = c.into_inner().next().expect("reason string");
                        reason = Some(build_string(s, off));
                    }
                    _ => {}
                }
            }
            Statement::Allow(AllowStmt {
                rule: rule.expect("allow rule"),
                subject: subject.expect("allow subject"),
                reason: reason.expect("allow reason"),
                span: sp,
            })
        }
        r => unreachable!("not a statement rule: {r:?}"),
    }
}

fn build_group_head(head: Pair<'_, Rule>, off: usize) -> (Spanned, Vec<Spanned>, Vec<Attr>) {
    let mut name = None;
    let mut roles = Vec::new();
    let mut attrs = Vec::new();
    for c in head.into_inner() {
        match c.as_rule() {
            Rule::name => name = Some(spanned(&c, off)),
            Rule::roles => roles = build_roles(c, off),
            Rule::attr => attrs.push(build_attr(c, off)),
            _ => {}
        }
    }
    (name.expect("group name"), roles, attrs)
}

fn build_domain_head(head: Pair<'_, Rule>, off: usize) -> (Spanned, Vec<Attr>) {
    let mut name = None;
    let mut attrs = Vec::new();
    for c in head.into_inner() {
        match c.as_rule() {
            Rule::fqdn => {
                let mut s = spanned(&c, off);
                if s.text.ends_with('.') {
                    s.text.pop();
                }
                name = Some(s)
            }
            Rule::attr => attrs.push(build_attr(c, off)),
            _ => {}
        }
    }
    (name.expect("domain name"), attrs)
}

fn build_member(p: Pair<'_, Rule>, off: usize) -> Member {
    let sp = tight(&p, off);
    let mut name = None;
    let mut address = None;
    let mut attrs = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::name => name = Some(spanned(&c, off)),
            Rule::address => address = Some(spanned(&c, off)),
            Rule::attr => attrs.push(build_attr(c, off)),
            _ => {}
        }
    }
    Member {
        name: name.expect("member name"),
        address,
        attrs,
        span: sp,
    }
}

fn build_record(p: Pair<'_, Rule>, off: usize) -> Record {
    let sp = tight(&p, off);
    let mut label = None;
    let mut rtype = None;
    let mut targets = Vec::new();
    let mut proto = None;
    let mut attrs = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::record_label => label = Some(spanned(&c, off)),
            Rule::record_type => rtype = Some(spanned(&c, off)),
            Rule::targets => targets = build_names(c, off),
            Rule::proto_spec => proto = Some(build_proto(c, off)),
            Rule::attr => attrs.push(build_attr(c, off)),
            _ => {}
        }
    }
    Record {
        label: label.expect("record label"),
        rtype: rtype.expect("record type"),
        targets,
        proto,
        attrs,
        span: sp,
    }
}

fn build_roles(p: Pair<'_, Rule>, off: usize) -> Vec<Spanned> {
    p.into_inner()
        .filter(|c| c.as_rule() == Rule::role)
        .map(|c| spanned(&c, off))
        .collect()
}

fn build_names(p: Pair<'_, Rule>, off: usize) -> Vec<Spanned> {
    p.into_inner()
        .filter(|c| c.as_rule() == Rule::name)
        .map(|c| spanned(&c, off))
        .collect()
}

fn build_proto(p: Pair<'_, Rule>, off: usize) -> ProtoSpec {
    let mut protocol = None;
    let mut port = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::protocol => protocol = Some(spanned(&c, off)),
            Rule::port => port = Some(spanned(&c, off)),
            _ => {}
        }
    }
    ProtoSpec {
        protocol: protocol.expect("protocol"),
        port,
    }
}

fn build_attr(p: Pair<'_, Rule>, off: usize) -> Attr {
    let sp = tight(&p, off);
    let mut key = None;
    let mut value = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::attr_key => key = Some(spanned(&c, off)),
            Rule::value => {
                let v = c.into_inner().next().expect("value body");
                value = Some(match v.as_rule() {
                    Rule::string => {
                        let s = build_string(v, off);
                        AttrValue {
                            text: s.text,
                            quoted: true,
                            span: s.span,
                        }
                    }
                    _ => AttrValue {
                        text: v.as_str().to_string(),
                        quoted: false,
                        span: span(&v, off),
                    },
                });
            }
            _ => {}
        }
    }
    Attr {
        key: key.expect("attribute key"),
        value,
        span: sp,
    }
}

fn build_string(p: Pair<'_, Rule>, off: usize) -> Spanned {
    let sp = span(&p, off);
    let raw = p
        .into_inner()
        .next()
        .map(|c| c.as_str().to_string())
        .unwrap_or_default();
    Spanned::new(unescape(&raw), sp)
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---- scanning helpers for recovery -----------------------------------------

const TOP_LEVEL_KEYWORDS: &[&str] = &["stack", "zone", "group", "domain", "allow"];

fn starts_with_keyword(s: &str, kw: &str) -> bool {
    s.starts_with(kw)
        && !s[kw.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn starts_with_top_level_keyword(s: &str) -> bool {
    TOP_LEVEL_KEYWORDS.iter().any(|k| starts_with_keyword(s, k))
}

fn at_line_start(src: &str, pos: usize) -> bool {
    pos == 0 || matches!(src.as_bytes()[pos - 1], b'\n' | b'\r')
}

/// Skips spaces, tabs, line breaks, `;` and comments.
pub(crate) fn skip_trivia(src: &str, mut pos: usize) -> usize {
    let b = src.as_bytes();
    while pos < b.len() {
        match b[pos] {
            b' ' | b'\t' | b'\n' | b'\r' | b';' => pos += 1,
            b'#' => pos = line_end(src, pos),
            _ => break,
        }
    }
    pos
}

/// Skips spaces, tabs and a comment, stopping at a line break.
fn skip_blanks(src: &str, mut pos: usize) -> usize {
    let b = src.as_bytes();
    while pos < b.len() {
        match b[pos] {
            b' ' | b'\t' => pos += 1,
            b'#' => pos = line_end(src, pos),
            _ => break,
        }
    }
    pos
}

fn line_end(src: &str, pos: usize) -> usize {
    src[pos..].find(['\n', '\r']).map_or(src.len(), |i| pos + i)
}

/// The end of the word or symbol at `pos` (for "found `x`" messages).
pub(crate) fn token_end(src: &str, pos: usize) -> usize {
    let rest = &src[pos..];
    let word = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/')))
        .map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        return pos + word;
    }
    pos + rest.chars().next().map_or(0, char::len_utf8)
}

/// Skips a string literal starting at `pos` (on its opening quote).
fn skip_string(b: &[u8], mut pos: usize) -> usize {
    pos += 1;
    while pos < b.len() {
        match b[pos] {
            b'\\' => pos += 2,
            b'"' => return pos + 1,
            b'\n' | b'\r' => return pos,
            _ => pos += 1,
        }
    }
    b.len()
}

/// From the start of a statement that failed, finds where the next one may
/// begin: the end of the line (or `;`) once braces are balanced, or a line
/// that starts with a top-level keyword.
fn skip_statement(src: &str, mut pos: usize) -> usize {
    let b = src.as_bytes();
    let mut depth = 0usize;
    while pos < b.len() {
        match b[pos] {
            b'"' => pos = skip_string(b, pos),
            b'#' => pos = line_end(src, pos),
            b'{' => {
                depth += 1;
                pos += 1
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                pos += 1
            }
            b'\n' | b'\r' | b';' if depth == 0 => return pos,
            b'\n' | b'\r' => {
                pos += 1;
                if starts_with_top_level_keyword(&src[pos..]) {
                    return pos;
                }
            }
            _ => pos += 1,
        }
    }
    pos
}

/// Inside a block, skips a bad member or record: to the end of its line, its
/// `;`, or the block's `}`.
fn skip_item(src: &str, mut pos: usize) -> usize {
    let b = src.as_bytes();
    while pos < b.len() {
        match b[pos] {
            b'"' => pos = skip_string(b, pos),
            b'#' => pos = line_end(src, pos),
            b'\n' | b'\r' | b';' | b'}' => return pos,
            _ => pos += 1,
        }
    }
    pos
}

/// Every `# comment` of the file, skipping `#` inside strings.
fn collect_comments(src: &str) -> Vec<Comment> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        match b[pos] {
            b'"' => pos = skip_string(b, pos),
            b'#' => {
                let end = line_end(src, pos);
                out.push(Comment {
                    text: src[pos + 1..end].to_string(),
                    span: Span::new(pos, end),
                });
                pos = end;
            }
            _ => pos += 1,
        }
    }
    out
}
