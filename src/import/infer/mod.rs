//! Facts to a [`Topology`]: what the `.stack` file will say, statement by
//! statement, each with the origins it came from and the warnings that
//! concern it.
//!
//! - [`hosts`]: every host with a `Runs` fact becomes a [`Server`]: its
//!   name from its folder, its address from the inventory's
//!   `ansible_host` or its own `Address` facts, its roles, its attributes
//!   (the inventory's `stackc_zone`/`stackc_monitor`, `Attribute` facts).
//! - [`groups`]: VRRP instances (active-passive with their vip, or the
//!   write vip of a replicated group with `failover=auto`), primaries and
//!   the replicas that follow them, pools (HAProxy backends, nginx
//!   upstreams) whose servers share their roles, and the bundle
//!   inventory's `group_NAME` groups (store groups); a host is in one
//!   group at most.
//!
//! The [`Topology`] is the `.stack` file's statements as data, by the
//! names they will write: [`Server`]s (roles in the table's order, one
//! address, attributes, the group they are in), [`Group`]s of a
//! [`GroupKind`] (with vip, `track`, `unicast`, `failover=auto`, the
//! primary), [`Link`]s (sources and targets by name, the protocol, a port
//! only when it is not the target's default), [`Domain`]s of [`Record`]s;
//! each with its [`Notes`]: the origins it came from, its warnings and
//! remarks. The writer only formats it.
//!
//! - [`links`]: `Sends` facts to links (to the group that holds a vip, to
//!   a replicated group for any of its members, to a pool's group),
//!   collapsed to a group's link when every member sends it; zone files'
//!   records to the server or group that owns their address.

mod groups;
mod hosts;
mod links;

use super::facts::{Facts, Origin, Warning};
use super::inventory::Inventory;
use crate::model::{Protocol, Role};
use std::net::IpAddr;

/// What the `.stack` file will say.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// Zones named by any server (the order they first appear in).
    pub zones: Vec<String>,
    /// Every server, in host order; members name their group.
    pub servers: Vec<Server>,
    pub groups: Vec<Group>,
    pub links: Vec<Link>,
    pub domains: Vec<Domain>,
    /// Guesses that could be wrong, also written as comments (the
    /// statement's `notes`).
    pub warnings: Vec<Warning>,
    /// Server name -> its index (kept by [`Topology::push_server`]).
    by_name: std::collections::HashMap<String, usize>,
}

/// Where a statement came from and what to say about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notes {
    /// The files (and lines) that gave it, in reading order, no repeats.
    pub from: Vec<Origin>,
    /// Warnings written as `# warning: ...` beside it.
    pub warnings: Vec<String>,
    /// What the files say that the text cannot (`# note: ...`): a
    /// `track_script` that only checks the local daemon.
    pub remarks: Vec<String>,
}

impl Notes {
    pub fn add(&mut self, o: &Origin) {
        if !self.from.contains(o) {
            self.from.push(o.clone());
        }
    }
}

/// A `key[=value]` attribute as the file will write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    pub key: String,
    pub value: Option<String>,
}

impl Attr {
    pub fn new(key: &str, value: Option<&str>) -> Attr {
        Attr {
            key: key.to_string(),
            value: value.map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    pub name: String,
    pub roles: Vec<Role>,
    pub address: Option<IpAddr>,
    /// Its own attributes (a group's shared ones move to the group).
    pub attrs: Vec<Attr>,
    /// Its group (an index in [`Topology::groups`]).
    pub group: Option<usize>,
    pub notes: Notes,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// A pool's servers, or an inventory group: `active-active`.
    Pool,
    /// A VRRP pair of non-replicated servers: `mode=active-passive vip=`.
    ActivePassive,
    /// A primary and its replicas (`failover=auto` when keepalived moves a
    /// write vip between them).
    Replicated,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    pub roles: Vec<Role>,
    /// Server indexes, in member order (VRRP priority, highest first).
    pub members: Vec<usize>,
    pub kind: GroupKind,
    pub vip: Option<IpAddr>,
    /// `track`: a `track_script` checks the backends.
    pub track: bool,
    /// `unicast`: keepalived names its peers.
    pub unicast: bool,
    /// `failover=auto`.
    pub failover_auto: bool,
    /// The primary (a server index), for replicated groups.
    pub primary: Option<usize>,
    /// The attributes every member shares (moved from the members).
    pub attrs: Vec<Attr>,
    pub notes: Notes,
}

/// A link, by the names it will write.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub sources: Vec<String>,
    pub targets: Vec<String>,
    pub protocol: Protocol,
    /// Written only when it is not the target's default for `protocol`.
    pub port: Option<u16>,
    pub read: bool,
    /// `optional`: every source's inventory names its targets in
    /// `stackc_optional` (configs cannot say it).
    pub optional: bool,
    pub notes: Notes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: String,
    pub ttl: Option<u32>,
    pub records: Vec<Record>,
    pub notes: Notes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub label: String,
    pub rtype: String,
    pub targets: Vec<String>,
    /// `: https` when its target serves TLS.
    pub protocol: Option<Protocol>,
    pub notes: Notes,
}

impl Topology {
    /// A warning printed and written beside a statement (`notes`).
    fn warn(notes: &mut Notes, all: &mut Vec<Warning>, origin: &Origin, msg: String) {
        notes.warnings.push(msg.clone());
        all.push(Warning::new(origin.clone(), msg));
    }

    /// The index of the server named `name`.
    pub fn server(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// `alias` (a host folder's name that is no `.stack` name) names
    /// server `i` too.
    pub fn alias(&mut self, alias: &str, i: usize) {
        self.by_name.entry(alias.to_string()).or_insert(i);
    }

    /// Adds a server (its name indexed); its index.
    pub fn push_server(&mut self, s: Server) -> usize {
        let i = self.servers.len();
        self.by_name.entry(s.name.clone()).or_insert(i);
        self.servers.push(s);
        i
    }

    /// The name a link or record names for server `i`: itself.
    fn name_of(&self, i: usize) -> &str {
        &self.servers[i].name
    }
}

pub fn infer(facts: &Facts, inventory: Option<&Inventory>) -> Topology {
    let mut t = Topology::default();
    let mut ctx = hosts::servers(&mut t, facts, inventory);
    groups::groups(&mut t, facts, inventory, &ctx);
    links::links(&mut t, facts, &mut ctx);
    if let Some(inv) = inventory {
        links::optional(&mut t, inv);
    }
    links::records(&mut t, facts, &ctx);
    hosts::hoist(&mut t);
    // The readers' warnings about a host, beside its statement too (they
    // are printed once, from `facts.warnings`).
    for w in &facts.warnings {
        if let Some(i) = t.server(&w.origin.host) {
            let msg = format!("{}: {}", w.origin, w.message);
            t.servers[i].notes.warnings.push(msg);
        }
    }
    t
}

#[cfg(test)]
mod tests;
