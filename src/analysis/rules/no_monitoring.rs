//! `no-monitoring`: a server without a monitoring agent.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::NoMonitoring,
    summary: "a server without a monitoring agent",
    explain: "\
The server has no `monitor=AGENT` (on itself or its group). When no member
of a group has it, one finding on the group names the members.

Why it matters: redundancy only helps if someone learns that a member died
before the second one does.

How to fix: add `monitor=AGENT` (e.g. `monitor=sumologic`) to the server or
its group, or allow it:

    allow no-monitoring lb \"watched by the provider's probes\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for srv in cx
        .model
        .servers
        .iter()
        .filter(|s| s.monitor.is_none() && s.is_deployed())
    {
        out.push(
            Finding::new(
                RuleId::NoMonitoring,
                srv.span,
                format!("{} is not monitored", srv.name),
            )
            .subject(Subject::Server(srv.name.clone()))
            .label("no `monitor=`")
            .help("add `monitor=AGENT` to the server or to its group"),
        );
    }
}
