//! `unknown-attribute`: an attribute that does not exist, or not here.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownAttribute,
    summary: "an attribute that does not exist, or that does not apply where it is written",
    explain: "\
Either the key is unknown (`firewal`), or it stands where it means nothing:
`track` or `unicast` on an active-active group, `failover` on a group
without a replicated role (mysql, postgres, redis), `primary`/`replica` on a
server without one, `runtime` or `command` on a server that runs no code
(app), `health` on one that serves no http (nginx, app), `host=` or `tier=`
on anything but an `external` service, `read` or `optional` anywhere but on
a link, `mode` or `vip` on a single server. The roles an attribute needs are
named from the roles table.

Why it matters: an attribute that is silently ignored is a promise the
stack does not keep.

The finding's subject is the server, group, source server of the link or
domain the attribute is written on; a key repeated many times is reported
once.

How to fix: correct the spelling (the help suggests the closest key), or move
the attribute to where it applies.",
};
