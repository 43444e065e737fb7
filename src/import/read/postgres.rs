//! PostgreSQL: each cluster's `postgresql.conf` (Debian's
//! `/etc/postgresql/VERSION/CLUSTER/`, Red Hat's and the image's data
//! directories) with `include`, `include_if_exists` and `include_dir`
//! (relative to the including file), then the data directory's
//! `postgresql.auto.conf`; a cluster folder without `postgresql.conf` (a
//! bundle's, a fetch of the drop-ins only) is read from its `conf.d/`.
//! Lines are `name [=] value`, values bare or in `'...'` (`''` and `\'`
//! quote), `#` comments outside quotes; the last setting wins.
//!
//! A cluster whose Debian `start.conf` says `disabled` is left out, with a
//! warning.
//!
//! Facts: [`Fact::Runs`]; `listen_addresses` (comma-separated, `*` every
//! address, default `localhost`) and `port` (default 5432) as
//! [`Fact::Serves`]/[`Fact::Address`]; [`Fact::Store`] read-only for a
//! standby; [`Fact::Follows`] the `host=`/`port=` (or URI) of its
//! `primary_conninfo`. A standby is marked by `standby.signal` in the data
//! directory, `standby_mode = on` in a `recovery.conf` (PostgreSQL 11 and
//! older), or a set-up script under `/etc/postgresql` that touches
//! `standby.signal` (the bundle's `replica-setup.sh`). A `primary_conninfo`
//! with none of these (fetched configs seldom hold the data directory) is
//! taken for a standby with a warning.

use super::store::{self, Bind};
use crate::import::facts::{Fact, Facts, Origin, Target};
use crate::import::tree::{Entry, HostFiles};
use crate::model::{Kit, Protocol, Role};
use std::collections::{BTreeMap, BTreeSet};

const DEBIAN: &str = "/etc/postgresql";
/// Data directories that hold their own `postgresql.conf`.
const DATA_CONFS: &[&str] = &["/var/lib/pgsql/data", "/var/lib/postgresql/data"];

/// A cluster's settings: name -> (value, where), the last one kept.
type Settings = BTreeMap<String, (String, Origin)>;

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let role = Role::of_kit(Kit::Postgres);
    let mut ran = false;
    for (conf_dir, data) in clusters(h) {
        // Debian's `start.conf`: a `disabled` cluster does not run.
        let start = format!("{conf_dir}/start.conf");
        let disabled = h.text(&start).and_then(|t| super::lines(t, '#').next());
        if let Some((n, "disabled")) = disabled {
            facts.warn(
                super::origin(h, &start, n),
                "the cluster is disabled: not read",
            );
            continue;
        }
        let mut set = Settings::new();
        let mut stack = Vec::new();
        let main = format!("{conf_dir}/postgresql.conf");
        let file = if h.get(&main).is_some() {
            load(h, &main, &mut set, &mut stack, facts);
            super::origin(h, &main, 0)
        } else {
            let dir = format!("{conf_dir}/conf.d");
            load_dir(h, &dir, &mut set, &mut stack, facts);
            match h.under(&dir).next() {
                Some((p, _)) => super::origin(h, p, 0),
                None => continue,
            }
        };
        let data = set
            .get("data_directory")
            .map(|(d, _)| d.trim_end_matches('/').to_string())
            .unwrap_or(data);
        let auto = format!("{data}/postgresql.auto.conf");
        load(h, &auto, &mut set, &mut stack, facts);
        // PostgreSQL 11 and older: the standby's settings.
        load(
            h,
            &format!("{data}/recovery.conf"),
            &mut set,
            &mut stack,
            facts,
        );
        if !ran {
            facts.add(Fact::Runs(role), file.clone());
            ran = true;
        }
        cluster(h, facts, role, &set, &data, &file);
    }
}

