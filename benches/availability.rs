//! `cargo bench --bench availability`: the exact availability
//! (RESILIENCE.md §3, `resilience::exact::compute`) of generated stacks of
//! 2,000 and 20,000 servers: `stack` (independent services over three
//! shared zones) and `wide` (four tiers of thousands of members). Target:
//! 20,000 servers < 5 s, and 10× the servers < 20× the time. Only
//! `compute` is timed; the stack is resolved and compiled, and its figure
//! sanity-checked, outside the timed closure.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/layered.rs"]
mod layered;

use divan::{black_box, Bencher};
use stackc::analysis::circuit::{self, Circuit};
use stackc::analysis::resilience::exact::{self, VarOrder};

const SIZES: &[usize] = &[2_000, 20_000];

fn main() {
    divan::main();
}

/// The model and circuit of a generated stack (parsed, resolved and
/// compiled: the rules are not needed here), checked to be sound; the
/// figure computed once, outside the timing, must be a probability.
fn prepare(src: &str) -> (stackc::model::Model, Circuit) {
    let parsed = stackc::syntax::parse(src);
    assert!(parsed.is_ok());
    let (model, findings) = stackc::model::resolve(&parsed.file);
    assert!(findings.is_empty(), "{findings:?}");
    let circuit = circuit::compile(&model);
    let av = exact::compute(&model, &circuit, &[]).expect("within the node budget");
    assert!(av.stack.up > 0.0 && av.stack.up < 1.0, "{:?}", av.stack);
    assert!(!av.gains.is_empty());
    (model, circuit)
}

fn bench(b: Bencher, src: &str, order: VarOrder) {
    let (model, circuit) = prepare(src);
    b.bench(|| exact::compute_with(black_box(&model), &circuit, &[], exact::NODE_BUDGET, order));
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn stack(b: Bencher, n: usize) {
    bench(b, &generate::stack(n), VarOrder::Dependents);
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn wide(b: Bencher, n: usize) {
    bench(b, &layered::wide(n), VarOrder::Dependents);
}

/// The variables in the circuit's evaluation order (dependencies first),
/// for comparison with the default.
#[divan::bench(args = [2_000], sample_count = 1)]
fn wide_circuit_order(b: Bencher, n: usize) {
    bench(b, &layered::wide(n), VarOrder::Circuit);
}

#[divan::bench(args = [2_000], sample_count = 1)]
fn stack_circuit_order(b: Bencher, n: usize) {
    bench(b, &generate::stack(n), VarOrder::Circuit);
}

/// A chain `s0 -> … -> sN` behind one record: as deep as it is long (the
/// operations run on an explicit stack).
#[divan::bench(args = SIZES, sample_count = 3)]
fn chain(b: Bencher, n: usize) {
    bench(b, &generate::chain(n), VarOrder::Dependents);
}
