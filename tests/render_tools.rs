//! Diagrams checked by the real tools: every Mermaid diagram rendered by
//! `@mermaid-js/mermaid-cli` (with Debian's Chromium), every DOT file laid
//! out by Graphviz, and our layout's edge crossings compared with dot's.
//!
//! The tools come from `scripts/setup.d/30-render.sh`. Without them the
//! tests print a SKIP line, or fail under `CI`/`STACKC_REQUIRE_TOOLS`.

mod common;

use stackc::render::diagram::Diagram;
use stackc::render::layout::{self, geom, Point};
use stackc::render::{self, svg, Format, Theme};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every drawable file: samples, rule cases with a sound model, and the
/// diagram cases.
fn drawable() -> Vec<(String, Diagram)> {
    let root = common::root();
    common::drawable_files()
        .into_iter()
        .filter_map(|p| {
            let src = std::fs::read_to_string(&p).unwrap();
            let d = Diagram::of(&stackc::check(&src))?;
            let name = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .to_string();
            Some((name, d))
        })
        .chain(std::iter::once((
            "new shapes (built)".to_string(),
            new_shapes(),
        )))
        .chain(marked())
        .chain(diff_marked())
        .collect()
}

/// NEW's diagram as `stackc diff --format markdown` draws it, the change
/// marked: scale-up without lb-02 (the book's CI page), and every sample
/// against a copy without its first server line.
fn diff_marked() -> Vec<(String, Diagram)> {
    use stackc::diff::{diff_sides, Side};
    let root = common::root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let mut pairs = vec![(
        "diff: scale-up without lb-02".to_string(),
        read("samples/scale-up.stack"),
        read("book/examples/scale-up-after.stack"),
    )];
    for p in common::stack_files(&root.join("samples")) {
        let old = std::fs::read_to_string(&p).unwrap();
        let mut dropped = false;
        let new: String = old
            .lines()
            .filter(|l| {
                let drop = !dropped && l.trim_start().starts_with("server ");
                dropped |= drop;
                !drop
            })
            .map(|l| format!("{l}\n"))
            .collect();
        pairs.push((format!("diff: {} edited", p.display()), old, new));
    }
    pairs
        .into_iter()
        .filter_map(|(name, old, new)| {
            let side = |source| Side {
                name: "x.stack",
                source,
            };
            let (_, checked, d) = diff_sides(side(&old), side(&new));
            let asked = stackc::report::diff::changes_asked(&d);
            Some((name, Diagram::with_changes(&checked, &asked)?))
        })
        .collect()
}

/// Drawings with the marks of issue 11: every sample with its cuts of size
/// 2, scale-up with hand-built cuts (a server in two, a zone in one) and
/// capacity labels, and the legend of `--cuts 2` when there is no such cut.
fn marked() -> Vec<(String, Diagram)> {
    use stackc::analysis::resilience::Element;
    use stackc::model::{ServerId, ZoneId};
    use stackc::render::marks::{CutInput, CutsAsked};
    let src = std::fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    let mut c = stackc::check(&src);
    let s = |c: &stackc::Checked, n: &str| {
        Element::Server(ServerId(
            c.model.servers.iter().position(|s| s.name == n).unwrap() as u32,
        ))
    };
    for sv in c.model.servers.iter_mut() {
        sv.capacity = Some(1000.0);
    }
    c.model.records[0].load = Some(2000.0);
    let loads: Vec<f64> = (0..c.model.servers.len())
        .map(|i| 2000.0 / (i + 1) as f64)
        .collect();
    let www = vec!["www.foobar.com".to_string()];
    let cuts = CutsAsked {
        size: 2,
        cuts: vec![
            CutInput {
                elements: vec![s(&c, "lb-01"), s(&c, "lb-02")],
                dark: www.clone(),
                allowed: None,
            },
            CutInput {
                elements: vec![Element::Zone(ZoneId(0)), s(&c, "lb-02")],
                dark: www,
                allowed: None,
            },
        ],
    };
    let none = CutsAsked {
        size: 2,
        cuts: vec![],
    };
    // Every sample with its real cuts of size 2 marked.
    let real = common::stack_files(&common::root().join("samples"))
        .into_iter()
        .map(|p| {
            let c = stackc::check(&std::fs::read_to_string(&p).unwrap());
            let cuts = CutsAsked::of(&c, 2).unwrap().unwrap();
            let name = format!("{} --cuts 2", p.file_name().unwrap().to_string_lossy());
            (name, Diagram::with_cuts(&c, &cuts).unwrap())
        });
    real.chain([
        (
            "scale-up, cuts of size 2 and capacity (built)".to_string(),
            Diagram::build(&c, Some(&cuts), Some(&loads)).unwrap(),
        ),
        (
            "scale-up, no cut of size 2 (built)".to_string(),
            Diagram::build(&c, Some(&none), None).unwrap(),
        ),
    ])
    .collect()
}

