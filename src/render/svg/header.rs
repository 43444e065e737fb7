//! The header: the title, the counts and the verdict, and a legend of what
//! this diagram uses.

use super::glyphs::{shape_word, use_glyph, SHAPES};
use super::measure::pill_w;
use super::node::{add_all, pill, PillKind};
use super::{n, text, title, txt, Scope, MARGIN, SMALL};
use crate::model::Shape;
use crate::render::diagram::{Diagram, EdgeKind, NodeKind, DARK, SPOF};
use crate::render::text::width;
use crate::render::theme::Palette;
use svg::node::element::{Group, Path};

/// The header: title, summary and legend; returns the group, its height
/// and the width its cut lines need (0 without `--cuts`).
pub(super) fn header(d: &Diagram, p: &Palette, sc: &Scope, wrap: f64) -> (Group, f64, f64) {
    let mut g = Group::new().set("id", sc.id("header"));
    g = g.add(text(MARGIN, MARGIN + 18.0, 20.0, p.text, &d.title).set("font-weight", "bold"));
    let servers = d
        .nodes
        .iter()
        .filter(|x| matches!(x.kind, NodeKind::Server { .. }))
        .count();
    let records = d
        .nodes
        .iter()
        .filter(|x| matches!(x.kind, NodeKind::Record { .. }))
        .count();
    let spofs = d.spof_count();
    let zone_spofs: Vec<&str> = d
        .zones
        .iter()
        .filter(|z| z.warning.is_some())
        .map(|z| z.name.as_str())
        .collect();
    let plural = |k: usize, w: &str| format!("{k} {w}{}", if k == 1 { "" } else { "s" });
    let counts = format!(
        "{} · {} · {}",
        plural(records, "record"),
        plural(d.groups.len(), "group"),
        plural(servers, "server")
    );
    let dark = d
        .nodes
        .iter()
        .filter(|x| matches!(x.kind, NodeKind::Record { .. }) && x.warning.is_some())
        .count();
    let verdict = if dark > 0 {
        format!("broken: {} dark with nothing down", plural(dark, "record"))
    } else if spofs == 0 && zone_spofs.is_empty() {
        "no single point of failure".to_string()
    } else {
        let mut parts = Vec::new();
        if spofs > 0 {
            parts.push(if spofs == 1 {
                "1 single point of failure".to_string()
            } else {
                format!("{spofs} single points of failure")
            });
        }
        if !zone_spofs.is_empty() {
            let z = if zone_spofs.len() == 1 {
                "zone"
            } else {
                "zones"
            };
            parts.push(format!(
                "{z} {} alone can stop the stack",
                zone_spofs.join(", ")
            ));
        }
        parts.join(" · ")
    };
    let bad = dark > 0 || spofs > 0 || !zone_spofs.is_empty();
    let y2 = MARGIN + 40.0;
    g = g.add(text(MARGIN, y2, 12.0, p.muted, &format!("{counts} — ")));
    let vx = MARGIN + width(&format!("{counts} — "), 12.0, false);
    g = g.add(
        text(vx, y2, 12.0, if bad { p.warn } else { p.ok }, &verdict).set("font-weight", "bold"),
    );

    // Legend: what this diagram uses, in a wrapping row.
    let mut items: Vec<(Option<Shape>, String)> = Vec::new();
    if records > 0 {
        items.push((None, "DNS record".into()));
    }
    // A glyph per shape drawn, with the roles drawn with it: `database
    // (mysql)`, `cache (memcached, redis)`.
    let used: Vec<Shape> = SHAPES
        .iter()
        .copied()
        .filter(|s| d.nodes.iter().any(|x| x.kind.shapes().contains(s)))
        .collect();
    for shape in used {
        let names: Vec<&str> = crate::model::Role::all()
            .filter(|r| r.spec().shape == shape)
            .filter(|r| {
                d.nodes.iter().any(|x| match &x.kind {
                    NodeKind::Server { roles, .. } => roles.contains(*r),
                    _ => false,
                })
            })
            .map(|r| r.name())
            .collect();
        items.push((
            Some(shape),
            if names.is_empty() {
                shape_word(shape).to_string()
            } else {
                format!("{} ({})", shape_word(shape), names.join(", "))
            },
        ));
    }
    let mut x = MARGIN;
    let mut y = y2 + 16.0;
    let row_h = 22.0;
    let mut legend = Group::new().set("id", sc.id("legend"));
    let place = |w: f64, x: &mut f64, y: &mut f64| {
        if *x + w > wrap.max(MARGIN + 300.0) && *x > MARGIN {
            *x = MARGIN;
            *y += row_h;
        }
        let at = *x;
        *x += w + 18.0;
        at
    };
    for (shape, label) in &items {
        let w = 18.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(use_glyph(*shape, at, y, 14.0, sc));
        legend = legend.add(txt(at + 18.0, y + 11.0, "sub", label));
    }
    let plain = |at: f64, y: f64, class: &str| {
        Path::new()
            .set(
                "d",
                format!("M{},{} L{},{}", n(at), n(y + 7.0), n(at + 24.0), n(y + 7.0)),
            )
            .set("class", class)
    };
    let line =
        |at: f64, y: f64, class: &str| plain(at, y, class).set("marker-end", sc.url("arrow"));
    let w = 30.0 + width("request  proto port", SMALL, false);
    let at = place(w, &mut x, &mut y);
    legend = legend.add(line(at, y, "edge"));
    legend = legend.add(txt(at + 30.0, y + 11.0, "sub", "request  proto port"));
    if d.edges.iter().any(|e| e.read && !e.optional) {
        let w = 30.0 + width("reads only", SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(line(at, y, "read"));
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", "reads only"));
    }
    if d.edges.iter().any(|e| e.optional && e.warning.is_none()) {
        let label = "optional: the sources work without it";
        let w = 30.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(line(at, y, "optional"));
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", label));
    }
    if d.edges.iter().any(|e| e.warning.is_some()) {
        let label = "write to a replica: never served";
        let w = 30.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(
            Path::new()
                .set(
                    "d",
                    format!("M{},{} L{},{}", n(at), n(y + 7.0), n(at + 24.0), n(y + 7.0)),
                )
                .set("class", "edge-warn")
                .set("marker-end", sc.url("arrow-warn")),
        );
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", label));
    }
    // What members of a group do between themselves.
    let has = |k: EdgeKind| d.edges.iter().any(|e| e.kind == k);
    if has(EdgeKind::Replication) {
        let label = "replicates: primary to replica";
        let w = 30.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(plain(at, y, "replication").set("marker-end", sc.url("arrow-repl")));
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", label));
    }
    if has(EdgeKind::Peering) {
        let label = "VRRP peers: they hold the vip in turn";
        let w = 30.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(plain(at, y, "peering"));
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", label));
    }
    if spofs > 0 {
        let label = "single point of failure (hover for why)";
        let w = pill_w(SPOF) + 6.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = add_all(legend, pill(at, y, SPOF, PillKind::Warn));
        legend = legend.add(txt(at + pill_w(SPOF) + 6.0, y + 11.0, "sub", label));
    }
    if dark > 0 {
        let label = "record dark with nothing down";
        let w = pill_w(DARK) + 6.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = add_all(legend, pill(at, y, DARK, PillKind::Warn));
        legend = legend.add(txt(at + pill_w(DARK) + 6.0, y + 11.0, "sub", label));
    }
    for z in &d.zones {
        let mut label = match &z.warning {
            Some(_) => "failure zone: its loss alone stops the stack".to_string(),
            None => "failure zone".to_string(),
        };
        if !z.cuts.is_empty() {
            label = format!("{label} · in {}", crate::render::marks::badges(&z.cuts));
        }
        let s = format!("zone {}", z.name);
        let w = pill_w(&s) + 6.0 + width(&label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        let kind = if z.warning.is_some() {
            PillKind::ZoneWarn
        } else {
            PillKind::Zone
        };
        let mut b = add_all(Group::new(), pill(at, y, &s, kind));
        if sc.interactive {
            b = super::node::toggle(b, &z.name, &s);
        }
        if let Some(t) = &z.warning {
            b = b.add(title(t));
        }
        legend = legend.add(b);
        legend = legend.add(txt(at + pill_w(&s) + 6.0, y + 11.0, "sub", &label));
    }
    let mut need_w = 0.0;
    if let Some(cuts) = &d.cuts {
        // One row per cut: its badge, its members and what goes dark.
        let mut rows = Group::new().set("id", sc.id("cuts"));
        y += row_h;
        let head = cuts.title();
        rows = rows.add(txt(MARGIN, y + 11.0, "name", &head));
        let mut at = MARGIN + width(&head, 13.0, true) + 10.0;
        if cuts.cuts.is_empty() {
            let line = cuts.none_line();
            rows = rows.add(txt(at, y + 11.0, "sub", &line));
            at += width(&line, SMALL, false);
        } else {
            let hint =
                "the servers of a cut share its badge; a zone's cuts are named in its entry above";
            rows = rows.add(txt(at, y + 11.0, "sub", hint));
            at += width(hint, SMALL, false);
        }
        need_w = at + MARGIN;
        for c in &cuts.cuts {
            y += row_h;
            let b = c.badge();
            rows = add_all(rows, pill(MARGIN, y, &b, PillKind::Cut(c.number)));
            let text = c.text();
            let tx = MARGIN + pill_w(&b) + 6.0;
            rows = rows.add(txt(tx, y + 11.0, "sub", &text));
            need_w = f64::max(need_w, tx + width(&text, SMALL, false) + MARGIN);
        }
        legend = legend.add(rows);
    }
    g = g.add(legend);
    (g, y + row_h + 10.0, need_w)
}
