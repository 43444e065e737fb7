//! `textDocument/formatting`: exactly `stackc fmt`.

use super::{LineIndex, Snapshot};
use lsp_types::TextEdit;

/// The edits that make the text canonical; `None` when it does not parse
/// (as `fmt` refuses such a file), empty when it already is. The edit
/// replaces the whole document: `fmt` re-lays every line, and one edit is
/// what clients apply fastest.
pub fn edits(snap: &Snapshot) -> Option<Vec<TextEdit>> {
    text_edits(&snap.text, &snap.index)
}

/// [`edits`] of any text (the server formats the newest text, which may
/// not be checked yet: edits made from an older one would undo typing).
pub fn text_edits(text: &str, index: &LineIndex) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format_source(text)?;
    if formatted == text {
        return Some(Vec::new());
    }
    let whole = index.range(text, 0, text.len());
    Some(vec![TextEdit::new(whole, formatted)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_none_or_nothing() {
        let messy = "server   a: nginx 10.0.0.1\n\n\n";
        let snap = Snapshot::new(messy.into(), None, 1);
        let e = edits(&snap).unwrap();
        assert_eq!(e.len(), 1);
        let canonical = crate::fmt::format_source(messy).unwrap();
        assert_eq!(e[0].new_text, canonical);
        assert_eq!(e[0].range.start, lsp_types::Position::new(0, 0));
        assert_eq!(e[0].range.end, lsp_types::Position::new(3, 0));
        let clean = Snapshot::new(canonical, None, 2);
        assert_eq!(edits(&clean), Some(Vec::new()));
        let broken = Snapshot::new("server {".into(), None, 3);
        assert_eq!(edits(&broken), None);
    }
}
