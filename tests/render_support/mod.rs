//! What the render tests share: the layout invariants a reader relies on,
//! rasterising an SVG with resvg, and random stacks.
#![allow(dead_code)]

use stackc::render::diagram::{Diagram, EdgeKind, End};
use stackc::render::layout::{Layout, Point, Rect};

/// Whether segment a-b passes through the interior of `r` (shrunk a bit,
/// so that touching a border is not entering).
pub fn segment_enters(a: Point, b: Point, r: &Rect) -> bool {
    let m = 0.5;
    let (x0, y0, x1, y1) = (r.x + m, r.y + m, r.right() - m, r.bottom() - m);
    if x0 >= x1 || y0 >= y1 {
        return false;
    }
    // Liang-Barsky clipping.
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, a.x - x0),
        (dx, x1 - a.x),
        (-dy, a.y - y0),
        (dy, y1 - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// The invariants a reader relies on. Returns what is wrong, if anything.
pub fn layout_problems(d: &Diagram, l: &Layout) -> Vec<String> {
    let mut bad = Vec::new();
    let name = |i: usize| d.nodes[i].name.clone();
    for i in 0..l.nodes.len() {
        for j in i + 1..l.nodes.len() {
            if l.nodes[i].overlaps(&l.nodes[j]) {
                bad.push(format!("nodes {} and {} overlap", name(i), name(j)));
            }
        }
    }
    for (gi, g) in d.groups.iter().enumerate() {
        let c = &l.clusters[gi];
        for &m in &g.members {
            if !c.contains(&l.nodes[m]) {
                bad.push(format!("group {} does not contain {}", g.name, name(m)));
            }
        }
        for (i, r) in l.nodes.iter().enumerate() {
            if d.nodes[i].group != Some(gi) && c.overlaps(r) {
                bad.push(format!("{} sits inside group {}", name(i), g.name));
            }
        }
    }
    let rect_of = |e: End| match e {
        End::Node(i) => l.nodes[i],
        End::Group(g) => l.clusters[g],
    };
    for (k, e) in d.edges.iter().enumerate() {
        let pts = &l.edges[k].points;
        let what = format!("edge {k} ({})", e.label);
        if pts.len() < 2 {
            bad.push(format!("{what} has fewer than two points"));
            continue;
        }
        if !rect_of(e.from).on_border(pts[0]) {
            bad.push(format!("{what} does not start on its source's border"));
        }
        if !rect_of(e.to).on_border(*pts.last().unwrap()) {
            bad.push(format!("{what} does not end on its target's border"));
        }
        for w in pts.windows(2) {
            for (i, r) in l.nodes.iter().enumerate() {
                if segment_enters(w[0], w[1], r) {
                    bad.push(format!("{what} runs through {}", name(i)));
                }
            }
        }
        if let Some(lb) = l.edges[k].label {
            for (i, r) in l.nodes.iter().enumerate() {
                if lb.overlaps(r) {
                    bad.push(format!("label of {what} overlaps {}", name(i)));
                }
            }
            for (k2, e2) in l.edges.iter().enumerate().skip(k + 1) {
                if e2.label.is_some_and(|l2| l2.overlaps(&lb)) {
                    bad.push(format!("labels of {what} and edge {k2} overlap"));
                }
            }
        }
    }
    bad
}

/// An SVG parsed by usvg and drawn by resvg.
pub fn rasterise(svg_text: &str) -> resvg::tiny_skia::Pixmap {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg_text, &opt).expect("usvg parses the SVG");
    let size = tree.size().to_int_size();
    assert!(size.width() >= 300 && size.height() >= 100, "{size:?}");
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
}

