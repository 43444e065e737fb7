//! `cargo bench --bench capacity`: the N+1 check of RESILIENCE.md §4 (the
//! headroom of every server with `capacity` at tolerate=1), on the wide
//! layered stack (capacity on web, load on the record) and on the
//! generated services stack with capacity and load added. Target: < 2 s at
//! 20,000 servers.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/layered.rs"]
mod layered;

use divan::{black_box, Bencher};
use stackc::analysis::resilience::load;

const SIZES: &[usize] = &[2_000, 20_000];

fn main() {
    divan::main();
}

/// `generate::stack` with a load on each service's record and a capacity
/// on every load balancer, web, app and database server: the record's load
/// is 4 × 50 req/s, the web and app servers can carry 80, the rest 400.
fn services(servers: usize) -> String {
    let src = generate::stack(servers);
    let mut out = String::with_capacity(src.len() + servers * 16);
    for line in src.lines() {
        let t = line.trim_start();
        if t.starts_with("www A -> ") {
            out.push_str(line);
            out.push_str(" load=200\n");
            continue;
        }
        out.push_str(line);
        if t.starts_with("server ") {
            let small = t.starts_with("server web") || t.starts_with("server app");
            out.push_str(if small {
                " capacity=80"
            } else {
                " capacity=400"
            });
        }
        out.push('\n');
    }
    out
}

fn checked(src: &str) -> stackc::Checked {
    let c = stackc::check(src);
    assert!(c.analysis.is_some(), "{:?}", c.findings.first());
    c
}

fn bench_headroom(b: Bencher, c: stackc::Checked, tolerate: usize) {
    let a = c.analysis.as_ref().unwrap();
    let left_out = stackc::left_out(&c);
    let capped = c
        .model
        .servers
        .iter()
        .filter(|s| s.capacity.is_some())
        .count();
    assert!(capped > 0, "the stack has no capacity");
    assert!(c.model.records.iter().any(|r| r.load.is_some()), "no load");
    b.bench(|| {
        load::headroom(black_box(&c.model), &a.circuit, tolerate, &left_out).expect("within budget")
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn headroom_wide(b: Bencher, n: usize) {
    bench_headroom(b, checked(&layered::wide(n)), 1);
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn headroom_services(b: Bencher, n: usize) {
    bench_headroom(b, checked(&services(n)), 1);
}

/// Every pair too (within the budget at this size).
#[divan::bench(args = [500, 2_000], sample_count = 3)]
fn headroom_services_tolerate_2(b: Bencher, n: usize) {
    bench_headroom(b, checked(&services(n)), 2);
}
