//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning, written with the
//! typed model of the `serde-sarif` crate.

use super::paths::uri;
use super::{rule_url, FileReport, LineIndex, RunInfo, NOTHING_DECLARED};
use crate::analysis::rules;
use crate::diag::{RuleId, Severity};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use std::path::Path;

/// The run's `properties`: `tolerance` (the weakest of the files
/// analysed) and `tolerances` (per file: its URI, value and exactness).
/// None when no file was analysed.
fn tolerance_properties(
    files: &[FileReport<'_>],
    info: &RunInfo,
    base: Option<&Path>,
) -> Option<PropertyBag> {
    let weakest = super::Tolerance::weakest(&info.tolerance)?;
    let per_file: Vec<serde_json::Value> = files
        .iter()
        .zip(&info.tolerance)
        .filter_map(|(f, t)| {
            t.map(|t| {
                serde_json::json!({
                    "uri": uri(f.path, base),
                    "value": t.value,
                    "exact": t.exact,
                })
            })
        })
        .collect();
    let mut bag = std::collections::BTreeMap::new();
    bag.insert(
        "tolerance".to_string(),
        serde_json::json!({ "value": weakest.value, "exact": weakest.exact }),
    );
    bag.insert("tolerances".to_string(), serde_json::json!(per_file));
    Some(PropertyBag::builder().additional_properties(bag).build())
}

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

/// The SARIF log of the files; `base` is the directory artifact URIs are
/// relative to (the working directory).
pub fn render(files: &[FileReport<'_>], base: Option<&Path>) -> String {
    render_run(files, &RunInfo::default(), base)
}

/// The SARIF log of a `check` run. Columns count Unicode scalar values
/// (`columnKind: unicodeCodePoints`; SARIF's default would be UTF-16 code
/// units). Files that could not be read are `error` notifications of a
/// failed invocation (`executionSuccessful: false`); a file that declares
/// nothing is a `note` notification.
pub fn render_run(files: &[FileReport<'_>], info: &RunInfo, base: Option<&Path>) -> String {
    let file_location = |path: &str| {
        Location::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(ArtifactLocation::builder().uri(uri(path, base)).build())
                    .build(),
            )
            .build()
    };
    let mut notifications: Vec<Notification> = info
        .errors
        .iter()
        .map(|e| {
            Notification::builder()
                .level(serde_json::json!("error"))
                .message(Message::builder().text(e.message.clone()).build())
                .locations(vec![file_location(&e.file)])
                .build()
        })
        .collect();
    for (file, nothing) in files.iter().zip(&info.nothing_declared) {
        if *nothing && file.errors() == 0 {
            notifications.push(
                Notification::builder()
                    .level(serde_json::json!("note"))
                    .message(
                        Message::builder()
                            .text(format!("{}: {NOTHING_DECLARED}", file.path))
                            .build(),
                    )
                    .locations(vec![file_location(file.path)])
                    .build(),
            );
        }
    }
    let invocation = Invocation::builder()
        .execution_successful(info.errors.is_empty())
        .tool_execution_notifications(notifications)
        .build();
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
                        .text(doc.explain_text())
                        .markdown(doc.explain_text())
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
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    run.properties = tolerance_properties(files, info, base);
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s =
        super::text::json_safe(serde_json::to_string_pretty(&log).expect("SARIF serializes"));
    s.push('\n');
    s
}
