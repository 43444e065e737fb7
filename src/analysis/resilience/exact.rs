//! The exact availability of RESILIENCE.md §3: of each entry point and of
//! the stack, with the gain of every element.
//!
//! Every element (zone and server) is one variable of a decision diagram
//! ([`super::bdd`]); a server is up when its own variable and its zone's
//! hold. Each gate of the circuit reachable from an entry point becomes one
//! diagram, built once, in circuit order, by the rule of §5 it stands for:
//! nothing is sampled or approximated, and the probabilities are exact up
//! to floating-point rounding.

use super::bdd::{Bdd, Ref, FALSE, TRUE};
use super::{Element, TooBig};
use crate::analysis::circuit::{Cell, Circuit, Gate};
use crate::model::Model;

/// A probability and its complement, each computed directly (so that an
/// unavailability of 1e-12 keeps its digits).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Figure {
    /// The probability of being available.
    pub up: f64,
    /// 1 - up, computed on its own.
    pub down: f64,
}

impl Figure {
    const ALWAYS: Figure = Figure { up: 1.0, down: 0.0 };
    const NEVER: Figure = Figure { up: 0.0, down: 1.0 };
}

#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    /// Per entry point, in `Circuit::entries` order (left-out ones too).
    pub entries: Vec<Figure>,
    /// Every judged entry point available at once.
    pub stack: Figure,
    /// A(element always up) - A, for every element with a gain > 0,
    /// largest first, ties by declaration order.
    pub gains: Vec<(Element, f64)>,
}

/// The most decision-diagram nodes the computation may hold (12 bytes
/// each, plus the tables: about half a gigabyte at the limit).
pub const NODE_BUDGET: usize = 20_000_000;

/// The order of the diagram's variables (the size of a diagram depends on
/// it, up to exponentially). Public for the benches that compare them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VarOrder {
    /// Dependents above what they need: the reverse of a depth-first
    /// post-order from the entry points, so that each service's servers
    /// are adjacent and a server's variable sits above everything its
    /// requirements read (then `up ∧ reqs` is one node, not a copy of
    /// the requirements' diagram). The default.
    Dependents,
    /// The circuit's evaluation order (dependencies first).
    Circuit,
}

/// `left_out[i]`: entry `i` is left out of the stack's figure (its
/// `broken` is allowed).
pub fn compute(m: &Model, c: &Circuit, left_out: &[bool]) -> Result<Availability, TooBig> {
    compute_with(m, c, left_out, NODE_BUDGET, VarOrder::Dependents)
}

/// [`compute`] with a node budget and a variable order of one's own.
pub fn compute_with(
    m: &Model,
    c: &Circuit,
    left_out: &[bool],
    budget: usize,
    order: VarOrder,
) -> Result<Availability, TooBig> {
    let reached = reachable(c);
    let levels = Levels::new(m, c, &reached, order);
    let mut bdd = Bdd::new(budget);
    let mut f: Vec<Ref> = vec![FALSE; c.gates.len()];
    // "Server s is up": its variable and its zone's, made once each.
    let mut up: Vec<Option<Ref>> = vec![None; m.servers.len()];
    let mut up_of = |bdd: &mut Bdd, s: crate::model::ServerId| -> Result<Ref, TooBig> {
        if let Some(r) = up[s.index()] {
            return Ok(r);
        }
        let x = bdd.var(levels.server[s.index()])?;
        let r = match m.server(s).zone {
            Some(z) => {
                let zv = bdd.var(levels.zone[z.index()])?;
                bdd.and(x, zv)?
            }
            None => x,
        };
        up[s.index()] = Some(r);
        Ok(r)
    };
    let mut ins: Vec<Ref> = Vec::new();
    for (cell, gate) in c.gates.iter().enumerate() {
        if !reached[cell] {
            continue;
        }
        ins.clear();
        f[cell] = match *gate {
            Gate::Never => FALSE,
            Gate::Server { server, reqs } => {
                ins.push(up_of(&mut bdd, server)?);
                ins.extend(c.inputs(reqs).iter().map(|i| f[*i as usize]));
                bdd.and_all(&ins)?
            }
            Gate::Any(r) => {
                ins.extend(c.inputs(r).iter().map(|i| f[*i as usize]));
                bdd.or_all(&ins)?
            }
            Gate::Quorum { ins: r, k } => {
                ins.extend(c.inputs(r).iter().map(|i| f[*i as usize]));
                bdd.at_least(k as usize, &ins)?
            }
            Gate::Holder { members } => {
                // §5.4: the first member that is up holds; the group is
                // available when that one works.
                let mut pairs = Vec::with_capacity(members.len as usize);
                for &(s, works) in c.members(members) {
                    pairs.push((up_of(&mut bdd, s)?, f[works as usize]));
                }
                bdd.first_up(&pairs)?
            }
        };
    }
    let entry_f: Vec<Ref> = c.entries.iter().map(|e| f[e.cell as usize]).collect();
    let judged: Vec<Ref> = entry_f
        .iter()
        .enumerate()
        .filter(|(i, _)| !left_out.get(*i).copied().unwrap_or(false))
        .map(|(_, r)| *r)
        .collect();
    // Without `domain`, servers and no entry point: nothing serves (§7.8).
    // With no entry point otherwise (no server at all, or domains without
    // records), nothing can be dark: the stack is always available, as
    // `simulate` says it serves.
    let no_entry = c.entries.is_empty() && m.domains.is_empty() && !m.servers.is_empty();
    let stack = if no_entry {
        FALSE
    } else {
        bdd.and_all(&judged)?
    };
    let mut roots = entry_f.clone();
    roots.push(stack);
    let p = bdd.probabilities(&roots, &levels.up, &levels.down);
    let figure = |r: Ref| match r {
        TRUE => Figure::ALWAYS,
        FALSE => Figure::NEVER,
        _ => Figure {
            up: p.up(r),
            down: p.down(r),
        },
    };
    let d = bdd.derivatives(stack, &p, &levels.up, &levels.down, levels.up.len());
    let mut gains: Vec<(Element, f64)> = Element::all(m)
        .into_iter()
        .map(|e| (e, e.down(m) * d[levels.of(e) as usize]))
        .filter(|(_, g)| *g > 0.0)
        .collect();
    // Largest first. Gains equal but for the last bits of their sums (a
    // pair's two members) are ties, listed in declaration order: after the
    // sort, each run of gains within 1e-11 of the run's first is put in
    // declaration order.
    gains.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut start = 0;
    while start < gains.len() {
        let head = gains[start].1;
        let end = start
            + gains[start..]
                .iter()
                .take_while(|(_, g)| head - g <= 1e-11 * head)
                .count();
        gains[start..end].sort_by_key(|(e, _)| e.order(m));
        start = end;
    }
    Ok(Availability {
        entries: entry_f.iter().map(|r| figure(*r)).collect(),
        stack: figure(stack),
        gains,
    })
}

