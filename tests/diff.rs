//! `stackc diff`'s library against `check` and `resilience` themselves:
//! for random stacks (the differential generator's layered ones, with and
//! without RESILIENCE.md's attributes, and the small stacks of every shape,
//! sound or not) and a random edit (drop a server, member, link or record
//! line, change a mode, drop a failover, add a firewall), the findings added
//! and removed are exactly the set differences of `check`'s findings by
//! (rule, subject), the cuts exactly those of `resilience` on both sides
//! searched to the same size, the servers added and removed exactly the
//! names; swapping the sides swaps added and removed; identical sides
//! report nothing. The samples are paired with edited copies.

use proptest::prelude::*;
use stackc::diag::{RuleId, Subject};
use stackc::diff::{self, How, Kind as Element, Side};
use std::collections::{BTreeMap, HashMap, HashSet};

#[allow(dead_code)]
#[path = "differential/generate.rs"]
mod generate;
#[allow(dead_code)]
#[path = "differential/generate_res.rs"]
mod generate_res;
#[allow(dead_code)]
#[path = "differential/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "differential/resilience.rs"]
mod resilience;
#[path = "support/small_stacks.rs"]
mod small_stacks;

#[allow(unused_imports)]
use generate::*;
#[allow(unused_imports)]
use generate_res::*;
#[allow(unused_imports)]
use model::*;
#[allow(unused_imports)]
use resilience::*;

type Key = (RuleId, Option<Subject>);

fn keys(c: &stackc::Checked) -> HashSet<Key> {
    c.findings
        .iter()
        .map(|f| (f.rule, f.subject.clone()))
        .collect()
}

fn cut_keys(c: &stackc::Checked, k: usize) -> Option<HashSet<Vec<String>>> {
    let r = stackc::resilience(c, Some(k))?;
    let cuts = r.cuts.ok()?;
    Some(
        cuts.cuts
            .iter()
            .map(|cut| {
                let mut v: Vec<String> = cut
                    .elements
                    .iter()
                    .map(|e| match e {
                        stackc::analysis::resilience::Element::Zone(_) => {
                            format!("zone {}", e.name(&c.model))
                        }
                        _ => e.name(&c.model).to_string(),
                    })
                    .collect();
                v.sort();
                v
            })
            .collect(),
    )
}

/// A cut of the diff as [`cut_keys`] names it (a zone is `zone a`: a
/// server and a zone may share a name).
fn named(c: &diff::CutSet) -> Vec<String> {
    let mut v: Vec<String> = c
        .elements
        .iter()
        .map(|e| {
            if e.zone {
                format!("zone {}", e.name)
            } else {
                e.name.clone()
            }
        })
        .collect();
    v.sort();
    v
}

/// An edit of a stack's text, chosen by `pick` among its lines.
fn mutate(src: &str, kind: u8, pick: usize) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i].trim_start();
            match kind {
                0 => l.starts_with("server "),
                1 => l.contains(" -> "),
                2 => l.contains("mode=") || l.contains("failover=auto"),
                _ => l.starts_with("server ") || l.starts_with("group "),
            }
        })
        .collect();
    if candidates.is_empty() {
        return format!("{src}\nserver extra: nginx 10.9.9.9\n");
    }
    let at = candidates[pick % candidates.len()];
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match kind {
        0 | 1 => {
            out.remove(at);
        }
        2 => {
            out[at] = out[at]
                .replace(" mode=active-passive", "")
                .replace(" mode=quorum", "")
                .replace(" failover=auto", "");
        }
        _ => match out[at].find('{') {
            Some(b) => out[at].insert_str(b, "firewall "),
            None => out[at].push_str(" firewall"),
        },
    }
    out.join("\n") + "\n"
}

