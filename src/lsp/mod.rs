//! The language server's answers (TOOLS.md §1), pure: every request is a
//! function of one document's [`Snapshot`] (its text, where its lines start,
//! and what `check` learnt of it). `src/cli/lsp.rs` speaks the protocol
//! (JSON-RPC over stdio), keeps the documents and debounces the checks.
//!
//! Positions are LSP's: 0-based lines and UTF-16 code units
//! ([`position::LineIndex`]).

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod format;
pub mod goto;
pub mod hover;
pub mod names;
pub mod position;
pub mod rename;
pub mod symbols;

pub use position::LineIndex;

/// One version of one open document, checked.
pub struct Snapshot {
    pub text: String,
    pub index: LineIndex,
    pub checked: crate::Checked,
    /// The client's version of the text (`didOpen`/`didChange`).
    pub version: i32,
    /// Its names' occurrences, indexed on first use ([`Snapshot::names`]).
    names: std::sync::OnceLock<names::Names>,
}

impl Snapshot {
    /// Checks `text` as `stackc check` would check a file whose stem is
    /// `default_name` (the stack's name when the file has no `stack` line).
    pub fn new(text: String, default_name: Option<&str>, version: i32) -> Snapshot {
        let name = default_name.and_then(crate::stack_name_from);
        let checked = crate::check_as(&text, name.as_deref());
        let index = LineIndex::new(&text);
        Snapshot {
            text,
            index,
            checked,
            version,
            names: std::sync::OnceLock::new(),
        }
    }

    /// The LSP range of a byte span of the text.
    pub fn range(&self, span: crate::syntax::Span) -> lsp_types::Range {
        self.index.range(&self.text, span.start, span.end)
    }

    /// The byte offset of an LSP position (clamped into the text).
    pub fn offset(&self, pos: lsp_types::Position) -> usize {
        self.index.offset(&self.text, pos)
    }
}
