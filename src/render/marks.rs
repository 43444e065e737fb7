//! What a drawing adds beyond single failures (RESILIENCE.md): the cuts of
//! one size (`stackc render --cuts K`), each numbered, its members sharing
//! a colour and a badge, with a legend line; and the capacity and load of
//! the servers and records that declare them.
//!
//! The data flows one way: the analysis gives the cuts ([`CutsAsked::of`])
//! and the loads ([`loads_of`]) as plain values, and the diagram builder
//! ([`super::Diagram::build`]) takes them as arguments.

use super::diagram::Diagram;
use super::text::visible;
use crate::analysis::availability::name_list;
use crate::analysis::resilience::{self, Element, TooBig};
use crate::diag::RuleId;
use crate::model::Model;
use crate::Checked;

/// The cuts `--cuts K` asks for, as the diagram builder takes them.
#[derive(Clone, Debug, PartialEq)]
pub struct CutsAsked {
    /// K: the size of the cuts marked.
    pub size: usize,
    /// The cuts of that size, in the report's order (by the declaration
    /// order of their elements).
    pub cuts: Vec<CutInput>,
}

/// One cut, as the diagram builder takes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CutInput {
    /// Its elements, in declaration order.
    pub elements: Vec<Element>,
    /// The subjects it darkens (records, or entry points without
    /// `domain`), in order.
    pub dark: Vec<String>,
    /// The reason of the `allow cut-set` that accepts it, if one does.
    pub allowed: Option<String>,
}

/// The largest cut size `--cuts` takes (as `--max-size` and `tolerate`).
pub const MAX_CUT_SIZE: usize = 4;

impl CutsAsked {
    /// The cuts of size `size` (1..=4) of a checked stack: those of
    /// [`crate::resilience`]`(checked, Some(size))`, found alone (a drawing
    /// needs neither the availability nor the headroom), or taken from
    /// `check` when its `tolerate` looked for that size already. `None` when a
    /// stopping error left no sound model; `Err` when the search was
    /// refused (it would cost too much).
    pub fn of(checked: &Checked, size: usize) -> Option<Result<CutsAsked, TooBig>> {
        let size = size.clamp(1, MAX_CUT_SIZE);
        let a = checked.analysis.as_ref()?;
        // A cut is minimal whatever the largest size looked for: check's
        // cuts up to `tolerate` hold every cut of a size up to it.
        let found = match &a.cuts {
            Some(Ok(c)) if a.policy.tolerate >= size => Ok(c.clone()),
            Some(c) if a.policy.tolerate == size => c.clone(),
            _ => resilience::cuts::find(&checked.model, &a.circuit, &a.left_out, size),
        };
        Some(found.map(|found| {
            CutsAsked {
                size,
                cuts: found
                    .cuts
                    .into_iter()
                    .filter(|c| c.elements.len() == size)
                    .map(|c| CutInput {
                        dark: c
                            .dark
                            .iter()
                            .map(|&e| a.circuit.entries[e].subject.clone())
                            .collect(),
                        allowed: allowed(checked, &c.elements),
                        elements: c.elements,
                    })
                    .collect(),
            }
        }))
    }
}

/// The reason of the `allow cut-set` that accepted this cut in `check`.
fn allowed(checked: &Checked, elements: &[Element]) -> Option<String> {
    let subject = crate::analysis::rules::cut_set::subject(&checked.model, elements);
    checked
        .suppressed
        .iter()
        .find(|s| s.finding.rule == RuleId::CutSet && s.finding.subject.as_ref() == Some(&subject))
        .and_then(|s| checked.model.allows.get(s.allow))
        .map(|a| a.reason.clone())
}

