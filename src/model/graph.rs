//! The topology as a petgraph graph: a node per server and per group, an edge
//! from each source server to what it sends requests to, and from each group
//! to its members. `cycle` finds request loops on this graph (groups
//! expanded through their member edges, LANGUAGE.md §7.6).

use super::*;
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

/// Where the requests for one target really go (LANGUAGE.md §5.4, §7.11):
/// decided once, here, and matched on by the topology, the availability
/// circuit, the diagram and the bundle.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A server named directly.
    Server(ServerId),
    /// A write to a replica named directly: it takes none (`replica-write`).
    ReplicaWrite(ServerId),
    /// A write to a replicated group with manual failover: its primary.
    Primary(GroupId, ServerId),
    /// A write to a manual-failover group without a primary (`no-primary`).
    NoPrimary(GroupId),
    /// Any working member: an active-active group, a `track`ed pair, a read
    /// from a replicated group.
    AnyMember(GroupId),
    /// A write to a replicated group with `failover=auto`: any working
    /// member, through the group's `vip`.
    Failover(GroupId),
    /// The holder of an active-passive group: the first member that is up.
    Holder(GroupId),
    /// A `mode=quorum` group: available while its quorum of members works;
    /// every working member takes reads and writes (RESILIENCE.md §5).
    Quorum(GroupId),
}

impl Route {
    /// The server the requests go to, when it is one.
    pub fn server(self) -> Option<ServerId> {
        match self {
            Route::Server(s) | Route::ReplicaWrite(s) | Route::Primary(_, s) => Some(s),
            _ => None,
        }
    }
}

impl Model {
    /// Where a request for `t` in `protocol` goes, read as a write or not.
    /// The replication rules win over `mode=` (§7.11) when `protocol` is a
    /// data protocol of the group's replicated role.
    pub fn route(&self, t: Target, protocol: Protocol, write: bool) -> Route {
        match t {
            Target::Server(x) if write && self.server(x).is_replica() => Route::ReplicaWrite(x),
            Target::Server(x) => Route::Server(x),
            Target::Group(g) => {
                let grp = self.group(g);
                if grp.replicates(protocol) {
                    match (write, grp.failover, grp.primary) {
                        (false, _, _) => Route::AnyMember(g),
                        (true, Failover::Auto, _) => Route::Failover(g),
                        (true, Failover::Manual, Some(p)) => Route::Primary(g, p),
                        (true, Failover::Manual, None) => Route::NoPrimary(g),
                    }
                } else {
                    match (grp.mode, grp.track) {
                        (Mode::Quorum, _) => Route::Quorum(g),
                        (Mode::ActivePassive, false) => Route::Holder(g),
                        _ => Route::AnyMember(g),
                    }
                }
            }
        }
    }

    /// Whether `s` reaches target `t` locally (LANGUAGE.md §5.3, §7.6): the
    /// requests go to `s` itself, or to a group holding `s` (a write to a
    /// manual-failover group is local only on its primary).
    pub fn is_local(&self, s: ServerId, t: Target, protocol: Protocol, write: bool) -> bool {
        match self.route(t, protocol, write) {
            Route::Server(x) | Route::ReplicaWrite(x) | Route::Primary(_, x) => x == s,
            Route::NoPrimary(_) => false,
            Route::AnyMember(g) | Route::Failover(g) | Route::Holder(g) | Route::Quorum(g) => {
                self.server(s).group == Some(g)
            }
        }
    }
}

/// Builds `m.topology` (`cycle` finds the request loops on it).
pub(super) fn build(m: &mut Model) {
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
                if m.is_local(s, lt.target, lt.protocol, write) {
                    continue;
                }
                let to = match m.route(lt.target, lt.protocol, write) {
                    Route::Server(x) | Route::ReplicaWrite(x) | Route::Primary(_, x) => {
                        t.servers[x.index()]
                    }
                    Route::NoPrimary(g)
                    | Route::AnyMember(g)
                    | Route::Failover(g)
                    | Route::Holder(g)
                    | Route::Quorum(g) => t.groups[g.index()],
                };
                t.graph.add_edge(t.servers[s.index()], to, lid);
            }
        }
    }
    m.topology = t;
}
