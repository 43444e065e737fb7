//! The availability model of LANGUAGE.md §5, compiled to a circuit: one gate
//! per server ("works"), per group reading ("any member works", "the holder
//! works"), per requirement ("one of the targets is available") and per entry
//! point. Gates are stored in evaluation order: every gate's inputs come
//! before it. The circuit is exact: each gate is the rule of §5 it stands
//! for, nothing is approximated.

use crate::model::*;
use crate::syntax::Span;
use std::collections::HashMap;

pub type Cell = u32;

/// A run of a flat array: `start..start + len`. Gates keep their inputs in
/// flat arrays of the circuit rather than a `Vec` each, so a circuit of a
/// million gates is a handful of allocations and evaluation walks memory in
/// order.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub start: u32,
    pub len: u32,
}

impl Run {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

#[derive(Copy, Clone, Debug)]
pub enum Gate {
    /// A fixed value: a write to a replica is never available.
    Never,
    /// A server works when it is up and every requirement (input) holds.
    Server { server: ServerId, reqs: Run },
    /// Any input holds (a requirement with several targets, a group where
    /// any member will do, a record).
    Any(Run),
    /// An active-passive group: the first member that is up holds the vip;
    /// the group is available when that holder works. `members` indexes
    /// [`Circuit::members`].
    Holder { members: Run },
    /// A `mode=quorum` group: at least `k` inputs hold (RESILIENCE.md §5).
    Quorum { ins: Run, k: u32 },
}

/// What a gate stands for, to explain a chain in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Server(ServerId),
    /// A group read as "any member works".
    Group(GroupId),
    /// An active-passive group read through its holder.
    Holder(GroupId),
    /// A quorum group.
    Quorum(GroupId),
    /// One requirement of a server: a link statement.
    Requirement(ServerId, LinkId),
    /// A write to a replica.
    ReplicaWrite(ServerId),
    Entry(usize),
}

impl Entry {
    /// The entry as a finding's subject: its record, else its server or
    /// group.
    pub fn finding_subject(&self, m: &Model) -> crate::diag::Subject {
        match (self.record, self.targets.first()) {
            (None, Some(t)) => m.target_subject(*t),
            _ => crate::diag::Subject::Record(self.subject.clone()),
        }
    }
}

/// An entry point: a DNS record, or without `domain` a server or group that
/// no link targets (LANGUAGE.md §5.5, §7.8).
#[derive(Clone, Debug)]
pub struct Entry {
    /// `label.domain`, or the name of the server or group.
    pub subject: String,
    pub span: Span,
    pub cell: Cell,
    /// The record, when the entry is one.
    pub record: Option<RecordId>,
    /// The servers and groups it names.
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug)]
pub struct Circuit {
    pub gates: Vec<Gate>,
    pub origins: Vec<Origin>,
    /// The inputs of `Server` and `Any` gates.
    inputs: Vec<Cell>,
    /// The members of `Holder` gates: each member and its "works" gate.
    members: Vec<(ServerId, Cell)>,
    /// Gates that read each gate: `fanout[fanout_at[c]..fanout_at[c + 1]]`.
    fanout_at: Vec<u32>,
    fanout: Vec<Cell>,
    /// The "works" gate of each server.
    pub server_cell: Vec<Cell>,
    pub entries: Vec<Entry>,
}

impl Circuit {
    #[inline]
    pub fn inputs(&self, r: Run) -> &[Cell] {
        &self.inputs[r.range()]
    }
    #[inline]
    pub fn members(&self, r: Run) -> &[(ServerId, Cell)] {
        &self.members[r.range()]
    }
    /// The gates that read `c`.
    #[inline]
    pub fn fanout(&self, c: Cell) -> &[Cell] {
        &self.fanout[self.fanout_at[c as usize] as usize..self.fanout_at[c as usize + 1] as usize]
    }

