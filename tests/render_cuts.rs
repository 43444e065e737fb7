//! Diagrams beyond single failures (issue 11): the cuts of one size marked
//! (`render --cuts K`: a numbered badge and a colour per cut, a legend
//! line each) and the capacity and load labels, in every format. The
//! drawing side is tested on hand-built cuts and loads given to the
//! builder; the real ones (`stackc::resilience`) are snapshotted below.

mod common;
mod render_support;

use proptest::prelude::*;
use render_support::{layout_problems, mark_problems, random_stack, rasterise};
use stackc::analysis::resilience::Element;
use stackc::model::{ServerId, ZoneId};
use stackc::render::diagram::Diagram;
use stackc::render::marks::{CutInput, CutsAsked};
use stackc::render::{self, svg, theme, Format, Theme};
use stackc::Checked;

fn load(file: &str) -> Checked {
    let src = std::fs::read_to_string(common::root().join(file)).unwrap();
    stackc::check(&src)
}

fn server(c: &Checked, name: &str) -> Element {
    let i = c.model.servers.iter().position(|s| s.name == name).unwrap();
    Element::Server(ServerId(i as u32))
}

fn zone(c: &Checked, name: &str) -> Element {
    let i = c.model.zones.iter().position(|z| z.name == name).unwrap();
    Element::Zone(ZoneId(i as u32))
}

/// Three cuts of scale-up by hand: lb-02 is in two, zone a in one.
fn hand_cuts(c: &Checked) -> CutsAsked {
    let www = vec!["www.foobar.com".to_string()];
    CutsAsked {
        size: 2,
        cuts: vec![
            CutInput {
                elements: vec![server(c, "lb-01"), server(c, "lb-02")],
                dark: www.clone(),
                allowed: None,
            },
            CutInput {
                elements: vec![zone(c, "a"), server(c, "lb-02")],
                dark: www.clone(),
                allowed: None,
            },
            CutInput {
                elements: vec![server(c, "web-01"), server(c, "web-02")],
                dark: www,
                allowed: None,
            },
        ],
    }
}

fn at(d: &Diagram, name: &str) -> usize {
    d.nodes.iter().position(|n| n.name == name).unwrap()
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

fn svg_texts(svg_text: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg_text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

fn has_colour(pixmap: &resvg::tiny_skia::Pixmap, hex: &str) -> bool {
    let rgb = u32::from_str_radix(&hex[1..], 16).unwrap();
    let want = ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8);
    pixmap
        .pixels()
        .iter()
        .any(|x| (x.red(), x.green(), x.blue()) == want && x.alpha() == 255)
}

#[test]
fn the_builder_numbers_the_cuts_and_marks_their_members() {
    let c = load("samples/scale-up.stack");
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), None).unwrap();
    let cuts_of = |name: &str| d.nodes[at(&d, name)].cuts.clone();
    assert_eq!(cuts_of("lb-01"), [1]);
    assert_eq!(cuts_of("lb-02"), [1, 2]);
    assert_eq!(cuts_of("web-02"), [3]);
    assert!(cuts_of("app-01").is_empty() && cuts_of("www.foobar.com").is_empty());
    assert_eq!(d.zones[0].cuts, [2]);
    assert!(d.zones[1].cuts.is_empty());
    // Every server of zone a says so; zone b's do not.
    assert_eq!(d.nodes[at(&d, "db-01")].text.zone_cuts, [2]);
    assert_eq!(
        d.nodes[at(&d, "db-01")].text.zone_line().as_deref(),
        Some("zone a (cut 2)")
    );
    assert!(d.nodes[at(&d, "db-02")].text.zone_cuts.is_empty());
    let legend = d.cuts.as_ref().unwrap();
    let lines: Vec<String> = legend.cuts.iter().map(|c| c.legend()).collect();
    assert_eq!(
        lines,
        [
            "cut 1: lb-01 + lb-02 — darkens www.foobar.com",
            "cut 2: zone a + lb-02 — darkens www.foobar.com",
            "cut 3: web-01 + web-02 — darkens www.foobar.com",
        ]
    );
    // Without cuts, the builder is `Diagram::of`: same bytes in each format.
    let plain = Diagram::build(&c, None, None).unwrap();
    assert!(plain.cuts.is_none() && plain.nodes.iter().all(|n| n.cuts.is_empty()));
    for f in [Format::Svg, Format::Mermaid, Format::Dot] {
        assert_eq!(
            render::emit(&plain, f, Theme::Light),
            render::render(&c, f, Theme::Light).unwrap()
        );
    }
}

