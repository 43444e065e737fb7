//! `textDocument/definition` and `textDocument/references`.

use super::Snapshot;
use lsp_types::{Location, Position, Uri};

pub fn definition(snap: &Snapshot, uri: &Uri, pos: Position) -> Option<Location> {
    let _ = (snap, uri, pos);
    None // owner: lsp-nav helper
}

pub fn references(snap: &Snapshot, uri: &Uri, pos: Position, declaration: bool) -> Vec<Location> {
    let _ = (snap, uri, pos, declaration);
    Vec::new() // owner: lsp-nav helper
}
