//! The vocabulary every phase reports in: rule ids, severities and findings.
//!
//! A finding is plain data (rule, subject, span, message, help, extra labels).
//! The emitters in `report` turn findings into miette reports, JSON, SARIF or
//! GitHub annotations; the docs of each rule live beside its check in
//! `analysis::rules`.

use crate::syntax::Span;
use std::fmt;
use std::str::FromStr;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $sev:ident, $phase:ident; )*) => {
        /// Every rule stackc reports. `Static` rules are LANGUAGE.md §4 (always
        /// errors), `Analysis` rules are §5, `Meta` is `unused-allow`, `Drift` is
        /// `stackc drift`'s only.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId { $( $variant, )* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( RuleId::$variant => Severity::$sev, )* }
            }

            pub fn phase(self) -> Phase {
                match self { $( RuleId::$variant => Phase::$phase, )* }
            }
        }
    };
}

/// Which part of the language contract a rule comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// LANGUAGE.md §4: static errors, found while parsing and resolving.
    Static,
    /// LANGUAGE.md §5: findings of the availability analysis.
    Analysis,
    /// Findings about the file's `allow` statements.
    Meta,
    /// Findings of `stackc drift` (TOOLS.md §4): the file against the
    /// configs a running stack carries; `check` never reports them.
    Drift,
}

rules! {
    Syntax = "syntax", Error, Static;
    UnknownName = "unknown-name", Error, Static;
    DuplicateName = "duplicate-name", Error, Static;
    DuplicateAddress = "duplicate-address", Error, Static;
    UnknownRole = "unknown-role", Error, Static;
    UnknownAttribute = "unknown-attribute", Error, Static;
    UnknownZone = "unknown-zone", Error, Static;
    BadValue = "bad-value", Error, Static;
    MissingVip = "missing-vip", Error, Static;
    NoPrimary = "no-primary", Error, Static;
    ManyPrimaries = "many-primaries", Error, Static;
    ReplicaWrite = "replica-write", Error, Static;
    Cycle = "cycle", Error, Static;
    Broken = "broken", Error, Analysis;
    Spof = "spof", Error, Analysis;
    ZoneSpof = "zone-spof", Error, Analysis;
    CutSet = "cut-set", Error, Analysis;
    Slo = "slo", Error, Analysis;
    Overload = "overload", Error, Analysis;
    AsymmetricFailover = "asymmetric-failover", Warning, Analysis;
    Orphan = "orphan", Warning, Analysis;
    NoTls = "no-tls", Warning, Analysis;
    PlaintextBackend = "plaintext-backend", Warning, Analysis;
    NoFirewall = "no-firewall", Warning, Analysis;
    NoMonitoring = "no-monitoring", Warning, Analysis;
    SharedHost = "shared-host", Warning, Analysis;
    UnusedAllow = "unused-allow", Warning, Meta;
    EmptyGroup = "empty-group", Warning, Analysis;
    IgnoredAttribute = "ignored-attribute", Warning, Analysis;
    Drift = "drift", Error, Drift;
}

impl RuleId {
    /// Errors that leave no sound model: when one is present the analysis of
    /// §5 does not run (LANGUAGE.md §4).
    pub fn is_stopping(self) -> bool {
        matches!(
            self,
            RuleId::Syntax
                | RuleId::UnknownName
                | RuleId::DuplicateName
                | RuleId::UnknownRole
                | RuleId::Cycle
                | RuleId::NoPrimary
                | RuleId::ManyPrimaries
        )
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

/// A secondary label: another place in the file that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// What a finding is about (LANGUAGE.md §5, CLI.md), typed: `allow`
/// matching and the diagram read the kind, and the reports print the name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The stack itself (a `broken` with no entry point).
    Stack(String),
    Server(String),
    Group(String),
    Zone(String),
    /// A domain block.
    Domain(String),
    /// A DNS record, `label.domain` (the bare domain for `@`).
    Record(String),
    /// A name that declares nothing (`unknown-name`), as written.
    Undeclared(String),
    /// Several elements at once (the servers of a request loop), the one the
    /// finding sits on first; printed as that one.
    Set(Vec<Subject>),
    /// A failure set of servers and zones (`cut-set`, RESILIENCE.md §2):
    /// `name` joins the elements by `+` in declaration order (`lb-01+web-02`),
    /// and an allow matches the same elements.
    Cut {
        name: String,
        elements: Vec<Subject>,
    },
}

impl Subject {
    /// The name the reports print.
    pub fn name(&self) -> &str {
        match self {
            Subject::Stack(n)
            | Subject::Server(n)
            | Subject::Group(n)
            | Subject::Zone(n)
            | Subject::Domain(n)
            | Subject::Record(n)
            | Subject::Undeclared(n) => n,
            Subject::Set(items) => items.first().map_or("", Subject::name),
            Subject::Cut { name, .. } => name,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One diagnostic about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    /// What the finding is about (LANGUAGE.md §5): a server, group, zone,
    /// record `label.domain`, the source server of a link; `None` for syntax.
    pub subject: Option<Subject>,
    /// Where it sits: the subject's declaration, or the link.
    pub span: Span,
    /// The text under the primary span.
    pub label: Option<String>,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<Label>,
}

impl Finding {
    pub fn new(rule: RuleId, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            subject: None,
            span,
            label: None,
            message: message.into(),
            help: None,
            labels: Vec::new(),
        }
    }
    pub fn subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }
    /// The subject's name, as the reports print it.
    pub fn subject_name(&self) -> Option<&str> {
        self.subject.as_ref().map(Subject::name)
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

/// Sort findings as CLI.md asks: by position, then rule, then subject, then
/// message (LANGUAGE.md §7.15).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.span.start, a.rule.as_str(), a.subject_name(), &a.message).cmp(&(
            b.span.start,
            b.rule.as_str(),
            b.subject_name(),
            &b.message,
        ))
    });
}

/// "did you mean `x`?" for a misspelt name, from the candidates given.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to a misspelt name, when one is close enough
/// (what [`did_you_mean`] suggests; the editor's quick fix applies it).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        let close =
            score >= 0.8 || strsim::damerau_levenshtein(word, c) <= word.len().min(c.len()) / 3;
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}
