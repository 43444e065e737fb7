//! The load flow of RESILIENCE.md §4 and its N+1 check.

use super::{Element, TooBig};
use crate::analysis::circuit::Circuit;
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

/// The load on every server (indexed by `ServerId`) with `down` down.
pub fn flow(m: &Model, c: &Circuit, down: &[Element]) -> Vec<f64> {
    let _ = (m, c, down);
    todo!("issue 11: load flow")
}

/// The headroom of every server with `capacity`, in declaration order.
pub fn headroom(
    m: &Model,
    c: &Circuit,
    tolerate: usize,
    left_out: &[bool],
) -> Result<Vec<Headroom>, TooBig> {
    let _ = (m, c, tolerate, left_out);
    todo!("issue 11: headroom")
}
