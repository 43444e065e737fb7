//! Differential test of the availability model (LANGUAGE.md §5 and §7).
//!
//! This file holds an independent, deliberately naive reading of the spec: a
//! brute-force evaluator that, for every scenario (nothing down, each server
//! down, each zone down), recomputes from scratch which servers work and
//! which records are available. It never looks at the crate's model or
//! analysis; it works on its own representation of a topology, which comes
//! either from the random generator below (that knows what it wrote) or from
//! a tiny parser of the subset of the language the tests use.
//!
//! The random test writes layered stacks (records -> haproxy -> nginx -> app
//! -> a replicated tier: mysql, postgres or redis in turn, with or without
//! `failover=auto`, `read` links and writes to replicas; `optional` links in
//! half the cases), asks `stackc::check` for its findings and compares the
//! `broken`, `spof`, `zone-spof` (and `replica-write`) subjects with the
//! brute force. Environment knobs for exploring: `STACKC_DIFF_CASES` (number
//! of cases, default 1000) and `STACKC_DIFF_SEED` (first seed).
//!
//! The resilience test (RESILIENCE.md) draws smaller stacks from the same
//! generator with availability on zones, groups and servers, quorum groups
//! (mysql ones too), capacity, load, `tolerate=` and `slo=`, and compares
//! the crate with `differential/resilience.rs`: cuts up to size 3 from every
//! failure set, the exact availability from every up/down state, the load
//! flow per scenario and the headroom (`differential/compare.rs`); cases
//! worked by hand check that brute force itself (`differential/hand.rs`).
//! `STACKC_DIFF_RES_CASES` (default 300) sets its number of cases.

use std::collections::{BTreeMap, HashMap};

#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/generate.rs"]
mod generate;
#[path = "differential/generate_res.rs"]
mod generate_res;
#[path = "differential/hand.rs"]
mod hand;
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

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn brute_force_matches_the_crate_on_random_layered_stacks() {
    let cases = env_u64("STACKC_DIFF_CASES", 1000);
    let first = env_u64("STACKC_DIFF_SEED", 1);
    let mut used = 0u64;
    let mut skipped: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    // (which rules differ, report); all collected, the shortest shown.
    let mut mismatches: Vec<(String, String)> = Vec::new();
    for seed in first..first + cases {
        let (src, topo) = generate(seed);
        let want = expected(&topo);
        // The generator's bookkeeping must agree with its own text.
        assert_eq!(
            want,
            expected(&parse_stack(&src)),
            "seed {seed}: generator and mini parser disagree on\n{src}"
        );
        let c = stackc::check(&src);
        let others: Vec<String> = c
            .findings
            .iter()
            .filter(|f| !ALLOWED.contains(&f.rule.as_str()))
            .map(|f| format!("{} {:?}", f.rule.as_str(), f.subject))
            .collect();
        if !others.is_empty() {
            let e = skipped
                .entry(others.join(", "))
                .or_insert((0, format!("seed {seed}:\n{src}")));
            e.0 += 1;
            continue;
        }
        used += 1;
        assert!(c.analysis.is_some(), "seed {seed}: no analysis for\n{src}");
        let got = crate_findings(&c);
        if got != want {
            let rules: Vec<&str> = COMPARED
                .iter()
                .copied()
                .filter(|r| {
                    let of = |v: &Findings| -> Findings {
                        v.iter().filter(|(x, _)| x == r).cloned().collect()
                    };
                    of(&got) != of(&want)
                })
                .collect();
            mismatches.push((
                rules.join("+"),
                format!(
                    "seed {seed}: the crate and the brute force disagree on {rules:?}\n\
                     --- source ---\n{src}--- brute force ---\n{want:?}\n--- crate ---\n{got:?}\n"
                ),
            ));
            continue;
        }
        for (rule, _) in &want {
            *seen
                .entry(COMPARED.iter().find(|r| *r == rule).unwrap())
                .or_default() += 1;
        }
        if want.iter().all(|(r, _)| r == "replica-write") {
            *seen.entry("clean").or_default() += 1;
        }
    }
    eprintln!("differential: {used}/{cases} cases used; findings seen: {seen:?}");
    for (why, (n, example)) in &skipped {
        eprintln!("skipped {n}x for {why}; first:\n{example}");
    }
    if !mismatches.is_empty() {
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        for (k, _) in &mismatches {
            *kinds.entry(k).or_default() += 1;
        }
        // The shortest failing source of each kind is the easiest to read.
        let mut shown: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, report) in &mismatches {
            let e = shown.entry(k).or_insert(report);
            if report.len() < e.len() {
                *e = report;
            }
        }
        let shown: Vec<&str> = shown.into_values().collect();
        panic!(
            "{} of {used} cases disagree (by rule: {kinds:?}); shortest of each kind:\n\n{}",
            mismatches.len(),
            shown.join("\n")
        );
    }
    assert!(
        used * 100 >= cases * 80,
        "only {used} of {cases} generated files were usable: {skipped:#?}"
    );
    // The generator must exercise every outcome, not only clean stacks.
    for rule in COMPARED.iter().copied().chain(["clean"]) {
        assert!(
            seen.get(rule).copied().unwrap_or(0) >= 5,
            "the generator rarely produces {rule}: {seen:?}"
        );
    }
}

