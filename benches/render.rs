//! `cargo bench --bench render`: `stackc render` on generated stacks of 1k
//! and 5k servers (`support/generate.rs`): the whole SVG path (check,
//! diagram, layout, document), the layout alone, and the text formats.
//! `scripts/render-vs-dot` compares the command with Graphviz's `dot`.

#[path = "support/generate.rs"]
mod generate;

use divan::{black_box, Bencher};
use stackc::render::{self, Diagram, Format, Theme};

const SIZES: &[usize] = &[1_000, 5_000];

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
