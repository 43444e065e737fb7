//! DOT emitter, for people who want Graphviz: a cluster per group (titled
//! like the other formats), node shapes by role, `proto port` labels, and
//! single points of failure in the warning colour with the reason as
//! tooltip; replication dashed and VRRP peering dotted (no arrow), both
//! `constraint=false` so that the members keep one rank. Edges to or from
//! a whole group point at one member and are clipped at the cluster
//! (`compound=true`, `lhead`/`ltail`).

use super::diagram::{Diagram, EdgeKind, End, NodeKind};
use super::marks;
use super::theme::{palette, Theme};
use crate::model::Shape;
use std::fmt::Write;

/// A DOT double-quoted string.
fn q(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            // Graphviz reads HTML entities in strings: `&amp;` stays
            // `&amp;` only written `&amp;amp;`.
            '&' => o.push_str("&amp;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Text for inside a DOT HTML label.
fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Lines joined with DOT's centred line break.
fn lines(parts: &[String]) -> String {
    let escaped: Vec<String> = parts
        .iter()
        .map(|p| {
            let s = q(p);
            s[1..s.len() - 1].to_string()
        })
        .collect();
    format!("\"{}\"", escaped.join("\\n"))
}

/// The node shape of a role's glyph: one per shape, none of them the
/// `note` of a DNS record.
fn shape_of(shape: Option<Shape>) -> &'static str {
    match shape {
        Some(Shape::Balancer) => "hexagon",
        Some(Shape::WebServer) => "box",
        Some(Shape::AppServer) => "component",
        Some(Shape::Database) => "cylinder",
        Some(Shape::Cache) => "box3d",
        Some(Shape::External) => "ellipse",
        Some(Shape::Queue) => "cds",
        None => "box",
    }
}

pub fn render(d: &Diagram, theme: Theme) -> String {
    let p = palette(theme);
    let (bg, fg, node_fill, node_line) = (p.bg, p.text, p.node, p.node_stroke);
    let (cluster_fill, cluster_line, edge, warn, warn_fill) =
        (p.cluster, p.cluster_stroke, p.edge, p.warn, p.warn_fill);
    let mut o = String::new();
    o.push_str("digraph stack {\n");
    let _ = writeln!(
        o,
        "  graph [label={}, labelloc=t, fontsize=18, fontname=\"Helvetica\", compound=true, rankdir=TB, bgcolor=\"{bg}\", fontcolor=\"{fg}\"];",
        q(&d.title)
    );
    let _ = writeln!(
        o,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, fillcolor=\"{node_fill}\", color=\"{node_line}\", fontcolor=\"{fg}\"];"
    );
    let _ = writeln!(
        o,
        "  edge [fontname=\"Helvetica\", fontsize=10, color=\"{edge}\", fontcolor=\"{fg}\"];"
    );
    let node_stmt = |i: usize, indent: &str| -> String {
        let node = &d.nodes[i];
        let t = &node.text;
        let mut parts = vec![node.name.clone()];
        let shape = match &node.kind {
            NodeKind::Record { .. } => {
                parts.push(t.kind.clone());
                parts.extend(t.load.clone());
                "note"
            }
            NodeKind::Empty => "box",
            NodeKind::Server { .. } => {
                parts.extend(t.address.clone());
                parts.push(t.kind.clone());
                parts.extend(t.zone_line());
                parts.extend(t.capacity.clone());
                if !node.cuts.is_empty() {
                    parts.push(marks::badges(&node.cuts));
                }
                shape_of(node.kind.shape())
            }
        };
        let mut attrs = vec![format!("shape={shape}")];
        match &node.warning {
            Some(w) => {
                parts.extend(t.badge.map(String::from));
                attrs.push(format!(
                    "color=\"{warn}\", penwidth=2.5, fillcolor=\"{warn_fill}\", tooltip={}",
                    q(w)
                ));
            }
            None if matches!(node.kind, NodeKind::Empty) => {
                attrs.push("style=\"rounded,dashed\"".into());
            }
            // In its first cut's colour; the label names every cut.
            None if !node.cuts.is_empty() => {
                attrs.push(format!("color=\"{}\", penwidth=2.5", p.cut(node.cuts[0])));
            }
            None => {}
        }
        format!(
            "{indent}{} [label={}, {}];",
            q(&node.id),
            lines(&parts),
            attrs.join(", ")
        )
    };
    for (i, node) in d.nodes.iter().enumerate() {
        if node.group.is_none() {
            let _ = writeln!(o, "{}", node_stmt(i, "  "));
        }
    }
    for g in &d.groups {
        let _ = writeln!(o, "  subgraph {} {{", q(&format!("cluster_{}", g.id)));
        let _ = writeln!(
            o,
            "    label={}; labeljust=l; style=\"rounded,filled\"; fillcolor=\"{cluster_fill}\"; color=\"{cluster_line}\"; fontname=\"Helvetica\"; fontsize=12;",
            q(&format!("{} · {}", g.name, g.details))
        );
        for &m in &g.members {
            let _ = writeln!(o, "{}", node_stmt(m, "    "));
        }
        o.push_str("  }\n");
    }
    if let Some(legend) = &d.cuts {
        // The cuts' legend: one box per cut, in its colour.
        o.push_str("  subgraph \"cluster_k_cuts\" {\n");
        let _ = writeln!(
            o,
            "    label={}; labeljust=l; style=\"rounded\"; color=\"{cluster_line}\"; fontname=\"Helvetica\"; fontsize=12;",
            q(&legend.title())
        );
        if legend.cuts.is_empty() {
            let _ = writeln!(
                o,
                "    \"k_none\" [label={}, shape=plaintext];",
                q(&legend.none_line())
            );
        }
        if !legend.cuts.is_empty() {
            // One table, a row per cut in order: its badge in its colour,
            // then its members and what goes dark.
            let mut rows = String::new();
            for c in &legend.cuts {
                let _ = write!(
                    rows,
                    "<TR><TD BGCOLOR=\"{}\"><FONT COLOR=\"{}\"><B>{}</B></FONT></TD><TD ALIGN=\"LEFT\">{}</TD></TR>",
                    p.cut(c.number),
                    p.cut_text,
                    html(&c.badge()),
                    html(&c.text())
                );
            }
            let _ = writeln!(
                o,
                "    \"k_cuts\" [shape=plaintext, label=<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"4\">{rows}</TABLE>>];"
            );
        }
        o.push_str("  }\n");
    }
    // A whole group is reached through its middle member, clipped at the
    // cluster's border.
    let at = |e: End| -> (String, Option<String>) {
        match e {
            End::Node(i) => (d.nodes[i].id.clone(), None),
            End::Group(g) => {
                let grp = &d.groups[g];
                let m = grp.members[grp.members.len() / 2];
                (d.nodes[m].id.clone(), Some(format!("cluster_{}", grp.id)))
            }
        }
    };
    for e in &d.edges {
        let (a, ltail) = at(e.from);
        let (b, lhead) = at(e.to);
        let mut attrs = vec![format!("label={}", q(&e.label))];
        if let Some(t) = ltail {
            attrs.push(format!("ltail={}", q(&t)));
        }
        if let Some(h) = lhead {
            attrs.push(format!("lhead={}", q(&h)));
        }
        match e.kind {
            EdgeKind::Request if e.read || e.optional => attrs.push("style=dashed".into()),
            EdgeKind::Request => {}
            // Between members of one group: `constraint=false` keeps them
            // in the group's rank.
            EdgeKind::Replication => attrs.push(format!(
                "style=dashed, color=\"{0}\", fontcolor=\"{0}\", constraint=false, tooltip={1}",
                p.replication,
                q(&d.edge_tip(e))
            )),
            EdgeKind::Peering => attrs.push(format!(
                "style=dotted, dir=none, penwidth=1.6, color=\"{0}\", fontcolor=\"{0}\", constraint=false, tooltip={1}",
                p.peering,
                q(&d.edge_tip(e))
            )),
        }
        if let Some(w) = &e.warning {
            attrs.push(format!(
                "color=\"{warn}\", fontcolor=\"{warn}\", penwidth=2, tooltip={}",
                q(w)
            ));
        }
        let _ = writeln!(o, "  {} -> {} [{}];", q(&a), q(&b), attrs.join(", "));
    }
    o.push_str("}\n");
    o
}
