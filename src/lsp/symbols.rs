//! `textDocument/documentSymbol`: the outline (stack, zones, domains and
//! records, groups and their members, servers), in source order. Each
//! symbol's range is its whole statement (a group or a domain with its
//! block), its selection range the declared name; the detail says what the
//! line declares (roles and address, a group's mode, a record's targets).

use super::Snapshot;
use crate::syntax::{Attr, Spanned, Statement};
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn document(snap: &Snapshot) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for st in &snap.checked.file.statements {
        match st {
            Statement::Stack(s) => {
                let detail = s.title.as_ref().map(|t| t.text.clone());
                out.push(symbol(snap, &s.name, s.span, SymbolKind::NAMESPACE, detail));
            }
            Statement::Zone(z) => {
                out.push(symbol(snap, &z.name, z.span, SymbolKind::ENUM_MEMBER, None));
            }
            Statement::Server(s) => {
                let detail = words(roles(&s.roles), s.address.as_ref());
                out.push(symbol(snap, &s.name, s.span, SymbolKind::OBJECT, detail));
            }
            Statement::Group(g) => {
                let mut detail = roles(&g.roles);
                if let Some(mode) = attr(&g.attrs, "mode") {
                    detail.push(' ');
                    detail.push_str(mode);
                }
                let mut sym = symbol(snap, &g.name, g.span, SymbolKind::CLASS, Some(detail));
                let members = g
                    .members
                    .iter()
                    .map(|m| {
                        let detail = words(String::new(), m.address.as_ref());
                        symbol(snap, &m.name, m.span, SymbolKind::OBJECT, detail)
                    })
                    .collect();
                sym.children = Some(members);
                out.push(sym);
            }
            Statement::Domain(d) => {
                let mut sym = symbol(snap, &d.name, d.span, SymbolKind::MODULE, None);
                let records = d
                    .records
                    .iter()
                    .map(|r| {
                        let targets: Vec<&str> =
                            r.targets.iter().map(|t| t.text.as_str()).collect();
                        let detail = format!("{} -> {}", r.rtype.text, targets.join(", "));
                        symbol(snap, &r.label, r.span, SymbolKind::FIELD, Some(detail))
                    })
                    .collect();
                sym.children = Some(records);
                out.push(sym);
            }
            Statement::Link(_) | Statement::Allow(_) => {}
        }
    }
    out
}

/// `nginx+app`: the roles as written.
fn roles(roles: &[Spanned]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.text.as_str()).collect();
    names.join("+")
}

/// The value of attribute `key`, as written.
fn attr<'a>(attrs: &'a [Attr], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.key.text == key)
        .and_then(|a| a.value.as_ref())
        .map(|v| v.text.as_str())
}

/// `head` and the address, space-separated; `None` when both are empty.
fn words(head: String, address: Option<&Spanned>) -> Option<String> {
    let mut s = head;
    if let Some(a) = address {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&a.text);
    }
    (!s.is_empty()).then_some(s)
}

#[allow(deprecated)] // `deprecated` is a field the protocol keeps; it is unset
fn symbol(
    snap: &Snapshot,
    name: &Spanned,
    span: crate::syntax::Span,
    kind: SymbolKind,
    detail: Option<String>,
) -> DocumentSymbol {
    // The statement's span holds its name; should a recovering parser ever
    // give less, the range grows so that it still contains the selection.
    let whole = span.join(name.span);
    DocumentSymbol {
        name: if name.text.is_empty() {
            "?".to_string()
        } else {
            name.text.clone()
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: snap.range(whole),
        selection_range: snap.range(name.span),
        children: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_of_a_sample() {
        let text = include_str!("../../samples/scale-up.stack");
        let snap = Snapshot::new(text.into(), None, 1);
        let syms = document(&snap);
        let top: Vec<&str> = syms.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            top,
            ["foobar", "a", "b", "foobar.com", "lb", "web", "app", "db"]
        );
        let lb = &syms[4];
        assert_eq!(lb.kind, SymbolKind::CLASS);
        assert_eq!(lb.detail.as_deref(), Some("haproxy active-passive"));
        let members: Vec<&str> = lb
            .children
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(members, ["lb-01", "lb-02"]);
        let www = &syms[3].children.as_ref().unwrap()[0];
        assert_eq!(www.name, "www");
        assert_eq!(www.detail.as_deref(), Some("A -> lb"));
        for s in &syms {
            assert!(s.range.start <= s.selection_range.start);
            assert!(s.selection_range.end <= s.range.end);
            for c in s.children.iter().flatten() {
                assert!(s.range.start <= c.range.start && c.range.end <= s.range.end);
            }
        }
    }
}
