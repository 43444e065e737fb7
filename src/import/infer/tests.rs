//! infer and write on hand-made facts (the readers are their owners').

use super::*;
use crate::import::facts::{Fact, Facts, Origin, PoolMember, Target, Track};
use crate::import::inventory;
use crate::model::{Kit, Protocol, Role};

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

fn o(host: &str, path: &str, line: u32) -> Origin {
    Origin::new(host, path, line)
}

fn member(name: &str, addr: &str, port: u16, backup: bool, line: u32) -> PoolMember {
    PoolMember {
        name: Some(name.into()),
        target: Target::Addr(ip(addr), Some(port)),
        backup,
        line,
    }
}

/// The facts of a shop: a VRRP pair of HAProxy (track) to two nginx, to two
/// apps, to a PostgreSQL pair with a write vip, a zone file, a payment API.
fn shop() -> Facts {
    let mut f = Facts::default();
    let hap = Role::of_kit(Kit::Haproxy);
    let ngx = Role::of_kit(Kit::Nginx);
    let app = Role::of_kit(Kit::App);
    let pg = Role::of_kit(Kit::Postgres);
    for (h, prio) in [("lb-01", 150), ("lb-02", 100)] {
        let cfg = "/etc/haproxy/haproxy.cfg";
        f.add(Fact::Runs(hap), o(h, cfg, 0));
        f.add(
            Fact::Serves {
                role: hap,
                protocol: Protocol::Https,
                addr: Some(ip("203.0.113.20")),
                port: 443,
                tls: true,
            },
            o(h, cfg, 42),
        );
        f.add(
            Fact::Pool {
                name: "be_web".into(),
                protocol: Protocol::Https,
                members: vec![
                    member("web-01", "10.0.1.11", 443, false, 52),
                    member("web-02", "10.0.1.12", 443, false, 53),
                ],
            },
            o(h, cfg, 46),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Https,
                to: None,
                pool: Some("be_web".into()),
                read: false,
            },
            o(h, cfg, 44),
        );
        f.add(
            Fact::Vrrp {
                instance: "lb".into(),
                vips: vec![ip("203.0.113.20")],
                priority: prio,
                peers: vec![],
                track: Track::Backends,
                promotes: false,
            },
            o(h, "/etc/keepalived/keepalived.conf", 19),
        );
    }
    for h in ["web-01", "web-02"] {
        let cfg = "/etc/nginx/conf.d/stackc.conf";
        f.add(Fact::Runs(ngx), o(h, cfg, 0));
        f.add(
            Fact::Pool {
                name: "up_app".into(),
                protocol: Protocol::Http,
                members: vec![
                    member("a1", "10.0.2.11", 8000, false, 15),
                    member("a2", "10.0.2.12", 8000, false, 16),
                ],
            },
            o(h, cfg, 14),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Http,
                to: None,
                pool: Some("up_app".into()),
                read: false,
            },
            o(h, cfg, 44),
        );
    }
    for h in ["app-01", "app-02"] {
        let env = "/etc/default/shop-app";
        f.add(
            Fact::Runs(app),
            o(h, "/etc/systemd/system/shop-app.service", 0),
        );
        f.add(
            Fact::Attribute {
                key: "runtime".into(),
                value: Some("python".into()),
            },
            o(h, env, 6),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Postgres,
                to: Some(Target::Addr(ip("10.0.5.10"), Some(5432))),
                pool: None,
                read: false,
            },
            o(h, env, 8),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Https,
                to: Some(Target::Name("api.payments.example".into(), None)),
                pool: None,
                read: false,
            },
            o(h, env, 30),
        );
    }
    for (h, prio) in [("pg-01", 150), ("pg-02", 100)] {
        f.add(
            Fact::Runs(pg),
            o(h, "/etc/postgresql/15/main/conf.d/stackc.conf", 0),
        );
        f.add(
            Fact::Vrrp {
                instance: "db".into(),
                vips: vec![ip("10.0.5.10")],
                priority: prio,
                peers: vec![],
                track: Track::LocalOnly,
                promotes: true,
            },
            o(h, "/etc/keepalived/keepalived.conf", 19),
        );
    }
    f.add(
        Fact::Follows {
            role: pg,
            primary: Target::Addr(ip("10.0.5.11"), Some(5432)),
        },
        o(
            "pg-02",
            "/etc/postgresql/15/main/conf.d/stackc-replica.conf",
            3,
        ),
    );
    f.add(
        Fact::Record {
            domain: "shop.example".into(),
            label: "www".into(),
            rtype: "A".into(),
            value: "203.0.113.20".into(),
            ttl: Some(300),
        },
        o("dns", "/shop.example.zone", 17),
    );
    f
}

