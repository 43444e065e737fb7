//! Bundles of the roles of ROLES.md v2 (PostgreSQL, Redis, memcached,
//! external services): every file snapshotted, the apps' environment, the
//! secrets kept to secret files, and the refusals. The real programs'
//! checks of these files are in `bundle_roles_checks.rs`.

mod common;
#[path = "support/role_designs.rs"]
mod role_designs;

use role_designs::{EXTERNAL, MEMCACHED, POSTGRES, REDIS, REDIS_AUTO};
use stackc::bundle::{self, Bundle, Options, Refusal, Secrets};
use stackc::diag::RuleId;

/// Passwords from a fixed sequence, so that snapshots are stable.
fn fixed_secrets(checked: &stackc::Checked) -> Secrets {
    let mut s = Secrets::new();
    let mut n: u32 = 11;
    s.fill(&bundle::required_secrets(checked), |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *b = (n >> 16) as u8;
        }
        Ok::<(), ()>(())
    })
    .unwrap();
    s
}

fn build(src: &str) -> (Bundle, Secrets) {
    let c = stackc::check(src);
    let secrets = fixed_secrets(&c);
    match bundle::generate(&c, &Options::default(), &secrets) {
        Ok(b) => (b, secrets),
        Err(Refusal::Findings(f)) => panic!("refused: {f:#?}"),
        Err(Refusal::Secrets(e)) => panic!("secrets: {e}"),
    }
}

fn listing(b: &Bundle) -> String {
    let mut out = String::new();
    for (path, f) in &b.files {
        out.push_str(&format!(
            "===== {path} ({:04o}{})\n",
            f.mode,
            if f.secret { ", secret" } else { "" }
        ));
        out.push_str(&String::from_utf8_lossy(&f.bytes));
    }
    out
}

fn file<'b>(b: &'b Bundle, path: &str) -> &'b str {
    let f = b
        .files
        .get(path)
        .unwrap_or_else(|| panic!("no {path} in {:?}", b.files.keys().collect::<Vec<_>>()));
    std::str::from_utf8(&f.bytes).unwrap()
}

fn env(src: &str, server: &str) -> Vec<(String, String)> {
    let c = stackc::check(src);
    let secrets = fixed_secrets(&c);
    bundle::app_environment(&c, &secrets, server)
        .expect("an app server of a stack that bundles")
        .into_iter()
        .map(|v| (v.name, v.value))
        .collect()
}

/// The bundle's files, then the environment `bundle::app_environment`
/// gives the application on `server`.
fn listing_with_env(b: &Bundle, src: &str, server: &str) -> String {
    let mut out = listing(b);
    out.push_str(&format!("===== app_environment({server})\n"));
    let c = stackc::check(src);
    for v in bundle::app_environment(&c, &fixed_secrets(&c), server).unwrap() {
        if let Some(d) = v.doc {
            out.push_str(&format!("# {d}\n"));
        }
        out.push_str(&format!("{}={}\n", v.name, v.value));
    }
    out
}

fn get<'e>(env: &'e [(String, String)], name: &str) -> Option<&'e str> {
    env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// No password reaches a file that is not marked secret (mode 0600).
fn secrets_only_in_secret_files(b: &Bundle, secrets: &Secrets) {
    for key in secrets.keys() {
        let pass = secrets.get(key).unwrap();
        for (path, f) in &b.files {
            if String::from_utf8_lossy(&f.bytes).contains(pass) {
                assert!(f.secret, "{path} holds {key} but is not secret");
                assert_eq!(f.mode, 0o600, "{path}");
            }
        }
    }
}

