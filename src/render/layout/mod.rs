//! stackc's own layered (Sugiyama-style) layout, top to bottom: no
//! Graphviz, no browser. It takes boxes (nodes with a size, optionally in a
//! cluster), clusters (a title band) and edges (between nodes or whole
//! clusters, optionally labelled) and returns rectangles and polylines.
//! The phases, each a module:
//!
//! 1. **Ranking** (`rank`). Requests flow down: every edge goes from a
//!    lower rank to a higher one. A cluster is one unit (its members share
//!    a rank), so the longest path is taken on the graph with clusters
//!    contracted; edges inside a cluster become *flat* edges drawn beside
//!    the nodes. Nodes pinned to the top (DNS records) stay at rank 0, other
//!    sources are pulled down next to what they call. Should contracting
//!    make a loop that the stack does not have (a cluster whose members sit
//!    at different depths), those clusters are split into per-member ranks
//!    through two auxiliary nodes each, so edges to and from the cluster
//!    still constrain every member. Edges over several ranks get a dummy
//!    node per rank crossed.
//! 2. **Ordering** (`order`): crossing reduction. Each rank is a sequence
//!    of items: a node, a dummy, or a cluster's block of members (blocks
//!    are never split, so clusters stay contiguous and nothing else runs
//!    through them). Sweeps down and up sort every rank by the barycenter
//!    (even rounds) or the median (odd rounds) of its neighbours in the
//!    rank before; then adjacent items, and members inside a block, are
//!    transposed while that removes crossings. Each item is also sifted
//!    (tried at every place within 48 items of where it is, each place
//!    costed by the pairs of items it passes, so a rank costs time linear
//!    in its items and edges) and each long edge tries running down either
//!    side with all its dummies (recounting only the gaps it passes, within
//!    a work budget of a few times the graph's size per round), which finds
//!    what swaps of neighbours cannot. Crossings are counted
//!    exactly between every pair of ranks (sort plus inversion count) and
//!    the best order seen is kept; the rounds are bounded (fewer on large
//!    graphs).
//! 3. **Coordinates** (`position`): x of every node and dummy. Each rank is
//!    placed to minimise the weighted squared distance to where its
//!    neighbours want it (the x of the node or dummy at the other end;
//!    for a cluster end, the nearest point of the cluster's span, so an
//!    edge drops straight into a wide cluster), under the minimum
//!    separations of the order: node gaps, cluster padding, room for the
//!    cluster title and for flat edges' labels. That problem is solved
//!    exactly per rank by pool-adjacent-violators (isotonic regression),
//!    alternating down and up sweeps. Edge weights grow along long edges
//!    (1 node-node, 2 node-dummy, 8 dummy-dummy, as in dot), and at the end
//!    all the dummies of a long edge move to one x where they have room, so
//!    long edges run straight. The result keeps edges straight where they can be and
//!    groups compact, in linear time per sweep (a priority/quadratic
//!    method rather than Brandes–Köpf's four alignments).
//! 4. **Routing** (`route`): y of every rank (node band, cluster title band
//!    above, cluster padding below, then a channel before the next rank),
//!    ports spread along the bottom and top borders of nodes and clusters
//!    (an edge between two boxes that overlap horizontally drops straight),
//!    and each edge as a polyline: vertical through rank bands (where only
//!    its own dummy slot is), a slant at the top of each channel, vertical
//!    again into the target, ending on the target's border. Labels sit on
//!    the last vertical part, in rows of the channel so that they overlap
//!    neither nodes nor each other. Flat edges run side to side between
//!    neighbours (the gap is widened to hold the label; two between the
//!    same pair run one above the other) or under the nodes in the
//!    cluster's bottom padding, one level each per cluster, nested so that
//!    they do not cross; a *fan* (edges marked `fan` leaving one node to
//!    one side: a primary's replication) shares one level, one port and
//!    one label.
//!
//! 5. **Packing** (`pack`): parts of the stack that no edge joins
//!    (independent services) go through phases 1-4 one by one, then sit
//!    side by side, wrapped into rows when the drawing would be wider than
//!    3,000 px; each part is only translated.
//!
//! `geom` holds the geometry the tests assert on (boxes, segment
//! intersection, crossing counts of polylines).

