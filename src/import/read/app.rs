//! The app reader: the team's own code as systemd runs it.
//!
//! **Which units are apps.** The units of `/etc/systemd/system/*.service`
//! (the administrator's; the distribution's live in `/lib/systemd/system`
//! and are not read), with their drop-ins (`NAME.service.d/*.conf`), that
//! are no daemon stackc reads elsewhere (the unit's name or its
//! `ExecStart` program is a role's service or package in the roles table,
//! or one of the daemons' programs: `mysqld`, `postgres`, `keepalived`...),
//! and that either are named as the bundle names the app's unit (the app
//! role's `service`, `{stack}-app`) or have an environment that names an
//! endpoint (see [`env`]).
//!
//! **What it emits.** `Runs(app)` (origin: the unit); `Sends` per endpoint
//! of its environment (`Environment=`, then each `EnvironmentFile=` in
//! order: a later value replaces an earlier one, as systemd does), a
//! loopback or `localhost` endpoint being the host itself; `Serves` http on
//! `PORT` (bound to `BIND`/`HOST` when it names an address, or from the
//! command's `--bind ADDR:PORT`/`-b`/`--port N`), and the bound address as
//! an `Address`; `Attribute`s `runtime` (`RUNTIME=`), `health`
//! (`HEALTH_PATH=` other than `/healthz`) and `command` (the `ExecStart`,
//! unless it is the bundle's default `WorkingDirectory/start`).
//!
//! An environment file of `/etc/default/` that no unit reads but that
//! names endpoints is read as an app's too, with a warning.

pub mod env;

use super::endpoint::{self, Host};
use super::origin;
use crate::import::facts::{Fact, Facts};
use crate::import::tree::{Entry, HostFiles};
use crate::model::{Kit, Protocol, Role};
use env::Var;
use std::collections::BTreeMap;

const UNITS: &str = "/etc/systemd/system";
const DEFAULTS: &str = "/etc/default";
const DEFAULT_HEALTH: &str = "/healthz";
/// Daemons' programs beside the roles table's services and packages.
const DAEMONS: &[&str] = &[
    "mysqld",
    "mariadbd",
    "mysqld_safe",
    "postgres",
    "postmaster",
    "pg_ctlcluster",
    "keepalived",
    "named",
    "redis-sentinel",
    "sshd",
];

#[derive(Default, Debug)]
struct Unit {
    path: String,
    stem: String,
    /// (path, optional, line).
    env_files: Vec<(String, bool, u32)>,
    env: Vec<Var>,
    /// The file each `Environment=` variable was set in (a drop-in's).
    env_paths: BTreeMap<String, String>,
    exec: Option<(String, String, u32)>,
    workdir: Option<String>,
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let role = Role::of_kit(Kit::App);
    let mut used_env_files: Vec<String> = Vec::new();
    let mut ran = false;
    let units: Vec<(&str, &str)> = h
        .under(UNITS)
        .filter_map(|(p, e)| match e {
            Entry::Text(t) => Some((p, t.as_str())),
            Entry::Skipped(_) => None,
        })
        .filter(|(p, _)| {
            let rest = &p[UNITS.len() + 1..];
            !rest.contains('/') && rest.ends_with(".service")
        })
        .collect();
    for (path, text) in units {
        let mut u = Unit {
            path: path.to_string(),
            stem: path[UNITS.len() + 1..]
                .trim_end_matches(".service")
                .to_string(),
            ..Unit::default()
        };
        parse_unit(path, text, &mut u);
        let dropins = format!("{path}.d");
        for (p, e) in h.under(&dropins) {
            if let (Entry::Text(t), true) = (e, p.ends_with(".conf")) {
                parse_unit(p, t, &mut u);
            }
        }
        if is_daemon(&u) {
            continue;
        }
        // The environment: Environment= first, then the files in order.
        let mut vars = u.env.clone();
        let mut paths = u.env_paths.clone();
        for (f, optional, line) in &u.env_files {
            used_env_files.push(f.clone());
            match h.get(f) {
                Some(Entry::Text(t)) => {
                    for v in env::parse(t) {
                        paths.insert(v.name.clone(), f.clone());
                        vars.push(v);
                    }
                }
                Some(Entry::Skipped(why)) => {
                    facts.warn(origin(h, &u.path, *line), format!("{f}: not read ({why})"))
                }
                None if !optional => facts.warn(
                    origin(h, &u.path, *line),
                    format!("EnvironmentFile {f}: not among the host's files"),
                ),
                None => {}
            }
        }
        let vars = env::merged(vars);
        let (eps, warns) = env::endpoints(&vars);
        if !bundle_named(&u.stem) && eps.is_empty() {
            continue;
        }
        if !ran {
            facts.add(Fact::Runs(role), origin(h, &u.path, 0));
            ran = true;
        }
        let at = |name: &str, line: u32| {
            origin(
                h,
                paths.get(name).map_or(u.path.as_str(), |p| p.as_str()),
                line,
            )
        };
        for (line, msg) in warns {
            let o = vars
                .iter()
                .find(|v| v.line == line)
                .map_or_else(|| origin(h, &u.path, line), |v| at(&v.name, line));
            facts.warn(o, msg);
        }
        emit_sends(h, facts, &eps, &at);
        own(h, facts, role, &u, &vars, &at);
    }
    // Environment files no unit reads.
    for (path, e) in h.under(DEFAULTS) {
        let Entry::Text(t) = e else { continue };
        let stem = &path[DEFAULTS.len() + 1..];
        if stem.contains('/') || used_env_files.iter().any(|f| f == path) || daemon_name(stem) {
            continue;
        }
        let vars = env::parse(t);
        let (eps, _) = env::endpoints(&vars);
        if eps.is_empty() {
            continue;
        }
        if !ran {
            facts.add(Fact::Runs(role), origin(h, path, 0));
            ran = true;
        }
        facts.warn(
            origin(h, path, 0),
            "no systemd unit among the host's files reads it: read as an application's environment",
        );
        let at = |_: &str, line: u32| origin(h, path, line);
        emit_sends(h, facts, &eps, &at);
    }
}