#[test]
fn postgres_pair_with_failover_auto() {
    let (b, secrets) = build(POSTGRES);
    secrets_only_in_secret_files(&b, &secrets);
    let conf = file(&b, "hosts/pg-01/etc/postgresql/15/main/conf.d/stackc.conf");
    assert!(
        conf.contains("listen_addresses = '10.0.3.11,10.0.3.10'"),
        "{conf}"
    );
    assert!(conf.contains("wal_level = replica") && conf.contains("hot_standby = on"));
    let hba = file(&b, "hosts/pg-02/etc/postgresql/15/main/pg_hba.conf");
    assert!(
        hba.contains("10.0.1.11/32") && hba.contains("10.0.3.11/32"),
        "{hba}"
    );
    assert!(
        !hba.contains("0.0.0.0/0") && !hba.contains(" trust"),
        "{hba}"
    );
    // The replica streams through the vip; the primary has the setup SQL.
    let replica = file(
        &b,
        "hosts/pg-02/etc/postgresql/15/main/conf.d/stackc-replica.conf",
    );
    assert!(replica.contains("host=10.0.3.10 port=5432 user=replicator password="));
    assert!(b
        .files
        .contains_key("hosts/pg-01/etc/postgresql/stackc/setup.sql"));
    assert!(!b
        .files
        .contains_key("hosts/pg-02/etc/postgresql/stackc/setup.sql"));
    // keepalived: the vip, no preempt, the pg_isready check, pg_promote().
    let ka = file(&b, "hosts/pg-02/etc/keepalived/keepalived.conf");
    assert!(
        ka.contains("nopreempt") && ka.contains("10.0.3.10/32"),
        "{ka}"
    );
    assert!(
        ka.contains("/usr/lib/postgresql/15/bin/pg_isready -q -t 1 -h 10.0.3.12 -p 5432"),
        "{ka}"
    );
    let promote = file(&b, "hosts/pg-02/etc/keepalived/stackc-promote.sh");
    assert!(promote.contains("SELECT pg_promote() WHERE pg_is_in_recovery();"));
    assert!(b
        .files
        .contains_key("hosts/pg-01/etc/sysctl.d/60-stackc.conf"));
    let site = file(&b, "ansible/site.yml");
    assert!(site.contains("- name: PostgreSQL 15") && site.contains("hosts: role_postgres"));
    assert!(
        !site.contains("mysql"),
        "no mysql play for a postgres stack"
    );
    let inv = file(&b, "ansible/inventory.ini");
    assert!(!inv.contains("[mysql_primary]"), "{inv}");
    insta::assert_snapshot!("postgres-pair", listing_with_env(&b, POSTGRES, "app-01"));

    let e = env(POSTGRES, "app-01");
    assert_eq!(get(&e, "DB_WRITE"), Some("10.0.3.10:5432"));
    assert_eq!(get(&e, "DB_READ"), Some("10.0.3.11:5432,10.0.3.12:5432"));
    assert_eq!(get(&e, "DB_PG_KIND"), Some("postgres"));
    assert_eq!(get(&e, "DB_PG_USER"), Some("app"));
    assert_eq!(
        get(&e, "DB_PG_PASSWORD"),
        secrets.get("postgres/pg/app"),
        "the app account's password"
    );
}

#[test]
fn postgres_failover_auto_needs_a_vip() {
    let src = POSTGRES.replace(" vip=10.0.3.10", "");
    let c = stackc::check(&src);
    let f = bundle::validate(&c);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, RuleId::MissingVip);
    assert!(
        f[0].message.contains("failover=auto postgres group `pg`"),
        "{}",
        f[0].message
    );
}

#[test]
fn redis_pair_and_lone_redis() {
    let (b, secrets) = build(REDIS);
    secrets_only_in_secret_files(&b, &secrets);
    let primary = file(&b, "hosts/redis-01/etc/redis/redis.conf");
    assert!(primary.contains("bind 10.0.2.11\n") && primary.contains("protected-mode yes"));
    assert!(!primary.contains("replicaof"), "{primary}");
    let replica = file(&b, "hosts/redis-02/etc/redis/redis.conf");
    assert!(
        replica.contains("replicaof 10.0.2.11 6379") && replica.contains("replica-read-only yes")
    );
    let pass = secrets.get("redis/sessions/password").unwrap();
    assert!(replica.contains(&format!("requirepass \"{pass}\"")));
    assert!(replica.contains(&format!("masterauth \"{pass}\"")));
    assert!(b.files["hosts/redis-02/etc/redis/redis.conf"].secret);
    let queue = file(&b, "hosts/queue/etc/redis/redis.conf");
    assert!(queue.contains("port 6380"), "{queue}");
    // Manual failover: no keepalived.
    assert!(!b.files.keys().any(|k| k.contains("keepalived")));
    insta::assert_snapshot!("redis-pair", listing_with_env(&b, REDIS, "app-01"));

    let e = env(REDIS, "app-01");
    assert_eq!(get(&e, "REDIS_SESSIONS_WRITE"), Some("10.0.2.11:6379"));
    assert_eq!(get(&e, "REDIS_SESSIONS_READ"), Some("10.0.2.11:6379"));
    assert_eq!(get(&e, "REDIS_SESSIONS_PASSWORD"), Some(pass));
    assert_eq!(
        get(&e, "REDIS_URL"),
        Some(format!("redis://:{pass}@10.0.2.11:6379").as_str())
    );
    assert_eq!(get(&e, "REDIS_QUEUE_WRITE"), Some("10.0.2.21:6380"));
    assert_eq!(get(&e, "DB_WRITE"), None, "redis is not a database");
}