/// The load on every server with nothing down (indexed by `ServerId`),
/// when the file declares a `capacity` or a `load`; `None` otherwise (the
/// drawing then has no capacity label and keeps its bytes).
pub fn loads_of(checked: &Checked) -> Option<Vec<f64>> {
    let a = checked.analysis.as_ref()?;
    let m = &checked.model;
    let declared = m.servers.iter().any(|s| s.capacity.is_some())
        || m.records.iter().any(|r| r.load.is_some());
    declared.then(|| resilience::load::flow(m, &a.circuit, &[]))
}

/// The cuts a drawing marks: `--cuts K` was given.
#[derive(Clone, Debug, PartialEq)]
pub struct CutLegend {
    /// K.
    pub size: usize,
    /// Numbered from 1, in order.
    pub cuts: Vec<CutMark>,
}

impl CutLegend {
    /// The legend's line when there is no cut of that size.
    pub fn none_line(&self) -> String {
        if self.size == 1 {
            "no cut of size 1: no single failure stops the stack".to_string()
        } else {
            format!(
                "no cut of size {}: no {} failures together stop the stack",
                self.size,
                count_word(self.size)
            )
        }
    }

    /// The title of the legend: `cuts of size 2`.
    pub fn title(&self) -> String {
        format!(
            "{} of size {}",
            if self.cuts.len() == 1 { "cut" } else { "cuts" },
            self.size
        )
    }
}

fn count_word(k: usize) -> String {
    match k {
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        k => k.to_string(),
    }
}

/// One marked cut.
#[derive(Clone, Debug, PartialEq)]
pub struct CutMark {
    /// From 1: its badge says `cut N`.
    pub number: usize,
    /// Its elements as drawn: a server's name, `zone a`.
    pub members: Vec<String>,
    /// What it darkens.
    pub dark: Vec<String>,
    /// The reason of the `allow cut-set` that accepts it.
    pub allowed: Option<String>,
}

impl CutMark {
    /// `cut 1`: the badge of its members.
    pub fn badge(&self) -> String {
        badge(self.number)
    }

    /// `lb-01 + lb-02 — darkens www.foobar.com`, and `(allowed: REASON)`
    /// when an `allow cut-set` accepts it.
    pub fn text(&self) -> String {
        let text = format!(
            "{} — darkens {}",
            self.members.join(" + "),
            name_list(&self.dark)
        );
        match &self.allowed {
            Some(r) => format!("{text} (allowed: {r})"),
            None => text,
        }
    }

    /// `cut 1: lb-01 + lb-02 — darkens www.foobar.com`: its legend line.
    pub fn legend(&self) -> String {
        format!("{}: {}", self.badge(), self.text())
    }
}

/// The badge of cut `n`.
pub fn badge(n: usize) -> String {
    format!("cut {n}")
}

/// The cuts `nums` in words: `cut 1`, `cuts 1, 3`.
pub fn badges(nums: &[usize]) -> String {
    match nums {
        [one] => badge(*one),
        _ => {
            let list: Vec<String> = nums.iter().map(|n| n.to_string()).collect();
            format!("cuts {}", list.join(", "))
        }
    }
}

/// Requests per second in words, as the findings and the report write
/// them ([`resilience::rate`]): `1,000`, `666.67`.
pub fn per_sec(v: f64) -> String {
    if v.is_finite() {
        resilience::rate(v.max(0.0))
    } else {
        "∞".into()
    }
}

/// A server's capacity line: `cap 1,000 req/s · load 750`, or only the load
/// (`load 750`) on a server without `capacity` that carries some.
pub fn capacity_line(capacity: Option<f64>, load: f64) -> Option<String> {
    match capacity {
        Some(c) => Some(format!("cap {} req/s · load {}", per_sec(c), per_sec(load))),
        None if load > 0.0 => Some(format!("load {}", per_sec(load))),
        None => None,
    }
}

/// A record's load: `2,000 req/s`.
pub fn load_line(load: f64) -> String {
    format!("{} req/s", per_sec(load))
}

