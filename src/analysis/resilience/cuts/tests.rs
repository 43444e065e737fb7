//! The cuts against a brute force: every valid failure set up to a size,
//! each evaluated with `simulate`, and the minimal breaking ones.

use super::*;
use crate::analysis::availability::simulate;
use crate::analysis::resilience::{is_failure_set, servers_down, set_name};
use crate::model::Mode;
use std::collections::HashSet;

#[path = "../../../../benches/support/generate.rs"]
#[allow(dead_code)]
mod generate;
#[path = "../../../../benches/support/layered.rs"]
mod layered;

/// Every minimal breaking failure set of size <= k, by enumeration, as
/// names joined by `+`, sorted.
fn brute(m: &Model, c: &Circuit, left_out: &[bool], k: usize) -> Vec<String> {
    let base = simulate(m, c, &[]);
    let judged: Vec<bool> = base
        .entries
        .iter()
        .map(|&(i, ok)| ok && !left_out.get(i).copied().unwrap_or(false))
        .collect();
    let breaks = |set: &[Element]| {
        let sim = simulate(m, c, &servers_down(m, set));
        sim.entries.iter().any(|&(i, ok)| judged[i] && !ok)
    };
    let all = Element::all(m);
    let mut breaking: HashSet<Vec<Element>> = HashSet::new();
    let mut out = Vec::new();
    // Sets in order of size, so that every proper subset is decided first.
    let mut level: Vec<Vec<usize>> = vec![Vec::new()];
    for _ in 0..k {
        let mut next = Vec::new();
        for set in &level {
            let from = set.last().map_or(0, |l| l + 1);
            for i in from..all.len() {
                let mut s = set.clone();
                s.push(i);
                let els: Vec<Element> = s.iter().map(|&j| all[j]).collect();
                if !is_failure_set(m, &els) {
                    continue;
                }
                next.push(s);
                let minimal = (1..(1u32 << els.len()) - 1).all(|mask| {
                    let sub: Vec<Element> = (0..els.len())
                        .filter(|b| mask >> b & 1 == 1)
                        .map(|b| els[b])
                        .collect();
                    !breaking.contains(&sub)
                });
                if breaks(&els) {
                    if minimal {
                        out.push(set_name(m, &els));
                    }
                    breaking.insert(els);
                }
            }
        }
        level = next;
    }
    out.sort();
    out
}

fn names(m: &Model, cuts: &Cuts) -> Vec<String> {
    let mut v: Vec<String> = cuts.cuts.iter().map(|c| set_name(m, &c.elements)).collect();
    v.sort();
    v
}

/// The cuts of a checked model up to k, compared with the brute force;
/// returns them.
fn agree(checked: &crate::Checked, k: usize) -> Cuts {
    let a = checked.analysis.as_ref().expect("analysed");
    let left_out = crate::left_out(checked);
    agree_on(&checked.model, &a.circuit, &left_out, k)
}

fn agree_on(m: &Model, c: &Circuit, left_out: &[bool], k: usize) -> Cuts {
    let cuts = find(m, c, left_out, k).expect("small");
    assert_eq!(names(m, &cuts), brute(m, c, left_out, k), "cuts up to {k}");
    cuts
}

fn listed(m: &Model, cuts: &Cuts) -> Vec<String> {
    cuts.cuts.iter().map(|c| set_name(m, &c.elements)).collect()
}

#[test]
fn pairs_in_tiers_and_zones() {
    let checked = crate::check(include_str!("../../../../samples/scale-up.stack"));
    let cuts = agree(&checked, 3);
    let m = &checked.model;
    let l = listed(m, &cuts);
    // No single cut; the pairs of each tier, zone a with each b member...
    assert!(!l.iter().any(|s| !s.contains('+')), "{l:?}");
    assert!(l.contains(&"lb-01+lb-02".to_string()), "{l:?}");
    assert!(l.contains(&"a+b".to_string()), "{l:?}");
    assert!(l.contains(&"a+web-02".to_string()), "{l:?}");
    assert!(l.contains(&"app-01+app-02".to_string()), "{l:?}");
    // Each tier links to the whole next one: no mixed pair of tiers.
    assert!(!l.contains(&"web-01+app-02".to_string()), "{l:?}");
    // Sorted by size, then declaration order (zones come first).
    assert_eq!(l[0], "a+b");
    let sizes: Vec<usize> = cuts.cuts.iter().map(|c| c.elements.len()).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]));
    // Every cut names the record and a chain.
    let www = cuts
        .cuts
        .iter()
        .all(|c| c.dark == vec![0] && !c.chain.is_empty());
    assert!(www);
}

