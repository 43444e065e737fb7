//! SVG emitter: stackc's own layered layout (`layout`), drawn with the
//! `svg` crate. Self-contained (glyphs are inline shapes, no fonts or
//! files needed) and deterministic (ids come from names; attributes are
//! written sorted; numbers rounded to 0.1 px).

use super::diagram::{Diagram, End, NodeKind};
use super::layout::{self, Layout, Rect, Size};
use super::text::width;
use super::Theme;
use crate::model::{DbRole, Shape};
use svg::node::element::{
    Circle, Definitions, Description, Ellipse, Group, Marker, Path, Rectangle, Style, Symbol,
    Text as TextEl, Title, Use,
};
use svg::node::{Blob, Text};
use svg::Document;

const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
const NAME: f64 = 13.0;
const SMALL: f64 = 11.0;
const LABEL: f64 = 10.5;
const BADGE: f64 = 9.5;
const PAD: f64 = 10.0;
const GLYPH: f64 = 20.0;
const SERVER_H: f64 = 60.0;
const RECORD_H: f64 = 44.0;
const TITLE_BAND: f64 = 28.0;
const MARGIN: f64 = 24.0;

/// Colours of a theme.
pub struct Palette {
    pub bg: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub node: &'static str,
    pub node_stroke: &'static str,
    pub cluster: &'static str,
    pub cluster_stroke: &'static str,
    pub edge: &'static str,
    pub warn: &'static str,
    pub warn_fill: &'static str,
    pub warn_text: &'static str,
    pub zone: &'static str,
    pub zone_text: &'static str,
    pub ok: &'static str,
    pub balancer: &'static str,
    pub web: &'static str,
    pub app: &'static str,
    pub database: &'static str,
    pub record: &'static str,
}

pub fn palette(t: Theme) -> Palette {
    match t {
        Theme::Light => Palette {
            bg: "#ffffff",
            text: "#1f2937",
            muted: "#64748b",
            node: "#f8fafc",
            node_stroke: "#94a3b8",
            cluster: "#f1f5f9",
            cluster_stroke: "#cbd5e1",
            edge: "#64748b",
            warn: "#dc2626",
            warn_fill: "#fef2f2",
            warn_text: "#ffffff",
            zone: "#e0f2fe",
            zone_text: "#075985",
            ok: "#15803d",
            balancer: "#7c3aed",
            web: "#059669",
            app: "#2563eb",
            database: "#b45309",
            record: "#0e7490",
        },
        Theme::Dark => Palette {
            bg: "#0f172a",
            text: "#e2e8f0",
            muted: "#94a3b8",
            node: "#1e293b",
            node_stroke: "#64748b",
            cluster: "#162032",
            cluster_stroke: "#334155",
            edge: "#94a3b8",
            warn: "#f87171",
            warn_fill: "#3f1212",
            warn_text: "#1f0a0a",
            zone: "#0c4a6e",
            zone_text: "#bae6fd",
            ok: "#4ade80",
            balancer: "#a78bfa",
            web: "#34d399",
            app: "#60a5fa",
            database: "#fbbf24",
            record: "#22d3ee",
        },
    }
}

/// A number for the document: rounded to 0.1, without a trailing `.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn text(x: f64, y: f64, size: f64, fill: &str, s: &str) -> TextEl {
    TextEl::new(s)
        .set("x", n(x))
        .set("y", n(y))
        .set("font-size", n(size))
        .set("fill", fill)
}

fn title(s: &str) -> Title {
    Title::new(s)
}

/// The lines of a node: (text, size, bold, muted).
fn server_lines(kind: &NodeKind) -> (String, String) {
    match kind {
        NodeKind::Server {
            roles, address, db, ..
        } => {
            let addr = address.clone().unwrap_or_else(|| "no address".into());
            let mut r = roles.joined();
            match db {
                Some(DbRole::Primary) => r.push_str(" · primary"),
                Some(DbRole::Replica) => r.push_str(" · replica"),
                None => {}
            }
            (addr, r)
        }
        NodeKind::Record { rtype } => (format!("{rtype} record · entry point"), String::new()),
        NodeKind::Empty => (String::new(), String::new()),
    }
}

fn shapes(kind: &NodeKind) -> Vec<Shape> {
    match kind {
        NodeKind::Server { roles, .. } => {
            let mut v: Vec<(crate::model::Tier, Shape)> = roles
                .iter()
                .map(|r| (r.spec().tier, r.spec().shape))
                .collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.0));
            v.into_iter().map(|(_, s)| s).collect()
        }
        _ => Vec::new(),
    }
}

