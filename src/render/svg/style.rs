//! The style sheet of the document: one class per kind of text and box, so
//! that each element carries only its geometry. In a scoped document
//! ([`super::SvgOptions::id_prefix`]) every rule applies only under the
//! document's root class.

use super::Scope;
use crate::render::theme::Palette;

/// What a drawing uses beyond the rules every drawing has: each adds its
/// rules only when drawn, so drawings without them keep their bytes.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct Uses {
    /// An optional edge.
    pub optional: bool,
    /// A replication edge.
    pub replication: bool,
    /// A VRRP peering edge.
    pub peering: bool,
    /// Colour slots of marked cuts (0: no cut marked).
    pub cut_slots: usize,
    /// A server over its capacity with nothing down.
    pub overloaded: bool,
}

/// The rules, as (selector, declarations).
fn rules(p: &Palette, uses: Uses) -> Vec<(String, String)> {
    let optional = uses.optional;
    let (text, muted, node, ns) = (p.text, p.muted, p.node, p.node_stroke);
    let (wf, warn, wt, zone, zt) = (p.warn_fill, p.warn, p.warn_text, p.zone, p.zone_text);
    let (cl, cs, edge, bg) = (p.cluster, p.cluster_stroke, p.edge, p.bg);
    let pt = "font-size:9.5px;font-weight:bold;text-anchor:middle";
    let halo = "stroke-width:4;paint-order:stroke;stroke-linejoin:round";
    let mut v = vec![
        (
            "name",
            format!("font-size:13px;font-weight:bold;fill:{text}"),
        ),
        ("sub", format!("font-size:11px;fill:{muted}")),
        (
            "it",
            format!("font-size:11px;fill:{muted};font-style:italic;text-anchor:middle"),
        ),
        ("box", format!("fill:{node};stroke:{ns};stroke-width:1.2")),
        (
            "box-warn",
            format!("fill:{wf};stroke:{warn};stroke-width:2.5"),
        ),
        (
            "box-empty",
            format!("fill:{node};stroke:{ns};stroke-width:1.2;stroke-dasharray:4 3"),
        ),
        ("pill-warn", format!("fill:{warn}")),
        ("pill-zone", format!("fill:{zone}")),
        (
            "pill-zwarn",
            format!("fill:{wf};stroke:{warn};stroke-width:1"),
        ),
        ("pt-warn", format!("{pt};fill:{wt}")),
        ("pt-zone", format!("{pt};fill:{zt}")),
        ("pt-zwarn", format!("{pt};fill:{warn}")),
        ("group", format!("fill:{cl};stroke:{cs};stroke-width:1.2")),
        (
            "gname",
            format!("font-size:12.5px;font-weight:bold;fill:{text};stroke:{cl};{halo}"),
        ),
        (
            "gsub",
            format!("font-size:11px;fill:{muted};stroke:{cl};{halo}"),
        ),
        ("edge", format!("fill:none;stroke:{edge};stroke-width:1.4")),
        (
            "read",
            format!("fill:none;stroke:{edge};stroke-width:1.4;stroke-dasharray:5 3"),
        ),
    ];
    if optional {
        // Shorter dashes than a read: the sources work without it.
        v.push((
            "optional",
            format!("fill:none;stroke:{edge};stroke-width:1.4;stroke-dasharray:2 3"),
        ));
    }
    v.extend([
        (
            "edge-warn",
            format!("fill:none;stroke:{warn};stroke-width:2"),
        ),
        ("lbl", format!("fill:{bg};stroke:{cs};stroke-width:0.8")),
        (
            "lbl-warn",
            format!("fill:{bg};stroke:{warn};stroke-width:1"),
        ),
        (
            "lt",
            format!("font-size:10.5px;fill:{muted};text-anchor:middle"),
        ),
        (
            "lt-warn",
            format!("font-size:10.5px;fill:{warn};text-anchor:middle;font-weight:bold"),
        ),
    ]);
    // Replication dashed, peering dotted with round dots, each in its
    // colour with its label's text.
    if uses.replication {
        let c = p.replication;
        v.push((
            "replication",
            format!("fill:none;stroke:{c};stroke-width:1.6;stroke-dasharray:6 4"),
        ));
        v.push((
            "lt-repl",
            format!("font-size:10.5px;fill:{c};text-anchor:middle"),
        ));
    }
    if uses.peering {
        let c = p.peering;
        v.push((
            "peering",
            format!(
                "fill:none;stroke:{c};stroke-width:2;stroke-dasharray:1 3.5;stroke-linecap:round"
            ),
        ));
        v.push((
            "lt-peer",
            format!("font-size:10.5px;fill:{c};text-anchor:middle"),
        ));
    }
    let mut v: Vec<(String, String)> = v.into_iter().map(|(c, d)| (c.to_string(), d)).collect();
    if uses.cut_slots > 0 {
        for k in 1..=uses.cut_slots {
            let c = p.cut(k);
            v.push((
                format!("box-cut{k}"),
                format!("fill:{node};stroke:{c};stroke-width:2.5"),
            ));
            v.push((format!("pill-cut{k}"), format!("fill:{c}")));
        }
        v.push(("pt-cut".into(), format!("{pt};fill:{}", p.cut_text)));
    }
    if uses.overloaded {
        v.push((
            "cap-over".into(),
            format!("font-size:11px;font-weight:bold;fill:{text}"),
        ));
    }
    v
}

/// The style sheet; the rules for optional, replication and peering
/// edges, cuts and overloaded servers only when one is drawn.
pub(super) fn stylesheet(p: &Palette, sc: &Scope, uses: Uses) -> String {
    let mut css = String::with_capacity(2048);
    for (class, decl) in rules(p, uses) {
        if let Some(root) = &sc.root {
            css.push('.');
            css.push_str(root);
            css.push(' ');
        }
        css.push('.');
        css.push_str(&class);
        css.push('{');
        css.push_str(&decl);
        css.push('}');
    }
    css
}
