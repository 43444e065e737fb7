//! `replica-write`: a link writes to a replica.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{LinkTarget, Model, ServerId, Target};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::ReplicaWrite,
    summary: "a write (a data-protocol link without `read`) goes to a replica",
    explain: "\
A link in the data protocol of a replicated role (`: mysql`, `: postgres`,
`: redis`) without `read` is a write, and a replica never takes writes (it
runs read-only: MySQL's `read_only`, a PostgreSQL standby, Redis's
`replica-read-only`). The finding is reported once per source server, on
the link.

Why it matters: the source can never work, so every chain through it is
dead; the analysis counts it so.

How to fix: if the source only reads, add `read` to the link
(`app-02 -> db-02 : mysql read`); otherwise point the link at the group
(`app-02 -> db`) so writes go to whichever member is the primary.",
};

/// Once per source server per link (§7.2), naming every replica the link
/// writes to.
pub fn check(m: &Model, out: &mut Vec<Finding>) {
    for link in &m.links {
        let replicas: Vec<(&LinkTarget, ServerId)> = link
            .targets
            .iter()
            .filter_map(|t| match t.target {
                Target::Server(x) if link.is_write(t) && m.server(x).is_replica() => Some((t, x)),
                _ => None,
            })
            .collect();
        if replicas.is_empty() {
            continue;
        }
        let names: Vec<&str> = replicas
            .iter()
            .map(|(_, x)| m.server(*x).name.as_str())
            .collect();
        let what = match names.len() {
            1 => format!("{}, a replica", names[0]),
            _ => format!("{}, replicas", names.join(" and ")),
        };
        let group = m
            .server(replicas[0].1)
            .group
            .map(|g| m.group(g).name.clone());
        for s in &link.from {
            let src = &m.server(*s).name;
            let mut f = Finding::new(
                RuleId::ReplicaWrite,
                link.span,
                format!("{src} writes to {what}: a replica never takes writes"),
            )
            .subject(Subject::Server(src.clone()))
            .label(format!("{} write to a replica", replicas[0].0.protocol.a()));
            for (t, x) in &replicas {
                f = f.with_label(t.span, format!("{} is a replica", m.server(*x).name));
            }
            f = f.help(match &group {
                Some(g) => {
                    format!("add `read` if {src} only reads, or point the link at the group `{g}`")
                }
                None => format!("add `read` if {src} only reads, or point the link at the primary"),
            });
            out.push(f);
        }
    }
}
