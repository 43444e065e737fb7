//! The nginx reader: `/etc/nginx/nginx.conf` and what it includes (without
//! an `nginx.conf`, as Debian's does: `conf.d/*.conf` and `sites-enabled/*`
//! inside `http`, which is how a bundle's host looks: it writes
//! `conf.d/stackc.conf` only).
//!
//! What it emits, per host:
//! - `Runs(nginx)` when a configuration exists (origin: its first file);
//! - per `server` block's `listen` (in `http`): `Serves` http, or https with
//!   `tls` for `listen ... ssl` (or `ssl on;`), with the address when it
//!   names one; a `server` without `listen` serves `*:80`. Listens on
//!   loopback are the host's own business and left out. In `stream`:
//!   `Serves` of the protocol the port is the table's default of (else
//!   `tcp`). Each specific non-loopback listen address is also an
//!   `Address` (infer tells vips from the host's own addresses);
//! - per `upstream NAME { server ADDR[:PORT] [backup]; }`: a `Pool` of the
//!   protocol its `proxy_pass` speaks (`http`/`https`; `grpc(s)` is
//!   http(s); `fastcgi_pass`, `uwsgi_pass`, `scgi_pass` and `stream` are
//!   the port's protocol or `tcp`); `down` members are left out, with a
//!   warning;
//! - per distinct `*_pass` target: `Sends` to the pool when it names an
//!   upstream (without a port, as nginx resolves it), else to the address
//!   or name (loopback and `localhost` are the host itself); a target with
//!   a variable is a warning. An upstream no `*_pass` uses is still read as
//!   a link (`Sends` to it, a warning): the bundle writes one per link.

mod conf;

use super::endpoint::{self, Host};
use super::origin;
use crate::import::facts::{Fact, Facts, PoolMember, Target};
use crate::import::tree::HostFiles;
use crate::model::{Kit, Protocol, Role};
use conf::{Directive, Loader};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

pub use conf::glob_match;

const MAIN: &str = "/etc/nginx/nginx.conf";
/// What Debian's `nginx.conf` includes, read when there is no
/// `nginx.conf` among the host's files.
const DEBIAN_HTTP: &str =
    "http {\n include /etc/nginx/conf.d/*.conf;\n include /etc/nginx/sites-enabled/*;\n}\n";

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
enum Ctx {
    Http,
    Stream,
}

struct Upstream {
    name: String,
    ctx: Ctx,
    members: Vec<PoolMember>,
    /// The protocol of the first `*_pass` that uses it.
    protocol: Option<Protocol>,
    path: String,
    line: u32,
}

/// (protocol, target, pool, path, line).
type Send = (Protocol, Option<Target>, Option<String>, String, u32);

#[derive(Default)]
struct Read {
    upstreams: Vec<Upstream>,
    /// (protocol, target, pool, path, line), in file order.
    sends: Vec<Send>,
    /// (protocol, addr, port, tls, path, line).
    serves: Vec<(Protocol, Option<IpAddr>, u16, bool, String, u32)>,
    /// Passes not resolved yet (an upstream may be declared after its use).
    passes: Vec<Pass>,
}

struct Pass {
    ctx: Ctx,
    protocol: Protocol,
    host: Host,
    port: Option<u16>,
    path: String,
    line: u32,
}

/// The host's nginx config as nginx reads it: its `nginx.conf`, else
/// Debian's default one over the `conf.d`/`sites-enabled` files the host
/// has; with the first file. None: no nginx here.
fn load(h: &HostFiles, facts: &mut Facts) -> Option<(String, Vec<Directive>)> {
    if let Some(text) = h.text(MAIN) {
        let mut l = Loader::new(h, facts);
        return Some((MAIN.to_string(), l.file(MAIN, text)));
    }
    if let Some(crate::import::tree::Entry::Skipped(why)) = h.get(MAIN) {
        facts.warn(origin(h, MAIN, 0), format!("not read ({why})"));
    }
    let first = h
        .files
        .keys()
        .find(|p| {
            glob_match("/etc/nginx/conf.d/*.conf", p) || glob_match("/etc/nginx/sites-enabled/*", p)
        })
        .cloned()?;
    let mut l = Loader::new(h, facts);
    Some((first, l.file("(Debian's nginx.conf)", DEBIAN_HTTP)))
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let role = Role::of_kit(Kit::Nginx);
    let Some((first, tree)) = load(h, facts) else {
        return;
    };
    facts.add(Fact::Runs(role), origin(h, &first, 0));
    let mut r = Read::default();
    for d in &tree {
        match (d.name.as_str(), &d.block) {
            ("http", Some(b)) => context(h, facts, &mut r, Ctx::Http, b),
            ("stream", Some(b)) => context(h, facts, &mut r, Ctx::Stream, b),
            _ => {}
        }
    }
    resolve(h, facts, &mut r);
    emit(h, facts, role, r);
}

