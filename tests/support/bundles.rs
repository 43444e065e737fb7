//! Helpers of the bundle tests (`bundle.rs`, `bundle_refusals.rs`): the
//! samples, fixed secrets, a bundle built in memory, its manifest and
//! listing, a written tree read back.
#![allow(dead_code)]

use super::common;
use stackc::bundle::{self, Bundle, Flavor, Manifest, Options, Refusal, Secrets};
use stackc::diag::RuleId;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub fn sample(name: &str) -> String {
    fs::read_to_string(common::root().join("samples").join(name)).unwrap()
}

/// Passwords from a fixed sequence, so that snapshots are stable.
pub fn fixed_secrets(checked: &stackc::Checked) -> Secrets {
    let mut s = Secrets::new();
    let mut n: u32 = 7;
    s.fill(&bundle::required_secrets(checked), |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *b = (n >> 16) as u8;
        }
        Ok::<(), ()>(())
    })
    .unwrap();
    s
}

pub fn build(src: &str, flavor: Flavor) -> Bundle {
    let c = stackc::check(src);
    let secrets = fixed_secrets(&c);
    match bundle::generate(
        &c,
        &Options {
            flavor,
            ..Options::default()
        },
        &secrets,
    ) {
        Ok(b) => b,
        Err(Refusal::Findings(f)) => panic!("refused: {f:#?}"),
        Err(Refusal::Secrets(e)) => panic!("secrets: {e}"),
    }
}

/// The manifest of a bundle, read with the type the writer fills.
pub fn manifest(b: &Bundle) -> Manifest {
    Manifest::from_json(std::str::from_utf8(&b.files["manifest.json"].bytes).unwrap()).unwrap()
}

/// Every file of a bundle as one text, for a snapshot.
pub fn listing(b: &Bundle) -> String {
    let mut out = String::new();
    for (path, f) in &b.files {
        out.push_str(&format!(
            "===== {path} ({:04o}{})\n",
            f.mode,
            if f.secret { ", secret" } else { "" }
        ));
        out.push_str(&String::from_utf8_lossy(&f.bytes));
    }
    out
}

pub fn read_tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                out.insert(rel, (fs::read(&p).unwrap(), mode));
            }
        }
    }
    out
}

/// What `bundle` refuses in a file: each finding's rule, the text under
/// its span and its message.
pub fn refusals(src: &str) -> Vec<(RuleId, String, String)> {
    let c = stackc::check(src);
    bundle::validate(&c)
        .into_iter()
        .map(|f| {
            let at = src[f.span.start..f.span.end].to_string();
            (f.rule, at, f.message)
        })
        .collect()
}
