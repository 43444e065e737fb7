//! RabbitMQ: `/etc/rabbitmq/rabbitmq.conf` (the new-style format), AMQP
//! listening on the host's address only.

use super::Section;
use crate::bundle::plan::Plan;
use crate::bundle::stack::playbook::{self as pb, Play};
use crate::bundle::text::markdown;
use crate::bundle::writer::Out;
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};

pub const CONF: &str = "/etc/rabbitmq/rabbitmq.conf";

#[derive(Serialize)]
struct Conf {
    host: String,
    /// `address:port`, as `listeners.tcp.default` takes it: an IPv6
    /// address without brackets (cuttlefish's `ip` type splits at the last
    /// colon).
    listen: String,
}

fn listen(addr: IpAddr, port: u16) -> String {
    format!("{addr}:{port}")
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let conf = o.render(
        "rabbitmq.conf",
        &Conf {
            host: p.m.server(s).name.clone(),
            listen: listen(p.addr(s), p.port(s, Kit::Rabbitmq)),
        },
    );
    o.host_file(s, CONF, conf, 0o644, false);
}

/// Install, configure, start (RabbitMQ has no offline configuration check).
pub(super) fn plays(_o: &Out<'_, '_>) -> Vec<Play> {
    let spec = Role::of_kit(Kit::Rabbitmq).spec();
    let play = pb::Daemon {
        title: "RabbitMQ",
        play: "rabbitmq".into(),
        hosts: format!("role_{}", spec.name),
        packages: spec.packages,
        configs: vec![pb::Config {
            path: CONF,
            owner: "root",
            mode: 0o644,
            some_hosts: false,
            validate: None,
        }],
        service: spec.service,
        on_change: "restarted",
        prepare: Vec::new(),
        check: None,
    }
    .to_play();
    vec![play]
}

pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
    let m = p.m;
    let items: Vec<String> = m
        .server_ids()
        .filter(|s| m.server(*s).roles.has_kit(Kit::Rabbitmq))
        .map(|s| {
            format!(
                "**{}** takes AMQP on {}.",
                markdown(&m.server(s).name),
                SocketAddr::new(p.addr(s), p.port(s, Kit::Rabbitmq))
            )
        })
        .collect();
    let section = (!items.is_empty()).then(|| Section {
        title: "RabbitMQ".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}`: AMQP on its own address only, the `guest` account only from the host itself. Create the applications' account (`rabbitmqctl add_user`) before they connect. Checked by starting RabbitMQ with it on its address and opening an AMQP connection."
        )],
    });
    section.map(|s| s.to_markdown())
}
