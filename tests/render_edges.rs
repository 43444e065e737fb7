//! Replication and VRRP peering (issue 13, TOOLS.md §3): every format
//! draws exactly the edges the model calls for (counted from the model's
//! fields by `render_support::member_edges_of_model`, not by the diagram's
//! code), each in its own style: Mermaid `-.->|replicates|` and
//! `-.-|VRRP|` with a `linkStyle` in the palette's colours, DOT dashed and
//! dotted without arrow, `constraint=false`, the SVG's `replication` and
//! `peering` paths with their labels and legend entries.

mod common;
mod render_support;

use render_support::{
    layout_problems, mark_problems, member_edges_of, member_edges_of_model, rasterise,
};
use stackc::render::diagram::{Diagram, EdgeKind, REPLICATES, VRRP};
use stackc::render::{self, svg, theme, Format, Theme};
use stackc::Checked;
use std::collections::HashMap;

type Edges = Vec<(EdgeKind, String, String)>;

/// The files of this test: two samples with a replicated group and a vip
/// pair, and the diagram case with a VRRP trio, a primary with two
/// replicas, a pair whose second member is the primary, and a quorum group.
const FILES: [&str; 3] = [
    "samples/scale-up.stack",
    "samples/full-stack.stack",
    "tests/diagrams/member-edges.stack",
];

fn load(file: &str) -> (Checked, Diagram) {
    let src = std::fs::read_to_string(common::root().join(file)).unwrap();
    let c = stackc::check(&src);
    let d = Diagram::of(&c).unwrap();
    (c, d)
}

/// Node names by id.
fn names(d: &Diagram) -> HashMap<&str, &str> {
    d.nodes
        .iter()
        .map(|n| (n.id.as_str(), n.name.as_str()))
        .collect()
}

/// What the model asks of each file, and what the diagram holds.
#[test]
fn the_diagram_holds_exactly_the_models_member_edges() {
    let mut seen = (0, 0);
    for file in FILES {
        let (c, d) = load(file);
        let want = member_edges_of_model(&c);
        assert_eq!(member_edges_of(&d), want, "{file}");
        seen.0 += want.iter().filter(|e| e.0 == EdgeKind::Replication).count();
        seen.1 += want.iter().filter(|e| e.0 == EdgeKind::Peering).count();
        for e in d.edges.iter().filter(|e| !e.is_request()) {
            let label = if e.kind == EdgeKind::Replication {
                REPLICATES
            } else {
                VRRP
            };
            assert_eq!(e.label, label);
            assert!(!e.read && !e.optional && e.warning.is_none());
        }
    }
    // scale-up: 1 + 2; full-stack: 2 + 3; member-edges: 3 + 3.
    assert_eq!(seen, (6, 8));
    // The case's groups one by one: the trio is a chain, the primary
    // second in its pair, nothing in the quorum group.
    let (_, d) = load("tests/diagrams/member-edges.stack");
    let edges: Vec<String> = member_edges_of(&d)
        .iter()
        .map(|(k, a, b)| format!("{k:?} {a} {b}"))
        .collect();
    assert_eq!(
        edges,
        [
            "Replication db-01 db-02",
            "Replication db-01 db-03",
            "Replication redis-02 redis-01",
            "Peering lb-01 lb-02",
            "Peering lb-02 lb-03",
            "Peering redis-01 redis-02",
        ]
    );
}

