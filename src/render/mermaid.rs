//! Mermaid emitter (`flowchart`): a subgraph per group titled with its
//! role, mode and vip; node shapes by role; DNS records as entry nodes;
//! `proto port` (and `read`) on edges; replication (`-.->|replicates|`)
//! and VRRP peering (`-.-|VRRP|`) in their colours and dashes through
//! `linkStyle`; single points of failure styled through a `classDef`. Identifiers come from `diagram::ident` (only
//! `[A-Za-z0-9_]`, with a prefix), and every label is quoted with Mermaid's
//! entity codes, so no name or title can break the syntax.

use super::changes::ChangeLegend;
use super::diagram::{Diagram, EdgeKind, End, NodeKind};
use super::marks::{self, CutLegend};
use super::theme::{cut_slot, palette, Palette, Theme};
use crate::model::Shape;
use std::fmt::Write;

/// Text for inside a quoted Mermaid label.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '#' => o.push_str("#35;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '&' => o.push_str("#amp;"),
            '`' => o.push_str("#96;"),
            // `%%{` would start a directive, wherever it stands.
            '%' => o.push_str("#37;"),
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A YAML double-quoted string.
fn yaml(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            // No `%%{` (a directive, to some Mermaid versions) in the text.
            '%' => o.push_str("\\x25"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A `%%` comment line's text (one line, and no `%%{…}%%` directive).
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('%', "pct")
}

pub fn render(d: &Diagram, theme: Theme) -> String {
    let mut o = String::new();
    let p = palette(theme);
    let mtheme = p.mermaid;
    // A warned node: the warning border on the warning fill, its text in
    // the text colour (as the SVG and DOT draw it).
    let spof = format!(
        "fill:{},stroke:{},stroke-width:3px,color:{}",
        p.warn_fill, p.warn, p.text
    );
    let dark = format!(
        "fill:{},stroke:{},stroke-width:3px,stroke-dasharray:5 3,color:{}",
        p.warn_fill, p.warn, p.text
    );
    let _ = writeln!(
        o,
        "---\ntitle: {}\nconfig:\n  theme: {mtheme}\n---",
        yaml(&d.title)
    );
    o.push_str("flowchart TB\n");
    let _ = writeln!(
        o,
        "  %% drawn by stackc render: {} single point(s) of failure",
        d.spof_count()
    );

    let node_line = |i: usize| -> String {
        let node = &d.nodes[i];
        let t = &node.text;
        let mut lines = vec![esc(&node.name)];
        let shape = match &node.kind {
            NodeKind::Record { .. } => {
                lines.push(esc(&t.kind));
                lines.extend(t.load.as_deref().map(esc));
                lines.extend(t.badge.map(String::from));
                return format!("{}>\"{}\"]", node.id, lines.join("<br/>"));
            }
            NodeKind::Empty => return format!("{}[\"{}\"]", node.id, lines.join("<br/>")),
            NodeKind::Server { .. } => {
                lines.extend(t.address.as_deref().map(esc));
                lines.push(esc(&t.kind));
                lines.extend(t.zone_line().as_deref().map(esc));
                lines.extend(t.capacity.as_deref().map(esc));
                if !node.cuts.is_empty() {
                    lines.push(marks::badges(&node.cuts));
                }
                lines.extend(t.badge.map(String::from));
                node.kind.shape()
            }
        };
        let label = lines.join("<br/>");
        match shape {
            Some(Shape::Balancer) => format!("{}{{{{\"{label}\"}}}}", node.id),
            Some(Shape::WebServer) => format!("{}(\"{label}\")", node.id),
            Some(Shape::AppServer) => format!("{}[[\"{label}\"]]", node.id),
            Some(Shape::Database) => format!("{}[(\"{label}\")]", node.id),
            Some(Shape::Cache) => format!("{}([\"{label}\"])", node.id),
            Some(Shape::External) => format!("{}@{{ shape: cloud, label: \"{label}\" }}", node.id),
            Some(Shape::Queue) => format!("{}>\"{label}\"]", node.id),
            None => format!("{}[\"{label}\"]", node.id),
        }
    };

    for (i, node) in d.nodes.iter().enumerate() {
        if node.group.is_none() {
            let _ = writeln!(o, "  {}", node_line(i));
        }
    }
    for g in &d.groups {
        let _ = writeln!(
            o,
            "  subgraph {} [\"{} · {}\"]",
            g.id,
            esc(&g.name),
            esc(&g.details)
        );
        o.push_str("    direction LR\n");
        for &m in &g.members {
            let _ = writeln!(o, "    {}", node_line(m));
        }
        o.push_str("  end\n");
    }
    // The cuts' legend: one box per cut in its colour.
    if let Some(legend) = &d.cuts {
        let _ = writeln!(o, "  subgraph k_cuts [\"{}\"]", esc(&legend.title()));
        if legend.cuts.is_empty() {
            let _ = writeln!(o, "    k_none[\"{}\"]", esc(&legend.none_line()));
        }
        for c in &legend.cuts {
            let _ = writeln!(o, "    k_{}[\"{}\"]", c.number, esc(&c.legend()));
        }
        o.push_str("  end\n");
    }
    let id = |e: End| match e {
        End::Node(i) => d.nodes[i].id.as_str(),
        End::Group(g) => d.groups[g].id.as_str(),
    };
    let mut warned = Vec::new();
    // Replication and peering: dotted links (Mermaid has one dotted
    // style) told apart by their colour and dashes.
    let mut styled = Vec::new();
    for (k, e) in d.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Request if e.read || e.optional => "-.->",
            EdgeKind::Request => "-->",
            EdgeKind::Replication => "-.->",
            EdgeKind::Peering => "-.-",
        };
        let _ = writeln!(
            o,
            "  {} {arrow}|\"{}\"| {}",
            id(e.from),
            esc(&e.label),
            id(e.to)
        );
        if let Some(w) = &e.warning {
            warned.push((k, w));
        }
        match e.kind {
            EdgeKind::Request => {}
            EdgeKind::Replication => styled.push((k, p.replication, "6 4")),
            EdgeKind::Peering => styled.push((k, p.peering, "2 3")),
        }
    }
    for (k, colour, dashes) in styled {
        let _ = writeln!(
            o,
            "  linkStyle {k} stroke:{colour},stroke-width:2px,stroke-dasharray:{dashes},color:{colour}"
        );
    }
    // A write to a replica, in the warning colour.
    let warn_color = p.warn;
    for (k, w) in warned {
        let _ = writeln!(
            o,
            "  linkStyle {k} stroke:{warn_color},stroke-width:2px,color:{warn_color}"
        );
        let _ = writeln!(o, "  %% {}", comment(w));
    }
    let _ = writeln!(o, "  classDef spof {spof}");
    let _ = writeln!(o, "  classDef dark {dark}");
    for node in &d.nodes {
        if let Some(w) = &node.warning {
            let class = if matches!(node.kind, NodeKind::Server { .. }) {
                "spof"
            } else {
                "dark"
            };
            let _ = writeln!(o, "  class {} {class}", node.id);
            let _ = writeln!(o, "  %% {}", comment(w));
        }
    }
    if let Some(legend) = &d.cuts {
        cut_classes(&mut o, d, legend, p);
    }
    for z in &d.zones {
        if let Some(w) = &z.warning {
            let _ = writeln!(o, "  %% zone {}: {}", z.name, comment(w));
        }
    }
    if let Some(c) = &d.changes {
        change_classes(&mut o, d, c, p);
    }
    o
}

