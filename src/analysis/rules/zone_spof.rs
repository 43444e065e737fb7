//! `zone-spof`: a zone whose loss alone stops the stack serving.
use super::{Context, RuleDoc};
use crate::analysis::availability::{chain_text, dark_subjects, fix_for, name_list};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::ZoneSpof,
    summary: "a zone whose loss alone stops the stack serving",
    explain: "\
stackc takes every declared zone down in turn (all its servers at once) and
evaluates the availability model. A zone whose loss darkens a DNS record
that serves with nothing down is reported, even when a `spof` server sits inside it: the two findings call
for different fixes.

Why it matters: a rack's power, a switch or a cloud availability zone fails
as a whole; redundancy inside one zone does not survive it.

How to fix: spread each group's members over at least two zones
(`zone=a` on one member, `zone=b` on the other), including the load
balancers and the database replica.",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (z, darks) in &cx.outcome.zone_spofs {
        let zone = &cx.model.zones[z.index()];
        let subjects = dark_subjects(cx.circuit, darks);
        let chain = chain_text(cx.model, cx.circuit, &darks[0].chain);
        let fix = fix_for(cx.model, &darks[0].chain, Some(*z));
        out.push(
            Finding::new(
                RuleId::ZoneSpof,
                zone.span,
                format!(
                    "zone {} is a single point of failure: without it {} {} dark",
                    zone.name,
                    name_list(&subjects),
                    if subjects.len() == 1 { "goes" } else { "go" }
                ),
            )
            .subject(Subject::Zone(zone.name.clone()))
            .label("single point of failure")
            .help(format!("the chain that breaks: {chain}; fix: {fix}")),
        );
    }
}