/// What the brute force says of one topology, for checking the generator
/// against its own text: cuts, tolerance, availability, headroom.
fn brute_summary(topo: &Topo) -> String {
    let j = Judge::new(topo);
    let c = cuts(&j, MAX_CUT);
    let t = tolerance(&j, &c, MAX_CUT);
    let mut a = availability(&j);
    a.entries.sort_by(|x, y| x.0.cmp(&y.0));
    // Loads to 1e-6: the order of the link lines changes the last bits.
    let h: Vec<String> = headroom(&j, topo.tolerate.unwrap_or(1))
        .iter()
        .map(|h| {
            format!(
                "{} {} {:.6} {:.6}",
                h.server, h.capacity, h.baseline, h.worst
            )
        })
        .collect();
    let u: Vec<String> = a
        .entries
        .iter()
        .map(|(s, u)| format!("{s} {u:.12e}"))
        .collect();
    format!("{c:?}\n{t:?}\n{u:?} {:.12e}\n{h:?}", a.stack)
}

/// The crate reads every generated attribute as the generator meant it
/// (parsing and resolution only: no analysis).
#[test]
fn the_crate_models_the_generated_attributes_as_written() {
    for seed in 1..=env_u64("STACKC_DIFF_RES_CASES", 300) {
        let (src, topo) = generate_resilient(seed);
        match model_summary_of_crate(&src) {
            Err(e) => panic!("seed {seed}: a stopping error\n{e}\n{src}"),
            Ok(got) => assert_eq!(got, model_summary_of_topo(&topo), "seed {seed}\n{src}"),
        }
    }
}