const INVENTORY: &str = "[stackc]\nlb-01 ansible_host=10.0.0.11 stackc_zone=a stackc_monitor=agent\nlb-02 ansible_host=10.0.0.12 stackc_zone=b stackc_monitor=agent\nweb-01 ansible_host=10.0.1.11 stackc_zone=a\nweb-02 ansible_host=10.0.1.12 stackc_zone=b\napp-01 ansible_host=10.0.2.11 stackc_zone=a\napp-02 ansible_host=10.0.2.12 stackc_zone=b\npg-01 ansible_host=10.0.5.11 stackc_zone=a\npg-02 ansible_host=10.0.5.12 stackc_zone=b\n[group_app]\napp-01\napp-02\n";

#[test]
fn shop_groups_links_records() {
    let inv = inventory::parse(INVENTORY, "ansible/inventory.ini").expect("an inventory");
    let t = infer(&shop(), Some(&inv));
    let g: Vec<(&str, GroupKind, Option<IpAddr>, bool, bool)> = t
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.kind, g.vip, g.track, g.failover_auto))
        .collect();
    assert_eq!(
        g,
        [
            (
                "lb",
                GroupKind::ActivePassive,
                Some(ip("203.0.113.20")),
                true,
                false
            ),
            (
                "db",
                GroupKind::Replicated,
                Some(ip("10.0.5.10")),
                false,
                true
            ),
            ("web", GroupKind::Pool, None, false, false),
            ("app", GroupKind::Pool, None, false, false),
        ]
    );
    let db = &t.groups[1];
    assert_eq!(t.servers[db.primary.expect("a primary")].name, "pg-01");
    let links: Vec<String> = t
        .links
        .iter()
        .map(|l| {
            format!(
                "{} -> {} : {}{}",
                l.sources.join(","),
                l.targets.join(","),
                l.protocol,
                l.port.map(|p| format!(" {p}")).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            "lb -> web : https",
            "web -> app : http",
            "app -> db : postgres",
            "app -> payments : https"
        ]
    );
    assert_eq!(t.domains[0].records[0].targets, ["lb"]);
    assert_eq!(t.domains[0].records[0].protocol, Some(Protocol::Https));
    assert_eq!(t.zones, ["a", "b"]);
    // The payment API is a guess: an external server, a warning.
    assert!(
        t.warnings
            .iter()
            .any(|w| w.message.contains("api.payments.example")),
        "{:?}",
        t.warnings
    );
}

#[test]
fn shop_text_is_canonical_and_checks() {
    let inv = inventory::parse(INVENTORY, "ansible/inventory.ini").expect("an inventory");
    let t = infer(&shop(), Some(&inv));
    let text = crate::import::write::write(&t, "shop");
    assert_eq!(
        crate::fmt::format_source(&text).as_deref(),
        Some(text.as_str())
    );
    let checked = crate::check(&text);
    let rules: Vec<String> = checked
        .findings
        .iter()
        .map(|f| format!("{:?} {:?}", f.rule, f.subject))
        .collect();
    assert!(checked.is_sound(), "{text}\n{rules:?}");
    assert_eq!(checked.model.groups.len(), 4);
    insta::assert_snapshot!(text);
}

