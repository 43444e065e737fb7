//! `duplicate-address`: two servers (or a server and a vip) share an address.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::syntax::Span;
use std::collections::HashMap;
use std::net::IpAddr;

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

/// An address as declared: a server's or a group's vip.
#[derive(Clone, Debug)]
pub struct Declared {
    pub ip: IpAddr,
    /// Where the address is written.
    pub span: Span,
    /// Whose it is, in words: ``server `web-01` ``, ``the vip of group `web` ``.
    pub whose: String,
    /// The server or group the finding is about.
    pub subject: Subject,
}

/// `duplicate-address`, on the later declaration (§7.10, §7.14).
pub fn check(mut list: Vec<Declared>, out: &mut Vec<Finding>) {
    list.sort_by_key(|d| d.span.start);
    let mut first: HashMap<IpAddr, Declared> = HashMap::new();
    for d in list {
        if let Some(f) = first.get(&d.ip) {
            out.push(
                Finding::new(
                    RuleId::DuplicateAddress,
                    d.span,
                    format!("{} is already used by {}", d.ip, f.whose),
                )
                .subject(d.subject)
                .label(format!("{} repeats it", d.whose))
                .with_label(f.span, "first used here")
                .help("every server and vip needs an address of its own"),
            );
        } else {
            first.insert(d.ip, d);
        }
    }
}
