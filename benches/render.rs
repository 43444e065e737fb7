//! `cargo bench --bench render`: `stackc render` on generated stacks of 1k
//! and 5k servers (`support/generate.rs`): the whole SVG path (check,
//! diagram, layout, document), the layout alone, the text formats, and the
//! SVG path across the size band of the layered stack (`support/layered.rs`).
//! `scripts/render-vs-dot` compares the command with Graphviz's `dot`.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/layered.rs"]
mod layered;

use divan::{black_box, Bencher};
use stackc::render::{self, Diagram, Format, Theme};

const SIZES: &[usize] = &[1_000, 5_000];

/// Across the size band where the ordering used to go superlinear (issue 9,
/// B6: 1,000 to 1,200 servers of the layered stack took longer than 5,000).
const BAND: &[usize] = &[800, 1_000, 1_200, 1_500, 2_000, 3_000, 6_000];

fn main() {
    divan::main();
}

/// What `stackc render FILE --to svg` computes: check, then draw.
#[divan::bench(args = SIZES, sample_count = 10)]
fn svg(b: Bencher, n: usize) {
    let src = generate::stack(n);
    b.bench(|| render::render(&stackc::check(black_box(&src)), Format::Svg, Theme::Light));
}

/// Our layered layout alone (ranking, ordering, coordinates, routing).
#[divan::bench(args = SIZES, sample_count = 10)]
fn layout(b: Bencher, n: usize) {
    let src = generate::stack(n);
    let d = Diagram::of(&stackc::check(&src)).expect("sound");
    let g = render::svg::graph_of(&d);
    b.bench(|| render::layout::layout(black_box(&g), &Default::default()));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn dot_text(b: Bencher, n: usize) {
    let src = generate::stack(n);
    let d = Diagram::of(&stackc::check(&src)).expect("sound");
    b.bench(|| render::emit(black_box(&d), Format::Dot, Theme::Light));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn mermaid_text(b: Bencher, n: usize) {
    let src = generate::stack(n);
    let d = Diagram::of(&stackc::check(&src)).expect("sound");
    b.bench(|| render::emit(black_box(&d), Format::Mermaid, Theme::Light));
}

/// `render --to svg` on the layered stack (`support/layered.rs`): web, app
/// and db groups in three wide ranks behind one VRRP pair.
#[divan::bench(args = BAND, sample_count = 10)]
fn svg_layered(b: Bencher, n: usize) {
    let src = layered::stack(n);
    b.bench(|| render::render(&stackc::check(black_box(&src)), Format::Svg, Theme::Light));
}
