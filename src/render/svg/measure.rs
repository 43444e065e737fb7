//! Sizes: each node's box from the widths of its texts (DejaVu Sans
//! advance widths, no font file), group title bands and edge labels, and
//! the layout problem they make.

use super::{BADGE, GLYPH, LABEL, NAME, PAD, RECORD_H, SERVER_H, SMALL, TITLE_BAND};
use crate::model::{DbRole, Shape};
use crate::render::diagram::{Diagram, End, NodeKind};
use crate::render::layout::{self, Layout, Size};
use crate::render::text::width;

/// The lines of a node: (text, size, bold, muted).
pub(super) fn server_lines(kind: &NodeKind) -> (String, String) {
    match kind {
        NodeKind::Server {
            roles, address, db, ..
        } => {
            let addr = address.clone().unwrap_or_else(|| "no address".into());
            let mut r = roles.joined();
            match db {
                Some(DbRole::Primary) => r.push_str(" · primary"),
                Some(DbRole::Replica) => r.push_str(" · replica"),
                None => {}
            }
            (addr, r)
        }
        NodeKind::Record { rtype } => (format!("{rtype} record · entry point"), String::new()),
        NodeKind::Empty => (String::new(), String::new()),
    }
}

pub(super) fn shapes(kind: &NodeKind) -> Vec<Shape> {
    match kind {
        NodeKind::Server { roles, .. } => {
            let mut v: Vec<(crate::model::Tier, Shape)> = roles
                .iter()
                .map(|r| (r.spec().tier, r.spec().shape))
                .collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.0));
            v.into_iter().map(|(_, s)| s).collect()
        }
        _ => Vec::new(),
    }
}

pub(super) fn pill_w(s: &str) -> f64 {
    width(s, BADGE, true) + 10.0
}

pub(super) const SPOF_PILL: &str = "SPOF";
pub(super) const DARK_PILL: &str = "DARK";

/// The size of each node's box.
fn node_size(d: &Diagram, i: usize) -> Size {
    let node = &d.nodes[i];
    match &node.kind {
        NodeKind::Empty => Size {
            w: width("no members", SMALL, false) + 2.0 * PAD,
            h: 32.0,
        },
        NodeKind::Record { .. } => {
            let (l2, _) = server_lines(&node.kind);
            let pill = if node.warning.is_some() {
                pill_w(DARK_PILL) + 8.0
            } else {
                0.0
            };
            let tw = (width(&node.name, NAME, true) + pill).max(width(&l2, SMALL, false));
            Size {
                w: (PAD + GLYPH + 10.0 + tw + PAD + 4.0).ceil(),
                h: RECORD_H,
            }
        }
        NodeKind::Server { zone, .. } => {
            let (l2, l3) = server_lines(&node.kind);
            let glyphs = shapes(&node.kind).len().max(1) as f64;
            let zone_w = zone
                .as_ref()
                .map_or(0.0, |z| pill_w(&format!("zone {z}")) + 8.0);
            let spof_w = if node.warning.is_some() {
                pill_w(SPOF_PILL) + 8.0
            } else {
                0.0
            };
            let tw = (width(&node.name, NAME, true) + zone_w)
                .max(width(&l2, SMALL, false))
                .max(width(&l3, SMALL, false) + spof_w);
            Size {
                w: (PAD + glyphs * (GLYPH + 4.0) + 4.0 + tw + PAD + 4.0)
                    .max(150.0)
                    .ceil(),
                h: SERVER_H,
            }
        }
    }
}

pub(super) fn group_title(d: &Diagram, g: usize) -> (String, String) {
    let grp = &d.groups[g];
    (grp.name.clone(), grp.details())
}

fn group_title_w(d: &Diagram, g: usize) -> f64 {
    let (a, b) = group_title(d, g);
    (width(&a, 12.5, true) + 10.0 + width(&b, SMALL, false) + 2.0 * PAD).ceil()
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
