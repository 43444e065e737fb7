//! Phase 2: the checked topology. `resolve` turns a syntax tree into a
//! [`Model`]: names resolved, roles looked up in the roles table, group
//! attributes inherited by members, values parsed, and every static error of
//! LANGUAGE.md §4 reported. The server/group graph (petgraph) is built here
//! and checked for request cycles.

mod attrs;
mod graph;
mod resolve;
pub mod roles;

pub use attrs::{AttrPlace, AttrSpec, Need, Value, ValueKind, ATTRS};
pub use graph::{Node, Route, Topology};
pub use resolve::{canonical_domain, resolve};
pub use roles::{Health, Kit, Protocol, Role, RoleSet, RoleSpec, Shape, Tier, ROLES};

use crate::syntax::Span;
use std::net::IpAddr;

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}
id_type!(ServerId, GroupId, ZoneId, DomainId, LinkId, RecordId);

/// A checked stack.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub name: Option<String>,
    pub title: Option<String>,
    pub zones: Vec<Zone>,
    pub servers: Vec<Server>,
    pub groups: Vec<Group>,
    pub domains: Vec<Domain>,
    pub records: Vec<Record>,
    pub links: Vec<Link>,
    pub allows: Vec<Allow>,
    /// `tolerate=K` on the stack (RESILIENCE.md §2): `cut-set` errors for
    /// cuts of size 2..K.
    pub tolerate: Option<u8>,
    /// `slo=P` on the stack, a percentage.
    pub slo: Option<f64>,
    /// Where the stack is named (`stack NAME`): where findings about the
    /// whole stack sit.
    pub stack_span: Option<Span>,
    /// Servers and groups with the request edges between them.
    pub topology: Topology,
}

#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub span: Span,
    /// `availability=P` (percent), else [`ZONE_AVAILABILITY`].
    pub availability: Option<f64>,
}

/// The availability of a server without `availability=`, in percent
/// (RESILIENCE.md §3).
pub const SERVER_AVAILABILITY: f64 = 99.9;
/// The availability of a zone without `availability=`, in percent.
pub const ZONE_AVAILABILITY: f64 = 99.99;

impl Zone {
    /// The probability that it is up.
    pub fn up(&self) -> f64 {
        self.availability.unwrap_or(ZONE_AVAILABILITY) / 100.0
    }
    /// The probability that it is down, from the percentage directly (so
    /// that 99.999 gives 1e-5 without the rounding of `1 - 0.99999`).
    pub fn down(&self) -> f64 {
        (100.0 - self.availability.unwrap_or(ZONE_AVAILABILITY)) / 100.0
    }
}

/// Replication role of a server of a replicated role (mysql, postgres,
/// redis).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DbRole {
    Primary,
    Replica,
}

#[derive(Clone, Debug)]
pub struct Server {
    pub name: String,
    /// The name at its declaration: where findings about it sit.
    pub span: Span,
    /// The whole declaration (statement or member line).
    pub decl: Span,
    pub roles: RoleSet,
    pub address: Option<IpAddr>,
    pub zone: Option<ZoneId>,
    pub group: Option<GroupId>,
    /// `port=`, inherited from the group.
    pub port: Option<u16>,
    pub firewall: bool,
    pub monitor: Option<String>,
    pub db: Option<DbRole>,
    pub runtime: Option<String>,
    pub command: Option<String>,
    pub health: Option<String>,
    /// `tier=` of an `external` server.
    pub tier: Option<Tier>,
    /// `host=` of an `external` server: the DNS name the apps reach it by.
    pub host: Option<String>,
    /// `availability=P` (percent), inherited from the group; else
    /// [`SERVER_AVAILABILITY`].
    pub availability: Option<f64>,
    /// `capacity=N`: the requests per second it can carry (None: unlimited).
    pub capacity: Option<f64>,
}

