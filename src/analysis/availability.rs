//! The exact failure analysis: the stack with nothing down (`broken`), every
//! single server down (`spof`) and every zone down (`zone-spof`), evaluated
//! 64 scenarios at a time, plus `simulate` for any set of failures.

use super::circuit::Circuit;
use super::lanes::{Evaluator, Step, LANES};
use crate::model::*;

/// An entry point that is dark in a scenario, with the chain that explains it.
#[derive(Clone, Debug)]
pub struct Dark {
    pub entry: usize,
    pub chain: Vec<Step>,
}

/// What the failure scenarios showed.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Entry points dark with nothing down.
    pub broken: Vec<Dark>,
    /// Servers whose loss alone darkens entry points.
    pub spofs: Vec<(ServerId, Vec<Dark>)>,
    /// Zones whose loss alone darkens entry points.
    pub zone_spofs: Vec<(ZoneId, Vec<Dark>)>,
    /// Without `domain`, the stack has servers but no entry point at all.
    pub no_entry: bool,
}

/// Runs the baseline, every single-server scenario and every zone scenario.
pub fn run(m: &Model, c: &Circuit) -> Outcome {
    let mut ev = Evaluator::new(c, m.servers.len());
    let mut out = Outcome::default();
    for (i, e) in c.entries.iter().enumerate() {
        if ev.value(e.cell) == 0 {
            out.broken.push(Dark {
                entry: i,
                chain: ev.why(e.cell, 0),
            });
        }
    }
    // Without `domain`, a stack with servers and no entry point at all
    // serves nothing (§7.8, v1.1).
    out.no_entry = c.entries.is_empty() && m.domains.is_empty() && !m.servers.is_empty();
    // §7.3 (v1.1): `spof` and `zone-spof` judge the entry points that serve
    // with nothing down; a broken record hides no SPOF of the others.
    if out.broken.len() == c.entries.len() {
        return out;
    }
    let singles: Vec<[ServerId; 1]> = m.server_ids().map(|s| [s]).collect();
    for chunk in singles.chunks(LANES) {
        let scenarios: Vec<&[ServerId]> = chunk.iter().map(|s| &s[..]).collect();
        ev.batch(&scenarios);
        for_dark_lanes(&ev, scenarios.len(), |lane, darks| {
            out.spofs.push((chunk[lane][0], darks));
        });
    }
    let mut by_zone: Vec<Vec<ServerId>> = vec![Vec::new(); m.zones.len()];
    for s in m.server_ids() {
        if let Some(z) = m.server(s).zone {
            by_zone[z.index()].push(s);
        }
    }
    let zones: Vec<(ZoneId, Vec<ServerId>)> = by_zone
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(i, v)| (ZoneId(i as u32), v))
        .collect();
    for chunk in zones.chunks(LANES) {
        let scenarios: Vec<&[ServerId]> = chunk.iter().map(|(_, v)| &v[..]).collect();
        ev.batch(&scenarios);
        for_dark_lanes(&ev, scenarios.len(), |lane, darks| {
            out.zone_spofs.push((chunk[lane].0, darks));
        });
    }
    ev.reset();
    out
}

fn for_dark_lanes(ev: &Evaluator<'_>, lanes: usize, mut f: impl FnMut(usize, Vec<Dark>)) {
    let mask = if lanes == LANES {
        !0
    } else {
        (1u64 << lanes) - 1
    };
    let entries = ev.dark_entries();
    let cells: Vec<(usize, u64)> = entries
        .iter()
        .map(|&i| (i, ev.value(ev.c.entries[i].cell)))
        .collect();
    let mut dark = cells.iter().fold(0, |d, (_, v)| d | !v) & mask;
    while dark != 0 {
        let lane = dark.trailing_zeros() as usize;
        dark &= dark - 1;
        let darks = cells
            .iter()
            .filter(|(_, v)| v >> lane & 1 == 0)
            .map(|&(i, _)| Dark {
                entry: i,
                chain: ev.why(ev.c.entries[i].cell, lane),
            })
            .collect();
        f(lane, darks);
    }
}

