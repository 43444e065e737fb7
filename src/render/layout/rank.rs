//! Phase 1: ranks from the request flow, and dummy nodes on long edges.

use super::{End, Graph};
use std::collections::VecDeque;

/// One end of a layered edge's part between two ranks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    /// A node or a dummy (leaf index: nodes first, then dummies).
    Leaf(usize),
    /// A whole cluster: its bottom when it is the upper end, its top when
    /// it is the lower end.
    Cluster(usize),
}

#[derive(Clone, Debug)]
pub enum Chain {
    /// Both ends in one rank (an edge inside a cluster): nodes.
    Flat { from: usize, to: usize },
    /// Top to bottom: the upper end, the dummies, the lower end.
    /// `reversed` when the edge points up (its arrow is at the top).
    Layered { ports: Vec<Port>, reversed: bool },
}

pub struct Ranked {
    /// Rank of each leaf (nodes, then dummies).
    pub rank: Vec<usize>,
    pub nodes: usize,
    pub nranks: usize,
    /// First and last rank of each cluster.
    pub cluster_ranks: Vec<(usize, usize)>,
    /// Clusters whose members sit at different ranks.
    pub split: Vec<bool>,
    pub chains: Vec<Chain>,
}

impl Ranked {
    pub fn leaves(&self) -> usize {
        self.rank.len()
    }
    pub fn is_dummy(&self, leaf: usize) -> bool {
        leaf >= self.nodes
    }
    /// The rank of a port as an upper (`lower = false`) or lower end.
    pub fn port_rank(&self, p: Port, lower: bool) -> usize {
        match p {
            Port::Leaf(l) => self.rank[l],
            Port::Cluster(c) => {
                let (a, b) = self.cluster_ranks[c];
                if lower {
                    a
                } else {
                    b
                }
            }
        }
    }
}

fn cluster_of(g: &Graph, e: End) -> Option<usize> {
    match e {
        End::Node(n) => g.nodes[n].cluster,
        End::Cluster(c) => Some(c),
    }
}

/// Whether an edge stays inside one cluster.
pub fn is_internal(g: &Graph, from: End, to: End) -> bool {
    matches!((cluster_of(g, from), cluster_of(g, to)), (Some(a), Some(b)) if a == b)
}

