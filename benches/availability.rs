//! `cargo bench --bench availability`: the exact availability
//! (RESILIENCE.md §3, `resilience::exact::compute`) of generated stacks of
//! 2,000 and 20,000 servers: `stack` (independent services over three
//! shared zones) and `wide` (four tiers of thousands of members). Target:
//! 20,000 servers < 5 s, and 10× the servers < 20× the time. Only
//! `compute` is timed; the stack is checked, and its figure sanity-checked,
//! outside the timed closure.

#[path = "support/generate.rs"]
mod generate;

use divan::{black_box, Bencher};
use stackc::analysis::resilience::exact::{self, VarOrder};

const SIZES: &[usize] = &[2_000, 20_000];

fn main() {
    divan::main();
}

/// The checked stack, its analysis and which entries are left out; the
/// figure computed once, outside the timing, must be a probability.
fn prepare(src: &str) -> stackc::Checked {
    let checked = stackc::check(src);
    let a = checked
        .analysis
        .as_ref()
        .expect("the generated stack is analysed");
    let out = stackc::left_out(&checked);
    let av = exact::compute(&checked.model, &a.circuit, &out).expect("within the node budget");
    assert!(av.stack.up > 0.0 && av.stack.up < 1.0, "{:?}", av.stack);
    assert!(!av.gains.is_empty());
    checked
}

fn bench(b: Bencher, src: &str, order: VarOrder) {
    let checked = prepare(src);
    let a = checked.analysis.as_ref().unwrap();
    let out = stackc::left_out(&checked);
    b.bench(|| {
        exact::compute_with(
            black_box(&checked.model),
            &a.circuit,
            &out,
            exact::NODE_BUDGET,
            order,
        )
    });
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn stack(b: Bencher, n: usize) {
    bench(b, &generate::stack(n), VarOrder::Dependents);
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn wide(b: Bencher, n: usize) {
    bench(b, &generate::wide(n), VarOrder::Dependents);
}

/// The variables in the circuit's evaluation order (dependencies first),
/// for comparison with the default.
#[divan::bench(args = [2_000], sample_count = 1)]
fn wide_circuit_order(b: Bencher, n: usize) {
    bench(b, &generate::wide(n), VarOrder::Circuit);
}

#[divan::bench(args = [2_000], sample_count = 1)]
fn stack_circuit_order(b: Bencher, n: usize) {
    bench(b, &generate::stack(n), VarOrder::Circuit);
}
