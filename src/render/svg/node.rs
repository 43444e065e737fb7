//! A node's box: its glyphs, name, address and roles, zone and warning
//! pills, and the tooltip.

use super::glyphs::use_glyph;
use super::measure::{box_lines, cut_pills, pill_w};
use super::{n, title, txt, Scope, GLYPH, PAD};
use crate::render::diagram::{Diagram, NodeKind};
use crate::render::layout::Rect;
use crate::render::marks;
use crate::render::theme::cut_slot;
use svg::node::element::{Group, Rectangle};

#[derive(Copy, Clone)]
pub(super) enum PillKind {
    Warn,
    Zone,
    ZoneWarn,
    /// The badge of a marked cut, by its number.
    Cut(usize),
}

pub(super) fn pill(x: f64, y: f64, s: &str, kind: PillKind) -> [Box<dyn svg::Node>; 2] {
    let w = pill_w(s);
    let cut_class;
    let (bg, fg) = match kind {
        PillKind::Warn => ("pill-warn", "pt-warn"),
        PillKind::Zone => ("pill-zone", "pt-zone"),
        PillKind::ZoneWarn => ("pill-zwarn", "pt-zwarn"),
        PillKind::Cut(n) => {
            cut_class = format!("pill-cut{}", cut_slot(n));
            (cut_class.as_str(), "pt-cut")
        }
    };
    [
        Box::new(
            Rectangle::new()
                .set("x", n(x))
                .set("y", n(y))
                .set("width", n(w))
                .set("height", 15)
                .set("rx", 7.5)
                .set("class", bg),
        ),
        Box::new(txt(x + w / 2.0, y + 11.0, fg, s)),
    ]
}

pub(super) fn add_all(mut g: Group, items: [Box<dyn svg::Node>; 2]) -> Group {
    for i in items {
        g = g.add(i);
    }
    g
}

/// A row of cut badges ending at `right`, from the top `y`.
fn cut_row(mut g: Group, cuts: &[usize], right: f64, y: f64) -> Group {
    let pills = cut_pills(cuts);
    let mut x = right - pills.iter().map(|(s, _)| pill_w(s) + 4.0).sum::<f64>() + 4.0;
    for (s, n) in &pills {
        let kind = n.map_or(PillKind::Zone, PillKind::Cut);
        g = add_all(g, pill(x, y, s, kind));
        x += pill_w(s) + 4.0;
    }
    g
}

/// An element the interactive page toggles down and back: a server's box
/// or a zone's badge, named as `--fail` names it.
pub(super) fn toggle(g: Group, name: &str, label: &str) -> Group {
    g.set("data-element", name.to_string())
        .set("tabindex", "0")
        .set("role", "button")
        .set("aria-pressed", "false")
        .set(
            "aria-label",
            label.lines().next().unwrap_or(name).to_string(),
        )
}

