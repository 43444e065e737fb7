//! `many-primaries`: a mysql group with several primaries.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::ManyPrimaries,
    summary: "a mysql group has more than one primary",
    explain: "\
Two primaries in one group would both take writes and diverge. stackc models
primary/replica replication with one primary per group.

How to fix: keep `primary` on one member and mark the others `replica` (or
leave them bare: a member without either is a replica).",
};