/// The paths nginx answers by passing the request on (`location =
/// /healthz { proxy_pass http://up_app/healthz; }`), with the ports of
/// their server: a check of such a path fails when nothing behind
/// answers, so a keepalived script probing it watches the backends.
pub fn passed_paths(h: &HostFiles) -> Vec<(Vec<Option<u16>>, String)> {
    // The warnings are `read`'s to give.
    let mut quiet = Facts::default();
    let Some((_, tree)) = load(h, &mut quiet) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in &tree {
        let Some(("http", b)) = d.block.as_ref().map(|b| (d.name.as_str(), b)) else {
            continue;
        };
        for srv in b.iter().filter(|x| x.name == "server") {
            let Some(inner) = &srv.block else { continue };
            let ports: Vec<Option<u16>> = inner
                .iter()
                .filter(|x| x.name == "listen")
                .filter_map(|l| l.args.first())
                .map(|spec| {
                    if spec.bytes().all(|c| c.is_ascii_digit()) {
                        spec.parse().ok()
                    } else {
                        endpoint::split_host_port(spec).and_then(|(_, p)| p.or(Some(80)))
                    }
                })
                .collect();
            let ports = if ports.is_empty() {
                vec![Some(80)]
            } else {
                ports
            };
            for loc in inner.iter().filter(|x| x.name == "location") {
                let path = match loc.args.as_slice() {
                    [eq, p] if eq == "=" || eq == "^~" => p,
                    [p] => p,
                    _ => continue,
                };
                let passes = loc.block.as_ref().is_some_and(|lb| {
                    lb.iter().any(|x| {
                        matches!(
                            x.name.as_str(),
                            "proxy_pass"
                                | "fastcgi_pass"
                                | "uwsgi_pass"
                                | "grpc_pass"
                                | "scgi_pass"
                        )
                    })
                });
                if passes {
                    out.push((ports.clone(), path.clone()));
                }
            }
        }
    }
    out
}

/// The directives of `http` or `stream`.
fn context(h: &HostFiles, facts: &mut Facts, r: &mut Read, ctx: Ctx, b: &[Directive]) {
    for d in b {
        match (d.name.as_str(), &d.block) {
            ("upstream", Some(inner)) if d.args.len() == 1 => {
                let members = members(h, facts, inner);
                r.upstreams.push(Upstream {
                    name: d.args[0].clone(),
                    ctx,
                    members,
                    protocol: None,
                    path: d.path.clone(),
                    line: d.line,
                });
            }
            ("server", Some(inner)) => server(facts, h, r, ctx, d, inner),
            _ => {}
        }
    }
}

fn members(h: &HostFiles, facts: &mut Facts, b: &[Directive]) -> Vec<PoolMember> {
    let mut out = Vec::new();
    for d in b.iter().filter(|d| d.name == "server" && d.block.is_none()) {
        let Some(addr) = d.args.first() else { continue };
        if addr.starts_with("unix:") {
            continue;
        }
        let Some((host, port)) = endpoint::split_host_port(addr) else {
            facts.warn(
                origin(h, &d.path, d.line),
                format!("upstream server `{addr}`: not an address"),
            );
            continue;
        };
        let flags = &d.args[1..];
        if flags.iter().any(|f| f == "down") {
            facts.warn(
                origin(h, &d.path, d.line),
                format!("upstream server {addr} is marked `down`: left out"),
            );
            continue;
        }
        let Some(target) = endpoint::target(h, &host, Some(port.unwrap_or(80))) else {
            continue;
        };
        out.push(PoolMember {
            name: None,
            target,
            backup: flags.iter().any(|f| f == "backup"),
            line: d.line,
        });
    }
    out
}