fn emit_sends(
    h: &HostFiles,
    facts: &mut Facts,
    eps: &[env::Endpoint],
    at: &dyn Fn(&str, u32) -> crate::import::facts::Origin,
) {
    for e in eps {
        let Some(to) = endpoint::target(h, &e.host, e.port) else {
            continue;
        };
        if let (endpoint::Host::Name(host), Some(name)) = (&e.host, called(&e.var)) {
            facts.add(
                Fact::Calls {
                    name,
                    host: host.clone(),
                },
                at(&e.var, e.line),
            );
        }
        facts.add(
            Fact::Sends {
                protocol: e.protocol,
                to: Some(to),
                pool: None,
                read: e.read,
            },
            at(&e.var, e.line),
        );
    }
}

/// The app's own listen and attributes.
fn own(
    h: &HostFiles,
    facts: &mut Facts,
    role: Role,
    u: &Unit,
    vars: &[Var],
    at: &dyn Fn(&str, u32) -> crate::import::facts::Origin,
) {
    let var = |n: &str| vars.iter().find(|v| v.name == n);
    let mut addr: Option<(Host, String, u32)> = None;
    let mut port: Option<(u16, String, u32)> = None;
    for n in ["BIND", "HOST", "LISTEN"] {
        if let Some(v) = var(n) {
            if let Some((host, p)) = endpoint::split_host_port(&v.value) {
                addr.get_or_insert((host, v.name.clone(), v.line));
                if let Some(p) = p {
                    port.get_or_insert((p, v.name.clone(), v.line));
                }
            }
        }
    }
    if let Some(v) = var("PORT") {
        if let Ok(p) = v.value.trim().parse::<u16>() {
            port = Some((p, v.name.clone(), v.line));
        }
    }
    if let Some((cmd, _, line)) = &u.exec {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let (flag, value) = match w.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (*w, words.get(i + 1).copied()),
            };
            let Some(value) = value else { continue };
            match flag {
                "--bind" | "-b" | "--listen" | "--host" => {
                    if let Some((host, p)) = endpoint::split_host_port(value) {
                        if addr.is_none() {
                            addr = Some((host, String::new(), *line));
                        }
                        if let (Some(p), None) = (p, &port) {
                            port = Some((p, String::new(), *line));
                        }
                    }
                }
                "--port" => {
                    if let (Ok(p), None) = (value.parse::<u16>(), &port) {
                        port = Some((p, String::new(), *line));
                    }
                }
                _ => {}
            }
        }
    }
    let here = |name: &str, line: u32| {
        if name.is_empty() {
            origin(h, &u.path, line)
        } else {
            at(name, line)
        }
    };
    let ip = match &addr {
        Some((Host::Ip(ip), n, l)) if !ip.is_loopback() => {
            facts.add(Fact::Address(*ip), here(n, *l));
            Some(*ip)
        }
        _ => None,
    };
    if let Some((p, n, l)) = port {
        facts.add(
            Fact::Serves {
                role,
                protocol: Protocol::Http,
                addr: ip,
                port: p,
                tls: false,
            },
            here(&n, l),
        );
    }
    if let Some(v) = var("RUNTIME").filter(|v| !v.value.is_empty()) {
        attribute(facts, "runtime", &v.value, at(&v.name, v.line));
    }
    if let Some(v) =
        var("HEALTH_PATH").filter(|v| v.value.starts_with('/') && v.value != DEFAULT_HEALTH)
    {
        attribute(facts, "health", &v.value, at(&v.name, v.line));
    }
    if let Some((cmd, path, line)) = &u.exec {
        let default = u.workdir.as_ref().map(|w| format!("{w}/start"));
        if default.as_deref() != Some(cmd.as_str()) {
            attribute(facts, "command", cmd, origin(h, path, *line));
        }
    }
}

