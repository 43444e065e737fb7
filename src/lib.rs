//! stackc: a compiler for infrastructure diagrams-as-code.
//!
//! The pipeline flows one way (see `ARCHITECTURE.md`): [`syntax`] (text to
//! syntax tree) -> [`model`] (names, roles, groups to a checked topology) ->
//! [`analysis`] (availability model, SPOFs, rules) -> emitters ([`report`], [`render`], [`bundle`]).
//! The library does no I/O: it takes text and returns data; `main.rs` reads
//! files and writes output.

pub mod analysis;
pub mod book;
pub mod bundle;
pub mod diag;
pub mod diff;
pub mod drift;
pub mod fmt;
pub mod import;
pub mod lsp;
pub mod model;
pub mod render;
pub mod report;
pub mod syntax;

use diag::{Finding, Phase, RuleId, Subject};
use model::Model;

/// A finding an `allow` accepted.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    /// Index into `model.allows`.
    pub allow: usize,
}

/// Everything `check` learnt about one file.
pub struct Checked {
    pub file: syntax::File,
    pub model: Model,
    /// The analysis, when no stopping error prevented it.
    pub analysis: Option<analysis::Analysis>,
    /// What to report: every finding not allowed, sorted.
    pub findings: Vec<Finding>,
    /// Findings accepted by an `allow`.
    pub suppressed: Vec<Suppressed>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity() == diag::Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
    /// No finding stops the analysis: the model is sound.
    pub fn is_sound(&self) -> bool {
        self.analysis.is_some()
    }
}

/// Parses, resolves and analyses one `.stack` source text.
pub fn check(src: &str) -> Checked {
    check_as(src, None)
}

/// [`check`], with the name the stack takes when it has no `stack`
/// statement: the CLI passes the file's stem (`web.stack` is `web`), made
/// into a valid name ([`stack_name_from`]).
pub fn check_as(src: &str, default_name: Option<&str>) -> Checked {
    check_with(src, default_name, None)
}

/// [`check_as`], with `tolerate` overriding the file's `tolerate=`
/// (`check --tolerate K`, RESILIENCE.md §2).
pub fn check_with(src: &str, default_name: Option<&str>, tolerate: Option<u8>) -> Checked {
    let parsed = syntax::parse(src);
    let (mut model, mut statics) = model::resolve(&parsed.file);
    if model.name.is_none() {
        model.name = default_name.and_then(stack_name_from);
    }
    if !parsed.failed.is_empty() {
        // What did not parse is missing from the model: drop the findings
        // that what failed could explain, and keep the others.
        let words = failed_words(src, &parsed.failed);
        let groups: std::collections::HashMap<&str, syntax::Span> = model
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.decl))
            .collect();
        statics.retain(|f| !explained_by_failed(&words, &parsed.failed, &groups, f));
    }
    let mut findings = parsed.errors;
    findings.extend(statics);
    let stopped = findings.iter().any(|f| f.rule.is_stopping());
    if let Some(k) = tolerate {
        model.tolerate = Some(k);
    }
    let analysis = (!stopped).then(|| analysis::analyse(&model));
    if let Some(a) = &analysis {
        findings.extend(a.findings.iter().cloned());
    }
    let (mut findings, suppressed) = apply_allows(&model, findings, analysis.is_some());
    analysis::merge_per_member(&model, &mut findings);
    diag::sort_findings(&mut findings);
    Checked {
        file: parsed.file,
        model,
        analysis,
        findings,
        suppressed,
    }
}

/// The names written in the text that failed to parse.
fn failed_words<'s>(src: &'s str, failed: &[syntax::Span]) -> std::collections::HashSet<&'s str> {
    failed
        .iter()
        .filter_map(|sp| src.get(sp.start..sp.end))
        .flat_map(|text| {
            text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
                .map(|w| w.trim_end_matches('.'))
        })
        .collect()
}

/// True when a finding may only say that something in a statement that
/// failed to parse is missing: an unknown name written in the failed text, or
/// a group's missing primary (or members) when one of its lines failed.
fn explained_by_failed(
    words: &std::collections::HashSet<&str>,
    failed: &[syntax::Span],
    groups: &std::collections::HashMap<&str, syntax::Span>,
    f: &Finding,
) -> bool {
    // `failed` is in source order: the first range at or after the group's
    // start tells whether one lies inside it.
    let in_group = |subject: Option<&str>| {
        subject.and_then(|g| groups.get(g)).is_some_and(|d| {
            let i = failed.partition_point(|sp| sp.start < d.start);
            failed
                .get(i)
                .is_some_and(|sp| sp.start < d.end.max(d.start + 1))
        })
    };
    match f.rule {
        RuleId::UnknownName => f.subject_name().is_some_and(|n| words.contains(n)),
        RuleId::UnknownZone => f
            .message
            .split('`')
            .nth(1)
            .is_some_and(|n| words.contains(n)),
        RuleId::NoPrimary | RuleId::EmptyGroup => in_group(f.subject_name()),
        _ => false,
    }
}

