//! The roles table (ROLES.md §1). Everything stackc knows about a role is one
//! row of [`ROLES`]: its tier, the protocols it serves, whether it
//! replicates, what it can hold, how it is drawn, packaged, deployed and
//! health-checked. Nothing outside this file compares a role's name: the
//! rules, the analysis, the renderers and the bundle read the row's
//! capabilities, and the enums here ([`Shape`], [`Kit`], [`Health`]) make the
//! compiler find every place a new kind of row needs code.

use serde::Serialize;
use std::fmt;

/// A protocol a link or record speaks (LANGUAGE.md §7.7, ROLES.md §2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Http,
    Https,
    Mysql,
    Postgres,
    Redis,
    Memcached,
    /// AMQP 0-9-1 (RabbitMQ).
    Amqp,
    /// A generic stream: no bundle wiring beyond the app's environment.
    Tcp,
}

impl Protocol {
    pub const ALL: &'static [Protocol] = &[
        Protocol::Http,
        Protocol::Https,
        Protocol::Mysql,
        Protocol::Postgres,
        Protocol::Redis,
        Protocol::Memcached,
        Protocol::Amqp,
        Protocol::Tcp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Mysql => "mysql",
            Protocol::Postgres => "postgres",
            Protocol::Redis => "redis",
            Protocol::Memcached => "memcached",
            Protocol::Amqp => "amqp",
            Protocol::Tcp => "tcp",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// The port a protocol uses when nothing else says; `tcp` has none.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Protocol::Http => Some(80),
            Protocol::Https => Some(443),
            Protocol::Mysql => Some(3306),
            Protocol::Postgres => Some(5432),
            Protocol::Redis => Some(6379),
            Protocol::Memcached => Some(11211),
            Protocol::Amqp => Some(5672),
            Protocol::Tcp => None,
        }
    }

    /// HTTP in clear or over TLS: what a load balancer or web server proxies.
    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }

    /// A data protocol of some replicated role: a link in it without `read`
    /// is a write (ROLES.md §1).
    pub fn is_data(self) -> bool {
        ROLES
            .iter()
            .any(|r| r.replicated && r.data_protocols.contains(&self))
    }
}

/// `a, b and c` (or `a, b or c`).
pub fn listed<'a>(words: impl IntoIterator<Item = &'a str>, conj: &str) -> String {
    let words: Vec<&str> = words.into_iter().collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].to_string(),
        n => format!("{} {conj} {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

impl Protocol {
    /// `http, https, mysql, … and tcp`: the protocols, from the table.
    pub fn listed(conj: &str) -> String {
        listed(Protocol::ALL.iter().map(|p| p.as_str()), conj)
    }
    /// "a protocol (http, https, … or tcp)", for syntax errors.
    pub fn expected() -> &'static str {
        static S: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        S.get_or_init(|| format!("a protocol ({})", Protocol::listed("or")))
    }
    /// `an http`, `a tcp`: the article before the protocol's name.
    pub fn a(self) -> String {
        let vowel = matches!(
            self.as_str().as_bytes()[0],
            b'a' | b'e' | b'h' | b'i' | b'o' | b'u'
        );
        format!("{} {}", if vowel { "an" } else { "a" }, self.as_str())
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a role sits from the user: requests flow from high tiers to low
/// (load balancer > web > app > cache > database). A tier orders diagrams and
/// picks a link's default protocol.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    Database = 0,
    Cache = 1,
    App = 2,
    Web = 3,
    LoadBalancer = 4,
}

impl Tier {
    pub const ALL: &'static [Tier] = &[
        Tier::LoadBalancer,
        Tier::Web,
        Tier::App,
        Tier::Cache,
        Tier::Database,
    ];

    /// As written in `tier=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Database => "database",
            Tier::Cache => "cache",
            Tier::App => "app",
            Tier::Web => "web",
            Tier::LoadBalancer => "load-balancer",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.iter().copied().find(|t| t.as_str() == s)
    }
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
    /// Fast memory in front of a store (memcached, redis).
    Cache,
    /// A dependency the stack does not run (a payment API): a cloud.
    External,
    /// A message queue (rabbitmq): messages in a pipe.
    Queue,
}

