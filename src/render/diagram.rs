//! What a diagram shows, independent of the output format: the nodes (DNS
//! records and servers), the groups around them, the edges with their
//! `proto port` labels, and the analysis (single points of failure, zones
//! whose loss stops the stack, records dark with nothing down). Every
//! emitter draws this, so the three formats always say the same thing.

use super::marks::{self, CutLegend, CutsAsked};
use super::text::visible;
use crate::analysis::availability::{chain_text, dark_subjects, name_list};
use crate::diag::{RuleId, Subject};
use crate::model::{self, DbRole, Failover, Mode, RoleSet, Route, Shape, Target};
use crate::Checked;
use std::collections::{HashMap, HashSet};

/// A node of the diagram.
#[derive(Clone, Debug)]
pub struct Node {
    /// A stable identifier made only of `[A-Za-z0-9_]`: `s_lb_d01`.
    pub id: String,
    pub kind: NodeKind,
    /// `lb-01`, `www.foobar.com`.
    pub name: String,
    /// The group it belongs to (index into [`Diagram::groups`]).
    pub group: Option<usize>,
    /// Why it is dark with nothing down, or why its loss alone darkens the
    /// stack: drawn in the warning colour with this text as tooltip.
    pub warning: Option<String>,
    /// The words of its box besides the name.
    pub text: NodeText,
    /// The numbers of the marked cuts (`--cuts K`) it is in, in order.
    pub cuts: Vec<usize>,
}

/// What a node's box says besides its name, built once here so that every
/// format says the same thing in the same words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeText {
    /// A server's roles: `nginx+app`.
    pub roles: String,
    /// What it is: a server's roles with its replication role (`mysql ·
    /// primary`), a record's type (`A record`); empty in an empty group.
    pub kind: String,
    /// A server's address.
    pub address: Option<String>,
    /// A server's zone: `zone a`.
    pub zone: Option<String>,
    /// Whether losing that zone alone stops the stack serving.
    pub zone_spof: bool,
    /// `SPOF` on a warned server, `DARK` on a warned record.
    pub badge: Option<&'static str>,
    /// The numbers of the marked cuts its zone is in.
    pub zone_cuts: Vec<usize>,
    /// A server's capacity and load with nothing down: `cap 1,000 req/s ·
    /// load 750` (see [`super::marks::capacity_line`]).
    pub capacity: Option<String>,
    /// Its load with nothing down exceeds its capacity.
    pub overloaded: bool,
    /// A record's load: `2,000 req/s`.
    pub load: Option<String>,
}

impl NodeText {
    /// `zone a`, or `zone a (zone SPOF)` when its loss alone stops the
    /// stack, `zone a (cut 3)` when it is in a marked cut (the formats
    /// without a coloured zone badge say it in words).
    pub fn zone_line(&self) -> Option<String> {
        self.zone.as_ref().map(|z| {
            let mut notes = Vec::new();
            if self.zone_spof {
                notes.push("zone SPOF".to_string());
            }
            if !self.zone_cuts.is_empty() {
                notes.push(super::marks::badges(&self.zone_cuts));
            }
            if notes.is_empty() {
                z.clone()
            } else {
                format!("{z} ({})", notes.join(" · "))
            }
        })
    }
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A DNS record: an entry point.
    Record { rtype: &'static str },
    Server {
        roles: RoleSet,
        address: Option<String>,
        zone: Option<String>,
        db: Option<DbRole>,
        /// The glyphs of its roles, closest to the user first (the first
        /// is the node's shape in Mermaid and DOT).
        shapes: Vec<Shape>,
    },
    /// Stands in an empty group, so that the group can be drawn and linked.
    Empty,
}

impl NodeKind {
    /// The shape of the node's main role (the one closest to the user).
    pub fn shape(&self) -> Option<Shape> {
        match self {
            NodeKind::Server { shapes, .. } => shapes.first().copied(),
            _ => None,
        }
    }

