//! Phase 4: the y of every rank, ports on borders, edges as polylines and
//! their labels.

use super::geom::{Point, Rect};
use super::order::{Item, Ordered};
use super::position::{inset, pav, Placed};
use super::rank::{Chain, Port, Ranked};
use super::{Graph, Layout, Route, Spacing};
use std::collections::HashMap;

/// Minimum distance between two ports on one side of a box.
const PORT_GAP: f64 = 10.0;

/// How many flat edges between two neighbours run side to side (the rest
/// go under the nodes).
const SIDE_BY_SIDE: usize = 2;

/// How far above and below the middle two flat edges between the same
/// neighbours run: their labels (above the upper, below the lower) stay
/// within the height of a server's box.
const BESIDE_OFFSET: f64 = 6.0;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Side {
    Top,
    Bottom,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum BoxId {
    Node(usize),
    Cluster(usize),
}

/// A request for a port: which edge part, and where it would like to be.
struct Want {
    key: (usize, usize),
    desired: f64,
    other: f64,
}

pub fn route(g: &Graph, r: &Ranked, o: &Ordered, pl: &Placed, sp: &Spacing) -> Layout {
    let n = g.nodes.len();
    let nc = g.clusters.len();
    let nr = r.nranks.max(1);
    let x = &pl.x;

    // Horizontal extents.
    let node_span = |l: usize| {
        let w = g.nodes[l].size.w;
        (x[l] - w / 2.0, x[l] + w / 2.0)
    };
    let mut cspan = vec![(f64::MAX, f64::MIN); nc];
    for (i, node) in g.nodes.iter().enumerate() {
        if let Some(c) = node.cluster {
            let (a, b) = node_span(i);
            cspan[c].0 = cspan[c].0.min(a - sp.cluster_pad - pl.extra[c].0);
            cspan[c].1 = cspan[c].1.max(b + sp.cluster_pad + pl.extra[c].1);
        }
    }
    let box_span = |b: BoxId| match b {
        BoxId::Node(l) => node_span(l),
        BoxId::Cluster(c) => cspan[c],
    };

    // Flat edges: side to side between neighbours (two at most per pair,
    // one above the other: a link and a replication, say), else under the
    // nodes.
    let mut flat_level: HashMap<usize, usize> = HashMap::new();
    let mut levels = vec![0usize; nr];
    let mut group_levels: HashMap<(usize, Option<usize>), usize> = HashMap::new();
    // Fans: (source, to the right) -> (level, first edge); and each later
    // edge of a fan -> its first.
    let mut fans: HashMap<(usize, bool), (usize, usize)> = HashMap::new();
    let mut fan_of: HashMap<usize, usize> = HashMap::new();
    let mut beside: HashMap<(usize, usize), usize> = HashMap::new();
    let mut beside_slot: HashMap<usize, usize> = HashMap::new();
    for (e, ch) in r.chains.iter().enumerate() {
        if let Chain::Flat { from, to } = ch {
            let adjacent = o.pos[*from].abs_diff(o.pos[*to]) == 1;
            let pair = beside
                .entry(((*from).min(*to), (*from).max(*to)))
                .or_insert(0);
            if adjacent && *pair < SIDE_BY_SIDE {
                beside_slot.insert(e, *pair);
                *pair += 1;
            } else {
                // A fan joins the line of the first edge of its fan that
                // left the same node to the same side.
                let fan = (*from, x[*to] > x[*from]);
                if g.edges[e].fan {
                    if let Some(&(level, first)) = fans.get(&fan) {
                        flat_level.insert(e, level);
                        fan_of.insert(e, first);
                        continue;
                    }
                }
                // Levels are counted per group: the Us of groups side by
                // side do not overlap, so they share the rank's levels.
                let k = r.rank[*from];
                let used = group_levels.entry((k, g.nodes[*from].cluster)).or_insert(0);
                flat_level.insert(e, *used);
                if g.edges[e].fan {
                    fans.insert(fan, (*used, e));
                }
                *used += 1;
                levels[k] = levels[k].max(*used);
            }
        }
    }
    let label_h = g
        .edges
        .iter()
        .filter_map(|e| e.label.map(|s| s.h))
        .fold(0.0, f64::max);
    let flat_level_h = label_h + 2.0 * sp.label_gap;

    // Ports: every layered part's ends on boxes, and the U-shaped flats.
    let mut wants: HashMap<(BoxId, Side), Vec<Want>> = HashMap::new();
    let port_range = |b: BoxId| {
        let (a, c) = box_span(b);
        let i = inset(c - a);
        (a + i, c - i)
    };
    let as_box = |p: Port| match p {
        Port::Leaf(l) if !r.is_dummy(l) => Some(BoxId::Node(l)),
        Port::Leaf(_) => None,
        Port::Cluster(c) => Some(BoxId::Cluster(c)),
    };
    let range_of = |p: Port| match as_box(p) {
        Some(b) => port_range(b),
        None => match p {
            Port::Leaf(l) => (x[l], x[l]),
            Port::Cluster(_) => unreachable!(),
        },
    };
    for (e, ch) in r.chains.iter().enumerate() {
        match ch {
            Chain::Layered { ports, .. } => {
                for (i, w) in ports.windows(2).enumerate() {
                    let (ru, rl) = (range_of(w[0]), range_of(w[1]));
                    let lo = ru.0.max(rl.0);
                    let hi = ru.1.min(rl.1);
                    let (du, dl) = if lo <= hi {
                        let narrower = if ru.1 - ru.0 <= rl.1 - rl.0 { ru } else { rl };
                        let c = ((narrower.0 + narrower.1) / 2.0).clamp(lo, hi);
                        (c, c)
                    } else {
                        let cu = (ru.0 + ru.1) / 2.0;
                        let cl = (rl.0 + rl.1) / 2.0;
                        (cl.clamp(ru.0, ru.1), cu.clamp(rl.0, rl.1))
                    };
                    if let Some(b) = as_box(w[0]) {
                        wants.entry((b, Side::Bottom)).or_default().push(Want {
                            key: (e, 2 * i),
                            desired: du,
                            other: dl,
                        });
                    }
                    if let Some(b) = as_box(w[1]) {
                        wants.entry((b, Side::Top)).or_default().push(Want {
                            key: (e, 2 * i + 1),
                            desired: dl,
                            other: du,
                        });
                    }
                }
            }
            Chain::Flat { from, to } => {
                if let Some(level) = flat_level.get(&e) {
                    for (k, (a, b)) in [(*from, *to), (*to, *from)].into_iter().enumerate() {
                        if k == 0 && fan_of.contains_key(&e) {
                            // It leaves by its fan's port.
                            continue;
                        }
                        let ra = port_range(BoxId::Node(a));
                        // Between the same two boxes, a lower U (a higher
                        // level) takes the outer ports, so that the Us nest
                        // instead of crossing: `other` breaks the tie.
                        let outward = if x[a] < x[b] { -1.0 } else { 1.0 };
                        wants
                            .entry((BoxId::Node(a), Side::Bottom))
                            .or_default()
                            .push(Want {
                                key: (e, k),
                                desired: x[b].clamp(ra.0, ra.1),
                                other: x[b] + outward * *level as f64,
                            });
                    }
                }
            }
        }
    }
    let mut port_x: HashMap<(usize, usize), f64> = HashMap::new();
    let mut keys: Vec<&(BoxId, Side)> = wants.keys().collect();
    keys.sort();
    for k in keys {
        let list = &wants[k];
        let (lo, hi) = port_range(k.0);
        let mut idx: Vec<usize> = (0..list.len()).collect();
        idx.sort_by(|a, b| {
            list[*a]
                .desired
                .total_cmp(&list[*b].desired)
                .then(list[*a].other.total_cmp(&list[*b].other))
                .then(list[*a].key.cmp(&list[*b].key))
        });
        let m = idx.len();
        // Spread several ports over the side (up to 40 px apart), so that
        // edges and their labels stay apart.
        let gap = ((hi - lo) / m as f64).clamp(PORT_GAP, 40.0);
        let xs: Vec<f64> = if m > 1 && (m - 1) as f64 * gap > hi - lo {
            (0..m)
                .map(|i| lo + (hi - lo) * i as f64 / (m - 1) as f64)
                .collect()
        } else {
            let t: Vec<f64> = idx
                .iter()
                .enumerate()
                .map(|(i, j)| list[*j].desired - i as f64 * gap)
                .collect();
            // Non-decreasing y clamped to [lo, hi - (m-1) gap] keeps
            // every port (y + i gap) on the side.
            let top = hi - (m - 1) as f64 * gap;
            pav(&t, &vec![1.0; m])
                .iter()
                .enumerate()
                .map(|(i, y)| y.clamp(lo, top.max(lo)) + i as f64 * gap)
                .collect()
        };
        for (i, j) in idx.iter().enumerate() {
            port_x.insert(list[*j].key, xs[i]);
        }
    }
    let px = |e: usize, k: usize, p: Port| match p {
        Port::Leaf(l) if r.is_dummy(l) => x[l],
        _ => port_x[&(e, k)],
    };

    // Labels: rows in the channel above the rank the edge ends in.
    let mut slant = vec![0.0f64; nr];
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); nr];
    let mut label_row: HashMap<usize, usize> = HashMap::new();
    let mut pending: Vec<Vec<(f64, f64, usize)>> = vec![Vec::new(); nr];
    for (e, ch) in r.chains.iter().enumerate() {
        if let Chain::Layered { ports, .. } = ch {
            for (i, w) in ports.windows(2).enumerate() {
                let k = r.port_rank(w[0], false);
                let dx = (px(e, 2 * i, w[0]) - px(e, 2 * i + 1, w[1])).abs();
                slant[k] = slant[k].max(dx);
            }
            if let Some(s) = g.edges[e].label {
                let i = ports.len() - 2;
                let k = r.port_rank(ports[i], false);
                let xe = px(e, 2 * i + 1, ports[i + 1]);
                pending[k].push((xe, s.w, e));
            }
        }
    }
    for (k, p) in pending.iter_mut().enumerate() {
        p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        for &(xe, w, e) in p.iter() {
            let left = xe - w / 2.0;
            let row = rows[k]
                .iter()
                .position(|right| *right + sp.label_gap <= left)
                .unwrap_or_else(|| {
                    rows[k].push(f64::MIN);
                    rows[k].len() - 1
                });
            rows[k][row] = xe + w / 2.0;
            label_row.insert(e, row);
        }
    }
    let slant_h: Vec<f64> = slant.iter().map(|d| (d * 0.3).clamp(16.0, 64.0)).collect();

    // Heights and y of every band.
    let mut h = vec![0.0f64; nr];
    for l in 0..n {
        let k = r.rank[l];
        h[k] = h[k].max(g.nodes[l].size.h);
    }
    let mut top_band = vec![0.0f64; nr];
    let mut bottom_band = vec![0.0f64; nr];
    for c in 0..nc {
        let (a, b) = r.cluster_ranks[c];
        top_band[a] = top_band[a].max(g.clusters[c].title.h);
        bottom_band[b] = bottom_band[b].max(sp.cluster_pad);
    }
    for k in 0..nr {
        if levels[k] > 0 {
            bottom_band[k] += levels[k] as f64 * flat_level_h + sp.label_gap;
        }
    }
    let row_h = label_h + sp.label_gap;
    let mut band_top = vec![0.0; nr];
    let mut rank_top = vec![0.0; nr];
    let mut band_bottom = vec![0.0; nr];
    let mut y = 0.0;
    for k in 0..nr {
        band_top[k] = y;
        rank_top[k] = y + top_band[k];
        band_bottom[k] = rank_top[k] + h[k] + bottom_band[k];
        let labels = rows[k].len() as f64 * row_h;
        let channel = (slant_h[k] + labels + 2.0 * sp.label_gap).max(sp.channel);
        y = band_bottom[k] + channel;
    }
    let center = |k: usize| rank_top[k] + h[k] / 2.0;

    let nodes: Vec<Rect> = (0..n)
        .map(|l| {
            let s = g.nodes[l].size;
            Rect::centered(x[l], center(r.rank[l]), s.w, s.h)
        })
        .collect();
    let clusters: Vec<Rect> = (0..nc)
        .map(|c| {
            let (a, b) = r.cluster_ranks[c];
            let (x0, x1) = cspan[c];
            if x0 > x1 {
                return Rect::new(0.0, band_top[a], 0.0, 0.0);
            }
            Rect::new(x0, band_top[a], x1 - x0, band_bottom[b] - band_top[a])
        })
        .collect();

    let bottom_of = |p: Port| match p {
        Port::Leaf(l) if r.is_dummy(l) => band_bottom[r.rank[l]],
        Port::Leaf(l) => nodes[l].bottom(),
        Port::Cluster(c) => clusters[c].bottom(),
    };
    let top_of = |p: Port| match p {
        Port::Leaf(l) if r.is_dummy(l) => band_top[r.rank[l]],
        Port::Leaf(l) => nodes[l].y,
        Port::Cluster(c) => clusters[c].y,
    };

    let mut edges = Vec::with_capacity(g.edges.len());
    for (e, ch) in r.chains.iter().enumerate() {
        let label_size = g.edges[e].label;
        let route = match ch {
            Chain::Flat { from, to } => {
                let (a, b) = (nodes[*from], nodes[*to]);
                if let Some(level) = flat_level.get(&e) {
                    let k = r.rank[*from];
                    let yl = rank_top[k] + h[k] + sp.label_gap + *level as f64 * flat_level_h;
                    let first = fan_of.get(&e).copied();
                    let xa = port_x[&(first.unwrap_or(e), 0)];
                    let xb = port_x[&(e, 1)];
                    let points = vec![
                        Point::new(xa, a.bottom()),
                        Point::new(xa, yl),
                        Point::new(xb, yl),
                        Point::new(xb, b.bottom()),
                    ];
                    // The fan's label is its first edge's.
                    let label = label_size.filter(|_| first.is_none()).map(|s| {
                        Rect::new(
                            (xa + xb) / 2.0 - s.w / 2.0,
                            yl + sp.label_gap / 2.0,
                            s.w,
                            s.h,
                        )
                    });
                    Route { points, label }
                } else {
                    // Alone: through the middle, its label above. Two: one
                    // above the middle with its label above it, the other
                    // below with its label below.
                    let pair = ((*from).min(*to), (*from).max(*to));
                    let slot = beside_slot.get(&e).copied().unwrap_or(0);
                    let two = beside.get(&pair).copied().unwrap_or(1) > 1;
                    let yc = center(r.rank[*from]);
                    let (yc, below) = match (two, slot) {
                        (false, _) => (yc, false),
                        (true, 0) => (yc - BESIDE_OFFSET, false),
                        (true, _) => (yc + BESIDE_OFFSET, true),
                    };
                    let (p0, p1) = if a.x < b.x {
                        (Point::new(a.right(), yc), Point::new(b.x, yc))
                    } else {
                        (Point::new(a.x, yc), Point::new(b.right(), yc))
                    };
                    let mx = (p0.x + p1.x) / 2.0;
                    let label = label_size.map(|s| {
                        let y = if below { yc + 3.0 } else { yc - s.h - 3.0 };
                        Rect::new(mx - s.w / 2.0, y, s.w, s.h)
                    });
                    Route {
                        points: vec![p0, p1],
                        label,
                    }
                }
            }
            Chain::Layered { ports, reversed } => {
                let mut pts: Vec<Point> = Vec::new();
                let mut label = None;
                let last = ports.len() - 2;
                for (i, w) in ports.windows(2).enumerate() {
                    let k = r.port_rank(w[0], false);
                    let xs = px(e, 2 * i, w[0]);
                    let xe = px(e, 2 * i + 1, w[1]);
                    let ctop = band_bottom[k];
                    pts.push(Point::new(xs, bottom_of(w[0])));
                    pts.push(Point::new(xs, ctop));
                    pts.push(Point::new(xe, ctop + slant_h[k]));
                    pts.push(Point::new(xe, top_of(w[1])));
                    if i == last {
                        if let (Some(s), Some(row)) = (label_size, label_row.get(&e)) {
                            let ly = ctop + slant_h[k] + sp.label_gap + *row as f64 * row_h;
                            label = Some(Rect::new(xe - s.w / 2.0, ly, s.w, s.h));
                        }
                    }
                }
                let mut pts = simplify(pts);
                if *reversed {
                    pts.reverse();
                }
                Route { points: pts, label }
            }
        };
        edges.push(route);
    }

    // Everything from (0, 0).
    let mut bb: Option<Rect> = None;
    let mut add = |r: Rect| {
        bb = Some(match bb {
            Some(b) => b.union(&r),
            None => r,
        })
    };
    nodes.iter().for_each(|r| add(*r));
    clusters.iter().filter(|c| c.w > 0.0).for_each(|r| add(*r));
    for e in &edges {
        for p in &e.points {
            add(Rect::new(p.x, p.y, 0.0, 0.0));
        }
        if let Some(l) = e.label {
            add(l);
        }
    }
    let bb = bb.unwrap_or_default();
    let (dx, dy) = (-bb.x, -bb.y);
    let _ = o.ranks.iter().map(|rk: &Vec<Item>| rk.len()).sum::<usize>();
    Layout {
        width: bb.w,
        height: bb.h,
        nodes: nodes.iter().map(|r| r.shifted(dx, dy)).collect(),
        clusters: clusters.iter().map(|r| r.shifted(dx, dy)).collect(),
        edges: edges
            .into_iter()
            .map(|e| Route {
                points: e
                    .points
                    .iter()
                    .map(|p| Point::new(p.x + dx, p.y + dy))
                    .collect(),
                label: e.label.map(|l| l.shifted(dx, dy)),
            })
            .collect(),
        ranks: r.rank[..n].to_vec(),
    }
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(pts: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(pts.len());
    for p in pts {
        if let Some(q) = out.last() {
            if (q.x - p.x).abs() < 1e-6 && (q.y - p.y).abs() < 1e-6 {
                continue;
            }
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
            let forward = (b.x - a.x) * (p.x - b.x) + (b.y - a.y) * (p.y - b.y) >= 0.0;
            if cross.abs() < 1e-6 && forward {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}
