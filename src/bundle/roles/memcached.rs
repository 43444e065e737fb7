//! memcached: `/etc/memcached.conf` in Debian's format (one option a line,
//! read by `systemd-memcached-wrapper`), listening on the host's address.

use super::Section;
use crate::bundle::plan::Plan;
use crate::bundle::text::markdown;
use crate::bundle::writer::Out;
use crate::model::{Kit, ServerId};
use serde::Serialize;

pub const CONF: &str = "/etc/memcached.conf";
/// Debian's defaults: 64 MB of memory, 1024 connections.
const MEMORY_MB: u32 = 64;
const MAX_CONNECTIONS: u32 = 1024;

#[derive(Serialize)]
struct Conf {
    host: String,
    listen: String,
    port: u16,
    memory: u32,
    connections: u32,
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let conf = o.render(
        "memcached.conf",
        &Conf {
            host: p.m.server(s).name.clone(),
            listen: p.addr(s).to_string(),
            port: p.port(s, Kit::Memcached),
            memory: MEMORY_MB,
            connections: MAX_CONNECTIONS,
        },
    );
    o.host_file(s, CONF, conf, 0o644, false);
}

pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
    let m = p.m;
    let items: Vec<String> = m
        .server_ids()
        .filter(|s| m.server(*s).roles.has_kit(Kit::Memcached))
        .map(|s| {
            format!(
                "**{}** listens on {} port {} ({MEMORY_MB} MB, {MAX_CONNECTIONS} connections).",
                markdown(&m.server(s).name),
                p.addr(s),
                p.port(s, Kit::Memcached)
            )
        })
        .collect();
    let section = (!items.is_empty()).then(|| Section {
        title: "memcached".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` in Debian's format; memcached has no replication and no password: only the stack's addresses should reach it (a host firewall). Checked by starting memcached with it on its address."
        )],
    });
    section.map(|s| s.to_markdown())
}