fn pill_w(s: &str) -> f64 {
    width(s, BADGE, true) + 10.0
}

const SPOF_PILL: &str = "SPOF";
const DARK_PILL: &str = "DARK";

/// The size of each node's box.
fn node_size(d: &Diagram, i: usize) -> Size {
    let node = &d.nodes[i];
    match &node.kind {
        NodeKind::Empty => Size {
            w: width("no members", SMALL, false) + 2.0 * PAD,
            h: 32.0,
        },
        NodeKind::Record { .. } => {
            let (l2, _) = server_lines(&node.kind);
            let pill = if node.warning.is_some() {
                pill_w(DARK_PILL) + 8.0
            } else {
                0.0
            };
            let tw = (width(&node.name, NAME, true) + pill).max(width(&l2, SMALL, false));
            Size {
                w: (PAD + GLYPH + 10.0 + tw + PAD + 4.0).ceil(),
                h: RECORD_H,
            }
        }
        NodeKind::Server { zone, .. } => {
            let (l2, l3) = server_lines(&node.kind);
            let glyphs = shapes(&node.kind).len().max(1) as f64;
            let zone_w = zone
                .as_ref()
                .map_or(0.0, |z| pill_w(&format!("zone {z}")) + 8.0);
            let spof_w = if node.warning.is_some() {
                pill_w(SPOF_PILL) + 8.0
            } else {
                0.0
            };
            let tw = (width(&node.name, NAME, true) + zone_w)
                .max(width(&l2, SMALL, false))
                .max(width(&l3, SMALL, false) + spof_w);
            Size {
                w: (PAD + glyphs * (GLYPH + 4.0) + 4.0 + tw + PAD + 4.0)
                    .max(150.0)
                    .ceil(),
                h: SERVER_H,
            }
        }
    }
}

fn group_title(d: &Diagram, g: usize) -> (String, String) {
    let grp = &d.groups[g];
    (grp.name.clone(), grp.details())
}

fn group_title_w(d: &Diagram, g: usize) -> f64 {
    let (a, b) = group_title(d, g);
    (width(&a, 12.5, true) + 10.0 + width(&b, SMALL, false) + 2.0 * PAD).ceil()
}

fn label_size(s: &str) -> Size {
    Size {
        w: (width(s, LABEL, false) + 10.0).ceil(),
        h: 16.0,
    }
}

/// The layout problem of a diagram.
pub fn graph_of(d: &Diagram) -> layout::Graph {
    layout::Graph {
        nodes: (0..d.nodes.len())
            .map(|i| layout::NodeSpec {
                size: node_size(d, i),
                cluster: d.nodes[i].group,
                top: matches!(d.nodes[i].kind, NodeKind::Record { .. }),
            })
            .collect(),
        clusters: (0..d.groups.len())
            .map(|g| layout::ClusterSpec {
                title: Size {
                    w: group_title_w(d, g),
                    h: TITLE_BAND,
                },
            })
            .collect(),
        edges: d
            .edges
            .iter()
            .map(|e| layout::EdgeSpec {
                from: end(e.from),
                to: end(e.to),
                label: Some(label_size(&e.label)),
            })
            .collect(),
    }
}

fn end(e: End) -> layout::End {
    match e {
        End::Node(i) => layout::End::Node(i),
        End::Group(g) => layout::End::Cluster(g),
    }
}

/// The layout of a diagram (what the SVG draws, before the header offset).
pub fn layout_of(d: &Diagram) -> Layout {
    layout::layout(&graph_of(d), &layout::Spacing::default())
}