/// The result of `simulate`: one scenario evaluated in full.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// Each entry point and whether it still serves.
    pub entries: Vec<(usize, bool)>,
    /// The chain of each dark entry point.
    pub dark: Vec<(usize, Vec<Step>)>,
    /// Servers that worked with nothing down and no longer do, in order,
    /// with the reason.
    pub stopped: Vec<(ServerId, Vec<Step>)>,
    pub serves: bool,
}

impl Simulation {
    /// Why entry point `i` is dark (None when it serves).
    pub fn why_dark(&self, i: usize) -> Option<Vec<Step>> {
        self.dark
            .iter()
            .find(|(e, _)| *e == i)
            .map(|(_, ch)| ch.clone())
    }
}

pub fn simulate(m: &Model, c: &Circuit, down: &[ServerId]) -> Simulation {
    let mut ev = Evaluator::new(c, m.servers.len());
    ev.full(&[down]);
    let entries: Vec<(usize, bool)> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i, ev.value(e.cell) & 1 == 1))
        .collect();
    let stopped = m
        .server_ids()
        .filter(|s| {
            let cell = c.server_cell[s.index()];
            ev.baseline[cell as usize] != 0 && ev.value(cell) & 1 == 0
        })
        .map(|s| (s, ev.why(c.server_cell[s.index()], 0)))
        .collect();
    // Without `domain` and with no entry point, nothing serves (§7.8).
    let no_entry = c.entries.is_empty() && m.domains.is_empty() && !m.servers.is_empty();
    let serves = !no_entry && entries.iter().all(|(_, ok)| *ok);
    let dark = entries
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(i, _)| (*i, ev.why(c.entries[*i].cell, 0)))
        .collect();
    Simulation {
        entries,
        dark,
        stopped,
        serves,
    }
}

/// A chain in words: `www.foobar.com -> lb (held by lb-01) -> web-01 -> db-01`.
pub fn chain_text(m: &Model, c: &Circuit, chain: &[Step]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut last_server: Option<ServerId> = None;
    for (k, step) in chain.iter().enumerate() {
        let part = match step {
            // Without `domain` an entry point is a server or group itself:
            // `a (down)`, not `a -> a (down)`.
            Step::Entry(i) if c.entries[*i].record.is_none() && k + 1 < chain.len() => continue,
            Step::Entry(i) => c.entries[*i].subject.clone(),
            Step::Skipped { hops, more } => {
                last_server = None;
                let hops = if *more {
                    format!("over {hops} more hops")
                } else if *hops == 1 {
                    "1 more hop".to_string()
                } else {
                    format!("{hops} more hops")
                };
                format!("\u{2026} {hops} \u{2026}")
            }
            Step::Group(g) => m.group(*g).name.clone(),
            Step::Holder(g, s) => {
                last_server = Some(*s);
                format!("{} (held by {})", m.group(*g).name, m.server(*s).name)
            }
            Step::Server(s) | Step::Down(s) => {
                if last_server == Some(*s) {
                    if matches!(step, Step::Down(_)) {
                        if let Some(p) = parts.last_mut() {
                            p.push_str(" (down)");
                        }
                    }
                    continue;
                }
                last_server = Some(*s);
                if matches!(step, Step::Down(_)) {
                    format!("{} (down)", m.server(*s).name)
                } else {
                    m.server(*s).name.clone()
                }
            }
            Step::ReplicaWrite(s) => format!("{} (a replica: takes no writes)", m.server(*s).name),
            Step::NoPrimary(g) => format!("{} (no primary)", m.group(*g).name),
        };
        parts.push(part);
    }
    parts.join(" -> ")
}

