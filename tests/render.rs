//! Diagrams: every sample and case drawn in the three formats; the SVG read
//! back and rasterised by resvg; the layout's geometric invariants on every
//! drawing and on random stacks; Mermaid and DOT text pinned by insta.

mod common;
mod render_support;

use proptest::prelude::*;
use render_support::{
    layout_problems, mark_problems, member_edges_of, member_edges_of_model, random_member_stack,
    random_stack, rasterise,
};
use stackc::render::diagram::{Diagram, EdgeKind, End, NodeKind};
use stackc::render::layout::{self, geom, Point};
use stackc::render::{self, svg, Format, Theme};
use std::path::PathBuf;

/// Every sample, and every rule case that leaves a sound model.
fn drawable_files() -> Vec<PathBuf> {
    common::drawable_files()
}

fn diagram(src: &str) -> Option<Diagram> {
    Diagram::of(&stackc::check(src))
}

#[test]
fn every_drawing_keeps_the_layout_invariants() {
    let mut drawn = 0;
    for path in drawable_files() {
        let src = std::fs::read_to_string(&path).unwrap();
        let Some(d) = diagram(&src) else { continue };
        let l = svg::layout_of(&d);
        let problems = layout_problems(&d, &l);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        // Badges and lines of text stay inside their boxes, apart.
        let problems = mark_problems(&svg::render_with(&d, &l, Theme::Light));
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        drawn += 1;
    }
    assert!(drawn >= 20, "only {drawn} files drawn");
}

/// Parse every SVG with usvg, render it with resvg, and check the picture
/// shows what it should: the warning colour exactly when there is a SPOF.
#[test]
fn every_svg_parses_and_renders_to_png() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render-png");
    std::fs::create_dir_all(&out).unwrap();
    for path in drawable_files() {
        let src = std::fs::read_to_string(&path).unwrap();
        let checked = stackc::check(&src);
        let Some(d) = Diagram::of(&checked) else {
            continue;
        };
        for theme in [Theme::Light, Theme::Dark] {
            let text = render::emit(&d, Format::Svg, theme);
            let pixmap = rasterise(&text);
            let warn = match theme {
                Theme::Light => (0xdc, 0x26, 0x26),
                Theme::Dark => (0xf8, 0x71, 0x71),
            };
            let has_warn = pixmap
                .pixels()
                .iter()
                .any(|p| (p.red(), p.green(), p.blue()) == warn && p.alpha() == 255);
            let warned = d.nodes.iter().any(|n| n.warning.is_some())
                || d.zones.iter().any(|z| z.warning.is_some())
                || d.edges.iter().any(|e| e.warning.is_some());
            assert_eq!(
                has_warn,
                warned,
                "{}: warning colour drawn = {has_warn}, warnings = {warned}",
                path.display()
            );
            let stem = path.file_stem().unwrap().to_string_lossy();
            let suffix = if theme == Theme::Dark { "-dark" } else { "" };
            pixmap
                .save_png(out.join(format!("{stem}{suffix}.png")))
                .unwrap();
        }
    }
}

#[test]
fn svg_is_deterministic_and_self_contained() {
    for path in drawable_files() {
        let src = std::fs::read_to_string(&path).unwrap();
        let c = stackc::check(&src);
        let Some(a) = render::render(&c, Format::Svg, Theme::Light) else {
            continue;
        };
        let b = render::render(&stackc::check(&src), Format::Svg, Theme::Light).unwrap();
        assert_eq!(a, b, "{}: two renders differ", path.display());
        assert!(!a.contains("xlink:href=\"http") && !a.contains("href=\"http"));
        assert!(!a.contains("<image") && !a.contains("@import") && !a.contains("url(http"));
        // Every reference points inside the document.
        for (i, _) in a.match_indices("href=\"#") {
            let id = &a[i + 7..i + 7 + a[i + 7..].find('"').unwrap()];
            assert!(a.contains(&format!("id=\"{id}\"")), "dangling #{id}");
        }
    }
}

