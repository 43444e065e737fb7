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
    /// A replication edge (primary to replica, dashed) and its label.
    pub replication: &'static str,
    /// A VRRP peering edge (dotted, no direction) and its label.
    pub peering: &'static str,
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
    /// The marked cuts (`--cuts K`): cut N is drawn in `cuts[(N - 1) % 4]`
    /// (its badge's fill and its members' border), with its badge text in
    /// `cut_text`. Okabe–Ito hues (colour-blind safe) without their
    /// vermillion, which is too near the warning colour; darkened on the
    /// light page so each is 3:1 against it and white badge text 4.5:1 on
    /// each (see the test below).
    pub cuts: [&'static str; CUT_COLOURS],
    pub cut_text: &'static str,
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

    /// The colour of cut `n` (numbered from 1).
    pub fn cut(&self, n: usize) -> &'static str {
        self.cuts[cut_slot(n) - 1]
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
    replication: "#0369a1",
    peering: "#6d28d9",
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
    cuts: ["#0072b2", "#b35900", "#00856a", "#b8438c"],
    cut_text: "#ffffff",
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
    replication: "#38bdf8",
    peering: "#c4b5fd",
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
    cuts: ["#56b4e9", "#e69f00", "#009e73", "#cc79a7"],
    cut_text: "#0f172a",
};

/// How many colours the cuts cycle through.
pub const CUT_COLOURS: usize = 4;

/// The colour slot (1..=[`CUT_COLOURS`]) of cut `n` (numbered from 1): the
/// number in the formats' class names (`cut1`, `pill-cut1`).
pub fn cut_slot(n: usize) -> usize {
    n.saturating_sub(1) % CUT_COLOURS + 1
}

/// The palette of a theme.
pub fn palette(t: Theme) -> &'static Palette {
    match t {
        Theme::Light => &LIGHT,
        Theme::Dark => &DARK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(&hex[1..], 16).unwrap();
        let c = |shift: u32| {
            let x = ((v >> shift) & 0xff) as f64 / 255.0;
            if x <= 0.03928 {
                x / 12.92
            } else {
                ((x + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(16) + 0.7152 * c(8) + 0.0722 * c(0)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// The cut colours read on both pages: 3:1 against the page and a
    /// node's box (WCAG's figure for graphics), 4.5:1 for the badge text on
    /// them; none is the warning colour, and they differ from each other.
    #[test]
    fn cut_colours_are_readable_in_both_themes() {
        for t in [Theme::Light, Theme::Dark] {
            let p = palette(t);
            for c in p.cuts {
                assert!(contrast(c, p.bg) >= 3.0, "{t:?} {c} on the page");
                assert!(contrast(c, p.node) >= 3.0, "{t:?} {c} on a box");
                assert!(contrast(c, p.cut_text) >= 4.5, "{t:?} text on {c}");
                assert_ne!(c, p.warn);
            }
            let distinct: std::collections::HashSet<_> = p.cuts.iter().collect();
            assert_eq!(distinct.len(), p.cuts.len());
            assert_eq!(p.cut(1), p.cuts[0]);
            assert_eq!(p.cut(5), p.cuts[0]);
        }
    }

    /// Replication and peering edges read on both pages: 3:1 against the
    /// page and a group's box (they run inside groups), 4.5:1 for their
    /// labels (text on the page colour); neither is the warning or the
    /// request colour, nor each other.
    #[test]
    fn member_edges_are_readable_in_both_themes() {
        for t in [Theme::Light, Theme::Dark] {
            let p = palette(t);
            for c in [p.replication, p.peering] {
                assert!(contrast(c, p.bg) >= 4.5, "{t:?} {c} on the page");
                assert!(contrast(c, p.cluster) >= 3.0, "{t:?} {c} on a group");
                assert!(contrast(c, p.node) >= 3.0, "{t:?} {c} beside a box");
                assert_ne!(c, p.warn);
                assert_ne!(c, p.edge);
            }
            assert_ne!(p.replication, p.peering);
        }
    }
}
