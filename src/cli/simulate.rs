//! `stackc simulate FILE --fail NAME[,NAME...] [--format human|json]`

use crate::SimFormat;
use stackc::analysis::availability::{self, chain_text};
use stackc::analysis::resilience::{load, Element};
use stackc::diag::did_you_mean;
use stackc::model::{Model, ServerId};
use stackc::report::resilience::figures::{json_number, rate};
use stackc::report::FileReport;
use std::fmt::Write as _;

pub fn run(path: &str, names: &[String], format: SimFormat) -> u8 {
    let src = match super::read_input(path) {
        Ok(s) => s,
        Err(e) => return super::report::fail(&e.to_string()),
    };
    let checked = super::check_input(path, &src);
    if checked.analysis.is_none() {
        super::report::refused(
            &FileReport::new(path, &src, &checked),
            &format!("cannot simulate {path}"),
        );
        return 2;
    }
    match report(path, &checked, names, format == SimFormat::Json) {
        Ok((text, serves)) => {
            super::print(&text);
            u8::from(!serves)
        }
        Err(e) => super::report::fail(&e),
    }
}

/// Why an empty name in `--fail` (`''`, `a,,b`, `a,`, `' '`) is refused.
pub const EMPTY_NAME: &str =
    "a name may not be empty: give servers, groups or zones separated by single commas, as in `--fail web-01,db-01`";

/// The report of a simulation and whether the stack still serves; `Err`
/// for a name that is not a server, group or zone, or a file with errors.
pub fn report(
    path: &str,
    checked: &stackc::Checked,
    names: &[String],
    json: bool,
) -> Result<(String, bool), String> {
    let Some(analysis) = &checked.analysis else {
        return Err(format!("cannot simulate {path}: it has errors"));
    };
    let m = &checked.model;
    let mut down: Vec<ServerId> = Vec::new();
    let mut elements: Vec<Element> = Vec::new();
    for name in names.iter().map(|n| n.trim()) {
        if name.is_empty() {
            return Err(EMPTY_NAME.to_string());
        }
        let servers: Vec<ServerId> = if let Some(s) = m.find_server(name) {
            elements.push(Element::Server(s));
            vec![s]
        } else if let Some(g) = m.find_group(name) {
            elements.extend(m.group(g).members.iter().map(|s| Element::Server(*s)));
            m.group(g).members.clone()
        } else if let Some(z) = m.find_zone(name) {
            elements.push(Element::Zone(z));
            m.zone_servers(z).collect()
        } else {
            let all = m
                .servers
                .iter()
                .map(|s| s.name.as_str())
                .chain(m.groups.iter().map(|g| g.name.as_str()))
                .chain(m.zones.iter().map(|z| z.name.as_str()));
            let hint = did_you_mean(name, all)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Err(format!(
                "`{name}` is not a server, group or zone of {path}{hint}"
            ));
        };
        for s in servers {
            if !down.contains(&s) {
                down.push(s);
            }
        }
    }
    let c = &analysis.circuit;
    let sim = availability::simulate(m, c, &down);
    let down_names: Vec<&str> = down.iter().map(|s| m.server(*s).name.as_str()).collect();
    let loads = has_loads(m).then(|| loads(m, c, &elements, &down));
    let mut o = String::new();
    match json {
        true => {
            let mut v = serde_json::json!({
                "version": 1,
                "down": down_names,
                "serves": sim.serves,
                "entries": sim.entries.iter().map(|(i, ok)| serde_json::json!({
                    "subject": c.entries[*i].subject,
                    "serves": ok,
                    "why": sim.why_dark(*i).map(|ch| chain_text(m, c, &ch)),
                })).collect::<Vec<_>>(),
                "stopped": sim.stopped.iter().map(|(s, chain)| serde_json::json!({
                    "server": m.server(*s).name,
                    "why": chain_text(m, c, chain),
                })).collect::<Vec<_>>(),
            });
            if let Some(loads) = &loads {
                v["loads"] = loads
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "server": m.server(l.server).name,
                            "load": json_number(l.load),
                            "capacity": l.capacity.map(json_number),
                            "over": l.over(),
                        })
                    })
                    .collect();
            }
            let _ = writeln!(o, "{}", serde_json::to_string_pretty(&v).expect("json"));
        }
        false => {
            let _ = writeln!(o, "down: {}", down_names.join(", "));
            let _ = writeln!(o);
            let width = sim
                .entries
                .iter()
                .map(|(i, _)| c.entries[*i].subject.len())
                .max()
                .unwrap_or(0);
            let _ = writeln!(o, "entry points:");
            for (i, ok) in &sim.entries {
                let e = &c.entries[*i];
                if *ok {
                    let _ = writeln!(o, "  {:<width$}  serves", e.subject);
                } else {
                    let why = sim
                        .why_dark(*i)
                        .map(|ch| chain_text(m, c, &ch[1..]))
                        .unwrap_or_default();
                    let _ = writeln!(o, "  {:<width$}  DARK: {why}", e.subject);
                }
            }
            let _ = writeln!(o);
            if sim.stopped.is_empty() {
                let _ = writeln!(o, "servers that stop working: none");
            } else {
                let _ = writeln!(o, "servers that stop working:");
                let width = sim
                    .stopped
                    .iter()
                    .map(|(s, _)| m.server(*s).name.len())
                    .max()
                    .unwrap_or(0);
                for (s, chain) in &sim.stopped {
                    let why = if chain.len() <= 1 {
                        "down".to_string()
                    } else {
                        format!("needs {}", chain_text(m, c, &chain[1..]))
                    };
                    let _ = writeln!(o, "  {:<width$}  {why}", m.server(*s).name);
                }
            }
            let _ = writeln!(o);
            if let Some(loads) = &loads {
                o.push_str(&loads_text(m, loads));
                let _ = writeln!(o);
            }
            if sim.serves {
                let _ = writeln!(o, "the stack still serves");
            } else {
                let dark: Vec<&str> = sim
                    .entries
                    .iter()
                    .filter(|(_, ok)| !ok)
                    .map(|(i, _)| c.entries[*i].subject.as_str())
                    .collect();
                let _ = writeln!(o, "the stack does not serve: {} dark", dark.join(", "));
            }
        }
    }
    Ok((o, sim.serves))
}

