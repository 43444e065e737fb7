//! Phase 3: the x of every node and dummy (centers).

use super::order::{Item, Ordered};
use super::rank::{Chain, Port, Ranked};
use super::{Graph, Spacing};
use std::collections::HashMap;

pub struct Placed {
    /// Center x of each leaf.
    pub x: Vec<f64>,
    /// Extra room left and right inside each cluster, so its title fits.
    pub extra: Vec<(f64, f64)>,
}

struct Ctx<'a> {
    g: &'a Graph,
    r: &'a Ranked,
    sp: &'a Spacing,
    /// Label width of flat edges between two nodes (smaller index first).
    flat: HashMap<(usize, usize), f64>,
    extra: Vec<(f64, f64)>,
    up: Vec<Vec<Port>>,
    down: Vec<Vec<Port>>,
    cup: Vec<Vec<Port>>,
    cdown: Vec<Vec<Port>>,
    members: Vec<Vec<usize>>,
}

impl Ctx<'_> {
    fn width(&self, l: usize) -> f64 {
        if self.r.is_dummy(l) {
            0.0
        } else {
            self.g.nodes[l].size.w
        }
    }
    fn cluster(&self, l: usize) -> Option<usize> {
        if self.r.is_dummy(l) {
            None
        } else {
            self.g.nodes[l].cluster
        }
    }
    /// Minimum distance between the centers of neighbours `a` and `b`.
    fn sep(&self, a: usize, b: usize, with_extra: bool) -> f64 {
        let sp = self.sp;
        let mut gap = if self.r.is_dummy(a) || self.r.is_dummy(b) {
            sp.dummy_gap
        } else {
            sp.node_gap
        };
        let (ca, cb) = (self.cluster(a), self.cluster(b));
        if ca != cb {
            if let Some(c) = ca {
                gap += sp.cluster_pad + if with_extra { self.extra[c].1 } else { 0.0 };
            }
            if let Some(c) = cb {
                gap += sp.cluster_pad + if with_extra { self.extra[c].0 } else { 0.0 };
            }
            if ca.is_some() && cb.is_some() {
                gap += sp.cluster_gap;
            }
        } else if let Some(w) = self.flat.get(&(a.min(b), a.max(b))) {
            gap = gap.max(w + 2.0 * FLAT_ARROW_ROOM);
        }
        (self.width(a) + self.width(b)) / 2.0 + gap
    }
}

/// Room on each side of a flat edge's label, for the arrow.
pub const FLAT_ARROW_ROOM: f64 = 14.0;

/// Inset from a box's corners where ports may sit.
pub fn inset(w: f64) -> f64 {
    (w / 4.0).min(18.0)
}

fn leaves_of(rank: &[Item]) -> Vec<usize> {
    let mut v = Vec::new();
    for item in rank {
        match item {
            Item::Leaf(l) => v.push(*l),
            Item::Block(_, m) => v.extend_from_slice(m),
        }
    }
    v
}

