//! `unknown-name`: a link, record or allow names nothing.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownName,
    summary: "a link, record or allow names a server or group that is not declared",
    explain: "\
A link (`web -> app`), a DNS record (`www A -> lb`) or an `allow` names
something that no `server`, `group` or `zone` declares. The help suggests the
closest declared name when there is one.

Why it matters: a link to nothing is a hole in the topology; the analysis
cannot say what serves, so it does not run.

How to fix: correct the spelling, or declare the server or group. Names are
case-sensitive; DNS names in an `allow` are not (`allow spof WWW.Example.COM.`
names the record `www.example.com`). This error cannot be allowed.",
};
