#![no_main]
//! Fuzz target `render`: the oracle body lives in `fuzz/oracles/mod.rs`, shared
//! with `tests/fuzz_corpus.rs`.

#[allow(dead_code)]
#[path = "../oracles/mod.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = oracles::render(data);
});
