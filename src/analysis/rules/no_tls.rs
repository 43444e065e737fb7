//! `no-tls`: a record served over plain http.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};
use crate::model::Protocol;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::NoTls,
    summary: "a DNS record is served over plain http",
    explain: "\
The record's protocol (written after `:`, else the default of its target) is
`http`: visitors' traffic, cookies and passwords cross the internet in clear.

How to fix: serve it over https, ending TLS at the load balancer:

    www A -> lb : https

or allow it for a record that only redirects:

    allow no-tls www.example.com \"redirects to https\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for r in &cx.model.records {
        if r.targets.iter().any(|t| t.protocol == Protocol::Http) {
            out.push(
                Finding::new(
                    RuleId::NoTls,
                    r.span,
                    format!("{} is served over plain http", r.subject),
                )
                .subject(Subject::Record(r.subject.clone()))
                .label("http, not https")
                .help("end TLS at the entry point: add `: https` to the record"),
            );
        }
    }
}