/// The facts of one cluster.
fn cluster(
    h: &HostFiles,
    facts: &mut Facts,
    role: Role,
    set: &Settings,
    data: &str,
    file: &Origin,
) {
    let (port, port_origin) = match set.get("port") {
        Some((v, o)) => (store::port(facts, v, o), o.clone()),
        None => (Some(5432), file.clone()),
    };
    let (listen, listen_origin) = match set.get("listen_addresses") {
        Some((v, o)) => (v.as_str(), o.clone()),
        None => ("localhost", file.clone()),
    };
    let binds: Vec<Bind> = listen
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| Bind {
            addr: a,
            origin: listen_origin.clone(),
        })
        .collect();
    // `listen_addresses = ''`: Unix sockets only.
    if let (Some(p), false) = (port, binds.is_empty()) {
        let wildcard = binds.iter().any(|b| b.addr == "*");
        let binds = if wildcard { &[][..] } else { &binds[..] };
        store::serves(
            facts,
            role,
            Protocol::Postgres,
            binds,
            p,
            false,
            &port_origin,
        );
    }

    let conninfo = set
        .get("primary_conninfo")
        .filter(|(v, _)| !v.trim().is_empty());
    let marker = standby_marker(h, data);
    let standby = match (&marker, conninfo) {
        (Some(o), _) => Some(o.clone()),
        (None, Some((_, o))) => {
            facts.warn(
                o.clone(),
                format!("`primary_conninfo` but no `{data}/standby.signal` among the files: taken for a standby"),
            );
            Some(o.clone())
        }
        (None, None) => None,
    };
    facts.add(
        Fact::Store {
            role,
            read_only: Some(standby.is_some()),
            server_id: None,
            log_bin: None,
            gtid: None,
        },
        standby.clone().unwrap_or_else(|| file.clone()),
    );
    match (standby, conninfo) {
        (Some(_), Some((v, o))) => match primary(v) {
            Some(primary) => facts.add(Fact::Follows { role, primary }, o.clone()),
            None => facts.warn(
                o.clone(),
                "`primary_conninfo` names no host; the primary is unknown",
            ),
        },
        (Some(o), None) => facts.warn(
            o,
            "a standby without `primary_conninfo`: its primary is unknown",
        ),
        _ => {}
    }
}

/// The clusters on the host: (configuration folder, default data folder).
fn clusters(h: &HostFiles) -> Vec<(String, String)> {
    let mut found = BTreeSet::new();
    for (p, _) in h.under(DEBIAN) {
        let Some(rest) = p.strip_prefix(DEBIAN).and_then(|r| r.strip_prefix('/')) else {
            continue;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        // VERSION/CLUSTER/FILE...: the version starts with a digit.
        if parts.len() >= 3 && parts[0].starts_with(|c: char| c.is_ascii_digit()) {
            found.insert((parts[0].to_string(), parts[1].to_string()));
        }
    }
    let mut out: Vec<(String, String)> = found
        .into_iter()
        .map(|(v, c)| {
            (
                format!("{DEBIAN}/{v}/{c}"),
                format!("/var/lib/postgresql/{v}/{c}"),
            )
        })
        .collect();
    for d in DATA_CONFS {
        if h.get(&format!("{d}/postgresql.conf")).is_some() {
            out.push((d.to_string(), d.to_string()));
        }
    }
    out
}

/// Where the files mark this data folder a standby.
fn standby_marker(h: &HostFiles, data: &str) -> Option<Origin> {
    let signal = format!("{data}/standby.signal");
    if h.get(&signal).is_some() {
        return Some(super::origin(h, &signal, 0));
    }
    let recovery = format!("{data}/recovery.conf");
    if let Some(t) = h.text(&recovery) {
        for (n, line) in super::lines(t, '#') {
            if let Some((k, v)) = setting(line) {
                if k == "standby_mode" && store::on_off(&v) == Some(true) {
                    return Some(super::origin(h, &recovery, n));
                }
            }
        }
    }
    for (p, e) in h.under(DEBIAN) {
        let Entry::Text(t) = e else { continue };
        for (n, line) in super::lines(t, '#') {
            if line.contains(&signal) && line.split_whitespace().any(|w| w == "touch") {
                return Some(super::origin(h, p, n));
            }
        }
    }
    None
}

/// One `name [=] value` line (comment already cut), the value unquoted.
fn setting(line: &str) -> Option<(String, String)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    let key = line[..end].to_ascii_lowercase();
    let rest = line[end..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let value = match rest.strip_prefix('\'') {
        Some(q) => {
            let mut v = String::new();
            let mut chars = q.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\'' if chars.peek() == Some(&'\'') => {
                        chars.next();
                        v.push('\'');
                    }
                    '\'' => break,
                    '\\' => v.extend(chars.next()),
                    c => v.push(c),
                }
            }
            v
        }
        None => rest.split_whitespace().next().unwrap_or("").to_string(),
    };
    Some((key, value))
}

