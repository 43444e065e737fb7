//! `textDocument/definition` and `textDocument/references`: on any
//! occurrence of a server, group, zone, domain or record (a declaration or
//! a use in a link, a record, an `allow` subject or a cut's part, a
//! `zone=` value), its declaration and every place it is written.

use super::names::{Kind, Names};
use super::Snapshot;
use lsp_types::{Location, Position, Uri};

/// Where the name under the cursor is declared (itself on a declaration).
pub fn definition(snap: &Snapshot, uri: &Uri, pos: Position) -> Option<Location> {
    let names = snap.names();
    let o = names.at(snap.offset(pos))?;
    if o.kind == Kind::Rule {
        return None;
    }
    let d = names.declaration(o.kind, &o.name)?;
    Some(Location::new(uri.clone(), snap.range(d.span)))
}

/// Every occurrence of the name under the cursor, in source order; the
/// declarations only when `declaration` is set.
pub fn references(snap: &Snapshot, uri: &Uri, pos: Position, declaration: bool) -> Vec<Location> {
    let names = snap.names();
    occurrences(&names, snap.offset(pos), declaration)
        .into_iter()
        .map(|span| Location::new(uri.clone(), snap.range(span)))
        .collect()
}

/// The spans of every occurrence of the name at `offset`.
pub(super) fn occurrences(
    names: &Names,
    offset: usize,
    declaration: bool,
) -> Vec<crate::syntax::Span> {
    let Some(o) = names.at(offset) else {
        return Vec::new();
    };
    names
        .all(o.kind, &o.name)
        .filter(|x| declaration || !x.decl)
        .map(|x| x.span)
        .collect()
}