#[test]
fn guesses_are_warnings_beside_their_statement() {
    let mut f = Facts::default();
    let hap = Role::of_kit(Kit::Haproxy);
    let my = Role::of_kit(Kit::Mysql);
    let cfg = "/etc/haproxy/haproxy.cfg";
    f.add(Fact::Runs(hap), o("lb", cfg, 0));
    f.add(Fact::Address(ip("10.0.0.2")), o("lb", cfg, 10));
    f.add(
        Fact::Unrouted {
            name: "fe_stats".into(),
        },
        o("lb", cfg, 30),
    );
    f.add(
        Fact::Pool {
            name: "be_db".into(),
            protocol: Protocol::Mysql,
            members: vec![
                member("db-01", "10.0.6.11", 3306, false, 41),
                member("db-02", "10.0.6.12", 3306, true, 42),
                member("gone", "10.9.9.9", 3306, false, 43),
            ],
        },
        o("lb", cfg, 40),
    );
    for (h, a) in [("db-01", "10.0.6.11"), ("db-02", "10.0.6.12")] {
        f.add(Fact::Runs(my), o(h, "/etc/mysql/my.cnf", 0));
        f.add(Fact::Address(ip(a)), o(h, "/etc/mysql/my.cnf", 3));
    }
    f.add(
        Fact::Store {
            role: my,
            read_only: Some(true),
            server_id: Some(2),
            log_bin: None,
            gtid: None,
        },
        o("db-02", "/etc/mysql/my.cnf", 5),
    );
    let t = infer(&f, None);
    let msgs: Vec<String> = t
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.origin, w.message))
        .collect();
    let has = |s: &str| msgs.iter().any(|m| m.contains(s));
    assert!(
        has("lb:/etc/haproxy/haproxy.cfg:30: lb: the frontend `fe_stats` has no backend"),
        "{msgs:#?}"
    );
    assert!(
        has("lb:/etc/haproxy/haproxy.cfg:42: db-02 is a `backup` server"),
        "{msgs:#?}"
    );
    assert!(has("lb:/etc/haproxy/haproxy.cfg:43: `be_db`: 10.9.9.9:3306 is an address no host in DIR owns"), "{msgs:#?}");
    assert!(
        has("db-02:/etc/mysql/my.cnf:5: db-02 is read-only but its files name no primary"),
        "{msgs:#?}"
    );
    let text = crate::import::write::write(&t, "x");
    assert!(
        text.contains("# warning: db-02 is a `backup` server"),
        "{text}"
    );
    assert!(
        text.contains("# warning: lb: the frontend `fe_stats` has no backend"),
        "{text}"
    );
    assert_eq!(
        crate::fmt::format_source(&text).as_deref(),
        Some(text.as_str())
    );
}

#[test]
fn pool_names_drop_the_bundles_prefixes() {
    assert_eq!(groups::pool_name("be_web"), "web");
    assert_eq!(groups::pool_name("up_app_a"), "app-a");
    assert_eq!(groups::pool_name("webservers_backend"), "webservers");
    assert_eq!(groups::pool_name("be_"), "be-");
}

#[test]
fn a_track_script_on_the_local_daemon_is_no_track_and_a_note() {
    let mut f = Facts::default();
    let hap = Role::of_kit(Kit::Haproxy);
    for (h, a, prio) in [("lb-01", "10.0.0.11", 101), ("lb-02", "10.0.0.12", 100)] {
        f.add(Fact::Runs(hap), o(h, "/etc/haproxy/haproxy.cfg", 0));
        // The vip bound by HAProxy is the group's, not the host's.
        f.add(
            Fact::Address(ip("203.0.113.20")),
            o(h, "/etc/haproxy/haproxy.cfg", 30),
        );
        f.add(
            Fact::Address(ip(a)),
            o(h, "/etc/keepalived/keepalived.conf", 9),
        );
        f.add(
            Fact::Vrrp {
                instance: "VI_1".into(),
                vips: vec![ip("203.0.113.20")],
                priority: prio,
                peers: vec![ip("10.0.0.12")],
                track: Track::LocalOnly,
                promotes: false,
            },
            o(h, "/etc/keepalived/keepalived.conf", 10),
        );
    }
    let t = infer(&f, None);
    assert_eq!(t.groups.len(), 1);
    let g = &t.groups[0];
    assert_eq!(
        (g.kind, g.track, g.unicast, g.name.as_str()),
        (GroupKind::ActivePassive, false, true, "lb")
    );
    assert_eq!(t.servers[0].address, Some(ip("10.0.0.11")));
    let text = crate::import::write::write(&t, "x");
    assert!(
        text.contains(
            "# note: the VRRP instance `VI_1`'s track_script checks only the local daemon"
        ),
        "{text}"
    );
    assert!(
        text.contains("group lb: haproxy mode=active-passive vip=203.0.113.20 unicast {"),
        "{text}"
    );
}

