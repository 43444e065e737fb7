//! RabbitMQ: `/etc/rabbitmq/rabbitmq.conf` (the new-style `key = value`
//! format the bundle writes, `#` comments), and `rabbitmq-env.conf`'s
//! `NODE_IP_ADDRESS`/`NODE_PORT` when the file sets no listener. The
//! classic Erlang-term `rabbitmq.config` is not read: a warning says so.
//!
//! Facts: [`Fact::Runs`]; each `listeners.tcp.NAME = [ADDR:]PORT` (and
//! `listeners.ssl.*`, TLS) as [`Fact::Serves`] and [`Fact::Address`];
//! `listeners.tcp = none` serves no plain AMQP; no listener at all is
//! 5672 on every address, RabbitMQ's default. Cluster peers
//! (`cluster_formation.classic_config.nodes.*`) have no [`Fact`] yet.

use super::store::{self, Bind};
use crate::import::facts::{Fact, Facts, Origin};
use crate::import::tree::HostFiles;
use crate::model::{Kit, Protocol, Role};

const CONF: &str = "/etc/rabbitmq/rabbitmq.conf";
const CLASSIC: &str = "/etc/rabbitmq/rabbitmq.config";
const ENV: &str = "/etc/rabbitmq/rabbitmq-env.conf";

/// One listener: its address (none: every one), port and line.
struct Listener {
    addr: Option<String>,
    port: u16,
    tls: bool,
    origin: Origin,
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let role = Role::of_kit(Kit::Rabbitmq);
    store::skipped(h, CONF, facts);
    let text = h.text(CONF);
    if text.is_none() {
        if h.text(CLASSIC).is_none() {
            return;
        }
        let o = super::origin(h, CLASSIC, 0);
        facts.add(Fact::Runs(role), o.clone());
        facts.warn(
            o.clone(),
            "the classic Erlang-term format is not read; AMQP on 5672 on every address assumed",
        );
        store::serves(facts, role, Protocol::Amqp, &[], 5672, false, &o);
        return;
    }
    let file = super::origin(h, CONF, 0);
    facts.add(Fact::Runs(role), file.clone());
    let mut listeners: Vec<Listener> = Vec::new();
    let mut plain_off = false;
    for (n, line) in super::lines(text.unwrap_or_default(), '#') {
        let o = super::origin(h, CONF, n);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        let tls = if k.starts_with("listeners.ssl.") {
            true
        } else if k.starts_with("listeners.tcp.") {
            false
        } else {
            if k == "listeners.tcp" && v == "none" {
                plain_off = true;
            }
            continue;
        };
        match store::addr_port(v) {
            (addr, Some(port)) => listeners.push(Listener {
                addr: addr.map(str::to_string),
                port,
                tls,
                origin: o,
            }),
            _ => facts.warn(o, format!("`{line}`: expected [ADDRESS:]PORT")),
        }
    }
    if !plain_off && !listeners.iter().any(|l| !l.tls) {
        listeners.push(from_env(h).unwrap_or(Listener {
            addr: None,
            port: 5672,
            tls: false,
            origin: file,
        }));
    }
    for l in &listeners {
        let binds: Vec<Bind> = l
            .addr
            .iter()
            .map(|a| Bind {
                addr: a,
                origin: l.origin.clone(),
            })
            .collect();
        store::serves(
            facts,
            role,
            Protocol::Amqp,
            &binds,
            l.port,
            l.tls,
            &l.origin,
        );
    }
}

/// `NODE_IP_ADDRESS`/`NODE_PORT` (with or without `RABBITMQ_`).
fn from_env(h: &HostFiles) -> Option<Listener> {
    let text = h.text(ENV)?;
    let (mut addr, mut port, mut origin) = (None, 5672, None);
    for (n, line) in super::lines(text, '#') {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_start_matches("export ").trim();
        let k = k.strip_prefix("RABBITMQ_").unwrap_or(k);
        let v = store::unquote(v);
        match k {
            "NODE_IP_ADDRESS" => addr = Some(v.to_string()),
            "NODE_PORT" => port = v.parse().ok()?,
            _ => continue,
        }
        origin = Some(super::origin(h, ENV, n));
    }
    Some(Listener {
        addr,
        port,
        tls: false,
        origin: origin?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (address, port, tls, line) of each `Serves`.
    type Served = Vec<(Option<String>, u16, bool, u32)>;

    fn served(files: &[(&str, &str)]) -> (Served, Facts) {
        let h = HostFiles::with_texts("mq", files);
        let mut f = Facts::default();
        read(&h, &mut f);
        let s = f
            .facts
            .iter()
            .filter_map(|(_, x, o)| match x {
                Fact::Serves {
                    addr, port, tls, ..
                } => Some((addr.map(|a| a.to_string()), *port, *tls, o.line)),
                _ => None,
            })
            .collect();
        (s, f)
    }

    #[test]
    fn the_bundles_listener_and_tls_ones() {
        let (s, f) = served(&[(
            CONF,
            "# RabbitMQ\nlisteners.tcp.default = 10.0.7.12:5672\n\tlisteners.ssl.default=5671\nloopback_users.guest = true\n",
        )]);
        assert_eq!(
            s,
            [
                (Some("10.0.7.12".into()), 5672, false, 2),
                (None, 5671, true, 3)
            ]
        );
        assert!(f
            .facts
            .iter()
            .any(|(_, x, _)| matches!(x, Fact::Address(_))));
        assert!(f.warnings.is_empty());
    }

    #[test]
    fn defaults_env_file_and_none() {
        let (s, _) = served(&[(CONF, "disk_free_limit.absolute = 1GB\n")]);
        assert_eq!(s, [(None, 5672, false, 0)]);
        let (s, _) = served(&[
            (CONF, "vm_memory_high_watermark.relative = 0.4\n"),
            (ENV, "NODE_IP_ADDRESS=10.0.0.3\nNODE_PORT=5673\n"),
        ]);
        assert_eq!(s, [(Some("10.0.0.3".into()), 5673, false, 2)]);
        let (s, _) = served(&[(CONF, "listeners.tcp = none\nlisteners.ssl.1 = [::1]:5671\n")]);
        assert_eq!(s, [(Some("::1".into()), 5671, true, 2)]);
    }

    #[test]
    fn a_bad_listener_and_the_classic_format_warn() {
        let (s, f) = served(&[(CONF, "listeners.tcp.default = amqp\n")]);
        assert_eq!(s, [(None, 5672, false, 0)]);
        assert_eq!(f.warnings.len(), 1);
        let (s, f) = served(&[(CLASSIC, "[{rabbit, []}].\n")]);
        assert_eq!(s.len(), 1);
        assert_eq!(f.warnings.len(), 1);
    }
}
