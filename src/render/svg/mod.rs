//! SVG emitter: stackc's own layered layout (`layout`), drawn with the
//! `svg` crate. Self-contained (glyphs are inline shapes, no fonts or
//! files needed) and deterministic (ids come from names; attributes are
//! written sorted; numbers rounded to 0.1 px).

mod body;
mod glyphs;
mod header;
mod measure;
mod node;
mod style;

pub use measure::{graph_of, layout_of};

use super::diagram::{Diagram, EdgeKind};
use super::layout::Layout;
use super::theme::{palette, Theme};
use crate::model::Shape;
use glyphs::{glyph, glyph_id, SHAPES};
use svg::node::element::{
    Definitions, Description, Group, Marker, Path, Rectangle, Style, Symbol, Text as TextEl, Title,
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
/// The capacity line under a server's roles.
const CAP_LINE: f64 = 15.0;
const RECORD_H: f64 = 44.0;
const TITLE_BAND: f64 = 28.0;
const MARGIN: f64 = 24.0;

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

fn txt(x: f64, y: f64, class: &str, s: &str) -> TextEl {
    TextEl::new(s)
        .set("x", n(x))
        .set("y", n(y))
        .set("class", class)
}

/// How to draw an SVG.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SvgOptions {
    pub theme: Theme,
    /// Scopes the document, for a page that holds several (inline SVGs
    /// share one id space and one set of style rules): every `id` gets
    /// this prefix, and so does every reference to one (`url(#…)`,
    /// `href="#…"`); the root `<svg>` gets the class `{prefix}root`, and
    /// every rule of the style sheet applies only under it. `None` draws
    /// the standalone document of [`render`].
    ///
    /// A prefix is made of ASCII letters, digits, `-` and `_`: any other
    /// character becomes `_`, and one that does not start with a letter or
    /// `_` gets an `s` in front, so that ids and the class stay valid.
    pub id_prefix: Option<String>,
    /// For the interactive page: every server and zone element carries
    /// `data-element="NAME"`, `tabindex="0"`, `role="button"` and
    /// `aria-pressed="false"`, and every record `data-record="NAME"`.
    pub interactive: bool,
}

/// The ids of one document (see [`SvgOptions::id_prefix`]).
pub(super) struct Scope {
    prefix: String,
    /// The root's class, when scoped.
    root: Option<String>,
    /// See [`SvgOptions::interactive`].
    interactive: bool,
}

impl Scope {
    fn new(prefix: Option<&str>) -> Scope {
        let Some(raw) = prefix else {
            return Scope {
                prefix: String::new(),
                root: None,
                interactive: false,
            };
        };
        let mut prefix: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !prefix.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            prefix.insert(0, 's');
        }
        Scope {
            root: Some(format!("{prefix}root")),
            prefix,
            interactive: false,
        }
    }

    /// An id of the document.
    fn id(&self, id: &str) -> String {
        let mut s = String::with_capacity(self.prefix.len() + id.len());
        s.push_str(&self.prefix);
        s.push_str(id);
        s
    }

    /// A reference to an id, as `href` takes it: `#id`.
    fn href(&self, id: &str) -> String {
        format!("#{}{id}", self.prefix)
    }

    /// A reference to an id, as `marker-end` takes it: `url(#id)`.
    fn url(&self, id: &str) -> String {
        format!("url(#{}{id})", self.prefix)
    }
}

/// Draws a diagram. Same input, same bytes.
pub fn render(d: &Diagram, theme: Theme) -> String {
    let lay = layout_of(d);
    render_with(d, &lay, theme)
}

/// Draws a diagram with options (a scoped document for a page of several).
pub fn render_opts(d: &Diagram, opts: &SvgOptions) -> String {
    let lay = layout_of(d);
    let mut sc = Scope::new(opts.id_prefix.as_deref());
    sc.interactive = opts.interactive;
    draw(d, &lay, opts.theme, &sc)
}

