//! Every occurrence of every declared name in a document (declarations and
//! uses: links, records, `allow` subjects, `zone=`, members), from the AST's
//! spans: what definition, references, rename and hover stand on.
//!
//! Built in one walk of the syntax tree: the declarations first (servers,
//! group members, groups, zones, domains and records, into one map of what
//! each name declares, the first declaration winning as in the model), then
//! every statement's uses looked up in that map. A name that declares
//! nothing (`unknown-name`) has no occurrence.

use crate::model::canonical_domain;
use crate::syntax::{self as ast, Span, Statement};
use std::collections::HashMap;

/// What a name declares.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A server, standalone or a group's member.
    Server,
    Group,
    Zone,
    Domain,
    /// A DNS record, named `label.domain` (the domain for `@`).
    Record,
    /// A rule id written in an `allow`.
    Rule,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Group => "group",
            Kind::Zone => "zone",
            Kind::Domain => "domain",
            Kind::Record => "record",
            Kind::Rule => "rule",
        }
    }
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: Kind,
    /// The name as the model knows it (records and domains canonical:
    /// lowercase, no final dot).
    pub name: String,
    /// The characters of the name (for a quoted `zone="a"`, inside the
    /// quotes; for a cut subject `a+b`, one part).
    pub span: Span,
    /// Declares the name (a `server`, member, `group`, `zone`, `domain`
    /// or record line) rather than using it.
    pub decl: bool,
}

/// The occurrences of a document, in source order.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub occurrences: Vec<Occurrence>,
}

impl Names {
    /// Every occurrence of the file's names.
    pub fn of(file: &ast::File) -> Names {
        let mut b = Builder::default();
        for stmt in &file.statements {
            b.declare(stmt);
        }
        for stmt in &file.statements {
            b.uses(stmt);
        }
        b.out.sort_by_key(|o| (o.span.start, o.span.end));
        Names { occurrences: b.out }
    }

    /// The occurrence under a byte offset: the cursor inside a name or
    /// just after its last character.
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let i = self.occurrences.partition_point(|o| o.span.end < offset);
        self.occurrences[i..]
            .iter()
            .take_while(|o| o.span.start <= offset)
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Every occurrence of one name of one kind, in source order.
    pub fn all<'a>(&'a self, kind: Kind, name: &'a str) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.kind == kind && o.name == name)
    }

    /// Where the name is declared (its first declaration).
    pub fn declaration<'a>(&'a self, kind: Kind, name: &'a str) -> Option<&'a Occurrence> {
        self.all(kind, name).find(|o| o.decl)
    }

    /// Whether any server, group or zone is called `name` (the namespace
    /// they share, LANGUAGE.md §2).
    pub fn declares(&self, name: &str) -> bool {
        self.occurrences.iter().any(|o| {
            o.decl && o.name == name && matches!(o.kind, Kind::Server | Kind::Group | Kind::Zone)
        })
    }
}

#[derive(Default)]
struct Builder {
    /// What each server, group or zone name declares (the first wins).
    kinds: HashMap<String, Kind>,
    /// The record subjects declared.
    records: std::collections::HashSet<String>,
    out: Vec<Occurrence>,
}

impl Builder {
    fn push(&mut self, kind: Kind, name: String, span: Span, decl: bool) {
        self.out.push(Occurrence {
            kind,
            name,
            span,
            decl,
        });
    }

    fn decl(&mut self, kind: Kind, n: &ast::Spanned) {
        self.kinds.entry(n.text.clone()).or_insert(kind);
        self.push(kind, n.text.clone(), n.span, true);
    }

    fn declare(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Zone(z) => self.decl(Kind::Zone, &z.name),
            Statement::Server(s) => self.decl(Kind::Server, &s.name),
            Statement::Group(g) => {
                self.decl(Kind::Group, &g.name);
                for m in &g.members {
                    self.decl(Kind::Server, &m.name);
                }
            }
            Statement::Domain(d) => {
                let domain = canonical_domain(&d.name.text);
                self.push(Kind::Domain, domain.clone(), d.name.span, true);
                for r in &d.records {
                    let label = r.label.text.to_ascii_lowercase();
                    let subject = if label == "@" {
                        domain.clone()
                    } else {
                        format!("{label}.{domain}")
                    };
                    self.records.insert(subject.clone());
                    self.push(Kind::Record, subject, r.label.span, true);
                }
            }
            Statement::Stack(_) | Statement::Link(_) | Statement::Allow(_) => {}
        }
    }

    /// A server or group named by a link or record.
    fn target(&mut self, n: &ast::Spanned) {
        if let Some(&kind @ (Kind::Server | Kind::Group)) = self.kinds.get(&n.text) {
            self.push(kind, n.text.clone(), n.span, false);
        }
    }

    /// `zone=` values among attributes.
    fn zone_values(&mut self, attrs: &[ast::Attr]) {
        for a in attrs {
            let (true, Some(v)) = (a.key.text == "zone", &a.value) else {
                continue;
            };
            if self.kinds.get(&v.text) == Some(&Kind::Zone) {
                let span = if v.quoted {
                    Span::new(
                        v.span.start + 1,
                        v.span.end.saturating_sub(1).max(v.span.start + 1),
                    )
                } else {
                    v.span
                };
                self.push(Kind::Zone, v.text.clone(), span, false);
            }
        }
    }

    fn uses(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Server(s) => self.zone_values(&s.attrs),
            Statement::Group(g) => {
                self.zone_values(&g.attrs);
                for m in &g.members {
                    self.zone_values(&m.attrs);
                }
            }
            Statement::Domain(d) => {
                for r in &d.records {
                    for t in &r.targets {
                        self.target(t);
                    }
                }
            }
            Statement::Link(l) => {
                for n in l.sources.iter().chain(&l.targets) {
                    self.target(n);
                }
            }
            Statement::Allow(a) => self.allow(a),
            Statement::Stack(_) | Statement::Zone(_) => {}
        }
    }

    fn allow(&mut self, a: &ast::AllowStmt) {
        if let Ok(rule) = a.rule.text.parse::<crate::diag::RuleId>() {
            self.push(Kind::Rule, rule.as_str().to_string(), a.rule.span, false);
        }
        let text = &a.subject.text;
        if text.contains('+') {
            // A cut: each part a server or a zone.
            let mut at = a.subject.span.start;
            for part in text.split('+') {
                if let Some(&kind @ (Kind::Server | Kind::Zone)) = self.kinds.get(part) {
                    self.push(
                        kind,
                        part.to_string(),
                        Span::new(at, at + part.len()),
                        false,
                    );
                }
                at += part.len() + 1;
            }
            return;
        }
        if let Some(&kind) = self.kinds.get(text) {
            self.push(kind, text.clone(), a.subject.span, false);
            return;
        }
        let record = canonical_domain(text);
        if self.records.contains(&record) {
            self.push(Kind::Record, record, a.subject.span, false);
        }
    }
}

impl super::Snapshot {
    /// The names of this document (one walk of its syntax tree).
    pub fn names(&self) -> Names {
        Names::of(&self.checked.file)
    }
}
