//! `textDocument/prepareRename` and `textDocument/rename`: servers, groups
//! and zones, everywhere they are used (links, records, `allow` subjects
//! and the parts of cut subjects, `zone=` values); refused on a clash with
//! a declared name or a keyword, or on an invalid name.

use super::names::{Kind, Names};
use super::Snapshot;
use lsp_types::{Position, Range, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// The range of the name under `pos`, when it can be renamed.
pub fn prepare(snap: &Snapshot, pos: Position) -> Option<Range> {
    let names = snap.names();
    let o = names.at(snap.offset(pos))?;
    renamable(o.kind).then(|| snap.range(o.span))
}

fn renamable(kind: Kind) -> bool {
    matches!(kind, Kind::Server | Kind::Group | Kind::Zone)
}

/// The edits, or why the rename is refused (shown to the user).
pub fn edits(
    snap: &Snapshot,
    uri: &Uri,
    pos: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let names = snap.names();
    let o = names
        .at(snap.offset(pos))
        .ok_or("there is no server, group or zone name here")?;
    if !renamable(o.kind) {
        return Err(format!(
            "a {} cannot be renamed: only servers, groups and zones can",
            o.kind.as_str()
        ));
    }
    if new_name == o.name {
        return Ok(WorkspaceEdit::default());
    }
    check_name(new_name)?;
    if names.declares(new_name) {
        return Err(format!(
            "`{new_name}` is already declared: servers, groups and zones share one namespace"
        ));
    }
    let edits: Vec<TextEdit> = names
        .all(o.kind, &o.name)
        .map(|x| TextEdit::new(snap.range(x.span), new_name.to_string()))
        .collect();
    Ok(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)])))
}

/// Whether `name` is a valid server, group or zone name, asked of the
/// language itself: it must be read back as exactly that name by the
/// grammar (declared as a zone, and used at both ends of a link) and
/// declared without a finding by the resolver (which bounds its length).
pub fn check_name(name: &str) -> Result<(), String> {
    if crate::syntax::KEYWORDS.contains(&name) {
        return Err(format!("`{name}` is a keyword: choose another name"));
    }
    let invalid = || {
        format!(
            "`{name}` is not a valid name: a letter, then letters, digits, `_` or `-` (not `->`)"
        )
    };
    if name.contains(['\n', '\r', ';', '#']) {
        return Err(invalid());
    }
    let parsed = crate::syntax::parse(&format!("zone {name}\n{name} -> {name}\n"));
    let read_back = match parsed.file.statements.as_slice() {
        [crate::syntax::Statement::Zone(z), crate::syntax::Statement::Link(l)] => {
            z.name.text == name
                && z.attrs.is_empty()
                && l.sources.len() == 1
                && l.targets.len() == 1
                && l.sources[0].text == name
                && l.targets[0].text == name
                && l.proto.is_none()
                && l.attrs.is_empty()
        }
        _ => false,
    };
    if !parsed.is_ok() || !read_back {
        return Err(invalid());
    }
    let declared = crate::syntax::parse(&format!("zone {name}\n"));
    let (_, findings) = crate::model::resolve(&declared.file);
    if let Some(f) = findings.first() {
        return Err(format!("`{name}` cannot be a name: {}", f.message));
    }
    Ok(())
}

/// The occurrences a rename of the name at `offset` changes (for tests
/// and the code actions).
pub fn spans(names: &Names, offset: usize) -> Vec<crate::syntax::Span> {
    match names.at(offset) {
        Some(o) if renamable(o.kind) => super::goto::occurrences(names, offset, true),
        _ => Vec::new(),
    }
}
