//! `no-primary`: a mysql group without a primary.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::NoPrimary,
    summary: "a mysql group has no primary",
    explain: "\
A mysql group replicates from exactly one primary. Members without `primary`
or `replica` are replicas, so a group with no `primary` member has nowhere to
send writes.

How to fix: mark one member `primary`:

    group db: mysql { server db-01 10.0.3.11 primary; server db-02 10.0.3.12 }",
};
