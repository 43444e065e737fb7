//! Phase 3: the availability analysis (LANGUAGE.md §5). The model is compiled
//! to a circuit (`circuit`), evaluated 64 failure scenarios at a time
//! (`lanes`) for the baseline, every server and every zone
//! (`availability`), and each rule of §5 reads the result (`rules`).

pub mod availability;
pub mod circuit;
pub mod export;
pub mod lanes;
pub mod resilience;
pub mod rules;

use crate::diag::Finding;
use crate::model::Model;

/// Everything the analysis computed, for the emitters and `simulate`.
pub struct Analysis {
    pub circuit: circuit::Circuit,
    pub outcome: availability::Outcome,
    pub findings: Vec<Finding>,
    /// The policies of RESILIENCE.md §2 the analysis ran with.
    pub policy: Policy,
    /// Per entry point: left out of the resilience figures (its `broken`
    /// is allowed).
    pub left_out: Vec<bool>,
    /// The cuts up to `tolerate`, when it is 2 or more.
    pub cuts: Option<Result<resilience::cuts::Cuts, resilience::TooBig>>,
    /// The exact availability, when the stack has an `slo`.
    pub availability: Option<Result<resilience::exact::Availability, resilience::TooBig>>,
    /// The headroom of the servers with `capacity`, when there are any.
    pub headroom: Option<Result<Vec<resilience::load::Headroom>, resilience::TooBig>>,
}

/// The policies of RESILIENCE.md §2: the file's, or the command line's.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Policy {
    /// `tolerate=K` (`--tolerate K` wins), 1-4.
    pub tolerate: usize,
    /// `slo=P`, in percent.
    pub slo: Option<f64>,
}

impl Policy {
    pub fn of(m: &Model) -> Policy {
        Policy {
            tolerate: m.tolerate.map_or(1, usize::from),
            slo: m.slo,
        }
    }
}

/// Per entry point: dark with nothing down and its `broken` allowed (a
/// record not launched yet), so left out of the tolerance, the cuts and
/// the availability (RESILIENCE.md §3). An allow on a group covers the
/// entry points of its members.
pub fn left_out(m: &Model, c: &circuit::Circuit, o: &availability::Outcome) -> Vec<bool> {
    use crate::diag::{RuleId, Subject};
    let mut out = vec![false; c.entries.len()];
    for d in &o.broken {
        let subject = c.entries[d.entry].finding_subject(m);
        out[d.entry] = m.allows.iter().any(|a| {
            a.rule == Some(RuleId::Broken)
                && match (&a.subject, &subject) {
                    (Subject::Group(g), Subject::Server(s)) => m.find_group(g).is_some_and(|g| {
                        m.group(g).members.iter().any(|x| m.server(*x).name == *s)
                    }),
                    (a, s) => a == s,
                }
        });
    }
    out
}

/// Runs the analysis of §5 on a model with no stopping error, with the
/// file's policies.
pub fn analyse(m: &Model) -> Analysis {
    analyse_with(m, Policy::of(m))
}

/// [`analyse`] with the given policies (`check --tolerate K`).
pub fn analyse_with(m: &Model, policy: Policy) -> Analysis {
    let circuit = circuit::compile(m);
    let outcome = availability::run(m, &circuit);
    let left_out = left_out(m, &circuit, &outcome);
    // The policies cost nothing when the file has none: `check` stays as
    // fast as the single failures.
    let cuts = (policy.tolerate >= 2)
        .then(|| resilience::cuts::find(m, &circuit, &left_out, policy.tolerate));
    let availability = policy
        .slo
        .map(|_| resilience::exact::compute(m, &circuit, &left_out));
    let headroom = m
        .servers
        .iter()
        .any(|s| s.capacity.is_some())
        .then(|| resilience::load::headroom(m, &circuit, policy.tolerate, &left_out));
    let mut links_of = vec![Vec::new(); m.servers.len()];
    for (i, l) in m.links.iter().enumerate() {
        for s in &l.from {
            links_of[s.index()].push(crate::model::LinkId(i as u32));
        }
    }
    let cx = rules::Context {
        model: m,
        circuit: &circuit,
        outcome: &outcome,
        links_of,
        policy,
        cuts: cuts.as_ref(),
        availability: availability.as_ref(),
        headroom: headroom.as_ref(),
    };
    let mut findings = Vec::new();
    for check in rules::CHECKS {
        check(&cx, &mut findings);
    }
    Analysis {
        circuit,
        outcome,
        findings,
        policy,
        left_out,
        cuts,
        availability,
        headroom,
    }
}