/// The line without its `#` comment (outside `'...'`).
fn cut_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

fn load(h: &HostFiles, path: &str, set: &mut Settings, stack: &mut Vec<String>, facts: &mut Facts) {
    let Some(text) = store::enter(h, path, stack, facts) else {
        return;
    };
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    for (i, raw) in text.lines().enumerate() {
        let line = cut_comment(raw).trim();
        let Some((key, value)) = setting(line) else {
            continue;
        };
        let o = super::origin(h, path, i as u32 + 1);
        let target = if value.starts_with('/') {
            value.clone()
        } else {
            format!("{dir}/{value}")
        };
        match key.as_str() {
            "include" | "include_if_exists" => {
                if h.get(&target).is_some() {
                    load(h, &target, set, stack, facts);
                } else if key == "include" {
                    facts.warn(
                        o,
                        format!("`include '{value}'`: not among the host's files"),
                    );
                }
            }
            "include_dir" => load_dir(h, &target, set, stack, facts),
            _ => {
                set.insert(key, (value, o));
            }
        }
    }
    stack.pop();
}

/// `include_dir`: the folder's `*.conf` files (not hidden), in name order.
fn load_dir(
    h: &HostFiles,
    dir: &str,
    set: &mut Settings,
    stack: &mut Vec<String>,
    facts: &mut Facts,
) {
    let dir = dir.trim_end_matches('/');
    let files: Vec<String> = h
        .under(dir)
        .map(|(p, _)| p)
        .filter(|p| {
            store::file_in(dir, p)
                .is_some_and(|name| !name.starts_with('.') && name.ends_with(".conf"))
        })
        .map(str::to_string)
        .collect();
    for p in files {
        load(h, &p, set, stack, facts);
    }
}

/// The primary a conninfo names: `host=` (else `hostaddr=`) and `port=`,
/// the first of comma-separated lists, or a `postgresql://` URI.
fn primary(conninfo: &str) -> Option<Target> {
    let c = conninfo.trim();
    let (host, port) = if let Some(rest) = c
        .strip_prefix("postgresql://")
        .or(c.strip_prefix("postgres://"))
    {
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let hosts = &rest[..auth_end];
        let hosts = hosts.rsplit_once('@').map_or(hosts, |(_, h)| h);
        let first = hosts.split(',').next().unwrap_or("");
        let (a, p) = store::addr_port(first);
        (a.unwrap_or("").to_string(), p)
    } else {
        let kv = conninfo_pairs(c);
        let host = kv
            .get("host")
            .or(kv.get("hostaddr"))
            .cloned()
            .unwrap_or_default();
        let port = kv
            .get("port")
            .and_then(|p| p.split(',').next()?.trim().parse().ok());
        (host.split(',').next().unwrap_or("").to_string(), port)
    };
    let host = host.trim();
    (!host.is_empty() && !host.starts_with('/')).then(|| store::target(host, port))
}

/// `key=value key='quoted \' value'` pairs.
fn conninfo_pairs(c: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = c.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&ch) = chars.peek() {
            if ch == '=' || ch.is_whitespace() {
                break;
            }
            key.push(ch);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return out;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            while let Some(ch) = chars.next() {
                match ch {
                    '\\' => value.extend(chars.next()),
                    '\'' => break,
                    ch => value.push(ch),
                }
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                value.push(ch);
                chars.next();
            }
        }
        out.insert(key.to_ascii_lowercase(), value);
    }
}

#[cfg(test)]
mod tests;