/// Puts the cuts and the loads on a built diagram: each server and zone
/// gets the numbers of the cuts it is in, each server box the zone's, and
/// the servers and records that declare them their capacity and load.
/// `server_base`: the index of the first server's node.
pub(super) fn attach(
    d: &mut Diagram,
    m: &Model,
    server_base: usize,
    cuts: Option<&CutsAsked>,
    loads: Option<&[f64]>,
) {
    if let Some(asked) = cuts {
        let mut legend = CutLegend {
            size: asked.size,
            cuts: Vec::with_capacity(asked.cuts.len()),
        };
        for (k, cut) in asked.cuts.iter().enumerate() {
            let number = k + 1;
            let mut members = Vec::with_capacity(cut.elements.len());
            for e in &cut.elements {
                match *e {
                    Element::Server(s) => {
                        let node = &mut d.nodes[server_base + s.index()];
                        node.cuts.push(number);
                        members.push(node.name.clone());
                    }
                    Element::Zone(z) => {
                        let zone = &mut d.zones[z.index()];
                        zone.cuts.push(number);
                        members.push(format!("zone {}", zone.name));
                    }
                }
            }
            legend.cuts.push(CutMark {
                number,
                members,
                dark: cut.dark.iter().map(|x| visible(x)).collect(),
                allowed: cut.allowed.as_deref().map(visible),
            });
        }
        for (i, s) in m.servers.iter().enumerate() {
            if let Some(z) = s.zone {
                let zc = d.zones[z.index()].cuts.clone();
                d.nodes[server_base + i].text.zone_cuts = zc;
            }
        }
        d.cuts = Some(legend);
    }
    if let Some(loads) = loads {
        for (i, s) in m.servers.iter().enumerate() {
            let load = loads.get(i).copied().unwrap_or(0.0);
            let t = &mut d.nodes[server_base + i].text;
            t.overloaded = s.capacity.is_some_and(|c| load > c);
            t.capacity = capacity_line(s.capacity, load).map(|l| {
                if t.overloaded {
                    format!("{l} · over capacity")
                } else {
                    l
                }
            });
        }
        for (i, r) in m.records.iter().enumerate() {
            d.nodes[i].text.load = r.load.map(load_line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_like_the_report() {
        assert_eq!(per_sec(0.0), "0");
        assert_eq!(per_sec(750.0), "750");
        assert_eq!(per_sec(1000.0), "1,000");
        assert_eq!(per_sec(2000.0 / 3.0), "666.67");
        assert_eq!(per_sec(1_234_567.0), "1,234,567");
        assert_eq!(per_sec(999.996), "1,000");
        assert_eq!(per_sec(f64::INFINITY), "∞");
        assert_eq!(
            capacity_line(Some(1000.0), 750.0).as_deref(),
            Some("cap 1,000 req/s · load 750")
        );
        assert_eq!(capacity_line(None, 750.0).as_deref(), Some("load 750"));
        assert_eq!(capacity_line(None, 0.0), None);
        assert_eq!(load_line(2000.0), "2,000 req/s");
    }

    #[test]
    fn legend_lines_name_the_members_and_what_goes_dark() {
        let c = CutMark {
            number: 1,
            members: vec!["lb-01".into(), "lb-02".into()],
            dark: vec!["www.foobar.com".into()],
            allowed: None,
        };
        assert_eq!(c.legend(), "cut 1: lb-01 + lb-02 — darkens www.foobar.com");
        let accepted = CutMark {
            allowed: Some("a third one is ordered".into()),
            ..c.clone()
        };
        assert_eq!(
            accepted.text(),
            "lb-01 + lb-02 — darkens www.foobar.com (allowed: a third one is ordered)"
        );
        assert_eq!(badges(&[1, 3]), "cuts 1, 3");
        assert_eq!(badges(&[2]), "cut 2");
        let none = CutLegend {
            size: 2,
            cuts: vec![],
        };
        assert_eq!(
            none.none_line(),
            "no cut of size 2: no two failures together stop the stack"
        );
        assert_eq!(none.title(), "cuts of size 2");
    }
}
