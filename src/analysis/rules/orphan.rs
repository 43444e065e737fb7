//! `orphan`: a server no entry point reaches.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Orphan,
    summary: "a server that no chain of links from an entry point reaches",
    explain: "\
Starting from the DNS records and following links (a group target reaches
all its members), this server is never reached. Replication is not a link:
a replica that no application reads from is an orphan too.

Why it matters: it is either dead weight or, more often, a missing link: the
server was meant to serve and does not.

How to fix: add the missing link (`web -> app-03`, or make it a member of the
group the link targets), or remove the server.",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let m = cx.model;
    if cx.circuit.entries.is_empty() {
        return;
    }
    let mut seen = vec![false; m.servers.len()];
    // A group is expanded once: every member of a big group linking to
    // another big group would otherwise cost members × members.
    let mut expanded = vec![false; m.groups.len()];
    let mut stack = Vec::new();
    let mut reach = |t: &crate::model::Target, stack: &mut Vec<crate::model::ServerId>| {
        if let crate::model::Target::Group(g) = t {
            if std::mem::replace(&mut expanded[g.index()], true) {
                return;
            }
        }
        stack.extend_from_slice(m.target_members(t));
    };
    for e in &cx.circuit.entries {
        for t in &e.targets {
            reach(t, &mut stack);
        }
    }
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut seen[s.index()], true) {
            continue;
        }
        for l in &cx.links_of[s.index()] {
            for t in &m.links[l.index()].targets {
                reach(&t.target, &mut stack);
            }
        }
    }
    for s in m.server_ids().filter(|s| !seen[s.index()]) {
        let srv = m.server(s);
        out.push(
            Finding::new(
                RuleId::Orphan,
                srv.span,
                format!("no entry point reaches {}", srv.name),
            )
            .subject(Subject::Server(srv.name.clone()))
            .label("nothing sends requests here")
            .help(format!(
                "add a link to {} (or to its group), or remove it",
                srv.name
            )),
        );
    }
}
