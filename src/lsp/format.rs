//! `textDocument/formatting`: exactly `stackc fmt`.

use super::Snapshot;
use lsp_types::TextEdit;

/// The edits that make the text canonical; `None` when it does not parse
/// (as `fmt` refuses such a file), empty when it already is.
pub fn edits(snap: &Snapshot) -> Option<Vec<TextEdit>> {
    let _ = snap;
    None // owner: lsp-core helper
}
