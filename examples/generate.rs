//! Writes a generated stack of N servers to stdout, for timing the CLI:
//! `cargo run --release --example generate -- 20000 > /tmp/20k.stack`.

#[path = "../benches/support/generate.rs"]
mod generate;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    print!("{}", generate::stack(n));
}
