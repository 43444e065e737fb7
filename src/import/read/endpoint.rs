//! Where a config says requests go, in the forms the web readers meet:
//! `ADDR:PORT`, `[V6]:PORT`, `NAME:PORT`, URLs (`scheme://user:pw@h1:p1,h2/db`),
//! and the protocol a scheme or a port stands for (from the roles table).
//! Shared by the nginx and app readers.

use crate::import::facts::Target;
use crate::import::tree::HostFiles;
use crate::model::{Protocol, Role};
use std::net::IpAddr;

/// A host as a config writes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// `*`, `0.0.0.0`, `[::]`: every address of the host.
    Any,
    Ip(IpAddr),
    Name(String),
}

/// Splits `h:p`, `[v6]:p`, `v6`, `h` into a host and an optional port;
/// None when the port is not a number or the host is empty.
pub fn split_host_port(s: &str) -> Option<(Host, Option<u16>)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (h, port)
    } else if s.matches(':').count() > 1 {
        // A bare IPv6 address (no port).
        (s, None)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => None,
    };
    let host = match host {
        "" => return None,
        "*" => Host::Any,
        h => match h.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => Host::Any,
            Ok(ip) => Host::Ip(ip),
            Err(_) => Host::Name(h.trim_end_matches('.').to_ascii_lowercase()),
        },
    };
    Some((host, port))
}

/// Whether a host is this host itself (`localhost`, `127.0.0.0/8`, `::1`).
pub fn is_local(host: &Host) -> bool {
    match host {
        Host::Ip(ip) => ip.is_loopback(),
        Host::Name(n) => n == "localhost" || n.ends_with(".localhost"),
        Host::Any => false,
    }
}

/// The [`Target`] of a host and port: a loopback address or `localhost`
/// is the host `h` itself (by its folder's name, which infer resolves);
/// `*` is not a target.
pub fn target(h: &HostFiles, host: &Host, port: Option<u16>) -> Option<Target> {
    if is_local(host) {
        return Some(Target::Name(h.name.clone(), port));
    }
    match host {
        Host::Any => None,
        Host::Ip(ip) => Some(Target::Addr(*ip, port)),
        Host::Name(n) => Some(Target::Name(n.clone(), port)),
    }
}

/// The protocol a URL scheme names (`postgresql+psycopg2` is
/// `postgresql`); None for schemes stackc does not model.
pub fn scheme_protocol(scheme: &str) -> Option<Protocol> {
    let s = scheme.to_ascii_lowercase();
    let s = s.split('+').next().unwrap_or("");
    Some(match s {
        "http" | "ws" => Protocol::Http,
        "https" | "wss" => Protocol::Https,
        "mysql" | "mysql2" | "mariadb" | "mysqlx" => Protocol::Mysql,
        "postgres" | "postgresql" | "pgsql" | "pg" => Protocol::Postgres,
        "redis" | "rediss" | "valkey" => Protocol::Redis,
        "memcache" | "memcached" => Protocol::Memcached,
        "amqp" | "amqps" => Protocol::Amqp,
        "tcp" => Protocol::Tcp,
        _ => return None,
    })
}

/// The protocol of a kind word (`DB_KIND=postgres`, `DB_ENGINE=mysql`): a
/// role's name from the table (its default protocol) or a URL scheme.
pub fn kind_protocol(word: &str) -> Option<Protocol> {
    let w = word.trim().to_ascii_lowercase();
    // `django.db.backends.postgresql`: the last dotted word.
    let w = w.rsplit('.').next().unwrap_or("");
    Role::lookup(w)
        .filter(|r| r.spec().deployed)
        .map(|r| r.spec().protocol())
        .or_else(|| scheme_protocol(w))
}

/// The data protocol a port is the default of in the roles table (3306 is
/// mysql), else `tcp`. HTTP ports are left to the caller.
pub fn port_protocol(port: u16) -> Protocol {
    Role::all()
        .flat_map(|r| r.spec().serves.iter())
        .find(|(p, d)| *d == port && !p.is_http())
        .map_or(Protocol::Tcp, |(p, _)| *p)
}

/// A parsed URL: scheme, hosts with their ports (several in
/// `postgres://h1:5432,h2:5432/db`), path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub hosts: Vec<(Host, Option<u16>)>,
    pub path: String,
}

/// `scheme://[user[:password]@]host[:port][,host[:port]...][/path][?query]`;
/// None when `s` is not of that form (a `unix:` socket, a variable).
pub fn parse_url(s: &str) -> Option<Url> {
    let (scheme, rest) = s.trim().split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    // The password may hold `@`: the hosts follow the last one.
    let hosts_part = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut hosts = Vec::new();
    for part in hosts_part.split(',') {
        hosts.push(split_host_port(part)?);
    }
    Some(Url {
        scheme: scheme.to_ascii_lowercase(),
        hosts,
        path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ports() {
        let ip = |s: &str| Host::Ip(s.parse().unwrap());
        assert_eq!(
            split_host_port("10.0.0.1:80"),
            Some((ip("10.0.0.1"), Some(80)))
        );
        assert_eq!(
            split_host_port("[2001:db8::1]:443"),
            Some((ip("2001:db8::1"), Some(443)))
        );
        assert_eq!(
            split_host_port("2001:db8::1"),
            Some((ip("2001:db8::1"), None))
        );
        assert_eq!(split_host_port("[::]:80"), Some((Host::Any, Some(80))));
        assert_eq!(split_host_port("*:8080"), Some((Host::Any, Some(8080))));
        assert_eq!(
            split_host_port("App-01.:8000"),
            Some((Host::Name("app-01".into()), Some(8000)))
        );
        assert_eq!(split_host_port("h:x"), None);
        assert_eq!(split_host_port("h:0"), None);
        assert_eq!(split_host_port(""), None);
    }

    #[test]
    fn urls() {
        let u = parse_url("postgresql+psycopg2://app:p@ss@db-1:5433,10.0.5.12/shop?x=1").unwrap();
        assert_eq!(u.scheme, "postgresql+psycopg2");
        assert_eq!(
            u.hosts,
            [
                (Host::Name("db-1".into()), Some(5433)),
                (Host::Ip("10.0.5.12".parse().unwrap()), None)
            ]
        );
        assert_eq!(u.path, "/shop?x=1");
        assert_eq!(scheme_protocol(&u.scheme), Some(Protocol::Postgres));
        assert!(parse_url("unix:/run/x.sock").is_none());
        assert!(parse_url("http://$backend").is_some());
        assert_eq!(kind_protocol("mysql"), Some(Protocol::Mysql));
        assert_eq!(
            kind_protocol("django.db.backends.postgresql"),
            Some(Protocol::Postgres)
        );
        assert_eq!(kind_protocol("external"), None);
        assert_eq!(port_protocol(6379), Protocol::Redis);
        assert_eq!(port_protocol(9000), Protocol::Tcp);
    }
}