/// Which per-role module of the bundle writes a role's files
/// (`src/bundle/roles/`). A new kit is a compile error in the bundle until
/// its module exists.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kit {
    Haproxy,
    Nginx,
    App,
    Mysql,
    Postgres,
    Redis,
    Memcached,
    Rabbitmq,
    /// Not ours to deploy: the README lists it, the apps' environment
    /// carries its URL.
    External,
}

/// How a health check or a keepalived script probes a role.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Health {
    /// An HTTP GET of the host's `health=` path (default `/healthz`).
    HttpPath,
    /// HAProxy's local `monitor-uri` frontend.
    MonitorUri,
    /// A TCP connect to the role's port.
    Tcp,
    /// Nothing: the stack does not run it.
    None,
}

/// One row of the roles table.
#[derive(Debug)]
pub struct RoleSpec {
    /// The name written in `.stack` files.
    pub name: &'static str,
    /// What it is, in words ("load balancer").
    pub title: &'static str,
    /// One line for `explain` and the book.
    pub doc: &'static str,
    /// Its tier; an `external` server may set its own with `tier=`.
    pub tier: Tier,
    /// The protocols it serves with their default ports, the default first.
    pub serves: &'static [(Protocol, u16)],
    /// A link to it may name any protocol (`external`: not ours to know).
    pub any_protocol: bool,
    /// Primary/replica, `failover=`, `vip` for the write address,
    /// `replica-write`.
    pub replicated: bool,
    /// The protocols in which a link without `read` is a write.
    pub data_protocols: &'static [Protocol],
    /// Can hold an active-passive group's vip (keepalived probes it).
    pub holds_vip: bool,
    /// Answers HTTP on its port (`health=`, HTTP health checks).
    pub serves_http: bool,
    /// Runs user code (`runtime=`, `command=`).
    pub runs_code: bool,
    /// Competes for a host's CPU, memory and disk (`shared-host`): the web,
    /// app, cache and database tiers.
    pub heavy: bool,
    /// The stack runs it: it has an address, a host, a firewall and a
    /// monitoring agent (`external` does not).
    pub deployed: bool,
    /// Debian packages that install it (for mysql, the MySQL flavor's:
    /// `--flavor mariadb` swaps them).
    pub packages: &'static [&'static str],
    /// Its systemd service (`{stack}` stands for the stack's name).
    pub service: &'static str,
    /// How diagrams draw it.
    pub shape: Shape,
    /// The bundle module that writes its files.
    pub kit: Kit,
    /// The real programs that check its bundle files, in words (README, book).
    pub check: &'static str,
    /// How its health is probed.
    pub health: Health,
}

impl RoleSpec {
    /// The protocol a link to it speaks by default.
    pub fn protocol(&self) -> Protocol {
        self.serves[0].0
    }
    /// The port of its default protocol.
    pub fn port(&self) -> u16 {
        self.serves[0].1
    }
    /// Whether it serves `p`, and on which default port.
    pub fn port_of(&self, p: Protocol) -> Option<u16> {
        self.serves
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, port)| *port)
    }
    pub fn serves(&self, p: Protocol) -> bool {
        self.any_protocol || self.port_of(p).is_some()
    }
    /// A link in `p` to it is read as a write unless it says `read`.
    pub fn replicates(&self, p: Protocol) -> bool {
        self.replicated && self.data_protocols.contains(&p)
    }
}

const HTTP: &[(Protocol, u16)] = &[(Protocol::Http, 80), (Protocol::Https, 443)];

