//! `cargo bench`: parse, resolve, analyse and the whole `check` on
//! generated stacks of 1k, 10k and 100k servers.

#[path = "support/generate.rs"]
mod generate;

use divan::{black_box, Bencher};

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

fn main() {
    divan::main();
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn parse(b: Bencher, n: usize) {
    let src = generate::stack(n);
    b.bench(|| stackc::syntax::parse(black_box(&src)));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn resolve(b: Bencher, n: usize) {
    let src = generate::stack(n);
    let parsed = stackc::syntax::parse(&src);
    assert!(parsed.is_ok());
    b.bench(|| stackc::model::resolve(black_box(&parsed.file)));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn analyse(b: Bencher, n: usize) {
    let src = generate::stack(n);
    let parsed = stackc::syntax::parse(&src);
    let (model, findings) = stackc::model::resolve(&parsed.file);
    assert!(findings.is_empty(), "{findings:?}");
    b.bench(|| stackc::analysis::analyse(black_box(&model)));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn check(b: Bencher, n: usize) {
    let src = generate::stack(n);
    b.bench(|| stackc::check(black_box(&src)));
}

/// pest alone (the whole-file rule, no syntax tree): the floor of `parse`.
#[divan::bench(args = SIZES, sample_count = 5)]
fn grammar_only(b: Bencher, n: usize) {
    let src = generate::stack(n);
    b.bench(|| stackc::syntax::grammar_accepts(black_box(&src)));
}

/// Issue 9 B5: one line repeating an attribute N times and a role N times,
/// checked and reported as JSON (each repeat once cost a finding).
#[divan::bench(args = [10_000, 40_000, 160_000], sample_count = 3)]
fn repeated_items(b: Bencher, n: usize) {
    let src = format!(
        "server a: nginx{} 10.0.0.1 {}\n",
        "+nginx".repeat(n),
        "firewall ".repeat(n)
    );
    b.bench(|| {
        let c = stackc::check(black_box(&src));
        let r = stackc::report::FileReport::new("x.stack", &src, &c);
        stackc::report::json::render(&[r])
    });
}

/// A straight chain of N servers behind one record: N spofs, each with a
/// chain as long as its depth (issue 9 B4).
#[divan::bench(args = [2_000, 8_000, 32_000], sample_count = 3)]
fn check_chain(b: Bencher, n: usize) {
    let src = generate::chain(n);
    b.bench(|| stackc::check(black_box(&src)));
}

/// N records, each on its own server, all writing to one database pair.
#[divan::bench(args = [5_000, 20_000, 40_000], sample_count = 3)]
fn check_many_records(b: Bencher, n: usize) {
    let src = generate::many_records(n);
    b.bench(|| stackc::check(black_box(&src)));
}

/// Two groups of N members, one linking to the other.
#[divan::bench(args = [5_000, 20_000, 60_000], sample_count = 3)]
fn check_big_groups(b: Bencher, n: usize) {
    let src = generate::big_groups(n);
    b.bench(|| stackc::check(black_box(&src)));
}
