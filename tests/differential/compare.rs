//! The crate's resilience answers next to the brute force's: cuts and
//! tolerance, exact availability and gains, the load flow per scenario and
//! the headroom, and the `cut-set`, `overload` and `slo` findings.
use super::*;
use stackc::analysis::resilience::{self as res, Element};

/// The cut size the comparison searches to.
pub(crate) const MAX_CUT: usize = 3;

/// The parts of the crate the comparison reads. Every one must be there:
/// [`probe`] fails the test when one is not (no part is ever skipped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts {
    pub(crate) cuts: bool,
    pub(crate) exact: bool,
    pub(crate) flow: bool,
    pub(crate) headroom: bool,
    pub(crate) rules: [bool; 3],
}

pub(crate) const RULES: [&str; 3] = ["cut-set", "overload", "slo"];

impl Parts {
    pub(crate) fn all(&self) -> bool {
        self.cuts && self.exact && self.headroom
    }
}

/// Runs each part once on a tiny stack; a `todo!()` marks it missing.
pub(crate) fn probe() -> Parts {
    let src = "zone a\nserver web-01: nginx 10.0.0.1 zone=a\n";
    let c = stackc::check(src);
    let m = &c.model;
    let a = c.analysis.as_ref().expect("the probe stack is analysed");
    let left = stackc::left_out(&c);
    let ok = |f: &dyn Fn()| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(()) => true,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            assert!(
                msg.contains("not yet implemented"),
                "the crate panics on a one-server stack: {msg}"
            );
            false
        }
    };
    let known = |r: &str| stackc::diag::RuleId::ALL.iter().any(|x| x.as_str() == r);
    let parts = Parts {
        cuts: ok(&|| drop(res::cuts::find(m, &a.circuit, &left, 1))),
        exact: ok(&|| drop(res::exact::compute(m, &a.circuit, &left))),
        flow: ok(&|| drop(res::load::flow(m, &a.circuit, &[]))),
        headroom: ok(&|| drop(res::load::headroom(m, &a.circuit, 1, &left))),
        rules: RULES.map(known),
    };
    assert!(
        parts.all() && parts.flow && parts.rules.iter().all(|r| *r),
        "a part of the crate the comparison reads is missing: {parts:?}"
    );
    parts
}

/// Relative 1e-9, or `abs` absolute.
pub(crate) fn close(a: f64, b: f64, abs: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= abs
}