/// Whether the file gives any `capacity` or `load`: then `simulate` shows
/// the loads (RESILIENCE.md §4).
fn has_loads(m: &Model) -> bool {
    m.servers.iter().any(|s| s.capacity.is_some()) || m.records.iter().any(|r| r.load.is_some())
}

/// One working server's load in the scenario.
struct Load {
    server: ServerId,
    load: f64,
    capacity: Option<f64>,
}

impl Load {
    fn over(&self) -> bool {
        self.capacity.is_some_and(|c| load::exceeds(self.load, c))
    }
}

/// The load on every server that is not down and carries load or has a
/// capacity, in declaration order. `elements`: what `--fail` named (a
/// server of a named zone is left to the zone).
fn loads(
    m: &Model,
    c: &stackc::analysis::circuit::Circuit,
    elements: &[Element],
    down: &[ServerId],
) -> Vec<Load> {
    let mut set: Vec<Element> = Vec::new();
    for e in elements {
        let in_zone = match e {
            Element::Server(s) => m
                .server(*s)
                .zone
                .is_some_and(|z| elements.contains(&Element::Zone(z))),
            Element::Zone(_) => false,
        };
        if !in_zone && !set.contains(e) {
            set.push(*e);
        }
    }
    let flow = load::flow(m, c, &set);
    m.server_ids()
        .filter(|s| !down.contains(s))
        .filter_map(|s| {
            let load = flow.get(s.index()).copied().unwrap_or(0.0);
            let capacity = m.server(s).capacity;
            (load > 0.0 || capacity.is_some()).then_some(Load {
                server: s,
                load,
                capacity,
            })
        })
        .collect()
}

/// `loads (req/s):` then one line per server: `web-02  1,500 of 1,000  OVER CAPACITY`.
fn loads_text(m: &Model, loads: &[Load]) -> String {
    if loads.is_empty() {
        return "loads (req/s): none\n".to_string();
    }
    let rows: Vec<(&str, String, &str)> = loads
        .iter()
        .map(|l| {
            let figure = match l.capacity {
                Some(cap) => format!("{} of {}", rate(l.load), rate(cap)),
                None => format!("{} (no capacity)", rate(l.load)),
            };
            let flag = if l.over() { "OVER CAPACITY" } else { "" };
            (m.server(l.server).name.as_str(), figure, flag)
        })
        .collect();
    let name_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let fig_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut o = String::from("loads (req/s):\n");
    for (name, figure, flag) in rows {
        let line = format!("  {name:<name_w$}  {figure:<fig_w$}  {flag}");
        o.push_str(line.trim_end());
        o.push('\n');
    }
    let over = loads.iter().filter(|l| l.over()).count();
    if over > 0 {
        let _ = writeln!(
            o,
            "  {over} server{} over capacity",
            if over == 1 { "" } else { "s" }
        );
    }
    o
}
