//! The syntax tree of a `.stack` file: what was written, where, and nothing
//! more. Names are not resolved and values are not interpreted here (a port is
//! still text); the `model` phase does that, so that a bad value gets a
//! `bad-value` diagnostic with its span instead of a syntax error.

use std::fmt;

/// A byte range in the source text.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A piece of text with the span it came from (for strings, the text is
/// unescaped and the span covers the quotes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned {
    pub text: String,
    pub span: Span,
}

impl Spanned {
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Spanned {
            text: text.into(),
            span,
        }
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Spanned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A whole file: its statements in source order and its comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    pub statements: Vec<Statement>,
    pub comments: Vec<Comment>,
}

/// A `# ...` comment; `text` excludes the `#` and the line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    Stack(StackStmt),
    Zone(ZoneStmt),
    Server(ServerStmt),
    Group(GroupStmt),
    Domain(DomainStmt),
    Link(LinkStmt),
    Allow(AllowStmt),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Stack(s) => s.span,
            Statement::Zone(s) => s.span,
            Statement::Server(s) => s.span,
            Statement::Group(s) => s.span,
            Statement::Domain(s) => s.span,
            Statement::Link(s) => s.span,
            Statement::Allow(s) => s.span,
        }
    }
}

/// `stack NAME ["TITLE"]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackStmt {
    pub name: Spanned,
    pub title: Option<Spanned>,
    /// `tolerate=K slo=P` (RESILIENCE.md §2).
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `zone NAME`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneStmt {
    pub name: Spanned,
    /// `availability=P` (RESILIENCE.md §3).
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `server NAME: ROLE[+ROLE...] [ADDRESS] [ATTR...]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerStmt {
    pub name: Spanned,
    pub roles: Vec<Spanned>,
    pub address: Option<Spanned>,
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `group NAME: ROLES [ATTR...] { server NAME [ADDRESS] [ATTR...] ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupStmt {
    pub name: Spanned,
    pub roles: Vec<Spanned>,
    pub attrs: Vec<Attr>,
    pub members: Vec<Member>,
    pub span: Span,
}

/// One `server NAME [ADDRESS] [ATTR...]` line inside a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: Spanned,
    pub address: Option<Spanned>,
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `domain FQDN [ATTR...] { LABEL TYPE -> TARGETS [: PROTO [PORT]] ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainStmt {
    pub name: Spanned,
    pub attrs: Vec<Attr>,
    pub records: Vec<Record>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// A name, a dotted name, or `@`.
    pub label: Spanned,
    /// `A`, `AAAA` or `CNAME`.
    pub rtype: Spanned,
    pub targets: Vec<Spanned>,
    pub proto: Option<ProtoSpec>,
    /// `load=N` (RESILIENCE.md §4).
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `: PROTO [PORT]` after a link or a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoSpec {
    pub protocol: Spanned,
    pub port: Option<Spanned>,
}

/// `SRC[, SRC...] -> TARGET[, TARGET...] [: PROTO [PORT]] [ATTR...]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkStmt {
    pub sources: Vec<Spanned>,
    pub targets: Vec<Spanned>,
    pub proto: Option<ProtoSpec>,
    pub attrs: Vec<Attr>,
    pub span: Span,
}

/// `allow RULE SUBJECT "REASON"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowStmt {
    pub rule: Spanned,
    pub subject: Spanned,
    pub reason: Spanned,
    pub span: Span,
}

/// `key=value` or a bare flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    pub key: Spanned,
    pub value: Option<AttrValue>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrValue {
    pub text: String,
    /// Written as a double-quoted string.
    pub quoted: bool,
    pub span: Span,
}
