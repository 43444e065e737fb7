//! `duplicate-address`: two servers (or a server and a vip) share an address.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::DuplicateAddress,
    summary: "two servers, or a server and a vip, have the same address",
    explain: "\
Every server address and every group `vip` must be unique. The finding sits on
the later declaration and points at the first.

Why it matters: two hosts answering for one address is an outage waiting to
happen, and a vip that is also a host address is never free to move.

How to fix: give each server and each vip an address of its own. The
analysis still runs, but the bundle refuses to build until it is fixed.",
};