/// What `stackc diff` marks: a legend box, and a class per mark (added in
/// the ok colour, changed in the second cut colour, newly fragile in the
/// warning colour, dashed); a group's border through `style`.
fn change_classes(o: &mut String, d: &Diagram, c: &ChangeLegend, p: &Palette) {
    use super::changes::Mark;
    if !c.lines.is_empty() {
        let lines: Vec<String> = c.lines.iter().map(|l| esc(l)).collect();
        let _ = writeln!(o, "  subgraph k_changes [\"changes\"]");
        let _ = writeln!(o, "    k_change[\"{}\"]", lines.join("<br/>"));
        o.push_str("  end\n");
    }
    let style = |m: Mark| match m {
        Mark::Added => format!("stroke:{},stroke-width:4px", p.ok),
        Mark::Changed => format!("stroke:{},stroke-width:4px", p.cut(2)),
        Mark::Fragile => format!("stroke:{},stroke-width:4px,stroke-dasharray:8 4", p.warn),
    };
    for m in [Mark::Added, Mark::Changed, Mark::Fragile] {
        let _ = writeln!(o, "  classDef {} {}", mark_class(m), style(m));
    }
    for (i, marks) in &c.nodes {
        for m in marks {
            let _ = writeln!(o, "  class {} {}", d.nodes[*i].id, mark_class(*m));
        }
    }
    for (g, marks) in &c.groups {
        if let Some(m) = marks.first() {
            let _ = writeln!(o, "  style {} {}", d.groups[*g].id, style(*m));
        }
    }
}

fn mark_class(m: super::changes::Mark) -> &'static str {
    use super::changes::Mark;
    match m {
        Mark::Added => "chg_added",
        Mark::Changed => "chg_changed",
        Mark::Fragile => "chg_fragile",
    }
}

/// The cuts' colours: a class per colour, given to each cut's legend box
/// and to each server in a cut (in its first cut's colour; its label names
/// every cut it is in). A warned server keeps the warning style.
fn cut_classes(o: &mut String, d: &Diagram, legend: &CutLegend, p: &Palette) {
    let slots = legend.cuts.len().min(p.cuts.len());
    for k in 1..=slots {
        let _ = writeln!(o, "  classDef cut{k} stroke:{},stroke-width:3px", p.cut(k));
    }
    let slot = cut_slot;
    for c in &legend.cuts {
        let _ = writeln!(o, "  class k_{} cut{}", c.number, slot(c.number));
    }
    for node in &d.nodes {
        if let (Some(&first), None) = (node.cuts.first(), &node.warning) {
            let _ = writeln!(o, "  class {} cut{}", node.id, slot(first));
        }
    }
}
