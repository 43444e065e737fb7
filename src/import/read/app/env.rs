//! Environment files (`EnvironmentFile=`, `/etc/default/*`, dotenv) and
//! what their variables say of the app's links.
//!
//! Syntax: `NAME=VALUE` lines, `export NAME=VALUE`, `#`/`;` comment lines,
//! `"..."` (with `\` escapes) and `'...'` values, a `#` after blanks in an
//! unquoted value starts a comment (as the shell reads `/etc/default`),
//! `$NAME`/`${NAME}` replaced by an earlier variable's value.
//!
//! Endpoints (each a [`Var`] with its line):
//! - a URL in a variable named `*_URL`, `*_URI`, `*_DSN` (`DATABASE_URL`,
//!   `REDIS_URL`, `postgres://h1,h2/db`: one per host) of a scheme
//!   stackc models; http(s) URLs whose name says they are the app's own
//!   (`PUBLIC_`, `SITE_`, `BASE_`, `CALLBACK_`, `REDIRECT_`, `HEALTH_`) are
//!   not links;
//! - `P_HOST` (+ `P_PORT`): the protocol from `P_KIND`/`_ENGINE`/`_DRIVER`/
//!   `_ADAPTER`/`_TYPE`/`_SCHEME`, else from a word of `P` (`MYSQL`, `PG`,
//!   `REDIS`...), else from the port (the roles table's defaults);
//!   `PGHOST`/`PGPORT` are PostgreSQL's;
//! - the bundle's own: `P_WRITE`, `P_READ`, `P_SERVERS` (comma-separated
//!   `address:port`), `P_ADDR` (`host:port`), with `DB_` (+ `P_KIND`),
//!   `REDIS_`, `MEMCACHED_`, `AMQP_` prefixes. A `P_READ` equal to its
//!   `P_WRITE` is the bundle's copy (no read link), and the bundle's
//!   unprefixed repeats (`DB_WRITE`, `REDIS_URL`, `MEMCACHED_SERVERS`...)
//!   add nothing when a prefixed variable names the same endpoint.
//!
//! `read` when a word of the name is `READ`, `READER`, `REPLICA(S)`,
//! `RO`, `SLAVE` or `STANDBY`.

use super::super::endpoint::{self, Host};
use crate::model::Protocol;
use std::collections::{HashMap, HashSet};

/// One variable and its line (0 for `Environment=` of a unit: the caller
/// knows its line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub value: String,
    pub line: u32,
}

/// The variables of an environment file, in order, a later one of a name
/// replacing an earlier one (in the earlier one's place).
pub fn parse(text: &str) -> Vec<Var> {
    let mut out: Vec<Var> = Vec::new();
    let mut values: HashMap<String, String> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = expand(&unquote(value.trim()), &values);
        values.insert(name.to_string(), value.clone());
        out.push(Var {
            name: name.to_string(),
            value,
            line: i as u32 + 1,
        });
    }
    merged(out)
}

/// One variable per name: the last one's value and line, in the first
/// one's place (linear).
pub fn merged(vars: Vec<Var>) -> Vec<Var> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Var> = Vec::with_capacity(vars.len());
    for v in vars {
        match at.get(&v.name) {
            Some(&i) => out[i] = v,
            None => {
                at.insert(v.name.clone(), out.len());
                out.push(v);
            }
        }
    }
    out
}

/// A value without its quotes (or its trailing ` # comment`).
pub fn unquote(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars().peekable();
    let mut prev_blank = true;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        c => out.push(c),
                    }
                }
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '#' if prev_blank => break,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
        prev_blank = c.is_whitespace();
    }
    out.trim_end().to_string()
}

