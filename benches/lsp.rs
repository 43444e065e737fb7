//! `cargo bench --bench lsp`: the language server's latencies (TOOLS.md §1:
//! a diagnostic within 50 ms of an edit to a 2,000-server file) on the
//! layered stacks of issue 9: an edit (deleting one of the two load
//! balancers, which makes the other a spof, and putting it back) to its
//! diagnostics, in the library (check + diagnostics) and through
//! `stackc lsp` itself (stdio, the debounce window included); hover and
//! completion on the checked snapshot.

#[path = "support/layered.rs"]
mod layered;
#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use divan::{black_box, Bencher};
use lsp_types::{Position, Uri};
use stackc::lsp::{completion, diagnostics, hover, Snapshot};

const SIZES: &[usize] = &[2_000, 20_000];

fn main() {
    divan::main();
}

/// The stack, and the same stack without the line of `lb-1`.
fn texts(n: usize) -> (String, String) {
    let text = layered::stack(n);
    let edited: String = text
        .split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with("server lb-1 "))
        .collect();
    assert_ne!(text, edited);
    (text, edited)
}

fn uri() -> Uri {
    "file:///bench/layered.stack".parse().unwrap()
}

/// What the checker thread does for one edit: check, then diagnostics.
#[divan::bench(args = SIZES, sample_count = 10)]
fn edit_to_diagnostics(b: Bencher, n: usize) {
    let (text, edited) = texts(n);
    let uri = uri();
    let mut flip = false;
    b.bench_local(|| {
        flip = !flip;
        let t = if flip { &edited } else { &text };
        let snap = Snapshot::new(black_box(t.clone()), Some("layered"), 1);
        diagnostics::of(&snap, &uri)
    });
}

/// An edit sent to `stackc lsp` until its diagnostics come back: framing,
/// JSON both ways, the debounce window, the check.
#[divan::bench(args = SIZES, sample_count = 10)]
fn server_round_trip(b: Bencher, n: usize) {
    let (text, edited) = texts(n);
    let (mut c, _) = lsp_client::LspClient::initialized();
    let uri = "file:///bench/layered.stack";
    c.open(uri, &text, 0);
    c.diagnostics(uri, 0);
    let mut version = 0;
    b.bench_local(|| {
        version += 1;
        let t = if version % 2 == 1 { &edited } else { &text };
        c.change(uri, t, version);
        let d = c.diagnostics(uri, version);
        assert_eq!(
            d.iter().any(|d| d["code"] == "spof"),
            version % 2 == 1,
            "deleting lb-1 makes lb-0 a spof"
        );
    });
    let _ = c.call("shutdown", serde_json::Value::Null);
}

/// The position of `lb-0` in its member line.
fn at_lb0(snap: &Snapshot) -> Position {
    let at = snap.text.find("server lb-0").unwrap() + "server ".len();
    snap.index.position(&snap.text, at)
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn hover_on_a_server(b: Bencher, n: usize) {
    let snap = Snapshot::new(layered::stack(n), Some("layered"), 1);
    let p = at_lb0(&snap);
    b.bench_local(|| hover::at(black_box(&snap), p));
}

/// Completion after `zone=` on a member line.
#[divan::bench(args = SIZES, sample_count = 20)]
fn completion_of_a_zone(b: Bencher, n: usize) {
    let snap = Snapshot::new(layered::stack(n), Some("layered"), 1);
    let at = snap.text.find("zone=b").unwrap() + "zone=".len();
    let p = snap.index.position(&snap.text, at);
    b.bench_local(|| completion::at(black_box(&snap), p));
}