pub(super) fn node_el(d: &Diagram, i: usize, r: &Rect, sc: &Scope) -> Group {
    let node = &d.nodes[i];
    let warn = node.warning.is_some();
    let cut = !node.cuts.is_empty();
    let mut g = Group::new().set("id", sc.id(&node.id)).set(
        "class",
        match (&node.kind, warn) {
            (NodeKind::Record { .. }, false) => "node record",
            (NodeKind::Record { .. }, true) => "node record dark",
            (NodeKind::Server { .. }, false) if cut => "node server cut",
            (NodeKind::Server { .. }, false) => "node server",
            (NodeKind::Server { .. }, true) if cut => "node server spof cut",
            (NodeKind::Server { .. }, true) => "node server spof",
            (NodeKind::Empty, _) => "node empty",
        },
    );
    let tip = match (&node.kind, &node.warning) {
        (_, Some(w)) => w.clone(),
        (NodeKind::Server { .. }, None) => match &node.text.address {
            Some(a) => format!("{} ({}) at {a}", node.name, node.text.roles),
            None => format!("{} ({})", node.name, node.text.roles),
        },
        (NodeKind::Record { rtype }, None) => format!("{} {rtype}: an entry point", node.name),
        (NodeKind::Empty, None) => "this group has no members".into(),
    };
    // Each cut it (or its zone) is in, in the legend's words.
    let mut tip = tip;
    if let Some(legend) = &d.cuts {
        for &n in node.cuts.iter().chain(&node.text.zone_cuts) {
            if let Some(c) = legend.cuts.get(n - 1) {
                tip.push('\n');
                tip.push_str(&c.legend());
            }
        }
    }
    g = g.add(title(&tip));
    if sc.interactive {
        g = match &node.kind {
            NodeKind::Server { .. } => toggle(g, &node.name, &tip),
            NodeKind::Record { .. } => g.set("data-record", node.name.clone()),
            NodeKind::Empty => g,
        };
    }
    let cut_box;
    let class = match (&node.kind, warn) {
        (NodeKind::Empty, _) => "box-empty",
        (_, true) => "box-warn",
        (_, false) if cut => {
            cut_box = format!("box-cut{}", cut_slot(node.cuts[0]));
            cut_box.as_str()
        }
        (_, false) => "box",
    };
    g = g.add(
        Rectangle::new()
            .set("x", n(r.x))
            .set("y", n(r.y))
            .set("width", n(r.w))
            .set("height", n(r.h))
            .set(
                "rx",
                if matches!(node.kind, NodeKind::Record { .. }) {
                    22
                } else {
                    8
                },
            )
            .set("class", class),
    );
    match &node.kind {
        NodeKind::Empty => {
            g = g.add(txt(r.cx(), r.cy() + 4.0, "it", &node.name));
        }
        NodeKind::Record { .. } => {
            let (l2, _) = box_lines(node);
            g = g.add(use_glyph(
                None,
                r.x + PAD + 2.0,
                r.cy() - GLYPH / 2.0,
                GLYPH,
                sc,
            ));
            let tx = r.x + PAD + GLYPH + 10.0;
            g = g.add(txt(tx, r.y + 19.0, "name", &node.name));
            g = g.add(txt(tx, r.y + 34.0, "sub", &l2));
            if let Some(b) = node.text.badge {
                let w = pill_w(b);
                g = add_all(g, pill(r.right() - PAD - w, r.y + 7.0, b, PillKind::Warn));
            }
        }
        NodeKind::Server { .. } => {
            let (l2, l3) = box_lines(node);
            let sh = node.kind.shapes();
            let gy = r.cy() - GLYPH / 2.0;
            for (k, s) in sh.iter().enumerate() {
                g = g.add(use_glyph(
                    Some(*s),
                    r.x + PAD + k as f64 * (GLYPH + 4.0),
                    gy,
                    GLYPH,
                    sc,
                ));
            }
            let tx = r.x + PAD + sh.len().max(1) as f64 * (GLYPH + 4.0) + 4.0;
            g = g.add(txt(tx, r.y + 19.0, "name", &node.name));
            g = g.add(txt(tx, r.y + 35.0, "sub", &l2));
            g = g.add(txt(tx, r.y + 50.0, "sub", l3));
            if let Some(c) = &node.text.capacity {
                let class = if node.text.overloaded {
                    "cap-over"
                } else {
                    "sub"
                };
                g = g.add(txt(tx, r.y + 65.0, class, c));
            }
            if cut {
                g = cut_row(g, &node.cuts, r.right() - PAD, r.y + 23.5);
            }
            if let Some(s) = &node.text.zone {
                let w = pill_w(s);
                let zw = if node.text.zone_spof {
                    d.zone_of(i).and_then(|z| z.warning.as_deref())
                } else {
                    None
                };
                let kind = if zw.is_some() {
                    PillKind::ZoneWarn
                } else {
                    PillKind::Zone
                };
                let mut badge =
                    add_all(Group::new(), pill(r.right() - PAD - w, r.y + 7.0, s, kind));
                if let (true, NodeKind::Server { zone: Some(z), .. }) = (sc.interactive, &node.kind)
                {
                    badge = toggle(badge, z, &format!("zone {z}"));
                }
                // A zone's cuts are named by its legend entry and here, not
                // drawn on every box of the zone (its servers' own would be
                // lost among them).
                let zone_cuts = (!node.text.zone_cuts.is_empty())
                    .then(|| format!("{s}: in {}", marks::badges(&node.text.zone_cuts)));
                match (zw, zone_cuts) {
                    (Some(t), Some(c)) => badge = badge.add(title(&format!("{t}\n{c}"))),
                    (Some(t), None) => badge = badge.add(title(t)),
                    (None, Some(c)) => badge = badge.add(title(&c)),
                    (None, None) => {}
                }
                g = g.add(badge);
            }
            if let Some(b) = node.text.badge {
                let w = pill_w(b);
                g = add_all(g, pill(r.right() - PAD - w, r.y + 40.0, b, PillKind::Warn));
            }
        }
    }
    g
}
