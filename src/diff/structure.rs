//! The structural changes: servers, groups, records and links added,
//! removed or changed. An element is identified by its name (a record by
//! its `label.domain` and type; a link by (from, to, protocol), one per
//! source and target as written), and "changed" lists the attributes whose
//! value differs (roles, address, zone, members, targets, port...).

use crate::model::{DbRole, Model, Target};
use std::collections::HashMap;

/// What kind of element changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Server,
    Group,
    Record,
    Link,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Group => "group",
            Kind::Record => "record",
            Kind::Link => "link",
        }
    }
}

/// How it changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum How {
    Added,
    Removed,
    Changed,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Added => "added",
            How::Removed => "removed",
            How::Changed => "changed",
        }
    }
}

/// One attribute whose value differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub old: String,
    pub new: String,
}

/// One structural change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    /// `db-02`, `www.foobar.com`, `app -> db mysql`.
    pub name: String,
    pub how: How,
    /// For `Changed`: what differs, in a fixed order.
    pub fields: Vec<Field>,
}

/// An element as compared: its kind, name and attribute values.
struct Element {
    kind: Kind,
    /// What identifies it on both sides.
    key: String,
    name: String,
    fields: Vec<(&'static str, String)>,
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn servers(m: &Model) -> impl Iterator<Item = Element> + '_ {
    m.servers.iter().map(|s| Element {
        kind: Kind::Server,
        key: s.name.clone(),
        name: s.name.clone(),
        fields: vec![
            ("roles", s.roles.joined()),
            ("address", opt(s.address)),
            ("zone", opt(s.zone.map(|z| &m.zones[z.index()].name))),
            ("group", opt(s.group.map(|g| &m.group(g).name))),
            ("port", opt(s.port)),
            ("firewall", yes(s.firewall)),
            ("monitor", opt(s.monitor.as_ref())),
            (
                "replication",
                match s.db {
                    Some(DbRole::Primary) => "primary".into(),
                    Some(DbRole::Replica) => "replica".into(),
                    None => "none".into(),
                },
            ),
            ("runtime", opt(s.runtime.as_ref())),
            ("command", opt(s.command.as_ref())),
            ("health", opt(s.health.as_ref())),
            ("tier", opt(s.tier.map(|t| t.as_str()))),
            ("host", opt(s.host.as_ref())),
            ("availability", opt(s.availability)),
            ("capacity", opt(s.capacity)),
        ],
    })
}

fn groups(m: &Model) -> impl Iterator<Item = Element> + '_ {
    m.groups.iter().map(|g| {
        let members: Vec<&str> = g
            .members
            .iter()
            .map(|s| m.server(*s).name.as_str())
            .collect();
        let mut fields = vec![
            ("roles", g.roles.joined()),
            ("members", members.join(", ")),
            ("mode", g.mode.as_str().to_string()),
            ("vip", opt(g.vip)),
            ("track", yes(g.track)),
            ("unicast", yes(g.unicast)),
            ("failover", g.failover.as_str().to_string()),
            ("primary", opt(g.primary.map(|p| &m.server(p).name))),
            ("port", opt(g.port)),
        ];
        if g.mode == crate::model::Mode::Quorum {
            fields.push(("quorum", g.quorum_size().to_string()));
        }
        Element {
            kind: Kind::Group,
            key: g.name.clone(),
            name: g.name.clone(),
            fields,
        }
    })
}

fn targets(m: &Model, ts: &[crate::model::LinkTarget]) -> String {
    ts.iter()
        .map(|t| format!("{} {} {}", m.target_name(t.target), t.protocol, t.port))
        .collect::<Vec<_>>()
        .join(", ")
}

fn records(m: &Model) -> impl Iterator<Item = Element> + '_ {
    m.records.iter().map(|r| Element {
        kind: Kind::Record,
        key: format!("{} {}", r.subject, r.rtype.as_str()),
        name: r.subject.clone(),
        fields: vec![
            ("type", r.rtype.as_str().to_string()),
            ("targets", targets(m, &r.targets)),
            ("load", opt(r.load)),
        ],
    })
}

fn links(m: &Model) -> impl Iterator<Item = Element> + '_ {
    m.links.iter().flat_map(move |l| {
        l.sources.iter().flat_map(move |&src| {
            l.targets.iter().map(move |t| {
                let name = format!(
                    "{} -> {} {}",
                    m.target_name(src),
                    m.target_name(t.target),
                    t.protocol
                );
                let kind_of = |x: Target| match x {
                    Target::Server(_) => "server",
                    Target::Group(_) => "group",
                };
                Element {
                    kind: Kind::Link,
                    key: format!("{}:{name}:{}", kind_of(src), kind_of(t.target)),
                    name,
                    fields: vec![
                        ("port", t.port.to_string()),
                        ("read", yes(l.read)),
                        ("optional", yes(l.optional)),
                    ],
                }
            })
        })
    })
}

fn elements(m: &Model) -> Vec<Element> {
    let mut all: Vec<Element> = servers(m).collect();
    all.extend(groups(m));
    all.extend(records(m));
    all.extend(links(m));
    all
}

/// Every structural change from `old` to `new`: per kind (servers, groups,
/// records, links), what was removed (in OLD's order), then what was added
/// or changed (in NEW's order).
pub fn changes(old: &Model, new: &Model) -> Vec<Change> {
    let old = elements(old);
    let new = elements(new);
    let index = |v: &[Element]| -> HashMap<(Kind, String), usize> {
        let mut h = HashMap::with_capacity(v.len());
        for (i, e) in v.iter().enumerate() {
            // The first of a repeated key stands for it (a link written
            // twice is one link).
            h.entry((e.kind, e.key.clone())).or_insert(i);
        }
        h
    };
    let (old_at, new_at) = (index(&old), index(&new));
    let first = |h: &HashMap<(Kind, String), usize>, i: usize, e: &Element| {
        h.get(&(e.kind, e.key.clone())) == Some(&i)
    };
    let mut out = Vec::new();
    for kind in [Kind::Server, Kind::Group, Kind::Record, Kind::Link] {
        for (i, e) in old.iter().enumerate() {
            if e.kind == kind
                && first(&old_at, i, e)
                && !new_at.contains_key(&(kind, e.key.clone()))
            {
                out.push(Change {
                    kind,
                    name: e.name.clone(),
                    how: How::Removed,
                    fields: Vec::new(),
                });
            }
        }
        for (i, e) in new.iter().enumerate() {
            if e.kind != kind || !first(&new_at, i, e) {
                continue;
            }
            match old_at.get(&(kind, e.key.clone())) {
                None => out.push(Change {
                    kind,
                    name: e.name.clone(),
                    how: How::Added,
                    fields: Vec::new(),
                }),
                Some(&j) => {
                    let fields: Vec<Field> = old[j]
                        .fields
                        .iter()
                        .zip(&e.fields)
                        .filter(|(a, b)| a != b)
                        .map(|((name, a), (_, b))| Field {
                            name,
                            old: a.clone(),
                            new: b.clone(),
                        })
                        .collect();
                    if !fields.is_empty() {
                        out.push(Change {
                            kind,
                            name: e.name.clone(),
                            how: How::Changed,
                            fields,
                        });
                    }
                }
            }
        }
    }
    out
}
