//! `stackc drift FILE DIR` (TOOLS.md §4): what differs between a `.stack`
//! file and what `import` reads from the configs of the running stack, as
//! `drift` findings on the file. Pure: both sides come in as checked
//! models (the imported one with its text, whose `# from:` comments name
//! the files of DIR each statement came from); `cli/drift.rs` walks DIR,
//! imports and prints.
//!
//! Compared (only what configs can say): servers (by name: one side only,
//! roles, address), groups (members, vip, primary; matched by name, else by
//! the members they share), records (by `label.domain` and type: one side
//! only, where it points: its targets' servers by name). Not compared: zones, links, ports, modes and the
//! attributes no config states (`availability=`, `capacity=`...).

pub mod origin;

use crate::diag::{Finding, RuleId, Subject};
use crate::model::{Model, Record, Server, ServerId};
use crate::syntax::Span;
use std::collections::{BTreeSet, HashMap};

/// The side `import` read: its model, the text it came from, and how
/// DIR's files are shown (the CLI's `fetched/lb-01/etc/haproxy/haproxy.cfg:12`).
pub struct Imported<'a> {
    pub model: &'a Model,
    pub text: &'a str,
    pub show: &'a dyn Fn(&crate::import::Origin) -> String,
    /// DIR as the messages name it (`fetched/`).
    pub dir: &'a str,
}

impl Imported<'_> {
    /// ` (from fetched/lb-01/etc/haproxy/haproxy.cfg:12)`, or nothing when
    /// the statement at `span` names no file.
    fn from(&self, span: Span) -> String {
        let all: Vec<String> = origin::origins(self.text, span.start)
            .iter()
            .map(|o| match origin::parse(o) {
                (file, Some(lines)) => format!("{}:{lines}", (self.show)(&file)),
                (file, None) => (self.show)(&file),
            })
            .collect();
        if all.is_empty() {
            String::new()
        } else {
            format!(" (from {})", all.join(", "))
        }
    }
}

/// Every difference, as `drift` findings on `file`, in the file's order.
pub fn drift(file: &Model, imported: &Imported<'_>) -> Vec<Finding> {
    let mut cx = Cx {
        file,
        dir: imported,
        groups: match_groups(file, imported.model),
        out: Vec::new(),
    };
    cx.servers();
    cx.groups();
    cx.records();
    crate::diag::sort_findings(&mut cx.out);
    cx.out
}

struct Cx<'a> {
    file: &'a Model,
    dir: &'a Imported<'a>,
    /// Imported group index -> the file's group index.
    groups: HashMap<usize, usize>,
    out: Vec<Finding>,
}

fn addr(s: &Server) -> String {
    s.address.map_or_else(|| "none".into(), |a| a.to_string())
}

fn roles(s: &Server) -> String {
    if s.roles.is_empty() {
        "no role".into()
    } else {
        s.roles.joined()
    }
}

/// Groups of DIR matched with the file's: by name, then each left of DIR
/// with the left file group it shares the most members with (by server
/// name), so a backend named `be_app` still compares with `group app`.
fn match_groups(file: &Model, dir: &Model) -> HashMap<usize, usize> {
    let by_name: HashMap<&str, usize> = file
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.as_str(), i))
        .collect();
    let mut out = HashMap::new();
    let mut taken = vec![false; file.groups.len()];
    for (i, g) in dir.groups.iter().enumerate() {
        if let Some(&j) = by_name.get(g.name.as_str()) {
            out.insert(i, j);
            taken[j] = true;
        }
    }
    // Each file server's group, by name: a DIR group votes for the file
    // groups of its members (linear in the members).
    let group_of: HashMap<&str, usize> = file
        .servers
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.group?.index())))
        .collect();
    for (i, g) in dir.groups.iter().enumerate() {
        if out.contains_key(&i) {
            continue;
        }
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for m in &g.members {
            if let Some(&j) = group_of.get(dir.server(*m).name.as_str()) {
                if !taken[j] {
                    *votes.entry(j).or_default() += 1;
                }
            }
        }
        let best = votes
            .into_iter()
            .max_by_key(|&(j, n)| (n, std::cmp::Reverse(j)));
        if let Some((j, _)) = best {
            out.insert(i, j);
            taken[j] = true;
        }
    }
    out
}