fn glyph(shape: Option<Shape>, x: f64, y: f64, s: f64, p: &Palette) -> Group {
    let k = s / 20.0;
    let at = |dx: f64, dy: f64| format!("{},{}", n(x + dx * k), n(y + dy * k));
    let (color, g) = match shape {
        Some(Shape::Balancer) => {
            let d = format!(
                "M{} L{} M{} L{} M{} L{}",
                at(4.0, 10.0),
                at(16.0, 3.5),
                at(4.0, 10.0),
                at(16.0, 10.0),
                at(4.0, 10.0),
                at(16.0, 16.5)
            );
            let mut g = Group::new().add(Path::new().set("d", d).set("stroke-width", n(1.6 * k)));
            for (cx, cy, r) in [
                (4.0, 10.0, 2.8),
                (16.0, 3.5, 2.2),
                (16.0, 10.0, 2.2),
                (16.0, 16.5, 2.2),
            ] {
                g = g.add(
                    Circle::new()
                        .set("cx", n(x + cx * k))
                        .set("cy", n(y + cy * k))
                        .set("r", n(r * k))
                        .set("stroke", "none"),
                );
            }
            (p.balancer, g)
        }
        Some(Shape::WebServer) => {
            let g = Group::new()
                .add(
                    Rectangle::new()
                        .set("x", n(x + 1.5 * k))
                        .set("y", n(y + 3.0 * k))
                        .set("width", n(17.0 * k))
                        .set("height", n(14.0 * k))
                        .set("rx", n(2.0 * k))
                        .set("fill", "none")
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Path::new()
                        .set("d", format!("M{} L{}", at(1.5, 7.0), at(18.5, 7.0)))
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Path::new()
                        .set(
                            "d",
                            format!(
                                "M{} L{} M{} L{}",
                                at(5.0, 11.0),
                                at(15.0, 11.0),
                                at(5.0, 14.0),
                                at(11.0, 14.0)
                            ),
                        )
                        .set("stroke-width", n(1.2 * k)),
                );
            (p.web, g)
        }
        Some(Shape::AppServer) => {
            let d = format!(
                "M{} C{} {} {} C{} {} {} M{} C{} {} {} C{} {} {}",
                at(7.0, 3.0),
                at(3.5, 3.0),
                at(5.5, 9.0),
                at(2.0, 10.0),
                at(5.5, 11.0),
                at(3.5, 17.0),
                at(7.0, 17.0),
                at(13.0, 3.0),
                at(16.5, 3.0),
                at(14.5, 9.0),
                at(18.0, 10.0),
                at(14.5, 11.0),
                at(16.5, 17.0),
                at(13.0, 17.0)
            );
            let g = Group::new()
                .add(
                    Path::new()
                        .set("d", d)
                        .set("fill", "none")
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Circle::new()
                        .set("cx", n(x + 10.0 * k))
                        .set("cy", n(y + 10.0 * k))
                        .set("r", n(1.8 * k))
                        .set("stroke", "none"),
                );
            (p.app, g)
        }
        Some(Shape::Database | Shape::Cache | Shape::External) => {
            let d = format!(
                "M{} L{} A{},{} 0 0 0 {} L{}",
                at(3.0, 5.0),
                at(3.0, 15.0),
                n(7.0 * k),
                n(2.6 * k),
                at(17.0, 15.0),
                at(17.0, 5.0)
            );
            let g = Group::new()
                .add(
                    Path::new()
                        .set("d", d)
                        .set("fill", "none")
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Ellipse::new()
                        .set("cx", n(x + 10.0 * k))
                        .set("cy", n(y + 5.0 * k))
                        .set("rx", n(7.0 * k))
                        .set("ry", n(2.6 * k))
                        .set("fill", "none")
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Path::new()
                        .set(
                            "d",
                            format!(
                                "M{} A{},{} 0 0 0 {}",
                                at(3.0, 10.0),
                                n(7.0 * k),
                                n(2.6 * k),
                                at(17.0, 10.0)
                            ),
                        )
                        .set("fill", "none")
                        .set("stroke-width", n(1.2 * k)),
                );
            (p.database, g)
        }
        None => {
            // A globe: a DNS record.
            let g = Group::new()
                .add(
                    Circle::new()
                        .set("cx", n(x + 10.0 * k))
                        .set("cy", n(y + 10.0 * k))
                        .set("r", n(8.0 * k))
                        .set("fill", "none")
                        .set("stroke-width", n(1.6 * k)),
                )
                .add(
                    Ellipse::new()
                        .set("cx", n(x + 10.0 * k))
                        .set("cy", n(y + 10.0 * k))
                        .set("rx", n(3.5 * k))
                        .set("ry", n(8.0 * k))
                        .set("fill", "none")
                        .set("stroke-width", n(1.2 * k)),
                )
                .add(
                    Path::new()
                        .set("d", format!("M{} L{}", at(2.0, 10.0), at(18.0, 10.0)))
                        .set("stroke-width", n(1.2 * k)),
                );
            (p.record, g)
        }
    };
    g.set("stroke", color)
        .set("fill", color)
        .set("stroke-linecap", "round")
}

