//! The application's environment (ROLES.md §2): `BIND`, `PORT`,
//! `HEALTH_PATH`, `RUNTIME`, then one endpoint set per link target, named by
//! role and group:
//!
//! - a database (mysql, postgres): `DB_<IDENT>_WRITE`, `_READ`, `_NAME`,
//!   `_USER`, `_PASSWORD`, `_KIND`; the first database also without the
//!   prefix (`DB_WRITE`...);
//! - redis: `REDIS_<IDENT>_WRITE` (`address:port`), `REDIS_<IDENT>_READ`
//!   (comma-separated), `REDIS_<IDENT>_PASSWORD`; `REDIS_URL` for the first;
//! - memcached: `MEMCACHED_<IDENT>_SERVERS`, and `MEMCACHED_SERVERS` for
//!   the first (comma-separated `address:port`);
//! - an external service: `<IDENT>_URL` (`https://host[:port]`, `http://`
//!   for http) or, for other protocols (`tcp`...), `<IDENT>_ADDR=host:port`.
//!
//! Every value is an address, a port, a fixed word, a name of the `.stack`
//! grammar, a password of letters and digits, or a DNS name checked here:
//! nothing a systemd `EnvironmentFile=` reads as syntax.

use super::plan::{DbLink, Plan};
use super::secrets::Secrets;
use super::text::{env_ident, hostport};
use crate::model::{Kit, Protocol, Role, Server, ServerId};
use serde::Serialize;
use std::net::IpAddr;

/// One variable of the environment file, with the comment line before it
/// (the template writes `# DOC` then `NAME=VALUE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub doc: Option<String>,
    pub name: String,
    pub value: String,
}

impl EnvVar {
    fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        EnvVar {
            doc: None,
            name: name.into(),
            value: value.into(),
        }
    }
    fn doc(mut self, doc: impl Into<String>) -> Self {
        self.doc = Some(doc.into());
        self
    }
}

fn joined(list: &[(IpAddr, u16)]) -> String {
    list.iter()
        .map(|(ip, port)| hostport(*ip, *port))
        .collect::<Vec<_>>()
        .join(",")
}

/// A DNS name (RFC 1123 host name): labels of letters, digits and inner
/// hyphens, at most 253 characters.
pub fn is_dns_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

/// Where the apps reach an external service: its `host=` (a DNS name), else
/// its address; None when it has neither (or `host=` is not a DNS name).
pub fn external_host(srv: &Server) -> Option<String> {
    match (&srv.host, srv.address) {
        (Some(h), _) if is_dns_name(h) => Some(h.trim_end_matches('.').to_ascii_lowercase()),
        (Some(_), _) => None,
        (None, Some(a)) => Some(match a {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => format!("[{a}]"),
        }),
        (None, None) => None,
    }
}