pub fn place(g: &Graph, r: &Ranked, o: &mut Ordered, sp: &Spacing) -> Placed {
    let leaves = r.leaves();
    let nc = g.clusters.len();
    let mut flat = HashMap::new();
    for (e, ch) in r.chains.iter().enumerate() {
        if let Chain::Flat { from, to } = ch {
            let w = g.edges[e].label.map_or(0.0, |s| s.w);
            let k = ((*from).min(*to), (*from).max(*to));
            let cur: &mut f64 = flat.entry(k).or_insert(0.0);
            *cur = cur.max(w);
        }
    }
    let mut cx = Ctx {
        g,
        r,
        sp,
        flat,
        extra: vec![(0.0, 0.0); nc],
        up: vec![Vec::new(); leaves],
        down: vec![Vec::new(); leaves],
        cup: vec![Vec::new(); nc],
        cdown: vec![Vec::new(); nc],
        members: vec![Vec::new(); nc],
    };
    for (i, n) in g.nodes.iter().enumerate() {
        if let Some(c) = n.cluster {
            cx.members[c].push(i);
        }
    }
    for gap in &o.gaps {
        for s in gap {
            match s.upper {
                Port::Leaf(l) => cx.down[l].push(s.lower),
                Port::Cluster(c) => cx.cdown[c].push(s.lower),
            }
            match s.lower {
                Port::Leaf(l) => cx.up[l].push(s.upper),
                Port::Cluster(c) => cx.cup[c].push(s.upper),
            }
        }
    }
    let rank_leaves: Vec<Vec<usize>> = o.ranks.iter().map(|rk| leaves_of(rk)).collect();

    // Room for each cluster's title, measured on its first rank.
    for (k, rk) in o.ranks.iter().enumerate() {
        for item in rk {
            if let Item::Block(c, m) = item {
                if r.cluster_ranks[*c].0 != k {
                    continue;
                }
                let mut inner = (cx.width(m[0]) + cx.width(m[m.len() - 1])) / 2.0;
                for w in m.windows(2) {
                    inner += cx.sep(w[0], w[1], false);
                }
                let need = g.clusters[*c].title.w;
                if need > inner {
                    let half = (need - inner) / 2.0;
                    cx.extra[*c] = (half, half);
                }
            }
        }
    }

    // Start packed from the left.
    let mut x = vec![0.0; leaves];
    for ls in &rank_leaves {
        let mut at = 0.0;
        for (i, &l) in ls.iter().enumerate() {
            if i > 0 {
                at += cx.sep(ls[i - 1], l, true);
            }
            x[l] = at;
        }
    }
    let total: usize = rank_leaves.iter().map(Vec::len).sum();
    let rounds = if total > 20_000 { 4 } else { 8 };
    let n = rank_leaves.len();
    for _ in 0..rounds {
        for ls in rank_leaves.iter().skip(1) {
            place_rank(&cx, ls, &mut x, Dir::Above);
        }
        for k in (0..n.saturating_sub(1)).rev() {
            place_rank(&cx, &rank_leaves[k], &mut x, Dir::Below);
        }
    }
    for ls in &rank_leaves {
        place_rank(&cx, ls, &mut x, Dir::Both);
    }
    for ls in rank_leaves.iter().rev() {
        place_rank(&cx, ls, &mut x, Dir::Both);
    }
    straighten(&cx, &rank_leaves, &mut x);
    push_out_of_split_clusters(&cx, o, &rank_leaves, &mut x);
    Placed { x, extra: cx.extra }
}

/// Long edges run straight: all the dummies of an edge move to one x when
/// every one of them has room there between its neighbours.
fn straighten(cx: &Ctx, rank_leaves: &[Vec<usize>], x: &mut [f64]) {
    let mut pos = vec![0usize; x.len()];
    for ls in rank_leaves {
        for (i, &l) in ls.iter().enumerate() {
            pos[l] = i;
        }
    }
    for ch in &cx.r.chains {
        let Chain::Layered { ports, .. } = ch else {
            continue;
        };
        let dummies: Vec<usize> = ports
            .iter()
            .filter_map(|p| match p {
                Port::Leaf(l) if cx.r.is_dummy(*l) => Some(*l),
                _ => None,
            })
            .collect();
        if dummies.is_empty() {
            continue;
        }
        // Where each dummy may go without touching its neighbours.
        let mut lo = f64::MIN;
        let mut hi = f64::MAX;
        for &dm in &dummies {
            let ls = &rank_leaves[cx.r.rank[dm]];
            let i = pos[dm];
            if i > 0 {
                lo = lo.max(x[ls[i - 1]] + cx.sep(ls[i - 1], dm, true));
            }
            if i + 1 < ls.len() {
                hi = hi.min(x[ls[i + 1]] - cx.sep(dm, ls[i + 1], true));
            }
        }
        if lo > hi {
            continue;
        }
        // Prefer the x of an end that is a node, then the dummies' median.
        let mut want: Vec<f64> = Vec::new();
        for p in [ports[0], ports[ports.len() - 1]] {
            if let Port::Leaf(l) = p {
                want.push(x[l]);
            }
        }
        let mut xs: Vec<f64> = dummies.iter().map(|d| x[*d]).collect();
        xs.sort_by(f64::total_cmp);
        want.push(xs[xs.len() / 2]);
        let target = want
            .iter()
            .copied()
            .find(|w| *w >= lo && *w <= hi)
            .unwrap_or_else(|| xs[xs.len() / 2].clamp(lo, hi));
        for &dm in &dummies {
            x[dm] = target;
        }
    }
}

#[derive(Copy, Clone, PartialEq)]
enum Dir {
    Above,
    Below,
    Both,
}

