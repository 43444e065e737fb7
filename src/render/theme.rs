//! Colours: one palette per [`Theme`], read by every format (the SVG's
//! style sheet and glyphs, DOT's attributes, Mermaid's classes), so that a
//! colour means the same thing in all three.

use crate::model::Shape;

/// Colours.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// The colours of a theme, by what they mean.
#[derive(Debug)]
pub struct Palette {
    /// The page behind the drawing.
    pub bg: &'static str,
    /// Names and titles; the text of a node, warned or not.
    pub text: &'static str,
    /// Secondary text: addresses, roles, edge labels.
    pub muted: &'static str,
    /// A node's box.
    pub node: &'static str,
    pub node_stroke: &'static str,
    /// A group's box.
    pub cluster: &'static str,
    pub cluster_stroke: &'static str,
    /// An edge and its arrow head.
    pub edge: &'static str,
    /// The warning colour: the border of a single point of failure or a
    /// dark record, a write to a replica, a warning pill.
    pub warn: &'static str,
    /// The fill of a warned box.
    pub warn_fill: &'static str,
    /// Text on a warning pill (`SPOF`, `DARK`).
    pub warn_text: &'static str,
    /// A failure zone's pill and its text.
    pub zone: &'static str,
    pub zone_text: &'static str,
    /// The verdict when nothing is wrong.
    pub ok: &'static str,
    /// Glyphs, one colour per shape (see [`Palette::glyph`]).
    pub balancer: &'static str,
    pub web: &'static str,
    pub app: &'static str,
    pub database: &'static str,
    pub cache: &'static str,
    pub external: &'static str,
    pub queue: &'static str,
    pub record: &'static str,
    /// Mermaid's own theme, under our classes.
    pub mermaid: &'static str,
}

impl Palette {
    /// The colour of a glyph: a role's shape, or `None` for a DNS record.
    pub fn glyph(&self, shape: Option<Shape>) -> &'static str {
        match shape {
            Some(Shape::Balancer) => self.balancer,
            Some(Shape::WebServer) => self.web,
            Some(Shape::AppServer) => self.app,
            Some(Shape::Database) => self.database,
            Some(Shape::Cache) => self.cache,
            Some(Shape::External) => self.external,
            Some(Shape::Queue) => self.queue,
            None => self.record,
        }
    }
}

static LIGHT: Palette = Palette {
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
    cache: "#c026d3",
    external: "#4b5563",
    queue: "#0d9488",
    record: "#0e7490",
    mermaid: "default",
};

static DARK: Palette = Palette {
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
    cache: "#e879f9",
    external: "#9ca3af",
    queue: "#2dd4bf",
    record: "#22d3ee",
    mermaid: "dark",
};

/// The palette of a theme.
pub fn palette(t: Theme) -> &'static Palette {
    match t {
        Theme::Light => &LIGHT,
        Theme::Dark => &DARK,
    }
}