/// Every disagreement between the crate and the brute force on one case,
/// each a paragraph naming the part, the scenario and both answers.
pub(crate) fn compare(topo: &Topo, c: &stackc::Checked, parts: Parts) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let m = &c.model;
    let a = c.analysis.as_ref().expect("analysed");
    let left = stackc::left_out(c);
    let j = Judge::new(topo);
    let entry_names: Vec<String> = a
        .circuit
        .entries
        .iter()
        .map(|e| e.subject.clone())
        .collect();
    let elem_of: HashMap<String, Element> = Element::all(m)
        .into_iter()
        .map(|e| (e.name(m).to_string(), e))
        .collect();
    let names = |set: &[Element]| -> Vec<String> {
        let mut v = set.to_vec();
        v.sort_by_key(|e| e.order(m));
        v.iter().map(|e| e.name(m).to_string()).collect()
    };
    let to_elems = |set: &[Elem]| -> Vec<Element> {
        set.iter().map(|&e| elem_of[topo.elem_name(e)]).collect()
    };
    let tolerate = topo.tolerate.unwrap_or(1);
    // Once every part is there, the answers are `stackc::resilience`'s
    // (the one library entry); before, each part's own.
    let report = parts.all().then(|| stackc::resilience(c, Some(MAX_CUT)));
    let report = match report {
        Some(None) => {
            out.push(("resilience".into(), "stackc::resilience gave None".into()));
            return out;
        }
        Some(Some(r)) => Some(r),
        None => None,
    };

    // §1: cuts and tolerance.
    let want_cuts = cuts(&j, MAX_CUT);
    let want_tol = tolerance(&j, &want_cuts, MAX_CUT);
    if parts.cuts {
        let found = match &report {
            Some(r) => r.cuts.clone(),
            None => res::cuts::find(m, &a.circuit, &left, MAX_CUT),
        };
        match found {
            Err(e) => out.push(("cuts".into(), format!("refused: {}", e.message))),
            Ok(got) => {
                let got_cuts: Vec<BruteCut> = got
                    .cuts
                    .iter()
                    .map(|cut| {
                        let mut dark: Vec<String> =
                            cut.dark.iter().map(|&i| entry_names[i].clone()).collect();
                        dark.sort();
                        (names(&cut.elements), dark)
                    })
                    .collect();
                if got_cuts != want_cuts {
                    out.push((
                        "cuts".into(),
                        format!(
                            "cuts up to {MAX_CUT}:\n  brute force {want_cuts:?}\n  crate       {got_cuts:?}"
                        ),
                    ));
                }
                let got_tol = res::tolerance(m, a, &left, Some(&got), MAX_CUT);
                if got_tol != want_tol {
                    out.push((
                        "tolerance".into(),
                        format!(
                            "tolerance (value, exact): brute force {want_tol:?}, crate {got_tol:?}"
                        ),
                    ));
                }
            }
        }
    }

    // §3: exact availability and gains.
    let want_av = availability(&j);
    let abs = 1e-15;
    if parts.exact {
        let found = match &report {
            Some(r) => r.availability.clone(),
            None => res::exact::compute(m, &a.circuit, &left),
        };
        match found {
            Err(e) => out.push(("availability".into(), format!("refused: {}", e.message))),
            Ok(got) => {
                for (i, f) in got.entries.iter().enumerate() {
                    let name = &entry_names[i];
                    let want = want_av.entries.iter().find(|(s, _)| s == name);
                    match want {
                        Some(&(_, u)) if close(u, f.down, abs) && close(1.0 - u, f.up, 1e-12) => {}
                        _ => out.push((
                            "availability".into(),
                            format!(
                                "unavailability of {name}: brute force {want:?}, crate {} (up {})",
                                f.down, f.up
                            ),
                        )),
                    }
                }
                let u = want_av.stack;
                if !close(u, got.stack.down, abs) || !close(1.0 - u, got.stack.up, 1e-12) {
                    out.push((
                        "availability".into(),
                        format!(
                            "unavailability of the stack: brute force {u:e}, crate {:e} (up {})",
                            got.stack.down, got.stack.up
                        ),
                    ));
                }
                let gtol = 1e-9 * u + 1e-15;
                let mut listed: Vec<String> = Vec::new();
                for (k, &(e, g)) in got.gains.iter().enumerate() {
                    let name = e.name(m).to_string();
                    let want = want_av.gains.iter().find(|(n, _)| *n == name).map(|x| x.1);
                    if !want.is_some_and(|w| (w - g).abs() <= gtol) || g <= 0.0 {
                        out.push((
                            "gains".into(),
                            format!("gain of {name}: brute force {want:?}, crate {g:e}"),
                        ));
                    }
                    if let Some(&(e2, g2)) = got.gains.get(k + 1) {
                        let ordered = g > g2 + gtol
                            || ((g - g2).abs() <= gtol && (g != g2 || e.order(m) < e2.order(m)));
                        if !ordered {
                            out.push((
                                "gains".into(),
                                format!(
                                    "gains out of order: {name} {g:e} before {} {g2:e}",
                                    e2.name(m)
                                ),
                            ));
                        }
                    }
                    listed.push(name);
                }
                for (name, w) in &want_av.gains {
                    if *w > gtol && !listed.contains(name) {
                        out.push((
                            "gains".into(),
                            format!(
                                "gain of {name}: brute force {w:e}, the crate does not list it"
                            ),
                        ));
                    }
                }
            }
        }
    }

    // §4: the load flow with nothing down, each element and each pair down.
    if parts.flow {
        let server_of: Vec<usize> = m
            .servers
            .iter()
            .map(|s| {
                topo.servers
                    .iter()
                    .position(|t| t.name == s.name)
                    .expect("the same servers")
            })
            .collect();
        let mut scenarios: Vec<Vec<Elem>> = vec![Vec::new()];
        scenarios.extend(j.failure_sets(2));
        for set in &scenarios {
            let want = flow(topo, topo.down_with(set));
            let got = res::load::flow(m, &a.circuit, &to_elems(set));
            let bad: Vec<String> = server_of
                .iter()
                .enumerate()
                .filter(|&(i, &t)| !close(got[i], want[t], 1e-9))
                .map(|(i, &t)| {
                    format!(
                        "{}: brute force {}, crate {}",
                        topo.servers[t].name, want[t], got[i]
                    )
                })
                .collect();
            if !bad.is_empty() {
                out.push((
                    "flow".into(),
                    format!(
                        "load flow with {:?} down: {}",
                        names(&to_elems(set)),
                        bad.join("; ")
                    ),
                ));
                break;
            }
        }
    }

    // §4: headroom at the file's tolerate.
    let want_head = headroom(&j, tolerate);
    if parts.headroom {
        let found = match &report {
            Some(r) => r.capacity.clone(),
            None => res::load::headroom(m, &a.circuit, tolerate, &left),
        };
        match found {
            Err(e) => out.push(("headroom".into(), format!("refused: {}", e.message))),
            Ok(got) => {
                let got_names: Vec<&str> = got
                    .iter()
                    .map(|h| m.server(h.server).name.as_str())
                    .collect();
                let want_names: Vec<&str> = want_head
                    .iter()
                    .map(|h| topo.servers[h.server].name.as_str())
                    .collect();
                if got_names != want_names {
                    out.push((
                        "headroom".into(),
                        format!("servers with capacity: brute force {want_names:?}, crate {got_names:?}"),
                    ));
                }
                for (h, w) in got.iter().zip(&want_head) {
                    let name = &topo.servers[w.server].name;
                    let failed: Vec<String> = names(&h.failed);
                    let set: Vec<Elem> = failed
                        .iter()
                        .map(|n| {
                            *topo
                                .elements()
                                .iter()
                                .find(|&&e| topo.elem_name(e) == n)
                                .expect("an element")
                        })
                        .collect();
                    let valid = set.len() <= tolerate
                        && topo.is_failure_set(&set)
                        && (set.is_empty() || !j.breaks(&set));
                    let at = load_with(topo, &set, w.server);
                    if !close(h.capacity, w.capacity, 0.0)
                        || !close(h.baseline, w.baseline, 1e-9)
                        || !close(h.worst, w.worst, 1e-9)
                        || !valid
                        || !close(at, w.worst, 1e-9)
                    {
                        out.push((
                            "headroom".into(),
                            format!(
                                "headroom of {name} at tolerate={tolerate}: brute force capacity {} \
                                 baseline {} worst {} with {:?} down; crate capacity {} baseline {} \
                                 worst {} with {failed:?} down (the brute force gives {at} there{})",
                                w.capacity,
                                w.baseline,
                                w.worst,
                                w.failed.iter().map(|&e| topo.elem_name(e)).collect::<Vec<_>>(),
                                h.capacity,
                                h.baseline,
                                h.worst,
                                if valid { "" } else { "; not a tolerated, non-breaking set" }
                            ),
                        ));
                    }
                }
            }
        }
    }

    // The findings: `cut-set` for cuts of size 2..=tolerate, `overload`,
    // `slo`, allowed or not.
    let found = |rule: &str| -> Vec<String> {
        let mut v: Vec<String> = c
            .findings
            .iter()
            .chain(c.suppressed.iter().map(|s| &s.finding))
            .filter(|f| f.rule.as_str() == rule)
            .map(|f| f.subject_name().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    };
    let mut check = |rule: &str, mut want: Vec<String>, skip: &[String]| {
        want.sort();
        let got: Vec<String> = found(rule)
            .into_iter()
            .filter(|s| !skip.contains(s))
            .collect();
        want.retain(|s| !skip.contains(s));
        if got != want {
            out.push((
                rule.to_string(),
                format!("`{rule}` subjects: brute force {want:?}, crate {got:?}"),
            ));
        }
    };
    if parts.rules[0] {
        let want = want_cuts
            .iter()
            .filter(|(e, _)| (2..=tolerate).contains(&e.len()))
            .map(|(e, _)| e.join("+"))
            .collect();
        check("cut-set", want, &[]);
    }
    if parts.rules[1] {
        // A load equal to the capacity is no overload; too close to call
        // in floating point, the server is left out of the comparison.
        let borderline: Vec<String> = want_head
            .iter()
            .filter(|h| (h.worst - h.capacity).abs() <= 1e-9 * h.capacity)
            .map(|h| topo.servers[h.server].name.clone())
            .collect();
        let want = want_head
            .iter()
            .filter(|h| h.worst > h.capacity)
            .map(|h| topo.servers[h.server].name.clone())
            .collect();
        check("overload", want, &borderline);
    }
    if parts.rules[2] {
        let mut want = Vec::new();
        let mut skip = Vec::new();
        if let Some(p) = topo.slo {
            let name = topo.name.clone().unwrap_or_else(|| "stack".into());
            let target = p / 100.0;
            let a = 1.0 - want_av.stack;
            if (a - target).abs() <= 1e-9 {
                skip.push(name);
            } else if a < target {
                want.push(name);
            }
        }
        check("slo", want, &skip);
    }

    // The report's own figures.
    if let Some(r) = &report {
        let got = (r.tolerance, r.tolerance_exact);
        if got != want_tol || r.max_size != MAX_CUT || r.tolerate != tolerate {
            out.push((
                "resilience".into(),
                format!(
                    "stackc::resilience: tolerance {got:?} (brute force {want_tol:?}), \
                     max_size {}, tolerate {} (file {tolerate})",
                    r.max_size, r.tolerate
                ),
            ));
        }
    }
    out
}

