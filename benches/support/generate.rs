//! Generated stacks for benchmarks: `services` independent web services,
//! each a VRRP pair of load balancers, web and app groups, and a mysql group
//! with automatic failover, spread over three zones, plus some standalone
//! servers and member-level links so that every gate kind is exercised.

use std::fmt::Write;

/// A stack of about `servers` servers.
pub fn stack(servers: usize) -> String {
    // Per service: 2 lb + 4 web + 4 app + 3 db + 1 standalone cache = 14.
    let services = servers.div_ceil(14).max(1);
    let mut s = String::with_capacity(servers * 48);
    s.push_str("stack bench \"generated\"\nzone a\nzone b\nzone c\n");
    let zone = |i: usize| ["a", "b", "c"][i % 3];
    let mut ip = 0u32;
    let mut addr = || {
        ip += 1;
        format!("10.{}.{}.{}", (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
    };
    for k in 0..services {
        let vip = addr();
        let _ = writeln!(
            s,
            "group lb{k}: haproxy mode=active-passive vip={vip} firewall monitor=agent {{"
        );
        for i in 0..2 {
            let _ = writeln!(s, "  server lb{k}-{i} {} zone={}", addr(), zone(i));
        }
        s.push_str("}\n");
        for (tier, role, n) in [("web", "nginx", 4), ("app", "app", 4)] {
            let _ = writeln!(s, "group {tier}{k}: {role} firewall monitor=agent {{");
            for i in 0..n {
                let _ = writeln!(s, "  server {tier}{k}-{i} {} zone={}", addr(), zone(i));
            }
            s.push_str("}\n");
        }
        let vip = addr();
        let _ = writeln!(
            s,
            "group db{k}: mysql failover=auto vip={vip} firewall monitor=agent {{"
        );
        for i in 0..3 {
            let role = if i == 0 { "primary" } else { "replica" };
            let _ = writeln!(s, "  server db{k}-{i} {} zone={} {role}", addr(), zone(i));
        }
        s.push_str("}\n");
        let _ = writeln!(
            s,
            "server cache{k}: app {} zone=c firewall monitor=agent",
            addr()
        );
        let _ = writeln!(s, "lb{k} -> web{k} : https 443");
        let _ = writeln!(s, "web{k} -> app{k}, cache{k} : http 8000");
        let _ = writeln!(s, "app{k} -> db{k} : mysql");
        let _ = writeln!(s, "app{k}-0 -> db{k}-1 : mysql read");
        let _ = writeln!(s, "cache{k} -> db{k}");
        let _ = writeln!(
            s,
            "domain s{k}.example.com ttl=60 {{\n  www A -> lb{k} : https\n}}"
        );
    }
    s
}

/// `server sI: nginx 10.x.y.z firewall monitor=agent` for I in 0..N: lone
/// servers with nothing to warn about but what the shape makes.
#[allow(dead_code)] // not every bench uses every shape
fn lone_servers(s: &mut String, servers: usize) {
    for i in 0..servers {
        let _ = writeln!(
            s,
            "server s{i}: nginx 10.{}.{}.{} firewall monitor=agent",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        );
    }
}

#[allow(dead_code)] // not every bench uses every shape
/// A straight chain `s0 -> s1 -> … -> sN` behind one record: every server
/// is a single point of failure, and the chain that breaks grows with N
/// (issue 9 B4: explanations must stay bounded).
pub fn chain(servers: usize) -> String {
    let mut s = String::with_capacity(servers * 64);
    s.push_str("domain ex.com {\n  www A -> s0 : https\n}\n");
    lone_servers(&mut s, servers);
    for i in 1..servers {
        let _ = writeln!(s, "s{} -> s{i}", i - 1);
    }
    s
}

/// N records, each served by its own server, every server writing to one
/// database pair: the primary darkens all N records (one finding naming
/// them), and each server darkens its own record (issue 9: a batch once
/// scanned every entry point per dark lane, N² in all).
#[allow(dead_code)] // not every bench uses every shape
pub fn many_records(servers: usize) -> String {
    let mut s = String::with_capacity(servers * 96);
    s.push_str("domain ex.com {\n");
    for i in 0..servers {
        let _ = writeln!(s, "  r{i} A -> s{i}");
    }
    s.push_str("}\n");
    lone_servers(&mut s, servers);
    s.push_str("group db: mysql firewall monitor=agent {\n  server d1 10.200.0.1 primary\n  server d2 10.200.0.2\n}\n");
    for i in 0..servers {
        let _ = writeln!(s, "s{i} -> db : mysql");
    }
    s
}

/// Two groups of N members, the first linking to the second: every member
/// reaches the same N servers (issue 9: `orphan` once walked members ×
/// members).
#[allow(dead_code)] // not every bench uses every shape
pub fn big_groups(members: usize) -> String {
    let mut s = String::with_capacity(members * 80);
    s.push_str("domain ex.com { www A -> web }\ngroup web: nginx firewall monitor=agent {\n");
    for i in 0..members {
        let _ = writeln!(s, "  server w{i} 10.1.{}.{}", (i >> 8) & 255, i & 255);
    }
    s.push_str("}\ngroup app: app firewall monitor=agent {\n");
    for i in 0..members {
        let _ = writeln!(s, "  server a{i} 10.2.{}.{}", (i >> 8) & 255, i & 255);
    }
    s.push_str("}\nweb -> app\n");
    s
}
