//! Name resolution and the static checks of LANGUAGE.md §4, one pass per
//! seam: names (declarations, roles, targets), attributes and their values,
//! addresses, replication, links, records and ports, allows. The checks that
//! belong to one rule and read only the model live in that rule's file
//! (`analysis/rules/`); the ones found while reading a value stay here.

mod addresses;
mod allows;
mod attributes;
mod links;
mod names;
mod ports;
mod records;
mod replication;
mod values;

use super::attrs::{self, AttrPlace, AttrSpec, ValueKind};
use super::graph;
use super::roles::{Protocol, Role, RoleSet};
use super::*;
use crate::diag::{did_you_mean, Finding, Phase, RuleId, Subject};
use crate::syntax::{self as ast, Span, Spanned};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::analysis::rules::{self, duplicate_address::Declared};
use attrs::Value;
use values::parse_port;

/// Longest name: names become host names and config identifiers.
pub const MAX_NAME: usize = 63;
/// Longest DNS name in text, without the trailing dot (RFC 1035: 255 octets
/// on the wire).
pub const MAX_FQDN: usize = 253;
/// Largest TTL (RFC 2181 §8): BIND refuses more.
pub const MAX_TTL: u64 = 2_147_483_647;

/// Resolves a parsed file into a model, with every static error found.
pub fn resolve(file: &ast::File) -> (Model, Vec<Finding>) {
    let mut r = Resolver::default();
    r.declare(file);
    r.attributes(file);
    r.replication();
    r.links_and_records(file);
    r.record_families();
    r.allows(file);
    let (mut m, mut out) = (r.m, r.out);
    rules::duplicate_address::check(r.addresses, &mut out);
    rules::no_primary::check(&m, &mut out);
    rules::many_primaries::check(&m, &mut out);
    rules::replica_write::check(&m, &mut out);
    graph::build(&mut m);
    rules::cycle::check(&m, &mut out);
    (m, out)
}

#[derive(Copy, Clone, Debug)]
enum Name {
    Server(ServerId),
    Group(GroupId),
    Zone,
}

#[derive(Default)]
struct Resolver {
    m: Model,
    out: Vec<Finding>,
    names: HashMap<String, (Name, Span)>,
    /// Addresses in source order.
    addresses: Vec<Declared>,
    /// What the statement being read is about: the subject of the findings
    /// that do not name one themselves (CLI.md).
    about: Option<Subject>,
}

/// Keys (attributes, roles) met in one list: a repeated key is counted and
/// reported once, however often it repeats (issue 9 B5).
#[derive(Default)]
struct Seen {
    keys: HashSet<String>,
    /// Repeated keys in order of first repeat: (key, span of the first
    /// repeat, how often it is written).
    repeats: Vec<(String, Span, usize)>,
    index: HashMap<String, usize>,
}

impl Seen {
    /// True the first time `key` is met.
    fn first(&mut self, key: &str, span: Span) -> bool {
        if !self.keys.contains(key) {
            self.keys.insert(key.to_string());
            return true;
        }
        match self.index.get(key) {
            Some(&i) => self.repeats[i].2 += 1,
            None => {
                self.index.insert(key.to_string(), self.repeats.len());
                self.repeats.push((key.to_string(), span, 2));
            }
        }
        false
    }
}

/// "twice", "3 times".
fn times(n: usize) -> String {
    if n == 2 {
        "twice".into()
    } else {
        format!("{n} times")
    }
}

impl Resolver {
    fn error(&mut self, mut f: Finding) {
        if f.subject.is_none() {
            f.subject.clone_from(&self.about);
        }
        self.out.push(f);
    }

    /// One `bad-value` per repeated attribute key of a list.
    fn report_repeated_attrs(&mut self, seen: Seen) {
        for (key, span, n) in seen.repeats {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!("`{key}` is given {}", times(n)),
                )
                .label("given again here")
                .help("keep one of them"),
            );
        }
    }
}

/// The subject of the findings about a statement that do not name one:
/// the stack, zone, server, group, domain or allowed subject it declares.
impl Resolver {
    fn statement_subject(&self, stmt: &ast::Statement) -> Option<Subject> {
        Some(match stmt {
            ast::Statement::Stack(s) => Subject::Stack(s.name.text.clone()),
            ast::Statement::Zone(z) => Subject::Zone(z.name.text.clone()),
            ast::Statement::Server(s) => Subject::Server(s.name.text.clone()),
            ast::Statement::Group(g) => Subject::Group(g.name.text.clone()),
            ast::Statement::Domain(d) => Subject::Domain(canonical_domain(&d.name.text)),
            // Server, group and zone names hold no dot: a dotted subject is a record.
            ast::Statement::Allow(a) if a.subject.text.contains('.') => {
                Subject::Record(canonical_domain(&a.subject.text))
            }
            ast::Statement::Allow(a) => self.named(&a.subject.text),
            ast::Statement::Link(l) => self.named(&l.sources.first()?.text),
        })
    }

    /// A name as a subject, by what it declares.
    fn named(&self, name: &str) -> Subject {
        match self.names.get(name) {
            Some((Name::Server(_), _)) => Subject::Server(name.to_string()),
            Some((Name::Group(_), _)) => Subject::Group(name.to_string()),
            Some((Name::Zone, _)) => Subject::Zone(name.to_string()),
            None => Subject::Undeclared(name.to_string()),
        }
    }
}

/// DNS names ignore case and a trailing dot: the model keeps them
/// lowercase, without the dot, so that `check`, `allow` and `bundle` agree.
pub fn canonical_domain(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}
