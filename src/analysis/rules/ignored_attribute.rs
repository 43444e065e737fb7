//! `ignored-attribute`: an attribute that has no effect where it stands.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::IgnoredAttribute,
    summary: "an attribute is valid here but changes nothing",
    explain: "\
The attribute is allowed where it is written, but nothing reads it there.
Today: `read` on a link none of whose targets is reached over a data
protocol (mysql, postgres, redis: `read` says that a link to a replicated
role only reads; an http, memcached or tcp link has no reads and writes to
tell apart); `firewall` and `monitor=` on an `external` service, which the
stack does not run (so no firewall or agent of ours runs there).

Why it matters: the writer expected an effect (a link that may use replicas)
that the analysis and the bundle do not give.

How to fix: remove the attribute, or correct the link's protocol
(`app -> db : mysql read`). It is a warning; `--deny warnings` fails on it.",
};