#[test]
fn redis_failover_auto_on_ipv6() {
    let (b, secrets) = build(REDIS_AUTO);
    secrets_only_in_secret_files(&b, &secrets);
    let conf = file(&b, "hosts/kv-02/etc/redis/redis.conf");
    assert!(
        conf.contains("bind 2001:db8:2::12 2001:db8:2::10\n"),
        "{conf}"
    );
    assert!(conf.contains("user stackc-health on nopass -@all +ping"));
    let ka = file(&b, "hosts/kv-02/etc/keepalived/keepalived.conf");
    assert!(ka.contains("version 3") && ka.contains("nopreempt"), "{ka}");
    assert!(ka.contains("--user stackc-health"), "{ka}");
    let promote = file(&b, "hosts/kv-02/etc/keepalived/stackc-promote.sh");
    assert!(promote.contains("-e REPLICAOF NO ONE"), "{promote}");
    let demote = file(&b, "hosts/kv-01/etc/keepalived/stackc-demote.sh");
    assert!(
        demote.contains("-e REPLICAOF 2001:db8:2::10 6379"),
        "{demote}"
    );
    let sysctl = file(&b, "hosts/kv-01/etc/sysctl.d/60-stackc.conf");
    assert!(sysctl.contains("net.ipv6.ip_nonlocal_bind = 1") && sysctl.contains("let redis bind"));
    insta::assert_snapshot!(
        "redis-auto-ipv6",
        listing_with_env(&b, REDIS_AUTO, "app-01")
    );
    let e = env(REDIS_AUTO, "app-01");
    assert_eq!(get(&e, "REDIS_KV_WRITE"), Some("[2001:db8:2::10]:6379"));
}

#[test]
fn memcached_servers() {
    let (b, _) = build(MEMCACHED);
    let conf = file(&b, "hosts/mc-01/etc/memcached.conf");
    assert!(
        conf.contains("-l 10.0.4.11\n") && conf.contains("-p 11211\n"),
        "{conf}"
    );
    assert!(conf.contains("-u memcache\n") && conf.contains("-m 64\n"));
    assert!(file(&b, "hosts/mc-03/etc/memcached.conf").contains("-p 11311\n"));
    insta::assert_snapshot!("memcached", listing_with_env(&b, MEMCACHED, "app-01"));
    let e = env(MEMCACHED, "app-01");
    assert_eq!(
        get(&e, "MEMCACHED_SERVERS"),
        Some("10.0.4.11:11211,10.0.4.12:11211")
    );
    assert_eq!(get(&e, "MEMCACHED_MC_03_SERVERS"), Some("10.0.4.13:11311"));
}

#[test]
fn external_services_get_no_files() {
    let (b, _) = build(EXTERNAL);
    for name in ["api", "payments", "smtp", "objects"] {
        assert!(
            !b.files
                .keys()
                .any(|k| k.starts_with(&format!("hosts/{name}/"))),
            "{name} gets no files"
        );
    }
    let inv = file(&b, "ansible/inventory.ini");
    assert!(!inv.contains("payments") && !inv.contains("smtp"), "{inv}");
    let readme = file(&b, "README.md");
    assert!(readme.contains("## External services"), "{readme}");
    let manifest = file(&b, "manifest.json");
    assert!(!manifest.contains("\"name\": \"smtp\""), "{manifest}");
    insta::assert_snapshot!("external", listing_with_env(&b, EXTERNAL, "app-01"));
    let e = env(EXTERNAL, "app-01");
    assert_eq!(get(&e, "API_URL"), Some("https://api.example.com"));
    assert_eq!(get(&e, "SMTP_ADDR"), Some("smtp.example.com:587"));
    assert_eq!(
        get(&e, "OBJECTS_URL"),
        Some("https://objects.example.com:8443")
    );
    assert_eq!(get(&e, "PAYMENTS_URL"), None, "no host= given");
}

