//! `textDocument/hover`: a server (roles, address, zone, what it requires,
//! what goes dark without it), a group, a record, a zone, a rule id in
//! `allow`. Markdown, read from the model and the analysis `check` already
//! ran (the single failures of every server and zone, and the exact
//! availability when the stack has an `slo`): a hover computes nothing
//! new.

use super::names::Kind;
use super::Snapshot;
use crate::analysis::availability::{chain_text, dark_subjects, name_list, Dark};
use crate::analysis::Analysis;
use crate::diag::{RuleId, Subject};
use crate::model::{Model, Route, ServerId};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

pub fn at(snap: &Snapshot, pos: Position) -> Option<Hover> {
    let names = snap.names();
    let o = names.at(snap.offset(pos))?;
    let m = &snap.checked.model;
    let a = snap.checked.analysis.as_ref();
    let text = match o.kind {
        Kind::Server => server(snap, m.find_server(&o.name)?),
        Kind::Group => group(m, a, m.find_group(&o.name)?),
        Kind::Zone => zone(m, a, &o.name)?,
        Kind::Domain => domain(m, &o.name)?,
        Kind::Record => record(m, a, &o.name)?,
        Kind::Rule => rule(o.name.parse().ok()?),
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(snap.range(o.span)),
    })
}

/// When the analysis did not run, what a hover says in its place.
const NOT_ANALYSED: &str = "_Not analysed: the file has errors that stop the analysis._";

fn server(snap: &Snapshot, s: ServerId) -> String {
    let m = &snap.checked.model;
    let srv = m.server(s);
    let roles: Vec<String> = srv
        .roles
        .iter()
        .map(|r| format!("{} ({})", r.name(), r.spec().title))
        .collect();
    let mut out = format!("**server** `{}`: {}\n\n", srv.name, roles.join(", "));
    let mut facts = Vec::new();
    if let Some(g) = srv.group {
        facts.push(format!("member of group `{}`", m.group(g).name));
    }
    if let Some(ip) = srv.address {
        facts.push(format!("address {ip}"));
    }
    if let Some(z) = srv.zone {
        facts.push(format!("zone `{}`", m.zones[z.index()].name));
    }
    if let Some(db) = srv.db {
        facts.push(format!("{db:?}").to_lowercase());
    }
    if !facts.is_empty() {
        out += &facts.join(" · ");
        out += "\n\n";
    }
    let needs = requires(m, s);
    if needs.is_empty() {
        out += "**Requires** nothing: it links to no other server.\n\n";
    } else {
        out += "**Requires**\n";
        for n in needs {
            out += &format!("- {n}\n");
        }
        out += "\n";
    }
    let Some(a) = snap.checked.analysis.as_ref() else {
        return out + NOT_ANALYSED;
    };
    let darks = a
        .outcome
        .spofs
        .iter()
        .find(|(x, _)| *x == s)
        .map(|(_, d)| d.as_slice());
    match darks {
        Some(darks) => {
            out += &format!("**Without it** {}", goes_dark(m, a, darks));
            let allowed = snap.checked.suppressed.iter().find(|x| {
                x.finding.rule == RuleId::Spof
                    && x.finding.subject == Some(Subject::Server(srv.name.clone()))
            });
            if let Some(x) = allowed {
                out += &format!(
                    "\n\n_Allowed:_ {}",
                    m.allows[x.allow].reason.replace('\n', " ")
                );
            }
        }
        None => out += "**Redundant**: nothing goes dark when it alone is down.",
    }
    out
}

/// "goes dark: www.example.com (`chain`)".
fn goes_dark(m: &Model, a: &Analysis, darks: &[Dark]) -> String {
    let subjects = dark_subjects(&a.circuit, darks);
    let verb = if subjects.len() == 1 { "goes" } else { "go" };
    let chain = darks
        .first()
        .map(|d| chain_text(m, &a.circuit, &d.chain))
        .unwrap_or_default();
    format!("{} {verb} dark: `{chain}`", name_list(&subjects))
}

