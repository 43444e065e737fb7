//! The attributes table (LANGUAGE.md §3): which keys exist, where each may
//! stand, what value it takes, which roles it needs and where the model keeps
//! its value. Like roles, a new attribute is a row: the resolver reads a
//! value by its [`ValueKind`] and hands it to the row's setters, so nothing
//! else changes per attribute.

use super::roles::{RoleSpec, Tier, ROLES};
use super::{DbRole, Domain, Failover, Group, Link, Mode, Model, Record, Server, Zone, ZoneId};
use std::net::IpAddr;

/// Where an attribute is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AttrPlace(u8);

impl AttrPlace {
    pub const SERVER: AttrPlace = AttrPlace(1);
    pub const MEMBER: AttrPlace = AttrPlace(2);
    pub const GROUP: AttrPlace = AttrPlace(4);
    pub const LINK: AttrPlace = AttrPlace(8);
    pub const DOMAIN: AttrPlace = AttrPlace(16);
    pub const STACK: AttrPlace = AttrPlace(32);
    pub const ZONE: AttrPlace = AttrPlace(64);
    pub const RECORD: AttrPlace = AttrPlace(128);
    pub const ALL: [AttrPlace; 8] = [
        AttrPlace::STACK,
        AttrPlace::ZONE,
        AttrPlace::SERVER,
        AttrPlace::MEMBER,
        AttrPlace::GROUP,
        AttrPlace::LINK,
        AttrPlace::DOMAIN,
        AttrPlace::RECORD,
    ];
    const HOSTS: AttrPlace = AttrPlace(1 | 2 | 4);
    const SERVERS: AttrPlace = AttrPlace(1 | 2);
    const NONE: AttrPlace = AttrPlace(0);

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
            32 => "the stack",
            64 => "a zone",
            128 => "a record",
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
    /// A tier's name (`load-balancer`, `web`, `app`, `cache`, `database`).
    Tier,
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
    /// A host's DNS name (`api.stripe.com`): labels of letters, digits and
    /// `-`, at most 63 characters each, 253 in all.
    DnsName,
    /// A percentage above 0 and at most 100, in decimal (`99.95`).
    Percent,
    /// A whole number in `min..=max`.
    Count { min: u32, max: u32 },
    /// Requests per second: a number >= 0 in decimal (`1500`, `12.5`).
    Rate,
}

/// A value read from an attribute, as its [`ValueKind`] says.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Flag,
    /// `None` when the zone is not declared (`unknown-zone` was reported).
    Zone(Option<ZoneId>),
    Port(u16),
    Choice(&'static str),
    Tier(Tier),
    Address(IpAddr),
    /// Text, a word, a path or a DNS name.
    Text(String),
    Seconds(u32),
    /// A percentage or a rate.
    Number(f64),
    Count(u32),
}