    fn build_fanout(&mut self) {
        let n = self.gates.len();
        let mut count = vec![0u32; n + 1];
        let each = |g: &Gate, f: &mut dyn FnMut(Cell)| match *g {
            Gate::Never => {}
            Gate::Server { reqs: r, .. } | Gate::Any(r) | Gate::Quorum { ins: r, .. } => {
                self.inputs[r.range()].iter().for_each(|c| f(*c))
            }
            Gate::Holder { members } => self.members[members.range()].iter().for_each(|m| f(m.1)),
        };
        for g in &self.gates {
            each(g, &mut |c| count[c as usize + 1] += 1);
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut next = count.clone();
        let mut fanout = vec![0; count[n] as usize];
        for (id, g) in self.gates.iter().enumerate() {
            each(g, &mut |c| {
                fanout[next[c as usize] as usize] = id as Cell;
                next[c as usize] += 1;
            });
        }
        self.fanout_at = count;
        self.fanout = fanout;
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    ReplicaWrite(ServerId),
    NoPrimary(GroupId),
    Any(GroupId),
    Holder(GroupId),
    Quorum(GroupId),
}

struct Builder<'m> {
    m: &'m Model,
    c: Circuit,
    memo: HashMap<Key, Cell>,
}

impl Builder<'_> {
    fn push(&mut self, g: Gate, o: Origin) -> Cell {
        let id = self.c.gates.len() as Cell;
        self.c.gates.push(g);
        self.c.origins.push(o);
        id
    }

    /// Stores gate inputs in the flat array.
    fn run(&mut self, ins: &[Cell]) -> Run {
        let start = self.c.inputs.len() as u32;
        self.c.inputs.extend_from_slice(ins);
        Run {
            start,
            len: ins.len() as u32,
        }
    }

    fn memo(&mut self, k: Key, make: impl FnOnce(&mut Self) -> (Gate, Origin)) -> Cell {
        if let Some(c) = self.memo.get(&k) {
            return *c;
        }
        let (g, o) = make(self);
        let c = self.push(g, o);
        self.memo.insert(k, c);
        c
    }

    fn server(&self, s: ServerId) -> Cell {
        let c = self.c.server_cell[s.index()];
        debug_assert!(c != Cell::MAX, "server gates are built in dependency order");
        c
    }

    /// The gate for "target `t` is available", read as `write` or not
    /// (LANGUAGE.md §5.4).
    fn target(&mut self, t: Target, protocol: Protocol, write: bool) -> Cell {
        match self.m.route(t, protocol, write) {
            Route::ReplicaWrite(x) => self.memo(Key::ReplicaWrite(x), |_| {
                (Gate::Never, Origin::ReplicaWrite(x))
            }),
            Route::Server(x) | Route::Primary(_, x) => self.server(x),
            Route::NoPrimary(g) => {
                self.memo(Key::NoPrimary(g), |_| (Gate::Never, Origin::Group(g)))
            }
            Route::AnyMember(g) | Route::Failover(g) => self.any(g),
            Route::Quorum(g) => self.memo(Key::Quorum(g), |b| {
                let grp = b.m.group(g);
                let ins: Vec<Cell> = grp.members.iter().map(|s| b.server(*s)).collect();
                let k = grp.quorum_size();
                let ins = b.run(&ins);
                (Gate::Quorum { ins, k }, Origin::Quorum(g))
            }),
            Route::Holder(g) => self.memo(Key::Holder(g), |b| {
                let start = b.c.members.len() as u32;
                for &s in &b.m.group(g).members {
                    let cell = b.server(s);
                    b.c.members.push((s, cell));
                }
                let len = b.m.group(g).members.len() as u32;
                (
                    Gate::Holder {
                        members: Run { start, len },
                    },
                    Origin::Holder(g),
                )
            }),
        }
    }

    fn any(&mut self, g: GroupId) -> Cell {
        self.memo(Key::Any(g), |b| {
            let ins: Vec<Cell> = b.m.group(g).members.iter().map(|s| b.server(*s)).collect();
            let run = b.run(&ins);
            (Gate::Any(run), Origin::Group(g))
        })
    }
}