    /// The glyphs of a server's roles, closest to the user first.
    pub fn shapes(&self) -> &[Shape] {
        match self {
            NodeKind::Server { shapes, .. } => shapes,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub roles: RoleSet,
    pub mode: Mode,
    pub vip: Option<String>,
    /// `Some` on a replicated group.
    pub failover: Option<Failover>,
    pub track: bool,
    /// Indexes into [`Diagram::nodes`], in declared order.
    pub members: Vec<usize>,
    /// Its title after the name: `haproxy · active-passive · vip
    /// 203.0.113.10` (see [`Group::details_of`]).
    pub details: String,
}

impl Group {
    /// The words of a group's title after its name; `quorum` is a quorum
    /// group's `(K, members)`.
    pub fn details_of(
        roles: RoleSet,
        mode: Mode,
        track: bool,
        failover: Option<Failover>,
        vip: Option<&str>,
        quorum: (u32, usize),
    ) -> String {
        let mut parts = vec![roles.joined()];
        if mode == Mode::ActivePassive {
            parts.push(if track {
                "active-passive, track".to_string()
            } else {
                "active-passive".to_string()
            });
        }
        if mode == Mode::Quorum {
            // Its members agree by quorum: none copies another, so it
            // draws no replication edge; the title says how it serves.
            parts.push(format!("quorum {} of {}", quorum.0, quorum.1));
        }
        if let Some(f) = failover {
            parts.push(format!("failover {}", f.as_str()));
        }
        if let Some(v) = vip {
            parts.push(format!("vip {v}"));
        }
        parts.join(" · ")
    }
}

/// One end of an edge: a node, or a whole group.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    Node(usize),
    Group(usize),
}

/// What an edge stands for: every format draws each kind its own way
/// (requests solid, replication dashed, VRRP peering dotted).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Requests: a record's targets, a link (`proto port` on it).
    #[default]
    Request,
    /// A replica copying its primary's data: from the primary to the
    /// replica, labelled [`REPLICATES`].
    Replication,
    /// Two members of a group that runs VRRP for its vip
    /// ([`model::Group::runs_vrrp`]): no direction, labelled [`VRRP`].
    Peering,
}

/// The label of a replication edge.
pub const REPLICATES: &str = "replicates";
/// The label of a peering edge.
pub const VRRP: &str = "VRRP";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: End,
    pub to: End,
    /// `https 443`, `mysql 3306 read` (see [`edge_label`]).
    pub label: String,
    /// The sources only read (drawn dashed).
    pub read: bool,
    /// The sources work without it (`optional`): drawn dashed, and so
    /// labelled.
    pub optional: bool,
    /// A write to a replica (`replica-write`): never served. Drawn in the
    /// warning colour, with the finding's message.
    pub warning: Option<String>,
}

impl Edge {
    /// A replication or peering edge between two nodes, with its label.
    fn between(kind: EdgeKind, from: usize, to: usize) -> Edge {
        let label = match kind {
            EdgeKind::Request => "",
            EdgeKind::Replication => REPLICATES,
            EdgeKind::Peering => VRRP,
        };
        Edge {
            kind,
            from: End::Node(from),
            to: End::Node(to),
            label: label.to_string(),
            read: false,
            optional: false,
            warning: None,
        }
    }

    /// A request edge (a record's target or a link).
    pub fn is_request(&self) -> bool {
        self.kind == EdgeKind::Request
    }
}

/// A zone and, when its loss alone stops the stack serving, why.
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub warning: Option<String>,
    /// The numbers of the marked cuts it is in, in order.
    pub cuts: Vec<usize>,
}

/// Everything a diagram draws.
#[derive(Clone, Debug)]
pub struct Diagram {
    /// The stack's title, else its name, else "stack".
    pub title: String,
    pub nodes: Vec<Node>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
    pub zones: Vec<Zone>,
    /// The cuts marked (`--cuts K`); `None` without the option.
    pub cuts: Option<CutLegend>,
    /// What `stackc diff` marks (see [`super::changes`]); `None` otherwise.
    pub changes: Option<super::changes::ChangeLegend>,
}