#[test]
fn cuts_are_marked_in_mermaid() {
    let c = load("samples/scale-up.stack");
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), None).unwrap();
    for theme in [Theme::Light, Theme::Dark] {
        let p = theme::palette(theme);
        let mmd = render::emit(&d, Format::Mermaid, theme);
        let line = declaring(&mmd, "s_lb_d02");
        assert!(line.contains("<br/>zone b<br/>cuts 1, 2\""), "{line}");
        let line = declaring(&mmd, "s_app_d01");
        assert!(line.contains("<br/>zone a (cut 2)\""), "{line}");
        assert!(!line.contains("<br/>cut "), "{line}");
        for want in [
            "  subgraph k_cuts [\"cuts of size 2\"]".to_string(),
            "    k_1[\"cut 1: lb-01 + lb-02 — darkens www.foobar.com\"]".to_string(),
            "    k_2[\"cut 2: zone a + lb-02 — darkens www.foobar.com\"]".to_string(),
            format!("  classDef cut1 stroke:{},stroke-width:3px", p.cuts[0]),
            format!("  classDef cut3 stroke:{},stroke-width:3px", p.cuts[2]),
            "  class k_3 cut3".to_string(),
            "  class s_lb_d02 cut1".to_string(),
            "  class s_web_d02 cut3".to_string(),
        ] {
            assert!(mmd.lines().any(|l| l == want), "{want}\n{mmd}");
        }
        // Only the colours drawn get a class.
        assert!(!mmd.contains("classDef cut4"));
        assert!(!mmd.contains("class s_app_d01 cut"));
    }
}

#[test]
fn cuts_are_marked_in_dot() {
    let c = load("samples/scale-up.stack");
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), None).unwrap();
    for theme in [Theme::Light, Theme::Dark] {
        let p = theme::palette(theme);
        let dot = render::emit(&d, Format::Dot, theme);
        let line = declaring(&dot, "s_lb_d02");
        assert!(line.contains("\\nzone b\\ncuts 1, 2\""), "{line}");
        assert!(
            line.contains(&format!("color=\"{}\", penwidth=2.5", p.cuts[0])),
            "{line}"
        );
        let line = declaring(&dot, "s_web_d01");
        assert!(line.contains("zone a (cut 2)\\ncut 3\""), "{line}");
        assert!(line.contains(&format!("color=\"{}\"", p.cuts[2])), "{line}");
        assert!(!declaring(&dot, "s_app_d02").contains("penwidth"));
        assert!(dot.contains("  subgraph \"cluster_k_cuts\" {\n    label=\"cuts of size 2\";"));
        // The legend: one table, a row per cut in order, each badge in its
        // colour.
        let legend = declaring(&dot, "k_cuts");
        assert!(
            legend.contains("shape=plaintext, label=<<TABLE"),
            "{legend}"
        );
        let rows: Vec<&str> = legend.split("<TR>").skip(1).collect();
        assert_eq!(rows.len(), 3, "{legend}");
        assert_eq!(
            rows[1],
            format!(
                "<TD BGCOLOR=\"{}\"><FONT COLOR=\"{}\"><B>cut 2</B></FONT></TD><TD ALIGN=\"LEFT\">zone a + lb-02 — darkens www.foobar.com</TD></TR>",
                p.cuts[1], p.cut_text
            )
        );
    }
}