/// A random layered stack: tiers of groups in two zones, links down the
/// tiers (no cycle), links inside a group.
pub fn random_stack(
    tiers: &[(u8, u8)],
    links: &[(u8, u8, bool)],
    members: bool,
    intra: &[(u8, u8, u8)],
) -> String {
    let roles = ["haproxy", "nginx", "app", "mysql"];
    let mut s = String::from("zone a\nzone b\n");
    let mut names = Vec::new();
    let mut ip = 0;
    for (t, (kind, size)) in tiers.iter().enumerate() {
        let role = roles[*kind as usize % 4];
        let size = 1 + *size as usize % 4;
        let g = format!("g{t}");
        if role == "mysql" {
            s.push_str(&format!(
                "group {g}: mysql failover=auto vip=10.9.0.{t} {{\n"
            ));
        } else {
            s.push_str(&format!("group {g}: {role} {{\n"));
        }
        for m in 0..size {
            ip += 1;
            let z = if m % 2 == 0 { "a" } else { "b" };
            let db = if role == "mysql" {
                if m == 0 {
                    " primary"
                } else {
                    " replica"
                }
            } else {
                ""
            };
            s.push_str(&format!(
                "  server {g}-{m} 10.0.{}.{} zone={z}{db}\n",
                ip / 250,
                ip % 250 + 1
            ));
        }
        s.push_str("}\n");
        names.push((g, size));
    }
    s.push_str("domain example.com { www A -> g0 }\n");
    // Links only go down the tiers, so there is no cycle.
    for (a, b, member) in links {
        let (a, b) = (*a as usize % names.len(), *b as usize % names.len());
        let (a, b) = (a.min(b), a.max(b));
        if a == b {
            continue;
        }
        let src = if members && *member {
            format!("{}-0", names[a].0)
        } else {
            names[a].0.clone()
        };
        let dst = if members && !*member {
            format!("{}-{}", names[b].0, names[b].1 - 1)
        } else {
            names[b].0.clone()
        };
        s.push_str(&format!("{src} -> {dst} : http\n"));
    }
    // Links inside a group (flat edges): from a member to a later one.
    for (t, i, j) in intra {
        let (g, size) = &names[*t as usize % names.len()];
        let (i, j) = (*i as usize % size, *j as usize % size);
        if i < j {
            s.push_str(&format!("{g}-{i} -> {g}-{j} : http\n"));
        }
    }
    s
}

/// A box in an SVG: x, y, width, height.
type Bx = (f64, f64, f64, f64);

fn overlap(a: Bx, b: Bx) -> bool {
    let m = 0.25;
    a.0 + m < b.0 + b.2 && b.0 + m < a.0 + a.2 && a.1 + m < b.1 + b.3 && b.1 + m < a.1 + a.3
}

fn inside(a: Bx, outer: Bx) -> bool {
    let m = 0.5;
    a.0 >= outer.0 - m
        && a.1 >= outer.1 - m
        && a.0 + a.2 <= outer.0 + outer.2 + m
        && a.1 + a.3 <= outer.1 + outer.3 + m
}