impl Diagram {
    pub fn spof_count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Server { .. }) && n.warning.is_some())
            .count()
    }

    /// Builds the diagram of a checked stack, with the capacity and load
    /// labels when the file declares them. `None` when a stopping error
    /// left no sound model (there is nothing trustworthy to draw).
    pub fn of(checked: &Checked) -> Option<Diagram> {
        Diagram::build(checked, None, marks::loads_of(checked).as_deref())
    }

    /// [`Diagram::of`] with the cuts of one size marked (`--cuts K`).
    pub fn with_cuts(checked: &Checked, cuts: &CutsAsked) -> Option<Diagram> {
        Diagram::build(checked, Some(cuts), marks::loads_of(checked).as_deref())
    }

    /// [`Diagram::of`] with what a change did marked (`stackc diff`).
    pub fn with_changes(
        checked: &Checked,
        changes: &super::changes::ChangesAsked,
    ) -> Option<Diagram> {
        let mut d = Diagram::of(checked)?;
        super::changes::attach(&mut d, changes);
        Some(d)
    }

    /// The diagram of a checked stack, with what the analysis beyond single
    /// failures found given as plain values: the cuts to mark, and the load
    /// on every server with nothing down (indexed by `ServerId`; `None`:
    /// no capacity label).
    pub fn build(
        checked: &Checked,
        cuts: Option<&CutsAsked>,
        loads: Option<&[f64]>,
    ) -> Option<Diagram> {
        let analysis = checked.analysis.as_ref()?;
        let m = &checked.model;
        let outcome = &analysis.outcome;
        let circuit = &analysis.circuit;

        // The analysis' own words for each warning: the finding's message
        // (allowed findings included: an allowed spof is still a spof).
        // Looked up once per node: indexed, so a stack of N servers all
        // SPOFs costs N, not N squared (the first finding wins).
        let mut messages: HashMap<(RuleId, &Subject), &str> = HashMap::new();
        for f in checked
            .findings
            .iter()
            .chain(checked.suppressed.iter().map(|s| &s.finding))
        {
            if let Some(subject) = &f.subject {
                messages.entry((f.rule, subject)).or_insert(&f.message);
            }
        }
        let message = |rule: RuleId, subject: Subject| -> Option<String> {
            messages.get(&(rule, &subject)).map(|m| m.to_string())
        };
        let spof_of: HashMap<model::ServerId, &Vec<_>> =
            outcome.spofs.iter().rev().map(|(x, d)| (*x, d)).collect();
        // Without domain, a dark entry point is a server.
        let dark_servers: HashSet<&str> = outcome
            .broken
            .iter()
            .filter(|d| circuit.entries[d.entry].record.is_none())
            .map(|d| circuit.entries[d.entry].subject.as_str())
            .collect();

        let mut nodes = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut dark_records = HashMap::new();
        for d in outcome.broken.iter().rev() {
            if let Some(id) = circuit.entries[d.entry].record {
                dark_records.insert(id.index(), d);
            }
        }
        for (ri, r) in m.records.iter().enumerate() {
            let dark = dark_records.get(&ri).copied();
            let warning = dark.map(|d| {
                message(RuleId::Broken, Subject::Record(r.subject.clone())).unwrap_or_else(|| {
                    format!(
                        "{} is dark with nothing down: {}",
                        r.subject,
                        chain_text(m, circuit, &d.chain)
                    )
                })
            });
            // Two records may share a subject (`www A`, `www AAAA`): `_2`
            // cannot come out of `ident`, so the suffix keeps ids distinct.
            let mut id = ident("r", &r.subject);
            let same = seen.entry(r.subject.as_str()).or_insert(0usize);
            *same += 1;
            let same = *same - 1;
            if same > 0 {
                id.push_str(&format!("_{}", same + 1));
            }
            nodes.push(Node {
                id,
                kind: NodeKind::Record {
                    rtype: r.rtype.as_str(),
                },
                name: r.subject.clone(),
                group: None,
                warning,
                text: NodeText::default(),
                cuts: Vec::new(),
            });
        }
        let server_base = nodes.len();
        for (i, s) in m.servers.iter().enumerate() {
            let id = model::ServerId(i as u32);
            let warning = spof_of
                .get(&id)
                .map(|darks| {
                    message(RuleId::Spof, Subject::Server(s.name.clone())).unwrap_or_else(|| {
                        format!(
                            "{} is a single point of failure: {} goes dark",
                            s.name,
                            name_list(&dark_subjects(circuit, darks))
                        )
                    })
                })
                .or_else(|| {
                    dark_servers.contains(s.name.as_str()).then(|| {
                        message(RuleId::Broken, Subject::Server(s.name.clone()))
                            .unwrap_or_else(|| format!("{} is dark with nothing down", s.name))
                    })
                });
            nodes.push(Node {
                id: ident("s", &s.name),
                kind: NodeKind::Server {
                    roles: s.roles,
                    address: s.address.map(|a| a.to_string()),
                    zone: s.zone.map(|z| m.zones[z.index()].name.clone()),
                    db: s.db.filter(|_| s.roles.any(|r| r.replicated)),
                    shapes: shapes_of(s.roles),
                },
                name: s.name.clone(),
                group: s.group.map(|g| g.index()),
                warning,
                text: NodeText::default(),
                cuts: Vec::new(),
            });
        }
        let mut groups = Vec::new();
        for (gi, g) in m.groups.iter().enumerate() {
            let mut members: Vec<usize> =
                g.members.iter().map(|s| server_base + s.index()).collect();
            if members.is_empty() {
                members.push(nodes.len());
                nodes.push(Node {
                    id: ident("e", &g.name),
                    kind: NodeKind::Empty,
                    name: "no members".into(),
                    group: Some(gi),
                    warning: None,
                    text: NodeText::default(),
                    cuts: Vec::new(),
                });
            }
            let vip = g.vip.map(|a| a.to_string());
            let failover = g.is_replicated().then_some(g.failover);
            groups.push(Group {
                id: ident("g", &g.name),
                name: g.name.clone(),
                roles: g.roles,
                mode: g.mode,
                details: Group::details_of(
                    g.roles,
                    g.mode,
                    g.track,
                    failover,
                    vip.as_deref(),
                    (g.quorum_size(), g.members.len()),
                ),
                vip,
                failover,
                track: g.track,
                members,
            });
        }

        let mut edges: Vec<Edge> = Vec::new();
        // Each edge once, in the order written (a set: a stack of N links
        // costs N, not N squared).
        let mut drawn: HashSet<Edge> = HashSet::new();
        let mut push = |e: Edge| {
            if e.from != e.to && !drawn.contains(&e) {
                drawn.insert(e.clone());
                edges.push(e);
            }
        };
        let end_of = |t: Target| match t {
            Target::Server(s) => End::Node(server_base + s.index()),
            Target::Group(g) => End::Group(g.index()),
        };
        for (ri, r) in m.records.iter().enumerate() {
            for t in &r.targets {
                push(Edge {
                    kind: EdgeKind::Request,
                    from: End::Node(ri),
                    to: end_of(t.target),
                    label: edge_label(t.protocol, t.port, false, false),
                    read: false,
                    optional: false,
                    warning: None,
                });
            }
        }
        for link in &m.links {
            for src in &link.sources {
                for t in &link.targets {
                    let write = link.is_write(t);
                    // Where the requests really go: a write to a replicated
                    // group with manual failover goes to its primary.
                    let to = match m.route(t.target, t.protocol, write) {
                        Route::Primary(_, p) => Target::Server(p),
                        _ => t.target,
                    };
                    // Wired to the link's `optional` with the new roles.
                    let optional = link.optional;
                    let lbl = edge_label(t.protocol, t.port, link.read, optional);
                    let warning = match to {
                        Target::Server(x) if write && m.server(x).is_replica() => {
                            let srcs = m.target_members(src);
                            Some(
                                srcs.iter()
                                    .find_map(|s| {
                                        message(
                                            RuleId::ReplicaWrite,
                                            Subject::Server(m.server(*s).name.clone()),
                                        )
                                    })
                                    .unwrap_or_else(|| {
                                        format!(
                                            "{} is a replica: it takes no writes",
                                            m.server(x).name
                                        )
                                    }),
                            )
                        }
                        _ => None,
                    };
                    let members = m.target_members(src);
                    let any_local = members
                        .iter()
                        .any(|s| m.is_local(*s, t.target, t.protocol, write));
                    if matches!(src, Target::Group(_)) && any_local {
                        // A group that (partly) talks to itself: draw what
                        // each member really sends elsewhere.
                        for s in members {
                            if !m.is_local(*s, t.target, t.protocol, write) {
                                push(Edge {
                                    kind: EdgeKind::Request,
                                    from: End::Node(server_base + s.index()),
                                    to: end_of(to),
                                    label: lbl.clone(),
                                    read: link.read,
                                    optional,
                                    warning: warning.clone(),
                                });
                            }
                        }
                    } else if !any_local {
                        push(Edge {
                            kind: EdgeKind::Request,
                            from: end_of(*src),
                            to: end_of(to),
                            label: lbl.clone(),
                            read: link.read,
                            optional,
                            warning: warning.clone(),
                        });
                    }
                }
            }
        }
        // What the members of a group do between themselves, after the
        // requests: each replica copies the group's primary (the model has
        // no chained replicas: every replica follows its group's one
        // primary; a quorum group, and a group whose primary is unknown,
        // draw none), and the members that share a vip by VRRP are joined
        // in the order written (a chain, not a mesh: one edge per
        // neighbour).
        for g in &m.groups {
            if let (true, Some(p)) = (g.is_replicated(), g.primary) {
                for &s in g.members.iter().filter(|s| m.server(**s).is_replica()) {
                    push(Edge::between(
                        EdgeKind::Replication,
                        server_base + p.index(),
                        server_base + s.index(),
                    ));
                }
            }
            if g.runs_vrrp() {
                for w in g.members.windows(2) {
                    push(Edge::between(
                        EdgeKind::Peering,
                        server_base + w[0].index(),
                        server_base + w[1].index(),
                    ));
                }
            }
        }

        let zones: Vec<Zone> = m
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| Zone {
                name: z.name.clone(),
                warning: outcome
                    .zone_spofs
                    .iter()
                    .find(|(id, _)| id.index() == i)
                    .map(|(_, darks)| {
                        message(RuleId::ZoneSpof, Subject::Zone(z.name.clone())).unwrap_or_else(
                            || {
                                format!(
                                    "losing zone {} darkens {}",
                                    z.name,
                                    name_list(&dark_subjects(circuit, darks))
                                )
                            },
                        )
                    }),
                cuts: Vec::new(),
            })
            .collect();

        let title = m
            .title
            .clone()
            .or_else(|| m.name.clone())
            .unwrap_or_else(|| "stack".into());
        // What reaches a drawing shows no control or bidi character
        // (`text::visible`): each format then escapes its own syntax.
        let title = visible(&title);
        for n in &mut nodes {
            n.name = visible(&n.name);
            n.warning = n.warning.as_deref().map(visible);
        }
        for g in &mut groups {
            g.name = visible(&g.name);
        }
        let zones: Vec<Zone> = zones
            .into_iter()
            .map(|z| Zone {
                name: visible(&z.name),
                warning: z.warning.as_deref().map(visible),
                cuts: z.cuts,
            })
            .collect();
        let zone_spofs: HashSet<&str> = zones
            .iter()
            .filter(|z| z.warning.is_some())
            .map(|z| z.name.as_str())
            .collect();
        for n in &mut nodes {
            n.text = node_text(n, &zone_spofs);
        }
        for e in &mut edges {
            e.label = visible(&e.label);
            e.warning = e.warning.as_deref().map(visible);
        }
        let mut d = Diagram {
            title,
            nodes,
            groups,
            edges,
            zones,
            cuts: None,
            changes: None,
        };
        marks::attach(&mut d, m, server_base, cuts, loads);
        Some(d)
    }
}

