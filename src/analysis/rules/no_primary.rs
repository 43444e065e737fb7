//! `no-primary`: a replicated group (mysql, postgres, redis) without a primary.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::model::Model;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::NoPrimary,
    summary: "a replicated group (primary and replicas) has no primary",
    explain: "\
A group of a replicated role (mysql, postgres, redis: the roles table's
`replicated`) replicates from exactly one primary. Members without `primary`
or `replica` are replicas, so a group with no `primary` member has nowhere to
send writes.

How to fix: mark one member `primary`:

    group db: mysql { server db-01 10.0.3.11 primary; server db-02 10.0.3.12 }",
};

pub fn check(m: &Model, out: &mut Vec<Finding>) {
    for g in m.group_ids() {
        let grp = m.group(g);
        if grp.is_replicated() && m.marked_primaries(g).is_empty() {
            out.push(
                Finding::new(
                    RuleId::NoPrimary,
                    grp.span,
                    format!(
                        "the {} group `{}` has no primary",
                        grp.replicated_roles(),
                        grp.name
                    ),
                )
                .subject(Subject::Group(grp.name.clone()))
                .label("no member is `primary`")
                .help("mark exactly one member `primary`; members without it are replicas"),
            );
        }
    }
}
