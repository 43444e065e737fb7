//! The BIND reader: zone files on a host and in a bundle's `dns/` folder
//! (the pseudo-host `dns`), as A, AAAA and CNAME [`Fact::Record`]s.
//!
//! Which files, and the domain of each:
//! - `zone "NAME" { type master|primary; file "PATH"; };` in
//!   `/etc/bind/named.conf` and what it `include`s (relative paths from
//!   `options { directory ...; }`, Debian's `/var/cache/bind`): NAME;
//! - other files `/etc/bind/db.*`, `/etc/bind/zones/*`, and any `*.zone`
//!   file (a bundle's `dns/DOMAIN.zone`): their first `$ORIGIN`, else the
//!   file name (`db.` and `.zone`/`.db` taken off);
//! - Debian's own zones (`localhost`, the `*.arpa` reverse zones, the root
//!   hints: `db.local`, `db.127`, `db.0`, `db.255`, `db.empty`, `db.root`)
//!   are left out.
//!
//! A record's `label` is its name relative to the domain (`@` for the
//! apex, `www`, `a.b`); a name outside the domain is a warning. A CNAME's
//! `value` is its absolute target (lowercase, without the final dot).
//! `ttl` is the record's own TTL, else the `$TTL` in force (infer takes the
//! domain's `ttl=` from them).

mod named;
pub mod zone;

use super::origin;
use crate::import::facts::{Fact, Facts};
use crate::import::read::nginx::glob_match;
use crate::import::tree::{Entry, HostFiles};

const MAX_BYTES: usize = 32 << 20;
const DEBIAN_FILES: &[&str] = &[
    "db.local", "db.127", "db.0", "db.255", "db.empty", "db.root",
];

pub fn read(h: &HostFiles, facts: &mut Facts) {
    // (path, domain when named.conf says it).
    let mut zones: Vec<(String, Option<String>, u32, String)> = Vec::new();
    for z in named::zones(h, facts) {
        zones.push((z.file, Some(z.name), z.line, z.conf));
    }
    for p in h.files.keys() {
        let found = glob_match("/etc/bind/db.*", p)
            || glob_match("/etc/bind/zones/*", p)
            || p.ends_with(".zone");
        let name = p.rsplit('/').next().unwrap_or(p);
        if found && !DEBIAN_FILES.contains(&name) && !zones.iter().any(|z| &z.0 == p) {
            zones.push((p.clone(), None, 0, String::new()));
        }
    }
    let mut parsed_bytes = 0usize;
    let mut pairs = std::collections::HashSet::new();
    for (path, domain, line, conf) in zones {
        if domain.as_deref().is_some_and(skipped_zone)
            || !pairs.insert((path.clone(), domain.clone()))
        {
            continue;
        }
        let text = match h.get(&path) {
            Some(Entry::Text(t)) => t,
            Some(Entry::Skipped(why)) => {
                facts.warn(origin(h, &path, 0), format!("zone file not read ({why})"));
                continue;
            }
            None => {
                facts.warn(
                    origin(h, &conf, line),
                    format!("zone file {path}: not among the host's files"),
                );
                continue;
            }
        };
        // Bounded: many zones of one big file cost at most this much.
        parsed_bytes += text.len();
        if parsed_bytes > MAX_BYTES {
            facts.warn(
                origin(h, &path, 0),
                format!(
                    "zone files of more than {} MiB in all: the rest is not read",
                    MAX_BYTES >> 20
                ),
            );
            break;
        }
        let include = |f: &str| h.text(f).map(str::to_string);
        // Without a zone statement, relative names before any $ORIGIN are
        // relative to the file's name.
        let guess = domain.clone().unwrap_or_else(|| from_file_name(&path));
        let parsed = zone::parse(&path, text, Some(&guess), &include);
        for (p, l, m) in &parsed.warnings {
            facts.warn(origin(h, p, *l), m.clone());
        }
        let domain = domain
            .map(|d| d.trim_end_matches('.').to_ascii_lowercase())
            .or(parsed.first_origin.clone())
            .unwrap_or_else(|| from_file_name(&path));
        if skipped_zone(&domain) {
            continue;
        }
        for r in parsed.records {
            let label = if r.name == domain {
                "@".to_string()
            } else if let Some(l) = r.name.strip_suffix(&format!(".{domain}")) {
                l.to_string()
            } else {
                facts.warn(
                    origin(h, &r.path, r.line),
                    format!("{} is not in the zone {domain}: left out", r.name),
                );
                continue;
            };
            facts.add(
                Fact::Record {
                    domain: domain.clone(),
                    label,
                    rtype: r.rtype.to_string(),
                    value: r.value,
                    ttl: r.ttl,
                },
                origin(h, &r.path, r.line),
            );
        }
    }
}

/// Debian's own zones.
fn skipped_zone(d: &str) -> bool {
    let d = d.trim_end_matches('.');
    d.is_empty() || d == "localhost" || d.ends_with(".arpa") || d == "arpa"
}

/// `db.shop.example`, `shop.example.zone` -> `shop.example`.
fn from_file_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let name = name.strip_prefix("db.").unwrap_or(name);
    let name = name
        .strip_suffix(".zone")
        .or_else(|| name.strip_suffix(".db"))
        .unwrap_or(name);
    name.to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