pub fn rank(g: &Graph) -> Ranked {
    let n = g.nodes.len();
    let nc = g.clusters.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nc];
    for (i, node) in g.nodes.iter().enumerate() {
        if let Some(c) = node.cluster {
            members[c].push(i);
        }
    }
    let mut split = vec![false; nc];
    // Units: one per node outside a cluster (or in a split one), one per
    // unsplit cluster, and for a split cluster an "in" and an "out" unit.
    let (unit_rank, unit_of_node, ignored) = loop {
        let mut unit_of_node = vec![usize::MAX; n];
        let mut next = 0;
        let mut cluster_unit = vec![usize::MAX; nc];
        let mut aux = vec![(usize::MAX, usize::MAX); nc];
        for c in 0..nc {
            if split[c] {
                aux[c] = (next, next + 1);
                next += 2;
            } else {
                cluster_unit[c] = next;
                next += 1;
            }
        }
        let mut is_cluster_unit = vec![None; next];
        for (c, u) in cluster_unit.iter().enumerate() {
            if *u != usize::MAX {
                is_cluster_unit[*u] = Some(c);
            }
        }
        let mut pinned = vec![false; next];
        for (i, node) in g.nodes.iter().enumerate() {
            unit_of_node[i] = match node.cluster {
                Some(c) if !split[c] => cluster_unit[c],
                _ => {
                    next += 1;
                    pinned.push(node.top);
                    is_cluster_unit.push(None);
                    next - 1
                }
            };
        }
        let units = next;
        // Constraint edges: (from, to, weight).
        let mut cons: Vec<(usize, usize, usize)> = Vec::new();
        for c in 0..nc {
            if split[c] {
                for &m in &members[c] {
                    cons.push((unit_of_node[m], aux[c].1, 0));
                    cons.push((aux[c].0, unit_of_node[m], 0));
                }
            }
        }
        let src_unit = |e: End| match e {
            End::Node(x) => unit_of_node[x],
            End::Cluster(c) if split[c] => aux[c].1,
            End::Cluster(c) => cluster_unit[c],
        };
        let dst_unit = |e: End| match e {
            End::Node(x) => unit_of_node[x],
            End::Cluster(c) if split[c] => aux[c].0,
            End::Cluster(c) => cluster_unit[c],
        };
        for e in &g.edges {
            if is_internal(g, e.from, e.to) {
                continue;
            }
            let (a, b) = (src_unit(e.from), dst_unit(e.to));
            if a != b {
                cons.push((a, b, 1));
            }
        }
        let (order, leftover) = topo(units, &cons);
        if leftover.is_empty() {
            break (
                longest(units, &cons, &order, &pinned),
                unit_of_node,
                Vec::new(),
            );
        }
        let to_split: Vec<usize> = leftover
            .iter()
            .filter_map(|u| is_cluster_unit[*u])
            .collect();
        if !to_split.is_empty() {
            for c in to_split {
                split[c] = true;
            }
            continue;
        }
        // A loop among plain nodes (a sound stack has none): drop the
        // constraints that go from a later unit to an earlier one inside it.
        let mut in_left = vec![false; units];
        for u in &leftover {
            in_left[*u] = true;
        }
        let ignored: Vec<(usize, usize, usize)> = cons
            .iter()
            .copied()
            .filter(|(a, b, _)| in_left[*a] && in_left[*b] && a >= b)
            .collect();
        cons.retain(|(a, b, _)| !(in_left[*a] && in_left[*b] && a >= b));
        let (order, _) = topo(units, &cons);
        break (
            longest(units, &cons, &order, &pinned),
            unit_of_node,
            ignored,
        );
    };
    let _ = ignored;

    let mut rank: Vec<usize> = (0..n).map(|i| unit_rank[unit_of_node[i]]).collect();
    let min = rank.iter().copied().min().unwrap_or(0);
    for r in &mut rank {
        *r -= min;
    }
    let mut cluster_ranks = vec![(0, 0); nc];
    for c in 0..nc {
        let rs = members[c].iter().map(|m| rank[*m]);
        cluster_ranks[c] = (rs.clone().min().unwrap_or(0), rs.max().unwrap_or(0));
    }
    let mut nranks = rank.iter().copied().max().map_or(0, |m| m + 1);

    // Chains, with a dummy leaf per rank crossed.
    let mut chains = Vec::with_capacity(g.edges.len());
    let end_port = |e: End| match e {
        End::Node(x) => Port::Leaf(x),
        End::Cluster(c) => Port::Cluster(c),
    };
    let node_rank = rank.clone();
    let first_member = |c: usize, r: usize| {
        members[c]
            .iter()
            .copied()
            .find(|m| node_rank[*m] == r)
            .unwrap_or(members[c][0])
    };
    for e in &g.edges {
        let pr = |p: Port, lower: bool, rank: &Vec<usize>| match p {
            Port::Leaf(l) => rank[l],
            Port::Cluster(c) => {
                if lower {
                    cluster_ranks[c].0
                } else {
                    cluster_ranks[c].1
                }
            }
        };
        let (a, b) = (end_port(e.from), end_port(e.to));
        let (upper, lower, reversed) = if pr(a, false, &rank) < pr(b, true, &rank) {
            (a, b, false)
        } else if pr(b, false, &rank) < pr(a, true, &rank) {
            (b, a, true)
        } else {
            let node = |p: Port, r: usize| match p {
                Port::Leaf(l) => l,
                Port::Cluster(c) => first_member(c, r),
            };
            let r = pr(a, false, &rank);
            chains.push(Chain::Flat {
                from: node(a, r),
                to: node(b, r),
            });
            continue;
        };
        let r0 = pr(upper, false, &rank);
        let r1 = pr(lower, true, &rank);
        let mut ports = vec![upper];
        for r in r0 + 1..r1 {
            ports.push(Port::Leaf(rank.len()));
            rank.push(r);
        }
        ports.push(lower);
        chains.push(Chain::Layered { ports, reversed });
    }
    if nranks == 0 && !rank.is_empty() {
        nranks = 1;
    }
    Ranked {
        rank,
        nodes: n,
        nranks,
        cluster_ranks,
        split,
        chains,
    }
}

/// Kahn's topological order; the units left over sit on loops.
fn topo(units: usize, cons: &[(usize, usize, usize)]) -> (Vec<usize>, Vec<usize>) {
    let mut indeg = vec![0usize; units];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); units];
    for (k, (a, b, _)) in cons.iter().enumerate() {
        indeg[*b] += 1;
        out[*a].push(k);
    }
    let mut queue: VecDeque<usize> = (0..units).filter(|u| indeg[*u] == 0).collect();
    let mut order = Vec::with_capacity(units);
    while let Some(u) = queue.pop_front() {
        order.push(u);
        for &k in &out[u] {
            let b = cons[k].1;
            indeg[b] -= 1;
            if indeg[b] == 0 {
                queue.push_back(b);
            }
        }
    }
    let mut seen = vec![false; units];
    for u in &order {
        seen[*u] = true;
    }
    let left = (0..units).filter(|u| !seen[*u]).collect();
    (order, left)
}

/// Longest path from the sources, then every source that is not pinned to
/// the top pulled down next to the first unit it calls.
fn longest(
    units: usize,
    cons: &[(usize, usize, usize)],
    order: &[usize],
    pinned: &[bool],
) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); units];
    let mut has_in = vec![false; units];
    for (k, (a, b, _)) in cons.iter().enumerate() {
        out[*a].push(k);
        has_in[*b] = true;
    }
    let mut r = vec![0usize; units];
    for &u in order {
        for &k in &out[u] {
            let (_, b, w) = cons[k];
            r[b] = r[b].max(r[u] + w);
        }
    }
    for &u in order.iter().rev() {
        if has_in[u] || pinned[u] || out[u].is_empty() {
            continue;
        }
        let lowest = out[u]
            .iter()
            .map(|k| r[cons[*k].1].saturating_sub(cons[*k].2))
            .min()
            .unwrap_or(r[u]);
        r[u] = r[u].max(lowest);
    }
    r
}
