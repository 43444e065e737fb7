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

/// Per entry point: judged by the cuts, the tolerance and the headroom —
/// it serves with nothing down (§7.3, v1.1) and is not left out (its
/// `broken` allowed).
pub fn judged(ev: &crate::analysis::lanes::Evaluator<'_>, left_out: &[bool]) -> Vec<bool> {
    ev.c.entries
        .iter()
        .enumerate()
        .map(|(i, e)| ev.serves_at_baseline(e.cell) && !left_out.get(i).copied().unwrap_or(false))
        .collect()
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

/// Everything `stackc resilience` reports (RESILIENCE.md §6).
#[derive(Clone, Debug)]
pub struct Resilience {
    /// The largest cut size looked for.
    pub max_size: usize,
    /// The smallest cut size minus one (0 with a `spof`, `zone-spof` or
    /// `broken`); `max_size` when no cut of size <= `max_size` exists.
    pub tolerance: usize,
    /// False when no cut of size <= `max_size` exists (`tolerance` is then
    /// a lower bound).
    pub tolerance_exact: bool,
    pub cuts: Result<cuts::Cuts, TooBig>,
    pub availability: Result<exact::Availability, TooBig>,
    /// The servers with `capacity`.
    pub capacity: Result<Vec<load::Headroom>, TooBig>,
    /// The tolerance policy the capacity check used (`tolerate`, default 1).
    pub tolerate: usize,
}

/// The whole report: cuts up to `max_size` (default max(2, tolerate)),
/// the tolerance they give, the exact availability and the headroom.
pub fn report(
    m: &Model,
    a: &crate::analysis::Analysis,
    left_out: &[bool],
    max_size: Option<usize>,
) -> Resilience {
    let tolerate = a.policy.tolerate;
    let max_size = max_size.unwrap_or(tolerate.max(2)).clamp(1, 4);
    // What `check` computed already is not computed again.
    let cuts = match &a.cuts {
        Some(c) if tolerate == max_size => c.clone(),
        _ => cuts::find(m, &a.circuit, left_out, max_size),
    };
    let (tolerance, tolerance_exact) = tolerance(m, a, left_out, cuts.as_ref().ok(), max_size);
    Resilience {
        max_size,
        tolerance,
        tolerance_exact,
        availability: a
            .availability
            .clone()
            .unwrap_or_else(|| exact::compute(m, &a.circuit, left_out)),
        capacity: a
            .headroom
            .clone()
            .unwrap_or_else(|| load::headroom(m, &a.circuit, tolerate, left_out)),
        cuts,
        tolerate,
    }
}

/// The tolerance (RESILIENCE.md §1): 0 with a judged entry point dark with
/// nothing down (or no entry point at all), else the smallest cut's size
/// minus one; without a cut up to `max_size` (or when the search was
/// refused: then only the single failures are known), a lower bound.
pub fn tolerance(
    m: &Model,
    a: &crate::analysis::Analysis,
    left_out: &[bool],
    cuts: Option<&cuts::Cuts>,
    max_size: usize,
) -> (usize, bool) {
    let o = &a.outcome;
    let broken = o.no_entry
        || o.broken
            .iter()
            .any(|d| !left_out.get(d.entry).copied().unwrap_or(false));
    let _ = m;
    if broken || !o.spofs.is_empty() || !o.zone_spofs.is_empty() {
        return (0, true);
    }
    match cuts {
        Some(c) => match c.cuts.first() {
            Some(cut) => (cut.elements.len() - 1, true),
            None => (max_size, false),
        },
        None => (1, false),
    }
}

/// `20000000` as `20,000,000`: the one way the resilience messages
/// group digits.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Requests per second in words: `1,500`, `12.5`, `0.25` (at most two
/// decimals, thousands grouped).
pub fn rate(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let int = rounded.trunc() as u64;
    let frac = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let grouped = thousands(int);
    match frac {
        0 => grouped,
        f if f % 10 == 0 => format!("{grouped}.{}", f / 10),
        f => format!("{grouped}.{f:02}"),
    }
}

/// An availability in percent with the digits that matter: as many
/// decimals as it takes to show the first two significant digits of the
/// unavailability (`99.9123 %`, `99.99971 %`, `100 %` only when nothing
/// can fail).
pub fn percent(up: f64, down: f64) -> String {
    if down <= 0.0 {
        return "100 %".into();
    }
    if up <= 0.0 {
        return "0 %".into();
    }
    // Decimals of the percentage: -log10(down%) + 1 significant digit.
    let down_pct = down * 100.0;
    let decimals = ((-down_pct.log10()).floor() as i64 + 2).clamp(1, 14) as usize;
    let text = format!("{:.*}", decimals, up * 100.0);
    // Never round up to 100.
    let text = if text.starts_with("100") {
        format!("{:.*}", decimals, 100.0 - down_pct)
    } else {
        text
    };
    format!("{text} %")
}

/// A downtime in words: `7 h 41 min`, `5 min 15 s`, `0.9 s`.
pub fn downtime(seconds: f64) -> String {
    if seconds < 10.0 {
        return format!("{:.1} s", seconds);
    }
    let s = seconds.round() as u64;
    let (d, h, min, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, min) {
        (0, 0, 0) => format!("{sec} s"),
        (0, 0, _) => format!("{min} min {sec} s"),
        (0, _, _) => format!("{h} h {min} min"),
        _ => format!("{d} d {h} h"),
    }
}
