//! Parts and packing. Parts of the stack that no edge joins (independent
//! services) are laid out one by one, then packed: side by side while the
//! drawing stays under `WIDE`, else wrapped into rows of about the width
//! that makes the whole roughly 3:2, in the order they are declared. Each
//! part is only translated, so nothing inside it changes.

use super::geom::{Point, Rect};
use super::{ClusterSpec, EdgeSpec, End, Graph, Layout, NodeSpec, Route};

/// Wider than this, parts are wrapped into rows.
const WIDE: f64 = 3000.0;
/// Space between packed parts.
const GAP: f64 = 48.0;

fn find(p: &mut [usize], mut x: usize) -> usize {
    while p[x] != x {
        p[x] = p[p[x]];
        x = p[x];
    }
    x
}

/// A part: the graph of some nodes, and where its pieces came from.
pub struct Part {
    pub graph: Graph,
    pub nodes: Vec<usize>,
    pub clusters: Vec<usize>,
    pub edges: Vec<usize>,
}

/// Splits a graph into its connected parts (a cluster joins its members;
/// an empty cluster is a part of its own), in declaration order.
pub fn parts(g: &Graph) -> Vec<Part> {
    let n = g.nodes.len();
    let nc = g.clusters.len();
    // Union-find over nodes, then clusters (n + c).
    let mut p: Vec<usize> = (0..n + nc).collect();
    let join = |p: &mut Vec<usize>, a: usize, b: usize| {
        let (a, b) = (find(p, a), find(p, b));
        if a != b {
            p[a.max(b)] = a.min(b);
        }
    };
    for (i, node) in g.nodes.iter().enumerate() {
        if let Some(c) = node.cluster {
            join(&mut p, i, n + c);
        }
    }
    let id = |e: End| match e {
        End::Node(i) => i,
        End::Cluster(c) => n + c,
    };
    for e in &g.edges {
        join(&mut p, id(e.from), id(e.to));
    }
    let mut slot = vec![usize::MAX; n + nc];
    let mut out: Vec<Part> = Vec::new();
    let mut part_of = |p: &mut Vec<usize>, x: usize, out: &mut Vec<Part>| {
        let r = find(p, x);
        if slot[r] == usize::MAX {
            slot[r] = out.len();
            out.push(Part {
                graph: Graph::default(),
                nodes: Vec::new(),
                clusters: Vec::new(),
                edges: Vec::new(),
            });
        }
        slot[r]
    };
    let mut local = vec![usize::MAX; n + nc];
    for c in 0..nc {
        let k = part_of(&mut p, n + c, &mut out);
        local[n + c] = out[k].clusters.len();
        out[k].clusters.push(c);
        out[k].graph.clusters.push(ClusterSpec {
            title: g.clusters[c].title,
        });
    }
    for (i, node) in g.nodes.iter().enumerate() {
        let k = part_of(&mut p, i, &mut out);
        local[i] = out[k].nodes.len();
        out[k].nodes.push(i);
        out[k].graph.nodes.push(NodeSpec {
            size: node.size,
            cluster: node.cluster.map(|c| local[n + c]),
            top: node.top,
        });
    }
    for (k, e) in g.edges.iter().enumerate() {
        let part = part_of(&mut p, id(e.from), &mut out);
        let map = |e: End| match e {
            End::Node(i) => End::Node(local[i]),
            End::Cluster(c) => End::Cluster(local[n + c]),
        };
        out[part].edges.push(k);
        out[part].graph.edges.push(EdgeSpec {
            from: map(e.from),
            to: map(e.to),
            label: e.label,
            fan: e.fan,
        });
    }
    // Declaration order: by the first node (parts of only a cluster last).
    out.sort_by_key(|p| p.nodes.first().copied().unwrap_or(usize::MAX));
    out
}

/// Puts the parts' layouts together into one.
pub fn pack(g: &Graph, parts: &[Part], layouts: &[Layout]) -> Layout {
    let mut l = Layout {
        width: 0.0,
        height: 0.0,
        nodes: vec![Rect::default(); g.nodes.len()],
        clusters: vec![Rect::default(); g.clusters.len()],
        edges: vec![
            Route {
                points: Vec::new(),
                label: None,
            };
            g.edges.len()
        ],
        ranks: vec![0; g.nodes.len()],
    };
    let total: f64 = layouts.iter().map(|x| x.width + GAP).sum::<f64>() - GAP;
    let row_width = if total <= WIDE {
        f64::MAX
    } else {
        let area: f64 = layouts
            .iter()
            .map(|x| (x.width + GAP) * (x.height + GAP))
            .sum();
        (area.sqrt() * 1.5).max(WIDE)
    };
    let (mut x, mut y, mut row_h) = (0.0f64, 0.0f64, 0.0f64);
    for (part, pl) in parts.iter().zip(layouts) {
        if x > 0.0 && x + pl.width > row_width {
            x = 0.0;
            y += row_h + GAP;
            row_h = 0.0;
        }
        let (dx, dy) = (x, y);
        for (k, &i) in part.nodes.iter().enumerate() {
            l.nodes[i] = pl.nodes[k].shifted(dx, dy);
            l.ranks[i] = pl.ranks[k];
        }
        for (k, &c) in part.clusters.iter().enumerate() {
            l.clusters[c] = pl.clusters[k].shifted(dx, dy);
        }
        for (k, &e) in part.edges.iter().enumerate() {
            let r = &pl.edges[k];
            l.edges[e] = Route {
                points: r
                    .points
                    .iter()
                    .map(|p| Point::new(p.x + dx, p.y + dy))
                    .collect(),
                label: r.label.map(|b| b.shifted(dx, dy)),
            };
        }
        l.width = l.width.max(x + pl.width);
        l.height = l.height.max(y + pl.height);
        x += pl.width + GAP;
        row_h = row_h.max(pl.height);
    }
    l
}