fn attribute(facts: &mut Facts, key: &str, value: &str, o: crate::import::facts::Origin) {
    facts.add(
        Fact::Attribute {
            key: key.to_string(),
            value: Some(value.to_string()),
        },
        o,
    );
}

/// A unit file or drop-in into `u`: `[Service]`'s `EnvironmentFile=`,
/// `Environment=`, `ExecStart=` (an empty one resets), `WorkingDirectory=`;
/// `\` continues a line; `#`/`;` lines are comments.
fn parse_unit(path: &str, text: &str, u: &mut Unit) {
    let mut section = String::new();
    let mut pending = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if pending.is_empty() {
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            start = n;
        }
        if let Some(cont) = t.strip_suffix('\\') {
            pending.push_str(cont.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(t);
        let line = std::mem::take(&mut pending);
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_string();
            continue;
        }
        if section != "Service" {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "EnvironmentFile" if v.is_empty() => u.env_files.clear(),
            "EnvironmentFile" => {
                let (optional, f) = match v.strip_prefix('-') {
                    Some(f) => (true, f),
                    None => (false, v),
                };
                u.env_files.push((f.to_string(), optional, start));
            }
            "Environment" if v.is_empty() => {
                u.env.clear();
                u.env_paths.clear();
            }
            "Environment" => {
                for w in words(v) {
                    if let Some((name, value)) = w.split_once('=') {
                        u.env.push(Var {
                            name: name.to_string(),
                            value: value.to_string(),
                            line: start,
                        });
                        u.env_paths.insert(name.to_string(), path.to_string());
                    }
                }
            }
            "ExecStart" if v.is_empty() => u.exec = None,
            "ExecStart" => {
                let cmd = v.trim_start_matches(['-', '@', '+', '!', ':']).trim();
                u.exec = Some((cmd.to_string(), path.to_string(), start));
            }
            "WorkingDirectory" => {
                u.workdir = Some(v.trim_start_matches('-').trim_end_matches('/').to_string())
            }
            _ => {}
        }
    }
}

/// systemd's words: blank-separated, `"..."`/`'...'` quoted.
fn words(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => cur.extend(chars.next()),
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A name a daemon's unit or defaults file carries.
fn daemon_name(name: &str) -> bool {
    let base = name.split('@').next().unwrap_or(name);
    DAEMONS.contains(&base)
        || Role::all().filter(|r| !r.spec().runs_code).any(|r| {
            let s = r.spec();
            let service = s.service.split('@').next().unwrap_or("");
            (!service.is_empty() && service == base) || s.packages.contains(&base)
        })
}

fn is_daemon(u: &Unit) -> bool {
    let prog = u.exec.as_ref().and_then(|(c, _, _)| {
        c.split_whitespace()
            .next()
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
    });
    daemon_name(&u.stem) || prog.is_some_and(|p| daemon_name(&p))
}

/// Named as the bundle names the app's unit (the role's `service`, with
/// `{stack}` standing for any name).
fn bundle_named(stem: &str) -> bool {
    let service = Role::of_kit(Kit::App).spec().service;
    match service.split_once("{stack}") {
        Some((pre, post)) => {
            stem.len() > pre.len() + post.len() && stem.starts_with(pre) && stem.ends_with(post)
        }
        None => stem == service,
    }
}

#[cfg(test)]
mod tests;

/// The name a variable gives what it points at: `PAY_URL` -> `pay`,
/// `MAIL_RELAY_ADDR` -> `mail-relay` (the bundle's `{IDENT}_URL`/`_ADDR`
/// of an external server); None for the generic ones (`DATABASE_URL`,
/// `REDIS_URL`) and what is no `.stack` name.
fn called(var: &str) -> Option<String> {
    let (stem, last) = var.rsplit_once('_')?;
    if !matches!(last, "URL" | "URI" | "ADDR" | "HOST" | "HOSTNAME" | "DSN") {
        return None;
    }
    let generic = [
        "DATABASE",
        "DB",
        "REDIS",
        "MEMCACHED",
        "AMQP",
        "MYSQL",
        "POSTGRES",
        "PG",
        "CACHE",
    ];
    if stem.is_empty() || generic.contains(&stem) {
        return None;
    }
    let name = stem.to_ascii_lowercase().replace('_', "-");
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    ok.then_some(name)
}