fn server(
    facts: &mut Facts,
    h: &HostFiles,
    r: &mut Read,
    ctx: Ctx,
    d: &Directive,
    b: &[Directive],
) {
    let ssl_on = b
        .iter()
        .any(|x| x.name == "ssl" && x.args.first().is_some_and(|a| a == "on"));
    let mut listened = false;
    for l in b.iter().filter(|x| x.name == "listen") {
        listened = true;
        let Some(spec) = l.args.first() else { continue };
        if spec.starts_with("unix:") {
            continue;
        }
        // `listen 8080` is a port, `listen 10.0.0.1` an address on 80.
        let parsed = if spec.bytes().all(|c| c.is_ascii_digit()) {
            spec.parse::<u16>().ok().map(|p| (Host::Any, Some(p)))
        } else {
            endpoint::split_host_port(spec)
        };
        let Some((host, port)) = parsed else {
            facts.warn(
                origin(h, &l.path, l.line),
                format!("listen `{spec}`: not an address"),
            );
            continue;
        };
        if endpoint::is_local(&host) {
            continue;
        }
        let tls = ssl_on || l.args[1..].iter().any(|a| a == "ssl" || a == "quic");
        let port = port.unwrap_or(if tls { 443 } else { 80 });
        let protocol = match ctx {
            Ctx::Http if tls => Protocol::Https,
            Ctx::Http => Protocol::Http,
            Ctx::Stream => endpoint::port_protocol(port),
        };
        let addr = match host {
            Host::Ip(ip) => Some(ip),
            Host::Any | Host::Name(_) => None,
        };
        r.serves
            .push((protocol, addr, port, tls, l.path.clone(), l.line));
    }
    if !listened && ctx == Ctx::Http {
        r.serves
            .push((Protocol::Http, None, 80, false, d.path.clone(), d.line));
    }
    passes(facts, h, r, ctx, b);
}

/// Every `*_pass` inside a server (its locations, `if`s, nested locations).
fn passes(facts: &mut Facts, h: &HostFiles, r: &mut Read, ctx: Ctx, b: &[Directive]) {
    for d in b {
        if let Some(inner) = &d.block {
            passes(facts, h, r, ctx, inner);
            continue;
        }
        let scheme_default = match (d.name.as_str(), ctx) {
            ("proxy_pass", Ctx::Http) => None,
            ("grpc_pass", Ctx::Http) => Some(Protocol::Http),
            ("fastcgi_pass" | "uwsgi_pass" | "scgi_pass", Ctx::Http) => Some(Protocol::Tcp),
            ("proxy_pass", Ctx::Stream) => Some(Protocol::Tcp),
            _ => continue,
        };
        let Some(arg) = d.args.first() else { continue };
        if arg.contains('$') {
            facts.warn(
                origin(h, &d.path, d.line),
                format!("{} {arg}: a variable, not followed", d.name),
            );
            continue;
        }
        let (protocol, hostport) = match arg.split_once("://") {
            Some((scheme, rest)) => {
                let p = match scheme.to_ascii_lowercase().as_str() {
                    "grpc" => Some(Protocol::Http),
                    "grpcs" => Some(Protocol::Https),
                    s => endpoint::scheme_protocol(s).filter(|p| p.is_http()),
                };
                let Some(p) = p else {
                    facts.warn(
                        origin(h, &d.path, d.line),
                        format!("{} {arg}: an unknown scheme", d.name),
                    );
                    continue;
                };
                let end = rest.find(['/', '?']).unwrap_or(rest.len());
                (p, &rest[..end])
            }
            None => match scheme_default {
                Some(p) => (p, arg.as_str()),
                None => {
                    facts.warn(
                        origin(h, &d.path, d.line),
                        format!("{} {arg}: no scheme", d.name),
                    );
                    continue;
                }
            },
        };
        if hostport.starts_with("unix:") {
            continue;
        }
        let Some((host, port)) = endpoint::split_host_port(hostport) else {
            facts.warn(
                origin(h, &d.path, d.line),
                format!("{} {arg}: not an address", d.name),
            );
            continue;
        };
        r.passes.push(Pass {
            ctx,
            protocol,
            host,
            port,
            path: d.path.clone(),
            line: d.line,
        });
    }
}

