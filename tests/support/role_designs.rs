//! Designs using the roles of ROLES.md v2, shared by `bundle_roles.rs` and
//! `bundle_roles_checks.rs`.
#![allow(dead_code)]

/// A PostgreSQL pair with `failover=auto` and a vip behind two apps, which
/// write and read it.
pub const POSTGRES: &str = "stack pgshop \"postgres pair\"
group app: app port=8000 {
  server app-01 10.0.1.11
  server app-02 10.0.1.12
}
group pg: postgres failover=auto vip=10.0.3.10 {
  server pg-01 10.0.3.11 primary
  server pg-02 10.0.3.12 replica
}
app -> pg : postgres
app -> pg : postgres read
";

/// A Redis pair with manual failover (the app writes to the primary) and a
/// lone Redis, on another port.
pub const REDIS: &str = "stack cache \"redis pair\"
server app-01: app 10.0.1.11
group sessions: redis {
  server redis-01 10.0.2.11 primary
  server redis-02 10.0.2.12 replica
}
server queue: redis 10.0.2.21 port=6380
app-01 -> sessions : redis
app-01 -> queue : redis 6380
";

/// A Redis pair with failover=auto and an IPv6 vip.
pub const REDIS_AUTO: &str = "stack cache6
server app-01: app 2001:db8:1::11
group kv: redis failover=auto vip=2001:db8:2::10 {
  server kv-01 2001:db8:2::11 primary
  server kv-02 2001:db8:2::12
}
app-01 -> kv : redis
";

/// Two memcached servers and a lone one.
pub const MEMCACHED: &str = "stack mc
server app-01: app 10.0.1.11
group mc: memcached {
  server mc-01 10.0.4.11
  server mc-02 10.0.4.12
}
server mc-03: memcached 10.0.4.13 port=11311
app-01 -> mc : memcached
app-01 -> mc-03 : memcached 11311
";

/// External services: one the apps reach over https, one over `tcp`, one
/// on an address.
pub const EXTERNAL: &str = "stack ext
server app-01: app 10.0.1.11
server payments: external
server smtp: external 198.51.100.25
server objects: external 198.51.100.80
app-01 -> payments
app-01 -> smtp : tcp 587
app-01 -> objects : https 8443
";
