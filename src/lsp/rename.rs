//! `textDocument/prepareRename` and `textDocument/rename`: servers, groups
//! and zones, everywhere they are used; refused on a clash or an invalid
//! name.

use super::Snapshot;
use lsp_types::{Position, Range, Uri, WorkspaceEdit};

/// The range of the name under `pos`, when it can be renamed.
pub fn prepare(snap: &Snapshot, pos: Position) -> Option<Range> {
    let _ = (snap, pos);
    None // owner: lsp-nav helper
}

/// The edits, or why the rename is refused (shown to the user).
pub fn edits(
    snap: &Snapshot,
    uri: &Uri,
    pos: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let _ = (snap, uri, pos, new_name);
    Err("rename is not built yet".into()) // owner: lsp-nav helper
}
