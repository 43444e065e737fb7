//! MySQL and MariaDB: the option files and who a replica follows.
//!
//! **Option files** (read by hand: the INI crates, e.g. `rust-ini` 0.21,
//! take a line without `=` such as `skip-name-resolve` into the next key
//! (its issue #106), do not know `!include`/`!includedir`, and give no line
//! numbers for the facts' origins). The server reads `/etc/mysql/my.cnf`
//! (or `/etc/my.cnf`, MariaDB's `/etc/mysql/mariadb.cnf`) and what it
//! includes; a tree with none of them (a bundle's, a fetch of the drop-in
//! folders only) is read from the drop-in folders, in path order. Options
//! count in `[mysqld]`, `[server]`, `[mariadb]`, `[mariadbd]` and their
//! versioned forms (`[mysqld-8.0]`); names compare with dashes as
//! underscores, `loose-` dropped, `skip-X` as `X = OFF`; the last setting
//! wins. `#` and `;` comments, quoted values, options without a value.
//!
//! Facts: [`Fact::Runs`] when a server section exists; `bind-address`
//! (comma-separated; none: every address; `skip-networking`: no TCP) and
//! `port` as [`Fact::Serves`]/[`Fact::Address`]; [`Fact::Store`] with
//! `read_only`/`super_read_only` (default writable), `server_id`,
//! `log_bin` (`skip-log-bin`: off; unsaid: unknown), GTID (`gtid_mode`,
//! `enforce_gtid_consistency`, MariaDB's `gtid_strict_mode`).
//!
//! MySQL 8's `SET PERSIST` settings (`mysqld-auto.cnf` in the data
//! directory) are read after the option files.
//!
//! **Replication** ([`Fact::Follows`], in `mysql/replication.rs`): `master.info` (and MariaDB's
//! `master-NAME.info`) in the data directory, which the server keeps
//! current, else `CHANGE MASTER TO MASTER_HOST=…, MASTER_PORT=…` /
//! `CHANGE REPLICATION SOURCE TO SOURCE_HOST=…` in the host's SQL files
//! (`/etc/mysql/**/*.sql`, as the bundle's `setup.sql`;
//! `/docker-entrypoint-initdb.d/`). When both name a source and they
//! differ, `master.info` is used and a warning says so.

use super::store::{self, Bind};
use crate::import::facts::{Fact, Facts, Origin};
use crate::import::tree::HostFiles;
use crate::model::{Kit, Protocol, Role};
use std::collections::BTreeMap;

const ENTRIES: &[&str] = &["/etc/mysql/my.cnf", "/etc/my.cnf", "/etc/mysql/mariadb.cnf"];
const DROP_INS: &[&str] = &[
    "/etc/mysql/conf.d",
    "/etc/mysql/mariadb.conf.d",
    "/etc/mysql/mysql.conf.d",
    "/etc/my.cnf.d",
];
const DATADIR: &str = "/var/lib/mysql";

/// The server's options: name -> (value, where), the last one kept, and
/// where the first server section starts.
#[derive(Default)]
struct Options {
    set: BTreeMap<String, (Option<String>, Origin)>,
    section: Option<Origin>,
}

impl Options {
    fn get(&self, key: &str) -> Option<(Option<&str>, &Origin)> {
        self.set.get(key).map(|(v, o)| (v.as_deref(), o))
    }
    /// A boolean option: no value is ON.
    fn flag(&self, key: &str) -> Option<(bool, &Origin)> {
        self.get(key)
            .map(|(v, o)| (v.map_or(Some(true), store::on_off).unwrap_or(true), o))
    }
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let mut opts = Options::default();
    let mut stack = Vec::new();
    match ENTRIES.iter().find(|p| h.get(p).is_some()) {
        Some(entry) => load(h, entry, &mut opts, &mut stack, facts),
        None => {
            for dir in DROP_INS {
                let files: Vec<&str> = h
                    .under(dir)
                    .map(|(p, _)| p)
                    .filter(|p| is_cnf(dir, p))
                    .collect();
                for p in files {
                    load(h, p, &mut opts, &mut stack, facts);
                }
            }
        }
    }
    persisted(h, &mut opts, facts);
    let sources = replication::follows(h, &datadir(&opts), facts);
    let Some(runs) = opts
        .section
        .clone()
        .or_else(|| sources.first().map(|(_, o)| o.clone()))
    else {
        return;
    };
    let role = Role::of_kit(Kit::Mysql);
    facts.add(Fact::Runs(role), runs.clone());

