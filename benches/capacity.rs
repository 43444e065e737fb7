//! `cargo bench --bench capacity`: the N+1 check of RESILIENCE.md §4 (the
//! headroom of every server with `capacity` at tolerate=1), on the wide
//! layered stack (capacity on web, load on the record) and on the
//! generated services stack with capacity and load added. Target: < 2 s at
//! 20,000 servers.

#[path = "support/generate.rs"]
mod generate;

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

/// The stack checked, with `capacity` on every server whose name starts
/// with one of `capacity`'s prefixes and `load` on its records, set on the
/// model by hand where the text's attributes were not read.
fn checked(src: &str, capacity: &[(&str, f64)], load: f64) -> stackc::Checked {
    let mut c = stackc::check(src);
    if c.analysis.is_none() {
        // Before the parsing of `capacity=`/`load=`: without them.
        let plain: String = src
            .lines()
            .map(|l| {
                l.split(' ')
                    .filter(|w| !w.starts_with("capacity=") && !w.starts_with("load="))
                    .collect::<Vec<_>>()
                    .join(" ")
                    + "\n"
            })
            .collect();
        c = stackc::check(&plain);
    }
    assert!(c.analysis.is_some(), "{:?}", c.findings.first());
    for s in &mut c.model.servers {
        if s.capacity.is_none() {
            s.capacity = capacity
                .iter()
                .find(|(p, _)| s.name.starts_with(p))
                .map(|x| x.1);
        }
    }
    for r in &mut c.model.records {
        r.load.get_or_insert(load);
    }
    c
}

fn bench_headroom(b: Bencher, c: stackc::Checked) {
    let a = c.analysis.as_ref().unwrap();
    let left_out = stackc::left_out(&c);
    let capped = c
        .model
        .servers
        .iter()
        .filter(|s| s.capacity.is_some())
        .count();
    assert!(capped > 0, "the stack has no capacity");
    b.bench(|| {
        load::headroom(black_box(&c.model), &a.circuit, 1, &left_out)
            .expect("tolerate=1 is within budget")
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn headroom_wide(b: Bencher, n: usize) {
    // As `generate::wide` writes them: capacity=100 on web, 50 req/s per
    // web server on the record.
    let per = (n - 2).div_ceil(3);
    bench_headroom(
        b,
        checked(&generate::wide(n), &[("web-", 100.0)], (per * 50) as f64),
    );
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn headroom_services(b: Bencher, n: usize) {
    let c = checked(
        &services(n),
        &[
            ("web", 80.0),
            ("app", 80.0),
            ("lb", 400.0),
            ("db", 400.0),
            ("cache", 400.0),
        ],
        200.0,
    );
    bench_headroom(b, c);
}