/// Every property of one (old, new) pair.
fn check_pair(old: &str, new: &str) {
    let side = |source| Side {
        name: "case.stack",
        source,
    };
    let (o, n, d) = diff::diff_sides(side(old), side(new));
    // Findings: exactly the set differences by (rule, subject).
    let (ko, kn) = (keys(&o), keys(&n));
    let added: HashSet<Key> = d
        .added
        .iter()
        .map(|f| (f.rule, f.subject.clone()))
        .collect();
    let removed: HashSet<Key> = d
        .removed
        .iter()
        .map(|f| (f.rule, f.subject.clone()))
        .collect();
    assert_eq!(added, &kn - &ko, "added\n--- old\n{old}\n--- new\n{new}");
    assert_eq!(
        removed,
        &ko - &kn,
        "removed\n--- old\n{old}\n--- new\n{new}"
    );
    assert!(d.added.iter().all(|f| n.findings.contains(f)));
    assert!(d.removed.iter().all(|f| o.findings.contains(f)));
    assert_eq!(
        d.adds_error(),
        d.added
            .iter()
            .any(|f| f.severity() == stackc::diag::Severity::Error)
    );
    // Cuts: the set differences of resilience's, both sides to one size.
    let k = d.max_size;
    match (cut_keys(&o, k), cut_keys(&n, k), &d.cuts) {
        (Some(co), Some(cn), Some((a, r))) => {
            let a: HashSet<Vec<String>> = a.iter().map(named).collect();
            let r: HashSet<Vec<String>> = r.iter().map(named).collect();
            assert_eq!(a, &cn - &co, "cuts added\n{old}\n---\n{new}");
            assert_eq!(r, &co - &cn, "cuts removed\n{old}\n---\n{new}");
        }
        (_, _, None) => {}
        (co, cn, Some(_)) => panic!("cuts compared without both sides: {co:?} {cn:?}"),
    }
    // Servers added and removed: exactly the names.
    let names = |c: &stackc::Checked| -> HashSet<String> {
        c.model.servers.iter().map(|s| s.name.clone()).collect()
    };
    let of = |how: How| -> HashSet<String> {
        d.changes
            .iter()
            .filter(|c| c.kind == Element::Server && c.how == how)
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(of(How::Added), &names(&n) - &names(&o));
    assert_eq!(of(How::Removed), &names(&o) - &names(&n));
    // Swapped sides swap added and removed.
    let (_, _, back) = diff::diff_sides(side(new), side(old));
    let back_added: HashSet<Key> = back
        .added
        .iter()
        .map(|f| (f.rule, f.subject.clone()))
        .collect();
    assert_eq!(back_added, removed);
    assert_eq!(back.changes.len(), d.changes.len());
    // The same side twice: nothing.
    let (_, _, same) = diff::diff_sides(side(new), side(new));
    assert!(same.is_empty(), "{same:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn layered_stacks_and_an_edit(seed in 0u64..1_000_000, res in any::<bool>(), kind in 0u8..4, pick in 0usize..64) {
        let design = if res { generate::Design::Redundant } else { generate::Design::Plain };
        let (old, _) = generate::generate_with(seed, res, design);
        check_pair(&old, &mutate(&old, kind, pick));
    }

    #[test]
    fn small_stacks_of_every_shape_and_an_edit(seed in 0u64..1_000_000, kind in 0u8..4, pick in 0usize..64) {
        let old = small_stacks::small_stack(seed);
        check_pair(&old, &mutate(&old, kind, pick));
    }
}

#[test]
fn two_unrelated_stacks() {
    for seed in 0..20 {
        check_pair(
            &small_stacks::small_stack(seed),
            &generate::generate(seed).0,
        );
    }
}

#[test]
fn the_samples_paired_with_edited_copies() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pairs = 0;
    for entry in std::fs::read_dir(root.join("samples")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "stack") {
            continue;
        }
        let src = std::fs::read_to_string(&p).unwrap();
        check_pair(&src, &src);
        for kind in 0..4 {
            for pick in 0..8 {
                check_pair(&src, &mutate(&src, kind, pick));
                pairs += 1;
            }
        }
    }
    assert!(pairs >= 6 * 32, "{pairs} pairs");
}

/// The case: scale-up without lb-02.
#[test]
fn scale_up_without_lb_02() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let old = std::fs::read_to_string(root.join("samples/scale-up.stack")).unwrap();
    let new = std::fs::read_to_string(root.join("book/examples/scale-up-after.stack")).unwrap();
    check_pair(&old, &new);
    let side = |source| Side {
        name: "scale-up.stack",
        source,
    };
    let (_, _, d) = diff::diff_sides(side(&old), side(&new));
    let added: BTreeMap<&str, Vec<&str>> = d.added.iter().fold(BTreeMap::new(), |mut m, f| {
        m.entry(f.rule.as_str())
            .or_default()
            .push(f.subject_name().unwrap_or(""));
        m
    });
    assert_eq!(added.get("spof"), Some(&vec!["lb-01"]));
    assert!(d.adds_error());
    assert_eq!(
        d.old.tolerance.map(|t| t.value),
        Some(1),
        "scale-up tolerates one failure"
    );
    assert_eq!(d.new.tolerance.map(|t| t.value), Some(0));
    let changes: HashMap<(Element, &str), How> = d
        .changes
        .iter()
        .map(|c| ((c.kind, c.name.as_str()), c.how))
        .collect();
    assert_eq!(
        changes.get(&(Element::Server, "lb-02")),
        Some(&How::Removed)
    );
    assert_eq!(changes.get(&(Element::Group, "lb")), Some(&How::Changed));
    assert_eq!(
        stackc::report::diff::verdict(&d)[0],
        "adds 2 single points of failure: zone a, lb-01"
    );
}
