//! `dns/DOMAIN.zone`: a BIND zone per domain, its serial moving only when
//! its records do (`zone_serial`).

use super::super::manifest::ManifestZone;
use super::super::text::{domain, sha256_hex};
use super::super::writer::Out;
use super::super::zone_serial;
use crate::model::RecordType;
use serde::Serialize;

#[derive(Clone, Serialize)]
struct Zone {
    domain: String,
    ttl: u32,
    serial: u32,
    records: Vec<Record>,
}

#[derive(Clone, Serialize)]
struct Record {
    label: String,
    /// (`A` or `AAAA`, address) each.
    rows: Vec<(&'static str, String)>,
    comment: String,
}

pub(in crate::bundle) fn write(o: &mut Out<'_, '_>, di: usize) {
    let p = o.p;
    let m = p.m;
    let d = &m.domains[di];
    let name = domain(&d.name);
    let mut records = Vec::new();
    for r in m.records.iter().filter(|r| r.domain.index() == di) {
        let mut rows: Vec<(&'static str, String)> = Vec::new();
        for t in &r.targets {
            for ip in p.endpoints(t.target, t.protocol, false) {
                let ty = if ip.is_ipv4() { "A" } else { "AAAA" };
                let row = (ty, ip.to_string());
                if !rows.contains(&row) {
                    rows.push(row);
                }
            }
        }
        let targets = r
            .targets
            .iter()
            .map(|t| m.target_name(t.target))
            .collect::<Vec<_>>()
            .join(", ");
        let comment = if r.rtype == RecordType::Cname {
            format!(
                "{} is a CNAME to {targets} in the .stack file, written as its addresses (the bundle names no hosts)",
                r.subject
            )
        } else {
            format!("{} -> {targets}", r.subject)
        };
        records.push(Record {
            label: r.label.clone(),
            rows,
            comment,
        });
    }
    let mut zone = Zone {
        domain: name.clone(),
        ttl: d.ttl.unwrap_or(3600),
        serial: 0,
        records,
    };
    // The serial moves only when the records do (`zone_serial`).
    let records_sha256 = sha256_hex(&o.render("zone", &zone));
    let serial = zone_serial(
        o.opts.serial,
        o.opts.previous_zones.get(&name),
        &records_sha256,
    );
    zone.serial = serial;
    let bytes = o.render("zone", &zone);
    let path = format!("dns/{}", zone_file_name(&name));
    o.zones.push(ManifestZone {
        domain: name,
        file: path.clone(),
        serial,
        records_sha256,
    });
    o.put(path, bytes, 0o644, false);
}

/// The file name of a domain's zone: `DOMAIN.zone`, unless that is longer
/// than the 255 bytes a file name may have (a legal domain has up to 253):
/// then the domain's first 200 characters, `~`, and 16 hex digits of its
/// sha256, so that distinct domains keep distinct files. The manifest's
/// `zones` says which file holds which domain.
pub(crate) fn zone_file_name(domain: &str) -> String {
    const MAX: usize = 255;
    let plain = format!("{domain}.zone");
    if plain.len() <= MAX {
        return plain;
    }
    let head: String = domain.chars().take(200).collect();
    let hash = sha256_hex(domain.as_bytes());
    format!("{head}~{}.zone", &hash[..16])
}

#[cfg(test)]
mod tests {
    use super::zone_file_name;

    #[test]
    fn long_domains_get_a_short_distinct_zone_file() {
        assert_eq!(zone_file_name("foobar.com"), "foobar.com.zone");
        let label = "a".repeat(63);
        let long = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(long.len(), 253);
        let other = format!("{label}.{label}.{label}.{}", "c".repeat(61));
        let (a, b) = (zone_file_name(&long), zone_file_name(&other));
        assert!(a.len() <= 255 && b.len() <= 255, "{a}");
        assert_ne!(a, b);
        assert!(a.ends_with(".zone") && a.starts_with(&long[..200]));
    }
}
