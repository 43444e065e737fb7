//! The glyphs: one small drawing per role shape (and the globe of a DNS
//! record), defined once as a `<symbol>` and placed with `<use>`.

use super::{n, Scope};
use crate::model::Shape;
use crate::render::theme::Palette;
use svg::node::element::{Circle, Ellipse, Group, Path, Rectangle, Use};

pub(super) fn glyph(shape: Option<Shape>, x: f64, y: f64, s: f64, p: &Palette) -> Group {
    let k = s / 20.0;
    let at = |dx: f64, dy: f64| format!("{},{}", n(x + dx * k), n(y + dy * k));
    let color = p.glyph(shape);
    let g = match shape {
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
            g
        }
        Some(Shape::WebServer) => Group::new()
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
            ),
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
            Group::new()
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
                )
        }
        Some(Shape::Database) => {
            let d = format!(
                "M{} L{} A{},{} 0 0 0 {} L{}",
                at(3.0, 5.0),
                at(3.0, 15.0),
                n(7.0 * k),
                n(2.6 * k),
                at(17.0, 15.0),
                at(17.0, 5.0)
            );
            Group::new()
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
                )
        }
        Some(Shape::Cache) => {
            // Three discs of fast memory, and a spark.
            let mut g = Group::new();
            for cy in [5.5, 10.0, 14.5] {
                g = g.add(
                    Ellipse::new()
                        .set("cx", n(x + 7.0 * k))
                        .set("cy", n(y + cy * k))
                        .set("rx", n(5.5 * k))
                        .set("ry", n(1.9 * k))
                        .set("stroke", "none"),
                );
            }
            let d = format!(
                "M{} L{} L{} L{} L{} L{} Z",
                at(16.5, 2.0),
                at(13.0, 10.5),
                at(15.5, 10.5),
                at(14.0, 18.0),
                at(19.0, 8.5),
                at(16.5, 8.5)
            );
            g.add(Path::new().set("d", d).set("stroke-width", n(0.6 * k)))
        }
        Some(Shape::External) => {
            // A cloud: not ours to run.
            let d = format!(
                "M{} A{r1},{r1} 0 0 1 {} A{r2},{r2} 0 0 1 {} A{r3},{r3} 0 0 1 {} Z",
                at(5.5, 16.0),
                at(5.0, 9.0),
                at(14.5, 8.0),
                at(15.0, 16.0),
                r1 = n(3.5 * k),
                r2 = n(5.0 * k),
                r3 = n(4.0 * k)
            );
            Group::new().add(
                Path::new()
                    .set("d", d)
                    .set("fill", "none")
                    .set("stroke-width", n(1.6 * k))
                    .set("stroke-linejoin", "round"),
            )
        }
        Some(Shape::Queue) => {
            // A pipe with messages in it, leaving to the right.
            let d = format!(
                "M{} L{} A{r},{r} 0 0 1 {} L{} A{r},{r} 0 0 1 {} Z",
                at(3.0, 6.0),
                at(15.0, 6.0),
                at(15.0, 14.0),
                at(3.0, 14.0),
                at(3.0, 6.0),
                r = n(4.0 * k)
            );
            let mut g = Group::new().add(
                Path::new()
                    .set("d", d)
                    .set("fill", "none")
                    .set("stroke-width", n(1.6 * k)),
            );
            for cx in [6.0, 10.0, 14.0] {
                g = g.add(
                    Rectangle::new()
                        .set("x", n(x + (cx - 1.3) * k))
                        .set("y", n(y + 8.7 * k))
                        .set("width", n(2.6 * k))
                        .set("height", n(2.6 * k))
                        .set("stroke", "none"),
                );
            }
            g
        }
        None => {
            // A globe: a DNS record.
            Group::new()
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
                )
        }
    };
    g.set("stroke", color)
        .set("fill", color)
        .set("stroke-linecap", "round")
}

/// Every role shape, in the order the legend lists them.
pub(super) const SHAPES: [Shape; 7] = [
    Shape::Balancer,
    Shape::WebServer,
    Shape::AppServer,
    Shape::Database,
    Shape::Cache,
    Shape::Queue,
    Shape::External,
];

/// What a shape stands for, in the legend.
pub(super) fn shape_word(shape: Shape) -> &'static str {
    match shape {
        Shape::Balancer => "load balancer",
        Shape::WebServer => "web server",
        Shape::AppServer => "application server",
        Shape::Database => "database",
        Shape::Cache => "cache",
        Shape::Queue => "message queue",
        Shape::External => "external service",
    }
}

/// The id of a glyph's `<symbol>`.
pub(super) fn glyph_id(shape: Option<Shape>) -> &'static str {
    match shape {
        Some(Shape::Balancer) => "glyph-balancer",
        Some(Shape::WebServer) => "glyph-web",
        Some(Shape::AppServer) => "glyph-app",
        Some(Shape::Database) => "glyph-database",
        Some(Shape::Cache) => "glyph-cache",
        Some(Shape::External) => "glyph-external",
        Some(Shape::Queue) => "glyph-queue",
        None => "glyph-record",
    }
}

/// A glyph placed at (x, y), `s` pixels square.
pub(super) fn use_glyph(shape: Option<Shape>, x: f64, y: f64, s: f64, sc: &Scope) -> Use {
    Use::new()
        .set("href", sc.href(glyph_id(shape)))
        .set("x", n(x))
        .set("y", n(y))
        .set("width", n(s))
        .set("height", n(s))
}
