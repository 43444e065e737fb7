//! A topology as canonical `.stack` text with its origin comments (owner:
//! the import-core helper).

use super::infer::Topology;

pub fn write(topology: &Topology, name: &str) -> String {
    let _ = topology;
    format!("stack {name}\n")
}
