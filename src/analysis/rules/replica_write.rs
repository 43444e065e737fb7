//! `replica-write`: a link writes to a replica.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::ReplicaWrite,
    summary: "a mysql link writes to a server that is a replica",
    explain: "\
A mysql link without `read` is a write, and a replica never takes writes
(it runs `read_only`). The finding is reported once per source server, on
the link.

Why it matters: the source can never work, so every chain through it is
dead; the analysis counts it so.

How to fix: if the source only reads, add `read` to the link
(`app-02 -> db-02 : mysql read`); otherwise point the link at the group
(`app-02 -> db`) so writes go to whichever member is the primary.",
};
