//! The load flow of RESILIENCE.md §4 and its N+1 check. `graph` is the
//! flow's structure, `scan` enumerates the tolerated failure sets for the
//! worst load of each server, and `delta` propagates only what each set
//! changes.

mod delta;
mod graph;
mod scan;

use super::{servers_down, Element, TooBig};
use crate::analysis::circuit::Circuit;
use crate::analysis::lanes::Evaluator;
use crate::model::{Model, ServerId};

/// A server with `capacity`: its load with nothing down and its worst load.
#[derive(Clone, Debug, PartialEq)]
pub struct Headroom {
    pub server: ServerId,
    pub capacity: f64,
    /// Its load with nothing down.
    pub baseline: f64,
    /// Its largest load, with nothing down or after a failure set of size
    /// <= the policy that does not break the stack.
    pub worst: f64,
    /// The failure set that causes `worst` (empty: nothing down), in
    /// declaration order; the first such set in enumeration order.
    pub failed: Vec<Element>,
}

impl Headroom {
    /// Its worst load exceeds its capacity (beyond the rounding of float
    /// sums: 1000.0000001 on a capacity of 1000 is not an overload).
    pub fn overloaded(&self) -> bool {
        exceeds(self.worst, self.capacity)
    }
}

/// The relative tolerance of comparisons of loads.
pub const TOLERANCE: f64 = 1e-9;

/// `load` exceeds `capacity`, beyond a relative [`TOLERANCE`].
pub fn exceeds(load: f64, capacity: f64) -> bool {
    load > capacity + TOLERANCE * capacity.abs().max(load.abs())
}

/// The load on every server (indexed by `ServerId`) with `down` down.
pub fn flow(m: &Model, c: &Circuit, down: &[Element]) -> Vec<f64> {
    let g = graph::Graph::new(m, c);
    let down = servers_down(m, down);
    let mut e = Evaluator::new(c, m.servers.len());
    e.full(&[&down]);
    let works: Vec<bool> = c.server_cell.iter().map(|&x| e.value(x) & 1 == 1).collect();
    let mut is_down = vec![false; m.servers.len()];
    for s in &down {
        is_down[s.index()] = true;
    }
    let avail = g.availability(&works, &is_down);
    let mut load = g.incoming(&avail, &is_down);
    load.truncate(m.servers.len());
    for (l, w) in load.iter_mut().zip(&works) {
        if !w {
            *l = 0.0;
        }
    }
    load
}

/// The headroom of every server with `capacity`, in declaration order:
/// its load with nothing down and its worst over every failure set of size
/// <= `tolerate` that does not break the stack (no judged entry point dark:
/// one that serves with nothing down and is not `left_out`).
pub fn headroom(
    m: &Model,
    c: &Circuit,
    tolerate: usize,
    left_out: &[bool],
) -> Result<Vec<Headroom>, TooBig> {
    let mut out: Vec<Headroom> = scan::worst(m, c, tolerate, left_out)?;
    out.sort_by_key(|h| m.server(h.server).span.start);
    Ok(out)
}