/// A quorum group, a group without a primary and a replicated group
/// without a vip draw no peering; only the vip groups peer.
#[test]
fn groups_that_neither_replicate_nor_peer_draw_neither() {
    let src = "group q: mysql mode=quorum { server q-01 10.0.0.1; server q-02 10.0.0.2; server q-03 10.0.0.3 }\n\
               group m: mysql { server m-01 10.0.1.1 primary; server m-02 10.0.1.2 }\n\
               group w: nginx { server w-01 10.0.2.1; server w-02 10.0.2.2 }\n\
               domain example.com { www A -> w }\n\
               w -> q : mysql\nw -> m : mysql\n";
    let c = stackc::check(src);
    let d = Diagram::of(&c).unwrap();
    let edges = member_edges_of(&d);
    assert_eq!(edges, member_edges_of_model(&c));
    assert_eq!(
        edges,
        [(EdgeKind::Replication, "m-01".into(), "m-02".into())]
    );
    // Two primaries: no replication source is known, so none is drawn
    // (many-primaries says why).
    let two = src.replace("server m-02 10.0.1.2", "server m-02 10.0.1.2 primary");
    let c = stackc::check(&two);
    if let Some(d) = Diagram::of(&c) {
        assert!(member_edges_of(&d).is_empty(), "{:?}", member_edges_of(&d));
    }
}

/// Mermaid: each replication a dotted arrow labelled `replicates`, each
/// peering a dotted line without arrow labelled `VRRP`, each styled by a
/// `linkStyle` of its own index in the palette's colour with its dashes;
/// request links keep their arrows.
#[test]
fn mermaid_draws_exactly_the_member_edges() {
    for file in FILES {
        let (c, d) = load(file);
        let ids = names(&d);
        for t in [Theme::Light, Theme::Dark] {
            let p = theme::palette(t);
            let mmd = render::emit(&d, Format::Mermaid, t);
            let mut links = 0usize;
            let mut got: Edges = Vec::new();
            let mut want_styles = Vec::new();
            for line in mmd.lines() {
                // `  FROM ARROW|"LABEL"| TO`
                let Some((from, rest)) = line.trim().split_once(' ') else {
                    continue;
                };
                let Some((arrow, rest)) = rest.split_once('|') else {
                    continue;
                };
                if !["-->", "-.->", "-.-"].contains(&arrow) {
                    continue;
                }
                let (label, to) = rest.rsplit_once("| ").unwrap();
                let label = label.trim_matches('"');
                let kind = match (arrow, label) {
                    ("-.->", REPLICATES) => Some((EdgeKind::Replication, p.replication, "6 4")),
                    ("-.-", VRRP) => Some((EdgeKind::Peering, p.peering, "2 3")),
                    ("-.-", _) => panic!("{file}: a line without arrow that is not VRRP: {line}"),
                    _ => None,
                };
                if let Some((k, colour, dashes)) = kind {
                    got.push((k, ids[from].to_string(), ids[to].to_string()));
                    want_styles.push(format!(
                        "  linkStyle {links} stroke:{colour},stroke-width:2px,stroke-dasharray:{dashes},color:{colour}"
                    ));
                }
                links += 1;
            }
            got.sort();
            assert_eq!(got, member_edges_of_model(&c), "{file}\n{mmd}");
            assert_eq!(links, d.edges.len(), "{file}: one link per edge");
            for s in &want_styles {
                assert!(mmd.lines().any(|l| l == s), "{file}: no `{s}`\n{mmd}");
            }
        }
    }
}

/// DOT: each replication dashed in its colour, each peering dotted with
/// no arrow, both `constraint=false`; requests never are.
#[test]
fn dot_draws_exactly_the_member_edges() {
    for file in FILES {
        let (c, d) = load(file);
        let ids = names(&d);
        let p = theme::palette(Theme::Light);
        let dot = render::emit(&d, Format::Dot, Theme::Light);
        let mut got: Edges = Vec::new();
        let mut edges = 0;
        for line in dot.lines().filter(|l| l.contains("\" -> \"")) {
            edges += 1;
            let (ends, attrs) = line.trim().split_once(" [").unwrap();
            let (a, b) = ends.split_once(" -> ").unwrap();
            let (a, b) = (ids[a.trim_matches('"')], ids[b.trim_matches('"')]);
            let kind = if attrs.starts_with("label=\"replicates\"") {
                assert!(attrs.contains("style=dashed"), "{line}");
                assert!(attrs.contains(&format!("color=\"{}\"", p.replication)));
                EdgeKind::Replication
            } else if attrs.starts_with("label=\"VRRP\"") {
                assert!(attrs.contains("style=dotted") && attrs.contains("dir=none"));
                assert!(attrs.contains(&format!("color=\"{}\"", p.peering)));
                EdgeKind::Peering
            } else {
                assert!(!attrs.contains("constraint=false"), "{line}");
                continue;
            };
            assert!(attrs.contains("constraint=false"), "{line}");
            got.push((kind, a.to_string(), b.to_string()));
        }
        got.sort();
        assert_eq!(got, member_edges_of_model(&c), "{file}\n{dot}");
        assert_eq!(edges, d.edges.len());
    }
}