/// The SVG says what the analysis says: each SPOF server carries the
/// warning class and a tooltip with the reason, and nothing else does.
#[test]
fn svg_marks_spofs_with_a_tooltip() {
    let src =
        std::fs::read_to_string(common::root().join("samples/scale-up-as-drawn.stack")).unwrap();
    let svg = render::render(&stackc::check(&src), Format::Svg, Theme::Light).unwrap();
    for s in ["lb-01", "web-01", "app-01", "db-01"] {
        let id = stackc::render::diagram::ident("s", s);
        let at = svg
            .find(&format!("<g class=\"node server spof\" id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{s} is not marked as a spof"));
        let tip = &svg[at..at + 600];
        assert!(
            tip.contains("<title>") && tip.contains("single point of failure"),
            "{s}: {tip}"
        );
    }
    for s in ["lb-02", "web-02", "app-02", "db-02"] {
        let id = stackc::render::diagram::ident("s", s);
        assert!(svg.contains(&format!("<g class=\"node server\" id=\"{id}\">")));
    }
    assert!(svg.contains("4 single points of failure"));
    let ok = std::fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    let svg = render::render(&stackc::check(&ok), Format::Svg, Theme::Dark).unwrap();
    assert!(!svg.contains("spof\""));
    assert!(svg.contains("no single point of failure"));
    assert!(svg.contains("#0f172a"), "dark background");
}

#[test]
fn unsound_files_are_not_drawn() {
    for case in ["cycle", "syntax", "unknown-name", "no-primary"] {
        let src = std::fs::read_to_string(common::root().join(format!("tests/cases/{case}.stack")))
            .unwrap();
        let c = stackc::check(&src);
        assert!(!c.is_sound());
        for f in [Format::Mermaid, Format::Svg, Format::Dot] {
            assert!(render::render(&c, f, Theme::Light).is_none(), "{case}");
        }
    }
}

#[test]
fn mermaid_and_dot_snapshots_of_every_sample() {
    for path in common::stack_files(&common::root().join("samples")) {
        let src = std::fs::read_to_string(&path).unwrap();
        let c = stackc::check(&src);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let mmd = render::render(&c, Format::Mermaid, Theme::Light).unwrap();
        insta::assert_snapshot!(format!("mermaid-{stem}"), mmd);
        let dot = render::render(&c, Format::Dot, Theme::Light).unwrap();
        insta::assert_snapshot!(format!("dot-{stem}"), dot);
    }
}

/// Names and titles that would break Mermaid or DOT if pasted raw.
#[test]
fn identifiers_and_labels_cannot_break_the_syntax() {
    let src =
        std::fs::read_to_string(common::root().join("tests/diagrams/tricky-names.stack")).unwrap();
    let src = src.as_str();
    let c = stackc::check(src);
    assert!(c.is_sound(), "{:?}", c.findings);
    let d = Diagram::of(&c).unwrap();
    let ids: std::collections::HashSet<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), d.nodes.len(), "ids are distinct");
    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    for line in mmd.lines().filter(|l| l.contains("-->")) {
        assert!(
            !line.contains(" end ") && !line.starts_with("  end "),
            "{line}"
        );
    }
    assert!(mmd.contains("title: \"a \\\"quoted\\\" title; with # and <b>tags</b> & --> arrows\""));
    let dot = render::emit(&d, Format::Dot, Theme::Light);
    assert!(dot.contains(r#"label="a \"quoted\" title; with # and <b>tags</b> &amp; --> arrows""#));
    let svg_text = render::emit(&d, Format::Svg, Theme::Light);
    assert!(svg_text
        .contains("a \"quoted\" title; with # and &lt;b&gt;tags&lt;/b&gt; &amp; --&gt; arrows"));
    rasterise(&svg_text);
}

/// Edges say what the links say: group to group when the link is written
/// so, to the primary for a write with manual failover, and what each
/// member sends elsewhere when a group links to itself.
#[test]
fn edges_follow_the_links() {
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let d = diagram(&src).unwrap();
    let label = |e: End| match e {
        End::Node(i) => d.nodes[i].name.clone(),
        End::Group(g) => format!("group {}", d.groups[g].name),
    };
    let edges: Vec<String> = d
        .edges
        .iter()
        .map(|e| format!("{} -> {} : {}", label(e.from), label(e.to), e.label))
        .collect();
    assert_eq!(
        edges,
        [
            "www.foobar.com -> lb-01 : http 80",
            "lb-01 -> group box : http 80",
            "box-02 -> box-01 : mysql 3306",
            "box-01 -> box-02 : replicates",
        ]
    );
    let kinds: Vec<EdgeKind> = d.edges.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EdgeKind::Request,
            EdgeKind::Request,
            EdgeKind::Request,
            EdgeKind::Replication
        ]
    );
    let spofs: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Server { .. }) && n.warning.is_some())
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(spofs, ["lb-01", "box-01"]);
}

