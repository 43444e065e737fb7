//! `stackc render --to html` (TOOLS.md §3): the page is self-contained and
//! names no address; the book's gallery holds each sample's current page;
//! and in headless Chromium (Debian's, driven by playwright-core from
//! `scripts/setup.d/35-browser.sh`, one browser for the whole run) the page's
//! `window.stackc.fail` agrees with `stackc simulate --format json` on every
//! single server and zone and 50 random failure sets of each sample (the
//! reasons too), a click and Enter mark exactly what goes dark, no request
//! leaves the page and no script error occurs.

mod common;
#[path = "../benches/support/layered.rs"]
mod layered;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn page_of(path: &Path) -> String {
    let out = common::stackc()
        .arg("render")
        .arg(path)
        .args(["--to", "html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn samples() -> Vec<PathBuf> {
    common::stack_files(&common::root().join("samples"))
}

/// Every `href`, `src`, `url(` and `@import` of a page points inside it: an
/// address may appear only in text.
fn outside_references(page: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for key in [
        "href=\"",
        "src=\"",
        "url(",
        "@import",
        "action=\"",
        "srcset=\"",
    ] {
        let mut rest = page;
        while let Some(i) = rest.find(key) {
            let after = &rest[i + key.len()..];
            if !(after.starts_with('#') || key == "url(" && after.starts_with("#")) {
                bad.push(after.chars().take(60).collect());
            }
            rest = after;
        }
    }
    bad
}

#[test]
fn pages_name_no_address_outside_text() {
    for path in samples() {
        let page = page_of(&path);
        assert!(page.starts_with("<!DOCTYPE html>"), "{path:?}");
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{path:?} names an address"
        );
        assert_eq!(outside_references(&page), Vec::<String>::new(), "{path:?}");
        assert!(!page.contains("<script src"), "{path:?}");
    }
    // An address the file itself writes lands in text only.
    let src = "stack demo \"see https://example.com/runbook\"\nserver web-01: nginx 10.0.0.1\ndomain ex.com { www A -> web-01 }\n";
    let c = stackc::check(src);
    let page = stackc::render::html::page(&c, stackc::render::Theme::Light).unwrap();
    assert!(page.contains("see https://example.com/runbook"));
    assert_eq!(outside_references(&page), Vec::<String>::new());
    // A title cannot close the data's script element.
    let src = "stack demo \"</script><script>alert(1)</script>\"\nserver web-01: nginx 10.0.0.1\ndomain ex.com { www A -> web-01 }\n";
    let page =
        stackc::render::html::page(&stackc::check(src), stackc::render::Theme::Light).unwrap();
    assert_eq!(
        page.matches("<script").count(),
        2,
        "the data and the evaluator only"
    );
}

/// The exported circuit of a small sample, as the page embeds it.
#[test]
fn circuit_export_snapshot() {
    let src = std::fs::read_to_string(common::root().join("samples/distributed.stack")).unwrap();
    let c = stackc::check_as(&src, Some("distributed"));
    let a = c.analysis.as_ref().unwrap();
    let json = stackc::analysis::export::circuit_json(&c.model, &a.circuit);
    let v: Value = serde_json::from_str(&json).unwrap();
    // One line per top-level key keeps the snapshot readable and compact.
    let mut text = String::new();
    for (k, x) in v.as_object().unwrap() {
        text += &format!("{k}: {x}\n");
    }
    insta::assert_snapshot!(text);
}

/// Each sample's page in the book is what `render --to html` writes today.
/// `STACKC_UPDATE_GALLERY=1 cargo test --test render_html gallery` rewrites them.
#[test]
fn gallery_pages_are_current() {
    let root = common::root();
    let dir = root.join("book/src/gallery");
    let update = std::env::var_os("STACKC_UPDATE_GALLERY").is_some();
    let book = std::fs::read_to_string(root.join("book/src/gallery.md")).unwrap();
    let mut stale = Vec::new();
    for path in samples() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let file = dir.join(format!("{stem}.html"));
        let page = page_of(&path);
        if update {
            std::fs::write(&file, &page).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(page.as_str()) {
            stale.push(stem.clone());
        }
        assert!(
            book.contains(&format!("gallery/{stem}.html")),
            "gallery.md does not link {stem}'s page"
        );
    }
    assert!(
        stale.is_empty(),
        "stale gallery pages {stale:?}: run STACKC_UPDATE_GALLERY=1 cargo test --test render_html gallery"
    );
}

/// How big the page of a 1,000-server stack is (and that it is drawn).
#[test]
fn a_thousand_servers_page_stays_small() {
    let src = layered::stack(1000);
    let c = stackc::check(&src);
    let started = Instant::now();
    let page = stackc::render::html::page(&c, stackc::render::Theme::Light).unwrap();
    let a = c.analysis.as_ref().unwrap();
    let circuit = stackc::analysis::export::circuit_json(&c.model, &a.circuit);
    eprintln!(
        "1,000-server page ({} servers, {} gates): {} KiB, circuit {} KiB, built in {} ms",
        c.model.servers.len(),
        a.circuit.gates.len(),
        page.len() / 1024,
        circuit.len() / 1024,
        started.elapsed().as_millis()
    );
    assert!(circuit.len() < 64 * 1024, "circuit {} bytes", circuit.len());
    assert!(page.len() < 4 * 1024 * 1024, "page {} bytes", page.len());
}

/// A small seeded generator (xorshift), so the random sets are the same
/// each run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What `stackc simulate --fail NAMES --format json` says, as
/// `window.stackc.fail` words it, and the reasons as `explain` does.
fn simulate(path: &Path, names: &[String]) -> (Value, Value) {
    let out = common::stackc()
        .arg("simulate")
        .arg(path)
        .arg("--fail")
        .arg(names.join(","))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "simulate {names:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    let dark: Vec<&Value> = entries.iter().filter(|e| e["serves"] == false).collect();
    let stopped = v["stopped"].as_array().unwrap();
    let expect = json!({
        "serves": v["serves"],
        "dark": dark.iter().map(|e| &e["subject"]).collect::<Vec<_>>(),
        "stopped": stopped.iter().map(|s| &s["server"]).collect::<Vec<_>>(),
    });
    let why = json!({
        "dark": dark.iter().map(|e| json!({"record": e["subject"], "why": e["why"]})).collect::<Vec<_>>(),
        "stopped": stopped.iter().map(|s| json!({"server": s["server"], "why": s["why"]})).collect::<Vec<_>>(),
    });
    (expect, why)
}

fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let pw = common::root().join("target/tools/playwright");
    let chromium = PathBuf::from("/usr/bin/chromium");
    if pw
        .join("node_modules/playwright-core/package.json")
        .is_file()
        && chromium.is_file()
        && common::require_tool("node")
    {
        return Some((pw, chromium));
    }
    let required = ["CI", "STACKC_REQUIRE_TOOLS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"));
    if required {
        panic!("playwright-core (target/tools/playwright), node and /usr/bin/chromium are required: run scripts/setup.d/35-browser.sh");
    }
    eprintln!("SKIP: playwright-core or chromium is not installed; scripts/setup.d/35-browser.sh installs them");
    None
}