/// The gates some entry point reads, directly or not: only those are
/// built.
fn reachable(c: &Circuit) -> Vec<bool> {
    let mut mark = vec![false; c.gates.len()];
    for e in &c.entries {
        mark[e.cell as usize] = true;
    }
    // Inputs come before the gates that read them.
    for cell in (0..c.gates.len()).rev() {
        if mark[cell] {
            each_input(c, cell as Cell, |i| mark[i as usize] = true);
        }
    }
    mark
}

fn each_input(c: &Circuit, cell: Cell, mut f: impl FnMut(Cell)) {
    match c.gates[cell as usize] {
        Gate::Never => {}
        Gate::Server { reqs: r, .. } | Gate::Any(r) | Gate::Quorum { ins: r, .. } => {
            c.inputs(r).iter().for_each(|i| f(*i))
        }
        Gate::Holder { members } => c.members(members).iter().for_each(|m| f(m.1)),
    }
}

/// The level of each element's variable, and the probabilities by level.
struct Levels {
    server: Vec<u32>,
    zone: Vec<u32>,
    up: Vec<f64>,
    down: Vec<f64>,
}

impl Levels {
    fn new(m: &Model, c: &Circuit, reached: &[bool], order: VarOrder) -> Levels {
        let servers: Vec<crate::model::ServerId> = match order {
            VarOrder::Circuit => c
                .gates
                .iter()
                .filter_map(|g| match g {
                    Gate::Server { server, .. } => Some(*server),
                    _ => None,
                })
                .collect(),
            VarOrder::Dependents => dependents_first(c, reached),
        };
        let mut l = Levels {
            server: vec![u32::MAX; m.servers.len()],
            zone: vec![u32::MAX; m.zones.len()],
            up: Vec::new(),
            down: Vec::new(),
        };
        // Each zone just above its first server; whatever no entry point
        // reads at the bottom (its variables appear in no diagram).
        let rest = m.server_ids();
        for s in servers.into_iter().chain(rest) {
            if l.server[s.index()] != u32::MAX {
                continue;
            }
            if let Some(z) = m.server(s).zone {
                if l.zone[z.index()] == u32::MAX {
                    l.zone[z.index()] = l.push(Element::Zone(z), m);
                }
            }
            l.server[s.index()] = l.push(Element::Server(s), m);
        }
        for z in 0..m.zones.len() {
            if l.zone[z] == u32::MAX {
                l.zone[z] = l.push(Element::Zone(crate::model::ZoneId(z as u32)), m);
            }
        }
        l
    }

    fn push(&mut self, e: Element, m: &Model) -> u32 {
        let (up, down) = match e {
            Element::Server(s) => (m.server(s).up(), m.server(s).down()),
            Element::Zone(z) => (m.zones[z.index()].up(), m.zones[z.index()].down()),
        };
        self.up.push(up);
        self.down.push(down);
        (self.up.len() - 1) as u32
    }

    fn of(&self, e: Element) -> u32 {
        match e {
            Element::Server(s) => self.server[s.index()],
            Element::Zone(z) => self.zone[z.index()],
        }
    }
}

/// The servers of the reached `Server` gates, each above everything it
/// needs: the reverse of a depth-first post-order from the entry points,
/// in entry order (iterative: a chain may be very deep).
fn dependents_first(c: &Circuit, reached: &[bool]) -> Vec<crate::model::ServerId> {
    let mut seen = vec![false; c.gates.len()];
    let mut post = Vec::new();
    // (cell, inputs already pushed)
    let mut stack: Vec<(Cell, bool)> = Vec::new();
    let mut kids: Vec<Cell> = Vec::new();
    for e in &c.entries {
        stack.push((e.cell, false));
        while let Some((cell, expanded)) = stack.pop() {
            if expanded {
                if let Gate::Server { server, .. } = c.gates[cell as usize] {
                    post.push(server);
                }
                continue;
            }
            if seen[cell as usize] {
                continue;
            }
            seen[cell as usize] = true;
            stack.push((cell, true));
            kids.clear();
            each_input(c, cell, |i| kids.push(i));
            // The first input is explored first.
            for &k in kids.iter().rev() {
                if !seen[k as usize] && reached[k as usize] {
                    stack.push((k, false));
                }
            }
        }
    }
    post.reverse();
    post
}