#[test]
fn mysql_environment_keeps_its_variables() {
    // Today's app.env variables of a mysql stack, in order, plus _KIND.
    let src = "stack s
server app-01: app 10.0.1.11
group db: mysql {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12 replica
}
app-01 -> db : mysql
app-01 -> db : mysql read
";
    let e = env(src, "app-01");
    let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "BIND",
            "PORT",
            "HEALTH_PATH",
            "DB_WRITE",
            "DB_READ",
            "DB_NAME",
            "DB_USER",
            "DB_PASSWORD",
            "DB_KIND",
            "DB_DB_WRITE",
            "DB_DB_READ",
            "DB_DB_NAME",
            "DB_DB_USER",
            "DB_DB_PASSWORD",
            "DB_DB_KIND",
        ]
    );
    assert_eq!(get(&e, "DB_WRITE"), Some("10.0.3.11:3306"));
    assert_eq!(get(&e, "DB_KIND"), Some("mysql"));
    // The bundle's own app.env agrees on every variable it has.
    let (b, _) = build(src);
    let app_env = file(&b, "hosts/app-01/etc/default/s-app");
    for line in app_env.lines().filter(|l| !l.starts_with('#')) {
        let (k, v) = line.split_once('=').unwrap();
        assert_eq!(get(&e, k), Some(v), "{k}");
    }
}

#[test]
fn one_app_with_every_kind_of_target() {
    // The first database is the first linked, whatever its kind; each
    // store keeps its own variables and secrets.
    let src = "stack mix
server app-01: app 10.0.1.11
server my: mysql 10.0.3.21
group pg: postgres {
  server pg-01 10.0.3.11 primary
  server pg-02 10.0.3.12 replica
}
server kv: redis 10.0.2.11
server mc: memcached 10.0.4.11
server api: external host=\"api.example.com\"
app-01 -> pg : postgres
app-01 -> pg : postgres read
app-01 -> my : mysql
app-01 -> kv : redis
app-01 -> mc : memcached
app-01 -> api : http 8080
";
    let (b, secrets) = build(src);
    secrets_only_in_secret_files(&b, &secrets);
    let keys: Vec<&str> = secrets.keys().collect();
    assert_eq!(
        keys,
        [
            "mysql/my/app",
            "postgres/pg/app",
            "postgres/pg/replication",
            "redis/kv/password"
        ]
    );
    let e = env(src, "app-01");
    assert_eq!(get(&e, "DB_KIND"), Some("postgres"));
    assert_eq!(get(&e, "DB_WRITE"), Some("10.0.3.11:5432"));
    assert_eq!(get(&e, "DB_MY_KIND"), Some("mysql"));
    assert_eq!(get(&e, "DB_MY_WRITE"), Some("10.0.3.21:3306"));
    assert_eq!(get(&e, "DB_MY_PASSWORD"), secrets.get("mysql/my/app"));
    assert_eq!(get(&e, "REDIS_KV_WRITE"), Some("10.0.2.11:6379"));
    assert_eq!(get(&e, "MEMCACHED_SERVERS"), Some("10.0.4.11:11211"));
    assert_eq!(get(&e, "API_URL"), Some("http://api.example.com:8080"));
    // Each kit's files on its hosts only; the mysql host is untouched by
    // the postgres store (and the other way round).
    assert!(b
        .files
        .contains_key("hosts/my/etc/mysql/mysql.conf.d/stackc.cnf"));
    assert!(!b
        .files
        .keys()
        .any(|k| k.starts_with("hosts/pg-01/etc/mysql")));
    assert!(!b
        .files
        .keys()
        .any(|k| k.starts_with("hosts/my/etc/postgresql")));
    let inv = file(&b, "ansible/inventory.ini");
    let primaries = inv.split("[mysql_primary]\n").nth(1).unwrap();
    assert!(
        primaries.starts_with("my\n\n"),
        "mysql_primary is the mysql host only: {inv}"
    );
    let site = file(&b, "ansible/site.yml");
    let order: Vec<usize> = [
        "- name: Databases",
        "- name: Redis",
        "- name: PostgreSQL 15",
        "- name: memcached",
    ]
    .iter()
    .map(|p| site.find(p).unwrap_or_else(|| panic!("{p} in site.yml")))
    .collect();
    assert!(order[0] < order[1], "mysql's play first");
}

