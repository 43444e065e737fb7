//! The roles table. Everything stackc knows about a role is one row here:
//! a new role (redis, postgres, memcached) is a new row, not a rewrite.

use serde::Serialize;
use std::fmt;

/// A protocol a link or record speaks (LANGUAGE.md §7.7).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Http,
    Https,
    Mysql,
}

impl Protocol {
    pub const ALL: &'static [Protocol] = &[Protocol::Http, Protocol::Https, Protocol::Mysql];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Mysql => "mysql",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// The port a protocol uses when nothing else says.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Http => 80,
            Protocol::Https => 443,
            Protocol::Mysql => 3306,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a role sits from the user: requests flow from high tiers to low.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    Database = 0,
    App = 1,
    Web = 2,
    LoadBalancer = 3,
}

/// How diagrams draw a role: the glyph of `stackc render --to svg` and the
/// node shape of the Mermaid and DOT output.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A fan-out: requests come in once and leave to several backends.
    Balancer,
    /// A window of a web page.
    WebServer,
    /// Running code (a gear, `{ }`).
    AppServer,
    /// A cylinder.
    Database,
    /// Fast memory in front of a store (memcached, redis): a stack of discs
    /// with a spark (Mermaid: a stadium; DOT: a 3-D box).
    Cache,
    /// A dependency the stack does not run (a payment API): a cloud.
    External,
}

/// One row of the roles table.
#[derive(Debug)]
pub struct RoleSpec {
    /// The name written in `.stack` files.
    pub name: &'static str,
    /// What it is, in words ("load balancer").
    pub title: &'static str,
    pub tier: Tier,
    /// The protocol a link to it speaks by default.
    pub protocol: Protocol,
    /// The port it listens on by default.
    pub port: u16,
    /// Has replication roles (`primary`, `replica`, `failover=`).
    pub replicated: bool,
    /// Competes for a host's CPU, memory and disk (`shared-host`).
    pub heavy: bool,
    /// Answers HTTP health checks (`health=`).
    pub http_health: bool,
    /// Runs user code (`runtime=`, `command=`).
    pub runs_code: bool,
    /// Takes traffic through a virtual address (`mode=active-passive`).
    pub balances: bool,
    /// Debian packages that install it (`stackc bundle`; for mysql, the
    /// MySQL flavor's: `--flavor mariadb` swaps them).
    pub packages: &'static [&'static str],
    /// Its systemd service (`{stack}` stands for the stack's name).
    pub service: &'static str,
    /// How diagrams draw it.
    pub shape: Shape,
}

/// The roles of v1 (LANGUAGE.md §3).
pub static ROLES: &[RoleSpec] = &[
    RoleSpec {
        name: "haproxy",
        title: "load balancer",
        tier: Tier::LoadBalancer,
        protocol: Protocol::Http,
        port: 80,
        replicated: false,
        heavy: false,
        http_health: false,
        runs_code: false,
        balances: true,
        packages: &["haproxy"],
        service: "haproxy",
        shape: Shape::Balancer,
    },
    RoleSpec {
        name: "nginx",
        title: "web server",
        tier: Tier::Web,
        protocol: Protocol::Http,
        port: 80,
        replicated: false,
        heavy: true,
        http_health: true,
        runs_code: false,
        balances: false,
        packages: &["nginx"],
        service: "nginx",
        shape: Shape::WebServer,
    },
    RoleSpec {
        name: "app",
        title: "application server",
        tier: Tier::App,
        protocol: Protocol::Http,
        port: 8000,
        replicated: false,
        heavy: true,
        http_health: true,
        runs_code: true,
        balances: false,
        packages: &[],
        service: "{stack}-app",
        shape: Shape::AppServer,
    },
    RoleSpec {
        name: "mysql",
        title: "database",
        tier: Tier::Database,
        protocol: Protocol::Mysql,
        port: 3306,
        replicated: true,
        heavy: true,
        http_health: false,
        runs_code: false,
        balances: false,
        packages: &["mysql-server", "mysql-client"],
        service: "mysql",
        shape: Shape::Database,
    },
];

/// An index into [`ROLES`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Role(u8);

impl Role {
    pub fn lookup(name: &str) -> Option<Role> {
        ROLES
            .iter()
            .position(|r| r.name == name)
            .map(|i| Role(i as u8))
    }
    pub fn spec(self) -> &'static RoleSpec {
        &ROLES[self.0 as usize]
    }
    pub fn name(self) -> &'static str {
        self.spec().name
    }
    pub fn all() -> impl Iterator<Item = Role> {
        (0..ROLES.len()).map(|i| Role(i as u8))
    }
}

/// A set of roles (a server's `nginx+app+mysql`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RoleSet(u32);

impl RoleSet {
    pub fn insert(&mut self, r: Role) -> bool {
        let had = self.contains(r);
        self.0 |= 1 << r.0;
        !had
    }
    pub fn contains(self, r: Role) -> bool {
        self.0 & (1 << r.0) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::all().filter(move |r| self.contains(*r))
    }
    pub fn any(self, pred: impl Fn(&RoleSpec) -> bool) -> bool {
        self.iter().any(|r| pred(r.spec()))
    }
    /// The role closest to the user: it sets the default protocol and port.
    pub fn main(self) -> Option<Role> {
        self.iter().max_by_key(|r| r.spec().tier)
    }
    /// The highest-tier role speaking `p`, for the port of a link in `p`.
    pub fn speaking(self, p: Protocol) -> Option<Role> {
        self.iter()
            .filter(|r| r.spec().protocol == p)
            .max_by_key(|r| r.spec().tier)
    }
    pub fn has(self, name: &str) -> bool {
        Role::lookup(name).is_some_and(|r| self.contains(r))
    }
    /// `nginx+app+mysql`
    pub fn joined(self) -> String {
        self.iter().map(Role::name).collect::<Vec<_>>().join("+")
    }
}
