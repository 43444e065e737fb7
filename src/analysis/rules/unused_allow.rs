//! `unused-allow`: an allow that matches no finding.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnusedAllow,
    summary: "an allow that matches no finding",
    explain: "\
`allow RULE SUBJECT \"REASON\"` accepts one finding on purpose. When nothing
matches it (the problem was fixed, or the subject is misspelt), the allow is
stale and would silently accept the next, different problem.

An allow on a group matches findings on the group and on each member. An
allow that repeats an earlier one (the earlier allow already accepts the
finding) is reported as a duplicate, pointing at the earlier allow.

How to fix: remove the allow, or correct its rule or subject.",
};