/// The crate's model of a generated file, in the terms of the test's own
/// topology (so that the generator's text is read as it meant it): per
/// server its zone, availability, capacity and replica mark; per group
/// its mode and quorum; per zone its availability; the policies; the
/// records' loads.
pub(crate) fn model_summary_of_crate(src: &str) -> Result<String, String> {
    let parsed = stackc::syntax::parse(src);
    let (m, statics) = stackc::model::resolve(&parsed.file);
    let stops: Vec<String> = parsed
        .errors
        .iter()
        .chain(&statics)
        .filter(|f| f.rule.is_stopping())
        .map(|f| format!("{} {:?}: {}", f.rule.as_str(), f.subject_name(), f.message))
        .collect();
    if !stops.is_empty() {
        return Err(stops.join("\n"));
    }
    let mut out = String::new();
    for s in &m.servers {
        out += &format!(
            "{} {:?} {:?} {:?} {}\n",
            s.name,
            s.zone.map(|z| m.zones[z.index()].name.clone()),
            s.availability,
            s.capacity,
            s.is_replica()
        );
    }
    for g in &m.groups {
        let q = (g.mode == stackc::model::Mode::Quorum).then(|| g.quorum_size());
        out += &format!("{} {:?}\n", g.name, q);
    }
    for z in &m.zones {
        out += &format!("{} {:?}\n", z.name, z.availability);
    }
    let mut loads: Vec<String> = m
        .records
        .iter()
        .map(|r| format!("{} {}", r.subject, r.load.unwrap_or(0.0)))
        .collect();
    loads.sort();
    out += &format!("{:?} {:?} {loads:?}\n", m.tolerate.map(usize::from), m.slo);
    Ok(out)
}

/// The same summary of the test's own topology.
pub(crate) fn model_summary_of_topo(t: &Topo) -> String {
    let mut out = String::new();
    for s in &t.servers {
        out += &format!(
            "{} {:?} {:?} {:?} {}\n",
            s.name,
            s.zone.map(|z| t.zones[z].clone()),
            s.availability,
            s.capacity,
            s.replica
        );
    }
    for g in &t.groups {
        let q = match g.mode {
            Mode::Quorum { k } => Some(k as u32),
            _ => None,
        };
        out += &format!("{} {:?}\n", g.name, q);
    }
    for (z, a) in t.zones.iter().zip(&t.zone_availability) {
        out += &format!("{z} {a:?}\n");
    }
    let mut loads: Vec<String> = t
        .records
        .iter()
        .map(|r| format!("{} {}", r.subject, r.load))
        .collect();
    loads.sort();
    out += &format!("{:?} {:?} {loads:?}\n", t.tolerate, t.slo);
    out
}