/// The screenshots of the book: two samples, light and dark, one server
/// clicked down. Written into the book with `STACKC_UPDATE_GALLERY=1`.
const SCREENS: &[(&str, &str)] = &[("distributed", "box-01"), ("scale-up", "lb-01")];

#[test]
fn the_page_agrees_with_simulate_in_chromium() {
    let Some((pw, chromium)) = browser_tools() else {
        return;
    };
    let started = Instant::now();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render_html");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let update = std::env::var_os("STACKC_UPDATE_GALLERY").is_some();
    let shots_dir = if update {
        common::root().join("book/src/gallery")
    } else {
        work.clone()
    };
    let mut pages = Vec::new();
    let mut shots = Vec::new();
    // The samples, then stacks made for the corners of the evaluator: no
    // entry point at all, a quorum group, a chain past the walk's bound
    // (512 gates: the reasons are cut as `… over N more hops …`).
    let mut files = samples();
    for (name, src) in extra_stacks() {
        let f = work.join(format!("{name}.stack"));
        std::fs::write(&f, src).unwrap();
        files.push(f);
    }
    for (k, path) in files.iter().enumerate() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let file = work.join(format!("{stem}.html"));
        std::fs::write(&file, page_of(path)).unwrap();
        let src = std::fs::read_to_string(path).unwrap();
        let c = stackc::check_as(&src, Some(&stem));
        let m = &c.model;
        let elements: Vec<String> = m
            .servers
            .iter()
            .map(|s| s.name.clone())
            .chain(m.zones.iter().map(|z| z.name.clone()))
            .collect();
        let mut rng = Rng(0x5EED_0000_0000_0001 + k as u64 * 0x9E37_79B9);
        // Every single element (of a big stack: its first, its last and 8
        // more, seeded), then the random sets.
        let singles: Vec<&String> = if elements.len() <= 40 {
            elements.iter().collect()
        } else {
            let mut v = vec![&elements[0], &elements[elements.len() - 1]];
            v.extend((0..8).map(|_| &elements[rng.below(elements.len())]));
            v
        };
        let mut sets: Vec<Vec<String>> = singles.iter().map(|e| vec![(*e).clone()]).collect();
        let random = if elements.len() <= 40 { 50 } else { 10 };
        for _ in 0..random {
            let size = (2 + rng.below(3)).min(elements.len());
            let mut set: Vec<String> = Vec::new();
            while set.len() < size {
                let e = &elements[rng.below(elements.len())];
                if !set.contains(e) {
                    set.push(e.clone());
                }
            }
            sets.push(set);
        }
        let cases: Vec<Value> = sets
            .iter()
            .map(|names| {
                let (expect, why) = simulate(path, names);
                json!({"names": names, "expect": expect, "why": why})
            })
            .collect();
        // Click the first server whose loss darkens something, else the first.
        let click = sets
            .iter()
            .zip(&cases)
            .filter(|(s, _)| s.len() == 1 && m.find_server(&s[0]).is_some())
            .find(|(_, c)| c["expect"]["serves"] == false)
            .or_else(|| sets.iter().zip(&cases).next())
            .map(|(s, _)| s[0].clone());
        let mut screens = Vec::new();
        if let Some((_, server)) = SCREENS.iter().find(|(s, _)| *s == stem) {
            for theme in ["light", "dark"] {
                let shot = shots_dir.join(format!("{stem}-page-{theme}.png"));
                screens.push(json!({"path": shot, "theme": theme, "click": server}));
                shots.push(shot);
            }
        }
        let click_zone = m.zones.first().map(|z| z.name.clone());
        pages.push(
            json!({"name": stem, "file": file, "cases": cases, "click": click,
            "click_zone": click_zone, "screens": screens}),
        );
    }
    let embedded = embedded_book(&work);
    // The 1,000-server page, timed on a few sets.
    let big = work.join("layered-1000.html");
    let c = stackc::check(&layered::stack(1000));
    std::fs::write(
        &big,
        stackc::render::html::page(&c, stackc::render::Theme::Light).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = c.model.servers.iter().map(|s| s.name.as_str()).collect();
    let timing_sets: Vec<Vec<&str>> = (0..20)
        .map(|i| vec![names[i * 37 % names.len()], names[i * 53 % names.len()]])
        .collect();
    let prepared = started.elapsed();
    let config = work.join("config.json");
    std::fs::write(
        &config,
        serde_json::to_string(&json!({
            "playwright": pw, "chromium": chromium, "budget_ms": 120_000, "pages": pages,
            "embedded": embedded, "timing": {"file": big, "sets": timing_sets},
        }))
        .unwrap(),
    )
    .unwrap();
    let driver = common::root().join("tests/html/drive.mjs");
    let mut child = std::process::Command::new("node")
        .arg(&driver)
        .arg(&config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The driver stops itself after its budget; past that, it is killed by
    // its own PID.
    let deadline = Instant::now() + Duration::from_secs(150);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("drive.mjs ran over 150 s and was killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "drive.mjs failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("drive.mjs printed no report ({e}): {stderr}"));
    assert_eq!(report["errors"], json!([]), "{report:#}");
    assert_eq!(
        report["requests"], 0,
        "requests left the page: {}",
        report["leaks"]
    );
    if !embedded.is_null() {
        let e = &report["embedded"];
        assert_eq!(e["problems"], json!([]), "in mdBook: {e:#}");
        assert_eq!(e["errors"], json!([]), "in mdBook: {e:#}");
        eprintln!(
            "in an mdBook chapter (stack interactive): fail(db-01) = {}",
            e["fail"]
        );
    }
    let t = &report["timing"];
    eprintln!(
        "1,000-server page in Chromium: loads in {} ms, fail() {:.2} ms a set, a click's update {:.1} ms",
        t["load_ms"],
        t["per_set_ms"].as_f64().unwrap(),
        t["toggle_ms"].as_f64().unwrap()
    );
    assert!(t["per_set_ms"].as_f64().unwrap() < 50.0, "{t}");
    let mut total = (0u64, 0u64, 0u64);
    for p in report["pages"].as_array().unwrap() {
        let (cases, agree, why) = (
            p["cases"].as_u64().unwrap(),
            p["agree"].as_u64().unwrap(),
            p["why_agree"].as_u64().unwrap(),
        );
        eprintln!(
            "{}: fail agrees with simulate on {agree}/{cases} sets, the reasons on {why}/{cases}; click on {}: dark {}, stopped {}; load {} ms, {cases} sets in {} ms",
            p["name"].as_str().unwrap(),
            p["clicked"]["name"],
            p["clicked"]["dark"],
            p["clicked"]["stopped"],
            p["load_ms"],
            p["eval_ms"]
        );
        assert_eq!(p["problems"], json!([]), "{}", p["name"]);
        assert_eq!(p["errors"], json!([]), "{}", p["name"]);
        assert_eq!(agree, cases, "{}", p["name"]);
        assert_eq!(why, cases, "{}", p["name"]);
        assert!(!p["clicked"].is_null(), "{}: nothing clicked", p["name"]);
        total.0 += cases;
        total.1 += agree;
        total.2 += why;
    }
    for shot in &shots {
        let len = std::fs::metadata(shot).map(|m| m.len()).unwrap_or(0);
        assert!(len > 10_000, "{shot:?}: {len} bytes");
        eprintln!("screenshot {}: {} KiB", shot.display(), len / 1024);
    }
    eprintln!(
        "agreement: {}/{} failure sets, reasons {}/{}; prepared (simulate runs) in {:.1} s, whole test {:.1} s",
        total.1,
        total.0,
        total.2,
        total.0,
        prepared.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

/// Stacks for the corners of the evaluator (name, source).
fn extra_stacks() -> Vec<(&'static str, String)> {
    let mut chain = String::from("domain ex.com {\n  www A -> s0 : https\n}\n");
    for i in 0..530 {
        chain += &format!(
            "server s{i}: nginx 10.0.{}.{} firewall monitor=agent\n",
            i / 250,
            i % 250
        );
    }
    for i in 1..530 {
        chain += &format!("s{} -> s{i}\n", i - 1);
    }
    vec![
        (
            "no-entry",
            "group web: nginx {\n  server web-01 10.0.0.1\n  server web-02 10.0.0.2\n}\nweb-01 -> web-02\n".to_string(),
        ),
        (
            "no-domain",
            "server lb: haproxy 10.0.0.1\nserver web: nginx 10.0.0.2\nserver box: nginx+app+mysql 10.0.0.3 primary\nlb -> web\nbox -> box : mysql\n".to_string(),
        ),
        (
            "quorum",
            "zone a\nzone b\nzone c\ngroup db: mysql mode=quorum {\n server d1 10.0.3.1 zone=a\n server d2 10.0.3.2 zone=b\n server d3 10.0.3.3 zone=c\n}\n\
             group web: nginx { server w1 10.0.1.1 zone=a; server w2 10.0.1.2 zone=b }\nweb -> db\n\
             domain ex.com { www A -> web; api A -> w2 }\n".to_string(),
        ),
        ("chain-530", chain),
    ]
}

/// The stack of the gallery's `stack interactive` block.
const EMBEDDED: &str = "zone a\nzone b\ndomain example.com { www A -> web : https }\n\
group web: nginx { server web-01 10.0.1.11 zone=a; server web-02 10.0.1.12 zone=b }\n\
group db: mysql failover=manual { server db-01 10.0.2.11 zone=a primary; server db-02 10.0.2.12 zone=b replica }\n\
web -> db : mysql\n";

/// A scratch book whose one chapter embeds a page with a `stack
/// interactive` block, built by mdBook with this stackc as preprocessor;
/// what the driver checks in it. Null (and a SKIP line) without mdbook.
fn embedded_book(work: &Path) -> Value {
    if !common::require_tool("mdbook") {
        return Value::Null;
    }
    let book = work.join("book");
    std::fs::create_dir_all(book.join("src")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!(
            "[book]\ntitle = \"t\"\nsrc = \"src\"\n\n[preprocessor.stackc]\ncommand = \"{} mdbook\"\nbefore = [\"links\"]\n\n[output.html]\nno-section-label = true\n",
            env!("CARGO_BIN_EXE_stackc")
        ),
    )
    .unwrap();
    std::fs::write(
        book.join("src/SUMMARY.md"),
        "# Summary\n\n- [One](one.md)\n",
    )
    .unwrap();
    std::fs::write(
        book.join("src/one.md"),
        format!("# One\n\nBefore.\n\n```stack interactive\n{EMBEDDED}```\n\nAfter.\n"),
    )
    .unwrap();
    let out = std::process::Command::new("mdbook")
        .arg("build")
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mdbook build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let chapter = book.join("book/one.html");
    let html = std::fs::read_to_string(&chapter).unwrap();
    assert!(
        html.contains("<iframe") && html.contains("After."),
        "{html}"
    );
    let file = work.join("embedded.stack");
    std::fs::write(&file, EMBEDDED).unwrap();
    let (expect, _) = simulate(&file, &["db-01".to_string()]);
    json!({"file": chapter, "element": "db-01", "expect": expect})
}

/// `render --to html -o OUT` writes the page atomically; `--cuts` does not
/// apply to it (exit 2, nothing written); an unsound file draws nothing
/// (exit 1).
#[test]
fn the_cli_writes_the_page() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render_html_cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("scale-up.html");
    common::stackc()
        .args(["render", "samples/scale-up.stack", "--to", "html", "-o"])
        .arg(&out)
        .assert()
        .success();
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("data-element=\"lb-01\""));
    assert!(page.contains("data-element=\"a\""), "zone a is a toggle");
    assert!(page.contains("data-record=\"www.foobar.com\""));
    let refused = dir.join("cuts.html");
    common::stackc()
        .args([
            "render",
            "samples/scale-up.stack",
            "--to",
            "html",
            "--cuts",
            "2",
            "-o",
        ])
        .arg(&refused)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--cuts"));
    assert!(!refused.exists());
    common::stackc()
        .args(["render", "-", "--to", "html"])
        .write_stdin("server a: nginx 10.0.0.1\na -> nowhere\n")
        .assert()
        .code(1)
        .stdout("");
}

/// With figures (`availability=`, `slo`), the panel has the availability of
/// the stack and of each record; without, none.
#[test]
fn the_panel_has_availability_only_with_figures() {
    let facts = |src: &str| -> Value {
        let page =
            stackc::render::html::page(&stackc::check(src), stackc::render::Theme::Light).unwrap();
        let start = page.find("id=\"stackc-data\">").unwrap() + "id=\"stackc-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        serde_json::from_str::<Value>(&page[start..end]).unwrap()["facts"].clone()
    };
    let src = std::fs::read_to_string(common::root().join("book/examples/slo.stack")).unwrap();
    let f = facts(&src);
    assert!(
        f["availability"]["stack"].as_str().unwrap().ends_with('%'),
        "{f:#}"
    );
    assert!(!f["availability"]["entries"].as_array().unwrap().is_empty());
    let plain = facts("server web-01: nginx 10.0.0.1\ndomain ex.com { www A -> web-01 }\n");
    assert!(plain["availability"].is_null());
    assert_eq!(plain["spofs"][0]["elements"], json!(["web-01"]));
    assert_eq!(plain["cuts"]["max"], 2);
}