impl Value {
    fn text(&self) -> Option<String> {
        match self {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A capability of a role an attribute needs, as a test on the roles
/// table; its words ("a replicated role (mysql, postgres, redis)") are
/// built from the table.
#[derive(Copy, Clone, Debug)]
pub struct Need {
    /// What the capability is, in words: "a replicated role".
    pub what: &'static str,
    pub test: fn(&RoleSpec) -> bool,
}

impl Need {
    pub const REPLICATED: Need = Need {
        what: "a replicated role",
        test: |r| r.replicated,
    };
    pub const RUNS_CODE: Need = Need {
        what: "a role that runs code",
        test: |r| r.runs_code,
    };
    pub const SERVES_HTTP: Need = Need {
        what: "a role that serves http",
        test: |r| r.serves_http,
    };
    pub const NOT_DEPLOYED: Need = Need {
        what: "a role the stack does not run",
        test: |r| !r.deployed,
    };
    pub const DEPLOYED: Need = Need {
        what: "a role the stack runs",
        test: |r| r.deployed,
    };

    /// The roles of the table that have it, by name: `mysql, postgres,
    /// redis`.
    pub fn roles(self) -> String {
        let mut names: Vec<&str> = ROLES
            .iter()
            .filter(|r| (self.test)(r))
            .map(|r| r.name)
            .collect();
        names.sort_unstable();
        names.join(", ")
    }

    /// "a replicated role (mysql, postgres, redis)"
    pub fn words(self) -> String {
        format!("{} ({})", self.what, self.roles())
    }
}

type Set<T> = Option<fn(&mut T, &Value)>;

#[derive(Debug)]
pub struct AttrSpec {
    pub key: &'static str,
    pub places: AttrPlace,
    pub value: ValueKind,
    /// A capability the host (or group) must have a role with, else the
    /// attribute is `unknown-attribute` there.
    pub needs: Option<Need>,
    /// A capability without which the attribute is accepted but changes
    /// nothing (`ignored-attribute`): a firewall on a service the stack does
    /// not run.
    pub ignored_unless: Option<Need>,
    /// A key this one cannot be written with on the same server.
    pub excludes: Option<&'static str>,
    /// Where a server keeps the value; a group's value is handed down to
    /// its members (theirs win).
    pub server: Set<Server>,
    /// Where a group keeps it.
    pub group: Set<Group>,
    pub link: Set<Link>,
    pub domain: Set<Domain>,
    /// Where the stack keeps it (`stack NAME tolerate=2`).
    pub stack: Set<Model>,
    pub zone: Set<Zone>,
    pub record: Set<Record>,
    /// One line for `explain` and the book.
    pub doc: &'static str,
}

impl AttrSpec {
    /// The places it may stand, in words: "a server or a group member".
    pub fn places_words(&self) -> String {
        AttrPlace::ALL
            .into_iter()
            .filter(|p| self.places.contains(*p))
            .map(|p| p.describe())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

const BASE: AttrSpec = AttrSpec {
    key: "",
    places: AttrPlace::NONE,
    value: ValueKind::Flag,
    needs: None,
    ignored_unless: None,
    excludes: None,
    server: None,
    group: None,
    link: None,
    domain: None,
    stack: None,
    zone: None,
    record: None,
    doc: "",
};

pub static ATTRS: &[AttrSpec] = &[
    AttrSpec {
        key: "zone",
        places: AttrPlace::HOSTS,
        value: ValueKind::Zone,
        server: Some(|s, v| {
            if let Value::Zone(z) = v {
                s.zone = *z;
            }
        }),
        doc: "failure domain; declared with `zone`",
        ..BASE
    },
    AttrSpec {
        key: "port",
        places: AttrPlace::HOSTS,
        value: ValueKind::Port,
        server: Some(|s, v| {
            if let Value::Port(p) = v {
                s.port = Some(*p);
            }
        }),
        group: Some(|g, v| {
            if let Value::Port(p) = v {
                g.port = Some(*p);
            }
        }),
        doc: "the port the main role listens on",
        ..BASE
    },
    AttrSpec {
        key: "primary",
        places: AttrPlace::SERVERS,
        needs: Some(Need::REPLICATED),
        excludes: Some("replica"),
        server: Some(|s, _| s.db = Some(DbRole::Primary)),
        doc: "the replication primary",
        ..BASE
    },
    AttrSpec {
        key: "replica",
        places: AttrPlace::SERVERS,
        needs: Some(Need::REPLICATED),
        excludes: Some("primary"),
        server: Some(|s, _| s.db = Some(DbRole::Replica)),
        doc: "a replication replica",
        ..BASE
    },
    AttrSpec {
        key: "failover",
        places: AttrPlace::GROUP,
        value: ValueKind::Choice(&["manual", "auto"]),
        needs: Some(Need::REPLICATED),
        group: Some(|g, v| {
            g.failover = match v {
                Value::Choice("auto") => Failover::Auto,
                _ => Failover::Manual,
            }
        }),
        doc: "`auto`: a replica is promoted when the primary dies",
        ..BASE
    },
    AttrSpec {
        key: "mode",
        places: AttrPlace::GROUP,
        value: ValueKind::Choice(&["active-active", "active-passive", "quorum"]),
        group: Some(|g, v| {
            g.mode = match v {
                Value::Choice("active-passive") => Mode::ActivePassive,
                Value::Choice("quorum") => Mode::Quorum,
                _ => Mode::ActiveActive,
            }
        }),
        doc: "how members share traffic; `quorum`: available while a quorum of members works \
              (Galera, etcd)",
        ..BASE
    },
    AttrSpec {
        key: "vip",
        places: AttrPlace::GROUP,
        value: ValueKind::Address,
        group: Some(|g, v| {
            if let Value::Address(ip) = v {
                g.vip = Some(*ip);
            }
        }),
        doc: "the virtual address of an active-passive group, or the write address of a group \
              with a replicated role (mysql, postgres, redis)",
        ..BASE
    },
    AttrSpec {
        key: "track",
        places: AttrPlace::GROUP,
        group: Some(|g, _| g.track = true),
        doc: "fail over also when the holder's backends fail",
        ..BASE
    },
    AttrSpec {
        key: "unicast",
        places: AttrPlace::GROUP,
        group: Some(|g, _| g.unicast = true),
        doc: "VRRP peers by unicast instead of multicast",
        ..BASE
    },
    AttrSpec {
        key: "firewall",
        places: AttrPlace::HOSTS,
        ignored_unless: Some(Need::DEPLOYED),
        server: Some(|s, _| s.firewall = true),
        doc: "a host firewall is configured",
        ..BASE
    },
    AttrSpec {
        key: "monitor",
        places: AttrPlace::HOSTS,
        value: ValueKind::Word,
        ignored_unless: Some(Need::DEPLOYED),
        server: Some(|s, v| s.monitor = v.text()),
        doc: "the monitoring agent that runs there",
        ..BASE
    },
    AttrSpec {
        key: "runtime",
        places: AttrPlace::HOSTS,
        value: ValueKind::Word,
        needs: Some(Need::RUNS_CODE),
        server: Some(|s, v| s.runtime = v.text()),
        doc: "the application runtime (python, node, php, ruby, java)",
        ..BASE
    },
    AttrSpec {
        key: "command",
        places: AttrPlace::HOSTS,
        value: ValueKind::Text,
        needs: Some(Need::RUNS_CODE),
        server: Some(|s, v| s.command = v.text()),
        doc: "the command that starts the application",
        ..BASE
    },
    AttrSpec {
        key: "health",
        places: AttrPlace::HOSTS,
        value: ValueKind::Path,
        needs: Some(Need::SERVES_HTTP),
        server: Some(|s, v| s.health = v.text()),
        doc: "the URI health checks request (default /healthz)",
        ..BASE
    },
    AttrSpec {
        key: "host",
        places: AttrPlace::SERVERS,
        value: ValueKind::DnsName,
        needs: Some(Need::NOT_DEPLOYED),
        server: Some(|s, v| s.host = v.text()),
        doc: "the DNS name the apps reach an external service by (`api.stripe.com`)",
        ..BASE
    },
    AttrSpec {
        key: "tier",
        places: AttrPlace::HOSTS,
        value: ValueKind::Tier,
        needs: Some(Need::NOT_DEPLOYED),
        server: Some(|s, v| {
            if let Value::Tier(t) = v {
                s.tier = Some(*t);
            }
        }),
        doc: "the tier an external service sits in (load-balancer, web, app, cache, database)",
        ..BASE
    },
    AttrSpec {
        key: "read",
        places: AttrPlace::LINK,
        link: Some(|l, _| l.read = true),
        doc: "the sources only read from the target",
        ..BASE
    },
    AttrSpec {
        key: "optional",
        places: AttrPlace::LINK,
        link: Some(|l, _| l.optional = true),
        doc: "the sources work without the target (a cache they can miss)",
        ..BASE
    },
    AttrSpec {
        key: "quorum",
        places: AttrPlace::GROUP,
        value: ValueKind::Count {
            min: 1,
            max: 100_000,
        },
        group: Some(|g, v| {
            if let Value::Count(k) = v {
                g.quorum = Some(*k);
            }
        }),
        doc: "how many members a `mode=quorum` group needs working (default: a strict majority)",
        ..BASE
    },
    AttrSpec {
        key: "availability",
        places: AttrPlace(1 | 2 | 4 | 64),
        value: ValueKind::Percent,
        server: Some(|s, v| s.availability = v.number()),
        zone: Some(|z, v| z.availability = v.number()),
        doc: "the percentage of time it is up (default: 99.9 for a server, 99.99 for a zone); \
              elements fail independently",
        ..BASE
    },
    AttrSpec {
        key: "capacity",
        places: AttrPlace::HOSTS,
        value: ValueKind::Rate,
        server: Some(|s, v| s.capacity = v.number()),
        doc: "the requests per second a host can carry (default: unlimited)",
        ..BASE
    },
    AttrSpec {
        key: "load",
        places: AttrPlace::RECORD,
        value: ValueKind::Rate,
        record: Some(|r, v| r.load = v.number()),
        doc: "the requests per second a record carries at peak",
        ..BASE
    },
    AttrSpec {
        key: "tolerate",
        places: AttrPlace::STACK,
        value: ValueKind::Count { min: 1, max: 4 },
        stack: Some(|m, v| {
            if let Value::Count(k) = v {
                m.tolerate = Some(*k as u8);
            }
        }),
        doc: "how many failures at once the stack must survive: `cut-set` errors for smaller \
              cuts (1-4, default 1)",
        ..BASE
    },
    AttrSpec {
        key: "slo",
        places: AttrPlace::STACK,
        value: ValueKind::Percent,
        stack: Some(|m, v| m.slo = v.number()),
        doc: "the availability target in percent: an `slo` error below it",
        ..BASE
    },
    AttrSpec {
        key: "ttl",
        places: AttrPlace::DOMAIN,
        value: ValueKind::Seconds,
        domain: Some(|d, v| {
            if let Value::Seconds(n) = v {
                d.ttl = Some(*n);
            }
        }),
        doc: "record TTL in seconds",
        ..BASE
    },
];

pub fn lookup(key: &str) -> Option<&'static AttrSpec> {
    ATTRS.iter().find(|a| a.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_stores_its_value_where_it_may_stand() {
        for a in ATTRS {
            let hosts =
                a.places.contains(AttrPlace::SERVER) || a.places.contains(AttrPlace::MEMBER);
            assert_eq!(hosts, a.server.is_some(), "{}", a.key);
            if a.places.contains(AttrPlace::GROUP) {
                assert!(a.group.is_some() || a.server.is_some(), "{}", a.key);
            }
            assert_eq!(
                a.places.contains(AttrPlace::LINK),
                a.link.is_some(),
                "{}",
                a.key
            );
            assert_eq!(
                a.places.contains(AttrPlace::DOMAIN),
                a.domain.is_some(),
                "{}",
                a.key
            );
            for (place, set) in [
                (AttrPlace::STACK, a.stack.is_some()),
                (AttrPlace::ZONE, a.zone.is_some()),
                (AttrPlace::RECORD, a.record.is_some()),
            ] {
                assert_eq!(a.places.contains(place), set, "{}", a.key);
            }
            if let Some(other) = a.excludes {
                assert_eq!(lookup(other).and_then(|o| o.excludes), Some(a.key));
            }
        }
    }

    #[test]
    fn needs_are_worded_from_the_roles_table() {
        assert_eq!(
            Need::REPLICATED.words(),
            "a replicated role (mysql, postgres, redis)"
        );
        assert_eq!(Need::NOT_DEPLOYED.roles(), "external");
    }
}