/// The horizontal span of a port as drawn (a leaf is a point).
fn span(cx: &Ctx, x: &[f64], p: Port, lower: bool) -> (f64, f64) {
    match p {
        Port::Leaf(l) => (x[l], x[l]),
        Port::Cluster(c) => cluster_span(cx, x, c, lower),
    }
}

/// A cluster's span at its first (`top`) or last rank, inset.
fn cluster_span(cx: &Ctx, x: &[f64], c: usize, top: bool) -> (f64, f64) {
    let (a, b) = cx.r.cluster_ranks[c];
    let k = if top { a } else { b };
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for &i in &cx.members[c] {
        if cx.r.rank[i] == k {
            let w = cx.g.nodes[i].size.w;
            lo = lo.min(x[i] - w / 2.0);
            hi = hi.max(x[i] + w / 2.0);
        }
    }
    let ins = inset(hi - lo);
    (lo + ins, hi - ins)
}

/// How far `own` must move so that it overlaps `other`.
fn shift(own: (f64, f64), other: (f64, f64)) -> f64 {
    if own.1 < other.0 {
        other.0 - own.1
    } else if own.0 > other.1 {
        other.1 - own.0
    } else {
        0.0
    }
}

fn weight(cx: &Ctx, a: Port, b: Port) -> f64 {
    let d = |p: Port| matches!(p, Port::Leaf(l) if cx.r.is_dummy(l));
    match (d(a), d(b)) {
        (true, true) => 8.0,
        (false, false) => 1.0,
        _ => 2.0,
    }
}

fn place_rank(cx: &Ctx, ls: &[usize], x: &mut [f64], dir: Dir) {
    if ls.is_empty() {
        return;
    }
    let mut sw = vec![0.0; ls.len()];
    let mut swx = vec![0.0; ls.len()];
    let above = dir != Dir::Below;
    let below = dir != Dir::Above;
    // Cluster spans are needed for cluster ends only: cache per call.
    let mut spans: HashMap<(usize, bool), (f64, f64)> = HashMap::new();
    let mut span_of = |p: Port, lower: bool, x: &[f64]| match p {
        Port::Leaf(l) => (x[l], x[l]),
        Port::Cluster(c) => *spans
            .entry((c, lower))
            .or_insert_with(|| span(cx, x, p, lower)),
    };
    let mut block_start = 0;
    for (i, &l) in ls.iter().enumerate() {
        let own = (x[l], x[l]);
        let me = Port::Leaf(l);
        if above {
            for &p in &cx.up[l] {
                let w = weight(cx, me, p);
                let s = shift(own, span_of(p, false, x));
                sw[i] += w;
                swx[i] += w * (x[l] + s);
            }
        }
        if below {
            for &p in &cx.down[l] {
                let w = weight(cx, me, p);
                let s = shift(own, span_of(p, true, x));
                sw[i] += w;
                swx[i] += w * (x[l] + s);
            }
        }
        // At the end of a cluster's block: the edges of the whole cluster.
        let c = cx.cluster(l);
        let last_of_block = c.is_some() && (i + 1 == ls.len() || cx.cluster(ls[i + 1]) != c);
        if c.is_none() || i == 0 || cx.cluster(ls[i - 1]) != c {
            block_start = i;
        }
        if let (Some(c), true) = (c, last_of_block) {
            let k = cx.r.rank[l];
            let (a, b) = cx.r.cluster_ranks[c];
            let own = (
                x[ls[block_start]] - cx.width(ls[block_start]) / 2.0,
                x[l] + cx.width(l) / 2.0,
            );
            let own = (own.0 + inset(own.1 - own.0), own.1 - inset(own.1 - own.0));
            let members = (i + 1 - block_start) as f64;
            let mut ports: Vec<(Port, bool)> = Vec::new();
            if above && k == a {
                ports.extend(cx.cup[c].iter().map(|p| (*p, false)));
            }
            if below && k == b {
                ports.extend(cx.cdown[c].iter().map(|p| (*p, true)));
            }
            for (p, lower) in ports {
                let w = weight(cx, Port::Cluster(c), p) / members;
                let s = shift(own, span_of(p, lower, x));
                for j in block_start..=i {
                    sw[j] += w;
                    swx[j] += w * (x[ls[j]] + s);
                }
            }
        }
    }
    // Targets and separations, then pool adjacent violators.
    let mut t = Vec::with_capacity(ls.len());
    let mut wts = Vec::with_capacity(ls.len());
    let mut offs = Vec::with_capacity(ls.len());
    let mut acc = 0.0;
    for (i, &l) in ls.iter().enumerate() {
        if i > 0 {
            acc += cx.sep(ls[i - 1], l, true);
        }
        offs.push(acc);
        let (d, w) = if sw[i] > 0.0 {
            (swx[i] / sw[i], sw[i])
        } else {
            (x[l], 1e-3)
        };
        t.push(d - acc);
        wts.push(w);
    }
    // A cluster's members move as one, packed: groups stay compact. (With
    // x = y + offset, packed members share one y: pool them first.)
    let mut units: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let c = cx.cluster(ls[i]);
        let mut j = i + 1;
        while c.is_some() && j < ls.len() && cx.cluster(ls[j]) == c {
            j += 1;
        }
        units.push((i, j));
        i = j;
    }
    let mut ut = Vec::with_capacity(units.len());
    let mut uw = Vec::with_capacity(units.len());
    for &(a, b) in &units {
        let w: f64 = wts[a..b].iter().sum();
        let wt: f64 = (a..b).map(|k| wts[k] * t[k]).sum();
        ut.push(wt / w);
        uw.push(w);
    }
    let y = pav(&ut, &uw);
    for (u, &(a, b)) in units.iter().enumerate() {
        for k in a..b {
            x[ls[k]] = y[u] + offs[k];
        }
    }
}