// ---------------------------------------------------------------------------
// Random stacks: the invariants hold on layouts nobody drew by hand.
// ---------------------------------------------------------------------------

/// `STACKC_RENDER_CASES` sets how many random stacks (default 64).
fn cases() -> u32 {
    std::env::var("STACKC_RENDER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    #[test]
    fn random_layouts_keep_the_invariants(
        tiers in prop::collection::vec((0u8..4, 0u8..4), 2..7),
        links in prop::collection::vec((0u8..7, 0u8..7, any::<bool>()), 1..12),
        members in any::<bool>(),
        intra in prop::collection::vec((0u8..7, 0u8..4, 0u8..4), 0..4),
    ) {
        let src = random_stack(&tiers, &links, members, &intra);
        let c = stackc::check(&src);
        prop_assert!(c.is_sound(), "{src}\n{:?}", c.findings);
        let d = Diagram::of(&c).unwrap();
        let l = svg::layout_of(&d);
        let problems = layout_problems(&d, &l);
        prop_assert!(problems.is_empty(), "{src}\n{problems:#?}");
        // Crossings are counted the same way as in the comparison with dot.
        let _ = layout::crossings(&l);
    }

    /// Groups that replicate and peer (issue 13): active-passive front
    /// groups, data groups with their primary anywhere, failing over by
    /// hand or behind a vip, or by quorum. The diagram holds exactly the
    /// replication and peering edges the model calls for, and the layout's
    /// invariants hold with them.
    #[test]
    fn random_member_edges_keep_the_invariants(
        tiers in prop::collection::vec((0u8..6, 0u8..4, 0u8..6, 0u8..4), 2..7),
        links in prop::collection::vec((0u8..7, 0u8..7), 1..12),
        intra in prop::collection::vec((0u8..7, 0u8..4, 0u8..4), 0..4),
    ) {
        let src = random_member_stack(&tiers, &links, &intra);
        let c = stackc::check(&src);
        prop_assert!(c.is_sound(), "{src}\n{:?}", c.findings);
        let d = Diagram::of(&c).unwrap();
        prop_assert_eq!(member_edges_of(&d), member_edges_of_model(&c), "{}", src);
        let l = svg::layout_of(&d);
        let problems = layout_problems(&d, &l);
        prop_assert!(problems.is_empty(), "{src}\n{problems:#?}");
    }
}

#[test]
fn crossing_count_sees_crossings() {
    let a = [Point::new(0.0, 0.0), Point::new(10.0, 10.0)];
    let b = [Point::new(10.0, 0.0), Point::new(0.0, 10.0)];
    assert_eq!(geom::count_crossings(&[&a, &b]), 1);
}

/// The book's gallery shows what `stackc render` draws today: each
/// sample's SVG (and one in the dark theme) is the current output.
/// `STACKC_UPDATE_GALLERY=1 cargo test --test render gallery` rewrites them.
#[test]
fn gallery_is_current() {
    let root = common::root();
    let dir = root.join("book/src/gallery");
    let update = std::env::var_os("STACKC_UPDATE_GALLERY").is_some();
    let mut wanted: Vec<(PathBuf, String, Theme)> = common::stack_files(&root.join("samples"))
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            (p, stem, Theme::Light)
        })
        .collect();
    wanted.push((
        root.join("samples/scale-up-as-drawn.stack"),
        "scale-up-as-drawn-dark".into(),
        Theme::Dark,
    ));
    let book = std::fs::read_to_string(root.join("book/src/gallery.md")).unwrap();
    let mut stale = Vec::new();
    for (path, stem, theme) in wanted {
        let src = std::fs::read_to_string(&path).unwrap();
        let svg_text = render::render(&stackc::check(&src), Format::Svg, theme).unwrap();
        let file = dir.join(format!("{stem}.svg"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &svg_text).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(svg_text.as_str()) {
            stale.push(stem.clone());
        }
        assert!(
            book.contains(&format!("gallery/{stem}.svg")),
            "gallery.md does not show {stem}"
        );
    }
    let dist = std::fs::read_to_string(root.join("samples/distributed.stack")).unwrap();
    let c = stackc::check(&dist);
    for f in [Format::Mermaid, Format::Dot] {
        let text = render::render(&c, f, Theme::Light).unwrap();
        assert!(book.contains(&text), "gallery.md shows stale {f:?} text");
    }
    assert!(
        stale.is_empty(),
        "stale gallery SVGs {stale:?}: run STACKC_UPDATE_GALLERY=1 cargo test --test render gallery"
    );
}