impl Cx<'_> {
    fn push(&mut self, span: Span, subject: Subject, label: &str, message: String, help: &str) {
        self.out.push(
            Finding::new(RuleId::Drift, span, message)
                .subject(subject)
                .label(label)
                .help(help),
        );
    }

    /// Where something only DIR has sits: its group's declaration when
    /// the file has the group, else the `stack` line (else the start).
    fn anchor(&self, dir_group: Option<usize>) -> Span {
        dir_group
            .and_then(|g| self.groups.get(&g))
            .map(|&j| self.file.groups[j].span)
            .or(self.file.stack_span)
            .unwrap_or_default()
    }

    fn servers(&mut self) {
        let dm = self.dir.model;
        let theirs: HashMap<&str, &Server> =
            dm.servers.iter().map(|s| (s.name.as_str(), s)).collect();
        let mine: BTreeSet<&str> = self.file.servers.iter().map(|s| s.name.as_str()).collect();
        let d = self.dir.dir;
        for s in &self.file.servers {
            if !s.is_deployed() {
                continue; // an `external` dependency has no host folder
            }
            let Some(t) = theirs.get(s.name.as_str()) else {
                self.push(
                    s.span,
                    Subject::Server(s.name.clone()),
                    "not in DIR",
                    format!(
                        "{} ({}, {}) is in the file, but {d} has no host or config naming it",
                        s.name,
                        roles(s),
                        addr(s)
                    ),
                    "remove it from the file if it is gone, or fetch its configs into DIR",
                );
                continue;
            };
            let from = self.dir.from(t.decl);
            if s.roles != t.roles {
                self.push(
                    s.span,
                    Subject::Server(s.name.clone()),
                    "roles differ",
                    format!(
                        "{} runs {} in the file, {} in {d}{from}",
                        s.name,
                        roles(s),
                        roles(t)
                    ),
                    "write the roles the host runs, or change the host",
                );
            }
            if t.address.is_some() && s.address != t.address {
                self.push(
                    s.span,
                    Subject::Server(s.name.clone()),
                    "address differs",
                    format!(
                        "the address of {} is {} in the file, {} in {d}{from}",
                        s.name,
                        addr(s),
                        addr(t)
                    ),
                    "write the address the host has, or change the host",
                );
            }
        }
        for t in &dm.servers {
            if mine.contains(t.name.as_str()) || !t.is_deployed() {
                continue;
            }
            let span = self.anchor(t.group.map(|g| g.index()));
            let from = self.dir.from(t.decl);
            self.push(
                span,
                Subject::Server(t.name.clone()),
                &format!("{} is not in the file", t.name),
                format!(
                    "{d} has the server {} ({}, {}){from}, the file does not",
                    t.name,
                    roles(t),
                    addr(t)
                ),
                "add it to the file (`stackc import DIR` writes it), or remove it from the hosts",
            );
        }
    }

    fn groups(&mut self) {
        let (fm, dm, d) = (self.file, self.dir.model, self.dir.dir);
        let matched: HashMap<usize, usize> = self.groups.iter().map(|(&i, &j)| (j, i)).collect();
        let in_dir: BTreeSet<&str> = dm.servers.iter().map(|s| s.name.as_str()).collect();
        let in_file: BTreeSet<&str> = fm.servers.iter().map(|s| s.name.as_str()).collect();
        for (j, g) in fm.groups.iter().enumerate() {
            let Some(&i) = matched.get(&j) else {
                let members: Vec<&str> = g
                    .members
                    .iter()
                    .map(|s| fm.server(*s).name.as_str())
                    .collect();
                self.push(
                    g.span,
                    Subject::Group(g.name.clone()),
                    "not in DIR",
                    format!(
                        "the group {} ({}) is in the file, but no config of {d} groups these servers",
                        g.name,
                        members.join(", ")
                    ),
                    "check the backends, upstreams, VRRP instances and replication of DIR",
                );
                continue;
            };
            let t = &dm.groups[i];
            let from = self.dir.from(t.decl);
            let theirs: BTreeSet<&str> = t
                .members
                .iter()
                .map(|s| dm.server(*s).name.as_str())
                .collect();
            let mine: BTreeSet<&str> = g
                .members
                .iter()
                .map(|s| fm.server(*s).name.as_str())
                .collect();
            for &s in &g.members {
                let srv = fm.server(s);
                // A server DIR lacks altogether is one finding, above.
                if theirs.contains(srv.name.as_str()) || !in_dir.contains(srv.name.as_str()) {
                    continue;
                }
                self.push(
                    srv.span,
                    Subject::Server(srv.name.clone()),
                    "not a member in DIR",
                    format!(
                        "{} is a member of {} in the file, not of {} in {d}{from}",
                        srv.name, g.name, t.name
                    ),
                    "add it back to the backend, upstream or VRRP instance, or remove it from the group",
                );
            }
            for name in theirs.difference(&mine) {
                if !in_file.contains(name) {
                    continue; // reported as a server only DIR has
                }
                self.push(
                    g.span,
                    Subject::Group(g.name.clone()),
                    &format!("{name} is a member in DIR"),
                    format!(
                        "{name} is a member of {} in {d}{from}, not of {} in the file",
                        t.name, g.name
                    ),
                    "add it to the group, or remove it from the backend, upstream or VRRP instance",
                );
            }
            let ip =
                |v: Option<std::net::IpAddr>| v.map_or_else(|| "none".into(), |a| a.to_string());
            if g.vip != t.vip {
                self.push(
                    g.span,
                    Subject::Group(g.name.clone()),
                    "vip differs",
                    format!(
                        "the vip of {} is {} in the file, {} in {d}{from}",
                        g.name,
                        ip(g.vip),
                        ip(t.vip)
                    ),
                    "write the vip keepalived holds, or change virtual_ipaddress",
                );
            }
            let primary = |m: &Model, p: Option<ServerId>| {
                p.map_or_else(|| "none".to_string(), |p| m.server(p).name.clone())
            };
            let (a, b) = (primary(fm, g.primary), primary(dm, t.primary));
            if a != b && (g.primary.is_some() || t.primary.is_some()) {
                self.push(
                    g.span,
                    Subject::Group(g.name.clone()),
                    "primary differs",
                    format!(
                        "the primary of {} is {a} in the file, {b} in {d}{from}",
                        g.name
                    ),
                    "write the primary the replicas follow, or re-point the replicas",
                );
            }
        }
        for (i, t) in dm.groups.iter().enumerate() {
            if self.groups.contains_key(&i) {
                continue;
            }
            let members: Vec<&str> = t
                .members
                .iter()
                .map(|s| dm.server(*s).name.as_str())
                .collect();
            let from = self.dir.from(t.decl);
            self.push(
                self.anchor(None),
                Subject::Group(t.name.clone()),
                &format!("the group {} is not in the file", t.name),
                format!(
                    "{d} groups {} as {}{from}, the file has no such group",
                    members.join(", "),
                    t.name
                ),
                "add the group to the file (`stackc import DIR` writes it)",
            );
        }
    }

    /// Where a record points: the servers of its targets (a group's
    /// members), by name, so `@ A -> web` and two A records to web-01 and
    /// web-02 agree.
    fn targets(m: &Model, r: &Record) -> Vec<String> {
        let mut v: Vec<String> = r
            .targets
            .iter()
            .flat_map(|t| m.target_members(&t.target))
            .map(|s| m.server(*s).name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn records(&mut self) {
        let (fm, dm, d) = (self.file, self.dir.model, self.dir.dir);
        let key = |r: &Record| (r.subject.to_ascii_lowercase(), r.rtype.as_str());
        let theirs: HashMap<_, &Record> = dm.records.iter().map(|r| (key(r), r)).collect();
        let mine: BTreeSet<_> = fm.records.iter().map(key).collect();
        for r in &fm.records {
            let subject = Subject::Record(r.subject.clone());
            let Some(t) = theirs.get(&key(r)) else {
                self.push(
                    r.span,
                    subject,
                    "not in DIR",
                    format!(
                        "the record {} {} is in the file, but no zone file of {d} has it",
                        r.subject,
                        r.rtype.as_str()
                    ),
                    "add it to the zone, or remove it from the file",
                );
                continue;
            };
            let (a, b) = (Self::targets(fm, r), Self::targets(dm, t));
            if a != b {
                let from = self.dir.from(t.span);
                self.push(
                    r.span,
                    subject,
                    "targets differ",
                    format!(
                        "the record {} {} points to {} in the file, to {} in {d}{from}",
                        r.subject,
                        r.rtype.as_str(),
                        a.join(", "),
                        b.join(", ")
                    ),
                    "write where the zone points, or change the zone",
                );
            }
        }
        for t in &dm.records {
            if mine.contains(&key(t)) {
                continue;
            }
            let span = fm
                .domains
                .iter()
                .find(|x| {
                    x.name
                        .eq_ignore_ascii_case(&dm.domains[t.domain.index()].name)
                })
                .map(|x| x.span)
                .or(fm.stack_span)
                .unwrap_or_default();
            let from = self.dir.from(t.span);
            self.push(
                span,
                Subject::Record(t.subject.clone()),
                &format!("{} is not in the file", t.subject),
                format!(
                    "{d} has the record {} {} (to {}){from}, the file does not",
                    t.subject,
                    t.rtype.as_str(),
                    Self::targets(dm, t).join(", ")
                ),
                "add the record to the file, or remove it from the zone",
            );
        }
    }
}

#[cfg(test)]
mod tests;
