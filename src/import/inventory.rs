//! Ansible inventories, INI and YAML: hosts with their `ansible_host`
//! addresses and variables, and groups.
//!
//! INI (Ansible's own dialect, not Windows INI: `host var=value` lines, so
//! no INI crate fits): `[group]` sections of hosts, `[g:children]` of
//! groups, `[g:vars]` of `key=value`; hosts before any section are in
//! `ungrouped`. YAML (`all: {hosts, children, vars}`) through
//! `serde_norway`. Group variables reach their hosts (a child group's
//! over its parent's, a host's own over every group's). Host ranges
//! (`web-[01:03]`) are not expanded: a warning.
//!
//! The variables `import` uses are the ones a bundle's inventory writes
//! (`src/bundle/stack/ansible.rs`): `ansible_host`, `stackc_zone`,
//! `stackc_monitor`; and its groups `group_NAME` (the `.stack` file's
//! groups, `-` written `_`).

use super::facts::{Origin, Warning};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// One inventory host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvHost {
    pub name: String,
    pub address: Option<IpAddr>,
    pub vars: BTreeMap<String, String>,
    /// The line that names it first (0 in YAML).
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    pub hosts: Vec<InvHost>,
    /// Group name -> its hosts' names (children's hosts included), in
    /// inventory order.
    pub groups: BTreeMap<String, Vec<String>>,
    /// The path given, for origins.
    pub path: String,
    /// What was not understood (host ranges, bad lines).
    pub warnings: Vec<Warning>,
}

impl Inventory {
    pub fn host(&self, name: &str) -> Option<&InvHost> {
        self.hosts.iter().find(|h| h.name == name)
    }

    /// An origin in the inventory file.
    pub fn origin(&self, line: u32) -> Origin {
        Origin::new("", &self.path, line)
    }
}

/// Parses an inventory (`path` only for origins; the format is told from
/// the text: a `[section]` line first means INI, a YAML mapping YAML).
/// `Err` when it is neither.
pub fn parse(text: &str, path: &str) -> Result<Inventory, Warning> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'));
    let looks_yaml = first.is_some_and(|l| l == "---" || (l.ends_with(':') && !l.contains('=')));
    let mut b = Builder::default();
    if looks_yaml {
        let v: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line() as u32);
            Warning::new(
                Origin::new("", path, line),
                format!("not an Ansible inventory (YAML): {e}"),
            )
        })?;
        let serde_norway::Value::Mapping(top) = v else {
            return Err(Warning::new(
                Origin::new("", path, 0),
                "not an Ansible inventory: the YAML is not a mapping of groups",
            ));
        };
        for (k, g) in &top {
            if let Some(name) = scalar(k) {
                b.yaml_group(&name, g, None);
            }
        }
    } else {
        b.ini(text, path)?;
    }
    Ok(b.finish(path))
}

#[derive(Default)]
struct Builder {
    hosts: Vec<InvHost>,
    /// group -> (hosts, children, vars)
    groups: Groups,
    group_order: Vec<String>,
    warnings: Vec<Warning>,
    path: String,
}

impl Builder {
    fn group(&mut self, name: &str) -> &mut GroupParts {
        if !self.groups.contains_key(name) {
            self.group_order.push(name.to_string());
        }
        self.groups.entry(name.to_string()).or_default()
    }

    fn host(&mut self, name: &str, line: u32) -> &mut InvHost {
        let i = match self.hosts.iter().position(|h| h.name == name) {
            Some(i) => i,
            None => {
                self.hosts.push(InvHost {
                    name: name.to_string(),
                    line,
                    ..InvHost::default()
                });
                self.hosts.len() - 1
            }
        };
        &mut self.hosts[i]
    }

    fn warn(&mut self, line: u32, msg: impl Into<String>) {
        self.warnings
            .push(Warning::new(Origin::new("", &self.path, line), msg));
    }

