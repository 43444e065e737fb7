//! `bad-value`: a value that does not fit its place.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::BadValue,
    summary: "a value is out of range or malformed",
    explain: "\
Examples: a port outside 1-65535, an address that is not IPv4 or IPv6, a
protocol other than http, https or mysql, `: mysql` to a server without the
mysql role, `mode=active-pasive`, a name longer than 63 characters, an
`allow` with an empty reason or naming a static rule, a flag given a value.

Why it matters: the value would reach a configuration file or the analysis
wrongly.

How to fix: as the message says. Static errors cannot be allowed.",
};