/// The servers whose environment names the external server `x`.
pub fn users_of(p: &Plan<'_>, x: ServerId) -> Vec<String> {
    let m = p.m;
    let mut out: Vec<String> = Vec::new();
    for l in &m.links {
        if !l
            .targets
            .iter()
            .any(|t| m.target_members(&t.target).contains(&x))
        {
            continue;
        }
        for s in &l.from {
            let name = &m.server(*s).name;
            if m.server(*s).roles.has_kit(Kit::App) && !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// The environment of the application on `s` (an `app` server). The
/// passwords come from `secrets` (the bundle's, checked).
pub fn app_env(p: &Plan<'_>, secrets: &Secrets, s: ServerId) -> Vec<EnvVar> {
    let m = p.m;
    let srv = m.server(s);
    let mut out = vec![
        EnvVar::new("BIND", p.addr(s).to_string()),
        EnvVar::new("PORT", p.port(s, Kit::App).to_string()),
        EnvVar::new(
            "HEALTH_PATH",
            srv.health.clone().unwrap_or_else(|| "/healthz".into()),
        ),
    ];
    if let Some(r) = &srv.runtime {
        out.push(EnvVar::new("RUNTIME", r.clone()));
    }
    let links = p.store_links(s);
    databases(p, secrets, &links, &mut out);
    redis(p, secrets, &links, &mut out);
    memcached(p, s, &mut out);
    external(p, s, &mut out);
    out
}

fn secret(p: &Plan<'_>, secrets: &Secrets, d: &super::plan::Db, user: &str) -> String {
    secrets
        .get(&p.secret_key(d, user))
        .unwrap_or_default()
        .to_string()
}

fn databases(p: &Plan<'_>, secrets: &Secrets, links: &[DbLink], out: &mut Vec<EnvVar>) {
    let mut first = true;
    for l in links {
        let d = &p.dbs[l.db];
        match d.kit {
            Kit::Mysql | Kit::Postgres => {}
            Kit::Redis | Kit::Haproxy | Kit::Nginx | Kit::App | Kit::Memcached | Kit::External => {
                continue
            }
        }
        let mut vars: Vec<(&str, String)> = Vec::new();
        if !l.write.is_empty() {
            vars.push(("WRITE", joined(&l.write)));
        }
        let read = if l.read.is_empty() { &l.write } else { &l.read };
        vars.push(("READ", joined(read)));
        vars.push(("NAME", p.stack.clone()));
        vars.push(("USER", "app".into()));
        vars.push(("PASSWORD", secret(p, secrets, d, "app")));
        vars.push(("KIND", Role::of_kit(d.kit).name().to_string()));
        if first {
            for (i, (k, v)) in vars.iter().enumerate() {
                let var = EnvVar::new(format!("DB_{k}"), v.clone());
                out.push(if i == 0 {
                    var.doc("The first database this server links to, also without a prefix.")
                } else {
                    var
                });
            }
            first = false;
        }
        let ident = env_ident(&d.name);
        for (i, (k, v)) in vars.iter().enumerate() {
            let var = EnvVar::new(format!("DB_{ident}_{k}"), v.clone());
            out.push(if i == 0 {
                var.doc(format!("Database {}.", d.name))
            } else {
                var
            });
        }
    }
}

fn redis(p: &Plan<'_>, secrets: &Secrets, links: &[DbLink], out: &mut Vec<EnvVar>) {
    let mut first = true;
    for l in links.iter().filter(|l| p.dbs[l.db].kit == Kit::Redis) {
        let d = &p.dbs[l.db];
        let ident = env_ident(&d.name);
        let password = secret(p, secrets, d, "password");
        let mut vars = Vec::new();
        if let Some((ip, port)) = l.write.first() {
            vars.push(EnvVar::new(
                format!("REDIS_{ident}_WRITE"),
                hostport(*ip, *port),
            ));
        }
        let read = if l.read.is_empty() { &l.write } else { &l.read };
        vars.push(EnvVar::new(format!("REDIS_{ident}_READ"), joined(read)));
        vars.push(EnvVar::new(
            format!("REDIS_{ident}_PASSWORD"),
            password.clone(),
        ));
        vars[0].doc = Some(format!("Redis {}.", d.name));
        out.extend(vars);
        if first {
            if let Some((ip, port)) = l.write.first().or(read.first()) {
                out.push(
                    EnvVar::new(
                        "REDIS_URL",
                        format!("redis://:{password}@{}", hostport(*ip, *port)),
                    )
                    .doc(format!(
                        "The first Redis this server links to ({}).",
                        d.name
                    )),
                );
            }
            first = false;
        }
    }
}

/// The memcached targets of `s`'s links: name and every member's
/// `address:port`, in link order.
fn memcached(p: &Plan<'_>, s: ServerId, out: &mut Vec<EnvVar>) {
    let m = p.m;
    let mut targets: Vec<(String, Vec<(IpAddr, u16)>)> = Vec::new();
    for l in m.links.iter().filter(|l| l.from.contains(&s)) {
        for t in &l.targets {
            if !m.target_roles(t.target).has_kit(Kit::Memcached) {
                continue;
            }
            let name = m.target_name(t.target).to_string();
            let eps = p
                .endpoints(t.target, t.protocol, false)
                .into_iter()
                .map(|ip| (ip, t.port));
            let i = match targets.iter().position(|x| x.0 == name) {
                Some(i) => i,
                None => {
                    targets.push((name, Vec::new()));
                    targets.len() - 1
                }
            };
            for e in eps {
                if !targets[i].1.contains(&e) {
                    targets[i].1.push(e);
                }
            }
        }
    }
    for (i, (name, eps)) in targets.iter().enumerate() {
        let v = joined(eps);
        out.push(
            EnvVar::new(format!("MEMCACHED_{}_SERVERS", env_ident(name)), v.clone())
                .doc(format!("memcached {name}.")),
        );
        if i == 0 {
            out.push(EnvVar::new("MEMCACHED_SERVERS", v));
        }
    }
}

fn external(p: &Plan<'_>, s: ServerId, out: &mut Vec<EnvVar>) {
    let m = p.m;
    for l in m.links.iter().filter(|l| l.from.contains(&s)) {
        for t in &l.targets {
            if !m.target_roles(t.target).has_kit(Kit::External) {
                continue;
            }
            let name = m.target_name(t.target);
            let ident = env_ident(name);
            // One name for a group of external servers: its first member
            // with a host (the others are the same service's fallbacks).
            let Some(host) = m
                .target_members(&t.target)
                .iter()
                .find_map(|x| external_host(m.server(*x)))
            else {
                continue;
            };
            let var = match t.protocol {
                Protocol::Https if t.port == 443 => {
                    EnvVar::new(format!("{ident}_URL"), format!("https://{host}"))
                }
                Protocol::Http if t.port == 80 => {
                    EnvVar::new(format!("{ident}_URL"), format!("http://{host}"))
                }
                Protocol::Https | Protocol::Http => EnvVar::new(
                    format!("{ident}_URL"),
                    format!("{}://{host}:{}", t.protocol, t.port),
                ),
                Protocol::Tcp
                | Protocol::Mysql
                | Protocol::Postgres
                | Protocol::Redis
                | Protocol::Memcached => {
                    EnvVar::new(format!("{ident}_ADDR"), format!("{host}:{}", t.port))
                }
            };
            if !out.iter().any(|v| v.name == var.name) {
                out.push(var.doc(format!("External service {name} (not run by this stack).")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns_name("api.stripe.com"));
        assert!(is_dns_name("a-b.example."));
        for bad in [
            "",
            "-a.com",
            "a..b",
            "a b",
            "a\nb",
            "a;b",
            "x.com/",
            &"a".repeat(64),
        ] {
            assert!(!is_dns_name(bad), "{bad:?}");
        }
    }
}