#[test]
fn cuts_are_marked_in_svg_without_overlap() {
    let c = load("samples/scale-up.stack");
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), None).unwrap();
    let l = svg::layout_of(&d);
    assert!(
        layout_problems(&d, &l).is_empty(),
        "{:#?}",
        layout_problems(&d, &l)
    );
    for theme in [Theme::Light, Theme::Dark] {
        let p = theme::palette(theme);
        let text = render::emit(&d, Format::Svg, theme);
        assert!(
            mark_problems(&text).is_empty(),
            "{:#?}",
            mark_problems(&text)
        );
        let doc = roxmltree::Document::parse(&text).unwrap();
        let node = |id: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("g") && n.attribute("id") == Some(id))
                .unwrap()
        };
        let lb2 = node("s_lb_d02");
        assert_eq!(lb2.attribute("class"), Some("node server cut"));
        let pills: Vec<&str> = lb2
            .descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.starts_with("pill-cut"))
            })
            .filter_map(|n| n.attribute("class"))
            .collect();
        assert_eq!(pills, ["pill-cut1", "pill-cut2"]);
        let tip = lb2.children().find(|n| n.has_tag_name("title")).unwrap();
        assert!(tip.text().unwrap().contains("\ncut 2: zone a + lb-02"));
        // A zone a server: its zone's badge names the zone's cut; the box
        // draws only the server's own.
        let db1 = node("s_db_d01");
        assert_eq!(db1.attribute("class"), Some("node server"));
        assert!(!db1.descendants().any(|n| n
            .attribute("class")
            .is_some_and(|c| c.starts_with("pill-cut"))));
        let titles: Vec<&str> = db1
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text())
            .collect();
        assert!(titles.contains(&"zone a: in cut 2"), "{titles:?}");
        // The legend: one row per cut.
        let all = svg_texts(&text);
        for want in [
            "cuts of size 2",
            "lb-01 + lb-02 — darkens www.foobar.com",
            "zone a + lb-02 — darkens www.foobar.com",
            "web-01 + web-02 — darkens www.foobar.com",
            "failure zone · in cut 2",
        ] {
            assert!(all.iter().any(|t| t == want), "{want}: {all:?}");
        }
        // The colours of the three cuts are drawn, and the page keeps its
        // warning colour only for warnings (none here).
        let pixmap = rasterise(&text);
        for k in 0..3 {
            assert!(has_colour(&pixmap, p.cuts[k]), "{theme:?} cut {}", k + 1);
        }
        assert!(!has_colour(&pixmap, p.warn));
        assert!(text.contains(&format!(".pill-cut1{{fill:{}}}", p.cuts[0])));
        assert!(!text.contains(".pill-cut4"));
    }
}

/// More cuts than colours: the colours cycle, the numbers do not; a box in
/// more cuts than it shows badges for ends with `+N`.
#[test]
fn many_cuts_cycle_colours_and_fold_badges() {
    let c = load("samples/scale-up.stack");
    let names = ["lb-02", "web-01", "web-02", "app-01", "app-02", "db-01"];
    let cuts = CutsAsked {
        size: 2,
        cuts: names
            .iter()
            .map(|n| CutInput {
                elements: vec![server(&c, "lb-01"), server(&c, n)],
                dark: vec!["www.foobar.com".into()],
                allowed: None,
            })
            .collect(),
    };
    let d = Diagram::build(&c, Some(&cuts), None).unwrap();
    assert_eq!(d.nodes[at(&d, "lb-01")].cuts, [1, 2, 3, 4, 5, 6]);
    let text = render::emit(&d, Format::Svg, Theme::Light);
    assert!(
        mark_problems(&text).is_empty(),
        "{:#?}",
        mark_problems(&text)
    );
    assert!(layout_problems(&d, &svg::layout_of(&d)).is_empty());
    let doc = roxmltree::Document::parse(&text).unwrap();
    let lb1 = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("s_lb_d01"))
        .unwrap();
    let badges: Vec<&str> = lb1
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("pt-")))
        .filter_map(|n| n.text().map(str::trim))
        .collect();
    assert_eq!(badges, ["cut 1", "cut 2", "cut 3", "+3", "zone a"]);
    let web1 = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("s_web_d01"))
        .unwrap();
    assert!(web1
        .descendants()
        .any(|n| n.attribute("class") == Some("pill-cut2")));
    let app1 = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("s_app_d01"))
        .unwrap();
    // Cut 5 is drawn in the first colour again.
    assert!(app1
        .descendants()
        .any(|n| n.attribute("class") == Some("pill-cut4")));
    let db1 = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("s_db_d01"))
        .unwrap();
    assert!(db1
        .descendants()
        .any(|n| n.attribute("class") == Some("pill-cut2")));
    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(mmd.contains("  class s_db_d01 cut2\n"), "{mmd}");
    assert!(mmd.contains("cuts 1, 2, 3, 4, 5, 6"));
}

