//! `cargo bench --bench import`: `stackc import` and `stackc drift` of a
//! generated stack's bundle (700 and 1,400 servers), held in memory (the CLI's walk of the disk is
//! not measured): the readers, the inference and the writer, then drift's
//! comparison of the file with what was read.

#[path = "support/generate.rs"]
mod generate;

use divan::{black_box, Bencher};
use stackc::bundle::{self, Options, Secrets};
use stackc::import::{self, inventory, Entry, HostFiles, Tree};

/// Servers. A bundle holds at most 205 VRRP instances (router ids 51-255),
/// and each generated service has two: 1,400 servers is the largest that
/// bundles.
const SIZES: &[usize] = &[700, 1_400];

fn main() {
    divan::main();
}

/// The bundle of a generated stack of `n` servers, as the walk of its
/// root reads it (`hosts/HOST/...`, `dns/`, `ansible/inventory.ini`).
fn tree(n: usize) -> (String, Tree) {
    let src = generate::stack(n);
    let c = stackc::check(&src);
    let mut secrets = Secrets::new();
    let mut k: u32 = 7;
    secrets
        .fill(&bundle::required_secrets(&c), |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *b = (k >> 16) as u8;
            }
            Ok::<(), ()>(())
        })
        .expect("secrets");
    let b = bundle::generate(&c, &Options::default(), &secrets).expect("it bundles");
    let mut hosts: std::collections::BTreeMap<String, HostFiles> = Default::default();
    let mut dns = HostFiles::new("dns");
    let mut inv = None;
    for (path, f) in &b.files {
        let text = String::from_utf8(f.bytes.clone()).expect("UTF-8");
        if let Some(rest) = path.strip_prefix("hosts/") {
            let (host, file) = rest.split_once('/').expect("hosts/HOST/PATH");
            hosts
                .entry(host.to_string())
                .or_insert_with(|| HostFiles::new(host))
                .insert(format!("/{file}"), Entry::Text(text));
        } else if let Some(file) = path.strip_prefix("dns/") {
            dns.insert(format!("/{file}"), Entry::Text(text));
        } else if path == "ansible/inventory.ini" {
            inv = Some(text);
        }
    }
    let tree = Tree {
        hosts: hosts.into_values().collect(),
        dns: Some(dns),
        inventory: inv,
    };
    (src, tree)
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn import(b: Bencher, n: usize) {
    let (_, tree) = tree(n);
    let inv = inventory::parse(tree.inventory.as_deref().expect("an inventory"), "inv")
        .expect("it parses");
    b.bench(|| import::import(black_box(&tree), Some(&inv), "bench"));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn drift(b: Bencher, n: usize) {
    let (src, tree) = tree(n);
    let inv = inventory::parse(tree.inventory.as_deref().expect("an inventory"), "inv")
        .expect("it parses");
    let file = stackc::check(&src);
    let imported = import::import(&tree, Some(&inv), "bench");
    let theirs = stackc::check(&imported.text);
    let show = |o: &import::Origin| o.to_string();
    b.bench(|| {
        stackc::drift::drift(
            black_box(&file.model),
            &stackc::drift::Imported {
                model: &theirs.model,
                text: &imported.text,
                show: &show,
                dir: "bundle/",
            },
        )
    });
}
