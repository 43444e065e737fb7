//! Writes the layered stack of issue 9 (B6, `benches/support/layered.rs`)
//! of about N servers to stdout, for timing `stackc render --to svg`:
//! `cargo run --release --example layered -- 1200 > /tmp/1200.stack`.

#[path = "../benches/support/layered.rs"]
mod layered;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000);
    print!("{}", layered::stack(n));
}
