//! What the readers learn, each fact with where it came from. The readers
//! only report what a file says; [`super::infer`] decides what it means for
//! the topology (which host an address belongs to, which hosts form a
//! group).

use crate::model::{Protocol, Role};
use std::fmt;
use std::net::IpAddr;

/// Where a fact or a warning came from: a host's file and line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The host folder (`lb-01`); `dns` for a bundle's `dns/`, empty for
    /// the inventory.
    pub host: String,
    /// The host's absolute path (`/etc/haproxy/haproxy.cfg`), or the
    /// inventory's path as given.
    pub path: String,
    /// 1-based; 0 when the fact is about the whole file (it exists).
    pub line: u32,
}

impl Origin {
    pub fn new(host: &str, path: &str, line: u32) -> Origin {
        Origin {
            host: host.to_string(),
            path: path.to_string(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    /// `lb-01:/etc/haproxy/haproxy.cfg:12` (no line when 0).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.is_empty() {
            f.write_str(&self.path)?;
        } else {
            write!(f, "{}:{}", self.host, self.path)?;
        }
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        Ok(())
    }
}

/// An import warning: a guess that could be wrong, or something skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub origin: Origin,
    pub message: String,
}

impl Warning {
    pub fn new(origin: Origin, message: impl Into<String>) -> Warning {
        Warning {
            origin,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Where requests go, as a config writes it: an address or a host name
/// (resolved by [`super::infer`] against the hosts' addresses and names),
/// and a port when the config gives one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Addr(IpAddr, Option<u16>),
    /// A name: a host folder's or inventory name, or a DNS name stackc
    /// cannot resolve (a warning).
    Name(String, Option<u16>),
}

impl Target {
    pub fn port(&self) -> Option<u16> {
        match self {
            Target::Addr(_, p) | Target::Name(_, p) => *p,
        }
    }
}

/// What a keepalived `track_script` (or its absence) watches.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Track {
    /// No `track_script`: the vip moves only when the host dies.
    None,
    /// A script that only checks the local daemon is alive (`killall -0
    /// haproxy`, `pidof`, `systemctl is-active`, a probe of 127.0.0.1).
    LocalOnly,
    /// A script that checks the backends (the `.stack` file's `track`).
    Backends,
}

/// One member of a [`Fact::Pool`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolMember {
    /// The name the config gives it (`server web-01 ...`), if any.
    pub name: Option<String>,
    pub target: Target,
    /// `backup` (HAProxy) / `backup` (nginx): takes requests only when the
    /// others are down.
    pub backup: bool,
    pub line: u32,
}

/// One thing a file says.
#[derive(Clone, Debug, PartialEq)]
pub enum Fact {
    /// The host owns this address (a `bind`/`listen` on it that is not a
    /// VRRP vip, an `ansible_host`, `listen_addresses`...).
    Address(IpAddr),
    /// The host runs this role's daemon (its config exists and is used).
    Runs(Role),
    /// The host accepts requests of `protocol` on `port` (a frontend's
    /// `bind`, nginx `listen`, a database's port); `addr` when bound to
    /// one address; `tls` for `ssl crt` binds and `listen ... ssl`.
    Serves {
        role: Role,
        protocol: Protocol,
        addr: Option<IpAddr>,
        port: u16,
        tls: bool,
    },
    /// A named pool of servers the host sends requests to (an HAProxy
    /// `backend`, an nginx `upstream`), with the protocol it speaks to them.
    Pool {
        name: String,
        protocol: Protocol,
        members: Vec<PoolMember>,
    },
    /// The host sends requests to `to` (an nginx `proxy_pass` to an
    /// address, an app's `DATABASE_URL`...), or to the pool `pool` of the
    /// same host. `read`: a read-only connection (a replica URL, `*_READ_*`).
    Sends {
        protocol: Protocol,
        to: Option<Target>,
        pool: Option<String>,
        read: bool,
    },
    /// A frontend with no backend to send to (`frontend` without
    /// `default_backend`/`use_backend`): a warning where it applies.
    Unrouted { name: String },
    /// A `vrrp_instance`: its vips, this host's priority, its peers and what
    /// its `track_script` watches.
    Vrrp {
        instance: String,
        vips: Vec<IpAddr>,
        priority: u8,
        peers: Vec<IpAddr>,
        track: Track,
        /// `notify_master` runs a script: the store it fronts is promoted
        /// when this host takes the vip.
        promotes: bool,
    },
    /// A database/store of `role` that takes writes or not
    /// (`read_only`, `standby.signal`, `replicaof`), with its settings.
    Store {
        role: Role,
        read_only: Option<bool>,
        server_id: Option<u32>,
        log_bin: Option<bool>,
        gtid: Option<bool>,
    },
    /// Replication: the host follows the primary at `primary`
    /// (`master.info`, `CHANGE MASTER TO`, `primary_conninfo`, `replicaof`).
    Follows { role: Role, primary: Target },
    /// A DNS record from a zone file: `label` relative to `domain` (`@`
    /// for the apex), `rtype` `A`, `AAAA` or `CNAME`.
    Record {
        domain: String,
        label: String,
        rtype: String,
        value: String,
        ttl: Option<u32>,
    },
    /// What a config calls a DNS name it sends to: the variable `PAY_URL`
    /// calls `api.pay.example` `pay`. The `external` server for the name
    /// takes it (the bundle names the variable after the server).
    Calls { name: String, host: String },
    /// A `.stack` attribute the files state directly (an inventory's
    /// `stackc_zone=a` is `zone=a`; `stackc_monitor=agent` is
    /// `monitor=agent`; a firewall config is `firewall`).
    Attribute { key: String, value: Option<String> },
}

/// Everything read, in reading order.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// (host, fact, origin).
    pub facts: Vec<(String, Fact, Origin)>,
    pub warnings: Vec<Warning>,
}

impl Facts {
    /// Records `fact` about the host `origin.host`.
    pub fn add(&mut self, fact: Fact, origin: Origin) {
        self.facts.push((origin.host.clone(), fact, origin));
    }

    pub fn warn(&mut self, origin: Origin, message: impl Into<String>) {
        self.warnings.push(Warning::new(origin, message));
    }

    /// The facts about one host, with their origins.
    pub fn of<'a>(&'a self, host: &'a str) -> impl Iterator<Item = (&'a Fact, &'a Origin)> + 'a {
        self.facts
            .iter()
            .filter(move |(h, _, _)| h == host)
            .map(|(_, f, o)| (f, o))
    }
}
