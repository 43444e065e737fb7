//! The oracles of the fuzz targets, shared by the libFuzzer targets in
//! `fuzz/fuzz_targets/` (nightly, `cargo fuzz run TARGET`) and by
//! `tests/fuzz_corpus.rs`, which replays the committed corpus on stable with
//! exactly these bodies. Each function takes the raw input bytes and panics
//! (with a message saying which property broke) when an oracle fails.
//!
//! Inputs that are not UTF-8 are read lossily: the CLI refuses them before
//! the library sees them, so the library only ever gets text.

use stackc::bundle::{self, Flavor, Options, Secrets};
use stackc::diag::{Finding, RuleId};
use stackc::render::{self, Diagram, Format, Theme};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Inputs larger than this are skipped: the targets look for logic errors,
/// the benches and `tests/robustness.rs` cover sizes.
pub const MAX_INPUT: usize = 64 * 1024;

fn text_of(data: &[u8]) -> Option<Cow<'_, str>> {
    (data.len() <= MAX_INPUT).then(|| String::from_utf8_lossy(data))
}

/// A small deterministic generator seeded from the input bytes (FNV-1a,
/// then xorshift): failure sets, flavours and passwords are "drawn from
/// the input" so that a corpus file always replays the same way.
struct Draw(u64);

impl Draw {
    fn new(data: &[u8]) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in data {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Draw(h | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn span_ok(text: &str, start: usize, end: usize) -> bool {
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

fn assert_finding_spans(text: &str, findings: &[Finding], what: &str) {
    for f in findings {
        assert!(
            span_ok(text, f.span.start, f.span.end),
            "{what}: span {:?} of {} is not within the text ({} bytes) on char boundaries",
            f.span,
            f.rule,
            text.len()
        );
        for l in &f.labels {
            assert!(
                span_ok(text, l.span.start, l.span.end),
                "{what}: label span {:?} of {} is not within the text on char boundaries",
                l.span,
                f.rule
            );
        }
    }
}

/// Every `Span { start: A, end: B }` in a value's `Debug` text: all the
/// spans of a syntax tree without walking each node type by hand.
fn debug_spans(debug: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        rest = &rest[i + "Span { start: ".len()..];
        let num = |s: &str| -> (usize, usize) {
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            (s[..n].parse().unwrap_or(usize::MAX), n)
        };
        let (start, n) = num(rest);
        rest = &rest[n..];
        if let Some(r) = rest.strip_prefix(", end: ") {
            let (end, n) = num(r);
            out.push((start, end));
            rest = &r[n..];
        }
    }
    out
}

// ---- parse ------------------------------------------------------------------

/// The syntax phase: no panic; every span of the tree and of the errors is
/// within the text on char boundaries; the statement driver and the
/// whole-file grammar agree on what is valid. Returns whether it parsed.
pub fn parse(data: &[u8]) -> bool {
    let Some(text) = text_of(data) else {
        return false;
    };
    let parsed = stackc::syntax::parse(&text);
    assert_finding_spans(&text, &parsed.errors, "parse");
    for f in &parsed.errors {
        assert_eq!(f.rule, RuleId::Syntax, "parse gives only syntax findings");
    }
    for (start, end) in debug_spans(&format!("{:?}", parsed.file)) {
        assert!(
            span_ok(&text, start, end),
            "parse: tree span {start}..{end} is not within the text ({} bytes) on char boundaries",
            text.len()
        );
    }
    for c in &parsed.file.comments {
        assert!(
            text[c.span.start..c.span.end].contains(c.text.as_str()),
            "parse: comment text {:?} is not under its span",
            c.text
        );
    }
    assert_eq!(
        parsed.is_ok(),
        stackc::syntax::grammar_accepts(&text),
        "parse: the statement driver and the whole-file grammar disagree"
    );
    parsed.is_ok()
}

// ---- check + simulate -------------------------------------------------------

fn sorted_by_position(findings: &[Finding]) -> bool {
    findings.windows(2).all(|w| {
        let key = |f: &Finding| {
            (
                f.span.start,
                f.rule.as_str(),
                f.subject_name().map(str::to_string),
                f.message.clone(),
            )
        };
        key(&w[0]) <= key(&w[1])
    })
}

/// Servers up to which every single-server and zone scenario is re-run
/// through `simulate` and compared with the 64-lane analysis.
const CROSS_CHECK_SERVERS: usize = 128;

/// parse + resolve + analyse, the reports, and `simulate` of failure sets
/// drawn from the input: no panic; spans within the text on char
/// boundaries; findings sorted; `simulate` with nothing down darkens exactly
/// the `broken` records; one server (one zone) down in `simulate` darkens
/// exactly what the analysis says for it. Returns whether it was analysed.
pub fn check(data: &[u8]) -> bool {
    let Some(text) = text_of(data) else {
        return false;
    };
    let c = stackc::check(&text);
    assert_finding_spans(&text, &c.findings, "check");
    let suppressed: Vec<Finding> = c.suppressed.iter().map(|s| s.finding.clone()).collect();
    assert_finding_spans(&text, &suppressed, "check (suppressed)");
    assert!(
        sorted_by_position(&c.findings),
        "check: findings are not sorted"
    );
    for s in &c.suppressed {
        assert!(
            s.allow < c.model.allows.len(),
            "check: suppressed by a missing allow"
        );
    }

    // The reports of every format render, and JSON is JSON.
    let report = stackc::report::FileReport::new("fuzz.stack", &text, &c);
    let json = stackc::report::json::render(std::slice::from_ref(&report));
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
        panic!("check: the JSON report is not JSON: {e}");
    }
    let _ = stackc::report::human::render(
        &report,
        stackc::report::human::Style {
            color: false,
            width: 80,
        },
    );

    let Some(analysis) = &c.analysis else {
        return false;
    };
    let m = &c.model;
    let circuit = &analysis.circuit;
    let outcome = &analysis.outcome;
    use stackc::analysis::availability::{chain_text, simulate};
    use stackc::model::ServerId;

    let dark_subjects = |sim: &stackc::analysis::availability::Simulation| -> Vec<String> {
        let mut v: Vec<String> = sim
            .dark
            .iter()
            .map(|(i, _)| circuit.entries[*i].subject.clone())
            .collect();
        v.sort();
        v
    };

    // Nothing down: exactly the broken records are dark.
    let none = simulate(m, circuit, &[]);
    assert_eq!(none.entries.len(), circuit.entries.len());
    assert_eq!(
        none.serves,
        none.dark.is_empty(),
        "simulate: serves disagrees with dark"
    );
    assert!(
        none.stopped.is_empty(),
        "simulate: a server stops with nothing down"
    );
    let mut broken_findings: Vec<String> = c
        .findings
        .iter()
        .chain(&suppressed)
        .filter(|f| f.rule == RuleId::Broken)
        .map(|f| f.subject_name().unwrap_or_default().to_string())
        .collect();
    broken_findings.sort();
    assert_eq!(
        dark_subjects(&none),
        broken_findings,
        "simulate with nothing down disagrees with the broken findings"
    );
    let mut broken_outcome: Vec<usize> = outcome.broken.iter().map(|d| d.entry).collect();
    broken_outcome.sort_unstable();
    let mut none_dark: Vec<usize> = none.dark.iter().map(|(i, _)| *i).collect();
    none_dark.sort_unstable();
    assert_eq!(
        none_dark, broken_outcome,
        "simulate(nothing down) vs outcome.broken"
    );

    let dark_set = |sim: &stackc::analysis::availability::Simulation| -> Vec<usize> {
        let mut v: Vec<usize> = sim.dark.iter().map(|(i, _)| *i).collect();
        v.sort_unstable();
        v
    };
    let lanes_set = |darks: &[stackc::analysis::availability::Dark]| -> Vec<usize> {
        let mut v: Vec<usize> = darks.iter().map(|d| d.entry).collect();
        v.sort_unstable();
        v
    };

    // One server, one zone down: the full evaluation agrees with the lanes.
    // (Only where nothing is broken: the analysis judges spofs then.)
    if outcome.broken.is_empty() && m.servers.len() <= CROSS_CHECK_SERVERS {
        let spofs: BTreeMap<ServerId, Vec<usize>> = outcome
            .spofs
            .iter()
            .map(|(s, d)| (*s, lanes_set(d)))
            .collect();
        for s in m.server_ids() {
            let sim = simulate(m, circuit, &[s]);
            let want = spofs.get(&s).cloned().unwrap_or_default();
            assert_eq!(
                dark_set(&sim),
                want,
                "simulate --fail {} disagrees with the spof analysis",
                m.server(s).name
            );
        }
        let zone_spofs: BTreeMap<usize, Vec<usize>> = outcome
            .zone_spofs
            .iter()
            .map(|(z, d)| (z.index(), lanes_set(d)))
            .collect();
        for (zi, z) in m.zones.iter().enumerate() {
            let down: Vec<ServerId> = m.zone_servers(stackc::model::ZoneId(zi as u32)).collect();
            if down.is_empty() {
                continue;
            }
            let sim = simulate(m, circuit, &down);
            let want = zone_spofs.get(&zi).cloned().unwrap_or_default();
            assert_eq!(
                dark_set(&sim),
                want,
                "simulate --fail {} disagrees with the zone-spof analysis",
                z.name
            );
        }
    }

    // Failure sets drawn from the input.
    let mut draw = Draw::new(data);
    let n = m.servers.len();
    for _ in 0..4 {
        if n == 0 {
            break;
        }
        let k = 1 + draw.below(n.min(6));
        let mut down: Vec<ServerId> = (0..k).map(|_| ServerId(draw.below(n) as u32)).collect();
        down.sort_unstable();
        down.dedup();
        let sim = simulate(m, circuit, &down);
        assert_eq!(sim.entries.len(), circuit.entries.len());
        assert_eq!(
            sim.serves,
            sim.dark.is_empty(),
            "simulate: serves disagrees with dark"
        );
        for (i, ok) in &sim.entries {
            assert_eq!(
                !ok,
                sim.why_dark(*i).is_some(),
                "simulate: why_dark of entry {i}"
            );
        }
        for (s, chain) in &sim.stopped {
            assert!(
                !chain.is_empty(),
                "simulate: {} stops with no reason",
                m.server(*s).name
            );
            let _ = chain_text(m, circuit, chain);
        }
        for (_, chain) in &sim.dark {
            assert!(!chain.is_empty(), "simulate: a dark entry with no chain");
            let _ = chain_text(m, circuit, chain);
        }
    }

    // Beyond single failures (RESILIENCE.md): every cut breaks the stack
    // and none of its proper subsets does; the figures are probabilities;
    // the headroom names real failure sets. On small stacks only.
    if m.servers.len() <= CROSS_CHECK_SERVERS {
        resilience(&c);
    }
    true
}

fn resilience(c: &stackc::Checked) {
    use stackc::analysis::availability::simulate;
    use stackc::analysis::resilience::{is_failure_set, servers_down};
    let m = &c.model;
    let a = c.analysis.as_ref().expect("analysed");
    let Some(r) = stackc::resilience(c, Some(2)) else {
        return;
    };
    let judged: Vec<bool> = a
        .circuit
        .entries
        .iter()
        .enumerate()
        .map(|(i, _)| {
            a.outcome.broken.iter().all(|d| d.entry != i)
                && !a.left_out.get(i).copied().unwrap_or(false)
        })
        .collect();
    let breaks = |set: &[stackc::analysis::resilience::Element]| {
        let sim = simulate(m, &a.circuit, &servers_down(m, set));
        sim.dark.iter().any(|(i, _)| judged[*i])
    };
    if let Ok(cuts) = &r.cuts {
        for cut in &cuts.cuts {
            assert!(
                is_failure_set(m, &cut.elements),
                "resilience: a cut is not a failure set"
            );
            assert!(
                breaks(&cut.elements),
                "resilience: a cut does not break the stack"
            );
            if cut.elements.len() == 2 {
                for e in &cut.elements {
                    assert!(
                        !breaks(std::slice::from_ref(e)),
                        "resilience: a cut of 2 is not minimal"
                    );
                }
            }
        }
    }
    if let Ok(av) = &r.availability {
        for f in av.entries.iter().chain(std::iter::once(&av.stack)) {
            assert!(
                (0.0..=1.0).contains(&f.up) && (0.0..=1.0).contains(&f.down),
                "resilience: not a probability"
            );
            assert!(
                (f.up + f.down - 1.0).abs() < 1e-9,
                "resilience: up and down do not add up to 1"
            );
        }
        assert!(
            av.gains.iter().all(|(_, g)| *g > 0.0),
            "resilience: a gain not above 0"
        );
    }
    if let Ok(rooms) = &r.capacity {
        for h in rooms {
            assert!(
                h.worst >= h.baseline * (1.0 - 1e-9) && h.worst.is_finite(),
                "resilience: worst below baseline"
            );
            assert!(
                h.failed.len() <= r.tolerate && is_failure_set(m, &h.failed),
                "resilience: the worst set is not a tolerated failure set"
            );
        }
    }
}

// ---- fmt --------------------------------------------------------------------

fn model_findings(c: &stackc::Checked) -> Vec<(String, Option<String>)> {
    let mut v: Vec<(String, Option<String>)> = c
        .findings
        .iter()
        .chain(c.suppressed.iter().map(|s| &s.finding))
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                f.subject_name().map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

fn comment_texts(file: &stackc::syntax::File) -> Vec<String> {
    let mut v: Vec<String> = file
        .comments
        .iter()
        .map(|c| c.text.trim().to_string())
        .collect();
    v.sort();
    v
}

/// `fmt`: formatting a file that parses gives a file that parses, is a
/// fixed point (idempotent), keeps every comment, and means the same:
/// `check` finds the same (rule, subject) pairs in both. Returns whether
/// it formatted.
pub fn fmt(data: &[u8]) -> bool {
    let Some(text) = text_of(data) else {
        return false;
    };
    let Some(once) = stackc::fmt::format_source(&text) else {
        return false;
    };
    let reparsed = stackc::syntax::parse(&once);
    assert!(
        reparsed.is_ok(),
        "fmt: the output does not parse: {:?}\n--- output ---\n{once}",
        reparsed.errors.first().map(|f| &f.message)
    );
    let twice = stackc::fmt::format_source(&once).expect("parses");
    assert_eq!(once, twice, "fmt is not idempotent");
    let original = stackc::syntax::parse(&text);
    assert_eq!(
        comment_texts(&original.file),
        comment_texts(&reparsed.file),
        "fmt lost or changed a comment"
    );
    let before = stackc::check(&text);
    let after = stackc::check(&once);
    assert_eq!(
        model_findings(&before),
        model_findings(&after),
        "fmt changed what check finds\n--- output ---\n{once}"
    );
    true
}

// ---- render -----------------------------------------------------------------

/// `render`: every sound model draws in Mermaid, DOT and SVG (both themes
/// for SVG) without panicking; the SVG is well-formed XML with an `svg`
/// root; the same input gives the same bytes. Returns whether it drew.
pub fn render(data: &[u8]) -> bool {
    let Some(text) = text_of(data) else {
        return false;
    };
    let c = stackc::check(&text);
    let Some(d) = Diagram::of(&c) else {
        assert!(!c.is_sound(), "render: a sound model has no diagram");
        return false;
    };
    let mermaid = render::emit(&d, Format::Mermaid, Theme::Light);
    assert!(!mermaid.is_empty());
    let dot = render::emit(&d, Format::Dot, Theme::Dark);
    assert!(dot.contains('{'), "render: the DOT text has no graph body");
    for theme in [Theme::Light, Theme::Dark] {
        let svg = render::emit(&d, Format::Svg, theme);
        match roxmltree::Document::parse(&svg) {
            Ok(doc) => assert_eq!(
                doc.root_element().tag_name().name(),
                "svg",
                "render: the SVG root is not <svg>"
            ),
            Err(e) => panic!("render: the SVG is not XML: {e}"),
        }
    }
    assert_eq!(
        mermaid,
        render::emit(&d, Format::Mermaid, Theme::Light),
        "mermaid is not deterministic"
    );
    true
}

// ---- bundle -----------------------------------------------------------------

/// Characters that end a line for some consumer of the bundle's text files
/// (shells, INI and YAML readers, BIND, MySQL, systemd) besides `\n`.
fn line_breaking(ch: char) -> bool {
    matches!(
        ch,
        '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    ) || (ch.is_control() && ch != '\n' && ch != '\t')
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bundle`: every stack that passes `bundle::validate` bundles; every file
/// goes through a validator of its type: JSON parses as JSON, YAML as YAML;
/// the manifest lists every other file with its mode, its secret flag and
/// (for files that are not secret) the right sha256; no path escapes the
/// bundle root; no text file holds a line break or control character other
/// than `\n` and `\t` (a user string cannot start a new line); secrets are
/// mode 0600; the same input gives the same bytes. Returns the number of
/// files checked (0 when the stack does not bundle).
pub fn bundle(data: &[u8]) -> usize {
    let Some(text) = text_of(data) else {
        return 0;
    };
    let c = stackc::check(&text);
    if !bundle::validate(&c).is_empty() {
        return 0;
    }
    let mut draw = Draw::new(data);
    let flavor = if draw.next() & 1 == 0 {
        Flavor::Mysql
    } else {
        Flavor::Mariadb
    };
    let opts = Options {
        flavor,
        ..Options::default()
    };
    let mut secrets = Secrets::new();
    secrets
        .fill(&bundle::required_secrets(&c), |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                *b = draw.next() as u8;
            }
            Ok::<(), ()>(())
        })
        .expect("filled");
    let b = match bundle::generate(&c, &opts, &secrets) {
        Ok(b) => b,
        Err(e) => panic!("bundle: validate passed but generate refused: {e:?}"),
    };
    assert_eq!(
        bundle::generate(&c, &opts, &secrets).ok().as_ref(),
        Some(&b),
        "bundle: the same input and secrets gave different bytes"
    );

    for (path, f) in &b.files {
        assert!(
            !path.is_empty()
                && !path.starts_with('/')
                && !path.contains('\\')
                && !path.contains('\0')
                && path
                    .split('/')
                    .all(|p| !p.is_empty() && p != "." && p != ".."),
            "bundle: the path {path:?} escapes the bundle root or is not a plain relative path"
        );
        if f.secret {
            assert_eq!(
                f.mode, 0o600,
                "bundle: the secret file {path} is not mode 0600"
            );
        }
        // 0640: PostgreSQL's pg_hba.conf, as Debian installs it.
        assert!(
            [0o600, 0o640, 0o644, 0o755].contains(&f.mode),
            "bundle: {path} has mode {:o}",
            f.mode
        );
        let Ok(body) = std::str::from_utf8(&f.bytes) else {
            panic!("bundle: {path} is not UTF-8");
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.ends_with(".json") {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
                panic!("bundle: {path} is not JSON: {e}");
            }
            continue;
        }
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            if let Err(e) = serde_norway::from_str::<serde_norway::Value>(body) {
                panic!("bundle: {path} is not YAML: {e}\n{body}");
            }
        }
        if let Some((i, ch)) = body.char_indices().find(|(_, ch)| line_breaking(*ch)) {
            let line = body[..i].matches('\n').count() + 1;
            panic!("bundle: {path} line {line} holds the control character {ch:?}");
        }
    }

    // The manifest lists every other file, right.
    let manifest = b
        .files
        .get(bundle::MANIFEST_FILE)
        .expect("bundle: no manifest.json");
    let v: serde_json::Value =
        serde_json::from_slice(&manifest.bytes).expect("manifest.json is JSON");
    assert_eq!(v["generator"], bundle::GENERATOR, "manifest generator");
    let listed = v["files"].as_array().expect("manifest files[]");
    let mut seen = std::collections::BTreeSet::new();
    for e in listed {
        let path = e["path"].as_str().expect("manifest file path");
        assert!(seen.insert(path.to_string()), "manifest lists {path} twice");
        let Some(f) = b.files.get(path) else {
            panic!("manifest lists {path}, which the bundle does not hold");
        };
        assert_eq!(
            e["mode"].as_str(),
            Some(format!("{:04o}", f.mode).as_str()),
            "manifest mode of {path}"
        );
        assert_eq!(
            e["secret"].as_bool(),
            Some(f.secret),
            "manifest secret flag of {path}"
        );
        if !f.secret {
            assert_eq!(
                e["sha256"].as_str(),
                Some(sha256_hex(&f.bytes).as_str()),
                "manifest sha256 of {path}"
            );
        }
    }
    for path in b.files.keys() {
        if path != bundle::MANIFEST_FILE {
            assert!(seen.contains(path), "manifest does not list {path}");
        }
    }
    b.files.len()
}
