//! PostgreSQL 15 (Debian `postgresql-15`, cluster `15/main`): a `conf.d`
//! file, `pg_hba.conf`, the setup SQL of the primary (accounts and the
//! database), the replica set-up (`primary_conninfo` in a secret `conf.d`
//! file, a script that copies the primary with `pg_basebackup` and writes
//! `standby.signal`), and for `failover=auto` the keepalived check
//! (`pg_isready`) and the promote/demote scripts (`pg_promote()`).
//!
//! Every value is an address, a port, a fixed word, a name of the `.stack`
//! grammar (letters, digits, `_`, `-`: safe in a quoted SQL identifier and
//! string) or a password of letters and digits.

use super::keepalived::{self, DEMOTE, PROMOTE, SYSCTL};
use super::{store_secret, Section};
use crate::bundle::plan::{Db, Plan, Vrrp, APP_ACCOUNT};
use crate::bundle::stack::ansible::InvGroup;
use crate::bundle::stack::playbook::{self as pb, Node, Play, Task};
use crate::bundle::text::{host_prefix, markdown};
use crate::bundle::writer::Out;
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;
use std::net::IpAddr;

pub const CONF: &str = "/etc/postgresql/15/main/conf.d/stackc.conf";
pub const REPLICA_CONF: &str = "/etc/postgresql/15/main/conf.d/stackc-replica.conf";
pub const HBA: &str = "/etc/postgresql/15/main/pg_hba.conf";
pub const SETUP_SQL: &str = "/etc/postgresql/stackc/setup.sql";
pub const REPLICA_SETUP: &str = "/etc/postgresql/stackc/replica-setup.sh";
pub const DATA: &str = "/var/lib/postgresql/15/main";
pub const BIN: &str = "/usr/lib/postgresql/15/bin";
const SETUP_DONE: &str = "/var/lib/postgresql/stackc-setup.done";
const REPLICA_DONE: &str = "/var/lib/postgresql/stackc-replica.done";
const REPL_USER: &str = "replicator";

#[derive(Serialize)]
struct Conf {
    host: String,
    db: String,
    primary: String,
    replica: bool,
    listen: String,
    vip: Option<String>,
    port: u16,
    max_wal_senders: usize,
}

#[derive(Serialize)]
struct HbaRow {
    database: String,
    user: &'static str,
    address: String,
    doc: String,
}

#[derive(Serialize)]
struct Hba {
    host: String,
    db: String,
    rows: Vec<HbaRow>,
}

#[derive(Serialize)]
struct Sql {
    host: String,
    db: String,
    path: &'static str,
    schema: String,
    repl_user: &'static str,
    repl_password: Option<String>,
    app_user: &'static str,
    app_password: Option<String>,
}

#[derive(Serialize)]
struct ReplicaConf {
    host: String,
    db: String,
    primary: String,
    conninfo: String,
    via_vip: bool,
}

#[derive(Serialize)]
struct ReplicaSetup {
    host: String,
    db: String,
    primary: String,
    source_host: String,
    source_port: u16,
    repl_user: &'static str,
    repl_password: String,
    data: &'static str,
    bin: &'static str,
    done: &'static str,
}

#[derive(Serialize)]
struct Notify {
    host: String,
    group: String,
    vip: String,
    promote: bool,
    port: u16,
}

/// The `postgres` store of a server.
fn db_of<'a>(p: &'a Plan<'_>, s: ServerId) -> Option<&'a Db> {
    p.db_of(s, Kit::Postgres).map(|i| &p.dbs[i])
}

