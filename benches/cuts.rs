//! `cargo bench --bench cuts`: the exact cuts of RESILIENCE.md §1 (`find`
//! alone, the file already checked) on generated stacks: up to size 2 of
//! the service stack (`generate::stack`) and the wide four-tier one
//! (`layered::wide`) at 2,000 and 20,000 servers (target < 5 s at 20,000,
//! 10x the servers < 20x the time), and up to size 3 at 1,000 (< 5 s); the
//! layered shape of issue 9 (`layered::stack`) alike; size 4 (refused past
//! the work budget, or found).

#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;
#[path = "support/layered.rs"]
mod layered;

use divan::{black_box, Bencher};
use stackc::analysis::resilience::cuts;

fn main() {
    divan::main();
}

/// The wide shape without its `capacity=` and `load=`: the cuts do not
/// read them, and `check` then times no load flow.
fn wide(n: usize) -> String {
    layered::wide(n)
        .lines()
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

fn bench_find(b: Bencher, src: &str, k: usize) {
    let checked = stackc::check(src);
    let a = checked.analysis.as_ref().expect("analysed");
    let left_out = stackc::left_out(&checked);
    let found = cuts::find(&checked.model, &a.circuit, &left_out, k).expect("within budget");
    assert!(!found.cuts.is_empty());
    b.bench(|| cuts::find(&checked.model, &a.circuit, black_box(&left_out), k));
}

#[divan::bench(args = [2_000, 20_000], sample_count = 10)]
fn stack_pairs(b: Bencher, n: usize) {
    bench_find(b, &generate::stack(n), 2);
}

#[divan::bench(args = [2_000, 20_000], sample_count = 10)]
fn wide_pairs(b: Bencher, n: usize) {
    bench_find(b, &wide(n), 2);
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn stack_triples(b: Bencher, n: usize) {
    bench_find(b, &generate::stack(n), 3);
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn wide_triples(b: Bencher, n: usize) {
    bench_find(b, &wide(n), 3);
}

#[divan::bench(args = [2_000, 20_000], sample_count = 10)]
fn layered_pairs(b: Bencher, n: usize) {
    bench_find(b, &layered::stack(n), 2);
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn layered_triples(b: Bencher, n: usize) {
    bench_find(b, &layered::stack(n), 3);
}

/// `tolerate=4`: finishes within the budget or is refused, never more.
#[divan::bench(args = [1_000, 20_000], sample_count = 3)]
fn stack_quadruples(b: Bencher, n: usize) {
    let checked = stackc::check(&generate::stack(n));
    let a = checked.analysis.as_ref().expect("analysed");
    let left_out = stackc::left_out(&checked);
    b.bench(|| {
        cuts::find(&checked.model, &a.circuit, black_box(&left_out), 4).map(|c| c.cuts.len())
    });
}

/// One wide group of `n` members over three zones behind a record and a
/// pair of web servers: `quorum`: a majority quorum group; else an
/// active-passive group whose members need a shared pair.
fn one_wide_group(n: usize, quorum: bool) -> String {
    use std::fmt::Write;
    let mut s = String::from("stack g\nzone a\nzone b\nzone c\n");
    let mode = if quorum {
        "mode=quorum".to_string()
    } else {
        "mode=active-passive vip=10.9.0.1".to_string()
    };
    let _ = writeln!(s, "group big: app {mode} firewall monitor=agent {{");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  server big-{i} 10.1.{}.{} zone={}",
            i / 250,
            i % 250 + 1,
            ["a", "b", "c"][i % 3]
        );
    }
    s.push_str("}\ngroup web: nginx firewall monitor=agent {\n  server web-01 10.0.0.1 zone=a\n  server web-02 10.0.0.2 zone=b\n}\n");
    s.push_str("group pair: app port=9000 firewall monitor=agent {\n  server pair-01 10.0.1.1 zone=a\n  server pair-02 10.0.1.2 zone=b\n}\n");
    s.push_str("web -> big\nbig -> pair\ndomain ex.com { www A -> web : https }\n");
    s
}

#[divan::bench(args = [2_000, 20_000], sample_count = 3)]
fn quorum_group_pairs(b: Bencher, n: usize) {
    bench_find(b, &one_wide_group(n, true), 2);
}

#[divan::bench(args = [2_000, 20_000], sample_count = 3)]
fn holder_group_triples(b: Bencher, n: usize) {
    bench_find(b, &one_wide_group(n, false), 3);
}