/// `--cuts 2` on a stack without a cut of that size says so, in every
/// format (rather than drawing nothing: the reader asked).
#[test]
fn no_cut_of_the_size_is_said_in_every_format() {
    let c = load("samples/scale-up.stack");
    let none = CutsAsked {
        size: 2,
        cuts: vec![],
    };
    let d = Diagram::build(&c, Some(&none), None).unwrap();
    let line = "no cut of size 2: no two failures together stop the stack";
    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(mmd.contains(&format!("    k_none[\"{line}\"]")), "{mmd}");
    assert!(!mmd.contains("classDef cut"));
    let dot = render::emit(&d, Format::Dot, Theme::Light);
    assert!(dot.contains(&format!("\"k_none\" [label=\"{line}\", shape=plaintext]")));
    let text = render::emit(&d, Format::Svg, Theme::Light);
    assert!(svg_texts(&text).iter().any(|t| t == line));
    assert!(!text.contains("pill-cut"));
    assert!(
        mark_problems(&text).is_empty(),
        "{:#?}",
        mark_problems(&text)
    );
    rasterise(&text);
}

/// scale-up with capacities and loads set on the model (the file syntax
/// aside): the labels come from the loads given to the builder.
fn with_capacity() -> (Checked, Vec<f64>) {
    let mut c = load("samples/scale-up.stack");
    for s in c.model.servers.iter_mut() {
        if s.name.starts_with("web-") {
            s.capacity = Some(1000.0);
        }
        if s.name == "app-02" {
            s.capacity = Some(500.0);
        }
    }
    c.model.records[0].load = Some(2000.0);
    let loads: Vec<f64> = c
        .model
        .servers
        .iter()
        .map(|s| match s.name.as_str() {
            "lb-01" => 2000.0,
            "lb-02" | "db-02" => 0.0,
            "db-01" => 2000.0,
            _ => 1000.0,
        })
        .collect();
    (c, loads)
}

#[test]
fn capacity_and_load_labels_in_every_format() {
    let (c, loads) = with_capacity();
    let d = Diagram::build(&c, None, Some(&loads)).unwrap();
    let text_of = |name: &str| d.nodes[at(&d, name)].text.clone();
    assert_eq!(
        text_of("web-01").capacity.as_deref(),
        Some("cap 1,000 req/s · load 1,000")
    );
    assert_eq!(
        text_of("app-02").capacity.as_deref(),
        Some("cap 500 req/s · load 1,000 · over capacity")
    );
    assert!(text_of("app-02").overloaded && !text_of("web-01").overloaded);
    assert_eq!(text_of("lb-01").capacity.as_deref(), Some("load 2,000"));
    assert_eq!(text_of("lb-02").capacity, None);
    assert_eq!(
        text_of("www.foobar.com").load.as_deref(),
        Some("2,000 req/s")
    );

    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(declaring(&mmd, "r_www_ofoobar_ocom").contains("A record<br/>2,000 req/s\""));
    assert!(declaring(&mmd, "s_web_d02").contains("zone b<br/>cap 1,000 req/s · load 1,000\""));
    let dot = render::emit(&d, Format::Dot, Theme::Light);
    assert!(declaring(&dot, "r_www_ofoobar_ocom").contains("A record\\n2,000 req/s\""));
    assert!(
        declaring(&dot, "s_app_d02").contains("\\ncap 500 req/s · load 1,000 · over capacity\"")
    );
    for theme in [Theme::Light, Theme::Dark] {
        let text = render::emit(&d, Format::Svg, theme);
        assert!(
            mark_problems(&text).is_empty(),
            "{:#?}",
            mark_problems(&text)
        );
        let all = svg_texts(&text);
        assert!(all
            .iter()
            .any(|t| t == "A record · entry point · 2,000 req/s"));
        assert!(all.iter().any(|t| t == "cap 1,000 req/s · load 1,000"));
        assert!(text.contains("class=\"cap-over\""));
        rasterise(&text);
    }
    let l = svg::layout_of(&d);
    assert!(layout_problems(&d, &l).is_empty());
    // A box with a capacity line is taller.
    assert!(l.nodes[at(&d, "web-01")].h > l.nodes[at(&d, "lb-02")].h);
}

