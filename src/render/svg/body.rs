//! The body of the drawing: the group boxes with their titles, and the
//! edges with their labels. Each part is written into a string as soon as
//! it is built (titles and labels apart: they are drawn over the nodes).

use super::{n, title, txt, Scope, PAD, SMALL, TITLE_BAND};
use crate::render::diagram::{Diagram, EdgeKind, End};
use crate::render::layout::Layout;
use crate::render::text::width;
use std::fmt::Write;
use svg::node::element::{Group, Path, Rectangle};

/// The group boxes into `body`, their titles into `titles`.
pub(super) fn groups(
    d: &Diagram,
    lay: &Layout,
    sc: &Scope,
    body: &mut String,
    titles: &mut String,
) {
    // Vertical edge segments (x, top, bottom), by x: what titles avoid.
    let mut verticals: Vec<(f64, f64, f64)> = lay
        .edges
        .iter()
        .flat_map(|e| e.points.windows(2))
        .filter(|w| (w[0].x - w[1].x).abs() < 0.01)
        .map(|w| (w[0].x, w[0].y.min(w[1].y), w[0].y.max(w[1].y)))
        .collect();
    verticals.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (gi, grp) in d.groups.iter().enumerate() {
        let r = lay.clusters[gi];
        let el = Group::new()
            .set("id", sc.id(&grp.id))
            .add(title(&format!("group {}: {}", grp.name, grp.details)))
            .add(
                Rectangle::new()
                    .set("x", n(r.x))
                    .set("y", n(r.y))
                    .set("width", n(r.w))
                    .set("height", n(r.h))
                    .set("rx", 12)
                    .set("class", "group"),
            );
        let _ = write!(body, "\n{el}");
        let (name, details) = (&grp.name, &grp.details);
        let tw = width(name, 12.5, true) + 10.0 + width(details, SMALL, false);
        // Edges that cross the title band into a member: keep the title
        // clear of them when the other end of the band is free.
        let from = verticals.partition_point(|v| v.0 <= r.x);
        let crossings: Vec<f64> = verticals[from..]
            .iter()
            .take_while(|v| v.0 < r.right())
            .filter(|v| v.1 < r.y + TITLE_BAND && v.2 > r.y + 1.0)
            .map(|v| v.0)
            .collect();
        let clear = |x0: f64| {
            !crossings
                .iter()
                .any(|c| *c > x0 - 4.0 && *c < x0 + tw + 4.0)
        };
        let right = r.right() - PAD - tw;
        let tx = if clear(r.x + PAD) || right < r.x + PAD || !clear(right) {
            r.x + PAD
        } else {
            right
        };
        let ty = r.y + 18.0;
        let _ = write!(titles, "\n{}", txt(tx, ty, "gname", name));
        let _ = write!(
            titles,
            "\n{}",
            txt(tx + width(name, 12.5, true) + 10.0, ty, "gsub", details)
        );
    }
}

/// The edges into `body`, their labels into `labels`.
pub(super) fn edges(d: &Diagram, lay: &Layout, sc: &Scope, body: &mut String, labels: &mut String) {
    let (arrow, arrow_warn) = (sc.url("arrow"), sc.url("arrow-warn"));
    let arrow_repl = sc.url("arrow-repl");
    let mut dpath = String::new();
    for (ei, e) in d.edges.iter().enumerate() {
        let route = &lay.edges[ei];
        dpath.clear();
        for (k, pt) in route.points.iter().enumerate() {
            dpath.push_str(if k == 0 { "M" } else { " L" });
            let _ = write!(dpath, "{},{}", n(pt.x), n(pt.y));
        }
        let id_of = |x: End| match x {
            End::Node(i) => d.nodes[i].id.as_str(),
            End::Group(g) => d.groups[g].id.as_str(),
        };
        let class = match (e.kind, &e.warning, e.optional, e.read) {
            (EdgeKind::Replication, ..) => "replication",
            (EdgeKind::Peering, ..) => "peering",
            (_, Some(_), _, _) => "edge-warn",
            (_, None, true, _) => "optional",
            (_, None, false, true) => "read",
            (_, None, false, false) => "edge",
        };
        let tip = match &e.warning {
            Some(w) => w.clone(),
            None => d.edge_tip(e),
        };
        let mut path = Path::new()
            .set(
                "id",
                format!("{}edge{}-{}-{}", sc.prefix, ei, id_of(e.from), id_of(e.to)),
            )
            .set("d", dpath.clone())
            .set("class", class);
        // Peering has no direction: no arrow head.
        match (e.kind, &e.warning) {
            (EdgeKind::Peering, _) => {}
            (EdgeKind::Replication, _) => path = path.set("marker-end", arrow_repl.as_str()),
            (_, Some(_)) => path = path.set("marker-end", arrow_warn.as_str()),
            (_, None) => path = path.set("marker-end", arrow.as_str()),
        }
        let path = path.add(title(&tip));
        let _ = write!(body, "\n{path}");
        if let Some(l) = route.label {
            let rect = Rectangle::new()
                .set("x", n(l.x))
                .set("y", n(l.y))
                .set("width", n(l.w))
                .set("height", n(l.h))
                .set("rx", 4)
                .set(
                    "class",
                    if e.warning.is_some() {
                        "lbl-warn"
                    } else {
                        "lbl"
                    },
                );
            let lt = match (e.kind, &e.warning) {
                (EdgeKind::Replication, _) => "lt-repl",
                (EdgeKind::Peering, _) => "lt-peer",
                (_, Some(_)) => "lt-warn",
                (_, None) => "lt",
            };
            let _ = write!(
                labels,
                "\n{rect}\n{}",
                txt(l.cx(), l.y + 11.5, lt, &e.label)
            );
        }
    }
}
