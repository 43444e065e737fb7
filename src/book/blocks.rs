//! ```` ```stack ```` blocks: checked, then drawn (and shown, and reported).

use super::markdown::{fence, no_double_braces};
use super::Preprocessor;
use crate::diag::{RuleId, Severity};
use crate::report::{human, FileReport};
use std::collections::BTreeSet;

struct BlockOptions {
    source: bool,
    findings: bool,
    diagram: bool,
    ignore: bool,
    /// The interactive page of `stackc render --to html` instead of the
    /// picture.
    interactive: bool,
    expect: BTreeSet<String>,
}

/// The options after `stack,` in a block's info string.
fn options(info: &str, findings: bool) -> Result<BlockOptions, String> {
    let mut o = BlockOptions {
        source: false,
        findings,
        diagram: true,
        ignore: false,
        interactive: false,
        expect: BTreeSet::new(),
    };
    for word in info.split([',', ' ']).skip(1).filter(|w| !w.is_empty()) {
        match word {
            "source" => o.source = true,
            "findings" => o.findings = true,
            "nodiagram" => {
                o.diagram = false;
                o.source = true;
            }
            "ignore" => o.ignore = true,
            "interactive" => o.interactive = true,
            w if w.starts_with("expect=") => {
                let rule = &w["expect=".len()..];
                if rule.parse::<RuleId>().is_err() {
                    return Err(format!("`{w}`: `{rule}` is not a rule"));
                }
                o.expect.insert(rule.to_string());
            }
            w => return Err(format!("unknown option `{w}` on a stack block (source, findings, nodiagram, ignore, interactive, expect=RULE)")),
        }
    }
    Ok(o)
}

/// Checks a stack: it must report exactly the errors it `expect`s, beyond
/// `spof`, `zone-spof` and `broken` (what examples are often about).
/// `what` names it in the error ("the example", a file).
pub(super) fn verify(
    src: &str,
    expect: &BTreeSet<String>,
    what: &str,
) -> Result<crate::Checked, String> {
    let c = crate::check(src);
    let errors: BTreeSet<String> = c
        .findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| f.rule.as_str().to_string())
        .collect();
    let shown = if what == "the example" {
        "example.stack"
    } else {
        what
    };
    let report = || report_text(shown, src, &c);
    let stopping = c.findings.iter().any(|f| f.rule.is_stopping());
    let unexpected: Vec<&String> = errors
        .iter()
        .filter(|r| !expect.contains(*r) && !matches!(r.as_str(), "spof" | "zone-spof" | "broken"))
        .collect();
    if !unexpected.is_empty() || (stopping && expect.is_empty()) {
        return Err(format!(
            "{what} has errors it does not expect (add expect=RULE for each):\n{}",
            report()
        ));
    }
    if let Some(missing) = expect.iter().find(|r| !errors.contains(*r)) {
        return Err(format!(
            "{what} should report `{missing}` and does not:\n{}",
            report()
        ));
    }
    Ok(c)
}

/// `stackc check`'s report, without colour, 88 columns wide.
pub(super) fn report_text(path: &str, src: &str, c: &crate::Checked) -> String {
    let r = FileReport::new(path, src, c);
    human::render(
        &r,
        human::Style {
            color: false,
            width: 88,
        },
    )
}

impl Preprocessor<'_> {
    /// What a ```` ```stack ```` block with info string `info` becomes.
    pub(super) fn stack_block(&self, info: &str, src: &str) -> Result<String, String> {
        let o = options(info, self.config.findings)?;
        let mut out = String::new();
        if o.source || o.ignore {
            out.push_str(&fence("stack", src));
        }
        if o.ignore {
            return Ok(out);
        }
        let c = verify(src, &o.expect, "the example")?;
        let stopping = c.findings.iter().any(|f| f.rule.is_stopping());
        if o.diagram && !stopping && o.interactive {
            out.push_str(&self.page(&c)?);
        } else if o.diagram && !stopping {
            out.push_str(&self.diagram(&c)?);
        }
        if o.findings {
            out.push('\n');
            out.push_str(&fence("text", &report_text("example.stack", src, &c)));
        }
        Ok(out)
    }

    /// The diagram of a checked stack, as HTML for a chapter: the SVG of
    /// `stackc render`, inline (so its tooltips work), with its ids and
    /// styles made unique so that several diagrams can share a page.
    pub(super) fn diagram(&self, c: &crate::Checked) -> Result<String, String> {
        let d = crate::render::Diagram::of(c).ok_or("the stack has errors: no diagram")?;
        Ok(self.draw(&d))
    }

    /// [`Self::diagram`] with the cuts of size `k` marked, as `stackc render
    /// --cuts K` marks them.
    pub(super) fn diagram_with_cuts(&self, c: &crate::Checked, k: usize) -> Result<String, String> {
        use crate::render::{marks::CutsAsked, Diagram};
        let cuts = CutsAsked::of(c, k)
            .ok_or("the stack has errors: no diagram")?
            .map_err(|e| format!("cannot mark the cuts of size {k}: {}", e.message))?;
        let d = Diagram::with_cuts(c, &cuts).ok_or("the stack has errors: no diagram")?;
        Ok(self.draw(&d))
    }

    /// The interactive page of a checked stack (`stackc render --to html`)
    /// for a chapter: an `<iframe srcdoc>` (the page keeps its own styles,
    /// script and ids apart from mdBook's), sandboxed to scripts only, on
    /// one line so that Markdown keeps it one HTML block.
    fn page(&self, c: &crate::Checked) -> Result<String, String> {
        let page =
            crate::render::html::page(c, self.theme()).ok_or("the stack has errors: no diagram")?;
        let attr = crate::render::html::escape(&page);
        let title = c
            .model
            .title
            .as_deref()
            .or(c.model.name.as_deref())
            .unwrap_or("stack");
        let title = crate::render::html::escape(title);
        Ok(format!(
            "\n<div class=\"stackc-page\">\n<iframe title=\"{title}: what if (click a server or zone)\" sandbox=\"allow-scripts\" style=\"width:100%;height:760px;border:1px solid #cbd5e1;border-radius:8px\" srcdoc=\"{}\"></iframe>\n</div>\n\n",
            no_double_braces(&attr)
        ))
    }

    /// The theme of the book's diagrams.
    fn theme(&self) -> crate::render::Theme {
        if self.config.dark {
            crate::render::Theme::Dark
        } else {
            crate::render::Theme::Light
        }
    }

    /// A diagram as HTML for a chapter (see [`Self::diagram`]).
    fn draw(&self, d: &crate::render::Diagram) -> String {
        use crate::render::svg;
        let theme = self.theme();
        let n = self.diagram_number();
        let options = svg::SvgOptions {
            theme,
            id_prefix: Some(format!("stackc-svg-{n}-")),
            ..Default::default()
        };
        format!(
            "\n<div class=\"stackc-diagram\">\n{}\n</div>\n\n",
            no_double_braces(&svg::render_opts(d, &options))
        )
    }
}
