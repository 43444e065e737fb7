//! The exact availability of RESILIENCE.md §3: of each entry point and of
//! the stack, with the gain of every element.

use super::{Element, TooBig};
use crate::analysis::circuit::Circuit;
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

/// `left_out[i]`: entry `i` is left out of the stack's figure (its
/// `broken` is allowed).
pub fn compute(m: &Model, c: &Circuit, left_out: &[bool]) -> Result<Availability, TooBig> {
    let _ = (m, c, left_out);
    todo!("issue 11: exact availability")
}