fn port(p: &Plan<'_>, s: ServerId) -> u16 {
    p.port(s, Kit::Postgres)
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let m = p.m;
    let Some(d) = db_of(p, s) else {
        return;
    };
    let host = m.server(s).name.clone();
    let replica = s != d.primary;
    let vip = d.vip.filter(|_| d.auto);
    let mut listen = vec![p.addr(s).to_string()];
    if let Some(v) = vip {
        listen.push(v.to_string());
    }
    let conf = o.render(
        "postgresql.conf",
        &Conf {
            host: host.clone(),
            db: d.name.clone(),
            primary: m.server(d.primary).name.clone(),
            replica,
            listen: listen.join(","),
            vip: vip.map(|v| v.to_string()),
            port: port(p, s),
            max_wal_senders: (d.members.len() + 4).max(10),
        },
    );
    o.host_file(s, CONF, conf, 0o644, false);

    // pg_hba.conf: the application's clients, the members for replication.
    let mut rows = Vec::new();
    let schema = p.stack.clone();
    for c in &d.clients {
        rows.push(HbaRow {
            database: format!("\"{schema}\""),
            user: APP_ACCOUNT,
            address: host_prefix(p.addr(c.server)),
            doc: format!(
                "{} ({})",
                m.server(c.server).name,
                if c.writes {
                    "reads and writes"
                } else {
                    "reads"
                }
            ),
        });
    }
    if d.replicated() {
        for x in &d.members {
            rows.push(HbaRow {
                database: "replication".into(),
                user: REPL_USER,
                address: host_prefix(p.addr(*x)),
                doc: format!("{}, a member of {}", m.server(*x).name, d.name),
            });
        }
    }
    let hba = o.render(
        "pg_hba.conf",
        &Hba {
            host: host.clone(),
            db: d.name.clone(),
            rows,
        },
    );
    o.host_file(s, HBA, hba, 0o640, false);

    let repl = d.replicated().then(|| store_secret(o, d, "replication"));
    if !replica {
        let app = (!d.clients.is_empty()).then(|| store_secret(o, d, APP_ACCOUNT));
        let secret = repl.is_some() || app.is_some();
        let sql = o.render(
            "postgres-setup.sql",
            &Sql {
                host: host.clone(),
                db: d.name.clone(),
                path: SETUP_SQL,
                schema,
                repl_user: REPL_USER,
                repl_password: repl.clone(),
                app_user: APP_ACCOUNT,
                app_password: app,
            },
        );
        o.host_file(s, SETUP_SQL, sql, 0o600, secret);
    } else {
        let password = repl.clone().unwrap_or_default();
        // With failover=auto the replicas stream from whoever holds the
        // vip, so that they follow a promotion; else from the primary.
        let (src, via_vip) = match vip {
            Some(v) => (v, true),
            None => (p.addr(d.primary), false),
        };
        let conninfo = format!(
            "host={} port={} user={REPL_USER} password={password} application_name={}",
            src,
            port(p, d.primary),
            host.replace('-', "_")
        );
        let rc = o.render(
            "postgres-replica.conf",
            &ReplicaConf {
                host: host.clone(),
                db: d.name.clone(),
                primary: m.server(d.primary).name.clone(),
                conninfo,
                via_vip,
            },
        );
        o.host_file(s, REPLICA_CONF, rc, 0o600, true);
        let sh = o.render(
            "postgres-replica-setup.sh",
            &ReplicaSetup {
                host: host.clone(),
                db: d.name.clone(),
                primary: m.server(d.primary).name.clone(),
                source_host: p.addr(d.primary).to_string(),
                source_port: port(p, d.primary),
                repl_user: REPL_USER,
                repl_password: password,
                data: DATA,
                bin: BIN,
                done: REPLICA_DONE,
            },
        );
        o.host_file(s, REPLICA_SETUP, sh, 0o700, true);
    }
}

/// keepalived's notify scripts on a member of a failover=auto group:
/// `pg_promote()` on the new holder of the vip, read-only on the others.
pub(super) fn notify_scripts(o: &mut Out<'_, '_>, s: ServerId, v: &Vrrp) {
    let p = o.p;
    let m = p.m;
    for (promote, path) in [(true, PROMOTE), (false, DEMOTE)] {
        let bytes = o.render(
            "postgres-notify.sh",
            &Notify {
                host: m.server(s).name.clone(),
                group: m.group(v.group).name.clone(),
                vip: v.vip.to_string(),
                promote,
                port: port(p, s),
            },
        );
        o.host_file(s, path, bytes, 0o755, false);
    }
}

/// keepalived's check: the local server accepts connections on the host's
/// address (a replica does too; `pg_isready` sends no password).
pub(super) fn vrrp_check(p: &Plan<'_>, s: ServerId) -> (String, String) {
    (
        "The local PostgreSQL accepts connections.".into(),
        format!(
            // The server's own binary: Debian's /usr/bin/pg_isready is a
            // wrapper script, which keepalived's script security runs by its
            // resolved path and which then exits 1 (the live proof found it).
            "/usr/lib/postgresql/15/bin/pg_isready -q -t 1 -h {} -p {}",
            p.addr(s),
            port(p, s)
        ),
    )
}

/// What the README says of keepalived's check of a member.
pub(super) const CHECK_TEXT: &str =
    "The check asks the local PostgreSQL (`pg_isready`); a failure releases the vip at once.";

/// The primaries and the replicas of the PostgreSQL stores.
fn primaries_and_replicas(p: &Plan<'_>) -> (Vec<ServerId>, Vec<ServerId>) {
    let primaries = p.dbs_of(Kit::Postgres).map(|d| d.primary).collect();
    let replicas = p.dbs_of(Kit::Postgres).flat_map(|d| d.replicas()).collect();
    (primaries, replicas)
}

/// `postgres_primary` (they run the setup SQL) and `postgres_replica`
/// (they copy their primary).
pub(super) fn inventory_groups(o: &Out<'_, '_>) -> Vec<InvGroup> {
    let (primaries, replicas) = primaries_and_replicas(o.p);
    vec![
        InvGroup::new(o, "postgres_primary", "PostgreSQL primaries", primaries),
        InvGroup::new(
            o,
            "postgres_replica",
            "PostgreSQL streaming replicas",
            replicas,
        ),
    ]
}

