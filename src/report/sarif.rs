//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning, written with the
//! typed model of the `serde-sarif` crate.

use super::{rule_url, FileReport, LineIndex};
use crate::analysis::rules;
use crate::diag::{RuleId, Severity};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Suppression, Tool, ToolComponent,
};
use std::path::Path;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn result_level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A path as a URI relative to `base` (the working directory) when it lies
/// under it: forward slashes, percent-escaped.
fn uri(path: &str, base: Option<&Path>) -> String {
    let rel = base
        .and_then(|b| Path::new(path).strip_prefix(b).ok())
        .and_then(|p| p.to_str());
    let path = rel.unwrap_or(path);
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF log of the files; `base` is the directory artifact URIs are
/// relative to (the working directory).
pub fn render(files: &[FileReport<'_>], base: Option<&Path>) -> String {
    let descriptors: Vec<ReportingDescriptor> = RuleId::ALL
        .iter()
        .map(|r| {
            let doc = rules::doc(*r);
            ReportingDescriptor::builder()
                .id(r.as_str())
                .name(r.as_str())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(doc.summary)
                        .build(),
                )
                .full_description(
                    MultiformatMessageString::builder()
                        .text(doc.summary)
                        .build(),
                )
                .help(
                    MultiformatMessageString::builder()
                        .text(doc.explain)
                        .markdown(doc.explain)
                        .build(),
                )
                .help_uri(rule_url(*r))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level(r.severity())))
                        .build(),
                )
                .build()
        })
        .collect();
    let rule_index = |r: RuleId| RuleId::ALL.iter().position(|x| *x == r).unwrap_or(0) as i64;
    let mut results = Vec::new();
    for file in files {
        let idx = LineIndex::new(file.source);
        let location = |start: usize| {
            let (line, col) = idx.line_col(start);
            Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(
                            ArtifactLocation::builder()
                                .uri(uri(file.path, base))
                                .build(),
                        )
                        .region(
                            Region::builder()
                                .start_line(line as i64)
                                .start_column(col as i64)
                                .build(),
                        )
                        .build(),
                )
                .build()
        };
        let text = |f: &crate::diag::Finding| match &f.help {
            Some(h) => format!("{}\nhelp: {h}", f.message),
            None => f.message.clone(),
        };
        let result = |f: &crate::diag::Finding| {
            SarifResult::builder()
                .rule_id(f.rule.as_str())
                .rule_index(rule_index(f.rule))
                .level(result_level(f.severity()))
                .message(Message::builder().text(text(f)).build())
                .locations(vec![location(f.span.start)])
                .build()
        };
        results.extend(file.findings.iter().map(result));
        for s in file.suppressed {
            let reason = file.allow_reasons.get(s.allow).cloned().unwrap_or_default();
            let mut r = result(&s.finding);
            r.suppressions = Some(vec![Suppression::builder()
                .kind(serde_json::json!("inSource"))
                .justification(reason)
                .build()]);
            results.push(r);
        }
    }
    let driver = ToolComponent::builder()
        .name("stackc")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://stackc.dev/book/")
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}