/// RESILIENCE.md against the brute force: random stacks with zones,
/// availability, quorum groups, capacity, load and `tolerate`/`slo`.
/// Knobs: `STACKC_DIFF_RES_CASES` (default 300), `STACKC_DIFF_SEED`.
#[test]
fn brute_force_matches_the_crate_on_resilience() {
    let cases = env_u64("STACKC_DIFF_RES_CASES", 300);
    let first = env_u64("STACKC_DIFF_SEED", 1);
    let parts = probe();
    eprintln!("resilience differential: crate parts present: {parts:?}");
    let mut used = 0u64;
    let mut skipped: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    let mut mismatches: Vec<(String, String)> = Vec::new();
    let allowed: Vec<&str> = ALLOWED.iter().copied().chain(RULES).collect();
    let mut waiting = 0u64;
    for seed in first..first + cases {
        let (src, topo) = generate_resilient(seed);
        let parsed = parse_stack(&src);
        assert_eq!(
            (expected(&topo), brute_summary(&topo)),
            (expected(&parsed), brute_summary(&parsed)),
            "seed {seed}: generator and mini parser disagree on\n{src}"
        );
        // `check` runs the exact availability with `slo=` and the headroom
        // with capacities: until those parts land, such cases wait.
        let capacity = topo.servers.iter().any(|s| s.capacity.is_some());
        if (topo.slo.is_some() && !parts.exact) || (capacity && !parts.headroom) {
            waiting += 1;
            continue;
        }
        let c = stackc::check(&src);
        let others: Vec<String> = c
            .findings
            .iter()
            .filter(|f| !allowed.contains(&f.rule.as_str()))
            .map(|f| format!("{} {:?}", f.rule.as_str(), f.subject))
            .collect();
        if !others.is_empty() || c.analysis.is_none() {
            let e = skipped
                .entry(others.join(", "))
                .or_insert((0, format!("seed {seed}:\n{src}")));
            e.0 += 1;
            continue;
        }
        used += 1;
        let mut diffs = compare(&topo, &c, parts);
        let want = expected(&topo);
        let got = crate_findings(&c);
        if got != want {
            diffs.push((
                "findings".into(),
                format!("§5 findings: brute force {want:?}, crate {got:?}"),
            ));
        }
        if !diffs.is_empty() {
            let mut kinds: Vec<&str> = diffs.iter().map(|(k, _)| k.as_str()).collect();
            kinds.dedup();
            let text: Vec<&str> = diffs.iter().map(|(_, t)| t.as_str()).collect();
            mismatches.push((
                kinds.join("+"),
                format!(
                    "seed {seed}: the crate and the brute force disagree\n--- source ---\n{src}--- \
                     differences ---\n{}\n",
                    text.join("\n")
                ),
            ));
            continue;
        }
        // What the cases exercised.
        let j = Judge::new(&topo);
        let cs = cuts(&j, MAX_CUT);
        for (e, _) in &cs {
            *seen
                .entry(["cut-1", "cut-2", "cut-3"][e.len() - 1])
                .or_default() += 1;
        }
        let tol = match tolerance(&j, &cs, MAX_CUT) {
            (_, false) => "tolerance-inexact",
            (0, _) => "tolerance-0",
            (1, _) => "tolerance-1",
            _ => "tolerance-2",
        };
        *seen.entry(tol).or_default() += 1;
        for g in &topo.groups {
            if matches!(g.mode, Mode::Quorum { .. }) {
                let k = if g.default_mysql { "galera" } else { "quorum" };
                *seen.entry(k).or_default() += 1;
            }
        }
        let h = headroom(&j, topo.tolerate.unwrap_or(1));
        if h.iter().any(|h| h.worst > h.capacity) {
            *seen.entry("overload").or_default() += 1;
        }
        if h.iter().any(|h| !h.failed.is_empty()) {
            *seen.entry("worse-after-failure").or_default() += 1;
        }
        if topo.slo.is_some() {
            *seen.entry("slo").or_default() += 1;
        }
        if availability(&j).stack > 1e-3 {
            *seen.entry("below-three-nines").or_default() += 1;
        }
    }
    eprintln!(
        "resilience differential: {used}/{cases} cases used, {waiting} waiting for parts of \
         the crate not landed yet; seen: {seen:?}"
    );
    for (why, (n, example)) in &skipped {
        eprintln!("skipped {n}x for {why}; first:\n{example}");
    }
    if !mismatches.is_empty() {
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        let mut shown: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, report) in &mismatches {
            *kinds.entry(k).or_default() += 1;
            let e = shown.entry(k).or_insert(report);
            if report.len() < e.len() {
                *e = report;
            }
        }
        let shown: Vec<&str> = shown.into_values().collect();
        panic!(
            "{} of {used} cases disagree (by part: {kinds:?}); shortest of each kind:\n\n{}",
            mismatches.len(),
            shown.join("\n")
        );
    }
    let cases = cases - waiting;
    assert!(
        used * 100 >= cases * 80,
        "only {used} of {cases} generated files were usable: {skipped:#?}"
    );
    if waiting > 0 {
        eprintln!("resilience differential: outcome counts not asserted until every part lands");
        return;
    }
    for (what, at_least) in [
        ("cut-1", 100),
        ("cut-2", 100),
        ("cut-3", 100),
        ("tolerance-0", 50),
        ("tolerance-1", 20),
        ("tolerance-2", 3),
        ("tolerance-inexact", 5),
        ("quorum", 50),
        ("galera", 10),
        ("overload", 20),
        ("worse-after-failure", 20),
        ("slo", 20),
        ("below-three-nines", 20),
    ] {
        assert!(
            seen.get(what).copied().unwrap_or(0) >= at_least * cases / 300,
            "the generator rarely produces {what}: {seen:?}"
        );
    }
}

/// The §1 file, verbatim.
const SECTION_1: &str = r#"# foobar.com, after "scale up": two HAProxy in a VRRP pair, split tiers.
stack foobar "foobar.com: scale up"

zone a
zone b

domain foobar.com ttl=300 {
  www A -> lb : https
}

group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.11 zone=a
  server lb-02 10.0.0.12 zone=b
}

group web: nginx firewall monitor=sumologic {
  server web-01 10.0.1.11 zone=a
  server web-02 10.0.1.12 zone=b
}

group app: app port=8000 runtime=python {
  server app-01 10.0.2.11 zone=a
  server app-02 10.0.2.12 zone=b
}

group db: mysql failover=auto vip=10.0.3.10 {
  server db-01 10.0.3.11 zone=a primary
  server db-02 10.0.3.12 zone=b replica
}

lb  -> web : http 80
web -> app : http 8000
app -> db  : mysql 3306

allow no-monitoring lb "the LB pair is watched by the provider's probes"
"#;

/// The §5 worked example, as drawn (LINK is the last link line).
const AS_DRAWN: &str = r#"stack foobar "foobar.com: scale up, as drawn"

