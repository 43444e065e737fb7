//! `stackc render --to html`: one self-contained page (TOOLS.md §3). The
//! diagram is the SVG of [`super::svg`] (its servers and zones made toggles;
//! the other theme's drawing travels as its list of colours), the compiled
//! circuit is embedded as
//! the JSON of [`crate::analysis::export`], and a small plain-JavaScript
//! evaluator (`stackc.js`) runs it in the page: clicking a server or zone
//! (or Enter/Space on it) takes it down or brings it back, and what goes dark
//! is marked with the reason, in `simulate`'s words. The side panel lists the
//! failure set, the dark records, the stopped servers, the SPOFs and the
//! cuts (found here, up to the file's `tolerate` or 2) and the availability
//! when the file gives figures (`availability=`, `slo`).
//!
//! Nothing is fetched: no external script, style, font or image; the page
//! works from `file://`. `window.stackc.fail(names)` answers what
//! `stackc simulate --fail NAMES --format json` does (`serves`, the dark
//! records, the stopped servers, in its order).

use super::diagram::Diagram;
use super::svg::{self, SvgOptions};
use super::Theme;
use crate::analysis::availability::{chain_text, dark_subjects};
use crate::analysis::resilience::{self, cuts, exact, Element};
use crate::Checked;
use serde_json::{json, Value};

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("stackc.js");

/// The page of a checked stack, or `None` when a stopping error left no
/// sound model. `theme`: the theme the page opens in when the reader's
/// system states no preference... and the reader can switch.
pub fn page(checked: &Checked, theme: Theme) -> Option<String> {
    let d = Diagram::of(checked)?;
    let a = checked.analysis.as_ref()?;
    let draw = |theme: Theme, prefix: &str| {
        svg::render_opts(
            &d,
            &SvgOptions {
                theme,
                id_prefix: Some(prefix.into()),
                interactive: true,
            },
        )
    };
    // One drawing: the other theme differs only in its colours, so the page
    // carries the list of them (a few dozen: the body draws by class) and
    // swaps them in; were the drawings to differ otherwise, the other one
    // whole.
    let (first, other) = match theme {
        Theme::Light => (Theme::Light, Theme::Dark),
        Theme::Dark => (Theme::Dark, Theme::Light),
    };
    let (svg, svg_other) = (draw(first, "s-"), draw(other, "s-"));
    let swap = match colour_swap(&svg, &svg_other) {
        Some(colours) => json!({ "colours": colours }),
        None => json!({ "svg": strip_prolog(&svg_other) }),
    };
    let circuit = crate::analysis::export::circuit_json(&checked.model, &a.circuit);
    let facts = facts(checked);
    let data = format!("{{\"circuit\":{circuit},\"facts\":{facts},\"other_theme\":{swap}}}");
    let theme = match theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    Some(fill(
        TEMPLATE,
        &[
            ("{{title}}", &escape(&d.title)),
            ("{{theme}}", theme),
            ("{{style}}", STYLE),
            ("{{svg}}", &strip_prolog(&svg)),
            ("{{data}}", &script_safe(&data)),
            ("{{script}}", SCRIPT),
        ],
    ))
}

/// The colours of `other` in the order they appear, when `other` is
/// `first` with only its colours changed: `#` and six hex digits not
/// followed by a letter or digit (the page's script finds them by the same
/// rule, `COLOUR` in `stackc.js`). `None` when anything else differs.
fn colour_swap(first: &str, other: &str) -> Option<Vec<String>> {
    let (a, b) = (colour_split(first), colour_split(other));
    (a.0 == b.0).then(|| b.1.into_iter().map(str::to_string).collect())
}

/// The text between colours, and the colours.
fn colour_split(s: &str) -> (Vec<&str>, Vec<&str>) {
    let bytes = s.as_bytes();
    let (mut rest, mut colours, mut from) = (Vec::new(), Vec::new(), 0);
    let mut i = 0;
    while i < bytes.len() {
        let hex = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_hexdigit);
        let is_colour = bytes[i] == b'#'
            && (1..=6).all(|k| hex(i + k))
            && !bytes.get(i + 7).is_some_and(u8::is_ascii_alphanumeric);
        if is_colour {
            rest.push(&s[from..i]);
            colours.push(&s[i..i + 7]);
            i += 7;
            from = i;
        } else {
            i += 1;
        }
    }
    rest.push(&s[from..]);
    (rest, colours)
}