/// The id of a glyph's `<symbol>`.
fn glyph_id(shape: Option<Shape>) -> &'static str {
    match shape {
        Some(Shape::Balancer) => "glyph-balancer",
        Some(Shape::WebServer) => "glyph-web",
        Some(Shape::AppServer) => "glyph-app",
        Some(Shape::Database | Shape::Cache | Shape::External) => "glyph-database",
        None => "glyph-record",
    }
}

/// A glyph placed at (x, y), `s` pixels square.
fn use_glyph(shape: Option<Shape>, x: f64, y: f64, s: f64) -> Use {
    Use::new()
        .set("href", format!("#{}", glyph_id(shape)))
        .set("x", n(x))
        .set("y", n(y))
        .set("width", n(s))
        .set("height", n(s))
}

/// The style sheet: one class per kind of text and box, so that each
/// element carries only its geometry.
fn stylesheet(p: &Palette) -> String {
    format!(
        ".name{{font-size:13px;font-weight:bold;fill:{text}}}\
.sub{{font-size:11px;fill:{muted}}}\
.it{{font-size:11px;fill:{muted};font-style:italic;text-anchor:middle}}\
.box{{fill:{node};stroke:{ns};stroke-width:1.2}}\
.box-warn{{fill:{wf};stroke:{warn};stroke-width:2.5}}\
.box-empty{{fill:{node};stroke:{ns};stroke-width:1.2;stroke-dasharray:4 3}}\
.pill-warn{{fill:{warn}}}\
.pill-zone{{fill:{zone}}}\
.pill-zwarn{{fill:{wf};stroke:{warn};stroke-width:1}}\
.pt-warn{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{wt}}}\
.pt-zone{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{zt}}}\
.pt-zwarn{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{warn}}}\
.group{{fill:{cl};stroke:{cs};stroke-width:1.2}}\
.gname{{font-size:12.5px;font-weight:bold;fill:{text};stroke:{cl};stroke-width:4;paint-order:stroke;stroke-linejoin:round}}\
.gsub{{font-size:11px;fill:{muted};stroke:{cl};stroke-width:4;paint-order:stroke;stroke-linejoin:round}}\
.edge{{fill:none;stroke:{edge};stroke-width:1.4}}\
.read{{fill:none;stroke:{edge};stroke-width:1.4;stroke-dasharray:5 3}}\
.edge-warn{{fill:none;stroke:{warn};stroke-width:2}}\
.lbl{{fill:{bg};stroke:{cs};stroke-width:0.8}}\
.lbl-warn{{fill:{bg};stroke:{warn};stroke-width:1}}\
.lt{{font-size:10.5px;fill:{muted};text-anchor:middle}}\
.lt-warn{{font-size:10.5px;fill:{warn};text-anchor:middle;font-weight:bold}}",
        text = p.text,
        muted = p.muted,
        node = p.node,
        ns = p.node_stroke,
        wf = p.warn_fill,
        warn = p.warn,
        wt = p.warn_text,
        zone = p.zone,
        zt = p.zone_text,
        cl = p.cluster,
        cs = p.cluster_stroke,
        edge = p.edge,
        bg = p.bg,
    )
}

fn txt(x: f64, y: f64, class: &str, s: &str) -> TextEl {
    TextEl::new(s)
        .set("x", n(x))
        .set("y", n(y))
        .set("class", class)
}

#[derive(Copy, Clone)]
enum PillKind {
    Warn,
    Zone,
    ZoneWarn,
}

fn pill(x: f64, y: f64, s: &str, kind: PillKind) -> [Box<dyn svg::Node>; 2] {
    let w = pill_w(s);
    let (bg, fg) = match kind {
        PillKind::Warn => ("pill-warn", "pt-warn"),
        PillKind::Zone => ("pill-zone", "pt-zone"),
        PillKind::ZoneWarn => ("pill-zwarn", "pt-zwarn"),
    };
    [
        Box::new(
            Rectangle::new()
                .set("x", n(x))
                .set("y", n(y))
                .set("width", n(w))
                .set("height", 15)
                .set("rx", 7.5)
                .set("class", bg),
        ),
        Box::new(txt(x + w / 2.0, y + 11.0, fg, s)),
    ]
}

fn add_all(mut g: Group, items: [Box<dyn svg::Node>; 2]) -> Group {
    for i in items {
        g = g.add(i);
    }
    g
}