/// Independent services are laid out one by one and packed in rows, in
/// the order they are written, instead of one very wide strip.
#[test]
fn independent_services_are_packed_in_rows() {
    let mut src = String::new();
    for k in 0..40 {
        src.push_str(&format!(
            "group web{k}: nginx {{ server web{k}-0 10.1.{k}.1; server web{k}-1 10.1.{k}.2 }}\n\
             server db{k}: mysql 10.2.{k}.1\n\
             web{k} -> db{k}\n\
             domain s{k}.example.com {{ www A -> web{k} }}\n"
        ));
    }
    let d = diagram(&src).unwrap();
    let l = svg::layout_of(&d);
    let problems = layout_problems(&d, &l);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        l.width <= 3.0 * l.height && l.width < 6000.0,
        "{} x {}",
        l.width,
        l.height
    );
    let at = |name: &str| l.nodes[d.nodes.iter().position(|n| n.name == name).unwrap()];
    // Written first, drawn first: top left.
    assert!(at("db0").y < at("db39").y);
    assert!(at("web0-0").x <= at("web1-0").x);
}

/// Issue 9: a stack title that tries to leave its context in each format
/// (an attribute quote, a Mermaid `]; click`, backticks, a `%%{init}%%`
/// directive, a closing `</title>` and a `<script>`, DOT escapes and
/// entities) and carries terminal controls and a bidi override. The SVG
/// stays well-formed XML with the title as the text of its `<title>`, the
/// Mermaid title stays one YAML string with no directive, and the DOT
/// label stays one string that shows the title as written.
#[test]
fn hostile_titles_stay_in_their_context() {
    let title = "x\" onload=\"alert(1)\" a]; click x call alert(1) `md` \
                 %%{init: {\"securityLevel\":\"loose\"}}%% </title><script>alert(1)</script> \
                 \\N \\G &amp; \u{1b}[2J\u{7}\u{202e}end";
    let quoted = title.replace('\\', "\\\\").replace('"', "\\\"");
    let src = format!(
        "stack evil \"{quoted}\"\n\
         group web: nginx {{\n  server w1 10.0.0.1\n  server w2 10.0.0.2\n}}\n\
         server db: mysql 10.0.0.3 primary\n\
         domain example.com {{ www A -> web }}\nweb -> db : mysql\n"
    );
    let c = stackc::check(&src);
    let d = Diagram::of(&c).expect("drawable");
    let shown = "x\" onload=\"alert(1)\" a]; click x call alert(1) `md` \
                 %%{init: {\"securityLevel\":\"loose\"}}%% </title><script>alert(1)</script> \
                 \\N \\G &amp; \u{fffd}[2J\u{fffd}\u{fffd}end";
    assert_eq!(d.title, shown);

    let svg_text = render::emit(&d, Format::Svg, Theme::Light);
    let doc = resvg::usvg::roxmltree::Document::parse(&svg_text).expect("well-formed XML");
    let root = doc.root_element();
    assert!(root.attributes().all(|a| !a.name().starts_with("on")));
    assert!(doc.descendants().all(|n| n.tag_name().name() != "script"));
    assert!(doc
        .descendants()
        .all(|n| n.attributes().all(|a| !a.name().starts_with("on"))));
    let first_title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text());
    assert_eq!(first_title, Some(shown));
    rasterise(&svg_text);

    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(!mmd.contains("%%{"), "{mmd}");
    assert!(!mmd.contains('\u{1b}') && !mmd.contains('\u{202e}'));
    let title_line = mmd.lines().nth(1).unwrap();
    assert_eq!(
        title_line,
        "title: \"x\\\" onload=\\\"alert(1)\\\" a]; click x call alert(1) `md` \
         \\x25\\x25{init: {\\\"securityLevel\\\":\\\"loose\\\"}}\\x25\\x25 \
         </title><script>alert(1)</script> \\\\N \\\\G &amp; \u{fffd}[2J\u{fffd}\u{fffd}end\""
    );
    // Everything else is the diagram itself: no line the title made.
    assert_eq!(mmd.matches("alert").count(), 3, "{mmd}");

    let dot = render::emit(&d, Format::Dot, Theme::Light);
    assert!(!dot.contains('\u{1b}') && !dot.contains('\u{7}'));
    let label = dot
        .lines()
        .find(|l| l.trim_start().starts_with("graph [label="))
        .unwrap();
    assert!(
        label.starts_with(
            "  graph [label=\"x\\\" onload=\\\"alert(1)\\\" a]; click x call alert(1) `md` \
             %%{init: {\\\"securityLevel\\\":\\\"loose\\\"}}%% </title><script>alert(1)</script> \
             \\\\N \\\\G &amp;amp; \u{fffd}[2J\u{fffd}\u{fffd}end\", labelloc=t"
        ),
        "{label}"
    );
    assert_eq!(dot.matches("alert").count(), 3, "{dot}");
}

