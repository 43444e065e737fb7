//! What the data readers (MySQL/MariaDB, PostgreSQL, Redis, memcached,
//! RabbitMQ) share: a daemon's listen addresses as facts, `host[:port]`
//! targets, on/off values and quoted words.
//!
//! An address a daemon binds is a [`Fact::Serves`] with that address, and a
//! [`Fact::Address`] unless it is a loopback or wildcard one (a vip the host
//! binds is reported too: [`super::super::infer`] decides which addresses
//! are vips). A wildcard (`0.0.0.0`, `::`, `*`) is a `Serves` with no
//! address; a name (`localhost`, a DNS name) is a warning.

use crate::import::facts::{Fact, Facts, Origin, Target};
use crate::import::tree::{Entry, HostFiles};
use crate::model::{Protocol, Role};
use std::net::IpAddr;

/// One listen address as a config writes it, with where it was written.
pub struct Bind<'a> {
    pub addr: &'a str,
    pub origin: Origin,
}

/// The facts of a daemon of `role` listening on `binds` (none: every
/// address) at `port`.
pub fn serves(
    facts: &mut Facts,
    role: Role,
    protocol: Protocol,
    binds: &[Bind],
    port: u16,
    tls: bool,
    port_origin: &Origin,
) {
    if binds.is_empty() {
        let fact = Fact::Serves {
            role,
            protocol,
            addr: None,
            port,
            tls,
        };
        facts.add(fact, port_origin.clone());
        return;
    }
    let mut seen: Vec<Option<IpAddr>> = Vec::new();
    for b in binds {
        let text = b.addr.trim().trim_start_matches('[').trim_end_matches(']');
        let addr = match text {
            "*" | "0.0.0.0" | "::" | "::*" => None,
            "localhost" => Some(IpAddr::from([127, 0, 0, 1])),
            t => match t.parse::<IpAddr>() {
                Ok(a) if a.is_unspecified() => None,
                Ok(a) => Some(a),
                Err(_) => {
                    facts.warn(
                        b.origin.clone(),
                        format!(
                            "`{}`: not an IP address; the listen address is left out",
                            b.addr
                        ),
                    );
                    continue;
                }
            },
        };
        if seen.contains(&addr) {
            continue;
        }
        seen.push(addr);
        if let Some(a) = addr.filter(|a| !a.is_loopback()) {
            facts.add(Fact::Address(a), b.origin.clone());
        }
        let fact = Fact::Serves {
            role,
            protocol,
            addr,
            port,
            tls,
        };
        facts.add(fact, b.origin.clone());
    }
}

/// A replication source as written: an address or a name, and the port
/// when given.
pub fn target(host: &str, port: Option<u16>) -> Target {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    match h.parse::<IpAddr>() {
        Ok(a) => Target::Addr(a, port),
        Err(_) => Target::Name(h.to_string(), port),
    }
}

