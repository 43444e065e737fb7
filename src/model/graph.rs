//! The topology as a petgraph graph: a node per server and per group, an edge
//! from each source server to what it sends requests to, and from each group
//! to its members. Request cycles are found here, on this graph (groups
//! expanded through their member edges, LANGUAGE.md §7.6).

use super::*;
use crate::diag::{Finding, RuleId};
use petgraph::graph::{DiGraph, NodeIndex};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Server(ServerId),
    Group(GroupId),
}

/// Where a server's requests go.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    pub graph: DiGraph<Node, Option<LinkId>>,
    /// Node of each server, by `ServerId`.
    pub servers: Vec<NodeIndex>,
    /// Node of each group, by `GroupId`.
    pub groups: Vec<NodeIndex>,
}

impl Model {
    /// Whether `s` reaches target `t` locally (LANGUAGE.md §5.3, §7.6): the
    /// target is `s` itself, or a group holding `s`, except that a mysql
    /// write is local only on the primary (any member with failover=auto).
    pub fn is_local(&self, s: ServerId, t: Target, write: bool) -> bool {
        match t {
            Target::Server(x) => x == s,
            Target::Group(gid) => {
                if self.server(s).group != Some(gid) {
                    return false;
                }
                let g = self.group(gid);
                if write && g.is_mysql() {
                    g.failover == Failover::Auto || g.primary == Some(s)
                } else {
                    true
                }
            }
        }
    }
}

/// Builds `m.topology` and returns a `cycle` finding per request loop.
pub(super) fn build(m: &mut Model) -> Vec<Finding> {
    let mut t = Topology::default();
    for s in m.server_ids() {
        t.servers.push(t.graph.add_node(Node::Server(s)));
    }
    for g in m.group_ids() {
        let n = t.graph.add_node(Node::Group(g));
        t.groups.push(n);
        for s in &m.group(g).members {
            t.graph.add_edge(n, t.servers[s.index()], None);
        }
    }
    for (li, link) in m.links.iter().enumerate() {
        let lid = Some(LinkId(li as u32));
        for &s in &link.from {
            for lt in &link.targets {
                let write = link.is_write(lt);
                if m.is_local(s, lt.target, write) {
                    continue;
                }
                let to = match lt.target {
                    Target::Server(x) => t.servers[x.index()],
                    Target::Group(g) => {
                        let grp = m.group(g);
                        match (
                            write && grp.is_mysql() && grp.failover == Failover::Manual,
                            grp.primary,
                        ) {
                            (true, Some(p)) => t.servers[p.index()],
                            _ => t.groups[g.index()],
                        }
                    }
                };
                t.graph.add_edge(t.servers[s.index()], to, lid);
            }
        }
    }
    m.topology = t;
    cycles(m)
}

fn cycles(m: &Model) -> Vec<Finding> {
    let g = &m.topology.graph;
    let mut out = Vec::new();
    // Kosaraju: petgraph's iterative SCC (its Tarjan recurses, and a long chain
    // of servers overflowed the stack).
    for scc in petgraph::algo::kosaraju_scc(g) {
        if scc.len() < 2 {
            continue;
        }
        let in_scc: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
        let first = scc
            .iter()
            .filter_map(|n| match g[*n] {
                Node::Server(s) => Some(s),
                Node::Group(_) => None,
            })
            .min()
            .expect("a loop holds a server");
        let start = m.topology.servers[first.index()];
        // Shortest way around the loop from `first` back to itself.
        let mut prev: std::collections::HashMap<NodeIndex, (NodeIndex, Option<LinkId>)> =
            Default::default();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            for e in g.edges(n) {
                use petgraph::visit::EdgeRef;
                let to = e.target();
                if !in_scc.contains(&to) {
                    continue;
                }
                if to == start {
                    closing = Some((n, *e.weight()));
                    break 'bfs;
                }
                if let std::collections::hash_map::Entry::Vacant(v) = prev.entry(to) {
                    v.insert((n, *e.weight()));
                    queue.push_back(to);
                }
            }
        }
        let Some((last, last_link)) = closing else {
            continue;
        };
        // Walk back from the node that closes the loop to `start`.
        let mut back = Vec::new();
        let mut links = vec![last_link];
        let mut n = last;
        while n != start {
            back.push(n);
            let (p, l) = prev[&n];
            links.push(l);
            n = p;
        }
        back.reverse();
        links.reverse();
        let path: Vec<NodeIndex> = std::iter::once(start)
            .chain(back)
            .chain(std::iter::once(start))
            .collect();
        let names: Vec<String> = path
            .iter()
            .filter_map(|n| match g[*n] {
                Node::Server(s) => Some(m.server(s).name.clone()),
                Node::Group(_) => None,
            })
            .collect();
        let name = &m.server(first).name;
        let mut f = Finding::new(
            RuleId::Cycle,
            m.server(first).span,
            format!("requests loop: {}", names.join(" -> ")),
        )
        .subject(name.clone())
        .label(format!("{name} starts the loop"))
        .help("requests must flow one way, from the entry points to the databases: remove one link of the loop");
        let mut shown = std::collections::HashSet::new();
        for l in links.into_iter().flatten() {
            if shown.insert(l) {
                f = f.with_label(m.links[l.index()].span, "part of the loop");
            }
        }
        out.push(f);
    }
    out
}