const HOLDER: &str = "domain ex.com { www A -> lb : https }
group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.1
  server lb-02 10.0.0.2
}
server x: nginx 10.0.1.1
server y: nginx 10.0.1.2
lb-01 -> x
lb-02 -> y
";

#[test]
fn the_asymmetric_holder() {
    let checked = crate::check(HOLDER);
    let cuts = agree(&checked, 3);
    assert_eq!(
        listed(&checked.model, &cuts),
        ["x", "lb-01+lb-02", "lb-01+y"]
    );
}

#[test]
fn a_zone_that_alone_breaks_nothing_is_in_a_cut() {
    let src = HOLDER
        .replace("server lb-01 10.0.0.1", "server lb-01 10.0.0.1 zone=z")
        .replace(
            "server x: nginx 10.0.1.1",
            "server x: nginx 10.0.1.1 zone=z",
        );
    let checked = crate::check(&format!("zone z\n{src}"));
    let cuts = agree(&checked, 3);
    let l = listed(&checked.model, &cuts);
    assert!(l.contains(&"z+y".to_string()), "{l:?}");
    assert!(!l.contains(&"z".to_string()), "{l:?}");
    // Zone z is declared first.
    assert_eq!(l, ["x", "z+lb-02", "z+y", "lb-01+lb-02", "lb-01+y"]);
}

#[test]
fn track_fails_over_on_backends() {
    let src = HOLDER.replace("vip=203.0.113.10", "vip=203.0.113.10 track");
    let checked = crate::check(&src);
    let cuts = agree(&checked, 3);
    assert_eq!(
        listed(&checked.model, &cuts),
        ["lb-01+lb-02", "lb-01+y", "lb-02+x", "x+y"]
    );
}

const MYSQL: &str = "zone a
zone b
domain ex.com { www A -> web : https }
group web: nginx { server web-01 10.0.0.1 zone=a; server web-02 10.0.0.2 zone=b }
group db: mysql FAILOVER { server db-01 10.0.1.1 primary zone=a; server db-02 10.0.1.2 replica zone=b; server db-03 10.0.1.3 replica zone=b }
web -> db : mysql
";

#[test]
fn mysql_manual_and_auto_failover_and_reads() {
    let manual = crate::check(&MYSQL.replace("FAILOVER", ""));
    let cuts = agree(&manual, 3);
    let l = listed(&manual.model, &cuts);
    assert!(
        l.starts_with(&["a".to_string(), "db-01".to_string()]),
        "{l:?}"
    );
    let auto = crate::check(&MYSQL.replace("FAILOVER", "failover=auto vip=10.0.1.10"));
    let cuts = agree(&auto, 3);
    let l = listed(&auto.model, &cuts);
    assert!(l.contains(&"a+b".to_string()), "{l:?}");
    assert!(l.contains(&"b+db-01".to_string()), "{l:?}");
    assert!(l.contains(&"db-01+db-02+db-03".to_string()), "{l:?}");
    let read = crate::check(
        &MYSQL
            .replace("FAILOVER", "")
            .replace(": mysql", ": mysql read"),
    );
    let cuts = agree(&read, 3);
    assert!(!listed(&read.model, &cuts).contains(&"db-01".to_string()));
    // A member read by name.
    let by_name = crate::check(
        &MYSQL
            .replace("FAILOVER", "failover=auto vip=10.0.1.10")
            .replace(
                "web -> db : mysql",
                "web-01 -> db : mysql\nweb-02 -> db-02 : mysql read",
            ),
    );
    agree(&by_name, 3);
}