/// The roles of v2 (ROLES.md §2), by tier.
pub static ROLES: &[RoleSpec] = &[
    RoleSpec {
        name: "haproxy",
        title: "load balancer",
        doc: "HAProxy: spreads requests over backends, holds a VRRP vip with keepalived",
        tier: Tier::LoadBalancer,
        serves: HTTP,
        any_protocol: false,
        replicated: false,
        data_protocols: &[],
        holds_vip: true,
        serves_http: false,
        runs_code: false,
        heavy: false,
        deployed: true,
        packages: &["haproxy"],
        service: "haproxy",
        shape: Shape::Balancer,
        kit: Kit::Haproxy,
        check: "haproxy -c",
        health: Health::MonitorUri,
    },
    RoleSpec {
        name: "nginx",
        title: "web server",
        doc: "Nginx: static files, proxies dynamic requests to the app tier",
        tier: Tier::Web,
        serves: HTTP,
        any_protocol: false,
        replicated: false,
        data_protocols: &[],
        holds_vip: true,
        serves_http: true,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["nginx"],
        service: "nginx",
        shape: Shape::WebServer,
        kit: Kit::Nginx,
        check: "nginx -t",
        health: Health::HttpPath,
    },
    RoleSpec {
        name: "app",
        title: "application server",
        doc: "the team's own code, run by a systemd unit (`runtime=`, `command=`)",
        tier: Tier::App,
        serves: &[(Protocol::Http, 8000)],
        any_protocol: false,
        replicated: false,
        data_protocols: &[],
        holds_vip: false,
        serves_http: true,
        runs_code: true,
        heavy: true,
        deployed: true,
        packages: &[],
        service: "{stack}-app",
        shape: Shape::AppServer,
        kit: Kit::App,
        check: "systemd-analyze verify",
        health: Health::HttpPath,
    },
    RoleSpec {
        name: "memcached",
        title: "cache",
        doc: "memcached: a memory cache the apps can miss; not replicated",
        tier: Tier::Cache,
        serves: &[(Protocol::Memcached, 11211)],
        any_protocol: false,
        replicated: false,
        data_protocols: &[],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["memcached"],
        service: "memcached",
        shape: Shape::Cache,
        kit: Kit::Memcached,
        check: "memcached started on its address",
        health: Health::Tcp,
    },
    RoleSpec {
        name: "redis",
        title: "cache and store",
        doc: "Redis: replicated with `replicaof`; `failover=auto` moves the vip and promotes",
        tier: Tier::Cache,
        serves: &[(Protocol::Redis, 6379)],
        any_protocol: false,
        replicated: true,
        data_protocols: &[Protocol::Redis],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["redis-server"],
        service: "redis-server",
        shape: Shape::Cache,
        kit: Kit::Redis,
        check: "redis-server started on its address, replication seen",
        health: Health::Tcp,
    },
    RoleSpec {
        name: "rabbitmq",
        title: "message broker",
        doc: "RabbitMQ: queues between the apps and their workers; not replicated",
        tier: Tier::Cache,
        serves: &[(Protocol::Amqp, 5672)],
        any_protocol: false,
        replicated: false,
        data_protocols: &[],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["rabbitmq-server"],
        service: "rabbitmq-server",
        shape: Shape::Queue,
        kit: Kit::Rabbitmq,
        check: "rabbitmq-server started on its address (AMQP handshake)",
        health: Health::Tcp,
    },
    RoleSpec {
        name: "mysql",
        title: "database",
        doc: "MySQL or MariaDB: GTID replication; `failover=auto` moves the vip and promotes",
        tier: Tier::Database,
        serves: &[(Protocol::Mysql, 3306)],
        any_protocol: false,
        replicated: true,
        data_protocols: &[Protocol::Mysql],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["mysql-server", "mysql-client"],
        service: "mysql",
        shape: Shape::Database,
        kit: Kit::Mysql,
        check: "mariadbd --help --verbose",
        health: Health::Tcp,
    },
    RoleSpec {
        name: "postgres",
        title: "database",
        doc: "PostgreSQL 15: streaming replication; `failover=auto` moves the vip and promotes",
        tier: Tier::Database,
        serves: &[(Protocol::Postgres, 5432)],
        any_protocol: false,
        replicated: true,
        data_protocols: &[Protocol::Postgres],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: true,
        deployed: true,
        packages: &["postgresql-15"],
        service: "postgresql@15-main",
        shape: Shape::Database,
        kit: Kit::Postgres,
        check: "postgres -C, pg_hba_file_rules, a streaming replica",
        health: Health::Tcp,
    },
    RoleSpec {
        name: "external",
        title: "external service",
        doc: "a dependency the stack does not run (a payment API): `host=` names it",
        tier: Tier::Database,
        serves: &[(Protocol::Https, 443)],
        any_protocol: true,
        replicated: false,
        data_protocols: &[],
        holds_vip: false,
        serves_http: false,
        runs_code: false,
        heavy: false,
        deployed: false,
        packages: &[],
        service: "",
        shape: Shape::External,
        kit: Kit::External,
        check: "",
        health: Health::None,
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
    /// The role a kit belongs to.
    pub fn of_kit(kit: Kit) -> Role {
        Role::all()
            .find(|r| r.spec().kit == kit)
            .expect("every kit has its row")
    }
    /// `haproxy, nginx, app, …`: the names for "expected a role (…)".
    pub fn names() -> impl Iterator<Item = &'static str> {
        ROLES.iter().map(|r| r.name)
    }
    /// "a role (haproxy, nginx, … or external)", for syntax errors.
    pub fn expected() -> &'static str {
        static S: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        S.get_or_init(|| format!("a role ({})", listed(Role::names(), "or")))
    }
    /// "roles are haproxy, … and external; join several with `+`".
    pub fn hint() -> &'static str {
        static S: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        S.get_or_init(|| {
            format!(
                "roles are {}; join several with `+`",
                listed(Role::names(), "and")
            )
        })
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
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::all().filter(move |r| self.contains(*r))
    }
    pub fn any(self, pred: impl Fn(&RoleSpec) -> bool) -> bool {
        self.iter().any(|r| pred(r.spec()))
    }
    pub fn all(self, pred: impl Fn(&RoleSpec) -> bool) -> bool {
        self.iter().all(|r| pred(r.spec()))
    }
    pub fn has_kit(self, kit: Kit) -> bool {
        self.kit(kit).is_some()
    }
    /// The role of a kit, when the set has it.
    pub fn kit(self, kit: Kit) -> Option<Role> {
        self.iter().find(|r| r.spec().kit == kit)
    }
    /// The role closest to the user: it sets the default protocol and port.
    pub fn main(self) -> Option<Role> {
        self.iter().max_by_key(|r| r.spec().tier)
    }
    /// The highest-tier role serving `p`, for the port of a link in `p`.
    pub fn speaking(self, p: Protocol) -> Option<Role> {
        self.iter()
            .filter(|r| r.spec().serves(p))
            .max_by_key(|r| r.spec().tier)
    }
    /// A replicated role of the set whose data protocol `p` is: a link in
    /// `p` to a group with it follows the replication rules (§5.4).
    pub fn replicates(self, p: Protocol) -> bool {
        self.any(|r| r.replicates(p))
    }
    /// `nginx+app+mysql`
    pub fn joined(self) -> String {
        self.iter().map(Role::name).collect::<Vec<_>>().join("+")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for r in ROLES {
            assert!(!r.serves.is_empty(), "{} serves something", r.name);
            assert_eq!(r.replicated, !r.data_protocols.is_empty(), "{}", r.name);
            for p in r.data_protocols {
                assert!(
                    r.port_of(*p).is_some(),
                    "{} serves its data protocol",
                    r.name
                );
            }
            assert_eq!(Role::lookup(r.name).map(|x| x.spec().name), Some(r.name));
            assert_eq!(
                ROLES.iter().filter(|o| o.kit == r.kit).count(),
                1,
                "one row per kit"
            );
            if !r.deployed {
                assert!(r.packages.is_empty() && r.service.is_empty(), "{}", r.name);
            }
        }
        assert!(ROLES.len() < 32, "a RoleSet is a u32");
    }

    #[test]
    fn writes_are_the_replicated_roles_data_protocols() {
        let data: Vec<_> = Protocol::ALL.iter().filter(|p| p.is_data()).collect();
        assert_eq!(
            data,
            [&Protocol::Mysql, &Protocol::Postgres, &Protocol::Redis]
        );
    }
}