// ---------------------------------------------------------------------------
// Shapes of the new roles, optional links, scoped SVGs.
// ---------------------------------------------------------------------------

/// The distributed sample with box-01 drawn as a cache and box-02 as an
/// external service (no role row has those shapes yet: the roles table
/// gives them to memcached, redis and external).
fn with_new_shapes() -> (Diagram, usize, usize) {
    use stackc::model::Shape;
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let mut d = diagram(&src).unwrap();
    let at = |d: &Diagram, name: &str| d.nodes.iter().position(|n| n.name == name).unwrap();
    let (cache, ext) = (at(&d, "box-01"), at(&d, "box-02"));
    for (i, s) in [(cache, Shape::Cache), (ext, Shape::External)] {
        match &mut d.nodes[i].kind {
            NodeKind::Server { shapes, .. } => *shapes = vec![s],
            _ => unreachable!(),
        }
    }
    (d, cache, ext)
}

/// The line of a DOT or Mermaid text that declares a node.
fn declaring<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines()
        .find(|l| {
            let l = l.trim_start().trim_start_matches('"');
            l.starts_with(id) && !l.contains("->")
        })
        .unwrap_or_else(|| panic!("no line declares {id}:\n{text}"))
}

#[test]
fn cache_and_external_shapes_in_every_format() {
    let (d, cache, ext) = with_new_shapes();
    let (cid, eid) = (d.nodes[cache].id.as_str(), d.nodes[ext].id.as_str());
    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    let line = declaring(&mmd, cid);
    assert!(
        line.contains(&format!("{cid}([\"box-01<br/>")) && line.ends_with("\"])"),
        "{line}"
    );
    let line = declaring(&mmd, eid);
    assert!(
        line.contains(&format!("{eid}@{{ shape: cloud, label: \"box-02<br/>")),
        "{line}"
    );
    let dot = render::emit(&d, Format::Dot, Theme::Light);
    assert!(declaring(&dot, cid).contains("shape=box3d"), "{dot}");
    assert!(declaring(&dot, eid).contains("shape=ellipse"), "{dot}");
    // Six shapes, six different node shapes in each text format.
    let shapes: Vec<_> = [
        "hexagon",
        "box",
        "component",
        "cylinder",
        "box3d",
        "ellipse",
    ]
    .into();
    assert_eq!(
        shapes.len(),
        shapes
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    );

    for theme in [Theme::Light, Theme::Dark] {
        let svg_text = render::emit(&d, Format::Svg, theme);
        for glyph in ["glyph-cache", "glyph-external"] {
            assert!(
                svg_text.contains(&format!("<symbol id=\"{glyph}\"")),
                "{glyph}"
            );
            assert!(svg_text.contains(&format!("href=\"#{glyph}\"")), "{glyph}");
        }
        let doc = roxmltree::Document::parse(&svg_text).unwrap();
        let legend = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("legend"))
            .unwrap();
        let texts: Vec<&str> = legend
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::trim))
            .collect();
        assert!(texts.contains(&"cache"), "{texts:?}");
        assert!(texts.contains(&"external service"), "{texts:?}");
        assert!(texts.contains(&"load balancer (haproxy)"), "{texts:?}");
        // The glyphs are drawn, each in its own colour of the palette.
        let p = render::theme::palette(theme);
        let pixmap = rasterise(&svg_text);
        for colour in [p.cache, p.external] {
            let rgb = u32::from_str_radix(&colour[1..], 16).unwrap();
            let want = ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8);
            assert!(
                pixmap
                    .pixels()
                    .iter()
                    .any(|x| (x.red(), x.green(), x.blue()) == want && x.alpha() == 255),
                "{colour} drawn"
            );
        }
        let l = svg::layout_of(&d);
        assert!(layout_problems(&d, &l).is_empty());
    }
    // A drawing of v1 roles defines no symbol it does not use of the new
    // shapes (and keeps its bytes).
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let plain = render::emit(&diagram(&src).unwrap(), Format::Svg, Theme::Light);
    assert!(!plain.contains("glyph-cache") && !plain.contains("glyph-external"));
}

