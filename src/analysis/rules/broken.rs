//! `broken`: the stack does not serve with nothing down.
use super::{Context, RuleDoc};
use crate::analysis::availability::{chain_text, fix_for};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Broken,
    summary: "an entry point does not serve even with every server up",
    explain: "\
With nothing down, a DNS record (or, without `domain`, an entry point) cannot
be served: somewhere on its chain a server needs something that is never
available, most often a write to a replica. One finding per dark record,
with the chain that fails.

Without `domain`, the entry points are the servers and groups that no link
from another server targets (a server linking to itself, or a member to its
own group, is local traffic and hides nothing). When every server is
targeted, nothing serves: one `broken` on the stack (subject its name),
placed on the first server.

Why it matters: that part of the stack is down before anything breaks. The
records that do serve are still checked for `spof` and `zone-spof`, so a
record not launched yet can be allowed without switching the rest of the
analysis off:

    allow broken api.example.com \"not launched yet\"

How to fix: follow the chain in the help to the link that can never hold:
add `read` to a link that only reads from a replica, or point a write (or a
record) at the replicated group (mysql, postgres, redis) rather than at a
replica.",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.outcome.no_entry {
        // Without `domain` and with no entry point, nothing serves (§7.8):
        // one finding on the stack, placed on its first server.
        let m = cx.model;
        let first = m.servers.iter().min_by_key(|s| s.span.start);
        if let Some(first) = first {
            let name = m.name.clone().unwrap_or_else(|| "stack".to_string());
            out.push(
                Finding::new(
                    RuleId::Broken,
                    first.span,
                    format!(
                        "{name} has no entry point: without `domain`, the entry points are the servers and groups that no link from another server targets, and every one here is targeted, so nothing serves"
                    ),
                )
                .subject(Subject::Stack(name))
                .label("no entry point")
                .help("add a `domain` with records for what the users reach, or remove the link that targets the front server or group"),
            );
        }
    }
    for d in &cx.outcome.broken {
        let e = &cx.circuit.entries[d.entry];
        let chain = chain_text(cx.model, cx.circuit, &d.chain);
        out.push(
            Finding::new(
                RuleId::Broken,
                e.span,
                format!("{} does not serve even with every server up", e.subject),
            )
            .subject(e.finding_subject(cx.model))
            .label("dark with nothing down")
            .help(format!(
                "the chain that fails: {chain}; fix: {}",
                fix_for(cx.model, &d.chain, None)
            )),
        );
    }
}
