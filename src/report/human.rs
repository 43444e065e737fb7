//! miette's graphical report: rule, severity, message, the source line with
//! the span underlined, and the help; a summary line per file.

use super::FileReport;
use crate::diag::{Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;

struct Report<'a> {
    f: &'a Finding,
    src: &'a NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.f.rule.as_str()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.f
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(self.f.label.clone(), self.f.span);
        let others = self
            .f
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), l.span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

/// Options for the human report.
#[derive(Copy, Clone, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders every finding of a file, then its summary line.
pub fn render(file: &FileReport<'_>, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_urls(false);
    let named = NamedSource::new(file.path, file.source.to_string());
    let mut out = String::new();
    for f in file.findings {
        let r = Report { f, src: &named };
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", f.rule, f.message));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} in {}\n",
        super::counts(file.errors(), file.warnings()),
        file.path
    ));
    out
}
