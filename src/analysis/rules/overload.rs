//! `overload`: a server whose load exceeds its `capacity=`, with nothing
//! down or after a tolerated failure.
use super::{Context, RuleDoc};
use crate::analysis::resilience::{rate, Element};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Overload,
    summary: "a server whose load exceeds its `capacity=`, with nothing down or after a tolerated failure",
    explain: "\
With `capacity=N` on servers (requests per second a host can carry) and
`load=N` on records (requests per second at peak), stackc follows the load:
a record's load is split evenly among its available targets; an
active-active or quorum group splits it among its working members, an
active-passive group gives it to its holder, a write goes to the primary;
each server passes what it takes along each of its links. It does so with
nothing down and after every failure set of size up to `tolerate` (default
1: N+1) that does not stop the stack, exactly.

The message names the worst failure set and the figures: \"with web-01
down, web-02 carries 1,500 req/s; its capacity is 1,000\".

How to fix: add a member to the group (the survivors share the load),
raise the hosts' capacity, or spread the load over more records' targets.

Allowing it (a peak you accept shedding):

    allow overload web-02 \"peak is served degraded for now\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(result) = cx.headroom else { return };
    let m = cx.model;
    let rooms = match result {
        Ok(r) => r,
        Err(refused) => {
            out.push(
                Finding::new(
                    RuleId::Overload,
                    m.stack_span.unwrap_or_default(),
                    format!("the capacity cannot be checked: {}", refused.message),
                )
                .subject(Subject::Stack(m.stack_name().to_string()))
                .label("capacity not checked")
                .help("lower `tolerate` (or `--tolerate`)"),
            );
            return;
        }
    };
    for h in rooms {
        if !h.overloaded() {
            continue;
        }
        let srv = m.server(h.server);
        let set: Vec<String> = h
            .failed
            .iter()
            .map(|e| match e {
                Element::Server(_) => e.name(m).to_string(),
                Element::Zone(_) => format!("zone {}", e.name(m)),
            })
            .collect();
        let when = match set.len() {
            0 => String::new(),
            1 => format!("with {} down, ", set[0]),
            _ => format!("with {} down, ", set.join(" and ")),
        };
        let message = if set.is_empty() {
            format!(
                "{} carries {} req/s with nothing down; its capacity is {}",
                srv.name,
                rate(h.worst),
                rate(h.capacity)
            )
        } else {
            format!(
                "{when}{} carries {} req/s; its capacity is {}",
                srv.name,
                rate(h.worst),
                rate(h.capacity)
            )
        };
        let help = match srv.group.map(|g| m.group(g)) {
            Some(g) if g.members.len() > 1 => format!(
                "add a member to group `{}` or raise its `capacity=`: with nothing down {} carries {} req/s",
                g.name,
                srv.name,
                rate(h.baseline)
            ),
            _ => format!(
                "raise its `capacity=` or put {} in a group with a second server: with nothing down it carries {} req/s",
                srv.name,
                rate(h.baseline)
            ),
        };
        out.push(
            Finding::new(RuleId::Overload, srv.span, message)
                .subject(Subject::Server(srv.name.clone()))
                .label("over capacity")
                .help(help),
        );
    }
}
