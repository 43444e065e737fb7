// The layered shape family of issue 9 (B6): one VRRP pair of load
// balancers in front of `web` nginx groups of 10, `web` app groups of 10
// and `db` mysql groups of 3, with `db = ceil(web * 66 / 40)` (40, 40, 66 at
// 1,000 servers). Each web group calls two app groups, each app group one
// db group; the db groups no app group calls stand alone.

use std::fmt::Write;

/// A layered stack of about `servers` servers (at least one group a tier).
#[allow(dead_code)] // not every bench uses every shape
pub fn stack(servers: usize) -> String {
    // 2 + 10 w + 10 w + 3 ceil(1.65 w) ~= 24.95 w + 2.
    let web = (servers.saturating_sub(2) * 100 / 2495).max(1);
    let db = (web * 66).div_ceil(40);
    let mut ip = 0u32;
    let mut addr = || {
        ip += 1;
        format!("10.{}.{}.{}", (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
    };
    let mut s = head("layered", "layered size band", servers, &mut addr);
    for (tier, role) in [("web", "nginx"), ("app", "app")] {
        for g in 0..web {
            let _ = writeln!(s, "group {tier}{g}: {role} firewall monitor=agent {{");
            for i in 0..10 {
                let _ = writeln!(s, "  server {tier}{g}-{i} {} zone={}", addr(), zone(i));
            }
            s.push_str("}\n");
        }
    }
    for g in 0..db {
        let vip = addr();
        let _ = writeln!(
            s,
            "group db{g}: mysql failover=auto vip={vip} firewall monitor=agent {{"
        );
        for i in 0..3 {
            let role = if i == 0 { "primary" } else { "replica" };
            let _ = writeln!(s, "  server db{g}-{i} {} zone={} {role}", addr(), zone(i));
        }
        s.push_str("}\n");
    }
    for g in 0..web {
        let _ = writeln!(s, "lb -> web{g} : https 443");
        let (a, b) = (g, (g + 1) % web);
        if a == b {
            let _ = writeln!(s, "web{g} -> app{a} : http 8000");
        } else {
            let _ = writeln!(s, "web{g} -> app{a}, app{b} : http 8000");
        }
        let _ = writeln!(s, "app{g} -> db{} : mysql", g % db);
    }
    s.push_str("domain layered.example.com ttl=60 {\n  www A -> lb : https\n}\n");
    s
}

/// One service of about `servers` servers in four wide tiers: a VRRP pair
/// of load balancers, then web, app and a mysql group with automatic
/// failover splitting the rest, over three zones; each web server carries
/// `capacity=` and the record a `load=` (RESILIENCE.md §4). The groups are
/// wide, so the cuts, the exact availability and the load flow each see
/// thousands of members behind one gate.
#[allow(dead_code)] // not every bench uses every shape
pub fn wide(servers: usize) -> String {
    let per = servers.saturating_sub(2).div_ceil(3).max(2);
    let mut ip = 0u32;
    let mut addr = || {
        ip += 1;
        format!("10.{}.{}.{}", (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
    };
    let mut s = head("wide", "generated", servers, &mut addr);
    for (tier, role, extra) in [("web", "nginx", " capacity=100"), ("app", "app", "")] {
        let _ = writeln!(s, "group {tier}: {role} firewall monitor=agent{extra} {{");
        for i in 0..per {
            let _ = writeln!(s, "  server {tier}-{i} {} zone={}", addr(), zone(i));
        }
        s.push_str("}\n");
    }
    let vip = addr();
    let _ = writeln!(
        s,
        "group db: mysql failover=auto vip={vip} firewall monitor=agent {{"
    );
    for i in 0..per {
        let role = if i == 0 { "primary" } else { "replica" };
        let _ = writeln!(s, "  server db-{i} {} zone={} {role}", addr(), zone(i));
    }
    s.push_str("}\n");
    s.push_str("lb -> web : https 443\nweb -> app : http 8000\napp -> db : mysql\n");
    let load = per * 50;
    let _ = writeln!(
        s,
        "domain example.com ttl=60 {{\n  www A -> lb : https load={load}\n}}"
    );
    s
}

/// The zone of the `i`-th member: members alternate over three zones.
fn zone(i: usize) -> &'static str {
    ["a", "b", "c"][i % 3]
}

/// The stack line, three zones and the VRRP pair `lb` both shapes start
/// with.
fn head(name: &str, title: &str, servers: usize, addr: &mut impl FnMut() -> String) -> String {
    let mut s = String::with_capacity(servers * 48);
    let _ = writeln!(s, "stack {name} \"{title}\"\nzone a\nzone b\nzone c");
    let vip = addr();
    let _ = writeln!(
        s,
        "group lb: haproxy mode=active-passive vip={vip} firewall monitor=agent {{"
    );
    for i in 0..2 {
        let _ = writeln!(s, "  server lb-{i} {} zone={}", addr(), zone(i));
    }
    s.push_str("}\n");
    s
}