/// `$NAME` and `${NAME}` from `vars`; unknown names are left as written.
fn expand(v: &str, vars: &HashMap<String, String>) -> String {
    if !v.contains('$') {
        return v.to_string();
    }
    let mut out = String::new();
    let mut rest = v;
    while let Some(k) = rest.find('$') {
        out.push_str(&rest[..k]);
        let after = &rest[k + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(e) => (&inner[..e], e + 2),
                None => ("", 0),
            }
        } else {
            let e = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..e], e)
        };
        match vars.get(name).filter(|_| !name.is_empty()) {
            Some(x) => out.push_str(x),
            None => out.push_str(&rest[k..k + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// An endpoint a variable names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub protocol: Protocol,
    pub host: Host,
    pub port: Option<u16>,
    pub read: bool,
    /// The variable it came from.
    pub var: String,
    pub line: u32,
}

const READ_WORDS: &[&str] = &[
    "READ", "READER", "REPLICA", "REPLICAS", "RO", "SLAVE", "STANDBY",
];
const OWN_WORDS: &[&str] = &["PUBLIC", "SITE", "BASE", "CALLBACK", "REDIRECT", "HEALTH"];
const KIND_SUFFIXES: &[&str] = &["KIND", "ENGINE", "DRIVER", "ADAPTER", "TYPE", "SCHEME"];
/// The bundle's prefixes of its endpoint families (`src/bundle/env.rs`).
const FAMILIES: &[(&str, Option<Protocol>)] = &[
    ("DB", None),
    ("REDIS", Some(Protocol::Redis)),
    ("MEMCACHED", Some(Protocol::Memcached)),
    ("AMQP", Some(Protocol::Amqp)),
];

fn words(name: &str) -> Vec<String> {
    name.to_ascii_uppercase()
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The variables by upper-case name.
type Index<'a> = HashMap<String, &'a Var>;

fn get<'a>(vars: &Index<'a>, name: &str) -> Option<&'a Var> {
    vars.get(&name.to_ascii_uppercase()).copied()
}

/// The protocol a name's words say (`MYSQL_HOST`, `PG_HOST`, `RABBIT_HOST`).
fn word_protocol(ws: &[String]) -> Option<Protocol> {
    ws.iter().find_map(|w| match w.as_str() {
        "RABBIT" | "RABBITMQ" => Some(Protocol::Amqp),
        "MEMCACHE" => Some(Protocol::Memcached),
        w => endpoint::scheme_protocol(w).filter(|p| !p.is_http() && *p != Protocol::Tcp),
    })
}

/// The protocol of the variables named `prefix_KIND` (or another kind
/// suffix).
fn kind_of(vars: &Index<'_>, prefix: &str) -> Option<Protocol> {
    KIND_SUFFIXES.iter().find_map(|s| {
        get(vars, &format!("{prefix}_{s}")).and_then(|v| endpoint::kind_protocol(&v.value))
    })
}

/// Every endpoint `vars` name, with the warnings (name, line, message) for
/// those it cannot read.
pub fn endpoints(list: &[Var]) -> (Vec<Endpoint>, Vec<(u32, String)>) {
    let vars: Index<'_> = list
        .iter()
        .map(|v| (v.name.to_ascii_uppercase(), v))
        .collect();
    let vars = &vars;
    let mut out: Vec<(Endpoint, bool)> = Vec::new();
    let mut warns = Vec::new();
    for v in list {
        let ws = words(&v.name);
        let Some(last) = ws.last() else { continue };
        let read = ws.iter().any(|w| READ_WORDS.contains(&w.as_str()));
        let prefix = &v.name[..v.name.len() - last.len()].trim_end_matches('_');
        let family = FAMILIES
            .iter()
            .find(|(f, _)| ws.first().is_some_and(|w| w == f));
        // The bundle's unprefixed repeat: `DB_WRITE`, `REDIS_URL`...
        let generic = family.is_some() && ws.len() == 2;
        let pg = v.name.eq_ignore_ascii_case("PGHOST");
        let last: &str = if pg { "HOST" } else { last };
        let mut push = |protocol: Protocol, host: Host, port: Option<u16>, read: bool| {
            out.push((
                Endpoint {
                    protocol,
                    host,
                    port: port.or(protocol.default_port()),
                    read,
                    var: v.name.clone(),
                    line: v.line,
                },
                generic,
            ));
        };
        match last {
            "URL" | "URI" | "DSN" | "URLS" => {
                let Some(url) = endpoint::parse_url(&v.value) else {
                    continue;
                };
                let Some(protocol) = endpoint::scheme_protocol(&url.scheme) else {
                    continue;
                };
                if protocol.is_http() && ws.iter().any(|w| OWN_WORDS.contains(&w.as_str())) {
                    continue;
                }
                if url
                    .hosts
                    .iter()
                    .any(|(h, _)| matches!(h, Host::Name(n) if n.contains('$')))
                {
                    warns.push((v.line, format!("{}: a variable, not followed", v.name)));
                    continue;
                }
                for (host, port) in url.hosts {
                    push(protocol, host, port, read);
                }
            }
            "HOST" | "HOSTNAME" if ws.len() >= 2 || pg => {
                let (p, port_var) = if pg {
                    ("PG", "PGPORT".to_string())
                } else {
                    (*prefix, format!("{prefix}_PORT"))
                };
                if v.value.starts_with('/') || v.value.is_empty() {
                    continue; // a unix socket
                }
                let port = get(vars, &port_var).and_then(|x| x.value.trim().parse::<u16>().ok());
                let pws = words(p);
                let protocol = kind_of(vars, p)
                    .or_else(|| word_protocol(&pws))
                    .or_else(|| port.map(endpoint::port_protocol));
                let Some(protocol) = protocol else {
                    warns.push((
                        v.line,
                        format!(
                            "{}: neither its port nor its name says which protocol",
                            v.name
                        ),
                    ));
                    continue;
                };
                for part in v.value.split(',') {
                    match endpoint::split_host_port(part) {
                        Some((host, own)) => push(protocol, host, own.or(port), read),
                        None => warns.push((v.line, format!("{}: not a host", v.name))),
                    }
                }
            }
            "WRITE" | "READ" | "SERVERS" | "ADDR" => {
                let protocol = match family {
                    Some((_, Some(p))) => Some(*p),
                    Some((_, None)) => kind_of(vars, prefix),
                    None => None,
                };
                // `P_ADDR` of an external service: the port's protocol.
                let by_port = last == "ADDR";
                if protocol.is_none() && !by_port {
                    continue;
                }
                if last == "READ" {
                    let write = get(vars, &format!("{prefix}_WRITE"));
                    if write.is_some_and(|w| w.value == v.value) {
                        continue;
                    }
                }
                for part in v.value.split(',').filter(|p| !p.trim().is_empty()) {
                    match endpoint::split_host_port(part) {
                        Some((host, port)) => {
                            let protocol = protocol.unwrap_or_else(|| {
                                port.map_or(Protocol::Tcp, endpoint::port_protocol)
                            });
                            push(protocol, host, port, read);
                        }
                        None => warns.push((v.line, format!("{}: not an address", v.name))),
                    }
                }
            }
            _ => {}
        }
    }
    // Drop the generic repeats of a specific endpoint, then duplicates.
    let specific: HashSet<(Protocol, Host, Option<u16>)> = out
        .iter()
        .filter(|(_, g)| !g)
        .map(|(e, _)| (e.protocol, e.host.clone(), e.port))
        .collect();
    let mut seen: HashSet<(Protocol, Host, Option<u16>, bool)> = HashSet::new();
    let mut eps: Vec<Endpoint> = Vec::new();
    for (e, generic) in out {
        if generic && specific.contains(&(e.protocol, e.host.clone(), e.port)) {
            continue;
        }
        if seen.insert((e.protocol, e.host.clone(), e.port, e.read)) {
            eps.push(e);
        }
    }
    (eps, warns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Host {
        Host::Ip(s.parse().unwrap())
    }

    fn eps(text: &str) -> Vec<(Protocol, Host, Option<u16>, bool, u32)> {
        let (e, w) = endpoints(&parse(text));
        assert!(w.is_empty(), "{w:?}");
        e.into_iter()
            .map(|e| (e.protocol, e.host, e.port, e.read, e.line))
            .collect()
    }

    #[test]
    fn syntax_quotes_comments_export_expansion() {
        let v = parse(
            "# c\n; c\nexport A=\"x y\" # c\nB='a#b'\nC=v # note\nD=${A}/z\nbad line\n1-x=2\nA=last\n",
        );
        let got: Vec<(&str, &str, u32)> = v
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str(), v.line))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "last", 9),
                ("B", "a#b", 4),
                ("C", "v", 5),
                ("D", "x y/z", 6)
            ]
        );
    }

    #[test]
    fn urls_of_every_scheme() {
        let got = eps(
            "DATABASE_URL=postgresql://shop:s3cr%40t@10.0.5.10/shop\nDATABASE_READ_URL=postgres://10.0.5.11:5433,10.0.5.12/shop\n\
             REDIS_URL=redis://:pw@cache.internal:6380/0\nAMQP_URL=amqps://mq-01\nSESSIONS_URL=memcache://127.0.0.1\n\
             PAYMENTS_URL=https://api.payments.example\nPUBLIC_URL=https://shop.example\nMYSQL_URL=mysql://10.0.6.11\nFOO_URL=ftp://x\n",
        );
        assert_eq!(
            got,
            [
                (Protocol::Postgres, ip("10.0.5.10"), Some(5432), false, 1),
                (Protocol::Postgres, ip("10.0.5.11"), Some(5433), true, 2),
                (Protocol::Postgres, ip("10.0.5.12"), Some(5432), true, 2),
                (
                    Protocol::Redis,
                    Host::Name("cache.internal".into()),
                    Some(6380),
                    false,
                    3
                ),
                (
                    Protocol::Amqp,
                    Host::Name("mq-01".into()),
                    Some(5672),
                    false,
                    4
                ),
                (Protocol::Memcached, ip("127.0.0.1"), Some(11211), false, 5),
                (
                    Protocol::Https,
                    Host::Name("api.payments.example".into()),
                    Some(443),
                    false,
                    6
                ),
                (Protocol::Mysql, ip("10.0.6.11"), Some(3306), false, 8),
            ]
        );
    }

    #[test]
    fn host_and_port_pairs() {
        let got = eps(
            "DB_HOST=10.0.5.10\nDB_PORT=5432\nDB_REPLICA_HOST=10.0.5.11\nDB_REPLICA_PORT=5432\n\
             MYSQL_HOST=db-01\nCACHE_HOST=10.0.3.11\nCACHE_PORT=11211\nPGHOST=10.0.5.20\nQ_HOST=mq\nQ_ENGINE=amqp\nSOCK_HOST=/run/x\n",
        );
        assert_eq!(
            got,
            [
                (Protocol::Postgres, ip("10.0.5.10"), Some(5432), false, 1),
                (Protocol::Postgres, ip("10.0.5.11"), Some(5432), true, 3),
                (
                    Protocol::Mysql,
                    Host::Name("db-01".into()),
                    Some(3306),
                    false,
                    5
                ),
                (Protocol::Memcached, ip("10.0.3.11"), Some(11211), false, 6),
                (Protocol::Postgres, ip("10.0.5.20"), Some(5432), false, 8),
                (
                    Protocol::Amqp,
                    Host::Name("mq".into()),
                    Some(5672),
                    false,
                    9
                ),
            ]
        );
        let (_, w) = endpoints(&parse("API_HOST=10.0.9.1\n"));
        assert_eq!(w.len(), 1);
        assert!(w[0].1.contains("which protocol"));
    }

    #[test]
    fn the_bundles_variables() {
        let got = eps(
            "BIND=10.0.2.11\nPORT=8000\nDB_WRITE=10.0.5.10:5432\nDB_READ=10.0.5.10:5432\nDB_KIND=postgres\n\
             DB_DB_WRITE=10.0.5.10:5432\nDB_DB_READ=10.0.5.10:5432\nDB_DB_KIND=postgres\n\
             DB_REPORTS_01_READ=10.0.6.11:3306\nDB_REPORTS_01_KIND=mysql\n\
             REDIS_SESSIONS_READ=10.0.4.11:6379,10.0.4.12:6379\nREDIS_URL=redis://:pw@10.0.4.11:6379\n\
             MEMCACHED_CACHE_01_SERVERS=10.0.3.11:11211\nMEMCACHED_SERVERS=10.0.3.11:11211\n\
             AMQP_QUEUE_SERVERS=10.0.7.11:5672,10.0.7.12:5672\nAMQP_SERVERS=10.0.7.11:5672,10.0.7.12:5672\n\
             LEDGER_ADDR=ledger.example:9000\n",
        );
        assert_eq!(
            got,
            [
                (Protocol::Postgres, ip("10.0.5.10"), Some(5432), false, 6),
                (Protocol::Mysql, ip("10.0.6.11"), Some(3306), true, 9),
                (Protocol::Redis, ip("10.0.4.11"), Some(6379), true, 11),
                (Protocol::Redis, ip("10.0.4.12"), Some(6379), true, 11),
                (Protocol::Memcached, ip("10.0.3.11"), Some(11211), false, 13),
                (Protocol::Amqp, ip("10.0.7.11"), Some(5672), false, 15),
                (Protocol::Amqp, ip("10.0.7.12"), Some(5672), false, 15),
                (
                    Protocol::Tcp,
                    Host::Name("ledger.example".into()),
                    Some(9000),
                    false,
                    17
                ),
            ]
        );
    }
}
