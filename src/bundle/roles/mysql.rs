//! `mysql` (MySQL 8 or MariaDB, `--flavor`): a `conf.d` file per host, the
//! setup SQL (accounts on the primary, replication on the replicas), the
//! promote/demote scripts of a failover=auto group, the database plays and
//! the `mysql_primary`/`mysql_replica` inventory groups.

use super::super::plan::{Plan, Vrrp, APP_ACCOUNT};
use super::super::stack::ansible::InvGroup;
use super::super::stack::playbook::{self as pb, Node, Play, Task};
use super::super::writer::Out;
use super::super::Flavor;
use super::keepalived::{DEMOTE, PROMOTE};
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

const SETUP_DIR: &str = "/etc/mysql/stackc";
const SETUP_SQL: &str = "/etc/mysql/stackc/setup.sql";
const SETUP_DONE: &str = "/var/lib/mysql/stackc-setup.done";

/// What the flavor changes.
pub(in crate::bundle) struct Flav {
    /// In words: "MySQL 8".
    pub name: &'static str,
    packages: Vec<&'static str>,
    service: &'static str,
    cnf: &'static str,
    /// Ansible's `validate` of the conf.d file.
    validate: &'static str,
    /// The check, as the README names it.
    pub check: &'static str,
}

pub(in crate::bundle) fn flavor(f: Flavor) -> Flav {
    let mysql = Role::of_kit(Kit::Mysql).spec();
    match f {
        Flavor::Mysql => Flav {
            name: "MySQL 8",
            packages: mysql.packages.to_vec(),
            service: mysql.service,
            cnf: "/etc/mysql/mysql.conf.d/stackc.cnf",
            validate: "mysqld --defaults-file=%s --user=mysql --validate-config",
            check: "`mysqld --validate-config`",
        },
        Flavor::Mariadb => Flav {
            name: "MariaDB",
            packages: vec!["mariadb-server", "mariadb-client"],
            service: "mariadb",
            cnf: "/etc/mysql/mariadb.conf.d/60-stackc.cnf",
            validate: "mariadbd --defaults-file=%s --help --verbose",
            check: "`mariadbd --help --verbose`",
        },
    }
}

/// Worked out once per bundle: `server_id` per database server.
pub(super) struct Prepared {
    server_ids: BTreeMap<ServerId, u32>,
}

impl Prepared {
    /// `server_id` per database server: its IPv4 address as a number
    /// (stable when the file changes), or the low 32 bits of an IPv6 one;
    /// declaration order when those would collide.
    pub fn new(p: &Plan<'_>) -> Self {
        let servers: Vec<ServerId> = p
            .dbs_of(Kit::Mysql)
            .flat_map(|d| d.members.clone())
            .collect();
        let from_addr: Vec<u32> = servers
            .iter()
            .map(|s| match p.addr(*s) {
                IpAddr::V4(a) => u32::from(a),
                IpAddr::V6(a) => (u128::from(a) & 0xffff_ffff) as u32,
            })
            .collect();
        let unique = from_addr.iter().collect::<HashSet<_>>().len() == from_addr.len();
        let ok = unique && !from_addr.contains(&0);
        let server_ids = servers
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, if ok { from_addr[i] } else { i as u32 + 1 }))
            .collect();
        Prepared { server_ids }
    }
}

#[derive(Serialize)]
struct MysqlCnf<'a> {
    host: &'a str,
    flavor_name: &'static str,
    db: &'a str,
    primary: &'a str,
    replica: bool,
    server_id: u32,
    /// Listens on every address (failover=auto: the vip moves).
    wildcard: bool,
    vip: Option<String>,
    bind: String,
    port: u16,
    mariadb: bool,
}