#[test]
fn cuts_and_capacity_together_render_with_the_real_tools_inputs() {
    // The same marks on a stack with zones and capacity at once: still no
    // overlap, and a warned server keeps its warning style over a cut's.
    let (c, loads) = with_capacity();
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), Some(&loads)).unwrap();
    let text = render::emit(&d, Format::Svg, Theme::Dark);
    assert!(
        mark_problems(&text).is_empty(),
        "{:#?}",
        mark_problems(&text)
    );
    assert!(layout_problems(&d, &svg::layout_of(&d)).is_empty());
    let as_drawn = load("samples/scale-up-as-drawn.stack");
    let cuts = CutsAsked {
        size: 1,
        cuts: vec![CutInput {
            elements: vec![server(&as_drawn, "lb-01")],
            dark: vec!["www.foobar.com".into()],
            allowed: None,
        }],
    };
    let d = Diagram::build(&as_drawn, Some(&cuts), None).unwrap();
    let mmd = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(mmd.contains("  class s_lb_d01 spof\n") && !mmd.contains("class s_lb_d01 cut"));
    let text = render::emit(&d, Format::Svg, Theme::Light);
    assert!(text.contains("<g class=\"node server spof cut\" id=\"s_lb_d01\">"));
    assert!(
        mark_problems(&text).is_empty(),
        "{:#?}",
        mark_problems(&text)
    );
}

/// `STACKC_RENDER_CASES` sets how many random stacks (default 32).
fn cases() -> u32 {
    std::env::var("STACKC_RENDER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    /// Random cuts and loads on random stacks: the layout invariants and
    /// the badges' hold.
    #[test]
    fn random_marks_keep_the_invariants(
        tiers in prop::collection::vec((0u8..4, 0u8..4), 2..6),
        links in prop::collection::vec((0u8..6, 0u8..6, any::<bool>()), 1..10),
        picks in prop::collection::vec(prop::collection::vec(0u8..32, 1..4), 0..8),
        zones in any::<bool>(),
        load in 0u32..5000,
    ) {
        let src = random_stack(&tiers, &links, false, &[]);
        let mut c = stackc::check(&src);
        prop_assert!(c.is_sound());
        let n = c.model.servers.len();
        for (i, s) in c.model.servers.iter_mut().enumerate() {
            if i % 2 == 0 {
                s.capacity = Some(1000.0);
            }
        }
        let loads: Vec<f64> = (0..n).map(|i| (load as f64) / (i + 1) as f64).collect();
        let cuts = CutsAsked {
            size: 2,
            cuts: picks
                .iter()
                .map(|p| CutInput {
                    elements: p
                        .iter()
                        .map(|&k| {
                            if zones && k % 7 == 0 {
                                Element::Zone(ZoneId((k / 7 % 2) as u32))
                            } else {
                                Element::Server(ServerId(k as u32 % n as u32))
                            }
                        })
                        .collect(),
                    dark: vec!["www.example.com".into()],
                    allowed: None,
                })
                .collect(),
        };
        let d = Diagram::build(&c, Some(&cuts), Some(&loads)).unwrap();
        let l = svg::layout_of(&d);
        let problems = layout_problems(&d, &l);
        prop_assert!(problems.is_empty(), "{src}\n{problems:#?}");
        let text = render::emit(&d, Format::Svg, Theme::Light);
        let problems = mark_problems(&text);
        prop_assert!(problems.is_empty(), "{src}\n{problems:#?}");
    }
}

/// `STACKC_RENDER_LOOK=DIR` writes the marked drawings as PNG, to look at.
#[test]
fn look() {
    let Some(dir) = std::env::var_os("STACKC_RENDER_LOOK") else {
        return;
    };
    let real = render::render_cuts(
        &load("samples/scale-up.stack"),
        2,
        Format::Svg,
        Theme::Light,
    )
    .unwrap()
    .unwrap();
    rasterise(&real)
        .save_png(std::path::Path::new(&dir).join("real-cuts2.png"))
        .unwrap();
    let (c, loads) = with_capacity();
    let d = Diagram::build(&c, Some(&hand_cuts(&c)), Some(&loads)).unwrap();
    for theme in [Theme::Light, Theme::Dark] {
        let text = render::emit(&d, Format::Svg, theme);
        let name = format!("cuts-{theme:?}.png");
        rasterise(&text)
            .save_png(std::path::Path::new(&dir).join(name))
            .unwrap();
        for (f, ext) in [(Format::Mermaid, "mmd"), (Format::Dot, "dot")] {
            let path = std::path::Path::new(&dir).join(format!("cuts-{theme:?}.{ext}"));
            std::fs::write(path, render::emit(&d, f, theme)).unwrap();
        }
    }
}

#[test]
fn the_cuts_option_takes_one_to_four() {
    use predicates::prelude::*;
    for bad in ["0", "5", "two"] {
        common::stackc()
            .args([
                "render",
                "samples/scale-up.stack",
                "--to",
                "svg",
                "--cuts",
                bad,
            ])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("--cuts"));
    }
}

