use super::*;
use crate::import::tree::Entry;

fn host(files: &[(&str, &str)]) -> HostFiles {
    HostFiles::with_texts("web-01", files)
}

fn facts(files: &[(&str, &str)]) -> Facts {
    let mut f = Facts::default();
    read(&host(files), &mut f);
    f
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn serves(f: &Facts) -> Vec<(Protocol, Option<IpAddr>, u16, bool)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Serves {
                protocol,
                addr,
                port,
                tls,
                ..
            } => Some((*protocol, *addr, *port, *tls)),
            _ => None,
        })
        .collect()
}

fn sends(f: &Facts) -> Vec<(Protocol, Option<Target>, Option<String>)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Sends {
                protocol, to, pool, ..
            } => Some((*protocol, to.clone(), pool.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn no_config_no_facts() {
    let f = facts(&[("/etc/haproxy/haproxy.cfg", "x")]);
    assert!(f.facts.is_empty() && f.warnings.is_empty());
}

#[test]
fn a_bundle_host_without_nginx_conf_reads_conf_d() {
    let f = facts(&[(
        "/etc/nginx/conf.d/stackc.conf",
        "upstream up_app {\n    server 10.0.2.11:8000 max_fails=2;\n    server 10.0.2.12:8000 backup;\n}\n\
         server {\n    listen 10.0.1.11:443 ssl;\n    listen 203.0.113.20:443 ssl;\n    location = /healthz { proxy_pass http://up_app/healthz; }\n\
         location @app { proxy_pass http://up_app; }\n}\n",
    )]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    let (_, runs, o) = &f.facts[0];
    assert_eq!(*runs, Fact::Runs(Role::of_kit(Kit::Nginx)));
    assert_eq!(o.path, "/etc/nginx/conf.d/stackc.conf");
    assert_eq!(
        serves(&f),
        [
            (Protocol::Https, Some(ip("10.0.1.11")), 443, true),
            (Protocol::Https, Some(ip("203.0.113.20")), 443, true)
        ]
    );
    let pool = f
        .facts
        .iter()
        .find_map(|(_, x, o)| match x {
            Fact::Pool {
                name,
                protocol,
                members,
            } => Some((name.clone(), *protocol, members.clone(), o.line)),
            _ => None,
        })
        .unwrap();
    assert_eq!(pool.0, "up_app");
    assert_eq!(pool.1, Protocol::Http);
    assert_eq!(pool.3, 1);
    assert_eq!(
        pool.2
            .iter()
            .map(|m| (m.target.clone(), m.backup, m.line))
            .collect::<Vec<_>>(),
        [
            (Target::Addr(ip("10.0.2.11"), Some(8000)), false, 2),
            (Target::Addr(ip("10.0.2.12"), Some(8000)), true, 3)
        ]
    );
    // Two proxy_pass to the same upstream: one Sends.
    assert_eq!(sends(&f), [(Protocol::Http, None, Some("up_app".into()))]);
    let addrs = f
        .facts
        .iter()
        .filter(|(_, x, _)| matches!(x, Fact::Address(_)))
        .count();
    assert_eq!(addrs, 2);
}

#[test]
fn debian_sites_enabled_with_comments_tabs_and_defaults() {
    let nginx_conf = "user www-data;\nworker_processes auto;\ninclude /etc/nginx/modules-enabled/*.conf;\n\
        events {\n\tworker_connections 768;\n}\nhttp {\n\tinclude /etc/nginx/mime.types;\n\t# include x;\n\
        \tinclude /etc/nginx/conf.d/*.conf;\n\tinclude /etc/nginx/sites-enabled/*;\n}\n";
    let default = "server {\n\tlisten 80 default_server;\n\tlisten [::]:80 default_server;\n\troot /var/www/html;\n\
        \tlocation / {\n\t\ttry_files $uri $uri/ =404; # plain files\n\t}\n}\n";
    let shop = "upstream shop_app {\n\tserver app-01:8000;\n\tserver app-02:8000;\n}\n\
        server {\n\tlisten 443 ssl http2;\n\tserver_name \"shop.example\";\n\
        \tlocation /api/ {\n\t\tif ($request_method = POST) { proxy_pass http://shop_app; }\n\t\tproxy_pass http://shop_app;\n\t}\n\
        \tlocation /static/ { proxy_pass https://198.51.100.7; }\n\tlocation /php { fastcgi_pass 127.0.0.1:9000; }\n}\n";
    let f = facts(&[
        ("/etc/nginx/nginx.conf", nginx_conf),
        ("/etc/nginx/sites-available/default", default),
        ("/etc/nginx/sites-enabled/default", default),
        ("/etc/nginx/sites-available/shop", shop),
        ("/etc/nginx/sites-enabled/shop", shop),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(f.facts[0].2.path, MAIN);
    // Both Debian default listens are `*:80`: one fact.
    assert_eq!(
        serves(&f),
        [
            (Protocol::Http, None, 80, false),
            (Protocol::Https, None, 443, true)
        ]
    );
    assert_eq!(
        sends(&f),
        [
            (Protocol::Http, None, Some("shop_app".into())),
            (
                Protocol::Https,
                Some(Target::Addr(ip("198.51.100.7"), Some(443))),
                None
            ),
            (
                Protocol::Tcp,
                Some(Target::Name("web-01".into(), Some(9000))),
                None
            ),
        ]
    );
    let members: Vec<Target> = f
        .facts
        .iter()
        .find_map(|(_, x, _)| match x {
            Fact::Pool { members, .. } => Some(members.iter().map(|m| m.target.clone()).collect()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        members,
        [
            Target::Name("app-01".into(), Some(8000)),
            Target::Name("app-02".into(), Some(8000))
        ]
    );
    // Lines point into the site's own file.
    let o = f
        .facts
        .iter()
        .find(|(_, x, _)| matches!(x, Fact::Pool { .. }))
        .unwrap();
    assert_eq!(
        (o.2.path.as_str(), o.2.line),
        ("/etc/nginx/sites-enabled/shop", 1)
    );
}

#[test]
fn warnings_for_what_cannot_be_followed() {
    let f = facts(&[(
        "/etc/nginx/nginx.conf",
        "http {\n include /etc/nginx/missing.conf;\n upstream spare { server 10.0.2.13:80; server 10.0.2.14 down; }\n\
         server { listen 127.0.0.1:8080; location / { proxy_pass http://$backend; } }\n}\n",
    )]);
    let msgs: Vec<&str> = f.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(msgs[0].contains("missing.conf"));
    assert!(msgs[1].contains("down"));
    assert!(msgs[2].contains("variable"));
    assert!(msgs[3].contains("not used by any proxy_pass"));
    // A loopback listen is not a service of the stack.
    assert!(serves(&f).is_empty());
    assert_eq!(sends(&f), [(Protocol::Http, None, Some("spare".into()))]);
}

#[test]
fn stream_proxies_speak_the_ports_protocol() {
    let f = facts(&[(
        "/etc/nginx/nginx.conf",
        "stream {\n upstream db { server 10.0.5.11:3306; }\n server { listen 3306; proxy_pass db; }\n\
         server { listen 10.0.1.11:6379; proxy_pass 10.0.4.11:6379; }\n}\n",
    )]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(
        serves(&f),
        [
            (Protocol::Mysql, None, 3306, false),
            (Protocol::Redis, Some(ip("10.0.1.11")), 6379, false)
        ]
    );
    assert_eq!(
        sends(&f),
        [
            (Protocol::Mysql, None, Some("db".into())),
            (
                Protocol::Redis,
                Some(Target::Addr(ip("10.0.4.11"), Some(6379))),
                None
            )
        ]
    );
}

#[test]
fn an_include_loop_is_warned_once_and_ends() {
    let f = facts(&[
        ("/etc/nginx/nginx.conf", "http { include a.conf; }"),
        ("/etc/nginx/a.conf", "include b.conf; server { listen 81; }"),
        ("/etc/nginx/b.conf", "include a.conf; include b.conf;"),
    ]);
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    assert_eq!(serves(&f), [(Protocol::Http, None, 81, false)]);
}

#[test]
fn skipped_files_are_warned() {
    let mut h = host(&[("/etc/nginx/nginx.conf", "http { include sites-enabled/*; }")]);
    h.insert(
        "/etc/nginx/sites-enabled/big",
        Entry::Skipped("larger than 4 MiB".into()),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    assert_eq!(f.warnings.len(), 1);
    assert!(f.warnings[0].message.contains("larger than 4 MiB"));
}

#[test]
fn a_skipped_nginx_conf_is_warned_and_debians_layout_read() {
    let mut h = host(&[("/etc/nginx/sites-enabled/shop", "server { listen 8080; }")]);
    h.insert(
        "/etc/nginx/nginx.conf",
        Entry::Skipped("permission denied".into()),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    assert_eq!(f.warnings.len(), 1);
    assert!(f.warnings[0].message.contains("permission denied"));
    assert_eq!(serves(&f), [(Protocol::Http, None, 8080, false)]);
    let mut h = HostFiles::new("x");
    h.insert("/etc/nginx/nginx.conf", Entry::Skipped("not UTF-8".into()));
    let mut f = Facts::default();
    read(&h, &mut f);
    assert!(f.facts.is_empty());
    assert_eq!(f.warnings.len(), 1);
}
