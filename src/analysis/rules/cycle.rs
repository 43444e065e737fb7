//! `cycle`: requests loop between servers.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Cycle,
    summary: "requests loop between servers",
    explain: "\
Following links (groups expanded to their members) leads back to where it
started: `a -> b -> a`. The message shows the loop; the finding sits on its
first server in source order. A server that links to its own group is local
traffic, not a loop.

Why it matters: availability is defined by what each server needs; a loop
makes that circular, so the analysis does not run.

How to fix: requests flow one way, from the entry points towards the
databases. Remove the link that goes back up.",
};