/// Each target its links name, with where its requests go (`Model::route`).
fn requires(m: &Model, s: ServerId) -> Vec<String> {
    let mut out = Vec::new();
    for l in m.links.iter().filter(|l| l.from.contains(&s)) {
        for t in &l.targets {
            let write = l.is_write(t);
            let route = m.route(t.target, t.protocol, write);
            let mut line = format!(
                "`{}` over {} {}",
                m.target_name(t.target),
                t.protocol.as_str(),
                t.port
            );
            if l.read {
                line += " (read)";
            }
            if l.optional {
                line += " (optional)";
            }
            if let Some(w) = route_words(m, route) {
                line += &format!(": {w}");
            }
            out.push(line);
        }
    }
    out
}

/// Where a route's requests go, in words (nothing for a server named
/// directly).
fn route_words(m: &Model, r: Route) -> Option<String> {
    let g = |g: crate::model::GroupId| &m.group(g).name;
    Some(match r {
        Route::Server(_) => return None,
        Route::ReplicaWrite(x) => format!("{} is a replica and takes no writes", m.server(x).name),
        Route::Primary(_, p) => format!("its primary {}", m.server(p).name),
        Route::NoPrimary(x) => format!("`{}` has no primary to write to", g(x)),
        Route::AnyMember(x) => format!("any working member of `{}`", g(x)),
        Route::Failover(x) => format!("any working member of `{}`, through its vip", g(x)),
        Route::Holder(x) => format!("the holder of `{}` (the first member up)", g(x)),
        Route::Quorum(x) => {
            let grp = m.group(x);
            format!(
                "`{}` while {} of its {} members work",
                grp.name,
                grp.quorum_size(),
                grp.members.len()
            )
        }
    })
}

fn group(m: &Model, a: Option<&Analysis>, g: crate::model::GroupId) -> String {
    let grp = m.group(g);
    let members: Vec<&str> = grp
        .members
        .iter()
        .map(|s| m.server(*s).name.as_str())
        .collect();
    let mut out = format!(
        "**group** `{}`: {} · {}\n\n",
        grp.name,
        grp.roles.joined(),
        grp.mode.as_str()
    );
    out += &format!(
        "**Members** ({}): {}\n\n",
        members.len(),
        if members.is_empty() {
            "none".to_string()
        } else {
            name_list(&members)
        }
    );
    let mut facts = Vec::new();
    if grp.mode == crate::model::Mode::ActivePassive {
        if let Some(first) = members.first() {
            facts.push(format!("held by {first} with every member up"));
        }
    }
    if grp.mode == crate::model::Mode::Quorum {
        facts.push(format!(
            "available while {} of {} members work",
            grp.quorum_size(),
            members.len()
        ));
    }
    if let Some(vip) = grp.vip {
        facts.push(format!("vip {vip}"));
    }
    if grp.track {
        facts.push("track".into());
    }
    if grp.is_replicated() {
        match grp.primary {
            Some(p) => facts.push(format!("primary {}", m.server(p).name)),
            None => facts.push("no primary".into()),
        }
        facts.push(format!("failover={}", grp.failover.as_str()));
    }
    if !facts.is_empty() {
        out += &facts.join(" · ");
        out += "\n\n";
    }
    let Some(a) = a else {
        return out + NOT_ANALYSED;
    };
    let spofs: Vec<&str> = a
        .outcome
        .spofs
        .iter()
        .filter(|(s, _)| m.server(*s).group == Some(g))
        .map(|(s, _)| m.server(*s).name.as_str())
        .collect();
    if spofs.is_empty() {
        out += "No member is a single point of failure.";
    } else {
        out += &format!("**Single points of failure**: {}", name_list(&spofs));
    }
    out
}

