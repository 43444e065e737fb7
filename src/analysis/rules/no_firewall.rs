//! `no-firewall`: a server without a host firewall.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::NoFirewall,
    summary: "a server without a host firewall",
    explain: "\
The server has no `firewall` flag (on itself or its group). When no member
of a group has it, one finding on the group names the members.

Why it matters: every port a daemon opens is reachable by anyone who can
route to the host; a database or an app port should only take its callers.

How to fix: add `firewall` to the server or its group (the bundle then opens
only the ports the links need), or allow it:

    allow no-firewall lb \"the provider's security groups filter traffic\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for srv in cx
        .model
        .servers
        .iter()
        .filter(|s| !s.firewall && s.is_deployed())
    {
        out.push(
            Finding::new(
                RuleId::NoFirewall,
                srv.span,
                format!("{} has no firewall", srv.name),
            )
            .subject(Subject::Server(srv.name.clone()))
            .label("no `firewall`")
            .help("add `firewall` to the server or to its group"),
        );
    }
}
