//! `stackc import DIR` (TOOLS.md §4): the `.stack` file of a stack that
//! already runs, written from the configs its hosts carry. Pure: the CLI
//! (`src/cli/import.rs`) walks DIR into a [`Tree`] (bounded: file sizes,
//! counts, symbolic-link loops, binary files) and prints what comes back.
//!
//! The phases, one way like the compiler's:
//!
//! ```text
//! Tree ─ read/ (one reader per daemon) ─▶ Facts ─ infer ─▶ Topology ─ write ─▶ .stack text
//!                inventory (Ansible INI, YAML) ─┘
//! ```
//!
//! - [`read`]: each reader turns one daemon's files on one host into
//!   [`Fact`]s, each with the [`Origin`] (host, file, line) it came from, and
//!   [`Warning`]s for what it could not use. Readers are keyed by the roles
//!   table's [`Kit`](crate::model::Kit) (plus keepalived and BIND zones), so a
//!   new role's reader sits beside its bundle writer's kit and reads the paths
//!   that writer writes.
//! - [`inventory`]: names, addresses, groups and variables from an Ansible
//!   inventory (INI or YAML), or a bundle's `ansible/inventory.ini`.
//! - [`infer`]: hosts become servers; a backend's or upstream's servers that
//!   share a role become a group named after it; a VRRP instance's hosts an
//!   active-passive group with its vip; a primary and its replicas a
//!   replicated group; requests become links, zone files records. Every guess
//!   that could be wrong is a [`Warning`].
//! - [`write`]: the text, canonical (`stackc fmt --check` accepts it), each
//!   statement with a comment naming the files it came from and the
//!   warnings beside the statements they concern.

pub mod facts;
pub mod infer;
pub mod inventory;
pub mod read;
pub mod tree;
pub mod write;

pub use facts::{Fact, Facts, Origin, Target, Track, Warning};
pub use tree::{Entry, HostFiles, Tree};

/// What `import` produced.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The `.stack` text (canonical).
    pub text: String,
    /// Import warnings, in the order of the hosts and files they concern;
    /// `stackc import` exits 1 when there is any.
    pub warnings: Vec<Warning>,
}

/// Reads every host of `tree` (and `inventory`, when given) into a `.stack`
/// file named `name`.
pub fn import(tree: &Tree, inventory: Option<&inventory::Inventory>, name: &str) -> Imported {
    let mut facts = Facts::default();
    for host in tree.hosts() {
        read::host(host, &mut facts);
    }
    if let Some(dns) = tree.dns() {
        read::dns(dns, &mut facts);
    }
    let known: std::collections::HashSet<String> =
        facts.facts.iter().map(|(h, _, _)| h.clone()).collect();
    let folders: std::collections::HashSet<&str> = tree.hosts().map(|h| h.name.as_str()).collect();
    for host in tree.hosts() {
        if !known.contains(&host.name) {
            facts.warn(
                Origin::new(&host.name, "/", 0),
                format!("{}: no config stackc reads (haproxy, keepalived, nginx, the app, databases, caches, zones): not imported", host.name),
            );
        }
    }
    if let Some(inv) = inventory {
        for h in &inv.hosts {
            if !folders.contains(h.name.as_str()) {
                facts.warn(
                    inv.origin(h.line),
                    format!(
                        "{}: in the inventory but DIR has no folder for it: not imported",
                        h.name
                    ),
                );
            }
        }
    }
    let topology = infer::infer(&facts, inventory);
    let text = write::write(&topology, name);
    let mut warnings = facts.warnings;
    warnings.extend(topology.warnings.iter().cloned());
    Imported { text, warnings }
}