fn attr(n: &roxmltree::Node, a: &str) -> f64 {
    n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// What is wrong with the badges and texts of each node box of an SVG: a
/// badge (pill) or a line of text outside its box, two badges over each
/// other, a badge over a line of text (text extents from the same widths
/// the layout uses); and a legend row of the header below the drawing's
/// top.
pub fn mark_problems(svg_text: &str) -> Vec<String> {
    use stackc::render::text::width;
    let doc = roxmltree::Document::parse(svg_text).expect("well-formed SVG");
    let mut bad = Vec::new();
    for g in doc.descendants().filter(|n| {
        n.has_tag_name("g") && n.attribute("class").is_some_and(|c| c.starts_with("node "))
    }) {
        let id = g.attribute("id").unwrap_or("?");
        let rects: Vec<roxmltree::Node> =
            g.descendants().filter(|n| n.has_tag_name("rect")).collect();
        let Some(b) = rects
            .iter()
            .find(|r| r.attribute("class").is_some_and(|c| c.starts_with("box")))
        else {
            bad.push(format!("{id}: no box"));
            continue;
        };
        let boxr = (
            attr(b, "x"),
            attr(b, "y"),
            attr(b, "width"),
            attr(b, "height"),
        );
        let pills: Vec<Bx> = rects
            .iter()
            .filter(|r| r.attribute("class").is_some_and(|c| c.starts_with("pill-")))
            .map(|r| {
                (
                    attr(r, "x"),
                    attr(r, "y"),
                    attr(r, "width"),
                    attr(r, "height"),
                )
            })
            .collect();
        let texts: Vec<(Bx, String)> = g
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| {
                let (size, bold) = match n.attribute("class")? {
                    "name" => (13.0, true),
                    "sub" => (11.0, false),
                    "cap-over" => (11.0, true),
                    _ => return None,
                };
                let s = n.text().unwrap_or("").trim().to_string();
                let x = attr(&n, "x");
                let y = attr(&n, "y");
                Some(((x, y - size * 0.75, width(&s, size, bold), size * 0.95), s))
            })
            .collect();
        for (k, p) in pills.iter().enumerate() {
            if !inside(*p, boxr) {
                bad.push(format!("{id}: badge {k} outside its box"));
            }
            for (k2, q) in pills.iter().enumerate().skip(k + 1) {
                if overlap(*p, *q) {
                    bad.push(format!("{id}: badges {k} and {k2} overlap"));
                }
            }
            for (t, s) in &texts {
                if overlap(*p, *t) {
                    bad.push(format!("{id}: badge {k} over the text {s:?}"));
                }
            }
        }
        for (t, s) in &texts {
            if !inside(*t, boxr) {
                bad.push(format!("{id}: text {s:?} outside its box"));
            }
        }
    }
    // The header's rows end above the drawing.
    let top = doc
        .descendants()
        .find(|n| n.attribute("id").is_some_and(|i| i.ends_with("diagram")))
        .and_then(|n| n.attribute("transform"))
        .and_then(|t| t.split(',').nth(1))
        .and_then(|y| y.trim_end_matches(')').parse::<f64>().ok())
        .unwrap_or(0.0);
    let width_of = attr(&doc.root_element(), "width");
    if let Some(h) = doc
        .descendants()
        .find(|n| n.attribute("id").is_some_and(|i| i.ends_with("header")))
    {
        for t in h.descendants().filter(|n| n.has_tag_name("text")) {
            if attr(&t, "y") > top {
                bad.push(format!(
                    "header text {:?} below the drawing's top",
                    t.text()
                ));
            }
            let s = t.text().unwrap_or("").trim();
            if t.attribute("class") == Some("sub")
                && attr(&t, "x") + width(s, 11.0, false) > width_of
            {
                bad.push(format!("header text {s:?} past the document's width"));
            }
        }
    }
    bad
}

