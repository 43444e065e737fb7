//! Property tests of the crate's resilience analysis (RESILIENCE.md), on
//! the differential test's random stacks: every cut breaks and none of its
//! proper subsets does (judged by the crate's own `simulate`); the
//! tolerance is the smallest cut minus one; gains are never negative; an
//! element nothing depends on changes no cut and no figure; a stack of one
//! server is exactly as available as that server (and its zone).
#![allow(dead_code)] // the differential modules are shared with tests/differential.rs

use std::collections::HashMap;

use proptest::prelude::*;
use stackc::analysis::availability::simulate;
use stackc::analysis::resilience::{self as res, Element};

#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/generate.rs"]
mod generate;
#[path = "differential/generate_res.rs"]
mod generate_res;
#[path = "differential/model.rs"]
mod model;
#[path = "differential/parse.rs"]
mod parse;
#[path = "differential/resilience.rs"]
mod resilience;

use compare::*;
use generate::*;
use generate_res::*;
use model::*;
use parse::*;
use resilience::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// What the properties read of the crate: its cuts up to 3, tolerance and
/// (when that part has landed) exact availability. `stackc::resilience`
/// once every part is there, the parts one by one before.
struct Report {
    cuts: res::cuts::Cuts,
    tolerance: (usize, bool),
    availability: Option<res::exact::Availability>,
}

fn report(c: &stackc::Checked) -> Report {
    let parts = probe();
    assert!(parts.cuts, "the crate's cuts are not there");
    if parts.all() {
        let r = stackc::resilience(c, Some(3)).expect("analysed");
        return Report {
            cuts: r.cuts.expect("cuts of a small stack"),
            tolerance: (r.tolerance, r.tolerance_exact),
            availability: Some(r.availability.expect("availability of a small stack")),
        };
    }
    let (m, a, left) = (&c.model, c.analysis.as_ref().unwrap(), stackc::left_out(c));
    let cuts = res::cuts::find(m, &a.circuit, &left, 3).expect("cuts of a small stack");
    let tolerance = res::tolerance(m, a, &left, Some(&cuts), 3);
    let availability = parts
        .exact
        .then(|| res::exact::compute(m, &a.circuit, &left).expect("exact"));
    Report {
        cuts,
        tolerance,
        availability,
    }
}

/// The file checked, when it is analysed, has no error outside §5's and
/// needs no part of the crate that is missing (`check` runs the exact
/// availability with `slo=` and the headroom with capacities).
fn checked(src: &str, topo: &Topo) -> Option<stackc::Checked> {
    let parts = probe();
    let capacity = topo.servers.iter().any(|s| s.capacity.is_some());
    if !parts.cuts || (topo.slo.is_some() && !parts.exact) || (capacity && !parts.headroom) {
        return None;
    }
    let c = stackc::check(src);
    let clean = c
        .findings
        .iter()
        .all(|f| ALLOWED.contains(&f.rule.as_str()) || RULES.contains(&f.rule.as_str()));
    (clean && c.analysis.is_some()).then_some(c)
}

/// Whether `set` darkens an entry point that serves with nothing down and
/// is judged, by the crate's own full evaluation.
fn breaks(c: &stackc::Checked, set: &[Element]) -> bool {
    let m = &c.model;
    let circuit = &c.analysis.as_ref().unwrap().circuit;
    let left = stackc::left_out(c);
    let base = simulate(m, circuit, &[]);
    let with = simulate(m, circuit, &res::servers_down(m, set));
    base.entries
        .iter()
        .zip(&with.entries)
        .any(|(&(i, before), &(_, after))| {
            before && !after && !left.get(i).copied().unwrap_or(false)
        })
}

fn cut_names(c: &stackc::Checked, r: &Report) -> Vec<String> {
    r.cuts
        .cuts
        .iter()
        .map(|cut| res::set_name(&c.model, &cut.elements))
        .collect()
}