/// Every combination of kit, group size, failover, address family, port
/// and read links bundles without a panic, keeps its passwords in secret
/// files, gives each member its kit's files and never names a member's
/// address in another store's files.
#[test]
fn a_grid_of_stores_bundles() {
    let mut n = 0;
    for (kit, data) in [("postgres", true), ("redis", true), ("memcached", false)] {
        for members in 1..=3 {
            for auto in [false, true] {
                for v6 in [false, true] {
                    for port in [None, Some(7000)] {
                        for read in [false, true] {
                            if auto && (!data || members == 1) {
                                continue;
                            }
                            let addr = |i: usize| {
                                if v6 {
                                    format!("2001:db8:5::{}", 11 + i)
                                } else {
                                    format!("10.0.5.{}", 11 + i)
                                }
                            };
                            let mut src =
                                String::from("stack grid\nserver app-01: app 10.0.1.11\n");
                            let attrs = format!(
                                "{}{}",
                                if auto {
                                    format!(" failover=auto vip={}", addr(9))
                                } else {
                                    String::new()
                                },
                                port.map(|p| format!(" port={p}")).unwrap_or_default()
                            );
                            src.push_str(&format!("group st: {kit}{attrs} {{\n"));
                            for i in 0..members {
                                let mark = match (data, i) {
                                    (false, _) => "",
                                    (true, 0) => " primary",
                                    (true, _) => " replica",
                                };
                                src.push_str(&format!("  server st-{i} {}{mark}\n", addr(i)));
                            }
                            src.push_str("}\n");
                            let p = port.map(|p| format!(" {p}")).unwrap_or_default();
                            src.push_str(&format!("app-01 -> st : {kit}{p}\n"));
                            if read && data {
                                src.push_str(&format!("app-01 -> st : {kit}{p} read\n"));
                            }
                            let c = stackc::check(&src);
                            if !bundle::validate(&c).is_empty() {
                                panic!("{src}\nrefused: {:#?}", bundle::validate(&c));
                            }
                            let (b, secrets) = build(&src);
                            secrets_only_in_secret_files(&b, &secrets);
                            for i in 0..members {
                                assert!(
                                    b.files
                                        .keys()
                                        .any(|k| k.starts_with(&format!("hosts/st-{i}/"))),
                                    "st-{i} gets files:\n{src}"
                                );
                            }
                            assert_eq!(b, build(&src).0, "deterministic:\n{src}");
                            let e = env(&src, "app-01");
                            let want = port.unwrap_or(0);
                            if want != 0 {
                                assert!(
                                    e.iter().any(|(_, v)| v.contains(&format!(":{want}"))),
                                    "the port reaches the environment:\n{src}\n{e:?}"
                                );
                            }
                            n += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(n > 50, "{n} stacks");
}

#[test]
fn bundles_are_deterministic() {
    for src in [POSTGRES, REDIS, REDIS_AUTO, MEMCACHED, EXTERNAL] {
        assert_eq!(build(src).0, build(src).0);
    }
}

/// RESILIENCE.md §5: a mysql quorum group (Galera) is a design `check`
/// accepts, and a clustering the bundle does not write: refused with a
/// span, never written without the group's hosts. A quorum group of a role
/// without replication is bundled like an active-active one.
#[test]
fn a_replicated_quorum_group_is_refused_and_others_are_bundled() {
    let src = |role: &str, proto: &str| {
        format!(
            "group web: nginx firewall monitor=agent {{\n  server web-01 10.0.1.11\n  server web-02 10.0.1.12\n}}\n\
             group db: {role} mode=quorum firewall monitor=agent {{\n  server db-01 10.0.3.11\n  server db-02 10.0.3.12\n  server db-03 10.0.3.13\n}}\n\
             web -> db : {proto}\ndomain example.com {{\n  www A -> web : https\n}}\n"
        )
    };
    let galera = stackc::check(&src("mysql", "mysql"));
    assert_eq!(galera.model.groups[1].mode, stackc::model::Mode::Quorum);
    assert_eq!(galera.errors(), 0, "{:#?}", galera.findings);
    let secrets = fixed_secrets(&galera);
    match bundle::generate(&galera, &Options::default(), &secrets) {
        Err(Refusal::Findings(f)) => {
            assert_eq!(f.len(), 1, "{f:#?}");
            assert!(f[0].message.contains("quorum cluster"), "{}", f[0].message);
            assert_eq!(f[0].subject_name(), Some("db"));
        }
        Ok(b) => panic!("a Galera group was bundled: {}", listing(&b)),
        Err(Refusal::Secrets(e)) => panic!("secrets: {e}"),
    }
    let (b, _) = build(&src("app", "http"));
    for host in ["db-01", "db-02", "db-03"] {
        assert!(
            b.files.keys().any(|path| path.contains(host)),
            "{host} missing: {}",
            listing(&b)
        );
    }
}
