//! `many-primaries`: a replicated group with several primaries.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::model::Model;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::ManyPrimaries,
    summary: "a replicated group (primary and replicas) has more than one primary",
    explain: "\
Two primaries in one group would both take writes and diverge. stackc models
primary/replica replication with one primary per group.

How to fix: keep `primary` on one member and mark the others `replica` (or
leave them bare: a member without either is a replica).",
};

pub fn check(m: &Model, out: &mut Vec<Finding>) {
    for g in m.group_ids() {
        let grp = m.group(g);
        let primaries = m.marked_primaries(g);
        if primaries.len() < 2 {
            continue;
        }
        let mut f = Finding::new(
            RuleId::ManyPrimaries,
            grp.span,
            format!(
                "the {} group `{}` has {} primaries",
                grp.replicated_roles(),
                grp.name,
                primaries.len()
            ),
        )
        .subject(Subject::Group(grp.name.clone()))
        .label("more than one primary")
        .help(format!(
            "a {} group replicates from exactly one primary: mark the others `replica`",
            grp.replicated_roles()
        ));
        for p in &primaries {
            let s = m.server(*p);
            f = f.with_label(s.span, format!("{} is primary", s.name));
        }
        out.push(f);
    }
}