/// The daemon's play (install, configure, `postgres -C`, start), then the
/// setup SQL on the primaries and the copy of the primary on the replicas,
/// one host at a time.
pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let spec = Role::of_kit(Kit::Postgres).spec();
    let hosts = format!("role_{}", spec.name);
    let sysctl = o.host_files.iter().any(|f| f.iter().any(|x| x == SYSCTL));
    let config = |path, mode, some_hosts| pb::Config {
        path,
        owner: "postgres",
        mode,
        some_hosts,
        validate: None,
    };
    let mut play = pb::Daemon {
        title: "PostgreSQL 15",
        play: "PostgreSQL 15".into(),
        hosts,
        packages: spec.packages,
        configs: vec![
            config(CONF, 0o644, false),
            config(HBA, 0o640, false),
            config(REPLICA_CONF, 0o600, true),
        ],
        service: spec.service,
        on_change: "restarted",
        prepare: if sysctl {
            keepalived::nonlocal_bind_tasks("PostgreSQL")
        } else {
            Vec::new()
        },
        check: Some(format!(
            "runuser -u postgres -- {BIN}/postgres --config-file=/etc/postgresql/15/main/postgresql.conf -C data_directory"
        )),
    }
    .to_play();
    if sysctl {
        play.handlers.push(keepalived::sysctl_handler());
    }
    let (_, replicas) = primaries_and_replicas(o.p);
    let mut plays = vec![
        play,
        once_play(
            "PostgreSQL accounts and database, on the primaries",
            "postgres_primary",
            SETUP_SQL,
            &format!(
                "runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 < {SETUP_SQL} && touch {SETUP_DONE}"
            ),
            SETUP_DONE,
        ),
    ];
    if !replicas.is_empty() {
        plays.push(once_play(
            "PostgreSQL streaming replicas, copied from their primary",
            "postgres_replica",
            REPLICA_SETUP,
            &format!("sh {REPLICA_SETUP}"),
            REPLICA_DONE,
        ));
    }
    plays
}

/// Copies `file` (it holds passwords) and runs `command` once per host
/// (`creates` marks it done), one host at a time.
fn once_play(name: &str, hosts: &str, file: &str, command: &str, creates: &str) -> Play {
    let mut play = Play::new(name, hosts);
    play.serial = Some(1);
    play.tasks.push(pb::directory(
        "Directory of the set-up files",
        "/etc/postgresql/stackc",
        "root",
        0o700,
    ));
    play.tasks.push(pb::copy(
        "Copy the set-up file (holds passwords)",
        file,
        0o600,
    ));
    play.tasks.push(
        Task::new("Run it once")
            .with("ansible.builtin.shell", Node::quoted(command))
            .with("args", Node::Map(vec![("creates", Node::plain(creates))])),
    );
    play
}

pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
    let m = p.m;
    let items: Vec<String> = p
        .dbs_of(Kit::Postgres)
        .map(|d| {
            let mut s = format!(
                "**{}** (PostgreSQL 15): primary {}",
                markdown(&d.name),
                markdown(&m.server(d.primary).name)
            );
            let replicas: Vec<String> = d.replicas().map(|x| markdown(&m.server(x).name)).collect();
            if !replicas.is_empty() {
                s.push_str(&format!(
                    ", streaming replicas {} (`{REPLICA_SETUP}` copies the primary with `pg_basebackup` and writes `standby.signal`; `{REPLICA_CONF}` holds `primary_conninfo`)",
                    replicas.join(", ")
                ));
            }
            s.push('.');
            if d.auto {
                s.push_str(&format!(
                    " With `failover=auto`, keepalived on the members holds the write address {}; the holder's `notify_master` script runs `pg_promote()` and clears `default_transaction_read_only`, the others set it. A former primary does not take the address back (`nopreempt`): rebuild it as a replica (`pg_rewind`, or a new copy) before you start its keepalived again.",
                    d.vip.map(|v: IpAddr| v.to_string()).unwrap_or_default()
                ));
            } else {
                s.push_str(" Failover is manual (`pg_promote()` on a replica).");
            }
            s
        })
        .collect();
    let section = (!items.is_empty()).then(|| Section {
        title: "PostgreSQL".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` (addresses, port, replication settings, `password_encryption = scram-sha-256`) and `{HBA}`: the `postgres` account by peer on the local socket, the application (`app`) and replication (`replicator`) accounts with scram-sha-256 from the stack's addresses only. The primary's `{SETUP_SQL}` creates the accounts and the database `{}`; the playbook runs it once (`{SETUP_DONE}`), then each replica's set-up once (`{REPLICA_DONE}`). Checked with `postgres -C` and `pg_hba_file_rules`.",
            markdown(&p.stack)
        )],
    });
    section.map(|s| s.to_markdown())
}
