//! `textDocument/publishDiagnostics`: every finding `check` reports (allowed
//! ones left out), source "stackc", code the rule id, the chain as related
//! information.
//!
//! A finding becomes one diagnostic: its span as the range (UTF-16), its
//! severity, its message with the help on a second line (`help: ...`, as the
//! human report prints it), a link to the rule's page in the book (the
//! SARIF `helpUri`), and each secondary label (the links of a broken chain,
//! the other holder of a duplicate...) as related information at its own
//! place. `unused-allow` is also tagged unnecessary (editors fade it).

use super::Snapshot;
use crate::diag::{Finding, RuleId, Severity};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Uri,
};

/// What every diagnostic says it comes from.
pub const SOURCE: &str = "stackc";

/// The diagnostics of one document.
pub fn of(snap: &Snapshot, uri: &Uri) -> Vec<Diagnostic> {
    snap.checked
        .findings
        .iter()
        .map(|f| diagnostic(snap, uri, f))
        .collect()
}

/// One finding as a diagnostic.
pub fn diagnostic(snap: &Snapshot, uri: &Uri, f: &Finding) -> Diagnostic {
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), snap.range(l.span)),
            message: l.text.clone(),
        })
        .collect();
    Diagnostic {
        range: snap.range(f.span),
        severity: Some(severity(f.severity())),
        code: Some(NumberOrString::String(f.rule.as_str().to_string())),
        code_description: rule_page(f.rule),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (f.rule == RuleId::UnusedAllow).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// The rule's page in the book, as the SARIF report links it.
fn rule_page(rule: RuleId) -> Option<CodeDescription> {
    let href = crate::report::rule_url(rule).parse().ok()?;
    Some(CodeDescription { href })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> Uri {
        "file:///tmp/web.stack".parse().unwrap()
    }

    #[test]
    fn a_spof_with_its_code_range_and_link() {
        let text = "# é\nserver lb-01: haproxy 10.0.0.1\nserver web-01: nginx 10.0.0.2\nlb-01 -> web-01 : http\n";
        let snap = Snapshot::new(text.to_string(), Some("web"), 1);
        let diags = of(&snap, &uri());
        assert_eq!(diags.len(), snap.checked.findings.len());
        let spof = diags
            .iter()
            .find(|d| d.code == Some(NumberOrString::String("spof".into())))
            .expect("a spof");
        assert_eq!(spof.source.as_deref(), Some("stackc"));
        assert_eq!(spof.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(
            spof.code_description.as_ref().unwrap().href.as_str(),
            "https://stackc.dev/book/rules/spof.html"
        );
        assert!(spof.range.start.line >= 1);
    }

    #[test]
    fn help_and_labels_are_kept() {
        let text = "server a: nginx 10.0.0.1\nserver a: nginx 10.0.0.2\n";
        let snap = Snapshot::new(text.to_string(), None, 1);
        let f = &snap.checked.findings[0];
        let d = diagnostic(&snap, &uri(), f);
        assert_eq!(d.message.starts_with(&f.message), true);
        assert_eq!(d.message.contains("\nhelp: "), f.help.is_some());
        let related = d.related_information.unwrap_or_default();
        assert_eq!(related.len(), f.labels.len());
        for (r, l) in related.iter().zip(&f.labels) {
            assert_eq!(r.message, l.text);
            assert_eq!(r.location.range, snap.range(l.span));
        }
    }
}