impl Diagram {
    /// The name of an edge's end: a node's, or a group's.
    pub fn end_name(&self, e: End) -> &str {
        match e {
            End::Node(i) => &self.nodes[i].name,
            End::Group(g) => &self.groups[g].name,
        }
    }

    /// What an edge means, in words (its tooltip): `a -> b : http 80`,
    /// `db-02 replicates db-01: ...`, `lb-01 and lb-02 are VRRP peers: ...`.
    pub fn edge_tip(&self, e: &Edge) -> String {
        let (a, b) = (self.end_name(e.from), self.end_name(e.to));
        match e.kind {
            EdgeKind::Request => format!("{a} -> {b} : {}", e.label),
            EdgeKind::Replication => {
                format!("{b} replicates {a}: the primary's data is copied to the replica")
            }
            EdgeKind::Peering => {
                format!("{a} and {b} are VRRP peers: they hold the group's vip in turn")
            }
        }
    }

    /// The zone of a node, when it has one.
    pub fn zone_of(&self, n: usize) -> Option<&Zone> {
        match &self.nodes[n].kind {
            NodeKind::Server { zone: Some(z), .. } => self.zones.iter().find(|x| &x.name == z),
            _ => None,
        }
    }
}

/// The glyphs of a set of roles, closest to the user first.
fn shapes_of(roles: RoleSet) -> Vec<Shape> {
    let mut v: Vec<(model::Tier, Shape)> = roles
        .iter()
        .map(|r| (r.spec().tier, r.spec().shape))
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.0));
    v.into_iter().map(|(_, s)| s).collect()
}

