//! `spof`: a server whose loss alone stops the stack serving.
use super::{Context, RuleDoc};
use crate::analysis::availability::{chain_text, dark_subjects, fix_for, name_list};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Spof,
    summary: "a server whose loss alone stops the stack serving",
    explain: "\
stackc takes every server down in turn, alone, and evaluates the exact
availability model of the language: a server works when it is up and each of
its links has a target available; a group is available when a member works
(active-active), when its holder works (active-passive), or when its primary
works (a write to a mysql, postgres or redis group without
`failover=auto`). A server is a single point of
failure when some DNS record that serves with nothing down goes dark
without it (a record that is `broken` anyway is not counted). The message
names the records that go dark; the help shows the chain that breaks (a
long chain with its first and last hops) and a fix.

Why it matters: that server's crash, reboot or upgrade is an outage.

How to fix, depending on the chain:
- add a second member to the server's group, and link to the group;
- on a mysql, postgres or redis group, set `failover=auto` (with a `vip`) so a replica is
  promoted;
- on an active-passive group whose holder stays alive but cannot serve,
  add `track` and give the members the same links;
- point links at groups rather than at single members.

Allowing it (for a stage you accept):

    allow spof db-01 \"manual failover until the replica is provisioned\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (s, darks) in &cx.outcome.spofs {
        let srv = cx.model.server(*s);
        let subjects = dark_subjects(cx.circuit, darks);
        let chain = chain_text(cx.model, cx.circuit, &darks[0].chain);
        let fix = fix_for(cx.model, &darks[0].chain, None);
        // Without `domain` a server can be an entry point itself.
        let is_itself = |d: &crate::analysis::availability::Dark| {
            let e = &cx.circuit.entries[d.entry];
            e.record.is_none() && e.targets == [crate::model::Target::Server(*s)]
        };
        let message = if darks.len() == 1 && is_itself(&darks[0]) {
            format!(
                "{} is a single point of failure: it is an entry point (no other server links to it), and nothing serves in its place when it is down",
                srv.name
            )
        } else {
            let subjects: Vec<String> = darks
                .iter()
                .zip(subjects)
                .map(|(d, subj)| {
                    if is_itself(d) {
                        format!("{subj} itself (an entry point)")
                    } else {
                        subj
                    }
                })
                .collect();
            format!(
                "{} is a single point of failure: without it {} {} dark",
                srv.name,
                name_list(&subjects),
                if subjects.len() == 1 { "goes" } else { "go" }
            )
        };
        out.push(
            Finding::new(RuleId::Spof, srv.span, message)
                .subject(Subject::Server(srv.name.clone()))
                .label("single point of failure")
                .help(format!("the chain that breaks: {chain}; fix: {fix}")),
        );
    }
}