/// Weighted isotonic regression: the non-decreasing `y` closest to `t`.
pub fn pav(t: &[f64], w: &[f64]) -> Vec<f64> {
    // (sum of weights, weighted sum, count)
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(t.len());
    for i in 0..t.len() {
        blocks.push((w[i], w[i] * t[i], 1));
        while blocks.len() >= 2 {
            let n = blocks.len();
            let (a, b) = (blocks[n - 2], blocks[n - 1]);
            if a.1 / a.0 > b.1 / b.0 {
                blocks.pop();
                blocks[n - 2] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
            } else {
                break;
            }
        }
    }
    let mut y = Vec::with_capacity(t.len());
    for (sw, swx, c) in blocks {
        y.extend(std::iter::repeat_n(swx / sw, c));
    }
    y
}

/// A cluster whose members sit on several ranks is drawn as one box over
/// those ranks: move whatever else sits in that box out of it, sideways.
fn push_out_of_split_clusters(cx: &Ctx, o: &Ordered, rank_leaves: &[Vec<usize>], x: &mut [f64]) {
    for c in 0..cx.g.clusters.len() {
        if !cx.r.split[c] {
            continue;
        }
        let (a, b) = cx.r.cluster_ranks[c];
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for (i, n) in cx.g.nodes.iter().enumerate() {
            if n.cluster == Some(c) {
                lo = lo.min(x[i] - n.size.w / 2.0 - cx.sp.cluster_pad - cx.extra[c].0);
                hi = hi.max(x[i] + n.size.w / 2.0 + cx.sp.cluster_pad + cx.extra[c].1);
            }
        }
        let mid = (lo + hi) / 2.0;
        for ls in rank_leaves.iter().take(b + 1).skip(a) {
            let is_member = |l: usize| cx.cluster(l) == Some(c);
            let first_member = ls.iter().position(|l| is_member(*l));
            for (i, &l) in ls.iter().enumerate() {
                if is_member(l) {
                    continue;
                }
                let left_side = match first_member {
                    Some(f) => i < f,
                    None => x[l] < mid,
                };
                let half = cx.width(l) / 2.0 + cx.sp.dummy_gap;
                if left_side && x[l] + half > lo {
                    let d = x[l] + half - lo;
                    for &m in &ls[..=i] {
                        x[m] -= d;
                    }
                } else if !left_side && x[l] - half < hi {
                    let d = hi - (x[l] - half);
                    for &m in &ls[i..] {
                        x[m] += d;
                    }
                }
            }
        }
    }
    let _ = o;
}

#[cfg(test)]
mod tests {
    #[test]
    fn pav_is_isotonic_and_exact() {
        let y = super::pav(&[1.0, 3.0, 2.0, 4.0], &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(y, vec![1.0, 2.5, 2.5, 4.0]);
    }
}