#[test]
fn a_large_stack_is_inferred_in_linear_time() {
    // 2,000 app hosts behind 50 nginx with one upstream of them all, each
    // app sending to one of 20 databases: 4,000+ facts.
    let mut f = Facts::default();
    let ngx = Role::of_kit(Kit::Nginx);
    let app = Role::of_kit(Kit::App);
    let my = Role::of_kit(Kit::Mysql);
    let addr = |i: usize| ip(&format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256));
    let members: Vec<PoolMember> = (0..2000)
        .map(|i| {
            member(
                &format!("app-{i}"),
                &addr(10_000 + i).to_string(),
                8000,
                false,
                i as u32 + 1,
            )
        })
        .collect();
    for n in 0..50 {
        let h = format!("web-{n}");
        f.add(Fact::Runs(ngx), o(&h, "/etc/nginx/nginx.conf", 0));
        f.add(
            Fact::Pool {
                name: "up_app".into(),
                protocol: Protocol::Http,
                members: members.clone(),
            },
            o(&h, "/etc/nginx/nginx.conf", 1),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Http,
                to: None,
                pool: Some("up_app".into()),
                read: false,
            },
            o(&h, "/etc/nginx/nginx.conf", 2),
        );
    }
    for i in 0..2000 {
        let h = format!("app-{i}");
        f.add(Fact::Runs(app), o(&h, "/etc/default/app", 0));
        f.add(
            Fact::Address(addr(10_000 + i)),
            o(&h, "/etc/default/app", 1),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Mysql,
                to: Some(Target::Addr(addr(50_000 + i % 20), Some(3306))),
                pool: None,
                read: false,
            },
            o(&h, "/etc/default/app", 2),
        );
    }
    for d in 0..20 {
        let h = format!("db-{d}");
        f.add(Fact::Runs(my), o(&h, "/etc/mysql/my.cnf", 0));
        f.add(
            Fact::Address(addr(50_000 + d)),
            o(&h, "/etc/mysql/my.cnf", 1),
        );
    }
    let start = std::time::Instant::now();
    let t = infer(&f, None);
    let inferred = start.elapsed();
    let text = crate::import::write::write(&t, "big");
    let took = start.elapsed();
    eprintln!("infer {inferred:?}, write {:?}", took - inferred);
    assert_eq!(t.servers.len(), 2070);
    assert_eq!(t.groups.len(), 1, "the upstream's 2,000 apps");
    assert_eq!(t.links.len(), 21, "web -> app, and app-i -> db-(i mod 20)");
    assert!(
        took < std::time::Duration::from_secs(5),
        "{took:?} for {} bytes",
        text.len()
    );
}

#[test]
fn an_operators_inventory_group_names_the_group_and_a_name_server_is_no_server() {
    let mut f = Facts::default();
    let my = Role::of_kit(Kit::Mysql);
    for (h, a) in [("db-01", "10.0.3.11"), ("db-02", "10.0.3.12")] {
        f.add(Fact::Runs(my), o(h, "/etc/mysql/my.cnf", 0));
        f.add(Fact::Address(ip(a)), o(h, "/etc/mysql/my.cnf", 4));
    }
    f.add(
        Fact::Follows {
            role: my,
            primary: Target::Addr(ip("10.0.3.11"), Some(3306)),
        },
        o("db-02", "/var/lib/mysql/master.info", 4),
    );
    f.add(
        Fact::Record {
            domain: "shop.example".into(),
            label: "db".into(),
            rtype: "A".into(),
            value: "10.0.3.11".into(),
            ttl: None,
        },
        o("ns-01", "/etc/bind/db.shop.example", 12),
    );
    let inv = inventory::parse(
        "[mysql_primary]\ndb-01\n[databases]\ndb-01\ndb-02\n[all:children]\ndatabases\n",
        "inv.ini",
    )
    .expect("inventory");
    let t = infer(&f, Some(&inv));
    assert_eq!(t.groups.len(), 1);
    assert_eq!(t.groups[0].name, "databases");
    assert_eq!(t.groups[0].kind, GroupKind::Replicated);
    assert_eq!(
        t.servers[t.groups[0].primary.expect("primary")].name,
        "db-01"
    );
    assert!(t.server("ns-01").is_none());
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    assert_eq!(t.domains[0].records[0].targets, ["db-01"]);
}

#[test]
fn fqdn_host_folders_get_stack_names() {
    let mut f = Facts::default();
    let ngx = Role::of_kit(Kit::Nginx);
    for h in ["web.a.example", "web.b.example", "1box"] {
        f.add(Fact::Runs(ngx), o(h, "/etc/nginx/nginx.conf", 0));
    }
    let t = infer(&f, None);
    let names: Vec<&str> = t.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "web-b-example", "h-1box"]);
    assert_eq!(t.server("web.b.example"), Some(1));
    assert_eq!(t.warnings.len(), 3, "{:?}", t.warnings);
    let text = crate::import::write::write(&t, "x");
    assert!(
        crate::check(&text)
            .findings
            .iter()
            .all(|f| f.rule.as_str() != "syntax"),
        "{text}"
    );
}