fn node_el(d: &Diagram, i: usize, r: &Rect) -> Group {
    let node = &d.nodes[i];
    let warn = node.warning.is_some();
    let mut g = Group::new().set("id", node.id.clone()).set(
        "class",
        match (&node.kind, warn) {
            (NodeKind::Record { .. }, false) => "node record",
            (NodeKind::Record { .. }, true) => "node record dark",
            (NodeKind::Server { .. }, false) => "node server",
            (NodeKind::Server { .. }, true) => "node server spof",
            (NodeKind::Empty, _) => "node empty",
        },
    );
    let tip = match (&node.kind, &node.warning) {
        (_, Some(w)) => w.clone(),
        (NodeKind::Server { roles, address, .. }, None) => format!(
            "{} ({}){}",
            node.name,
            roles.joined(),
            address
                .as_ref()
                .map(|a| format!(" at {a}"))
                .unwrap_or_default()
        ),
        (NodeKind::Record { rtype }, None) => format!("{} {rtype}: an entry point", node.name),
        (NodeKind::Empty, None) => "this group has no members".into(),
    };
    g = g.add(title(&tip));
    let class = match (&node.kind, warn) {
        (NodeKind::Empty, _) => "box-empty",
        (_, true) => "box-warn",
        (_, false) => "box",
    };
    g = g.add(
        Rectangle::new()
            .set("x", n(r.x))
            .set("y", n(r.y))
            .set("width", n(r.w))
            .set("height", n(r.h))
            .set(
                "rx",
                if matches!(node.kind, NodeKind::Record { .. }) {
                    22
                } else {
                    8
                },
            )
            .set("class", class),
    );
    match &node.kind {
        NodeKind::Empty => {
            g = g.add(txt(r.cx(), r.cy() + 4.0, "it", &node.name));
        }
        NodeKind::Record { .. } => {
            let (l2, _) = server_lines(&node.kind);
            g = g.add(use_glyph(
                None,
                r.x + PAD + 2.0,
                r.cy() - GLYPH / 2.0,
                GLYPH,
            ));
            let tx = r.x + PAD + GLYPH + 10.0;
            g = g.add(txt(tx, r.y + 19.0, "name", &node.name));
            g = g.add(txt(tx, r.y + 34.0, "sub", &l2));
            if warn {
                let w = pill_w(DARK_PILL);
                g = add_all(
                    g,
                    pill(r.right() - PAD - w, r.y + 7.0, DARK_PILL, PillKind::Warn),
                );
            }
        }
        NodeKind::Server { zone, .. } => {
            let (l2, l3) = server_lines(&node.kind);
            let sh = shapes(&node.kind);
            let gy = r.cy() - GLYPH / 2.0;
            for (k, s) in sh.iter().enumerate() {
                g = g.add(use_glyph(
                    Some(*s),
                    r.x + PAD + k as f64 * (GLYPH + 4.0),
                    gy,
                    GLYPH,
                ));
            }
            let tx = r.x + PAD + sh.len().max(1) as f64 * (GLYPH + 4.0) + 4.0;
            g = g.add(txt(tx, r.y + 19.0, "name", &node.name));
            g = g.add(txt(tx, r.y + 35.0, "sub", &l2));
            g = g.add(txt(tx, r.y + 50.0, "sub", &l3));
            if let Some(z) = zone {
                let s = format!("zone {z}");
                let w = pill_w(&s);
                let zw = d.zone_of(i).and_then(|z| z.warning.clone());
                let kind = if zw.is_some() {
                    PillKind::ZoneWarn
                } else {
                    PillKind::Zone
                };
                let mut badge =
                    add_all(Group::new(), pill(r.right() - PAD - w, r.y + 7.0, &s, kind));
                if let Some(t) = zw {
                    badge = badge.add(title(&t));
                }
                g = g.add(badge);
            }
            if warn {
                let w = pill_w(SPOF_PILL);
                g = add_all(
                    g,
                    pill(r.right() - PAD - w, r.y + 40.0, SPOF_PILL, PillKind::Warn),
                );
            }
        }
    }
    g
}

/// Draws a diagram. Same input, same bytes.
pub fn render(d: &Diagram, theme: Theme) -> String {
    let lay = layout_of(d);
    render_with(d, &lay, theme)
}