#[test]
fn a_quorum_group_two_of_three() {
    let src = "domain ex.com { www A -> web : https }
group web: nginx { server web-01 10.0.0.1; server web-02 10.0.0.2 }
group kv: app { server kv-01 10.0.1.1; server kv-02 10.0.1.2; server kv-03 10.0.1.3 }
web -> kv
";
    let mut checked = crate::check(src);
    let g = checked.model.find_group("kv").expect("kv");
    checked.model.groups[g.index()].mode = Mode::Quorum;
    let c = crate::analysis::circuit::compile(&checked.model);
    let m = &checked.model;
    let cuts = agree_on(m, &c, &[], 3);
    assert_eq!(
        listed(m, &cuts),
        ["web-01+web-02", "kv-01+kv-02", "kv-01+kv-03", "kv-02+kv-03"]
    );
    // Four of five, with a zone.
    let src = "zone z
domain ex.com { www A -> q : https }
group q: app { server q1 10.0.1.1 zone=z; server q2 10.0.1.2 zone=z; server q3 10.0.1.3; server q4 10.0.1.4; server q5 10.0.1.5 }
";
    let mut checked = crate::check(src);
    let g = checked.model.find_group("q").expect("q");
    checked.model.groups[g.index()].mode = Mode::Quorum;
    checked.model.groups[g.index()].quorum = Some(4);
    let c = crate::analysis::circuit::compile(&checked.model);
    let cuts = agree_on(&checked.model, &c, &[], 3);
    assert_eq!(listed(&checked.model, &cuts)[0], "z");
}

#[test]
fn an_optional_link_is_in_no_cut() {
    let src = "domain ex.com { www A -> web : https }
group web: nginx { server web-01 10.0.0.1; server web-02 10.0.0.2 }
server cache: app 10.0.1.1
web -> cache : http optional
";
    let checked = crate::check(src);
    let cuts = agree(&checked, 3);
    assert_eq!(listed(&checked.model, &cuts), ["web-01+web-02"]);
}

#[test]
fn broken_records_and_allowed_ones() {
    // `api` is broken and allowed: left out; `www` is judged.
    let checked = crate::check(include_str!(
        "../../../../tests/cases/spof-beside-broken.stack"
    ));
    let cuts = agree(&checked, 3);
    assert_eq!(listed(&checked.model, &cuts), ["web-01"]);
    // Broken and not allowed: not judged either (it serves with nothing
    // down nowhere), the others are.
    let src = "domain ex.com {
  www A -> web : https
  api A -> db-02 : mysql
}
group web: nginx { server web-01 10.0.0.1; server web-02 10.0.0.2 }
group db: mysql { server db-01 10.0.1.1 primary; server db-02 10.0.1.2 }
web -> db : mysql
";
    let checked = crate::check(src);
    let cuts = agree(&checked, 3);
    assert_eq!(listed(&checked.model, &cuts), ["db-01", "web-01+web-02"]);
}

#[test]
fn stacks_without_domain() {
    let src = "group web: nginx { server web-01 10.0.0.1; server web-02 10.0.0.2 }
group app: app { server app-01 10.0.1.1; server app-02 10.0.1.2 }
server box: nginx+app 10.0.2.1
web -> app
";
    let checked = crate::check(src);
    let cuts = agree(&checked, 3);
    assert_eq!(
        listed(&checked.model, &cuts),
        ["box", "web-01+web-02", "app-01+app-02"]
    );
}

