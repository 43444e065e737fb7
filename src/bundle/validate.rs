//! What a bundle needs beyond a clean `check`: every server's address, a
//! vip for `failover=auto`, strings the target files can hold, and listeners
//! that do not collide. Each refusal is a finding with a span, reported like
//! `check`'s (`bad-value`, or `missing-vip` per BUNDLE.md).

use super::plan::{Plan, FIRST_VRID, LAST_VRID};
use super::text;
use super::Flavor;
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{Failover, Kit, Mode, Model, Protocol, Role};
use crate::syntax::{self as ast, Span};
use crate::Checked;
use std::collections::{BTreeMap, HashMap};

pub fn validate(checked: &Checked) -> Vec<Finding> {
    let m = &checked.model;
    let mut out = Vec::new();
    strings(&checked.file, &mut out);
    addresses(m, &mut out);
    if !out.is_empty() {
        // Without addresses the rest would only repeat the same news.
        return out;
    }
    quorum(m, &mut out);
    if !out.is_empty() {
        return out;
    }
    let plan = Plan::new(m, Flavor::Mysql);
    vrrp(m, &plan, &mut out);
    records(m, &mut out);
    identifiers(m, &mut out);
    listeners(m, &plan, &mut out);
    health_paths(m, &mut out);
    out
}

/// `haproxy or nginx`, `mysql, redis or postgres`: names from the table.
fn or_list(roles: impl Iterator<Item = Role>) -> String {
    let names: Vec<&str> = roles.map(Role::name).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn bad(span: Span, subject: Subject, msg: String, label: &str, help: &str) -> Finding {
    Finding::new(RuleId::BadValue, span, msg)
        .subject(subject)
        .label(label.to_string())
        .help(help.to_string())
}

// ---- strings that reach config files -------------------------------------

/// A command systemd runs as written: words of letters, digits and
/// `_ . / : = , @ + -`, starting with a program name or absolute path
/// (never one of systemd's `-@:+!` prefixes).
fn is_command(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 1024
        && (b[0].is_ascii_alphanumeric() || b[0] == b'/')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b" _./:=,@+-".contains(c))
}

/// A health path every target file can hold unquoted: `/` then letters,
/// digits and `/ . _ ~ -`.
fn is_health_path(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 255
        && b[0] == b'/'
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"/._~-".contains(c))
}

fn strings(file: &ast::File, out: &mut Vec<Finding>) {
    for stmt in &file.statements {
        match stmt {
            ast::Statement::Stack(s) => {
                if let Some(t) = &s.title {
                    if t.text.chars().any(|c| {
                        c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
                    }) {
                        out.push(bad(
                            t.span,
                            Subject::Stack(s.name.text.clone()),
                            "the stack title holds a control character; the bundle writes it into its README and manifest".into(),
                            "control character",
                            "write the title as plain text on one line",
                        ));
                    }
                }
            }
            ast::Statement::Server(s) => attrs(&s.attrs, Subject::Server(s.name.text.clone()), out),
            ast::Statement::Group(g) => {
                attrs(&g.attrs, Subject::Group(g.name.text.clone()), out);
                for mem in &g.members {
                    attrs(&mem.attrs, Subject::Server(mem.name.text.clone()), out);
                }
            }
            _ => {}
        }
    }
}

fn attrs(list: &[ast::Attr], subject: Subject, out: &mut Vec<Finding>) {
    for a in list {
        let Some(v) = &a.value else { continue };
        let text = v.text.as_str();
        let refusal = match a.key.text.as_str() {
            "command" if !is_command(text) => Some((
                "`command` holds characters a systemd `ExecStart=` line would read as syntax (quotes, `$`, `%`, `;`, `\\`, `#`, braces...)".to_string(),
                "write the program and its arguments with letters, digits, spaces and `_ . / : = , @ + -` only; put shell syntax in a script and run the script",
            )),
            "health" if !is_health_path(text) => Some((
                "`health` must be a plain path for the HAProxy and nginx configs".to_string(),
                "`/` then letters, digits and `/ . _ ~ -` only, e.g. `/healthz`",
            )),
            _ => None,
        };
        if let Some((msg, help)) = refusal {
            out.push(bad(
                v.span,
                subject.clone(),
                msg,
                "cannot be written safely",
                help,
            ));
        }
    }
}

// ---- addresses, vips ---------------------------------------------------