/// The badge of a server whose loss alone stops the stack.
pub const SPOF: &str = "SPOF";
/// The badge of a record dark with nothing down.
pub const DARK: &str = "DARK";

/// The words of a node's box (its name and warning already visible).
fn node_text(n: &Node, zone_spofs: &HashSet<&str>) -> NodeText {
    let badge = n.warning.as_ref().map(|_| match n.kind {
        NodeKind::Record { .. } => DARK,
        _ => SPOF,
    });
    match &n.kind {
        NodeKind::Record { rtype } => NodeText {
            kind: format!("{rtype} record"),
            badge,
            ..NodeText::default()
        },
        NodeKind::Empty => NodeText::default(),
        NodeKind::Server {
            roles,
            address,
            zone,
            db,
            ..
        } => {
            let roles = roles.joined();
            let kind = match db {
                Some(DbRole::Primary) => format!("{roles} · primary"),
                Some(DbRole::Replica) => format!("{roles} · replica"),
                None => roles.clone(),
            };
            let zone = zone.as_deref().map(visible);
            NodeText {
                roles,
                kind,
                address: address.clone(),
                zone_spof: zone.as_deref().is_some_and(|z| zone_spofs.contains(z)),
                zone: zone.map(|z| format!("zone {z}")),
                badge,
                ..NodeText::default()
            }
        }
    }
}

