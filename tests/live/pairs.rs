//! The pairs of the live proof (issue 11, "Proof: Live"; RESILIENCE.md
//! §1): every failure set of size 2 of a stack, found by brute force
//! through `simulate`, and what each is: a cut (it breaks the stack and
//! neither of its elements alone does), a superset of a single cut that
//! still breaks it, one that serves *although* one of its elements alone
//! breaks it (the model is not monotone: losing an active-passive holder
//! hands the vip to a member whose chain works), or one that serves.
//!
//! The live test crashes every cut and a deterministic sample of the
//! others (`sample`), each on a fresh deployment, and compares what the
//! stack does with `simulate` on the servers the pair takes down.

use stackc::analysis::availability::simulate;
use stackc::analysis::resilience::{is_failure_set, servers_down, set_name, Element};
use stackc::Checked;

/// What a failure set of size 2 is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// It breaks the stack, neither element alone does: a cut.
    Cut,
    /// It breaks the stack, but one of its elements alone already does.
    HoldsCut,
    /// It serves, although one of its elements alone breaks the stack.
    Restores,
    /// It serves, and so does each of its elements alone.
    Serves,
}

/// A failure set of two elements.
#[derive(Clone, Debug)]
pub struct Pair {
    /// In declaration order.
    pub elements: [Element; 2],
    /// Each element's name (a zone's as the file names it) and, for a
    /// zone, its servers.
    pub names: [(String, Option<Vec<String>>); 2],
    pub kind: Kind,
    /// `simulate` with the servers it takes down: every entry point serves.
    pub serves: bool,
    /// The elements that break the stack alone (`zone a`, `web-01`).
    pub singles: Vec<String>,
}

impl Pair {
    /// As a `cut-set` subject writes it: `lb-01+web-02`, `a+lb-02`.
    pub fn set_name(&self) -> String {
        format!("{}+{}", self.names[0].0, self.names[1].0)
    }

    /// What the table says of it.
    pub fn kind_text(&self) -> String {
        let others: Vec<String> = self
            .names
            .iter()
            .map(label)
            .filter(|n| !self.singles.contains(n))
            .collect();
        let alone = match self.singles.as_slice() {
            [one] => format!("{one} alone breaks it"),
            _ => format!("{} each break it alone", self.singles.join(" and ")),
        };
        match self.kind {
            Kind::Cut => "a cut".into(),
            Kind::HoldsCut => format!("holds a cut: {alone}"),
            Kind::Restores if others.is_empty() => format!("restores: {alone}"),
            Kind::Restores => format!("restores: {alone}, with {} it serves", others.join(", ")),
            Kind::Serves => "serves, as each alone does".into(),
        }
    }
}

/// An element as the table writes it: `web-01`, `zone a`.
fn label((name, zone): &(String, Option<Vec<String>>)) -> String {
    match zone {
        Some(_) => format!("zone {name}"),
        None => name.clone(),
    }
}

/// The judged entry points (RESILIENCE.md §1, §3): those that serve with
/// nothing down and whose `broken` is not allowed.
fn judged(c: &Checked) -> Vec<usize> {
    let a = c.analysis.as_ref().expect("a sound stack");
    let left_out = stackc::left_out(c);
    let base = simulate(&c.model, &a.circuit, &[]);
    base.entries
        .iter()
        .filter(|(i, ok)| *ok && !left_out.get(*i).copied().unwrap_or(false))
        .map(|(i, _)| *i)
        .collect()
}

/// Every failure set of size 2 of the stack `src`, in the declaration
/// order of its elements (then of the second).
pub fn enumerate(src: &str) -> Vec<Pair> {
    let c = stackc::check(src);
    let m = &c.model;
    let a = c.analysis.as_ref().expect("a sound stack");
    let judged = judged(&c);
    let run = |set: &[Element]| simulate(m, &a.circuit, &servers_down(m, set));
    let breaks = |set: &[Element]| {
        let s = run(set);
        judged.iter().any(|&i| !s.entries[i].1)
    };
    let mut all = Element::all(m);
    all.sort_by_key(|e| e.order(m));
    let named = |e: Element| -> (String, Option<Vec<String>>) {
        let servers = match e {
            Element::Zone(_) => Some(
                servers_down(m, &[e])
                    .into_iter()
                    .map(|s| m.server(s).name.clone())
                    .collect(),
            ),
            Element::Server(_) => None,
        };
        (e.name(m).to_string(), servers)
    };
    let alone: Vec<bool> = all.iter().map(|&e| breaks(&[e])).collect();
    let mut pairs = vec![];
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            let set = [all[i], all[j]];
            if !is_failure_set(m, &set) {
                continue;
            }
            let singles: Vec<String> = [i, j]
                .iter()
                .filter(|&&k| alone[k])
                .map(|&k| label(&named(all[k])))
                .collect();
            let kind = match (breaks(&set), singles.is_empty()) {
                (true, true) => Kind::Cut,
                (true, false) => Kind::HoldsCut,
                (false, false) => Kind::Restores,
                (false, true) => Kind::Serves,
            };
            pairs.push(Pair {
                elements: set,
                names: [named(all[i]), named(all[j])],
                kind,
                serves: run(&set).serves,
                singles,
            });
        }
    }
    pairs
}