/// Compiles a model whose topology has no cycle.
pub fn compile(m: &Model) -> Circuit {
    let n = m.servers.len();
    let mut b = Builder {
        m,
        c: Circuit {
            gates: Vec::new(),
            origins: Vec::new(),
            inputs: Vec::new(),
            members: Vec::new(),
            fanout_at: Vec::new(),
            fanout: Vec::new(),
            server_cell: vec![Cell::MAX; n],
            entries: Vec::new(),
        },
        memo: HashMap::new(),
    };
    // Requirements of each server: (link, targets) per link it is a source of.
    let mut reqs: Vec<Vec<LinkId>> = vec![Vec::new(); n];
    for (li, l) in m.links.iter().enumerate() {
        for s in &l.from {
            reqs[s.index()].push(LinkId(li as u32));
        }
    }
    let mut cells = Vec::new();
    let mut ins = Vec::new();
    for s in dependency_order(m) {
        cells.clear();
        'links: for &lid in &reqs[s.index()] {
            let link = &m.links[lid.index()];
            if link.optional {
                continue; // the sources work without it (ROLES.md §2)
            }
            ins.clear();
            for t in &link.targets {
                let write = link.is_write(t);
                if m.is_local(s, t.target, t.protocol, write) {
                    continue 'links; // held by the server being up (§5.3)
                }
                let c = b.target(t.target, t.protocol, write);
                if !ins.contains(&c) {
                    ins.push(c);
                }
            }
            let cell = if ins.len() == 1 {
                ins[0]
            } else {
                let run = b.run(&ins);
                b.push(Gate::Any(run), Origin::Requirement(s, lid))
            };
            cells.push(cell);
        }
        let reqs = b.run(&cells);
        let c = b.push(Gate::Server { server: s, reqs }, Origin::Server(s));
        b.c.server_cell[s.index()] = c;
    }
    entries(&mut b);
    b.c.build_fanout();
    b.c
}

/// Servers ordered so that everything a server needs comes before it.
fn dependency_order(m: &Model) -> Vec<ServerId> {
    let g = &m.topology.graph;
    let order = petgraph::algo::toposort(g, None).expect("the model has no cycle");
    order
        .into_iter()
        .rev()
        .filter_map(|n| match g[n] {
            Node::Server(s) => Some(s),
            Node::Group(_) => None,
        })
        .collect()
}

fn entries(b: &mut Builder<'_>) {
    let m = b.m;
    if !m.records.is_empty() {
        for (ri, r) in m.records.iter().enumerate() {
            let mut ins = Vec::new();
            for t in &r.targets {
                let c = b.target(t.target, t.protocol, t.protocol.is_data());
                if !ins.contains(&c) {
                    ins.push(c);
                }
            }
            let idx = b.c.entries.len();
            let run = b.run(&ins);
            let cell = b.push(Gate::Any(run), Origin::Entry(idx));
            b.c.entries.push(Entry {
                subject: r.subject.clone(),
                span: r.span,
                cell,
                record: Some(RecordId(ri as u32)),
                targets: r.targets.iter().map(|t| t.target).collect(),
            });
        }
        return;
    }
    if !m.domains.is_empty() {
        return; // domains without records: nothing is an entry point
    }
    // No domain: entry points are the servers and groups no link from
    // another server targets; naming a member counts as naming its group,
    // and the reverse. A self-reference (a server to itself, a member to its
    // own group) is local traffic and hides nothing (§7.8, v1.1).
    let mut targeted_group = vec![false; m.groups.len()];
    let mut targeted_server = vec![false; m.servers.len()];
    for l in &m.links {
        for t in &l.targets {
            let from_another = l.from.iter().any(|&s| match t.target {
                Target::Server(x) => x != s,
                Target::Group(g) => m.server(s).group != Some(g),
            });
            if !from_another {
                continue;
            }
            match t.target {
                Target::Group(g) => targeted_group[g.index()] = true,
                Target::Server(s) => match m.server(s).group {
                    Some(g) => targeted_group[g.index()] = true,
                    None => targeted_server[s.index()] = true,
                },
            }
        }
    }
    let mut points: Vec<(Target, Span)> = Vec::new();
    for g in m.group_ids() {
        if !targeted_group[g.index()] {
            points.push((Target::Group(g), m.group(g).span));
        }
    }
    for s in m.server_ids() {
        if m.server(s).group.is_none() && !targeted_server[s.index()] {
            points.push((Target::Server(s), m.server(s).span));
        }
    }
    points.sort_by_key(|(_, span)| span.start);
    for (t, span) in points {
        let roles = m.target_roles(t);
        let protocol = roles.main().map_or(Protocol::Http, |r| r.spec().protocol());
        let inner = b.target(t, protocol, protocol.is_data());
        let idx = b.c.entries.len();
        let run = b.run(&[inner]);
        let cell = b.push(Gate::Any(run), Origin::Entry(idx));
        b.c.entries.push(Entry {
            subject: m.target_name(t).to_string(),
            span,
            cell,
            record: None,
            targets: vec![t],
        });
    }
}