domain foobar.com ttl=300 {
  www A -> lb : https
}

group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}

group web: nginx {
  server web-01 10.0.1.11
  server web-02 10.0.1.12
}

group app: app port=8000 runtime=python {
  server app-01 10.0.2.11
  server app-02 10.0.2.12
}

group db: mysql {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12 replica
}

lb-01 -> web-01
lb-02 -> web-02
web-01 -> app-01
web-02 -> app-02
app-01 -> db-01 : mysql
LINK
"#;

/// An active-passive pair whose holder stays alive when its only backend
/// dies (TRACK is empty or ` track`).
const HOLDER_ALIVE: &str = r#"domain foobar.com { www A -> lb }

group lb: haproxy mode=active-passive vip=10.0.0.10TRACK {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}

server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12

lb-01 -> web-01
lb-02 -> web-02
"#;

/// The "distributed" stage: boxes writing to their own group (§7.6).
const BOXES: &str = r#"domain foobar.com ttl=300 {
  www A -> lb-01
}

server lb-01: haproxy 10.0.0.10

group box: nginx+app+mysql {
  server box-01 10.0.1.11 primary
  server box-02 10.0.1.12 replica
}

lb-01 -> box
box -> box : mysql
"#;

/// Every chain ends in a write to a replica: dark with nothing down.
const BROKEN: &str = r#"domain foobar.com {
  www A -> web-01
  @ A -> web-01
}

server web-01: nginx 10.0.0.1

group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
}

web-01 -> db-02 : mysql
"#;

/// Without `domain`: the untargeted active-passive pair is the entry point.
const NO_DOMAIN: &str = r#"group lb: haproxy mode=active-passive vip=10.0.0.10 {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}
server web-01: nginx 10.0.1.11
lb-01 -> web-01
"#;

/// Without `domain`: the entry point app-01 can never work.
const NO_DOMAIN_BROKEN: &str = r#"server app-01: app 10.0.0.1
group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
}
app-01 -> db-02 : mysql
"#;

/// Issue 9 A1: without `domain`, a box that writes to its own database.
const SELF_BOX: &str = r#"server box: nginx+app+mysql 198.51.100.10 primary
box -> box : mysql
"#;

/// Issue 9 A1: a group linking to itself is still the entry point.
const SELF_GROUP: &str = r#"group web: nginx {
  server web-01 10.0.0.1
  server web-02 10.0.0.2
}
server app-01: app 10.0.1.1
web -> web
web-01 -> web
web -> app-01
"#;

/// Issue 9 A1: every server is targeted by another: no entry point.
const NO_ENTRY: &str = r#"stack tiny "no way in"
group web: nginx {
  server web-01 10.0.0.1
  server web-02 10.0.0.2
}
web-01 -> web-02
"#;

/// Issue 9 A2: an allowed broken record leaves the other one judged.
const ALLOWED_BROKEN: &str = r#"domain ex.com {
  www A -> web-01
  api A -> api-01
}
server web-01: nginx 10.0.0.1
server api-01: app 10.0.0.2
group db: mysql {
  server db-01 10.0.0.3 primary
  server db-02 10.0.0.4
}
api-01 -> db-02 : mysql
allow broken api.ex.com "not launched yet"
"#;

