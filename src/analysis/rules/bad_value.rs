//! `bad-value`: a value that does not fit its place.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::BadValue,
    summary: "a value is out of range or malformed",
    explain: "\
Examples: a port outside 1-65535, an address that is not IPv4 or IPv6, a
protocol that is not one of http, https, mysql, postgres, redis, memcached
and tcp, `: PROTO` to a server or group that serves none of it (the roles
table's protocols: `: postgres` to a mysql server, `: http` to a redis
group; `external` takes any), a `: tcp` link without a port (tcp has no
default: `: tcp 5672`, or the target's `port=`), a group with two
replicated roles (`mysql+postgres`: one `primary` mark and one vip cannot
say which replication they mean), `mode=active-pasive`, a name longer than 63
characters, an `allow` with an empty reason or naming a static rule, a flag
given a value, an attribute or role written more than once (one finding per
repeated key, naming how often, on its first repeat).

Addresses no host can have, as a server's address or a vip: the unspecified
`0.0.0.0` and `::`, the broadcast `255.255.255.255`, multicast
(`224.0.0.0/4`, `ff00::/8`), loopback (`127.0.0.0/8`, `::1`: other hosts
cannot reach them), link-local (`169.254.0.0/16`, `fe80::/10`: not routed,
and an IPv6 one needs an interface), `0.0.0.0/8`, the reserved
`240.0.0.0/4` and IPv4-mapped IPv6 (`::ffff:10.0.0.1`: write the IPv4
address). Private and documentation ranges are fine.

DNS: a label longer than 63 characters, a domain or a record's full name
(`label.domain`) longer than 253; an A record whose target's address is
IPv6, or an AAAA record whose target's address is IPv4 (for an
active-passive group, its vip; else every member's address); `ttl=` outside
1-2147483647 seconds (RFC 2181's largest TTL, which BIND takes).

External services: an address on an `external` server (the stack does not
run it: `host=` names it), a `host=` that is not a DNS name (labels of
letters, digits and inner `-`, at most 63 characters each and 253 in all, at
least two labels, not an address), `tier=` other than load-balancer, web,
app, cache or database, `external` joined with a role the stack runs.

Strings the bundle writes into its inventory and unit files: `monitor=` and
`runtime=` are one word of letters, digits and `. _ + -`
(`monitor=\"data dog\"` is refused).

Why it matters: the value would reach a configuration file or the analysis
wrongly; `check` refuses what `stackc bundle` could not write, so a clean
`check` means a buildable bundle.

How to fix: as the message says. Static errors cannot be allowed.",
};