fn addresses(m: &Model, out: &mut Vec<Finding>) {
    // An `external` server is not deployed: it needs no address.
    for s in m.servers.iter().filter(|s| s.is_deployed()) {
        if s.address.is_none() {
            out.push(bad(
                s.span,
                Subject::Server(s.name.clone()),
                format!(
                    "{} has no address: the bundle writes addresses, never host names, into the configs",
                    s.name
                ),
                "no address",
                &format!("give it its address: `server {} 10.0.0.1`", s.name),
            ));
        }
    }
    for g in &m.groups {
        let Some(role) = g.roles.iter().find(|r| r.spec().replicated) else {
            continue;
        };
        if g.failover == Failover::Auto && g.vip.is_none() {
            out.push(
                Finding::new(
                    RuleId::MissingVip,
                    g.span,
                    format!(
                        "the failover=auto {} group `{}` has no `vip`: the applications need a write address that moves with the primary",
                        role.name(),
                        g.name
                    ),
                )
                .subject(Subject::Group(g.name.clone()))
                .label("failover=auto without a write address")
                .help(format!(
                    "add `vip=ADDRESS`: keepalived on the {} hosts holds it",
                    role.spec().title
                )),
            );
        }
    }
}

/// A quorum group of a replicated role (a Galera or Group Replication
/// cluster, RESILIENCE.md §5) is a clustering the bundle does not write:
/// its kits write one primary and its replicas. Refused rather than
/// written without the group's hosts.
fn quorum(m: &Model, out: &mut Vec<Finding>) {
    for g in m.group_ids() {
        let grp = m.group(g);
        if grp.mode != Mode::Quorum || !grp.roles.any(|r| r.replicated) {
            continue;
        }
        out.push(bad(
            grp.span,
            Subject::Group(grp.name.clone()),
            format!(
                "`{}` is a {} quorum cluster: the bundle writes primary/replica replication, not a quorum cluster (Galera, Group Replication) yet",
                grp.name,
                grp.replicated_roles()
            ),
            "no bundle for a quorum cluster",
            "bundle it with primary/replica (remove `mode=quorum`, mark a `primary`), or configure the cluster outside stackc",
        ));
    }
}

fn vrrp(m: &Model, plan: &Plan<'_>, out: &mut Vec<Finding>) {
    // Past the router ids: one finding for the whole stack, on the first
    // group that gets none (a finding per group would say the same
    // thing thousands of times).
    let limit = LAST_VRID - FIRST_VRID + 1;
    if let Some(first) = plan.vrrps.iter().find(|v| v.vrid > LAST_VRID) {
        let g = m.group(first.group);
        out.push(bad(
            g.span,
            Subject::Group(g.name.clone()),
            format!(
                "the stack has {} VRRP instances (active-passive groups and failover=auto {} groups): a network has at most {limit} (router ids {FIRST_VRID}-{LAST_VRID}); `{}` is the first without one",
                plan.vrrps.len(),
                or_list(Role::all().filter(|r| r.spec().replicated)),
                g.name,
            ),
            "too many VRRP groups",
            "split the stack into several files",
        ));
    }
    for v in &plan.vrrps {
        let g = m.group(v.group);
        let family = v.vip.is_ipv4();
        if let Some(s) = g
            .members
            .iter()
            .find(|s| m.server(**s).address.is_some_and(|a| a.is_ipv4() != family))
        {
            out.push(bad(
                g.span,
                Subject::Group(g.name.clone()),
                format!(
                    "the vip of `{}` and the address of {} are of different IP families: one VRRP instance carries one family",
                    g.name,
                    m.server(*s).name
                ),
                "mixed IPv4 and IPv6",
                "use a vip of the members' family",
            ));
        }
    }
}