/// The header: title, summary and legend; returns the group and its height.
fn header(d: &Diagram, p: &Palette, wrap: f64) -> (Group, f64) {
    let mut g = Group::new().set("id", "header");
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
    for role in crate::model::Role::all() {
        let used = d.nodes.iter().any(|x| match &x.kind {
            NodeKind::Server { roles, .. } => roles.contains(role),
            _ => false,
        });
        if used {
            items.push((
                Some(role.spec().shape),
                format!("{} ({})", role.spec().title, role.name()),
            ));
        }
    }
    let mut x = MARGIN;
    let mut y = y2 + 16.0;
    let row_h = 22.0;
    let mut legend = Group::new().set("id", "legend");
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
        legend = legend.add(use_glyph(*shape, at, y, 14.0));
        legend = legend.add(txt(at + 18.0, y + 11.0, "sub", label));
    }
    let line = |at: f64, y: f64, class: &str| {
        Path::new()
            .set(
                "d",
                format!("M{},{} L{},{}", n(at), n(y + 7.0), n(at + 24.0), n(y + 7.0)),
            )
            .set("class", class)
            .set("marker-end", "url(#arrow)")
    };
    let w = 30.0 + width("request  proto port", SMALL, false);
    let at = place(w, &mut x, &mut y);
    legend = legend.add(line(at, y, "edge"));
    legend = legend.add(txt(at + 30.0, y + 11.0, "sub", "request  proto port"));
    if d.edges.iter().any(|e| e.read) {
        let w = 30.0 + width("reads only", SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = legend.add(line(at, y, "read"));
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", "reads only"));
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
                .set("marker-end", "url(#arrow-warn)"),
        );
        legend = legend.add(txt(at + 30.0, y + 11.0, "sub", label));
    }
    if spofs > 0 {
        let label = "single point of failure (hover for why)";
        let w = pill_w(SPOF_PILL) + 6.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = add_all(legend, pill(at, y, SPOF_PILL, PillKind::Warn));
        legend = legend.add(txt(at + pill_w(SPOF_PILL) + 6.0, y + 11.0, "sub", label));
    }
    if dark > 0 {
        let label = "record dark with nothing down";
        let w = pill_w(DARK_PILL) + 6.0 + width(label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        legend = add_all(legend, pill(at, y, DARK_PILL, PillKind::Warn));
        legend = legend.add(txt(at + pill_w(DARK_PILL) + 6.0, y + 11.0, "sub", label));
    }
    for z in &d.zones {
        let label = match &z.warning {
            Some(_) => "failure zone: its loss alone stops the stack".to_string(),
            None => "failure zone".to_string(),
        };
        let s = format!("zone {}", z.name);
        let w = pill_w(&s) + 6.0 + width(&label, SMALL, false);
        let at = place(w, &mut x, &mut y);
        let kind = if z.warning.is_some() {
            PillKind::ZoneWarn
        } else {
            PillKind::Zone
        };
        let mut b = add_all(Group::new(), pill(at, y, &s, kind));
        if let Some(t) = &z.warning {
            b = b.add(title(t));
        }
        legend = legend.add(b);
        legend = legend.add(txt(at + pill_w(&s) + 6.0, y + 11.0, "sub", &label));
    }
    g = g.add(legend);
    (g, y + row_h + 10.0)
}