/// A stack name (LANGUAGE.md §2: a letter, then letters, digits, `_` or
/// `-`, at most 63 characters) made from a file stem: other characters
/// become `-`, leading non-letters are dropped, and nothing usable gives
/// `None` (`my app.v2` is `my-app-v2`; `2024` is `None`).
pub fn stack_name_from(stem: &str) -> Option<String> {
    let mapped: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .skip_while(|c| !c.is_ascii_alphabetic())
        .take(63)
        .collect();
    let name = mapped.trim_end_matches('-');
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether an allow naming `allowed` accepts a finding about `subject`: the
/// same element, or a server of the group the allow names (LANGUAGE.md
/// §7.4); a set when it accepts one of its elements.
fn accepts(m: &Model, allowed: &Subject, subject: &Subject) -> bool {
    match (allowed, subject) {
        (_, Subject::Set(items)) => items.iter().any(|s| accepts(m, allowed, s)),
        (Subject::Group(g), Subject::Server(s)) => m
            .find_group(g)
            .is_some_and(|g| m.group(g).members.iter().any(|x| m.server(*x).name == *s)),
        (a, s) => a == s,
    }
}

/// Removes the findings that an `allow` accepts and reports the allows that
/// accept nothing (LANGUAGE.md §7.4).
fn apply_allows(
    m: &Model,
    findings: Vec<Finding>,
    analysed: bool,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut used = vec![false; m.allows.len()];
    // An allow that would match a finding an earlier allow took: the index
    // of that earlier allow.
    let mut shadowed: Vec<Option<usize>> = vec![None; m.allows.len()];
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let matches = |a: &model::Allow| {
            a.rule == Some(f.rule)
                && f.subject
                    .as_ref()
                    .is_some_and(|s| accepts(m, &a.subject, s))
        };
        let hit = m.allows.iter().position(matches);
        if let Some(i) = hit {
            for (j, a) in m.allows.iter().enumerate().skip(i + 1) {
                if shadowed[j].is_none() && matches(a) {
                    shadowed[j] = Some(i);
                }
            }
        }
        match hit {
            Some(i) => {
                used[i] = true;
                suppressed.push(Suppressed {
                    finding: f,
                    allow: i,
                });
            }
            None => kept.push(f),
        }
    }
    for ((a, used), shadowed) in m.allows.iter().zip(used).zip(shadowed) {
        let Some(rule) = a.rule else { continue };
        if used || (!analysed && rule.phase() == Phase::Analysis) {
            continue;
        }
        if let Some(earlier) = shadowed {
            // The finding exists: an earlier allow already accepts it.
            let e = &m.allows[earlier];
            kept.push(
                Finding::new(
                    RuleId::UnusedAllow,
                    a.span,
                    format!(
                        "this allow repeats an earlier one: `allow {rule} {}` already accepts the `{rule}` on {}",
                        e.subject, a.subject
                    ),
                )
                .subject(a.subject.clone())
                .label("a duplicate")
                .with_label(e.span, "the allow that accepts it")
                .help("remove this one (or put its reason on the earlier allow)"),
            );
            continue;
        }
        kept.push(
            Finding::new(
                RuleId::UnusedAllow,
                a.span,
                format!(
                    "this allow matches no finding: there is no `{rule}` on {}",
                    a.subject
                ),
            )
            .subject(a.subject.clone())
            .label("accepts nothing")
            .help("remove it, or correct its rule or subject"),
        );
    }
    (kept, suppressed)
}

/// The resilience report of a checked file (RESILIENCE.md §6): cuts up to
/// `max_size` (default max(2, tolerate)), tolerance, exact availability and
/// capacity headroom. `None` when a stopping error left no sound model.
pub fn resilience(
    checked: &Checked,
    max_size: Option<usize>,
) -> Option<analysis::resilience::Resilience> {
    let a = checked.analysis.as_ref()?;
    Some(analysis::resilience::report(
        &checked.model,
        a,
        &left_out(checked),
        max_size,
    ))
}

/// Per entry point: its `broken` is allowed (a record not launched yet),
/// so resilience leaves it out (RESILIENCE.md §3).
pub fn left_out(checked: &Checked) -> Vec<bool> {
    checked
        .analysis
        .as_ref()
        .map_or_else(Vec::new, |a| a.left_out.clone())
}