/// The distributed sample with the shapes no role row uses yet (a cache, an
/// external service) and an optional edge.
fn new_shapes() -> Diagram {
    use stackc::model::{Protocol, Shape};
    use stackc::render::diagram::{edge_label, NodeKind};
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let mut d = Diagram::of(&stackc::check(&src)).unwrap();
    for (name, shape) in [("box-01", Shape::Cache), ("box-02", Shape::External)] {
        let i = d.nodes.iter().position(|n| n.name == name).unwrap();
        if let NodeKind::Server { shapes, .. } = &mut d.nodes[i].kind {
            *shapes = vec![shape];
        }
    }
    let e = d
        .edges
        .iter_mut()
        .find(|e| e.label == "http 80" && matches!(e.to, stackc::render::diagram::End::Group(_)))
        .unwrap();
    e.optional = true;
    e.label = edge_label(Protocol::Http, 80, false, true);
    d
}

/// Runs a command with a time limit, in its own process group, and kills
/// that group (the command and any children it left, such as Chromium)
/// when it is done or out of time. Returns (success, stdout+stderr).
fn run_bounded(mut cmd: Command, limit: Duration) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    let out_path = std::env::temp_dir().join(format!("stackc-tool-{}.log", std::process::id()));
    let log = std::fs::File::create(&out_path).unwrap();
    cmd.stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0);
    let mut child = cmd.spawn().expect("the tool starts");
    let pgid = child.id();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > limit {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The whole group, by its id: leftover Chromium processes included.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    match status {
        Some(s) => (s.success(), text),
        None => (false, format!("timed out after {limit:?}\n{text}")),
    }
}

fn mmdc() -> Option<PathBuf> {
    let p = common::root().join("target/tools/mermaid/node_modules/.bin/mmdc");
    if p.is_file() && Path::new("/usr/bin/chromium").is_file() {
        return Some(p);
    }
    let required = ["CI", "STACKC_REQUIRE_TOOLS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"));
    if required {
        panic!("mermaid-cli (target/tools/mermaid) and /usr/bin/chromium are required: run scripts/setup.d/30-render.sh");
    }
    eprintln!("SKIP: mermaid-cli or chromium is not installed; scripts/setup.d/30-render.sh installs them");
    None
}

