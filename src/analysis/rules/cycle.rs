//! `cycle`: requests loop between servers.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{LinkId, Model, Node};
use petgraph::graph::NodeIndex;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Cycle,
    summary: "requests loop between servers",
    explain: "\
Following links (groups expanded to their members) leads back to where it
started: `a -> b -> a`. The message shows the loop; the finding sits on its
first server in source order. A server that links to its own group is local
traffic, not a loop.

Why it matters: availability is defined by what each server needs; a loop
makes that circular, so the analysis does not run.

How to fix: requests flow one way, from the entry points towards the
databases. Remove the link that goes back up.",
};

/// A finding per request loop of the topology.
pub fn check(m: &Model, out: &mut Vec<Finding>) {
    let g = &m.topology.graph;
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
        .subject(Subject::Set(
            path[..path.len() - 1]
                .iter()
                .filter_map(|n| match g[*n] {
                    Node::Server(s) => Some(Subject::Server(m.server(s).name.clone())),
                    Node::Group(_) => None,
                })
                .collect(),
        ))
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
}
