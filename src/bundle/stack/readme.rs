//! `README.md`: what each host gets, the virtual addresses, each kit's
//! section (`roles::readme_section`: the databases...), the certificates
//! to put in place, how to deploy.

use super::super::roles::{self, keepalived, mysql};
use super::super::writer::Out;
use crate::model::{Role, ServerId};
use serde::Serialize;

#[derive(Serialize)]
struct Readme<'a> {
    title: Option<&'a str>,
    version: &'static str,
    flavor_name: &'static str,
    hosts: Vec<Host<'a>>,
    example_host: String,
    example_path: String,
    vrrps: Vec<VrrpInfo<'a>>,
    /// The kits' sections, deepest tier first, as Markdown.
    sections: Vec<String>,
    certs: &'a [String],
    mysql_check: &'static str,
}

#[derive(Serialize)]
struct Host<'a> {
    name: &'a str,
    address: String,
    zone: Option<&'a str>,
    roles: Vec<String>,
    files: &'a [String],
}

#[derive(Serialize)]
struct VrrpInfo<'a> {
    group: &'a str,
    vip: String,
    vrid: usize,
    v3: bool,
    unicast: bool,
    order: Vec<&'a str>,
    what: &'static str,
}

/// A host's roles as the README and the manifest list them: the table's
/// names, and `keepalived` on VRRP members.
pub(in crate::bundle) fn roles_of(o: &Out<'_, '_>, s: ServerId) -> Vec<String> {
    let mut v: Vec<String> =
        o.p.m
            .server(s)
            .roles
            .iter()
            .map(|r| r.name().to_string())
            .collect();
    if o.p.vrrp_of(s).is_some() {
        v.push("keepalived".into());
    }
    v
}

pub(in crate::bundle) fn write(o: &mut Out<'_, '_>) {
    let p = o.p;
    let m = p.m;
    let fl = mysql::flavor(p.flavor);
    // Deployed servers only: an `external` one has its own section.
    let hosts = m
        .server_ids()
        .filter(|s| m.server(*s).is_deployed())
        .map(|s| {
            let srv = m.server(s);
            Host {
                name: &srv.name,
                address: p.addr(s).to_string(),
                zone: srv.zone.map(|z| m.zones[z.index()].name.as_str()),
                roles: roles_of(o, s),
                files: &o.host_files[s.index()],
            }
        })
        .collect();
    let example = m.server_ids().find(|s| !o.host_files[s.index()].is_empty());
    let vrrps = p
        .vrrps
        .iter()
        .map(|v| {
            let g = m.group(v.group);
            VrrpInfo {
                group: &g.name,
                vip: v.vip.to_string(),
                vrid: v.vrid,
                v3: v.v3(),
                unicast: g.unicast,
                order: v.order.iter().map(|s| m.server(*s).name.as_str()).collect(),
                what: keepalived::check_text(v),
            }
        })
        .collect();
    // Deepest tier first; what the stack does not run (external
    // services) after everything it deploys.
    let mut kits =
        roles::by_tier(Role::all().filter(|r| m.servers.iter().any(|s| s.roles.contains(*r))));
    kits.sort_by_key(|r| !r.spec().deployed);
    let sections = kits
        .into_iter()
        .filter_map(|r| roles::readme_section(o, r.spec().kit))
        .collect();
    let bytes = o.render(
        "README.md",
        &Readme {
            title: m.title.as_deref(),
            version: env!("CARGO_PKG_VERSION"),
            flavor_name: fl.name,
            hosts,
            example_host: example.map_or(String::new(), |s| m.server(s).name.clone()),
            example_path: example.map_or(String::new(), |s| o.host_files[s.index()][0].clone()),
            vrrps,
            sections,
            certs: &o.certs,
            mysql_check: fl.check,
        },
    );
    o.put("README.md".into(), bytes, 0o644, false);
}