/// Every Mermaid diagram, both themes, rendered by real Mermaid in one
/// browser session (a Markdown file with one block per diagram).
#[test]
fn mermaid_cli_renders_every_diagram() {
    let Some(mmdc) = mmdc() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut md = String::from("# stackc diagrams\n");
    let mut count = 0;
    let mut names = Vec::new();
    let all = drawable();
    for (name, d) in &all {
        for theme in [Theme::Light, Theme::Dark] {
            md.push_str(&format!(
                "\n<!-- {name} -->\n```mermaid\n{}```\n",
                render::emit(d, Format::Mermaid, theme)
            ));
            count += 1;
            names.push(name.clone());
        }
    }
    let input = dir.path().join("all.md");
    std::fs::write(&input, &md).unwrap();
    let profile = dir.path().join("chromium-profile");
    let puppeteer = serde_json::json!({
        "executablePath": "/usr/bin/chromium",
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    let pp = dir.path().join("puppeteer.json");
    std::fs::write(&pp, puppeteer.to_string()).unwrap();
    let cfg = dir.path().join("mermaid.json");
    std::fs::write(&cfg, r#"{"maxEdges":1000000,"maxTextSize":100000000}"#).unwrap();
    let mut cmd = Command::new(&mmdc);
    cmd.arg("-p")
        .arg(&pp)
        .arg("-c")
        .arg(&cfg)
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("out.md"));
    let started = Instant::now();
    let (ok, log) = run_bounded(cmd, Duration::from_secs(300));
    assert!(ok, "mermaid-cli failed:\n{log}");
    for i in 1..=count {
        let svg = dir.path().join(format!("out-{i}.svg"));
        let text = std::fs::read_to_string(&svg)
            .unwrap_or_else(|_| panic!("no SVG for {} (block {i})", names[i - 1]));
        assert!(
            !text.contains("Syntax error") && text.contains("<svg"),
            "{}: Mermaid drew an error",
            names[i - 1]
        );
    }
    eprintln!(
        "mermaid-cli rendered {count} diagrams in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Samples a cubic Bézier into a polyline.
fn bezier(points: &[[f64; 2]]) -> Vec<Point> {
    let mut out = vec![Point::new(points[0][0], points[0][1])];
    let mut i = 0;
    while i + 3 < points.len() {
        let [p0, p1, p2, p3] = [points[i], points[i + 1], points[i + 2], points[i + 3]];
        for k in 1..=16 {
            let t = k as f64 / 16.0;
            let u = 1.0 - t;
            let c = |a: usize| {
                u * u * u * p0[a]
                    + 3.0 * u * u * t * p1[a]
                    + 3.0 * u * t * t * p2[a]
                    + t * t * t * p3[a]
            };
            out.push(Point::new(c(0), c(1)));
        }
        i += 3;
    }
    out
}

/// dot's edge splines, from `dot -Tjson`.
fn dot_edges(json: &serde_json::Value) -> Vec<Vec<Point>> {
    let mut v = Vec::new();
    for e in json["edges"].as_array().into_iter().flatten() {
        for op in e["_draw_"].as_array().into_iter().flatten() {
            if op["op"] == "b" {
                let pts: Vec<[f64; 2]> = op["points"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
                    .collect();
                v.push(bezier(&pts));
            }
        }
    }
    v
}

/// Graphviz accepts every DOT file we write, and our layout has no more
/// edge crossings than dot's layout of the same DOT.
#[test]
fn dot_accepts_our_dot_and_we_cross_no_more_than_dot() {
    if !common::require_tool("dot") {
        return;
    }
    let mut report = String::from("crossings (ours / dot):\n");
    let mut worse = Vec::new();
    for (name, d) in drawable() {
        let text = render::emit(&d, Format::Dot, Theme::Light);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("g.dot");
        std::fs::write(&f, &text).unwrap();
        let out = Command::new("dot")
            .arg("-Tjson")
            .arg(&f)
            .output()
            .expect("dot runs");
        assert!(
            out.status.success(),
            "{name}: dot failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let theirs = dot_edges(&json);
        assert_eq!(theirs.len(), d.edges.len(), "{name}: dot drew every edge");
        let lines: Vec<&[Point]> = theirs.iter().map(|v| &v[..]).collect();
        let dot_crossings = geom::count_crossings(&lines);
        let ours = layout::crossings(&svg::layout_of(&d));
        report.push_str(&format!("  {name}: {ours} / {dot_crossings}\n"));
        if ours > dot_crossings {
            worse.push(name);
        }
    }
    eprint!("{report}");
    assert!(
        worse.is_empty(),
        "more crossings than dot: {worse:?}\n{report}"
    );
}