    let networking = opts.flag("skip_networking").is_none_or(|(on, _)| !on);
    if networking {
        let (port, port_origin) = match opts.get("port") {
            Some((Some(v), o)) => (store::port(facts, v, o), o.clone()),
            _ => (Some(3306), runs.clone()),
        };
        let binds: Vec<Bind> = match opts.get("bind_address") {
            Some((Some(v), o)) => v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| Bind {
                    addr: a,
                    origin: o.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        if let Some(p) = port {
            store::serves(facts, role, Protocol::Mysql, &binds, p, false, &port_origin);
        }
    }

    let ro = opts.flag("read_only");
    let sro = opts.flag("super_read_only");
    let read_only = ro.map(|r| r.0).unwrap_or(false) || sro.map(|r| r.0).unwrap_or(false);
    let store_origin = ro.or(sro).map(|r| r.1.clone()).unwrap_or(runs);
    let server_id = opts.get("server_id").and_then(|(v, o)| {
        let id = v.and_then(|v| v.parse::<u32>().ok());
        if id.is_none() {
            facts.warn(o.clone(), "`server_id` is not a number; left out");
        }
        id
    });
    let log_bin = opts
        .get("log_bin")
        .map(|(v, _)| v.and_then(store::on_off) != Some(false));
    let gtid = ["gtid_mode", "enforce_gtid_consistency", "gtid_strict_mode"]
        .iter()
        .filter_map(|k| opts.get(k))
        .map(|(v, _)| {
            let v = v.unwrap_or("ON").to_ascii_uppercase();
            v.starts_with("ON") || store::on_off(&v) == Some(true)
        })
        .reduce(|a, b| a || b);
    facts.add(
        Fact::Store {
            role,
            read_only: Some(read_only),
            server_id,
            log_bin,
            gtid,
        },
        store_origin,
    );
    for (primary, o) in sources {
        facts.add(Fact::Follows { role, primary }, o);
    }
}

/// MySQL 8's `SET PERSIST` settings, `mysqld-auto.cnf` in the data
/// directory (JSON: `{"mysql_server": {"read_only": {"Value": "ON", ...},
/// "mysql_static_variables": {...}}}`), read after the option files as the
/// server does; they count only when a server section exists.
fn persisted(h: &HostFiles, opts: &mut Options, facts: &mut Facts) {
    if opts.section.is_none() {
        return;
    }
    let path = format!("{}/mysqld-auto.cnf", datadir(opts));
    let Some(text) = h.text(&path) else {
        store::skipped(h, &path, facts);
        return;
    };
    let o = super::origin(h, &path, 0);
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        facts.warn(o, "not JSON (a persisted-variables file); left out");
        return;
    };
    let mut todo = vec![&json];
    let mut seen = 0usize;
    while let Some(v) = todo.pop() {
        let Some(map) = v.as_object() else { continue };
        for (k, v) in map {
            seen += 1;
            // Bounded: a file of the CLI's size cap holds no more.
            if seen > 100_000 {
                return;
            }
            match v.get("Value").and_then(|x| x.as_str()) {
                Some(value) => {
                    let (k, v) = normalize(k, Some(value.to_string()));
                    opts.set.insert(k, (v, o.clone()));
                }
                None => todo.push(v),
            }
        }
    }
}

/// The data directory: `datadir`, else Debian's.
fn datadir(opts: &Options) -> String {
    match opts.get("datadir") {
        Some((Some(d), _)) => d.trim_end_matches('/').to_string(),
        _ => DATADIR.to_string(),
    }
}

/// A `.cnf` file directly in `dir` (what `!includedir` reads).
fn is_cnf(dir: &str, path: &str) -> bool {
    store::file_in(dir, path).is_some_and(|n| n.ends_with(".cnf") || n.ends_with(".ini"))
}

fn server_section(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let base = n.split_once('-').map_or(n.as_str(), |(b, v)| {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            b
        } else {
            n.as_str()
        }
    });
    matches!(base, "mysqld" | "server" | "mariadb" | "mariadbd")
}

/// `skip-log-bin` -> (`log_bin`, OFF); `loose-port` -> `port`.
fn normalize(key: &str, value: Option<String>) -> (String, Option<String>) {
    let k = key.trim().to_ascii_lowercase().replace('-', "_");
    let k = k.strip_prefix("loose_").unwrap_or(&k).to_string();
    for neg in ["skip_", "disable_"] {
        if let Some(rest) = k.strip_prefix(neg) {
            if rest != "networking" && rest != "name_resolve" {
                return (rest.to_string(), Some("OFF".into()));
            }
        }
    }
    if let Some(rest) = k.strip_prefix("enable_") {
        return (rest.to_string(), Some("ON".into()));
    }
    (k, value)
}

/// Reads one option file and its includes into `opts`.
fn load(h: &HostFiles, path: &str, opts: &mut Options, stack: &mut Vec<String>, facts: &mut Facts) {
    let Some(text) = store::enter(h, path, stack, facts) else {
        return;
    };
    let mut in_server = false;
    for (n, line) in super::lines(text, '#') {
        let o = super::origin(h, path, n);
        if line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("!includedir") {
            let dir = rest.trim();
            let files: Vec<String> = h
                .under(dir)
                .map(|(p, _)| p)
                .filter(|p| is_cnf(dir, p))
                .map(str::to_string)
                .collect();
            for p in files {
                load(h, &p, opts, stack, facts);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("!include") {
            let p = rest.trim();
            if h.get(p).is_some() {
                load(h, p, opts, stack, facts);
            } else {
                facts.warn(o, format!("`!include {p}`: not among the host's files"));
            }
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_server = server_section(name);
            if in_server && opts.section.is_none() {
                opts.section = Some(o);
            }
            continue;
        }
        if !in_server {
            continue;
        }
        let (k, v) = match line.split_once('=') {
            Some((k, v)) => (k, Some(store::unquote(v).to_string())),
            None => (line, None),
        };
        let (k, v) = normalize(k, v);
        opts.set.insert(k, (v, o));
    }
    stack.pop();
}

mod replication;

#[cfg(test)]
mod tests;