/// A random stack of groups whose members replicate and peer (issue 13):
/// each tier `(kind, size, flavour, primary)` is a group of 1-4 members.
/// Kinds 0-2 (haproxy, nginx, app) are active-passive behind a vip when
/// `flavour` is odd; kinds 3-5 (mysql, redis, postgres) have their
/// primary at `primary` and fail over by hand (`flavour % 3 == 0`),
/// automatically behind a vip (1) or are a quorum group (2). The front
/// groups come first, the entry point is the first, and links go from a
/// front group to any later group (no cycle); `intra` links members of a
/// front group.
pub fn random_member_stack(
    tiers: &[(u8, u8, u8, u8)],
    links: &[(u8, u8)],
    intra: &[(u8, u8, u8)],
) -> String {
    let kinds = [
        ("haproxy", "http"),
        ("nginx", "http"),
        ("app", "http"),
        ("mysql", "mysql"),
        ("redis", "redis"),
        ("postgres", "postgres"),
    ];
    let mut tiers: Vec<(u8, u8, u8, u8)> = tiers.to_vec();
    // Front groups first, and the first tier in front.
    tiers[0].0 %= 3;
    tiers.sort_by_key(|t| (t.0 % 6) / 3);
    let mut s = String::from("zone a\nzone b\n");
    let mut groups: Vec<(String, usize, bool, &str)> = Vec::new();
    let mut ip = 0;
    for (t, (kind, size, flavour, primary)) in tiers.iter().enumerate() {
        let (role, proto) = kinds[*kind as usize % 6];
        let front = (*kind as usize % 6) < 3;
        let size = 1 + *size as usize % 4;
        let g = format!("g{t}");
        let attrs = match (front, flavour % 3) {
            (true, _) if flavour % 2 == 1 => {
                format!(" mode=active-passive vip=203.0.113.{}", t + 1)
            }
            (true, _) => String::new(),
            (false, 0) => String::new(),
            (false, 1) => format!(" failover=auto vip=10.9.{t}.1"),
            (false, _) => " mode=quorum".to_string(),
        };
        let quorum = !front && flavour % 3 == 2;
        s.push_str(&format!("group {g}: {role}{attrs} {{\n"));
        for m in 0..size {
            ip += 1;
            let z = if m % 2 == 0 { "a" } else { "b" };
            let mark = if !front && !quorum && m == *primary as usize % size {
                " primary"
            } else {
                ""
            };
            s.push_str(&format!(
                "  server {g}-{m} 10.0.{}.{} zone={z}{mark}\n",
                ip / 250,
                ip % 250 + 1
            ));
        }
        s.push_str("}\n");
        groups.push((g, size, front, proto));
    }
    s.push_str("domain example.com { www A -> g0 }\n");
    for (a, b) in links {
        let (a, b) = (*a as usize % groups.len(), *b as usize % groups.len());
        let (a, b) = (a.min(b), a.max(b));
        if a == b || !groups[a].2 {
            continue;
        }
        s.push_str(&format!(
            "{} -> {} : {}\n",
            groups[a].0, groups[b].0, groups[b].3
        ));
    }
    for (t, i, j) in intra {
        let (g, size, front, _) = &groups[*t as usize % groups.len()];
        let (i, j) = (*i as usize % size, *j as usize % size);
        if *front && i < j {
            s.push_str(&format!("{g}-{i} -> {g}-{j} : http\n"));
        }
    }
    s
}

/// The replication and peering edges a stack's model calls for, worked
/// out here from the model's fields (not from the diagram's code): in each
/// group with a replicated role that is not a quorum group and has exactly
/// one member marked primary, one edge from it to each replica; in each
/// group holding a vip that is active-passive, or replicated with
/// `failover=auto`, one peering edge per pair of members written one after
/// the other. As `(kind, from, to)`, sorted.
pub fn member_edges_of_model(c: &stackc::Checked) -> Vec<(EdgeKind, String, String)> {
    use stackc::model::{DbRole, Failover, Mode};
    let m = &c.model;
    let name = |s: &stackc::model::ServerId| m.servers[s.index()].name.clone();
    let mut v = Vec::new();
    for g in &m.groups {
        let replicated = g.roles.iter().any(|r| r.spec().replicated) && g.mode != Mode::Quorum;
        let marked: Vec<_> = g
            .members
            .iter()
            .filter(|s| m.servers[s.index()].db == Some(DbRole::Primary))
            .collect();
        if let (true, [p]) = (replicated, &marked[..]) {
            for s in &g.members {
                if m.servers[s.index()].db == Some(DbRole::Replica) {
                    v.push((EdgeKind::Replication, name(p), name(s)));
                }
            }
        }
        let vrrp = g.vip.is_some()
            && (g.mode == Mode::ActivePassive || (replicated && g.failover == Failover::Auto));
        if vrrp {
            for w in g.members.windows(2) {
                v.push((EdgeKind::Peering, name(&w[0]), name(&w[1])));
            }
        }
    }
    v.sort();
    v
}

/// The replication and peering edges a diagram holds, as
/// [`member_edges_of_model`] gives them.
pub fn member_edges_of(d: &Diagram) -> Vec<(EdgeKind, String, String)> {
    let name = |e: End| match e {
        End::Node(i) => d.nodes[i].name.clone(),
        End::Group(g) => format!("group {}", d.groups[g].name),
    };
    let mut v: Vec<_> = d
        .edges
        .iter()
        .filter(|e| e.kind != EdgeKind::Request)
        .map(|e| (e.kind, name(e.from), name(e.to)))
        .collect();
    v.sort();
    v
}
