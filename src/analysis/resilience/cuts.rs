//! The cuts of RESILIENCE.md §1: minimal breaking failure sets of servers
//! and zones, up to a size.

use super::{Element, TooBig};
use crate::analysis::circuit::Circuit;
use crate::analysis::lanes::Step;
use crate::model::Model;

/// A minimal breaking failure set.
#[derive(Clone, Debug, PartialEq)]
pub struct Cut {
    /// Its elements, in declaration order.
    pub elements: Vec<Element>,
    /// The entry points (indices into `Circuit::entries`) that serve with
    /// nothing down, are judged, and are dark with it down, in order.
    pub dark: Vec<usize>,
    /// Why the first of them is dark.
    pub chain: Vec<Step>,
}

/// Every cut up to `max_size`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cuts {
    pub max_size: usize,
    /// Sorted by size, then by the declaration order of their elements.
    pub cuts: Vec<Cut>,
}

/// Every cut of size 1..=`max_size` (1..=4). `left_out[i]`: entry `i` is
/// not judged (its `broken` is allowed); entries dark with nothing down are
/// never judged (§7.3, v1.1).
pub fn find(m: &Model, c: &Circuit, left_out: &[bool], max_size: usize) -> Result<Cuts, TooBig> {
    let _ = (m, c, left_out, max_size);
    todo!("issue 11: cuts")
}
