//! RabbitMQ: `/etc/rabbitmq/rabbitmq.conf` (the new-style format), AMQP
//! listening on the host's address only.

use super::Section;
use crate::bundle::plan::Plan;
use crate::bundle::text::markdown;
use crate::bundle::writer::Out;
use crate::model::{Kit, ServerId};
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