/// A host name label (RFC 952/1123): letters, digits and inner hyphens.
/// BIND refuses A/AAAA owners that break it (`check-names`).
fn is_host_label(l: &str) -> bool {
    let b = l.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn records(m: &Model, out: &mut Vec<Finding>) {
    for d in &m.domains {
        let name = text::domain(&d.name);
        if !name.split('.').all(is_host_label) {
            out.push(bad(
                d.span,
                Subject::Domain(d.name.clone()),
                format!(
                    "`{}` is not a host name: BIND refuses the zone (check-names)",
                    d.name
                ),
                "not a host name",
                "use letters, digits and inner hyphens in each label",
            ));
        }
    }
    for r in &m.records {
        if r.label != "@" && !r.label.split('.').all(is_host_label) {
            out.push(bad(
                r.span,
                Subject::Record(r.subject.clone()),
                format!(
                    "`{}` is not a host name: BIND refuses address records named so (check-names)",
                    r.label
                ),
                "not a host name",
                "use letters, digits and inner hyphens in each label",
            ));
        }
    }
    // The address family of A and AAAA records, and domains repeated in
    // another case, are checked by the model (`check`).
}

/// Names become identifiers with `-` turned into `_` (environment
/// variables, Ansible groups): two names must not meet there.
fn identifiers(m: &Model, out: &mut Vec<Finding>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    let names = m
        .groups
        .iter()
        .map(|g| (&g.name, g.span, Subject::Group(g.name.clone())))
        .chain(
            m.servers
                .iter()
                .map(|s| (&s.name, s.span, Subject::Server(s.name.clone()))),
        );
    for (name, span, subject) in names {
        let id = text::env_ident(name);
        match seen.get(&id) {
            Some(first) if *first != name.as_str() => out.push(bad(
                span,
                subject,
                format!(
                    "`{name}` and `{first}` become the same identifier `{id}` in the environment files and the inventory"
                ),
                "clashes with another name",
                "rename one of them",
            )),
            _ => {
                seen.insert(id, name);
            }
        }
    }
}

fn listeners(m: &Model, plan: &Plan<'_>, out: &mut Vec<Finding>) {
    for s in m.server_ids() {
        let srv = m.server(s);
        let listens = &plan.listens[s.index()];
        for (role, ports) in listens {
            let single = !role.spec().holds_vip;
            if single && ports.len() > 1 {
                let list: Vec<String> = ports.iter().map(|(_, p)| p.to_string()).collect();
                out.push(bad(
                    srv.span,
                    Subject::Server(srv.name.clone()),
                    format!(
                        "links reach the {} on {} on ports {}: it listens on one port",
                        role.spec().title,
                        srv.name,
                        list.join(" and ")
                    ),
                    "several ports for one listener",
                    "give every link to it the same port",
                ));
            }
            if role.spec().runs_code && ports.iter().any(|(p, _)| *p == Protocol::Https) {
                out.push(bad(
                    srv.span,
                    Subject::Server(srv.name.clone()),
                    format!(
                        "a link reaches the application on {} over https: the bundle ends TLS in {}, not in the application",
                        srv.name,
                        or_list(Role::all().filter(|r| {
                            let r = r.spec();
                            r.deployed && !r.runs_code && r.port_of(Protocol::Https).is_some()
                        }))
                    ),
                    "https to an application server",
                    "point the https link at a load balancer or web server, or use http",
                ));
            }
        }
        // Two roles on one address and port.
        let mut taken: BTreeMap<u16, Role> = BTreeMap::new();
        for (role, ports) in listens {
            for (_, port) in ports {
                match taken.get(port) {
                    Some(other) if other != role => out.push(bad(
                        srv.span,
                        Subject::Server(srv.name.clone()),
                        format!(
                            "on {} both {} and {} would listen on port {port}",
                            srv.name,
                            other.name(),
                            role.name()
                        ),
                        "port taken twice",
                        "give one of them another port (`port=`, or the port of the link)",
                    )),
                    _ => {
                        taken.insert(*port, *role);
                    }
                }
            }
        }
    }
}

/// A HAProxy backend checks one health path: the members behind one link
/// must agree on theirs.
fn health_paths(m: &Model, out: &mut Vec<Finding>) {
    for l in &m.links {
        if !l
            .from
            .iter()
            .any(|s| m.server(*s).roles.has_kit(Kit::Haproxy))
        {
            continue;
        }
        let mut paths: Vec<&str> = Vec::new();
        for t in l.targets.iter().filter(|t| t.protocol.is_http()) {
            for s in m.target_members(&t.target) {
                let p = m.server(*s).health.as_deref().unwrap_or("/healthz");
                if !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
        if paths.len() > 1 {
            let subject = m.target_subject(l.targets[0].target);
            out.push(bad(
                l.span,
                subject.clone(),
                format!(
                    "the servers behind this link answer health checks on different paths ({}): one HAProxy backend checks one",
                    paths.join(", ")
                ),
                "different health paths",
                "give the targets the same `health=`",
            ));
        }
    }
}