fn pairs(v: &[(&str, &str)]) -> Findings {
    let mut out: Findings = v
        .iter()
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn brute_force_and_crate_agree_on_the_spec_examples() {
    let manual = SECTION_1.replace(
        "group db: mysql failover=auto vip=10.0.3.10",
        "group db: mysql",
    );
    assert_ne!(manual, SECTION_1);
    let cases: Vec<(&str, String, Findings)> = vec![
        (
            "§5 worked example, as drawn",
            AS_DRAWN.replace("LINK", "app-02 -> db-02 : mysql"),
            pairs(&[
                ("replica-write", "app-02"),
                ("spof", "lb-01"),
                ("spof", "web-01"),
                ("spof", "app-01"),
                ("spof", "db-01"),
            ]),
        ),
        (
            "§5 worked example, with read",
            AS_DRAWN.replace("LINK", "app-02 -> db-02 : mysql read"),
            pairs(&[("spof", "web-01"), ("spof", "app-01"), ("spof", "db-01")]),
        ),
        ("§1 file", SECTION_1.to_string(), pairs(&[])),
        (
            "§1 file with manual failover",
            manual,
            pairs(&[("spof", "db-01"), ("zone-spof", "a")]),
        ),
        (
            "active-passive holder alive, backend dead",
            HOLDER_ALIVE.replace("TRACK", ""),
            pairs(&[("spof", "web-01")]),
        ),
        (
            "active-passive with track",
            HOLDER_ALIVE.replace("TRACK", " track"),
            pairs(&[]),
        ),
        (
            "boxes writing to their own group",
            BOXES.to_string(),
            pairs(&[("spof", "lb-01"), ("spof", "box-01")]),
        ),
        (
            "boxes with automatic failover",
            BOXES.replace(
                "group box: nginx+app+mysql",
                "group box: nginx+app+mysql failover=auto vip=10.0.1.10",
            ),
            pairs(&[("spof", "lb-01")]),
        ),
        (
            "broken: the only chain writes to a replica",
            BROKEN.to_string(),
            pairs(&[
                ("replica-write", "web-01"),
                ("broken", "www.foobar.com"),
                ("broken", "foobar.com"),
            ]),
        ),
        (
            "no domain: an active-passive entry point",
            NO_DOMAIN.to_string(),
            pairs(&[("spof", "web-01")]),
        ),
        (
            "no domain: a dark entry point",
            NO_DOMAIN_BROKEN.to_string(),
            pairs(&[("replica-write", "app-01"), ("broken", "app-01")]),
        ),
        (
            "no domain: a box writing to itself is its own entry point",
            SELF_BOX.to_string(),
            pairs(&[("spof", "box")]),
        ),
        (
            "no domain: a group linking to itself is an entry point",
            SELF_GROUP.to_string(),
            pairs(&[("spof", "app-01")]),
        ),
        (
            "no domain: no entry point at all",
            NO_ENTRY.to_string(),
            pairs(&[("broken", "tiny")]),
        ),
        (
            "no domain and no stack name: no entry point at all",
            NO_ENTRY.replace("stack tiny \"no way in\"\n", ""),
            pairs(&[("broken", "stack")]),
        ),
        (
            "an allowed broken record hides no spof of the others",
            ALLOWED_BROKEN.to_string(),
            pairs(&[
                ("replica-write", "api-01"),
                ("broken", "api.ex.com"),
                ("spof", "web-01"),
            ]),
        ),
        (
            "every record broken: no spof",
            ALLOWED_BROKEN.replace("www A -> web-01", "www A -> api-01"),
            pairs(&[
                ("replica-write", "api-01"),
                ("broken", "api.ex.com"),
                ("broken", "www.ex.com"),
            ]),
        ),
    ];
    for (what, src, want) in cases {
        let brute = expected(&parse_stack(&src));
        assert_eq!(brute, want, "{what}: the brute force got it wrong\n{src}");
        let c = stackc::check(&src);
        assert!(c.analysis.is_some(), "{what}: no analysis\n{src}");
        assert_eq!(
            crate_findings(&c),
            want,
            "{what}: the crate got it wrong\n{src}"
        );
    }
}

/// §7.2: `replica-write` is emitted once per source server and per link, even
/// when the link names several replicas.
#[test]
fn replica_write_is_once_per_source_server_per_link() {
    let src = r#"domain foobar.com { www A -> app-01 }
server app-01: app 10.0.0.1
group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
  server db-03 10.0.0.4
}
app-01 -> db-02, db-03 : mysql
"#;
    let want = pairs(&[("replica-write", "app-01"), ("broken", "www.foobar.com")]);
    assert_eq!(expected(&parse_stack(src)), want);
    assert_eq!(crate_findings(&stackc::check(src)), want, "{src}");
}

/// Long straight runs (evaluated as one gate by the crate) with branches
/// into and out of them, against the brute force.
#[test]
fn brute_force_and_crate_agree_on_straight_runs() {
    let mut src = String::from(
        "zone a\nzone b\ndomain ex.com {\n  www A -> s0\n  api A -> s4\n  ops A -> s9, s7\n}\n",
    );
    for i in 0..12 {
        let zone = if i % 5 == 0 { " zone=a" } else { "" };
        src += &format!("server s{i}: nginx 10.0.0.{}{zone}\n", i + 1);
    }
    src += "group g: app {\n  server g-01 10.0.1.1 zone=b\n  server g-02 10.0.1.2\n}\n";
    for i in 1..12 {
        if i != 8 {
            src += &format!("s{} -> s{i}\n", i - 1);
        }
    }
    src += "s3 -> g\ns11 -> g-01\ns6 -> s10, s11\n";
    let want = expected(&parse_stack(&src));
    assert!(want.iter().any(|(r, _)| r == "spof"), "{want:?}");
    assert_eq!(crate_findings(&stackc::check(&src)), want, "{src}");
}
