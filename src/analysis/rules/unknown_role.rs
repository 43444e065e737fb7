//! `unknown-role`: a role that is not in the roles table.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownRole,
    summary: "a server or group names a role stackc does not know",
    explain: "\
The roles stackc knows (its roles table):

{roles}

Several roles on one host are joined with `+`: `server box: nginx+app+mysql`
(`external` stands alone: a service the stack does not run, named by
`host=\"api.example.com\"`, with no address).

Why it matters: a role decides a server's tier, default protocol and port,
and its configuration; without it the model is not sound and the analysis
does not run.

How to fix: use one of the roles above (the help suggests the closest).",
};
