//! Beyond single failures (RESILIENCE.md): the minimal breaking sets of
//! servers and zones (`cuts`), the exact availability of every record and
//! of the stack (`exact`, on a decision diagram `bdd`), and the load flow
//! with its N+1 check (`load`). Like the rest of the analysis, everything
//! here is exact and deterministic.

pub mod bdd;
pub mod cuts;
pub mod exact;
pub mod load;

use crate::model::{Model, ServerId, ZoneId};

/// A failure element (RESILIENCE.md §1): a server, or a zone (all its
/// servers at once).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    Server(ServerId),
    Zone(ZoneId),
}

impl Element {
    pub fn name(self, m: &Model) -> &str {
        match self {
            Element::Server(s) => &m.server(s).name,
            Element::Zone(z) => &m.zones[z.index()].name,
        }
    }

    /// Where it is declared: elements are listed in this order.
    pub fn order(self, m: &Model) -> usize {
        match self {
            Element::Server(s) => m.server(s).span.start,
            Element::Zone(z) => m.zones[z.index()].span.start,
        }
    }

    /// The probability that it is down.
    pub fn down(self, m: &Model) -> f64 {
        match self {
            Element::Server(s) => m.server(s).down(),
            Element::Zone(z) => m.zones[z.index()].down(),
        }
    }

    /// Every element of the stack: its zones, then its servers.
    pub fn all(m: &Model) -> Vec<Element> {
        (0..m.zones.len() as u32)
            .map(|z| Element::Zone(ZoneId(z)))
            .chain(m.server_ids().map(Element::Server))
            .collect()
    }
}

/// The servers a failure set takes down: its servers and every server of
/// its zones, each once, in id order.
pub fn servers_down(m: &Model, set: &[Element]) -> Vec<ServerId> {
    let mut down: Vec<ServerId> = Vec::new();
    for e in set {
        match *e {
            Element::Server(s) => down.push(s),
            Element::Zone(z) => {
                down.extend(m.server_ids().filter(|s| m.server(*s).zone == Some(z)))
            }
        }
    }
    down.sort_unstable();
    down.dedup();
    down
}

/// Whether a set of elements is a failure set: no server together with
/// the zone it is in, no element twice.
pub fn is_failure_set(m: &Model, set: &[Element]) -> bool {
    set.iter().enumerate().all(|(i, a)| {
        set[i + 1..].iter().all(|b| {
            a != b
                && match (*a, *b) {
                    (Element::Server(s), Element::Zone(z))
                    | (Element::Zone(z), Element::Server(s)) => m.server(s).zone != Some(z),
                    _ => true,
                }
        })
    })
}

/// Elements in declaration order, joined by `+`: a `cut-set` subject
/// (`lb-01+web-02`).
pub fn set_name(m: &Model, set: &[Element]) -> String {
    let mut v = set.to_vec();
    v.sort_by_key(|e| e.order(m));
    v.iter().map(|e| e.name(m)).collect::<Vec<_>>().join("+")
}

/// A computation refused because it would cost too much (RESILIENCE.md:
/// huge policies must not explode): what was asked and what it would
/// take, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct TooBig {
    pub message: String,
}

/// Seconds in a year (RESILIENCE.md §3: 365.25 days).
pub const YEAR_S: f64 = 365.25 * 86_400.0;
