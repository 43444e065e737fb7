//! Plane geometry for the layout and its tests: boxes, points on borders,
//! segment intersection and the crossing count of a set of polylines.

/// A point; y grows down.
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// An axis-aligned box: top-left corner and size.
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn centered(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect::new(cx - w / 2.0, cy - h / 2.0, w, h)
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    /// The interiors overlap (touching borders do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    /// `o` lies inside (borders may touch).
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x - EPS
            && o.y >= self.y - EPS
            && o.right() <= self.right() + EPS
            && o.bottom() <= self.bottom() + EPS
    }
    /// `p` lies on the border, within `EPS`.
    pub fn on_border(&self, p: Point) -> bool {
        let inside_x = p.x >= self.x - EPS && p.x <= self.right() + EPS;
        let inside_y = p.y >= self.y - EPS && p.y <= self.bottom() + EPS;
        (inside_x && ((p.y - self.y).abs() <= EPS || (p.y - self.bottom()).abs() <= EPS))
            || (inside_y && ((p.x - self.x).abs() <= EPS || (p.x - self.right()).abs() <= EPS))
    }
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect::new(
            x,
            y,
            self.right().max(o.right()) - x,
            self.bottom().max(o.bottom()) - y,
        )
    }
    /// Moved by (dx, dy).
    pub fn shifted(&self, dx: f64, dy: f64) -> Rect {
        Rect::new(self.x + dx, self.y + dy, self.w, self.h)
    }
}

/// Tolerance for "on the border".
pub const EPS: f64 = 0.01;

/// Where segments `a1-a2` and `b1-b2` cross, when they properly do
/// (parallel and collinear segments do not cross).
pub fn intersection(a1: Point, a2: Point, b1: Point, b2: Point) -> Option<Point> {
    let d = (a2.x - a1.x) * (b2.y - b1.y) - (a2.y - a1.y) * (b2.x - b1.x);
    if d.abs() < 1e-9 {
        return None;
    }
    let t = ((b1.x - a1.x) * (b2.y - b1.y) - (b1.y - a1.y) * (b2.x - b1.x)) / d;
    let u = ((b1.x - a1.x) * (a2.y - a1.y) - (b1.y - a1.y) * (a2.x - a1.x)) / d;
    if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
        Some(Point::new(
            a1.x + t * (a2.x - a1.x),
            a1.y + t * (a2.y - a1.y),
        ))
    } else {
        None
    }
}

/// How close to a polyline's ends a crossing is ignored: edges that meet
/// at a shared node or port touch there without crossing.
pub const END_MARGIN: f64 = 4.0;

fn bbox(line: &[Point]) -> Rect {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in line {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    Rect::new(x0, y0, x1 - x0, y1 - y0)
}

fn near(p: Point, q: Point) -> bool {
    (p.x - q.x).hypot(p.y - q.y) <= END_MARGIN
}

/// The number of points where two of the polylines cross (each pair of
/// polylines counted at each distinct crossing point), ignoring points
/// near either polyline's ends. The same count is used for stackc's
/// layout and for Graphviz's splines (sampled), so they compare.
pub fn count_crossings(lines: &[&[Point]]) -> usize {
    let boxes: Vec<Rect> = lines.iter().map(|l| bbox(l)).collect();
    // Sweep on x: only lines whose x-extents overlap can cross.
    let mut idx: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].len() >= 2).collect();
    idx.sort_by(|a, b| boxes[*a].x.total_cmp(&boxes[*b].x).then(a.cmp(b)));
    let mut total = 0;
    for (k, &i) in idx.iter().enumerate() {
        for &j in &idx[k + 1..] {
            if boxes[j].x > boxes[i].right() {
                break;
            }
            if boxes[j].y > boxes[i].bottom() || boxes[i].y > boxes[j].bottom() {
                continue;
            }
            total += pair_crossings(lines[i], lines[j]);
        }
    }
    total
}

fn pair_crossings(a: &[Point], b: &[Point]) -> usize {
    let (a0, a1) = (a[0], a[a.len() - 1]);
    let (b0, b1) = (b[0], b[b.len() - 1]);
    let mut found: Vec<Point> = Vec::new();
    for s in a.windows(2) {
        for t in b.windows(2) {
            if let Some(p) = intersection(s[0], s[1], t[0], t[1]) {
                if near(p, a0) || near(p, a1) || near(p, b0) || near(p, b1) {
                    continue;
                }
                // A crossing exactly at a vertex is found on two segments.
                if !found.iter().any(|q| near(*q, p)) {
                    found.push(p);
                }
            }
        }
    }
    found.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_of_an_x() {
        let a = [Point::new(0.0, 0.0), Point::new(10.0, 10.0)];
        let b = [Point::new(10.0, 0.0), Point::new(0.0, 10.0)];
        assert_eq!(count_crossings(&[&a, &b]), 1);
        let c = [Point::new(20.0, 0.0), Point::new(20.0, 10.0)];
        assert_eq!(count_crossings(&[&a, &c]), 0);
    }

    #[test]
    fn shared_ends_do_not_cross() {
        let a = [Point::new(0.0, 0.0), Point::new(10.0, 10.0)];
        let b = [Point::new(0.0, 0.0), Point::new(-10.0, 10.0)];
        assert_eq!(count_crossings(&[&a, &b]), 0);
    }

    #[test]
    fn borders() {
        let r = Rect::new(0.0, 0.0, 10.0, 5.0);
        assert!(r.on_border(Point::new(5.0, 5.0)));
        assert!(r.on_border(Point::new(0.0, 2.0)));
        assert!(!r.on_border(Point::new(5.0, 2.0)));
        assert!(!r.overlaps(&Rect::new(10.0, 0.0, 5.0, 5.0)));
        assert!(r.overlaps(&Rect::new(9.0, 4.0, 5.0, 5.0)));
    }
}