impl Server {
    /// Its tier: `tier=`, else its highest role's.
    pub fn tier(&self) -> Option<Tier> {
        self.tier
            .or_else(|| self.roles.main().map(|r| r.spec().tier))
    }
    /// The stack runs it (not an `external` dependency): it has an address,
    /// a firewall, a monitoring agent.
    pub fn is_deployed(&self) -> bool {
        self.roles.all(|r| r.deployed)
    }
    /// The port its main role listens on.
    pub fn main_port(&self) -> u16 {
        self.port
            .or_else(|| self.roles.main().map(|r| r.spec().port()))
            .unwrap_or(80)
    }
    pub fn is_replica(&self) -> bool {
        self.db == Some(DbRole::Replica)
    }
    /// The probability that it is up (its zone aside).
    pub fn up(&self) -> f64 {
        self.availability.unwrap_or(SERVER_AVAILABILITY) / 100.0
    }
    /// The probability that it is down (its zone aside), from the
    /// percentage directly.
    pub fn down(&self) -> f64 {
        (100.0 - self.availability.unwrap_or(SERVER_AVAILABILITY)) / 100.0
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    ActiveActive,
    ActivePassive,
    /// Available while at least `quorum` members work (RESILIENCE.md §5).
    Quorum,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ActiveActive => "active-active",
            Mode::ActivePassive => "active-passive",
            Mode::Quorum => "quorum",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Failover {
    #[default]
    Manual,
    Auto,
}

impl Failover {
    pub fn as_str(self) -> &'static str {
        match self {
            Failover::Manual => "manual",
            Failover::Auto => "auto",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub span: Span,
    pub decl: Span,
    pub roles: RoleSet,
    pub members: Vec<ServerId>,
    pub mode: Mode,
    pub vip: Option<IpAddr>,
    pub track: bool,
    pub unicast: bool,
    pub failover: Failover,
    /// The primary of a replicated group (None when the group has no
    /// replicated role or `no-primary` was reported).
    pub primary: Option<ServerId>,
    pub port: Option<u16>,
    /// `quorum=K` of a `mode=quorum` group, else a strict majority of its
    /// members (set once the members are known).
    pub quorum: Option<u32>,
}

impl Group {
    /// A group as declared, before its attributes.
    pub fn new(name: String, span: Span, decl: Span, roles: RoleSet) -> Group {
        Group {
            name,
            span,
            decl,
            roles,
            members: Vec::new(),
            mode: Mode::ActiveActive,
            vip: None,
            track: false,
            unicast: false,
            failover: Failover::Manual,
            primary: None,
            port: None,
            quorum: None,
        }
    }
    /// How many members must work for a `mode=quorum` group to be
    /// available: `quorum=`, else a strict majority.
    pub fn quorum_size(&self) -> u32 {
        self.quorum.unwrap_or(self.members.len() as u32 / 2 + 1)
    }
    /// Has a replicated role (mysql, postgres, redis): primary, replicas,
    /// `failover=`.
    pub fn is_replicated(&self) -> bool {
        self.roles.any(|r| r.replicated) && self.mode != Mode::Quorum
    }
    /// Its replicated roles, `mysql` (`mysql+postgres` in a group that mixes
    /// two, which is `bad-value`).
    pub fn replicated_roles(&self) -> String {
        self.roles
            .iter()
            .filter(|r| r.spec().replicated)
            .map(Role::name)
            .collect::<Vec<_>>()
            .join("+")
    }
    /// A link in `p` to this group follows the replication rules (§5.4):
    /// `p` is a data protocol of one of its replicated roles.
    pub fn replicates(&self, p: Protocol) -> bool {
        self.mode != Mode::Quorum && self.roles.replicates(p)
    }
}

/// What a link, record or allow can name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Server(ServerId),
    Group(GroupId),
}

/// One target of a link or record, with the protocol and port used to reach
/// it (worked out per target, LANGUAGE.md §7.7).
#[derive(Clone, Debug)]
pub struct LinkTarget {
    pub target: Target,
    pub protocol: Protocol,
    pub port: u16,
    /// Where the target is named.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Link {
    /// The sources as written.
    pub sources: Vec<Target>,
    /// The source servers, groups expanded, in order, without repeats.
    pub from: Vec<ServerId>,
    pub targets: Vec<LinkTarget>,
    pub read: bool,
    /// `optional`: the sources work without it (ROLES.md §2); it adds no
    /// requirement but still carries load while its target is available.
    pub optional: bool,
    /// The protocol was written after `:`.
    pub explicit_protocol: bool,
    pub span: Span,
}

impl Link {
    /// A write is a link in a data protocol (mysql, postgres, redis) without
    /// `read` (LANGUAGE.md §7.7, ROLES.md §1).
    pub fn is_write(&self, t: &LinkTarget) -> bool {
        t.protocol.is_data() && !self.read
    }
}

#[derive(Clone, Debug)]
pub struct Domain {
    pub name: String,
    pub ttl: Option<u32>,
    pub span: Span,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
        }
    }
}