/// The label of an edge: `proto port`, then what the sources do with it
/// (`read`, `optional`).
pub fn edge_label(p: model::Protocol, port: u16, read: bool, optional: bool) -> String {
    match (read, optional) {
        (false, false) => format!("{p} {port}"),
        (true, false) => format!("{p} {port} read"),
        (false, true) => format!("{p} {port} optional"),
        (true, true) => format!("{p} {port} read optional"),
    }
}

/// A stable identifier from a prefix and a name, made only of
/// `[A-Za-z0-9_]` so that no name can break Mermaid or DOT syntax, and
/// injective: letters and digits stay, `_` becomes `__`, `-` becomes `_d`,
/// `.` becomes `_o`, anything else `_xHHHH_`.
pub fn ident(prefix: &str, name: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + name.len() + 4);
    s.push_str(prefix);
    s.push('_');
    for c in name.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => s.push(c),
            '_' => s.push_str("__"),
            '-' => s.push_str("_d"),
            '.' => s.push_str("_o"),
            other => s.push_str(&format!("_x{:04x}_", other as u32)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::ident;

    #[test]
    fn identifiers_are_safe_and_distinct() {
        assert_eq!(ident("s", "lb-01"), "s_lb_d01");
        assert_ne!(ident("s", "a-b"), ident("s", "a_b"));
        assert_ne!(ident("s", "a_d"), ident("s", "a-"));
        assert!(ident("r", "www.foo \"bar\"")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        assert_eq!(ident("s", "end"), "s_end");
    }
}