    fn ini(&mut self, text: &str, path: &str) -> Result<(), Warning> {
        self.path = path.to_string();
        // (group, kind): kind "" hosts, "children", "vars".
        let mut section = ("ungrouped".to_string(), String::new());
        for (i, raw) in text.lines().enumerate() {
            let n = i as u32 + 1;
            let line = strip_comment(raw);
            if line.is_empty() {
                continue;
            }
            if let Some(inner) = line.strip_prefix('[') {
                let Some(inner) = inner.strip_suffix(']') else {
                    return Err(Warning::new(
                        Origin::new("", path, n),
                        format!(
                            "not an Ansible inventory: `{line}` opens a section it does not close"
                        ),
                    ));
                };
                let (g, kind) = match inner.split_once(':') {
                    Some((g, k)) => (g.trim().to_string(), k.trim().to_string()),
                    None => (inner.trim().to_string(), String::new()),
                };
                if !matches!(kind.as_str(), "" | "children" | "vars") {
                    self.warn(
                        n,
                        format!("section `[{inner}]`: only :children and :vars are read"),
                    );
                }
                self.group(&g);
                section = (g, kind);
                continue;
            }
            let words = split_words(line);
            match section.1.as_str() {
                "children" => {
                    let child = words[0].clone();
                    self.group(&child);
                    let g = section.0.clone();
                    self.group(&g).1.push(child);
                }
                "vars" => match line.split_once('=') {
                    Some((k, v)) => {
                        let g = section.0.clone();
                        self.group(&g)
                            .2
                            .insert(k.trim().to_string(), unquote(v.trim()));
                    }
                    None => self.warn(n, format!("`{line}`: a group variable is `key=value`")),
                },
                "" => {
                    let name = words[0].clone();
                    if name.contains('[') && name.contains(':') {
                        self.warn(
                            n,
                            format!(
                                "host range `{name}` is not expanded: list its hosts one per line"
                            ),
                        );
                        continue;
                    }
                    let mut vars = Vec::new();
                    for w in &words[1..] {
                        match w.split_once('=') {
                            Some((k, v)) => vars.push((k.to_string(), unquote(v))),
                            None => self.warn(n, format!("`{w}`: a host variable is `key=value`")),
                        }
                    }
                    let h = self.host(&name, n);
                    for (k, v) in vars {
                        h.vars.insert(k, v);
                    }
                    let g = section.0.clone();
                    let members = &mut self.group(&g).0;
                    if !members.contains(&name) {
                        members.push(name);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn yaml_group(&mut self, name: &str, g: &serde_norway::Value, parent: Option<&str>) {
        self.group(name);
        if let Some(p) = parent {
            let children = &mut self.group(p).1;
            if !children.iter().any(|c| c == name) {
                children.push(name.to_string());
            }
        }
        let serde_norway::Value::Mapping(m) = g else {
            return;
        };
        if let Some(serde_norway::Value::Mapping(hosts)) = m.get("hosts") {
            for (k, v) in hosts {
                let Some(h) = scalar(k) else { continue };
                if h.contains('[') && h.contains(':') {
                    self.warn(
                        0,
                        format!("host range `{h}` is not expanded: list its hosts one by one"),
                    );
                    continue;
                }
                let vars = mapping_vars(v);
                let host = self.host(&h, 0);
                host.vars.extend(vars);
                let members = &mut self.group(name).0;
                if !members.contains(&h) {
                    members.push(h);
                }
            }
        }
        if let Some(v) = m.get("vars") {
            let vars = mapping_vars(v);
            self.group(name).2.extend(vars);
        }
        if let Some(serde_norway::Value::Mapping(children)) = m.get("children") {
            for (k, v) in children {
                if let Some(c) = scalar(k) {
                    self.yaml_group(&c, v, Some(name));
                }
            }
        }
    }

    fn finish(mut self, path: &str) -> Inventory {
        self.path = path.to_string();
        // Every group's hosts, children's included (cycles cut).
        let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for g in &self.group_order {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            collect(&self.groups, g, &mut seen, &mut out);
            all.insert(g.clone(), out);
        }
        // Variables: `all`'s, then each group's (parents before children,
        // in inventory order), then the host's own.
        let depth = |g: &str| depth_of(&self.groups, g, &mut BTreeSet::new());
        let mut order: Vec<&String> = self.group_order.iter().collect();
        order.sort_by_key(|g| (g.as_str() != "all", depth(g)));
        for h in &mut self.hosts {
            let own = std::mem::take(&mut h.vars);
            for g in &order {
                let in_group = g.as_str() == "all" || all[*g].contains(&h.name);
                if in_group {
                    h.vars.extend(self.groups[*g].2.clone());
                }
            }
            h.vars.extend(own);
            h.address = h.vars.get("ansible_host").and_then(|a| a.parse().ok());
        }
        for h in &self.hosts {
            if let Some(a) = h.vars.get("ansible_host") {
                if h.address.is_none() {
                    self.warnings.push(Warning::new(
                        Origin::new("", path, h.line),
                        format!("{}: ansible_host `{a}` is not an address: the host's own files give it", h.name),
                    ));
                }
            }
        }
        Inventory {
            hosts: self.hosts,
            groups: all,
            path: path.to_string(),
            warnings: self.warnings,
        }
    }
}

/// A group's hosts, children and variables.
type GroupParts = (Vec<String>, Vec<String>, BTreeMap<String, String>);
type Groups = BTreeMap<String, GroupParts>;

fn collect(groups: &Groups, g: &str, seen: &mut BTreeSet<String>, out: &mut Vec<String>) {
    if !seen.insert(g.to_string()) {
        return;
    }
    let Some((hosts, children, _)) = groups.get(g) else {
        return;
    };
    for h in hosts {
        if !out.contains(h) {
            out.push(h.clone());
        }
    }
    for c in children {
        collect(groups, c, seen, out);
    }
}

/// How many parents deep `g` is (0 for a top group).
fn depth_of(groups: &Groups, g: &str, seen: &mut BTreeSet<String>) -> usize {
    if !seen.insert(g.to_string()) {
        return 0;
    }
    groups
        .iter()
        .filter(|(_, (_, ch, _))| ch.iter().any(|c| c == g))
        .map(|(p, _)| 1 + depth_of(groups, p, seen))
        .max()
        .unwrap_or(0)
}

fn scalar(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn mapping_vars(v: &serde_norway::Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let serde_norway::Value::Mapping(m) = v {
        for (k, v) in m {
            if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                out.insert(k, v);
            }
        }
    }
    out
}

/// The line without a `#`/`;` comment (outside quotes), trimmed.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('#' | ';', None) if i == 0 || line[..i].ends_with([' ', '\t']) => {
                return line[..i].trim();
            }
            _ => {}
        }
    }
    line.trim()
}

/// Words split on blanks, quotes kept together (`k="a b"`).
fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in line.chars() {
        match (c, quote) {
            ('"' | '\'', None) => {
                quote = Some(c);
                cur.push(c);
            }
            (q, Some(open)) if q == open => {
                quote = None;
                cur.push(c);
            }
            (c, None) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_hosts_groups_children_vars() {
        let inv = parse(
            "# c\nlone ansible_host=10.0.0.9\n[web]\nweb-01 ansible_host=10.0.1.11 stackc_zone=a\nweb-02 ansible_host=10.0.1.12 # b\nweb-[03:04]\n[lb]\nlb-01\n[front:children]\nweb\nlb\n[front:vars]\nstackc_monitor=agent\n[web:vars]\nstackc_monitor=\"node exporter\"\n",
            "inv.ini",
        )
        .unwrap();
        let names: Vec<_> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["lone", "web-01", "web-02", "lb-01"]);
        assert_eq!(
            inv.host("web-01").unwrap().address,
            "10.0.1.11".parse().ok()
        );
        assert_eq!(inv.host("web-01").unwrap().vars["stackc_zone"], "a");
        // The child's variable wins over its parent's.
        assert_eq!(
            inv.host("web-02").unwrap().vars["stackc_monitor"],
            "node exporter"
        );
        assert_eq!(inv.host("lb-01").unwrap().vars["stackc_monitor"], "agent");
        assert_eq!(inv.groups["front"], ["web-01", "web-02", "lb-01"]);
        assert_eq!(inv.groups["ungrouped"], ["lone"]);
        assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
        assert_eq!(inv.warnings[0].origin.line, 6);
        assert!(inv.warnings[0].message.contains("web-[03:04]"));
    }

    #[test]
    fn yaml_all_hosts_children_vars() {
        let inv = parse(
            "---\nall:\n  vars:\n    stackc_monitor: agent\n  hosts:\n    lone:\n      ansible_host: 10.0.0.9\n  children:\n    db:\n      hosts:\n        pg-01: {ansible_host: 10.0.5.11, stackc_zone: a}\n        pg-02:\n      vars:\n        stackc_zone: b\n",
            "inv.yml",
        )
        .unwrap();
        assert_eq!(inv.groups["db"], ["pg-01", "pg-02"]);
        assert_eq!(inv.groups["all"], ["lone", "pg-01", "pg-02"]);
        let pg1 = inv.host("pg-01").unwrap();
        assert_eq!(pg1.vars["stackc_zone"], "a");
        assert_eq!(pg1.vars["stackc_monitor"], "agent");
        assert_eq!(inv.host("pg-02").unwrap().vars["stackc_zone"], "b");
        assert_eq!(pg1.address, "10.0.5.11".parse().ok());
    }

    #[test]
    fn neither_is_refused() {
        assert!(parse("[web\nx\n", "i").is_err());
        assert!(parse("all:\n  - [unclosed\n", "i").is_err());
    }
}