/// The rules that speak of one server's own setup, which a group usually
/// hands down to all its members.
const PER_MEMBER: &[crate::diag::RuleId] = &[
    crate::diag::RuleId::NoFirewall,
    crate::diag::RuleId::NoMonitoring,
    crate::diag::RuleId::SharedHost,
];

/// `no-firewall`, `no-monitoring` and `shared-host` once per group rather
/// than once per server: when every member of a group (two or more) has the
/// finding, after the allows, the members' findings become one on the group,
/// on its declaration, naming the members. Lone servers and groups where
/// only some members have it (an `allow` on one member, a flag on another)
/// keep their per-server findings.
pub fn merge_per_member(m: &Model, findings: &mut Vec<Finding>) {
    use crate::diag::RuleId;
    use std::collections::HashMap;
    let mut at: HashMap<(RuleId, &str), usize> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let (true, Some(crate::diag::Subject::Server(s))) =
            (PER_MEMBER.contains(&f.rule), &f.subject)
        {
            at.entry((f.rule, s.as_str())).or_insert(i);
        }
    }
    if at.is_empty() {
        return;
    }
    let mut drop = vec![false; findings.len()];
    let mut merged = Vec::new();
    for g in m.group_ids() {
        let grp = m.group(g);
        if grp.members.len() < 2 {
            continue;
        }
        for &rule in PER_MEMBER {
            let hits: Option<Vec<usize>> = grp
                .members
                .iter()
                .map(|s| at.get(&(rule, m.server(*s).name.as_str())).copied())
                .collect();
            let Some(hits) = hits else { continue };
            for &i in &hits {
                drop[i] = true;
            }
            let names: Vec<&str> = grp
                .members
                .iter()
                .map(|s| m.server(*s).name.as_str())
                .collect();
            let list = availability::name_list(&names);
            let n = grp.members.len();
            let (message, label, help) = match rule {
                RuleId::NoFirewall => (
                    format!(
                        "none of the {n} members of `{}` has a firewall: {list}",
                        grp.name
                    ),
                    "no `firewall` on any member".to_string(),
                    format!("add `firewall` to group `{}`", grp.name),
                ),
                RuleId::NoMonitoring => (
                    format!(
                        "none of the {n} members of `{}` is monitored: {list}",
                        grp.name
                    ),
                    "no `monitor=` on any member".to_string(),
                    format!("add `monitor=AGENT` to group `{}`", grp.name),
                ),
                _ => {
                    let first = m.server(grp.members[0]);
                    let heavy: Vec<&str> = first
                        .roles
                        .iter()
                        .filter(|r| r.spec().heavy)
                        .map(|r| r.name())
                        .collect();
                    let roles = match heavy.len() {
                        0 | 1 => "several tiers".to_string(),
                        2 => heavy.join(" and "),
                        k => format!("{} and {}", heavy[..k - 1].join(", "), heavy[k - 1]),
                    };
                    (
                        format!(
                            "each of the {n} members of `{}` runs {roles} on one host: {list}",
                            grp.name
                        ),
                        "several tiers on each member".to_string(),
                        "give each tier its own group of servers".to_string(),
                    )
                }
            };
            merged.push(
                Finding::new(rule, grp.span, message)
                    .subject(crate::diag::Subject::Group(grp.name.clone()))
                    .label(label)
                    .help(help),
            );
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
    findings.extend(merged);
}
