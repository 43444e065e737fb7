//! Sizes: each node's box from the widths of its texts (DejaVu Sans
//! advance widths, no font file), group title bands and edge labels, and
//! the layout problem they make.

use super::{BADGE, CAP_LINE, GLYPH, LABEL, NAME, PAD, RECORD_H, SERVER_H, SMALL, TITLE_BAND};
use crate::render::diagram::{Diagram, EdgeKind, End, Node, NodeKind};
use crate::render::layout::{self, Layout, Size};
use crate::render::marks;
use crate::render::text::width;
use std::borrow::Cow;

/// The second and third lines of a node's box: a server's address (or
/// `no address`) and roles, a record's type.
pub(super) fn box_lines(node: &Node) -> (Cow<'_, str>, &str) {
    let t = &node.text;
    match &node.kind {
        NodeKind::Server { .. } => (
            Cow::Borrowed(t.address.as_deref().unwrap_or("no address")),
            &t.kind,
        ),
        NodeKind::Record { .. } => match &t.load {
            Some(l) => (Cow::Owned(format!("{} · entry point · {l}", t.kind)), ""),
            None => (Cow::Owned(format!("{} · entry point", t.kind)), ""),
        },
        NodeKind::Empty => (Cow::Borrowed(""), ""),
    }
}

pub(super) fn pill_w(s: &str) -> f64 {
    width(s, BADGE, true) + 10.0
}

/// How many cut badges a box shows before one `+N` badge for the rest
/// (the tooltip names them all).
const CUT_BADGES: usize = 4;

/// The cut badges of a box: `(text, Some(cut number))`, and `("+N", None)`
/// for the cuts past [`CUT_BADGES`].
pub(super) fn cut_pills(cuts: &[usize]) -> Vec<(String, Option<usize>)> {
    let shown = if cuts.len() > CUT_BADGES {
        CUT_BADGES - 1
    } else {
        cuts.len()
    };
    let mut v: Vec<(String, Option<usize>)> = cuts[..shown]
        .iter()
        .map(|&c| (marks::badge(c), Some(c)))
        .collect();
    if shown < cuts.len() {
        v.push((format!("+{}", cuts.len() - shown), None));
    }
    v
}

/// The width of a row of cut badges, with the gap before it (0 for none).
pub(super) fn cut_pills_w(cuts: &[usize]) -> f64 {
    cut_pills(cuts)
        .iter()
        .map(|(s, _)| pill_w(s) + 4.0)
        .sum::<f64>()
        + if cuts.is_empty() { 0.0 } else { 4.0 }
}

/// The height of a server's box: one more line with a capacity label.
pub(super) fn server_h(node: &Node) -> f64 {
    if node.text.capacity.is_some() {
        SERVER_H + CAP_LINE
    } else {
        SERVER_H
    }
}

/// The size of each node's box.
fn node_size(d: &Diagram, i: usize) -> Size {
    let node = &d.nodes[i];
    match &node.kind {
        NodeKind::Empty => Size {
            w: width("no members", SMALL, false) + 2.0 * PAD,
            h: 32.0,
        },
        NodeKind::Record { .. } => {
            let (l2, _) = box_lines(node);
            let pill = node.text.badge.map_or(0.0, |b| pill_w(b) + 8.0);
            let tw = (width(&node.name, NAME, true) + pill).max(width(&l2, SMALL, false));
            Size {
                w: (PAD + GLYPH + 10.0 + tw + PAD + 4.0).ceil(),
                h: RECORD_H,
            }
        }
        NodeKind::Server { .. } => {
            let (l2, l3) = box_lines(node);
            let glyphs = node.kind.shapes().len().max(1) as f64;
            let zone_w = node.text.zone.as_ref().map_or(0.0, |z| pill_w(z) + 8.0);
            let spof_w = node.text.badge.map_or(0.0, |b| pill_w(b) + 8.0);
            let cap_w = node
                .text
                .capacity
                .as_deref()
                .map_or(0.0, |c| width(c, SMALL, node.text.overloaded));
            let tw = (width(&node.name, NAME, true) + zone_w)
                .max(width(&l2, SMALL, false) + cut_pills_w(&node.cuts))
                .max(width(l3, SMALL, false) + spof_w)
                .max(cap_w);
            Size {
                w: (PAD + glyphs * (GLYPH + 4.0) + 4.0 + tw + PAD + 4.0)
                    .max(150.0)
                    .ceil(),
                h: server_h(node),
            }
        }
    }
}

fn group_title_w(d: &Diagram, g: usize) -> f64 {
    let grp = &d.groups[g];
    (width(&grp.name, 12.5, true) + 10.0 + width(&grp.details, SMALL, false) + 2.0 * PAD).ceil()
}

fn label_size(s: &str) -> Size {
    Size {
        w: (width(s, LABEL, false) + 10.0).ceil(),
        h: 16.0,
    }
}

/// The layout problem of a diagram.
pub fn graph_of(d: &Diagram) -> layout::Graph {
    layout::Graph {
        nodes: (0..d.nodes.len())
            .map(|i| layout::NodeSpec {
                size: node_size(d, i),
                cluster: d.nodes[i].group,
                top: matches!(d.nodes[i].kind, NodeKind::Record { .. }),
            })
            .collect(),
        clusters: (0..d.groups.len())
            .map(|g| layout::ClusterSpec {
                title: Size {
                    w: group_title_w(d, g),
                    h: TITLE_BAND,
                },
            })
            .collect(),
        edges: d
            .edges
            .iter()
            .map(|e| layout::EdgeSpec {
                from: end(e.from),
                to: end(e.to),
                label: Some(label_size(&e.label)),
                fan: e.kind == EdgeKind::Replication,
            })
            .collect(),
    }
}

fn end(e: End) -> layout::End {
    match e {
        End::Node(i) => layout::End::Node(i),
        End::Group(g) => layout::End::Cluster(g),
    }
}

/// The layout of a diagram (what the SVG draws, before the header offset).
pub fn layout_of(d: &Diagram) -> Layout {
    layout::layout(&graph_of(d), &layout::Spacing::default())
}
