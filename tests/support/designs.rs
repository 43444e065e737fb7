//! Hand-written designs shared by the bundle tests.

/// A dual-stack design (issue 9, B3): an IPv6 VRRP pair of load balancers
/// (unicast, `track`) and an IPv6 failover=auto database beside an IPv4
/// pair, nginx and HAProxy binding IPv6 addresses, AAAA and A records in
/// one zone.
pub const DUAL_STACK: &str = "stack duo \"dual stack\"
group lb6: haproxy mode=active-passive vip=2001:db8::10 unicast track {
  server lb6-01 2001:db8::11
  server lb6-02 2001:db8::12
}
group lb4: haproxy mode=active-passive vip=203.0.113.10 {
  server lb4-01 10.0.0.11
  server lb4-02 10.0.0.12
}
group web: nginx {
  server web-01 2001:db8:1::11
  server web-02 2001:db8:1::12
}
group app: app port=8000 {
  server app-01 2001:db8:2::11
  server app-02 2001:db8:2::12
}
group db: mysql failover=auto vip=2001:db8:3::10 {
  server db-01 2001:db8:3::11 primary
  server db-02 2001:db8:3::12
}
lb6 -> web : http
lb4 -> web : http
web -> app : http 8000
app -> db : mysql
app -> db : mysql read
domain example.com {
  www AAAA -> lb6 : https
  www A -> lb4 : https
  @ AAAA -> lb6 : http
}
";
