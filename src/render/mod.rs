//! Emitter: diagrams of a checked stack. The topology and the analysis in
//! one picture: groups as clusters, DNS records as entry points, `proto
//! port` on edges, single points of failure in the warning colour.
//!
//! - [`diagram`]: what every format draws, built from the model and the
//!   analysis;
//! - [`mermaid`], [`dot`]: text for Mermaid and Graphviz;
//! - [`svg`]: a self-contained SVG laid out by stackc's own layered layout
//!   ([`layout`], no Graphviz and no browser);
//! - [`theme`]: the colours all three use, one palette per [`Theme`].
//!
//! Like the rest of the library, nothing here does I/O: every emitter
//! returns a string, and the same input always gives the same bytes.

pub mod changes;
pub mod diagram;
pub mod dot;
pub mod html;
pub mod layout;
pub mod marks;
pub mod mermaid;
pub mod svg;
pub mod text;
pub mod theme;

pub use diagram::Diagram;
pub use theme::Theme;

/// An output format of `stackc render`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Svg,
    Dot,
}

/// Draws a diagram in a format.
pub fn emit(d: &Diagram, format: Format, theme: Theme) -> String {
    match format {
        Format::Mermaid => mermaid::render(d, theme),
        Format::Svg => svg::render(d, theme),
        Format::Dot => dot::render(d, theme),
    }
}

/// Draws a checked stack, or `None` when a stopping error left no sound
/// model to draw.
pub fn render(checked: &crate::Checked, format: Format, theme: Theme) -> Option<String> {
    Diagram::of(checked).map(|d| emit(&d, format, theme))
}

/// Draws a checked stack with its cuts of size `size` (1..=4) marked
/// (`stackc render --cuts K`). `None` when a stopping error left no sound
/// model; `Some(Err)` when the cut search was refused (it would cost too
/// much: the message names the cost).
pub fn render_cuts(
    checked: &crate::Checked,
    size: usize,
    format: Format,
    theme: Theme,
) -> Option<Result<String, crate::analysis::resilience::TooBig>> {
    let cuts = match marks::CutsAsked::of(checked, size)? {
        Ok(c) => c,
        Err(too_big) => return Some(Err(too_big)),
    };
    Diagram::with_cuts(checked, &cuts).map(|d| Ok(emit(&d, format, theme)))
}