/// Draws a diagram with a layout computed before (tests use the same one).
pub fn render_with(d: &Diagram, lay: &Layout, theme: Theme) -> String {
    draw(d, lay, theme, &Scope::new(None))
}

/// Each part is written as soon as it is built, so memory stays near the
/// size of the document.
fn draw(d: &Diagram, lay: &Layout, theme: Theme, sc: &Scope) -> String {
    use std::fmt::Write;
    let p = palette(theme);
    let (head, head_h, head_w) = header::header(d, p, sc, lay.width.max(600.0));
    let ox = MARGIN;
    let oy = head_h;
    let w = (lay.width + 2.0 * MARGIN).max(640.0).max(head_w).ceil();
    let h = (oy + lay.height + MARGIN).ceil();

    let arrow = |id: &str, color: &str| {
        Marker::new()
            .set("id", sc.id(id))
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
    let replication = d.edges.iter().any(|e| e.kind == EdgeKind::Replication);
    let peering = d.edges.iter().any(|e| e.kind == EdgeKind::Peering);
    if replication {
        defs = defs.add(arrow("arrow-repl", p.replication));
    }
    // The globe and the glyphs of v1's four shapes always (drawings of
    // those keep their bytes), the newer shapes when they are drawn.
    let drawn = |s: Shape| d.nodes.iter().any(|x| x.kind.shapes().contains(&s));
    let symbols = std::iter::once(None).chain(
        SHAPES
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Shape::Balancer | Shape::WebServer | Shape::AppServer | Shape::Database
                ) || drawn(**s)
            })
            .map(|s| Some(*s)),
    );
    for shape in symbols {
        defs = defs.add(
            Symbol::new()
                .set("id", sc.id(glyph_id(shape)))
                .set("viewBox", "0 0 20 20")
                .add(glyph(shape, 0.0, 0.0, 20.0, p)),
        );
    }

    // The body, written part by part.
    let mut body = String::with_capacity(512 * (d.nodes.len() + d.edges.len()) + 1024);
    let open = |body: &mut String, id: &str| {
        let _ = write!(body, "<g id=\"{}\">", sc.id(id));
    };
    open(&mut body, "groups");
    let mut titles = String::new();
    body::groups(d, lay, sc, &mut body, &mut titles);
    body.push_str("\n</g>\n");
    open(&mut body, "edges");
    let mut labels = String::new();
    body::edges(d, lay, sc, &mut body, &mut labels);
    body.push_str("\n</g>\n");
    open(&mut body, "nodes");
    for (i, r) in lay.nodes.iter().enumerate() {
        let _ = write!(body, "\n{}", node::node_el(d, i, r, sc));
    }
    body.push_str("\n</g>\n");
    open(&mut body, "group-titles");
    body.push_str(&titles);
    body.push_str("\n</g>\n");
    open(&mut body, "edge-labels");
    body.push_str(&labels);
    body.push_str("\n</g>");

    let mut doc = Document::new();
    if let Some(root) = &sc.root {
        doc = doc.set("class", root.clone());
    }
    let uses = style::Uses {
        optional: d.edges.iter().any(|e| e.optional),
        replication,
        peering,
        cut_slots: d
            .cuts
            .as_ref()
            .map_or(0, |l| l.cuts.len().min(p.cuts.len())),
        overloaded: d.nodes.iter().any(|x| x.text.overloaded),
    };
    let doc = doc
        .set("xmlns", "http://www.w3.org/2000/svg")
        .set("viewBox", format!("0 0 {} {}", n(w), n(h)))
        .set("width", n(w))
        .set("height", n(h))
        .set("font-family", FONT)
        .add(title(&d.title))
        .add(Description::new().add(Text::new(
            "Drawn by stackc render: the stack's topology and its single points of failure.",
        )))
        .add(Style::new(style::stylesheet(p, sc, uses)))
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
                .set("id", sc.id("diagram"))
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