/// Draws a diagram with a layout computed before (tests use the same one).
/// Each part is written as soon as it is built, so memory stays near the
/// size of the document.
pub fn render_with(d: &Diagram, lay: &Layout, theme: Theme) -> String {
    use std::fmt::Write;
    let p = palette(theme);
    let (head, head_h) = header(d, &p, lay.width.max(600.0));
    let ox = MARGIN;
    let oy = head_h;
    let w = (lay.width + 2.0 * MARGIN).max(640.0).ceil();
    let h = (oy + lay.height + MARGIN).ceil();

    let arrow = |id: &str, color: &str| {
        Marker::new()
            .set("id", id.to_string())
            .set("viewBox", "0 0 10 10")
            .set("refX", 10)
            .set("refY", 5)
            .set("markerWidth", 7)
            .set("markerHeight", 7)
            .set("orient", "auto-start-reverse")
            .set("markerUnits", "userSpaceOnUse")
            .add(
                Path::new()
                    .set("d", "M0,0 L10,5 L0,10 z")
                    .set("fill", color.to_string()),
            )
    };
    let mut defs = Definitions::new().add(arrow("arrow", p.edge));
    if d.edges.iter().any(|e| e.warning.is_some()) {
        defs = defs.add(arrow("arrow-warn", p.warn));
    }
    for shape in [
        None,
        Some(Shape::Balancer),
        Some(Shape::WebServer),
        Some(Shape::AppServer),
        Some(Shape::Database),
    ] {
        defs = defs.add(
            Symbol::new()
                .set("id", glyph_id(shape))
                .set("viewBox", "0 0 20 20")
                .add(glyph(shape, 0.0, 0.0, 20.0, &p)),
        );
    }

    // The body, written part by part.
    let mut body = String::with_capacity(512 * (d.nodes.len() + d.edges.len()) + 1024);
    body.push_str("<g id=\"groups\">");
    let mut titles = String::new();
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
            .set("id", grp.id.clone())
            .add(title(&format!("group {}: {}", grp.name, grp.details())))
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
        let (name, details) = group_title(d, gi);
        let tw = width(&name, 12.5, true) + 10.0 + width(&details, SMALL, false);
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
        let _ = write!(titles, "\n{}", txt(tx, ty, "gname", &name));
        let _ = write!(
            titles,
            "\n{}",
            txt(tx + width(&name, 12.5, true) + 10.0, ty, "gsub", &details)
        );
    }
    body.push_str("\n</g>\n<g id=\"edges\">");
    let mut labels = String::new();
    let mut dpath = String::new();
    for (ei, e) in d.edges.iter().enumerate() {
        let route = &lay.edges[ei];
        dpath.clear();
        for (k, pt) in route.points.iter().enumerate() {
            dpath.push_str(if k == 0 { "M" } else { " L" });
            let _ = write!(dpath, "{},{}", n(pt.x), n(pt.y));
        }
        let (id_of, name_of) = (
            |x: End| match x {
                End::Node(i) => d.nodes[i].id.as_str(),
                End::Group(g) => d.groups[g].id.as_str(),
            },
            |x: End| match x {
                End::Node(i) => d.nodes[i].name.as_str(),
                End::Group(g) => d.groups[g].name.as_str(),
            },
        );
        let path = Path::new()
            .set(
                "id",
                format!("edge{}-{}-{}", ei, id_of(e.from), id_of(e.to)),
            )
            .set("d", dpath.clone())
            .set(
                "class",
                match (&e.warning, e.read) {
                    (Some(_), _) => "edge-warn",
                    (None, true) => "read",
                    (None, false) => "edge",
                },
            )
            .set(
                "marker-end",
                if e.warning.is_some() {
                    "url(#arrow-warn)"
                } else {
                    "url(#arrow)"
                },
            )
            .add(title(&match &e.warning {
                Some(w) => w.clone(),
                None => format!("{} -> {} : {}", name_of(e.from), name_of(e.to), e.label),
            }));
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
            let lt = if e.warning.is_some() { "lt-warn" } else { "lt" };
            let _ = write!(
                labels,
                "\n{rect}\n{}",
                txt(l.cx(), l.y + 11.5, lt, &e.label)
            );
        }
    }
    body.push_str("\n</g>\n<g id=\"nodes\">");
    for (i, r) in lay.nodes.iter().enumerate() {
        let _ = write!(body, "\n{}", node_el(d, i, r));
    }
    body.push_str("\n</g>\n<g id=\"group-titles\">");
    body.push_str(&titles);
    body.push_str("\n</g>\n<g id=\"edge-labels\">");
    body.push_str(&labels);
    body.push_str("\n</g>");

    let doc = Document::new()
        .set("xmlns", "http://www.w3.org/2000/svg")
        .set("viewBox", format!("0 0 {} {}", n(w), n(h)))
        .set("width", n(w))
        .set("height", n(h))
        .set("font-family", FONT)
        .add(title(&d.title))
        .add(Description::new().add(Text::new(
            "Drawn by stackc render: the stack's topology and its single points of failure.",
        )))
        .add(Style::new(stylesheet(&p)))
        .add(defs)
        .add(
            Rectangle::new()
                .set("width", n(w))
                .set("height", n(h))
                .set("fill", p.bg),
        )
        .add(head)
        .add(
            Group::new()
                .set("id", "diagram")
                .set("transform", format!("translate({},{})", n(ox), n(oy)))
                .add(Blob::new(body)),
        );
    // XML 1.0 cannot hold most control characters, even escaped: a title
    // or string with one (BEL, ESC...) would make the SVG unreadable.
    let mut out: String = doc
        .to_string()
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 => '\u{FFFD}',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    out.push('\n');
    out
}