// ---------------------------------------------------------------------------
// The real cuts and loads (`stackc::resilience`, `load::flow`).
// ---------------------------------------------------------------------------

const FORMATS: [(Format, &str); 3] = [
    (Format::Mermaid, "mermaid"),
    (Format::Dot, "dot"),
    (Format::Svg, "svg"),
];

/// `--cuts 2` on a stack with cuts of that size (scale-up: each pair of a
/// tier, the two zones, a zone with the other zone's member of a tier) and
/// on one without (single-box: one server, no pair to lose), in every
/// format. (The capacity labels of a file with `capacity=`/`load=`: the
/// next test.)
#[test]
fn snapshots_of_real_cuts() {
    for (stem, file) in [
        ("scale-up", "samples/scale-up.stack"),
        ("single-box", "samples/single-box.stack"),
    ] {
        let c = load(file);
        for (f, name) in FORMATS {
            let text = render::render_cuts(&c, 2, f, Theme::Light)
                .expect("sound")
                .expect("not refused");
            if f == Format::Svg {
                assert!(
                    mark_problems(&text).is_empty(),
                    "{:#?}",
                    mark_problems(&text)
                );
                rasterise(&text);
            }
            insta::assert_snapshot!(format!("{name}-cuts2-{stem}"), text);
        }
    }
}

#[test]
fn snapshots_of_real_loads() {
    let c = load("tests/diagrams/capacity.stack");
    for (f, name) in FORMATS {
        let text = render::render(&c, f, Theme::Light).unwrap();
        insta::assert_snapshot!(format!("{name}-capacity"), text);
    }
}

/// The real cuts agree with the report's: every cut of size 2 that
/// `stackc::resilience` lists is marked, numbered in its order.
#[test]
fn the_marks_are_the_reports_cuts() {
    let c = load("samples/scale-up.stack");
    // What `stackc::resilience(&c, Some(2)).cuts` is.
    let a = c.analysis.as_ref().unwrap();
    let found =
        stackc::analysis::resilience::cuts::find(&c.model, &a.circuit, &stackc::left_out(&c), 2);
    let pairs: Vec<_> = found
        .unwrap()
        .cuts
        .into_iter()
        .filter(|x| x.elements.len() == 2)
        .collect();
    assert!(!pairs.is_empty());
    let asked = CutsAsked::of(&c, 2).unwrap().unwrap();
    assert_eq!(asked.cuts.len(), pairs.len());
    let d = Diagram::with_cuts(&c, &asked).unwrap();
    let legend = d.cuts.as_ref().unwrap();
    for (k, cut) in pairs.iter().enumerate() {
        let mark = &legend.cuts[k];
        assert_eq!(mark.number, k + 1);
        for e in &cut.elements {
            match *e {
                Element::Server(s) => {
                    let name = &c.model.servers[s.index()].name;
                    assert!(d.nodes[at(&d, name)].cuts.contains(&(k + 1)), "{name}");
                    assert!(mark.members.contains(name));
                }
                Element::Zone(z) => {
                    assert!(d.zones[z.index()].cuts.contains(&(k + 1)));
                    let zone = format!("zone {}", c.model.zones[z.index()].name);
                    assert!(mark.members.contains(&zone));
                }
            }
        }
        assert_eq!(mark.dark, ["www.foobar.com"]);
    }
    // What check found up to `tolerate=2` is what a search of each size
    // finds.
    let shop = load("tests/cases/cut-set.stack");
    let a = shop.analysis.as_ref().unwrap();
    for size in [1, 2] {
        let alone =
            stackc::analysis::resilience::cuts::find(&shop.model, &a.circuit, &a.left_out, size)
                .unwrap();
        let asked = CutsAsked::of(&shop, size).unwrap().unwrap();
        let want: Vec<_> = alone
            .cuts
            .iter()
            .filter(|x| x.elements.len() == size)
            .map(|x| x.elements.clone())
            .collect();
        let got: Vec<_> = asked.cuts.iter().map(|x| x.elements.clone()).collect();
        assert_eq!(got, want, "size {size}");
    }
    // An allowed cut is still marked (like an allowed spof), and says so.
    let d = Diagram::with_cuts(&shop, &CutsAsked::of(&shop, 2).unwrap().unwrap()).unwrap();
    let lines: Vec<String> = d.cuts.unwrap().cuts.iter().map(|c| c.legend()).collect();
    assert!(
        lines.contains(
            &"cut 8: lb-01 + lb-02 — darkens www.example.com (allowed: a third balancer is ordered)"
                .to_string()
        ),
        "{lines:#?}"
    );
    assert_eq!(lines.iter().filter(|l| l.contains("allowed")).count(), 1);
    // Marking the cuts of size 1 marks the spofs.
    let as_drawn = load("samples/scale-up-as-drawn.stack");
    let singles = CutsAsked::of(&as_drawn, 1).unwrap().unwrap();
    let d = Diagram::with_cuts(&as_drawn, &singles).unwrap();
    let marked: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| !n.cuts.is_empty())
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(marked, ["lb-01", "web-01", "app-01", "db-01"]);
}

