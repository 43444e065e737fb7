use super::*;
use crate::import::facts::Target;
use std::net::IpAddr;

fn host(files: &[(&str, &str)]) -> HostFiles {
    HostFiles::with_texts("app-01", files)
}

fn facts(files: &[(&str, &str)]) -> Facts {
    let mut f = Facts::default();
    read(&host(files), &mut f);
    f
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn sends(f: &Facts) -> Vec<(Protocol, Target, bool, String, u32)> {
    f.facts
        .iter()
        .filter_map(|(_, x, o)| match x {
            Fact::Sends {
                protocol,
                to: Some(to),
                read,
                ..
            } => Some((*protocol, to.clone(), *read, o.path.clone(), o.line)),
            _ => None,
        })
        .collect()
}

fn attrs(f: &Facts) -> Vec<(String, String)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Attribute {
                key,
                value: Some(v),
            } => Some((key.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

const BUNDLE_UNIT: &str = "# Generated\n[Unit]\nDescription=shop application (stackc)\n\n[Service]\nType=simple\nUser=stackc-app\n\
    EnvironmentFile=/etc/default/shop-app\nWorkingDirectory=/srv/shop/app\nExecStart=/srv/shop/app/start\n\n[Install]\nWantedBy=multi-user.target\n";

#[test]
fn the_bundles_unit_and_environment() {
    let f = facts(&[
        ("/etc/systemd/system/shop-app.service", BUNDLE_UNIT),
        (
            "/etc/default/shop-app",
            "# Generated\nBIND=10.0.2.11\nPORT=8000\nHEALTH_PATH=/healthz\nRUNTIME=python\nDB_WRITE=10.0.5.10:5432\nDB_READ=10.0.5.10:5432\n\
             DB_KIND=postgres\nDB_DB_WRITE=10.0.5.10:5432\nDB_DB_READ=10.0.5.10:5432\nDB_DB_KIND=postgres\nPAYMENTS_URL=https://api.payments.example\n",
        ),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(f.facts[0].1, Fact::Runs(Role::of_kit(Kit::App)));
    assert_eq!(f.facts[0].2.path, "/etc/systemd/system/shop-app.service");
    assert_eq!(
        sends(&f),
        [
            (
                Protocol::Postgres,
                Target::Addr(ip("10.0.5.10"), Some(5432)),
                false,
                "/etc/default/shop-app".into(),
                9
            ),
            (
                Protocol::Https,
                Target::Name("api.payments.example".into(), Some(443)),
                false,
                "/etc/default/shop-app".into(),
                12
            ),
        ]
    );
    let serves: Vec<_> = f
        .facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Serves { addr, port, .. } => Some((*addr, *port)),
            _ => None,
        })
        .collect();
    assert_eq!(serves, [(Some(ip("10.0.2.11")), 8000)]);
    assert!(f
        .facts
        .iter()
        .any(|(_, x, _)| *x == Fact::Address(ip("10.0.2.11"))));
    // The default health path and ExecStart are not attributes.
    assert_eq!(attrs(&f), [("runtime".to_string(), "python".to_string())]);
}

#[test]
fn an_app_without_links_is_known_by_its_units_name() {
    let f = facts(&[
        (
            "/etc/systemd/system/blog-app.service",
            &BUNDLE_UNIT.replace("shop", "blog").replace(
                "ExecStart=/srv/blog/app/start",
                "ExecStart=/usr/bin/node server.js",
            ),
        ),
        (
            "/etc/default/blog-app",
            "BIND=10.0.2.21\nPORT=3000\nHEALTH_PATH=/up\n",
        ),
    ]);
    assert_eq!(f.facts[0].1, Fact::Runs(Role::of_kit(Kit::App)));
    assert!(sends(&f).is_empty());
    assert_eq!(
        attrs(&f),
        [
            ("health".to_string(), "/up".to_string()),
            ("command".to_string(), "/usr/bin/node server.js".to_string())
        ]
    );
}

#[test]
fn a_hand_written_unit_with_a_database_url() {
    let unit = "[Unit]\nDescription=Shop\n\n[Service]\n# the app\nEnvironment=\"APP_ENV=production\" PORT=8080\n\
        EnvironmentFile=-/etc/default/shop\nEnvironmentFile=-/etc/default/absent\n\
        ExecStart=/srv/shop/venv/bin/gunicorn \\\n\t--bind 0.0.0.0:8080 shop.wsgi\n";
    let dropin = "[Service]\nEnvironment=REDIS_URL=redis://localhost:6379/0\n";
    let f = facts(&[
        ("/etc/systemd/system/shop.service", unit),
        ("/etc/systemd/system/shop.service.d/override.conf", dropin),
        (
            "/etc/default/shop",
            "# Shop settings\nDATABASE_URL=\"mysql://shop:pw@10.0.6.11:3306/shop\"\nDATABASE_REPLICA_URL=mysql://shop:pw@10.0.6.12/shop\n",
        ),
        ("/etc/default/nginx", "DAEMON_OPTS=\"\"\n"),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(
        sends(&f),
        [
            (
                Protocol::Redis,
                Target::Name("app-01".into(), Some(6379)),
                false,
                "/etc/systemd/system/shop.service.d/override.conf".into(),
                2
            ),
            (
                Protocol::Mysql,
                Target::Addr(ip("10.0.6.11"), Some(3306)),
                false,
                "/etc/default/shop".into(),
                2
            ),
            (
                Protocol::Mysql,
                Target::Addr(ip("10.0.6.12"), Some(3306)),
                true,
                "/etc/default/shop".into(),
                3
            ),
        ]
    );
    let serves: Vec<_> = f
        .facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Serves { addr, port, .. } => Some((*addr, *port)),
            _ => None,
        })
        .collect();
    // PORT= wins; the bind is every address.
    assert_eq!(serves, [(None, 8080)]);
    assert_eq!(
        attrs(&f),
        [(
            "command".to_string(),
            "/srv/shop/venv/bin/gunicorn --bind 0.0.0.0:8080 shop.wsgi".to_string()
        )]
    );
}

#[test]
fn daemons_units_and_plain_units_are_not_apps() {
    let f = facts(&[
        (
            "/etc/systemd/system/memcached.service",
            "[Service]\nExecStart=/usr/bin/memcached -l 10.0.3.11\nEnvironment=X_URL=redis://10.0.4.1\n",
        ),
        (
            "/etc/systemd/system/pg.service",
            "[Service]\nEnvironment=DB_URL=postgres://10.0.5.1\nExecStart=/usr/lib/postgresql/15/bin/postgres -D /x\n",
        ),
        ("/etc/systemd/system/backup.service", "[Service]\nExecStart=/usr/local/bin/backup\n"),
        (
            "/etc/systemd/system/multi-user.target.wants/shop-app.service",
            BUNDLE_UNIT,
        ),
        ("/lib/systemd/system/shop-app.service", BUNDLE_UNIT),
        ("/etc/default/grub", "GRUB_TIMEOUT=5\n"),
    ]);
    assert!(f.facts.is_empty(), "{:?}", f.facts);
}

#[test]
fn an_environment_file_no_unit_reads_is_a_guess() {
    let f = facts(&[(
        "/etc/default/shop",
        "DATABASE_URL=postgres://db.internal/shop\n",
    )]);
    assert_eq!(f.facts[0].1, Fact::Runs(Role::of_kit(Kit::App)));
    assert_eq!(f.warnings.len(), 1);
    assert!(f.warnings[0].message.contains("no systemd unit"));
    assert_eq!(
        sends(&f),
        [(
            Protocol::Postgres,
            Target::Name("db.internal".into(), Some(5432)),
            false,
            "/etc/default/shop".into(),
            1
        )]
    );
}

#[test]
fn missing_and_skipped_environment_files_warn() {
    let mut h = host(&[(
        "/etc/systemd/system/shop-app.service",
        "[Service]\nEnvironmentFile=/etc/default/shop-app\nEnvironmentFile=/etc/default/other\n",
    )]);
    h.insert(
        "/etc/default/shop-app",
        Entry::Skipped("permission denied".into()),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    let msgs: Vec<&str> = f.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("permission denied"));
    assert!(msgs[1].contains("not among the host's files"));
    assert_eq!(f.warnings[1].origin.line, 3);
}
