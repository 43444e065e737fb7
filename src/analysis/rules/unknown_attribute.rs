//! `unknown-attribute`: an attribute that does not exist, or not here.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownAttribute,
    summary: "an attribute that does not exist, or that does not apply where it is written",
    explain: "\
Either the key is unknown (`firewal`), or it stands where it means nothing:
`track` or `unicast` on an active-active group, `failover` on a group
without mysql, `primary`/`replica` on a server without mysql, `runtime` on a
server without app, `read` anywhere but on a link, `mode` or `vip` on a
single server.

Why it matters: an attribute that is silently ignored is a promise the
stack does not keep.

The finding's subject is the server, group, source server of the link or
domain the attribute is written on; a key repeated many times is reported
once.

How to fix: correct the spelling (the help suggests the closest key), or move
the attribute to where it applies.",
};