/// The cuts of size 2 the crate lists (`Resilience.cuts` of
/// `stackc::resilience(&checked, Some(2))`), as `cut-set` subjects name
/// them (`lb-01+web-02`).
pub fn listed(src: &str) -> Vec<String> {
    let c = stackc::check(src);
    let r = stackc::resilience(&c, Some(2)).expect("a sound stack");
    assert_eq!(r.max_size, 2);
    let cuts = r
        .cuts
        .unwrap_or_else(|e| panic!("cuts up to size 2: {}", e.message));
    cuts.cuts
        .iter()
        .filter(|cut| cut.elements.len() == 2)
        .map(|cut| set_name(&c.model, &cut.elements))
        .collect()
}

/// The pairs that are not cuts the live test crashes: of each other kind,
/// the first and the last in declaration order (so the sample spans the
/// file's tiers, front to back).
pub fn sample(pairs: &[Pair]) -> Vec<&Pair> {
    let mut out: Vec<&Pair> = vec![];
    for kind in [Kind::Restores, Kind::HoldsCut, Kind::Serves] {
        let of: Vec<&Pair> = pairs.iter().filter(|p| p.kind == kind).collect();
        for p in [of.first(), of.last()].into_iter().flatten() {
            if !out.iter().any(|q| q.elements == p.elements) {
                out.push(p);
            }
        }
    }
    out
}

/// What the live test crashes on the as-drawn stack with the `read` link
/// (no root needed): its cuts of size 2 all pair lb-01 with a member of
/// lb-02's chain, and the sample holds the pairs that serve although
/// web-01 or db-01 alone breaks the stack (lb-01 goes with them: lb-02
/// takes the vip, and its chain works).
#[test]
fn the_pairs_of_the_as_drawn_stack() {
    let src = crate::variant_text(
        "scale-up-as-drawn.stack",
        "app-02 -> db-02 : mysql\n",
        "app-02 -> db-02 : mysql read\n",
    );
    let all = enumerate(&src);
    assert_eq!(all.len(), 28, "every pair of its 8 servers");
    let names = |v: Vec<&Pair>| -> Vec<String> { v.iter().map(|p| p.set_name()).collect() };
    let cuts = names(all.iter().filter(|p| p.kind == Kind::Cut).collect());
    assert_eq!(
        cuts,
        ["lb-01+lb-02", "lb-01+web-02", "lb-01+app-02", "lb-01+db-02"]
    );
    assert_eq!(listed(&src), cuts, "the crate's cuts of size 2");
    assert_eq!(
        names(sample(&all)),
        [
            "lb-01+web-01",
            "lb-01+db-01",
            "lb-02+web-01",
            "db-01+db-02",
            "lb-02+web-02",
            "app-02+db-02"
        ]
    );
    for p in &all {
        assert_eq!(p.serves, matches!(p.kind, Kind::Restores | Kind::Serves));
    }
    let said: Vec<String> = sample(&all).iter().map(|p| p.kind_text()).collect();
    assert_eq!(
        said,
        [
            "restores: web-01 alone breaks it, with lb-01 it serves",
            "restores: db-01 alone breaks it, with lb-01 it serves",
            "holds a cut: web-01 alone breaks it",
            "holds a cut: db-01 alone breaks it",
            "serves, as each alone does",
            "serves, as each alone does"
        ]
    );
}

/// With zones (`samples/scale-up.stack`): no pair holds a server and its
/// own zone, and the thirteen cuts of size 2 are each tier's two servers,
/// the two zones, and a zone with a server of the other.
#[test]
fn the_pairs_of_scale_up() {
    let src =
        std::fs::read_to_string(crate::common::root().join("samples/scale-up.stack")).unwrap();
    let all = enumerate(&src);
    // 8 servers (28 pairs), both zones (1), a zone with one of the 4
    // servers of the other (8).
    assert_eq!(all.len(), 37);
    let cuts: Vec<String> = all
        .iter()
        .filter(|p| p.kind == Kind::Cut)
        .map(Pair::set_name)
        .collect();
    assert_eq!(
        cuts,
        [
            "a+b",
            "a+lb-02",
            "a+web-02",
            "a+app-02",
            "a+db-02",
            "b+lb-01",
            "b+web-01",
            "b+app-01",
            "b+db-01",
            "lb-01+lb-02",
            "web-01+web-02",
            "app-01+app-02",
            "db-01+db-02"
        ]
    );
    assert_eq!(listed(&src), cuts, "the crate's cuts of size 2");
    assert!(all
        .iter()
        .all(|p| p.kind != Kind::Restores && p.kind != Kind::HoldsCut));
}