#[test]
fn optional_edges_are_dashed_and_labelled_in_every_format() {
    use stackc::model::Protocol;
    use stackc::render::diagram::edge_label;
    assert_eq!(edge_label(Protocol::Http, 80, false, false), "http 80");
    assert_eq!(
        edge_label(Protocol::Mysql, 3306, true, false),
        "mysql 3306 read"
    );
    assert_eq!(
        edge_label(Protocol::Https, 443, false, true),
        "https 443 optional"
    );
    assert_eq!(
        edge_label(Protocol::Mysql, 3306, true, true),
        "mysql 3306 read optional"
    );
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let mut d = diagram(&src).unwrap();
    // lb-01 -> box becomes optional.
    let k = d
        .edges
        .iter()
        .position(|e| e.label == "http 80" && matches!(e.to, End::Group(_)))
        .unwrap();
    d.edges[k].optional = true;
    d.edges[k].label = edge_label(Protocol::Http, 80, false, true);

    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    let arrows: Vec<&str> = mmd.lines().filter(|l| l.contains("->|\"")).collect();
    // Three requests, then box-01's replica on box-02.
    assert_eq!(arrows.len(), 4, "{mmd}");
    assert_eq!(arrows[1], "  s_lb_d01 -.->|\"http 80 optional\"| g_box");
    assert!(
        arrows[0].contains(" -->|") && arrows[2].contains(" -->|"),
        "{mmd}"
    );
    assert_eq!(arrows[3], "  s_box_d01 -.->|\"replicates\"| s_box_d02");

    let dot = render::emit(&d, Format::Dot, Theme::Light);
    let arrows: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
    assert!(
        arrows[1].contains("label=\"http 80 optional\"") && arrows[1].contains("style=dashed"),
        "{dot}"
    );
    assert!(!arrows[0].contains("dashed") && !arrows[2].contains("dashed"));
    assert!(arrows[3].contains("label=\"replicates\"") && arrows[3].contains("style=dashed"));

    let svg_text = render::emit(&d, Format::Svg, Theme::Light);
    let doc = roxmltree::Document::parse(&svg_text).unwrap();
    let paths: Vec<_> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("path") && n.attribute("id").is_some_and(|i| i.starts_with("edge"))
        })
        .collect();
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[1].attribute("class"), Some("optional"));
    assert_eq!(paths[0].attribute("class"), Some("edge"));
    assert_eq!(paths[3].attribute("class"), Some("replication"));
    let css = doc
        .descendants()
        .find(|n| n.has_tag_name("style"))
        .and_then(|n| n.text())
        .unwrap();
    let rule = css
        .split('}')
        .find(|r| r.trim().starts_with(".optional{"))
        .unwrap();
    assert!(rule.contains("stroke-dasharray:"), "{rule}");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::trim))
        .collect();
    assert!(texts.contains(&"optional: the sources work without it"));
    assert!(texts.contains(&"http 80 optional"));
    rasterise(&svg_text);
    assert!(layout_problems(&d, &svg::layout_of(&d)).is_empty());
    // Without an optional edge, no rule and no legend entry for one.
    let plain = render::emit(&diagram(&src).unwrap(), Format::Svg, Theme::Light);
    assert!(!plain.contains(".optional{") && !plain.contains("optional:"));
}

/// Every id of a parsed SVG, and every reference to one.
fn ids_and_refs(doc: &roxmltree::Document) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut refs = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if a.name() == "id" {
                ids.push(a.value().to_string());
            } else if a.name() == "href" {
                refs.push(
                    a.value()
                        .strip_prefix('#')
                        .expect("a local href")
                        .to_string(),
                );
            } else if let Some(rest) = a.value().strip_prefix("url(#") {
                refs.push(rest.trim_end_matches(')').to_string());
            }
        }
    }
    (ids, refs)
}