#[derive(Serialize)]
struct SetupSql<'a> {
    host: &'a str,
    db: &'a str,
    path: &'static str,
    primary: &'a str,
    replica: bool,
    mariadb: bool,
    schema: &'a str,
    source_host: String,
    source_port: u16,
    repl_password: Option<&'a str>,
    repl_hosts: Vec<String>,
    app_password: Option<&'a str>,
    clients: Vec<SqlClient>,
    /// `IDENTIFIED ...` of the flavor.
    identified: &'static str,
}

#[derive(Serialize)]
struct SqlClient {
    host: String,
    writes: bool,
}

#[derive(Serialize)]
struct NotifySh<'a> {
    host: &'a str,
    group: &'a str,
    vip: String,
    promote: bool,
    mariadb: bool,
}

pub(super) fn files(o: &mut Out<'_, '_>, prep: &Prepared, s: ServerId) {
    let p = o.p;
    let m = p.m;
    let Some(di) = p.db_of(s, Kit::Mysql) else {
        return;
    };
    let d = &p.dbs[di];
    let fl = flavor(p.flavor);
    let mariadb = p.flavor == Flavor::Mariadb;
    let replica = s != d.primary;
    let host = &m.server(s).name;
    let primary = &m.server(d.primary).name;
    let bind = match (d.auto, p.addr(s).is_ipv4()) {
        (true, true) => "0.0.0.0".to_string(),
        (true, false) => "::".to_string(),
        (false, _) => p.addr(s).to_string(),
    };
    let cnf = o.render(
        "mysql.cnf",
        &MysqlCnf {
            host,
            flavor_name: fl.name,
            db: &d.name,
            primary,
            replica,
            server_id: prep.server_ids.get(&s).copied().unwrap_or(1),
            wildcard: d.auto,
            vip: d.vip.map(|v| v.to_string()),
            bind,
            port: p.port(s, Kit::Mysql),
            mariadb,
        },
    );
    o.host_file(s, fl.cnf, cnf, 0o644, false);
    let secrets = o.secrets;
    let repl = secrets.get(&p.secret_key(d, "replication"));
    let app = secrets.get(&p.secret_key(d, APP_ACCOUNT));
    let sql = o.render(
        "setup.sql",
        &SetupSql {
            host,
            db: &d.name,
            path: SETUP_SQL,
            primary,
            replica,
            mariadb,
            schema: &p.stack,
            source_host: p.addr(d.primary).to_string(),
            source_port: p.port(d.primary, Kit::Mysql),
            repl_password: repl,
            repl_hosts: d.members.iter().map(|x| p.addr(*x).to_string()).collect(),
            app_password: if d.clients.is_empty() { None } else { app },
            clients: d
                .clients
                .iter()
                .map(|c| SqlClient {
                    host: p.addr(c.server).to_string(),
                    writes: c.writes,
                })
                .collect(),
            identified: if mariadb {
                "IDENTIFIED BY"
            } else {
                "IDENTIFIED WITH caching_sha2_password BY"
            },
        },
    );
    let secret = replica || repl.is_some() || !d.clients.is_empty();
    o.host_file(s, SETUP_SQL, sql, 0o600, secret);
}

/// What the README says of keepalived's check of a member.
pub(super) const CHECK_TEXT: &str =
    "The check asks the local database server; a failure releases the vip at once.";

/// keepalived's check of a database member.
pub(super) fn probe() -> (String, String) {
    (
        "The local database server answers.".to_string(),
        "/usr/bin/mysqladmin --connect-timeout=1 ping".to_string(),
    )
}

/// The scripts keepalived runs when a member of a failover=auto group
/// takes the write vip (promote: stop replicating, `read_only=OFF`) or
/// loses it (demote: `read_only=ON`).
pub(super) fn notify_scripts(o: &mut Out<'_, '_>, s: ServerId, v: &Vrrp) {
    let p = o.p;
    let m = p.m;
    for (promote, path) in [(true, PROMOTE), (false, DEMOTE)] {
        let bytes = o.render(
            "keepalived-notify.sh",
            &NotifySh {
                host: &m.server(s).name,
                group: &m.group(v.group).name,
                vip: v.vip.to_string(),
                promote,
                mariadb: p.flavor == Flavor::Mariadb,
            },
        );
        o.host_file(s, path, bytes, 0o755, false);
    }
}