fn zone(m: &Model, a: Option<&Analysis>, name: &str) -> Option<String> {
    let z = m.find_zone(name)?;
    let servers: Vec<&str> = m
        .zone_servers(z)
        .map(|s| m.server(s).name.as_str())
        .collect();
    let zone = &m.zones[z.index()];
    let mut out = format!(
        "**zone** `{name}`: availability {} %\n\n**Servers** ({}): {}\n\n",
        zone.availability.unwrap_or(crate::model::ZONE_AVAILABILITY),
        servers.len(),
        if servers.is_empty() {
            "none".to_string()
        } else {
            name_list(&servers)
        }
    );
    let Some(a) = a else {
        return Some(out + NOT_ANALYSED);
    };
    match a.outcome.zone_spofs.iter().find(|(x, _)| *x == z) {
        Some((_, darks)) => out += &format!("**Without it** {}", goes_dark(m, a, darks)),
        None => out += "**Redundant**: nothing goes dark when it alone is down.",
    }
    Some(out)
}

fn domain(m: &Model, name: &str) -> Option<String> {
    let d = m.domains.iter().position(|d| d.name == name)?;
    let records: Vec<&str> = m
        .records
        .iter()
        .filter(|r| r.domain.index() == d)
        .map(|r| r.subject.as_str())
        .collect();
    let mut out = format!("**domain** `{name}`");
    if let Some(ttl) = m.domains[d].ttl {
        out += &format!(" · ttl {ttl} s");
    }
    out += &format!(
        "\n\n**Records** ({}): {}",
        records.len(),
        name_list(&records)
    );
    Some(out)
}

fn record(m: &Model, a: Option<&Analysis>, name: &str) -> Option<String> {
    let ids: Vec<usize> = (0..m.records.len())
        .filter(|i| m.records[*i].subject == name)
        .collect();
    ids.first()?;
    let mut out = format!("**record** `{name}`\n\n");
    for &i in &ids {
        let r = &m.records[i];
        let targets: Vec<String> = r
            .targets
            .iter()
            .map(|t| {
                format!(
                    "`{}` over {} {}",
                    m.target_name(t.target),
                    t.protocol,
                    t.port
                )
            })
            .collect();
        out += &format!("- {} → {}\n", r.rtype.as_str(), targets.join(", "));
    }
    out += "\n";
    let Some(a) = a else {
        return Some(out + NOT_ANALYSED);
    };
    let entries: Vec<usize> = (0..a.circuit.entries.len())
        .filter(|e| {
            a.circuit.entries[*e]
                .record
                .is_some_and(|r| ids.contains(&r.index()))
        })
        .collect();
    let is_mine = |d: &Dark| entries.contains(&d.entry);
    if let Some(d) = a.outcome.broken.iter().find(|d| is_mine(d)) {
        return Some(
            out + &format!(
                "**Broken**: dark with nothing down: `{}`",
                chain_text(m, &a.circuit, &d.chain)
            ),
        );
    }
    let servers: Vec<&str> = a
        .outcome
        .spofs
        .iter()
        .filter(|(_, darks)| darks.iter().any(is_mine))
        .map(|(s, _)| m.server(*s).name.as_str())
        .collect();
    let zones: Vec<&str> = a
        .outcome
        .zone_spofs
        .iter()
        .filter(|(_, darks)| darks.iter().any(is_mine))
        .map(|(z, _)| m.zones[z.index()].name.as_str())
        .collect();
    if servers.is_empty() && zones.is_empty() {
        out += "**Survives** any single server or zone failure.";
    } else {
        if !servers.is_empty() {
            out += &format!(
                "**Goes dark** without any one of: {}\n\n",
                name_list(&servers)
            );
        }
        if !zones.is_empty() {
            out += &format!("**Goes dark** without zone: {}\n\n", name_list(&zones));
        }
    }
    if let Some(Ok(av)) = &a.availability {
        if let Some(f) = entries.first().and_then(|e| av.entries.get(*e)) {
            out += &format!(
                "\n\n**Availability** {}",
                crate::analysis::resilience::percent(f.up, f.down)
            );
        }
    }
    Some(out.trim_end().to_string())
}

fn rule(id: RuleId) -> String {
    let doc = crate::analysis::rules::DOCS.iter().find(|d| d.id == id);
    format!(
        "**{}** ({}): {}\n\n`stackc explain {}` says more.",
        id.as_str(),
        id.severity().as_str(),
        doc.map_or("", |d| d.summary),
        id.as_str()
    )
}
