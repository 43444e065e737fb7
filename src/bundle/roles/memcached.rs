//! memcached: `/etc/memcached.conf` in Debian's format (one option a line,
//! read by `systemd-memcached-wrapper`), listening on the host's address.

use super::{HostFile, KitPlay, PlayFile, Section, Writer};
use crate::bundle::plan::Plan;
use crate::bundle::text::markdown;
use crate::model::{Kit, Role, ServerId};
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

pub fn files(w: &Writer<'_, '_>, s: ServerId) -> Vec<HostFile> {
    let p = w.p;
    let conf = w.render(
        "memcached.conf",
        Conf {
            host: p.m.server(s).name.clone(),
            listen: p.addr(s).to_string(),
            port: p.port(s, Kit::Memcached),
            memory: MEMORY_MB,
            connections: MAX_CONNECTIONS,
        },
    );
    vec![HostFile::new(CONF, conf, 0o644, false)]
}

pub fn play(_p: &Plan<'_>) -> KitPlay {
    let spec = Role::of_kit(Kit::Memcached).spec();
    KitPlay {
        name: "memcached".into(),
        hosts: super::inventory_group(Kit::Memcached),
        packages: spec.packages.to_vec(),
        service: spec.service.into(),
        vip: false,
        dirs: Vec::new(),
        files: vec![PlayFile {
            path: CONF.into(),
            owner: "root",
            group: "root",
            mode: "0644",
            doc: "Configuration".into(),
            restart: true,
        }],
        validate: None,
        steps: Vec::new(),
    }
}

pub fn readme(p: &Plan<'_>) -> Option<Section> {
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
    (!items.is_empty()).then(|| Section {
        title: "memcached".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` in Debian's format; memcached has no replication and no password: only the stack's addresses should reach it (a host firewall). Checked by starting memcached with it on its address."
        )],
    })
}