/// Passes to upstreams or addresses; the upstreams' protocols.
fn resolve(h: &HostFiles, facts: &mut Facts, r: &mut Read) {
    let by_name: HashMap<(Ctx, String), usize> = r
        .upstreams
        .iter()
        .enumerate()
        .rev()
        .map(|(i, u)| ((u.ctx, u.name.to_ascii_lowercase()), i))
        .collect();
    let mut seen: HashSet<(Protocol, Option<Target>, Option<String>)> = HashSet::new();
    for p in std::mem::take(&mut r.passes) {
        let up = match (&p.host, p.port) {
            (Host::Name(n), None) => by_name
                .get(&(p.ctx, n.clone()))
                .map(|i| &mut r.upstreams[*i]),
            _ => None,
        };
        let (protocol, to, pool) = match up {
            Some(u) => {
                let proto = *u.protocol.get_or_insert(match p.protocol {
                    Protocol::Tcp => u
                        .members
                        .first()
                        .and_then(|m| m.target.port())
                        .map_or(Protocol::Tcp, endpoint::port_protocol),
                    other => other,
                });
                (proto, None, Some(u.name.clone()))
            }
            None => {
                let port = p.port.or(p.protocol.default_port());
                let protocol = match p.protocol {
                    Protocol::Tcp => port.map_or(Protocol::Tcp, endpoint::port_protocol),
                    other => other,
                };
                let Some(t) = endpoint::target(h, &p.host, port) else {
                    continue;
                };
                if port.is_none() {
                    facts.warn(origin(h, &p.path, p.line), "a target without a port");
                }
                (protocol, Some(t), None)
            }
        };
        if seen.insert((protocol, to.clone(), pool.clone())) {
            r.sends.push((protocol, to, pool, p.path, p.line));
        }
    }
    for u in &mut r.upstreams {
        if u.protocol.is_some() {
            continue;
        }
        let proto = match u.ctx {
            Ctx::Http => Protocol::Http,
            Ctx::Stream => u
                .members
                .first()
                .and_then(|m| m.target.port())
                .map_or(Protocol::Tcp, endpoint::port_protocol),
        };
        u.protocol = Some(proto);
        facts.warn(
            origin(h, &u.path, u.line),
            format!(
                "upstream {} is not used by any proxy_pass: read as a link all the same",
                u.name
            ),
        );
        r.sends
            .push((proto, None, Some(u.name.clone()), u.path.clone(), u.line));
    }
}

fn emit(h: &HostFiles, facts: &mut Facts, role: Role, r: Read) {
    let mut addrs: HashSet<IpAddr> = HashSet::new();
    let mut seen = HashSet::new();
    for (protocol, addr, port, tls, path, line) in r.serves {
        if let Some(a) = addr.filter(|a| addrs.insert(*a)) {
            facts.add(Fact::Address(a), origin(h, &path, line));
        }
        if !seen.insert((protocol, addr, port, tls)) {
            continue;
        }
        facts.add(
            Fact::Serves {
                role,
                protocol,
                addr,
                port,
                tls,
            },
            origin(h, &path, line),
        );
    }
    for u in r.upstreams {
        if u.members.is_empty() {
            facts.warn(
                origin(h, &u.path, u.line),
                format!("upstream {} has no server", u.name),
            );
        }
        facts.add(
            Fact::Pool {
                name: u.name,
                protocol: u.protocol.unwrap_or(Protocol::Http),
                members: u.members,
            },
            origin(h, &u.path, u.line),
        );
    }
    for (protocol, to, pool, path, line) in r.sends {
        facts.add(
            Fact::Sends {
                protocol,
                to,
                pool,
                read: false,
            },
            origin(h, &path, line),
        );
    }
}

#[cfg(test)]
mod tests;
