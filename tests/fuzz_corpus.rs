//! Replays the committed fuzz corpus on stable, with exactly the oracles the
//! libFuzzer targets run (`fuzz/oracles/mod.rs`): every file of
//! `fuzz/corpus/TARGET/`, of `fuzz/regressions/TARGET/` (the minimised
//! crashes, once fixed) and of `fuzz/seeds/` (the regression inputs of
//! issue 9) goes through `oracles::TARGET`. Long runs that grow
//! the corpus are `scripts/fuzz` (nightly).

#[allow(dead_code)]
#[path = "../fuzz/oracles/mod.rs"]
mod oracles;

use std::path::{Path, PathBuf};
use std::time::Instant;

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    // The regression inputs (fuzz/seeds/) go through every target.
    let dirs = [
        root.join("corpus").join(target),
        root.join("regressions").join(target),
        root.join("seeds"),
    ];
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries {
            let p = e.expect("corpus entry").path();
            if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Runs `oracle` over every input of `target`; returns how many reached the
/// oracle's deepest stage (parsed, analysed, formatted, drawn, bundled).
fn replay<R: Reached>(target: &str, oracle: fn(&[u8]) -> R, at_least: usize) -> usize {
    let files = inputs(target);
    assert!(
        files.len() >= at_least,
        "fuzz/corpus/{target} has {} files, expected at least {at_least}",
        files.len()
    );
    let start = Instant::now();
    let mut failed = Vec::new();
    let mut reached = 0;
    for p in &files {
        let data = std::fs::read(p).expect("read corpus file");
        match std::panic::catch_unwind(|| oracle(&data)) {
            Ok(r) => reached += usize::from(r.reached()),
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failed.push(format!("{}: {msg}", p.display()));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs fail:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
    eprintln!(
        "{target}: {} inputs ({reached} reached the end) in {:?}",
        files.len(),
        start.elapsed()
    );
    reached
}

trait Reached {
    fn reached(&self) -> bool;
}
impl Reached for bool {
    fn reached(&self) -> bool {
        *self
    }
}
impl Reached for usize {
    fn reached(&self) -> bool {
        *self > 0
    }
}

#[test]
fn parse_corpus() {
    let reached = replay("parse", oracles::parse, 20);
    assert!(
        reached >= 3,
        "only {reached} parse inputs reach the end of the oracle"
    );
}

#[test]
fn check_corpus() {
    let reached = replay("check", oracles::check, 20);
    assert!(
        reached >= 3,
        "only {reached} check inputs reach the end of the oracle"
    );
}

#[test]
fn fmt_corpus() {
    let reached = replay("fmt", oracles::fmt, 20);
    assert!(
        reached >= 3,
        "only {reached} fmt inputs reach the end of the oracle"
    );
}

#[test]
fn render_corpus() {
    let reached = replay("render", oracles::render, 20);
    assert!(
        reached >= 3,
        "only {reached} render inputs reach the end of the oracle"
    );
}

#[test]
fn bundle_corpus() {
    let reached = replay("bundle", oracles::bundle, 20);
    assert!(
        reached >= 3,
        "only {reached} bundle inputs reach the end of the oracle"
    );
}

/// Every sample passes every oracle (they are also seeds of the corpus).
#[test]
fn the_samples_pass_every_oracle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut n = 0;
    let mut bundled = 0;
    for e in std::fs::read_dir(dir).expect("samples/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "stack") {
            let data = std::fs::read(&p).expect("read sample");
            let name = p.display();
            assert!(oracles::parse(&data), "{name} parses");
            assert!(oracles::check(&data), "{name} is analysed");
            assert!(oracles::fmt(&data), "{name} formats");
            assert!(oracles::render(&data), "{name} draws");
            bundled += oracles::bundle(&data);
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} samples");
    // scale-up.stack passes check: its bundle goes through every validator.
    assert!(
        bundled >= 10,
        "only {bundled} bundle files checked over the samples"
    );
}