pub mod geom;
mod order;
mod pack;
mod position;
mod rank;
mod route;

pub use geom::{Point, Rect};

/// A width and a height.
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// One end of an edge.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    Node(usize),
    Cluster(usize),
}

#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub size: Size,
    pub cluster: Option<usize>,
    /// Stays in the first rank (an entry point).
    pub top: bool,
}

#[derive(Clone, Debug)]
pub struct ClusterSpec {
    /// The title band drawn above the members.
    pub title: Size,
}

#[derive(Clone, Debug)]
pub struct EdgeSpec {
    pub from: End,
    pub to: End,
    pub label: Option<Size>,
    /// Edges inside a group that say the same thing from the same node
    /// (a primary's replication to each replica): those that run under
    /// the boxes to the same side share one line, and its one label (on
    /// the first), instead of a line each.
    pub fan: bool,
}

/// What to lay out.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: Vec<NodeSpec>,
    pub clusters: Vec<ClusterSpec>,
    pub edges: Vec<EdgeSpec>,
}

/// A routed edge.
#[derive(Clone, Debug)]
pub struct Route {
    /// From the source's border to the target's border (the arrow's tip).
    pub points: Vec<Point>,
    /// Where the label goes (its box), when the edge has one.
    pub label: Option<Rect>,
}

/// Where everything goes. Coordinates start at (0, 0), y grows down.
#[derive(Clone, Debug)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Rect>,
    pub clusters: Vec<Rect>,
    pub edges: Vec<Route>,
    /// The rank of each node.
    pub ranks: Vec<usize>,
}

/// Spacing, in pixels.
#[derive(Clone, Debug)]
pub struct Spacing {
    /// Between two nodes of a rank.
    pub node_gap: f64,
    /// Beside a dummy (an edge passing through a rank).
    pub dummy_gap: f64,
    /// Inside a cluster, around its members (sides and bottom).
    pub cluster_pad: f64,
    /// Between two clusters side by side (added to `node_gap`).
    pub cluster_gap: f64,
    /// Minimum height of the channel between two ranks.
    pub channel: f64,
    /// Space between labels and around them.
    pub label_gap: f64,
}

impl Default for Spacing {
    fn default() -> Self {
        Spacing {
            node_gap: 36.0,
            dummy_gap: 18.0,
            cluster_pad: 14.0,
            cluster_gap: 12.0,
            channel: 40.0,
            label_gap: 6.0,
        }
    }
}

/// Lays a graph out. Deterministic: the same graph gives the same layout.
pub fn layout(g: &Graph, sp: &Spacing) -> Layout {
    let parts = pack::parts(g);
    if parts.len() <= 1 {
        return layout_part(g, sp);
    }
    let layouts: Vec<Layout> = parts.iter().map(|p| layout_part(&p.graph, sp)).collect();
    pack::pack(g, &parts, &layouts)
}

/// Phases 1-4 on one connected part.
fn layout_part(g: &Graph, sp: &Spacing) -> Layout {
    let ranked = rank::rank(g);
    let mut ordered = order::order(g, &ranked);
    let xs = position::place(g, &ranked, &mut ordered, sp);
    route::route(g, &ranked, &ordered, &xs, sp)
}

/// Edge crossings of a layout (pairs of edges whose polylines cross, each
/// crossing point counted), as a reader would count them.
pub fn crossings(l: &Layout) -> usize {
    let lines: Vec<&[Point]> = l.edges.iter().map(|e| &e.points[..]).collect();
    geom::count_crossings(&lines)
}