/// A DNS record: an entry point of the stack.
#[derive(Clone, Debug)]
pub struct Record {
    pub domain: DomainId,
    /// As written: a name, a dotted name or `@`.
    pub label: String,
    /// `label.domain`, or the bare domain for `@` (LANGUAGE.md §7.3).
    pub subject: String,
    pub rtype: RecordType,
    pub targets: Vec<LinkTarget>,
    pub span: Span,
    /// `load=N`: its requests per second at peak (RESILIENCE.md §4).
    pub load: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Allow {
    /// None when the rule name was not valid (`bad-value` was reported).
    pub rule: Option<crate::diag::RuleId>,
    /// What it names: a server, group, zone or record (or nothing declared:
    /// `unknown-name` was reported).
    pub subject: crate::diag::Subject,
    pub reason: String,
    pub span: Span,
}

impl Model {
    /// The stack's name, or `stack` when it has none.
    pub fn stack_name(&self) -> &str {
        self.name.as_deref().unwrap_or("stack")
    }
    pub fn server(&self, id: ServerId) -> &Server {
        &self.servers[id.index()]
    }
    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.index()]
    }
    pub fn server_ids(&self) -> impl Iterator<Item = ServerId> {
        (0..self.servers.len() as u32).map(ServerId)
    }
    pub fn group_ids(&self) -> impl Iterator<Item = GroupId> {
        (0..self.groups.len() as u32).map(GroupId)
    }
    pub fn target_name(&self, t: Target) -> &str {
        match t {
            Target::Server(s) => &self.server(s).name,
            Target::Group(g) => &self.group(g).name,
        }
    }
    /// The servers a target stands for.
    pub fn target_members<'a>(&'a self, t: &'a Target) -> &'a [ServerId] {
        match t {
            Target::Server(s) => std::slice::from_ref(s),
            Target::Group(g) => &self.group(*g).members,
        }
    }
    pub fn target_roles(&self, t: Target) -> RoleSet {
        match t {
            Target::Server(s) => self.server(s).roles,
            Target::Group(g) => self.group(g).roles,
        }
    }
    /// A target as a finding's subject.
    pub fn target_subject(&self, t: Target) -> crate::diag::Subject {
        use crate::diag::Subject;
        match t {
            Target::Server(s) => Subject::Server(self.server(s).name.clone()),
            Target::Group(g) => Subject::Group(self.group(g).name.clone()),
        }
    }
    /// Finds a server, group or zone by name.
    pub fn find_server(&self, name: &str) -> Option<ServerId> {
        self.servers
            .iter()
            .position(|s| s.name == name)
            .map(|i| ServerId(i as u32))
    }
    pub fn find_group(&self, name: &str) -> Option<GroupId> {
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(|i| GroupId(i as u32))
    }
    pub fn find_zone(&self, name: &str) -> Option<ZoneId> {
        self.zones
            .iter()
            .position(|z| z.name == name)
            .map(|i| ZoneId(i as u32))
    }
    /// The members of a replicated group marked (or taken as) primary; none
    /// for a group without a replicated role.
    pub fn marked_primaries(&self, g: GroupId) -> Vec<ServerId> {
        let grp = self.group(g);
        if !grp.is_replicated() {
            return Vec::new();
        }
        grp.members
            .iter()
            .copied()
            .filter(|s| self.server(*s).db == Some(DbRole::Primary))
            .collect()
    }
    /// The servers in a zone.
    pub fn zone_servers(&self, z: ZoneId) -> impl Iterator<Item = ServerId> + '_ {
        self.server_ids()
            .filter(move |s| self.server(*s).zone == Some(z))
    }
}