/// `ON`/`1`/`TRUE`/`YES` and `OFF`/`0`/`FALSE`/`NO` (any case).
pub fn on_off(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "1" | "true" | "yes" | "force" => Some(true),
        "off" | "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// `v` without one pair of surrounding `'` or `"`.
pub fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['\'', '"'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Splits `line` into words, a word in `"..."` or `'...'` (with `\`
/// escapes in double quotes) kept whole, as Redis and shells do.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            '"' | '\'' => {
                any = true;
                while let Some(d) = chars.next() {
                    match d {
                        d if d == c => break,
                        '\\' if c == '"' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        d => cur.push(d),
                    }
                }
            }
            c => {
                any = true;
                cur.push(c);
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// `ADDR:PORT`, `[V6]:PORT` or `PORT` (RabbitMQ listeners, memcached `-l`).
pub fn addr_port(v: &str) -> (Option<&str>, Option<u16>) {
    let v = v.trim();
    if let Ok(p) = v.parse::<u16>() {
        return (None, Some(p));
    }
    if let Some(rest) = v.strip_prefix('[') {
        if let Some((a, tail)) = rest.split_once(']') {
            return (Some(a), tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match v.rsplit_once(':') {
        // One colon: IPv4 or a name with a port; more: a bare IPv6.
        Some((a, p)) if !a.contains(':') => (Some(a), p.parse().ok()),
        _ => (Some(v), None),
    }
}

/// The name of `path` when it is a file directly in the folder `dir`
/// (what `!includedir`, `include_dir` and an include's `*` read).
pub fn file_in<'a>(dir: &str, path: &'a str) -> Option<&'a str> {
    let rest = path
        .strip_prefix(dir.trim_end_matches('/'))?
        .strip_prefix('/')?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

/// A warning when the CLI skipped `path` (too large, binary, unreadable).
pub fn skipped(h: &HostFiles, path: &str, facts: &mut Facts) {
    if let Some(Entry::Skipped(why)) = h.get(path) {
        facts.warn(super::origin(h, path, 0), format!("not read: {why}"));
    }
}

/// How deep a config's includes are followed (my.cnf's `!include`,
/// postgresql.conf's `include`).
pub const INCLUDE_DEPTH: usize = 8;

/// Enters the config file `path` of an include chain: its text, with
/// `path` pushed on `stack`; `None`, with a warning, when it cannot be read
/// (skipped by the walk), is [`INCLUDE_DEPTH`] deep or is already on the
/// chain (a loop).
pub fn enter<'h>(
    h: &'h HostFiles,
    path: &str,
    stack: &mut Vec<String>,
    facts: &mut Facts,
) -> Option<&'h str> {
    let Some(text) = h.text(path) else {
        skipped(h, path, facts);
        return None;
    };
    if stack.len() >= INCLUDE_DEPTH || stack.iter().any(|s| s == path) {
        let at = stack.last().map_or(path, String::as_str);
        facts.warn(
            super::origin(h, at, 0),
            format!("`{path}`: an include loop, cut"),
        );
        return None;
    }
    stack.push(path.to_string());
    Some(text)
}

/// The port of `v` in a config, or a warning and `None`.
pub fn port(facts: &mut Facts, v: &str, origin: &Origin) -> Option<u16> {
    match unquote(v).trim().parse::<u16>() {
        Ok(p) => Some(p),
        Err(_) => {
            facts.warn(origin.clone(), format!("`{v}`: not a port number"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_parts() {
        assert_eq!(
            words("requirepass \"a b\\\"c\"\t'x y' z"),
            ["requirepass", "a b\"c", "x y", "z"]
        );
        assert!(words("   ").is_empty());
        assert_eq!(words("a \"\""), ["a", ""]);
    }

    #[test]
    fn addr_port_forms() {
        assert_eq!(addr_port("5672"), (None, Some(5672)));
        assert_eq!(addr_port("10.0.0.1:5672"), (Some("10.0.0.1"), Some(5672)));
        assert_eq!(addr_port("[::1]:5672"), (Some("::1"), Some(5672)));
        assert_eq!(addr_port("2001:db8::1"), (Some("2001:db8::1"), None));
    }

    #[test]
    fn serves_reports_addresses_but_not_loopback_or_wildcards() {
        let role = Role::of_kit(crate::model::Kit::Redis);
        let o = Origin::new("h", "/f", 1);
        let mut f = Facts::default();
        let binds = [
            Bind {
                addr: "10.0.0.1",
                origin: o.clone(),
            },
            Bind {
                addr: "127.0.0.1",
                origin: o.clone(),
            },
            Bind {
                addr: "::",
                origin: o.clone(),
            },
            Bind {
                addr: "db.example",
                origin: o.clone(),
            },
        ];
        serves(&mut f, role, Protocol::Redis, &binds, 6379, false, &o);
        let addrs: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Address(a) => Some(a.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(addrs, ["10.0.0.1"]);
        let served = f
            .facts
            .iter()
            .filter(|(_, x, _)| matches!(x, Fact::Serves { .. }))
            .count();
        assert_eq!(served, 3);
        assert_eq!(f.warnings.len(), 1);
    }
}