/// What the panel lists besides the evaluation: SPOFs, cuts, availability.
fn facts(checked: &Checked) -> String {
    let m = &checked.model;
    let a = checked.analysis.as_ref().expect("analysed");
    let c = &a.circuit;
    let o = &a.outcome;
    let why = |darks: &[crate::analysis::availability::Dark]| {
        darks
            .first()
            .map(|d| chain_text(m, c, &d.chain))
            .unwrap_or_default()
    };
    let mut spofs: Vec<Value> = o
        .spofs
        .iter()
        .map(|(s, darks)| {
            json!({"elements": [m.server(*s).name], "dark": dark_subjects(c, darks), "why": why(darks)})
        })
        .collect();
    spofs.extend(o.zone_spofs.iter().map(|(z, darks)| {
        json!({"elements": [m.zones[z.index()].name], "zone": true, "dark": dark_subjects(c, darks), "why": why(darks)})
    }));
    let max = a.policy.tolerate.clamp(2, 4);
    let found = match &a.cuts {
        Some(Ok(found)) if a.policy.tolerate >= max => Ok(found.clone()),
        _ => cuts::find(m, c, &a.left_out, max),
    };
    let cuts = match &found {
        Ok(found) => json!({
            "max": max,
            "list": found.cuts.iter().filter(|k| k.elements.len() >= 2).map(|k| json!({
                "elements": k.elements.iter().map(|e| e.name(m)).collect::<Vec<_>>(),
                "labels": k.elements.iter().map(|e| label(m, *e)).collect::<Vec<_>>(),
                "dark": k.dark.iter().map(|&e| c.entries[e].subject.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
        Err(too_big) => json!({"max": max, "refused": too_big.message}),
    };
    let figures = m.slo.is_some()
        || m.servers.iter().any(|s| s.availability.is_some())
        || m.zones.iter().any(|z| z.availability.is_some());
    let availability = if figures {
        let computed = match &a.availability {
            Some(x) => x.clone(),
            None => exact::compute(m, c, &a.left_out),
        };
        match computed {
            Ok(av) => json!({
                "stack": resilience::percent(av.stack.up, av.stack.down),
                "downtime": resilience::downtime(av.stack.down * resilience::YEAR_S),
                "slo": m.slo.map(|p| format!("{p} %")),
                "entries": c.entries.iter().zip(&av.entries).map(|(e, f)| json!([e.subject, resilience::percent(f.up, f.down)])).collect::<Vec<_>>(),
                "gains": av.gains.iter().take(5).map(|(e, g)| json!([label(m, *e), gain(*g)])).collect::<Vec<_>>(),
            }),
            Err(too_big) => json!({"refused": too_big.message}),
        }
    } else {
        Value::Null
    };
    json!({
        "broken": o.broken.iter().map(|d| c.entries[d.entry].subject.as_str()).collect::<Vec<_>>(),
        "spofs": spofs,
        "cuts": cuts,
        "availability": availability,
        "tolerate": a.policy.tolerate,
    })
    .to_string()
}

/// An element as the panel names it: `lb-01`, `zone a`.
fn label(m: &crate::model::Model, e: Element) -> String {
    match e {
        Element::Server(_) => e.name(m).to_string(),
        Element::Zone(_) => format!("zone {}", e.name(m)),
    }
}

/// A gain as the report words it: the downtime a year it would save.
fn gain(g: f64) -> String {
    resilience::downtime(g * resilience::YEAR_S)
}

/// The SVG document for inline use: without an XML prolog, and without
/// its `xmlns` (HTML puts an inline `<svg>` in the SVG namespace itself), so
/// that the page names no `http://` address at all.
fn strip_prolog(s: &str) -> String {
    let s = match s.strip_prefix("<?xml") {
        Some(rest) => rest.find("?>").map_or(s, |i| rest[i + 2..].trim_start()),
        None => s,
    };
    s.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// Text for HTML, in an element or a quoted attribute: `&`, `<`, `>` and
/// `"` escaped, and line breaks as `&#10;` (an attribute that holds a whole
/// page, as the book's `srcdoc` does, stays on one line).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + s.len() / 8);
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            c => o.push(c),
        }
    }
    o
}

/// JSON safe inside `<script type="application/json">`: `<` appears only
/// inside strings in JSON, so `\u003c` keeps it valid and no `</script>`
/// or `<!--` can close or confuse the element. U+2028/9 are escaped too.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The template with each `{{key}}` replaced once, in one pass (what a value
/// holds is never read as a key).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut o =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        o.push_str(&rest[..i]);
        let tail = &rest[i..];
        match values.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                o.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                o.push_str("{{");
                rest = &tail[2..];
            }
        }
    }
    o.push_str(rest);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_theme_is_a_list_of_colours() {
        let svg = |t: Theme| {
            let c =
                crate::check("server web-01: nginx 10.0.0.1\ndomain ex.com { www A -> web-01 }\n");
            let d = Diagram::of(&c).unwrap();
            svg::render(&d, t)
        };
        let (l, d) = (svg(Theme::Light), svg(Theme::Dark));
        let colours = colour_swap(&l, &d).expect("only colours differ");
        assert_eq!(colours.len(), colour_split(&l).1.len());
        // Put back in order, the colours make the dark drawing.
        let (rest, _) = colour_split(&l);
        let mut rebuilt = String::new();
        for (k, part) in rest.iter().enumerate() {
            rebuilt.push_str(part);
            if let Some(c) = colours.get(k) {
                rebuilt.push_str(c);
            }
        }
        assert_eq!(rebuilt, d);
        assert_eq!(
            colour_split("a #abcdef; #abcdefa #12345 &#123456;").1,
            ["#abcdef", "#123456"]
        );
        assert!(colour_swap("#000000 a", "#ffffff b").is_none());
    }

    #[test]
    fn data_cannot_close_its_script_element() {
        let s = script_safe(r#"{"a":"</script><!--"}"#);
        assert!(!s.contains('<'));
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "</script><!--");
    }

    #[test]
    fn the_template_is_filled_once() {
        assert_eq!(
            fill("a{{x}}b{{y}}c{{z", &[("{{x}}", "{{y}}"), ("{{y}}", "Y")]),
            "a{{y}}bYc{{z"
        );
    }
}