proptest! {
    #![proptest_config(config())]

    /// §1: a cut breaks, none of its proper subsets does; the tolerance is
    /// the smallest cut minus one; §3: gains are >= 0.
    #[test]
    fn cuts_are_minimal_and_tolerance_and_gains_follow(seed in 1u64..1_000_000) {
        let (src, topo) = generate_resilient(seed);
        let Some(c) = checked(&src, &topo) else { return Ok(()) };
        let r = report(&c);
        let cuts = &r.cuts;
        for cut in &cuts.cuts {
            let name = res::set_name(&c.model, &cut.elements);
            prop_assert!(res::is_failure_set(&c.model, &cut.elements), "{name}\n{src}");
            prop_assert!(breaks(&c, &cut.elements), "cut {name} does not break\n{src}");
            for sub in proper_subsets_of(&cut.elements) {
                prop_assert!(
                    !breaks(&c, &sub),
                    "cut {name}: its subset {} breaks already\n{src}",
                    res::set_name(&c.model, &sub)
                );
            }
        }
        let sizes: Vec<usize> = cuts.cuts.iter().map(|c| c.elements.len()).collect();
        prop_assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "cuts not sorted by size: {sizes:?}");
        let broken = c.analysis.as_ref().unwrap().outcome.no_entry
            || Judge::new(&parse_stack(&src)).broken();
        match (broken, sizes.first()) {
            (true, _) => prop_assert_eq!(r.tolerance, (0, true)),
            (false, Some(&k)) => prop_assert_eq!(r.tolerance, (k - 1, true)),
            (false, None) => prop_assert_eq!(r.tolerance, (3, false)),
        }
        for (e, g) in r.availability.iter().flat_map(|a| &a.gains) {
            prop_assert!(*g >= 0.0, "gain of {} is {g}\n{src}", e.name(&c.model));
        }
    }

    /// §1: a server no one links to (in no zone), or a zone with no server,
    /// changes no cut, no tolerance and no availability.
    #[test]
    fn an_unlinked_element_changes_nothing(seed in 1u64..1_000_000, zone in any::<bool>()) {
        let (src, topo) = generate_resilient(seed);
        // Without `domain`, an unlinked server is an entry point of its own.
        if !zone && topo.records.is_empty() {
            return Ok(());
        }
        let extra = if zone {
            "zone spare-zone availability=99\n"
        } else {
            "server spare: nginx 10.99.0.1 availability=95\n"
        };
        let (Some(a), Some(b)) = (checked(&src, &topo), checked(&format!("{src}{extra}"), &topo))
        else {
            return Ok(());
        };
        let (ra, rb) = (report(&a), report(&b));
        prop_assert_eq!(cut_names(&a, &ra), cut_names(&b, &rb), "{}{}", src, extra);
        prop_assert_eq!(ra.tolerance, rb.tolerance);
        if let (Some(x), Some(y)) = (&ra.availability, &rb.availability) {
            let (ua, ub) = (x.stack.down, y.stack.down);
            prop_assert!(close(ua, ub, 1e-15), "unavailability {ua:e} became {ub:e}\n{src}{extra}");
        }
    }

    /// §3: the availability of a stack of one server is that server's (times
    /// its zone's), with or without a record in front.
    #[test]
    fn one_server_is_as_available_as_itself(
        p in 1u32..=100_000,
        zone in proptest::option::of(1u32..=100_000),
        record in any::<bool>(),
    ) {
        if !probe().exact {
            eprintln!("resilience_props: the crate's exact availability is not there yet");
            return Ok(());
        }
        // Percentages with three decimals, in (0, 100].
        let pct = |x: u32| format!("{}", x as f64 / 1000.0);
        let mut src = String::new();
        if let Some(z) = zone {
            src += &format!("zone a availability={}\n", pct(z));
        }
        if record {
            src += "domain ex.com { www A -> web-01 }\n";
        }
        src += &format!(
            "server web-01: nginx 10.0.0.1 availability={}{}\n",
            pct(p),
            if zone.is_some() { " zone=a" } else { "" }
        );
        let c = stackc::check(&src);
        let av = report(&c).availability.expect("exact");
        let up = (p as f64 / 1e5) * zone.map_or(1.0, |z| z as f64 / 1e5);
        let down_s = (100_000 - p) as f64 / 1e5;
        let down_z = zone.map_or(0.0, |z| (100_000 - z) as f64 / 1e5);
        // 1 - (1 - s)(1 - z), without cancellation.
        let down = down_s + down_z - down_s * down_z;
        prop_assert!(close(av.stack.down, down, 1e-15), "{} vs {down}\n{src}", av.stack.down);
        prop_assert!(close(av.stack.up, up, 1e-15), "{} vs {up}\n{src}", av.stack.up);
        prop_assert_eq!(av.entries.len(), 1);
        prop_assert!(close(av.entries[0].down, down, 1e-15));
    }
}

fn proper_subsets_of(set: &[Element]) -> Vec<Vec<Element>> {
    let n = set.len();
    (1..(1u32 << n) - 1)
        .map(|mask| {
            (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| set[i])
                .collect()
        })
        .collect()
}