/// SVG: a `replication` path (with the replication arrow) or a `peering`
/// path (no arrow) per edge, from and to the right boxes, each with its
/// label in its colour; the legend names each kind drawn, and only those;
/// the layout's invariants hold and the picture rasterises.
#[test]
fn svg_draws_exactly_the_member_edges() {
    for file in FILES {
        let (c, d) = load(file);
        let ids = names(&d);
        for t in [Theme::Light, Theme::Dark] {
            let text = render::emit(&d, Format::Svg, t);
            let doc = roxmltree::Document::parse(&text).unwrap();
            let mut got: Edges = Vec::new();
            for path in doc.descendants().filter(|n| {
                n.has_tag_name("path") && n.attribute("id").is_some_and(|i| i.starts_with("edge"))
            }) {
                let id = path.attribute("id").unwrap();
                let kind = match path.attribute("class") {
                    Some("replication") => {
                        assert_eq!(path.attribute("marker-end"), Some("url(#arrow-repl)"));
                        EdgeKind::Replication
                    }
                    Some("peering") => {
                        assert_eq!(path.attribute("marker-end"), None, "{id}");
                        EdgeKind::Peering
                    }
                    _ => continue,
                };
                // `edge{k}-{from}-{to}`: ids hold no `-`.
                let parts: Vec<&str> = id.splitn(3, '-').collect();
                let (a, b) = (ids[parts[1]], ids[parts[2]]);
                got.push((kind, a.to_string(), b.to_string()));
            }
            got.sort();
            let want = member_edges_of_model(&c);
            assert_eq!(got, want, "{file}");
            let texts = |class: &str| {
                doc.descendants()
                    .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some(class))
                    .filter_map(|n| n.text().map(|s| s.trim().to_string()))
                    .collect::<Vec<_>>()
            };
            let count = |k: EdgeKind| want.iter().filter(|e| e.0 == k).count();
            assert_eq!(
                texts("lt-repl"),
                vec![REPLICATES; count(EdgeKind::Replication)]
            );
            assert_eq!(texts("lt-peer"), vec![VRRP; count(EdgeKind::Peering)]);
            let legend = texts("sub");
            for (k, words) in [
                (EdgeKind::Replication, "replicates: primary to replica"),
                (EdgeKind::Peering, "VRRP peers: they hold the vip in turn"),
            ] {
                assert_eq!(
                    legend.iter().any(|l| l == words),
                    count(k) > 0,
                    "{file}: legend {words:?}"
                );
            }
            let p = theme::palette(t);
            assert!(text.contains(&format!(".replication{{fill:none;stroke:{}", p.replication)));
            assert!(text.contains(&format!(".peering{{fill:none;stroke:{}", p.peering)));
            assert!(mark_problems(&text).is_empty(), "{file}");
            rasterise(&text);
        }
        let problems = layout_problems(&d, &svg::layout_of(&d));
        assert!(problems.is_empty(), "{file}: {problems:#?}");
    }
}