#[test]
fn scoped_svgs_share_no_id_and_resolve_inside_themselves() {
    use stackc::render::svg::{render_opts, SvgOptions};
    let root = common::root();
    let load = |f: &str| diagram(&std::fs::read_to_string(root.join(f)).unwrap()).unwrap();
    let (a, b) = (
        load("samples/scale-up-as-drawn.stack"),
        load("samples/distributed.stack"),
    );
    // Unscoped options are the plain document.
    let plain = SvgOptions {
        theme: Theme::Dark,
        id_prefix: None,
        ..Default::default()
    };
    assert_eq!(render_opts(&a, &plain), svg::render(&a, Theme::Dark));
    let scoped = |d: &Diagram, p: &str| {
        render_opts(
            d,
            &SvgOptions {
                theme: Theme::Light,
                id_prefix: Some(p.into()),
                ..Default::default()
            },
        )
    };
    let (sa, sb) = (scoped(&a, "stackc-svg-1-"), scoped(&b, "stackc-svg-2-"));
    let mut all_ids = std::collections::HashSet::new();
    for (text, prefix) in [(&sa, "stackc-svg-1-"), (&sb, "stackc-svg-2-")] {
        let doc = roxmltree::Document::parse(text).unwrap();
        let (ids, refs) = ids_and_refs(&doc);
        assert!(ids.len() > 10 && !refs.is_empty());
        for id in &ids {
            assert!(id.starts_with(prefix), "{id}");
            assert!(all_ids.insert(id.clone()), "{id} twice");
        }
        for r in &refs {
            assert!(ids.contains(r), "{r} does not resolve inside its document");
        }
        let class = format!("{prefix}root");
        assert_eq!(doc.root_element().attribute("class"), Some(class.as_str()));
        let css = doc
            .descendants()
            .find(|n| n.has_tag_name("style"))
            .and_then(|n| n.text())
            .unwrap();
        let rules: Vec<&str> = css
            .split_inclusive('}')
            .filter(|r| !r.trim().is_empty())
            .collect();
        assert!(rules.len() > 10);
        for rule in rules {
            let selector = rule.split('{').next().unwrap().trim();
            assert!(
                selector.starts_with(&format!(".{class} .")) && !selector.contains(','),
                "{selector}"
            );
        }
        // Scoped, the drawing is the same picture.
        let d = if prefix.ends_with("1-") { &a } else { &b };
        assert_eq!(
            rasterise(text).data(),
            rasterise(&svg::render(d, Theme::Light)).data(),
            "{prefix}"
        );
    }
    // The two on one page: still no id twice.
    let page = format!("<div>\n{sa}{sb}</div>");
    let doc = roxmltree::Document::parse(&page).unwrap();
    let (ids, _) = ids_and_refs(&doc);
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    assert_eq!(ids.len(), all_ids.len());
    // A prefix that could not start an id is made one that can.
    let odd = scoped(&b, "1 <x>");
    assert!(odd.contains("id=\"s1__x_diagram\"") && odd.contains("class=\"s1__x_root\""));
}

/// One palette: the three formats draw a warning, a box and the page in
/// the same colours of the theme.
#[test]
fn one_palette_for_every_format() {
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let d = diagram(&src).unwrap();
    for theme in [Theme::Light, Theme::Dark] {
        let p = render::theme::palette(theme);
        let mmd = render::emit(&d, Format::Mermaid, theme);
        let spof = format!(
            "classDef spof fill:{},stroke:{},stroke-width:3px,color:{}",
            p.warn_fill, p.warn, p.text
        );
        assert!(mmd.contains(&spof), "{mmd}");
        assert!(mmd.contains(&format!("theme: {}", p.mermaid)));
        let dot = render::emit(&d, Format::Dot, theme);
        for want in [
            format!("bgcolor=\"{}\"", p.bg),
            format!("fillcolor=\"{}\", color=\"{}\"", p.node, p.node_stroke),
            format!(
                "color=\"{}\", penwidth=2.5, fillcolor=\"{}\"",
                p.warn, p.warn_fill
            ),
        ] {
            assert!(dot.contains(&want), "{want}\n{dot}");
        }
        let svg_text = render::emit(&d, Format::Svg, theme);
        for want in [
            format!(".box-warn{{fill:{};stroke:{};", p.warn_fill, p.warn),
            format!(".box{{fill:{};stroke:{};", p.node, p.node_stroke),
            format!("fill=\"{}\"", p.bg),
            format!("stroke=\"{}\"", p.balancer),
        ] {
            assert!(svg_text.contains(&want), "{want}");
        }
    }
}