/// The first thing to change so that this chain survives the failure.
pub fn fix_for(m: &Model, chain: &[Step], zone: Option<ZoneId>) -> String {
    if let [.., Step::Entry(_), Step::ReplicaWrite(s)] = chain {
        // A record (or an entry point) names the replica itself; records
        // take no `read`.
        let srv = m.server(*s);
        let group = srv.group.map(|g| m.group(g));
        return match group {
            Some(g) => {
                let primary = g
                    .primary
                    .map(|p| format!(" or at its primary {}", m.server(p).name))
                    .unwrap_or_default();
                format!(
                    "{} is a replica, and a mysql entry point is judged as a write: point it at the group `{}` (its primary serves, or any member with `failover=auto`){primary}",
                    srv.name, g.name
                )
            }
            None => format!(
                "{} is a replica, and a mysql entry point is judged as a write: point it at the primary",
                srv.name
            ),
        };
    }
    if let Some(Step::ReplicaWrite(s)) = chain.last() {
        return format!(
            "{} is a replica: add `read` to the link if it only reads, or point it at the group",
            m.server(*s).name
        );
    }
    // A holder that is alive but cannot serve keeps the vip: `track` helps
    // when another member needs other things (with the same needs, every
    // member fails alike and the cause lies deeper in the chain).
    for step in chain {
        if let Step::Holder(g, h) = step {
            if !chain.contains(&Step::Down(*h)) && !members_need_the_same(m, *g) {
                let g = m.group(*g);
                return format!(
                    "add `track` to group `{}` so that it fails over when {}'s backends fail, and give its members the same links",
                    g.name,
                    m.server(*h).name
                );
            }
        }
    }
    let Some(Step::Down(x)) = chain.last() else {
        return "add redundancy along this chain".into();
    };
    let x = *x;
    let srv = m.server(x);
    let group = srv.group.map(|g| (g, m.group(g)));
    if let Some(z) = zone {
        if let Some((_, g)) = &group {
            let zones: std::collections::HashSet<_> =
                g.members.iter().map(|s| m.server(*s).zone).collect();
            if g.members.len() > 1 && zones.len() == 1 {
                return format!(
                    "spread the members of group `{}` over zones: all of them are in zone {}",
                    g.name,
                    m.zones[z.index()].name
                );
            }
        }
        return format!(
            "add a server outside zone {} where {} serves",
            m.zones[z.index()].name,
            srv.name
        );
    }
    if let Some((_, g)) = &group {
        if g.is_replicated()
            && g.primary == Some(x)
            && g.failover == Failover::Manual
            && g.members.len() > 1
        {
            return format!(
                "set `failover=auto` (with a `vip`) on group `{}` so that a replica is promoted when {} dies",
                g.name, srv.name
            );
        }
        if g.members.len() == 1 {
            return format!("add a second member to group `{}`", g.name);
        }
        // Reached directly by name although it has a group.
        if chain.len() >= 2 && matches!(chain[chain.len() - 2], Step::Server(_)) {
            return format!(
                "point the link at the group `{}` instead of {}",
                g.name, srv.name
            );
        }
        return format!(
            "the other members of group `{}` cannot serve without {}: give them what they need from elsewhere (`stackc simulate --fail {}` shows why)",
            g.name, srv.name, srv.name
        );
    }
    let reached_by_a_server = chain.len() >= 2 && matches!(chain[chain.len() - 2], Step::Server(_));
    if srv.roles.any(|r| r.replicated) && reached_by_a_server {
        return format!(
            "put {} in a {} group with a replica and `failover=auto`, and link to the group",
            srv.name,
            srv.roles
                .iter()
                .find(|r| r.spec().replicated)
                .map_or("replicated", |r| r.name())
        );
    }
    format!(
        "put {} in a group with a second server, and link to the group",
        srv.name
    )
}

/// The entry subjects of a list of dark entry points: `www.foobar.com`.
pub fn dark_subjects(c: &Circuit, darks: &[Dark]) -> Vec<String> {
    darks
        .iter()
        .map(|d| c.entries[d.entry].subject.clone())
        .collect()
}

/// How many names a message lists before "and N more".
pub const NAMES_LISTED: usize = 8;

/// Names joined with ", ", at most [`NAMES_LISTED`] of them, then "and N
/// more": what a message says stays bounded however many records a
/// failure darkens.
pub fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    let mut list = names
        .iter()
        .take(NAMES_LISTED)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMES_LISTED {
        list += &format!(" and {} more", names.len() - NAMES_LISTED);
    }
    list
}

