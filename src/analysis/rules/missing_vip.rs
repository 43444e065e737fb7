//! `missing-vip`: an active-passive group without a virtual address.
use super::RuleDoc;
use crate::diag::{Finding, RuleId, Subject};
use crate::syntax::Span;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::MissingVip,
    summary: "an active-passive group has no vip",
    explain: "\
`mode=active-passive` means one member holds a virtual address (VRRP) and the
other takes it over when the holder dies. Without `vip=ADDRESS` there is
nothing to fail over. (`bundle` also requires a vip on a `failover=auto`
group of a replicated role, mysql, postgres or redis: the write address that
moves with the primary.)

How to fix: add `vip=ADDRESS` to the group, e.g.

    group lb: haproxy mode=active-passive vip=203.0.113.10 { ... }",
};

/// On the group's name: `mode=active-passive` without `vip=`.
pub fn finding(group: &str, span: Span) -> Finding {
    Finding::new(
        RuleId::MissingVip,
        span,
        format!("the active-passive group `{group}` has no `vip`"),
    )
    .subject(Subject::Group(group.to_string()))
    .label("active-passive without a virtual address")
    .help("an active-passive pair shares one virtual address: add `vip=ADDRESS`")
}