/// The labels come from the load flow: capacity.stack's 2,000 req/s go to
/// the holder lb-01, then split over three web servers, then all to the
/// primary.
#[test]
fn capacity_labels_follow_the_load_flow() {
    let c = load("tests/diagrams/capacity.stack");
    let d = Diagram::of(&c).unwrap();
    let cap = |name: &str| d.nodes[at(&d, name)].text.capacity.clone();
    assert_eq!(
        cap("lb-01").as_deref(),
        Some("cap 5,000 req/s · load 2,000")
    );
    assert_eq!(cap("lb-02").as_deref(), Some("cap 5,000 req/s · load 0"));
    assert_eq!(
        cap("web-01").as_deref(),
        Some("cap 1,000 req/s · load 666.67")
    );
    assert_eq!(
        cap("web-03").as_deref(),
        Some("cap 500 req/s · load 666.67 · over capacity")
    );
    assert_eq!(cap("db-01").as_deref(), Some("load 2,000"));
    assert_eq!(cap("db-02"), None);
    assert_eq!(
        d.nodes[at(&d, "www.example.com")].text.load.as_deref(),
        Some("2,000 req/s")
    );
    let l = svg::layout_of(&d);
    assert!(layout_problems(&d, &l).is_empty());
}

/// `stackc render --cuts 2` prints what `render_cuts` draws; without
/// `--cuts` the output is the plain drawing.
#[test]
fn the_cli_marks_the_cuts() {
    let out = common::stackc()
        .args([
            "render",
            "samples/scale-up.stack",
            "--to",
            "mermaid",
            "--cuts",
            "2",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let c = load("samples/scale-up.stack");
    let want = render::render_cuts(&c, 2, Format::Mermaid, Theme::Light)
        .unwrap()
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), want);
    let plain = common::stackc()
        .args(["render", "samples/scale-up.stack", "--to", "mermaid"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        render::render(&c, Format::Mermaid, Theme::Light).unwrap()
    );
}

/// A cut search too costly to run is refused with its cost, nothing is
/// drawn, and the exit status is 2 (could not run); never an explosion.
#[test]
fn a_refused_search_draws_nothing_and_exits_2() {
    use predicates::prelude::*;
    // A balancer group of four in front of 5,000 groups of four: 20,004
    // servers, cuts of size 4 everywhere.
    let mut src =
        String::from("domain example.com {\n  www A -> lb : https\n}\ngroup lb: haproxy {\n");
    for i in 0..4 {
        src.push_str(&format!("  server lb-{i} 10.9.0.{}\n", i + 1));
    }
    src.push_str("}\n");
    let mut k = 0;
    for g in 0..5000 {
        src.push_str(&format!("group w{g}: nginx {{\n"));
        for i in 0..4 {
            k += 1;
            src.push_str(&format!(
                "  server w{g}-{i} 10.{}.{}.{}\n",
                k / 62500,
                (k / 250) % 250,
                k % 250 + 1
            ));
        }
        src.push_str(&format!("}}\nlb -> w{g} : http\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.stack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("huge.svg");
    common::stackc()
        .args(["render", "--to", "svg", "--cuts", "4", "-o"])
        .arg(&out)
        .arg(&file)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("cannot mark the cuts of size 4")
                .and(predicate::str::contains("20,004 servers"))
                .and(predicate::str::contains("`--cuts`")),
        );
    assert!(!out.exists());
}