/// The wide shape without its capacity and load (not parsed yet).
fn without_capacity(src: &str) -> String {
    src.lines()
        .map(|l| {
            let l = l.replace(" capacity=100", "");
            match l.find(" load=") {
                Some(at) => l[..at].to_string(),
                None => l,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn generated_stacks_agree_with_the_brute_force() {
    for src in [
        generate::stack(14),
        without_capacity(&layered::wide(14)),
        layered::stack(30),
    ] {
        let checked = crate::check(&src);
        agree(&checked, 3);
    }
    let checked = crate::check(&generate::stack(28));
    agree(&checked, 2);
}

#[test]
fn chains_and_dark_records() {
    let checked = crate::check(HOLDER);
    let a = checked.analysis.as_ref().unwrap();
    let cuts = find(&checked.model, &a.circuit, &[], 2).unwrap();
    let cut = &cuts.cuts[2];
    assert_eq!(set_name(&checked.model, &cut.elements), "lb-01+y");
    assert_eq!(cut.dark, vec![0]);
    let text = crate::analysis::availability::chain_text(&checked.model, &a.circuit, &cut.chain);
    assert_eq!(text, "www.ex.com -> lb (held by lb-02) -> y (down)");
}

#[test]
fn size_one_is_the_single_failures() {
    let checked = crate::check(&MYSQL.replace("FAILOVER", ""));
    let a = checked.analysis.as_ref().unwrap();
    let cuts = find(&checked.model, &a.circuit, &[], 1).unwrap();
    assert_eq!(cuts.max_size, 1);
    let l = listed(&checked.model, &cuts);
    let mut spofs: Vec<String> = a
        .outcome
        .spofs
        .iter()
        .map(|(s, _)| checked.model.server(*s).name.clone())
        .chain(
            a.outcome
                .zone_spofs
                .iter()
                .map(|(z, _)| checked.model.zones[z.index()].name.clone()),
        )
        .collect();
    spofs.sort_by_key(|n| l.iter().position(|x| x == n));
    assert_eq!(l, spofs);
}

#[test]
fn huge_searches_are_refused_not_exploded() {
    let checked = crate::check(&generate::stack(2_000));
    let a = checked.analysis.as_ref().unwrap();
    let m = &checked.model;
    let err = find_within(m, &a.circuit, &[], 4, 10_000).expect_err("over a small budget");
    assert!(
        err.message.starts_with(
            "cuts up to size 4 of 2,002 servers would examine more than 10,000 implicants"
        ),
        "{}",
        err.message
    );
    assert!(err.message.ends_with("lower `tolerate` or `--max-size`"));
    // With the real budget it finishes or is refused, either way bounded.
    match find(m, &a.circuit, &[], 4) {
        Ok(c) => assert!(!c.cuts.is_empty()),
        Err(e) => assert!(e.message.contains("20,000,000"), "{}", e.message),
    }
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_000), "1,000");
    assert_eq!(thousands(20_000_000), "20,000,000");
}

/// A small deterministic generator (xorshift) for random stacks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A random stack in three tiers (links only go down a tier, so no
/// cycle): lone servers and groups of every kind, zones, member links
/// (asymmetric holders), reads, optional links, several records or no
/// domain. Returns the text and the groups to read as quorum groups.
fn random_stack(seed: u64) -> (String, Vec<(String, u32)>) {
    use std::fmt::Write;
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut s = String::new();
    let zones = r.below(3);
    for z in 0..zones {
        let _ = writeln!(s, "zone z{z}");
    }
    let mut ip = 0;
    let mut addr = || {
        ip += 1;
        format!("10.0.{}.{}", ip / 200, ip % 200 + 1)
    };
    let zone = |r: &mut Rng| match (zones, r.below(3)) {
        (0, _) | (_, 0) => String::new(),
        (z, _) => format!(" zone=z{}", r.below(z)),
    };
    // Per tier: units as (name, members, is mysql).
    let mut tiers: Vec<Vec<(String, Vec<String>, bool)>> = Vec::new();
    let mut quorum = Vec::new();
    for t in 0..3 {
        let mut units = Vec::new();
        for u in 0..1 + r.below(2) {
            let mysql = t == 2 && r.chance(50);
            let role = match (t, mysql) {
                (0, _) => "nginx",
                (_, true) => "mysql",
                _ => "app",
            };
            let name = format!("t{t}u{u}");
            if r.chance(30) {
                let primary = if mysql { " primary" } else { "" };
                let _ = writeln!(
                    s,
                    "server {name}: {role} {}{}{primary}",
                    addr(),
                    zone(&mut r)
                );
                units.push((name.clone(), vec![name], mysql));
                continue;
            }
            let n = 2 + r.below(2);
            let kind = r.below(4);
            let attrs = match (mysql, kind) {
                (true, 0 | 1) => String::new(),
                (true, _) => format!(" failover=auto vip={}", addr()),
                (false, 0) => format!(" mode=active-passive vip={}", addr()),
                (false, 1) => format!(" mode=active-passive vip={} track", addr()),
                (false, 2) if t > 0 => {
                    quorum.push((name.clone(), 1 + r.below(n) as u32));
                    String::new()
                }
                _ => String::new(),
            };
            let _ = writeln!(s, "group {name}: {role}{attrs} {{");
            let mut members = Vec::new();
            for i in 0..n {
                let m = format!("{name}m{i}");
                let repl = match (mysql, i) {
                    (true, 0) => " primary",
                    (true, _) => " replica",
                    _ => "",
                };
                let _ = writeln!(s, "  server {m} {}{}{repl}", addr(), zone(&mut r));
                members.push(m);
            }
            s.push_str("}\n");
            units.push((name, members, mysql));
        }
        tiers.push(units);
    }
    for t in 0..2 {
        for (name, members, _) in tiers[t].clone() {
            let lines = 1 + r.below(2);
            for _ in 0..lines {
                let tt = t + 1 + r.below(2 - t);
                let (target, tmembers, mysql) = &tiers[tt][r.below(tiers[tt].len())];
                // Sometimes a member, or a target member, by name.
                let from = if members.len() > 1 && r.chance(30) {
                    members[r.below(members.len())].clone()
                } else {
                    name.clone()
                };
                let to = if tmembers.len() > 1 && r.chance(25) {
                    tmembers[r.below(tmembers.len())].clone()
                } else {
                    target.clone()
                };
                let second = if r.chance(25) && tiers[tt].len() > 1 {
                    format!(", {}", tiers[tt][r.below(tiers[tt].len())].0)
                } else {
                    String::new()
                };
                let mut attrs = String::new();
                if *mysql {
                    attrs.push_str(" : mysql");
                    if to != *target || r.chance(40) {
                        attrs.push_str(" read");
                    }
                }
                if r.chance(10) {
                    attrs.push_str(" optional");
                }
                let _ = writeln!(s, "{from} -> {to}{second}{attrs}");
            }
        }
    }
    if r.chance(80) {
        s.push_str("domain ex.com {\n");
        for i in 0..1 + r.below(2) {
            let (name, _, _) = &tiers[0][r.below(tiers[0].len())];
            let _ = writeln!(s, "  r{i} A -> {name} : https");
        }
        s.push_str("}\n");
    }
    (s, quorum)
}

/// The search agrees with the brute force on random stacks, cuts up to
/// size 3 (4 on some), with quorum groups set on the model by hand.
#[test]
fn random_stacks_agree_with_the_brute_force() {
    let mut analysed = 0;
    for seed in 1..=400u64 {
        let k = if seed % 8 == 0 { 4 } else { 3 };
        let (src, quorum) = random_stack(seed);
        let mut checked = crate::check(&src);
        if checked.analysis.is_none() {
            continue;
        }
        for (name, q) in &quorum {
            let g = checked.model.find_group(name).expect("group");
            let grp = &mut checked.model.groups[g.index()];
            grp.mode = Mode::Quorum;
            grp.quorum = Some(*q);
        }
        let c = crate::analysis::circuit::compile(&checked.model);
        let m = &checked.model;
        let cuts = find(m, &c, &[], k).expect("small");
        assert_eq!(names(m, &cuts), brute(m, &c, &[], k), "seed {seed}:\n{src}");
        analysed += 1;
    }
    assert!(analysed >= 300, "only {analysed} random stacks analysed");
}

/// Quorum groups written in the file: a majority of five (every three
/// members a cut), and a mysql quorum group (Galera) behind a pair.
#[test]
fn quorum_groups_in_the_file() {
    let src = "stack q tolerate=3
domain ex.com { www A -> web : https }
group web: nginx { server web-01 10.0.0.1; server web-02 10.0.0.2 }
group kv: app mode=quorum { server kv-01 10.0.1.1; server kv-02 10.0.1.2; server kv-03 10.0.1.3; server kv-04 10.0.1.4; server kv-05 10.0.1.5 }
web -> kv
";
    let checked = crate::check(src);
    let cuts = agree(&checked, 3);
    let l = listed(&checked.model, &cuts);
    assert_eq!(l.len(), 1 + 10, "{l:?}");
    assert_eq!(l[0], "web-01+web-02");
    assert!(l.contains(&"kv-01+kv-03+kv-05".to_string()), "{l:?}");
    let src = "zone a
zone b
zone c
domain ex.com { www A -> app : https }
group app: app { server app-01 10.0.0.1 zone=a; server app-02 10.0.0.2 zone=b }
group db: mysql mode=quorum { server db-01 10.0.1.1 zone=a; server db-02 10.0.1.2 zone=b; server db-03 10.0.1.3 zone=c }
app -> db : mysql
";
    let checked = crate::check(src);
    let cuts = agree(&checked, 3);
    let l = listed(&checked.model, &cuts);
    assert!(l.contains(&"a+b".to_string()), "{l:?}");
    assert!(l.contains(&"a+db-02".to_string()), "{l:?}");
    assert!(l.contains(&"db-01+db-02".to_string()), "{l:?}");
}