/// The members of the databases that run mysql: their primaries, their
/// replicas.
fn primaries_and_replicas(p: &Plan<'_>) -> (Vec<ServerId>, Vec<ServerId>) {
    let primaries = p.dbs_of(Kit::Mysql).map(|d| d.primary).collect();
    let replicas = p.dbs_of(Kit::Mysql).flat_map(|d| d.replicas()).collect();
    (primaries, replicas)
}

pub(super) fn inventory_groups(o: &Out<'_, '_>) -> Vec<InvGroup> {
    let (primaries, replicas) = primaries_and_replicas(o.p);
    vec![
        InvGroup::new(o, "mysql_primary", "database primaries", primaries),
        InvGroup::new(o, "mysql_replica", "database replicas", replicas),
    ]
}

pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let p = o.p;
    let fl = flavor(p.flavor);
    let name = fl.name;
    let role = Role::of_kit(Kit::Mysql).name();
    let play = pb::Daemon {
        title: name,
        play: format!("Databases ({name})"),
        hosts: format!("role_{role}"),
        packages: &fl.packages,
        configs: vec![pb::Config {
            path: fl.cnf,
            owner: "root",
            mode: 0o644,
            some_hosts: false,
            validate: Some(fl.validate),
        }],
        service: fl.service,
        on_change: "restarted",
        prepare: Vec::new(),
        check: None,
    }
    .to_play();
    let mut plays = vec![play];
    let (_, replicas) = primaries_and_replicas(p);
    plays.push(setup_play(
        "Database accounts, on the primaries",
        "mysql_primary",
    ));
    if !replicas.is_empty() {
        plays.push(setup_play("Replication, on the replicas", "mysql_replica"));
    }
    plays
}

/// Runs the setup SQL once per host, one host at a time.
fn setup_play(name: &str, hosts: &str) -> Play {
    let mut play = Play::new(name, hosts);
    play.serial = Some(1);
    play.tasks.push(pb::directory(
        "Directory of the setup SQL",
        SETUP_DIR,
        "root",
        0o700,
    ));
    play.tasks.push(pb::copy(
        "Copy the setup SQL (holds passwords)",
        SETUP_SQL,
        0o600,
    ));
    play.tasks.push(
        Task::new("Run the setup SQL once")
            .with(
                "ansible.builtin.shell",
                Node::plain(format!("mysql --batch < {SETUP_SQL} && touch {SETUP_DONE}")),
            )
            .with(
                "args",
                Node::Map(vec![("creates", Node::plain(SETUP_DONE))]),
            ),
    );
    play
}

#[derive(Serialize)]
struct ReadmeSection<'a> {
    dbs: Vec<DbInfo<'a>>,
}

#[derive(Serialize)]
struct DbInfo<'a> {
    name: &'a str,
    primary: &'a str,
    replicas: Vec<&'a str>,
    auto: bool,
    vip: Option<String>,
}

/// The README's "Databases": each database, its replication and failover,
/// and how the setup SQL runs.
pub(super) fn readme_section(o: &Out<'_, '_>) -> Option<String> {
    let p = o.p;
    let m = p.m;
    let dbs: Vec<DbInfo> = p
        .dbs_of(Kit::Mysql)
        .map(|d| DbInfo {
            name: &d.name,
            primary: &m.server(d.primary).name,
            replicas: d.replicas().map(|s| m.server(s).name.as_str()).collect(),
            auto: d.auto,
            vip: d.vip.map(|v| v.to_string()),
        })
        .collect();
    if dbs.is_empty() {
        return None;
    }
    let bytes = o.render("readme-mysql.md", &ReadmeSection { dbs });
    Some(String::from_utf8(bytes).expect("utf-8"))
}