/// Member edges are short: between neighbours they run side to side (two
/// between the same pair one above the other, labels apart), and only an
/// edge to a member that is not a neighbour goes under the boxes.
#[test]
fn member_edges_between_neighbours_run_side_to_side() {
    let (_, d) = load("tests/diagrams/member-edges.stack");
    let l = svg::layout_of(&d);
    let at = |name: &str| d.nodes.iter().position(|n| n.name == name).unwrap();
    let mut side = 0;
    for (k, e) in d.edges.iter().enumerate() {
        if e.is_request() {
            continue;
        }
        let pts = &l.edges[k].points;
        let (stackc::render::diagram::End::Node(a), stackc::render::diagram::End::Node(b)) =
            (e.from, e.to)
        else {
            panic!("a member edge joins two nodes");
        };
        let (ra, rb) = (l.nodes[a], l.nodes[b]);
        let gap = (ra.x.max(rb.x) - (ra.right().min(rb.right()))).abs();
        let neighbours = (d.nodes[a].name.as_str(), d.nodes[b].name.as_str()) != ("db-01", "db-03");
        if neighbours {
            assert_eq!(pts.len(), 2, "{}: one straight segment", e.label);
            assert!((pts[0].y - pts[1].y).abs() < 0.01);
            assert!((pts[0].x - pts[1].x).abs() <= gap + 0.01);
            side += 1;
        } else {
            assert_eq!(pts.len(), 4, "under the boxes");
            assert!(pts[1].y > ra.bottom() && pts[1].y > rb.bottom());
        }
    }
    assert_eq!(side, 5);
    // The Redis pair's two edges: one above the other.
    let (r1, r2) = (at("redis-01"), at("redis-02"));
    let ys: Vec<f64> = d
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            !e.is_request()
                && [e.from, e.to].iter().all(
                    |x| matches!(x, stackc::render::diagram::End::Node(i) if *i == r1 || *i == r2),
                )
        })
        .map(|(k, _)| l.edges[k].points[0].y)
        .collect();
    assert_eq!(ys.len(), 2);
    assert!((ys[0] - ys[1]).abs() >= 10.0, "{ys:?}");
}

/// A primary with many replicas draws one line under the boxes per side
/// (a fan), with one label, not one U each: the drawing stays as tall as
/// with two replicas, and every replica still gets its own arrow.
#[test]
fn a_primary_with_many_replicas_fans_out_on_one_line() {
    let stack = |replicas: usize| {
        let mut s = String::from(
            "domain example.com { www A -> w }\n\
             group w: nginx { server w-01 10.0.0.1; server w-02 10.0.0.2 }\n\
             group db: mysql {\n  server db-00 10.0.3.100 primary\n",
        );
        for i in 1..=replicas {
            s.push_str(&format!("  server db-{i:02} 10.0.3.{i}\n"));
        }
        s.push_str("}\nw -> db : mysql\n");
        stackc::check(&s)
    };
    let two = Diagram::of(&stack(2)).unwrap();
    let c = stack(12);
    let d = Diagram::of(&c).unwrap();
    assert_eq!(member_edges_of(&d), member_edges_of_model(&c));
    let l = svg::layout_of(&d);
    assert!(layout_problems(&d, &l).is_empty());
    let under: Vec<usize> = d
        .edges
        .iter()
        .enumerate()
        .filter(|(k, e)| e.kind == EdgeKind::Replication && l.edges[*k].points.len() == 4)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(under.len(), 11, "all but the neighbour run under the boxes");
    let y = l.edges[under[0]].points[1].y;
    assert!(under
        .iter()
        .all(|k| (l.edges[*k].points[1].y - y).abs() < 0.01));
    let x0 = l.edges[under[0]].points[0].x;
    assert!(under
        .iter()
        .all(|k| (l.edges[*k].points[0].x - x0).abs() < 0.01));
    let labels = under
        .iter()
        .filter(|k| l.edges[**k].label.is_some())
        .count();
    assert_eq!(labels, 1, "one label for the fan");
    // Every replica is reached: its own end on its own box.
    let ends: std::collections::HashSet<i64> = under
        .iter()
        .map(|k| l.edges[*k].points[3].x.round() as i64)
        .collect();
    assert_eq!(ends.len(), 11);
    assert_eq!(
        l.height,
        svg::layout_of(&two).height,
        "as tall as with two replicas"
    );
}
