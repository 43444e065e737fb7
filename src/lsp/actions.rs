//! `textDocument/codeAction`: the quick fixes the findings' help suggests
//! (add `read`, point the link at the group, add `track`, a did-you-mean
//! rename, an `allow` with a reason to fill in), as edits.

use super::Snapshot;
use lsp_types::{CodeActionOrCommand, Range, Uri};

pub fn at(snap: &Snapshot, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let _ = (snap, uri, range);
    Vec::new() // owner: lsp-nav helper
}
