//! The attributes table (LANGUAGE.md §3): which keys exist, where each may
//! stand, what value it takes and which roles it needs. Like roles, a new
//! attribute is a row.

use super::roles::RoleSpec;

/// Where an attribute is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AttrPlace(u8);

impl AttrPlace {
    pub const SERVER: AttrPlace = AttrPlace(1);
    pub const MEMBER: AttrPlace = AttrPlace(2);
    pub const GROUP: AttrPlace = AttrPlace(4);
    pub const LINK: AttrPlace = AttrPlace(8);
    pub const DOMAIN: AttrPlace = AttrPlace(16);
    const HOSTS: AttrPlace = AttrPlace(1 | 2 | 4);
    const SERVERS: AttrPlace = AttrPlace(1 | 2);

    pub fn contains(self, other: AttrPlace) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn describe(self) -> &'static str {
        match self.0 {
            1 => "a server",
            2 => "a group member",
            4 => "a group",
            8 => "a link",
            16 => "a domain",
            _ => "here",
        }
    }
}

/// The value an attribute takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A bare flag, no value.
    Flag,
    /// A declared zone's name.
    Zone,
    /// 1–65535.
    Port,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// An IPv4 or IPv6 address.
    Address,
    /// Free text (quoted when it has spaces).
    Text,
    /// A package-like word the bundle writes into its inventory and unit
    /// files: letters, digits and `. _ + -`, starting with a letter or digit,
    /// at most 64 characters (`sumologic`, `python3.11`).
    Word,
    /// An absolute URI path.
    Path,
    /// A whole number of seconds, 1 to 2147483647 (RFC 2181's largest TTL,
    /// which BIND takes).
    Seconds,
}

/// Roles an attribute needs: their names in words, and a test on a role.
pub type RoleNeed = (&'static str, fn(&RoleSpec) -> bool);

#[derive(Debug)]
pub struct AttrSpec {
    pub key: &'static str,
    pub places: AttrPlace,
    pub value: ValueKind,
    /// Roles the host (or group) must have, in words and as a test.
    pub needs: Option<RoleNeed>,
    /// One line for `explain` and the book.
    pub doc: &'static str,
}

pub static ATTRS: &[AttrSpec] = &[
    AttrSpec {
        key: "zone",
        places: AttrPlace::HOSTS,
        value: ValueKind::Zone,
        needs: None,
        doc: "failure domain; declared with `zone`",
    },
    AttrSpec {
        key: "port",
        places: AttrPlace::HOSTS,
        value: ValueKind::Port,
        needs: None,
        doc: "the port the main role listens on",
    },
    AttrSpec {
        key: "primary",
        places: AttrPlace::SERVERS,
        value: ValueKind::Flag,
        needs: Some(("mysql", |r| r.replicated)),
        doc: "the replication primary",
    },
    AttrSpec {
        key: "replica",
        places: AttrPlace::SERVERS,
        value: ValueKind::Flag,
        needs: Some(("mysql", |r| r.replicated)),
        doc: "a replication replica",
    },
    AttrSpec {
        key: "failover",
        places: AttrPlace::GROUP,
        value: ValueKind::Choice(&["manual", "auto"]),
        needs: Some(("mysql", |r| r.replicated)),
        doc: "`auto`: a replica is promoted when the primary dies",
    },
    AttrSpec {
        key: "mode",
        places: AttrPlace::GROUP,
        value: ValueKind::Choice(&["active-active", "active-passive"]),
        needs: None,
        doc: "how members share traffic",
    },
    AttrSpec {
        key: "vip",
        places: AttrPlace::GROUP,
        value: ValueKind::Address,
        needs: None,
        doc:
            "the virtual address of an active-passive group, or the write address of a mysql group",
    },
    AttrSpec {
        key: "track",
        places: AttrPlace::GROUP,
        value: ValueKind::Flag,
        needs: None,
        doc: "fail over also when the holder's backends fail",
    },
    AttrSpec {
        key: "unicast",
        places: AttrPlace::GROUP,
        value: ValueKind::Flag,
        needs: None,
        doc: "VRRP peers by unicast instead of multicast",
    },
    AttrSpec {
        key: "firewall",
        places: AttrPlace::HOSTS,
        value: ValueKind::Flag,
        needs: None,
        doc: "a host firewall is configured",
    },
    AttrSpec {
        key: "monitor",
        places: AttrPlace::HOSTS,
        value: ValueKind::Word,
        needs: None,
        doc: "the monitoring agent that runs there",
    },
    AttrSpec {
        key: "runtime",
        places: AttrPlace::HOSTS,
        value: ValueKind::Word,
        needs: Some(("app", |r| r.runs_code)),
        doc: "the application runtime (python, node, php, ruby, java)",
    },
    AttrSpec {
        key: "command",
        places: AttrPlace::HOSTS,
        value: ValueKind::Text,
        needs: Some(("app", |r| r.runs_code)),
        doc: "the command that starts the application",
    },
    AttrSpec {
        key: "health",
        places: AttrPlace::HOSTS,
        value: ValueKind::Path,
        needs: Some(("nginx or app", |r| r.serves_http)),
        doc: "the URI health checks request (default /healthz)",
    },
    AttrSpec {
        key: "read",
        places: AttrPlace::LINK,
        value: ValueKind::Flag,
        needs: None,
        doc: "the sources only read from the target",
    },
    AttrSpec {
        key: "ttl",
        places: AttrPlace::DOMAIN,
        value: ValueKind::Seconds,
        needs: None,
        doc: "record TTL in seconds",
    },
];

pub fn lookup(key: &str) -> Option<&'static AttrSpec> {
    ATTRS.iter().find(|a| a.key == key)
}
