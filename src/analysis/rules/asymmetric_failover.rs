//! `asymmetric-failover`: the members of an active-passive group differ.
use super::{Context, RuleDoc};
use crate::analysis::availability::{needs_of, Need};
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{Mode, ServerId};
use std::collections::BTreeSet;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::AsymmetricFailover,
    summary: "members of an active-passive group have different requirements",
    explain: "\
In an active-passive group one member holds the vip and the others wait. If
the members do not have the same links (compared as sets of targets,
protocol and `read`), a failover silently changes what the stack depends on:
`lb-01 -> web-01` but `lb-02 -> web-02` means web-02's chain only serves
after lb-01 dies, and nobody has tested it. Reported with or without `track`.

How to fix: link the group rather than its members (`lb -> web`), so every
member needs the same thing.",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let m = cx.model;
    for g in m.group_ids() {
        let grp = m.group(g);
        if grp.mode != Mode::ActivePassive || grp.members.len() < 2 {
            continue;
        }
        let reqs =
            |s: ServerId| needs_of(cx.links_of[s.index()].iter().map(|l| &m.links[l.index()]));
        let sets: Vec<BTreeSet<Need>> = grp.members.iter().map(|s| reqs(*s)).collect();
        if sets.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        // Name the protocols when the names alone would not show the
        // difference (`lb-01 -> web : https` against `lb-02 -> web : http`).
        let names_only = |set: &BTreeSet<Need>| -> BTreeSet<(Vec<&str>, bool)> {
            set.iter()
                .map(|(ts, read)| (ts.iter().map(|(t, _)| m.target_name(*t)).collect(), *read))
                .collect()
        };
        let with_protocol = sets
            .windows(2)
            .any(|w| w[0] != w[1] && names_only(&w[0]) == names_only(&w[1]))
            || sets.iter().any(|set| names_only(set).len() < set.len());
        let describe = |s: &ServerId, set: &BTreeSet<Need>| {
            let needs: Vec<String> = set
                .iter()
                .map(|(ts, read)| {
                    let names: Vec<String> = ts
                        .iter()
                        .map(|(t, p)| {
                            if with_protocol {
                                format!("{} over {p}", m.target_name(*t))
                            } else {
                                m.target_name(*t).to_string()
                            }
                        })
                        .collect();
                    format!(
                        "{}{}",
                        names.join(" or "),
                        if *read { " (read)" } else { "" }
                    )
                })
                .collect();
            if needs.is_empty() {
                format!("{} needs nothing", m.server(*s).name)
            } else {
                format!("{} needs {}", m.server(*s).name, needs.join(" and "))
            }
        };
        let detail: Vec<String> = grp
            .members
            .iter()
            .zip(&sets)
            .map(|(s, set)| describe(s, set))
            .collect();
        out.push(
            Finding::new(
                RuleId::AsymmetricFailover,
                grp.span,
                format!(
                    "the members of `{}` have different requirements, so a failover changes what serves: {}",
                    grp.name,
                    detail.join("; ")
                ),
            )
            .subject(Subject::Group(grp.name.clone()))
            .label("members with different links")
            .help(format!("link the group (`{} -> ...`) instead of its members, so every member needs the same", grp.name)),
        );
    }
}