/// One requirement as `asymmetric-failover` compares them: the targets with
/// their protocols, and `read` (LANGUAGE.md §7.16).
pub type Need = (Vec<(Target, Protocol)>, bool);

/// The requirements a set of links gives a server.
pub fn needs_of<'a>(links: impl Iterator<Item = &'a Link>) -> std::collections::BTreeSet<Need> {
    links
        .map(|l| {
            let mut ts: Vec<_> = l.targets.iter().map(|t| (t.target, t.protocol)).collect();
            ts.sort();
            ts.dedup();
            (ts, l.read)
        })
        .collect()
}

/// Whether every member of a group has the same requirements.
pub fn members_need_the_same(m: &Model, g: GroupId) -> bool {
    let needs = |s: ServerId| needs_of(m.links.iter().filter(|l| l.from.contains(&s)));
    let members = &m.group(g).members;
    members.windows(2).all(|w| needs(w[0]) == needs(w[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9 A1: a box that writes to its own database is its own entry
    /// point, and taking it down darkens it.
    #[test]
    fn simulate_lists_a_self_linked_box_and_darkens_it() {
        let src = "server box: nginx+app+mysql 198.51.100.10 primary\nbox -> box : mysql\n";
        let checked = crate::check(src);
        let a = checked.analysis.as_ref().expect("analysed");
        let m = &checked.model;
        assert_eq!(a.circuit.entries.len(), 1);
        assert_eq!(a.circuit.entries[0].subject, "box");
        let sim = simulate(m, &a.circuit, &[m.find_server("box").unwrap()]);
        assert!(!sim.serves);
        assert_eq!(sim.entries, vec![(0, false)]);
        let why = chain_text(m, &a.circuit, &sim.why_dark(0).unwrap());
        assert_eq!(why, "box (down)");
    }

    /// Issue 9 A1: with no entry point at all, nothing serves.
    #[test]
    fn simulate_without_entry_points_does_not_serve() {
        let src = "group web: nginx {\n  server web-01 10.0.0.1\n  server web-02 10.0.0.2\n}\nweb-01 -> web-02\n";
        let checked = crate::check(src);
        let a = checked.analysis.as_ref().expect("analysed");
        assert!(a.circuit.entries.is_empty());
        assert!(!simulate(&checked.model, &a.circuit, &[]).serves);
    }

    fn chain(n: usize) -> String {
        let mut s = String::from("domain ex.com {\n  www A -> s0 : https\n}\n");
        for i in 0..n {
            s += &format!(
                "server s{i}: nginx 10.0.{}.{} firewall monitor=agent\n",
                i / 250,
                i % 250
            );
        }
        for i in 1..n {
            s += &format!("s{} -> s{i}\n", i - 1);
        }
        s
    }

    fn spof_help(c: &crate::Checked, server: &str) -> String {
        c.findings
            .iter()
            .find(|f| f.rule == crate::diag::RuleId::Spof && f.subject_name() == Some(server))
            .and_then(|f| f.help.clone())
            .unwrap_or_else(|| panic!("no spof on {server}"))
    }

    /// Issue 9 B4: a long chain prints its first hops, how many are left
    /// out, and its last hops.
    #[test]
    fn a_long_chain_is_cut_in_the_middle() {
        let c = crate::check(&chain(40));
        assert_eq!(
            spof_help(&c, "s39"),
            "the chain that breaks: www.ex.com -> s0 -> s1 -> s2 -> \u{2026} 35 more hops \u{2026} -> s38 -> s39 (down); fix: put s39 in a group with a second server, and link to the group"
        );
        assert!(spof_help(&c, "s3").contains("www.ex.com -> s0 -> s1 -> s2 -> s3 (down);"));
        assert!(
            spof_help(&c, "s5").contains("s2 -> \u{2026} 1 more hop \u{2026} -> s4 -> s5 (down);")
        );
    }

    /// Past the walk's bound the end is still named when it is known.
    #[test]
    fn a_chain_past_the_walk_bound_names_its_end() {
        let c = crate::check(&chain(700));
        let help = spof_help(&c, "s699");
        assert!(
            help.starts_with(
                "the chain that breaks: www.ex.com -> s0 -> s1 -> s2 -> \u{2026} over "
            ),
            "{help}"
        );
        assert!(
            help.contains(" more hops \u{2026} -> s699 (down);"),
            "{help}"
        );
    }

    /// Issue 9 B4: what the findings of a chain print grows linearly with
    /// it (it was quadratic: the whole chain in every spof).
    #[test]
    fn a_long_chain_does_not_overflow_a_small_stack() {
        // The cycle search once recursed per hop (petgraph's Tarjan) and a
        // chain of ~3,000 servers overflowed a 2 MiB stack.
        let n = 30_000;
        let c = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || crate::check(&chain(n)))
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert!(c.is_sound());
    }

    /// Many records, each on its own server, all writing to one database
    /// pair: a batch looks only at the entry points its failures reached,
    /// and the primary's finding names a few records and counts the rest.
    #[test]
    fn many_records_stay_linear_and_messages_bounded() {
        let n = 2000;
        let mut src = String::from("domain ex.com {\n");
        for i in 0..n {
            src += &format!("  r{i} A -> s{i}\n");
        }
        src += "}\n";
        for i in 0..n {
            src += &format!(
                "server s{i}: nginx 10.0.{}.{} firewall monitor=a\n",
                i >> 8,
                i & 255
            );
        }
        src += "group db: mysql firewall monitor=a { server d1 10.9.0.1 primary; server d2 10.9.0.2 }\n";
        for i in 0..n {
            src += &format!("s{i} -> db : mysql\n");
        }
        let c = crate::check(&src);
        let spofs: Vec<_> = c
            .findings
            .iter()
            .filter(|f| f.rule == crate::diag::RuleId::Spof)
            .collect();
        assert_eq!(spofs.len(), n + 1, "each server and the primary");
        let d1 = spofs
            .iter()
            .find(|f| f.subject_name() == Some("d1"))
            .unwrap();
        assert!(d1.message.len() < 400, "{}", d1.message);
        assert!(
            d1.message.contains(&format!("and {} more", n - 8)),
            "{}",
            d1.message
        );
        // Work: the entry points a batch of 64 single failures examines.
        let m = &c.model;
        let circuit = crate::analysis::circuit::compile(m);
        let mut ev = Evaluator::new(&circuit, m.servers.len());
        let singles: Vec<[ServerId; 1]> = m.server_ids().map(|s| [s]).collect();
        let scenarios: Vec<&[ServerId]> = singles[..64].iter().map(|s| &s[..]).collect();
        ev.batch(&scenarios);
        assert_eq!(
            ev.dark_entries().len(),
            64,
            "only the records of the servers down"
        );
    }

    #[test]
    fn chain_findings_stay_linear_in_size() {
        let n = 3000;
        // A thread's default stack (2 MiB): no phase may recurse per hop.
        let c = std::thread::Builder::new()
            .spawn(move || crate::check(&chain(n)))
            .unwrap()
            .join()
            .unwrap();
        let spofs = c
            .findings
            .iter()
            .filter(|f| f.rule == crate::diag::RuleId::Spof)
            .count();
        assert_eq!(spofs, n);
        let bytes: usize = c
            .findings
            .iter()
            .map(|f| f.message.len() + f.help.as_deref().map_or(0, str::len))
            .sum();
        assert!(bytes < n * 400, "{bytes} bytes of text for {n} findings");
        let steps: usize = c
            .analysis
            .as_ref()
            .unwrap()
            .outcome
            .spofs
            .iter()
            .map(|(_, d)| d[0].chain.len())
            .sum();
        assert!(
            steps <= n * (super::super::lanes::CHAIN_HEAD + super::super::lanes::CHAIN_TAIL + 1)
        );
    }
}