/// What the round trip taught: a bundle's inventory carries `optional`;
/// a variable names an external service; a box's nginx to its own apps is
/// no link; a record to every member of a pool is to the pool; a read-only
/// store of no known primary is a `replica`; a replicated pair whose vip
/// moves without a promotion is `mode=active-passive` with manual failover.
#[test]
fn the_round_trips_readings() {
    let mut f = Facts::default();
    let (ngx, app, pg) = (
        Role::of_kit(Kit::Nginx),
        Role::of_kit(Kit::App),
        Role::of_kit(Kit::Postgres),
    );
    let env = "/etc/default/t-app";
    for (h, a) in [("box-01", "10.0.1.11"), ("box-02", "10.0.1.12")] {
        f.add(Fact::Runs(ngx), o(h, "/etc/nginx/conf.d/stackc.conf", 0));
        f.add(Fact::Runs(app), o(h, env, 0));
        f.add(Fact::Address(ip(a)), o(h, env, 1));
        f.add(
            Fact::Pool {
                name: "up_box".into(),
                protocol: Protocol::Http,
                members: vec![
                    member("box-01", "10.0.1.11", 8000, false, 2),
                    member("box-02", "10.0.1.12", 8000, false, 3),
                ],
            },
            o(h, "/etc/nginx/conf.d/stackc.conf", 1),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Http,
                to: None,
                pool: Some("up_box".into()),
                read: false,
            },
            o(h, "/etc/nginx/conf.d/stackc.conf", 9),
        );
        f.add(
            Fact::Calls {
                name: "pay".into(),
                host: "api.payments.example".into(),
            },
            o(h, env, 5),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Https,
                to: Some(Target::Name("api.payments.example".into(), Some(443))),
                pool: None,
                read: false,
            },
            o(h, env, 5),
        );
        f.add(
            Fact::Sends {
                protocol: Protocol::Postgres,
                to: Some(Target::Addr(ip("10.0.5.10"), Some(5432))),
                pool: None,
                read: false,
            },
            o(h, env, 6),
        );
        f.add(
            Fact::Record {
                domain: "t.example".into(),
                label: "www".into(),
                rtype: "A".into(),
                value: a.into(),
                ttl: None,
            },
            o("dns", "/t.example.zone", 9),
        );
    }
    for (h, a, prio) in [("pg-01", "10.0.5.11", 150), ("pg-02", "10.0.5.12", 100)] {
        f.add(
            Fact::Runs(pg),
            o(h, "/etc/postgresql/15/main/conf.d/s.conf", 0),
        );
        f.add(
            Fact::Address(ip(a)),
            o(h, "/etc/postgresql/15/main/conf.d/s.conf", 1),
        );
        f.add(
            Fact::Vrrp {
                instance: "db".into(),
                vips: vec![ip("10.0.5.10")],
                priority: prio,
                peers: vec![],
                track: Track::LocalOnly,
                promotes: false,
            },
            o(h, "/etc/keepalived/keepalived.conf", 19),
        );
    }
    f.add(
        Fact::Follows {
            role: pg,
            primary: Target::Addr(ip("10.0.5.11"), Some(5432)),
        },
        o("pg-02", "/etc/postgresql/15/main/conf.d/r.conf", 3),
    );
    f.add(
        Fact::Runs(pg),
        o("stage", "/etc/postgresql/15/main/conf.d/s.conf", 0),
    );
    f.add(
        Fact::Address(ip("10.0.6.11")),
        o("stage", "/etc/postgresql/15/main/conf.d/s.conf", 1),
    );
    f.add(
        Fact::Store {
            role: pg,
            read_only: Some(true),
            server_id: None,
            log_bin: None,
            gtid: None,
        },
        o("stage", "/var/lib/postgresql/15/main/standby.signal", 0),
    );
    let inv = inventory::parse(
        "box-01 stackc_optional=pay\nbox-02 stackc_optional=pay\n[role_nginx]\nbox-01\nbox-02\n[group_box]\nbox-01\nbox-02\n",
        "ansible/inventory.ini",
    )
    .expect("an inventory");
    let t = infer(&f, Some(&inv));
    let text = crate::import::write::write(&t, "t");
    let body: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.is_empty())
        .collect();
    let has = |l: &str| body.iter().any(|b| b.trim() == l);
    assert!(has("www A -> box"), "{text}");
    assert!(has("box -> pay : https optional"), "{text}");
    assert!(
        has("server pay: external host=api.payments.example"),
        "{text}"
    );
    assert!(
        has("group db: postgres mode=active-passive vip=10.0.5.10 {"),
        "{text}"
    );
    assert!(has("server stage: postgres 10.0.6.11 replica"), "{text}");
    assert!(!body.iter().any(|l| l.starts_with("box -> box")), "{text}");
    assert!(crate::check(&text)
        .model
        .links
        .iter()
        .all(|l| !l.from.is_empty()));
}
