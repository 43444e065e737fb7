//! `cut-set`: a set of 2 to `tolerate` failures that stops the stack serving.
use super::{Context, RuleDoc};
use crate::analysis::availability::{chain_text, fix_for, name_list};
use crate::analysis::lanes::Step;
use crate::analysis::resilience::{cuts::Cut, Element};
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{Mode, Model};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::CutSet,
    summary:
        "a set of servers and zones, no larger than `tolerate`, whose loss together stops the stack",
    explain: "\
With `stack NAME tolerate=K` (or `check --tolerate K`), stackc looks for
every *cut* of size 2 to K: a set of servers and zones whose loss at once
darkens a DNS record that serves with nothing down, while losing any
smaller part of the set does not. Cuts of size 1 are `spof` and
`zone-spof`. The search is exact: the availability model is not monotone
(an active-passive holder that is up but cannot serve keeps the vip, and
losing it hands the vip on), so only minimal sets count, and a set is
reported only when it really breaks the stack.

The message names the records that go dark; the help shows the chain that
breaks and a fix. `stackc resilience` lists every cut with the exact
availability and the capacity headroom.

Why it matters: a server lost while another is in maintenance, or two
servers on one rack, is an outage the single-failure check does not see.

How to fix: add a member to the group the cut empties (N+1 becomes N+2),
spread a group over a third zone, lower a quorum group's `quorum=` or give
it more members, or point links at groups rather than at members.

Allowing it: the subject is the set, its elements joined by `+` in the
order they are declared:

    allow cut-set lb-01+lb-02 \"one pair of load balancers until the second site\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(found) = cx.cuts else { return };
    let m = cx.model;
    let cuts = match found {
        Ok(c) => c,
        Err(refused) => {
            out.push(
                Finding::new(
                    RuleId::CutSet,
                    m.stack_span.unwrap_or_default(),
                    refused.message.clone(),
                )
                .subject(Subject::Stack(m.stack_name().to_string()))
                .label("cuts not searched")
                .help("lower `tolerate` (or `--tolerate`): cuts of 2 or 3 failures stay cheap"),
            );
            return;
        }
    };
    for cut in cuts.cuts.iter().filter(|c| c.elements.len() >= 2) {
        out.push(finding(cx, cut));
    }
}

/// The subject of a cut: its elements in declaration order.
pub fn subject(m: &Model, elements: &[Element]) -> Subject {
    let mut v = elements.to_vec();
    v.sort_by_key(|e| e.order(m));
    let elements: Vec<Subject> = v
        .iter()
        .map(|e| match *e {
            Element::Server(s) => Subject::Server(m.server(s).name.clone()),
            Element::Zone(z) => Subject::Zone(m.zones[z.index()].name.clone()),
        })
        .collect();
    Subject::Cut {
        name: crate::analysis::resilience::set_name(m, &v),
        elements,
    }
}

/// An element in words: `lb-01`, `zone a`.
fn words(m: &Model, e: Element) -> String {
    match e {
        Element::Server(_) => e.name(m).to_string(),
        Element::Zone(_) => format!("zone {}", e.name(m)),
    }
}

fn finding(cx: &Context<'_>, cut: &Cut) -> Finding {
    let m = cx.model;
    let names: Vec<String> = cut.elements.iter().map(|e| words(m, *e)).collect();
    let together = match names.len() {
        2 => format!("{} and {}", names[0], names[1]),
        k => format!("{} and {}", names[..k - 1].join(", "), names[k - 1]),
    };
    let all = match names.len() {
        2 => "both",
        3 => "all three",
        _ => "all four",
    };
    let dark: Vec<&str> = cut
        .dark
        .iter()
        .map(|&i| cx.circuit.entries[i].subject.as_str())
        .collect();
    let message = format!(
        "{together} are a cut: with {all} down, {} {} dark (the stack must survive {} failure{} at once)",
        name_list(&dark),
        if dark.len() == 1 { "goes" } else { "go" },
        cx.policy.tolerate,
        if cx.policy.tolerate == 1 { "" } else { "s" },
    );
    let chain = chain_text(m, cx.circuit, &cut.chain);
    let span = |e: Element| match e {
        Element::Server(s) => m.server(s).span,
        Element::Zone(z) => m.zones[z.index()].span,
    };
    let mut f = Finding::new(RuleId::CutSet, span(cut.elements[0]), message)
        .subject(subject(m, &cut.elements))
        .label(format!("in a cut of {}", cut.elements.len()))
        .help(format!(
            "the chain that breaks: {chain}; fix: {}",
            fix(m, cut)
        ));
    for e in &cut.elements[1..] {
        f = f.with_label(span(*e), "in the same cut");
    }
    f
}

/// The first thing to change so that the cut no longer breaks the stack.
fn fix(m: &Model, cut: &Cut) -> String {
    let servers: Vec<_> = cut
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Server(s) => Some(*s),
            Element::Zone(_) => None,
        })
        .collect();
    let zones = cut.elements.len() - servers.len();
    let group = servers.first().and_then(|s| m.server(*s).group);
    if zones == 0 && group.is_some() && servers.iter().all(|s| m.server(*s).group == group) {
        let g = m.group(group.unwrap_or_else(|| unreachable!()));
        let n = g.members.len();
        if g.mode == Mode::Quorum {
            return format!(
                "quorum group `{}` needs {} of its {n} members working: give it more members (or a lower `quorum=`) so that {} losses leave a quorum",
                g.name,
                g.quorum_size(),
                servers.len()
            );
        }
        if servers.len() == n {
            return format!(
                "add a member to group `{}`: all {n} of its members are in this cut",
                g.name
            );
        }
    }
    if zones == cut.elements.len() {
        let names: Vec<&str> = cut.elements.iter().map(|e| e.name(m)).collect();
        return format!(
            "spread the servers of this chain over a zone outside {}: each of these zones holds part of it",
            names.join(" and ")
        );
    }
    // The group on the chain that the cut empties: every member down.
    let down = crate::analysis::resilience::servers_down(m, &cut.elements);
    let emptied = cut.chain.iter().rev().find_map(|step| match step {
        Step::Group(g) | Step::Holder(g, _) => Some(*g),
        _ => None,
    });
    if let Some(g) = emptied.filter(|g| m.group(*g).members.iter().all(|s| down.contains(s))) {
        let grp = m.group(g);
        let zone_names: Vec<&str> = cut
            .elements
            .iter()
            .filter(|e| matches!(e, Element::Zone(_)))
            .map(|e| e.name(m))
            .collect();
        let outside = match zone_names.len() {
            0 => String::new(),
            1 => format!(" outside zone {}", zone_names[0]),
            _ => format!(" outside zones {}", zone_names.join(" and ")),
        };
        return format!(
            "this cut takes down all {} members of group `{}`: add a member{outside}",
            grp.members.len(),
            grp.name
        );
    }
    fix_for(m, &cut.chain, None)
}
