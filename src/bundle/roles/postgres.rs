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

use super::{HostFile, KitPlay, PlayFile, PlayStep, Section, Writer};
use crate::bundle::plan::{Db, Plan};
use crate::bundle::text::{host_prefix, markdown};
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
/// keepalived's notify scripts (the paths mysql's use too).
pub const PROMOTE: &str = "/etc/keepalived/stackc-promote.sh";
pub const DEMOTE: &str = "/etc/keepalived/stackc-demote.sh";
const SETUP_DONE: &str = "/var/lib/postgresql/stackc-setup.done";
const REPLICA_DONE: &str = "/var/lib/postgresql/stackc-replica.done";
const REPL_USER: &str = "replicator";
const APP_USER: &str = "app";

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

pub fn files(w: &Writer<'_, '_>, s: ServerId) -> Vec<HostFile> {
    let p = w.p;
    let m = p.m;
    let Some(d) = db_of(p, s) else {
        return Vec::new();
    };
    let host = m.server(s).name.clone();
    let replica = s != d.primary;
    let vip = d.vip.filter(|_| d.auto);
    let mut listen = vec![p.addr(s).to_string()];
    if let Some(v) = vip {
        listen.push(v.to_string());
    }
    let mut out = Vec::new();
    let conf = w.render(
        "postgresql.conf",
        Conf {
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
    out.push(HostFile::new(CONF, conf, 0o644, false));

    // pg_hba.conf: the application's clients, the members for replication.
    let mut rows = Vec::new();
    let schema = p.stack.clone();
    for c in &d.clients {
        rows.push(HbaRow {
            database: format!("\"{schema}\""),
            user: APP_USER,
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
    let hba = w.render(
        "pg_hba.conf",
        Hba {
            host: host.clone(),
            db: d.name.clone(),
            rows,
        },
    );
    out.push(HostFile::new(HBA, hba, 0o640, false));

    let repl = d.replicated().then(|| w.secret(d, "replication"));
    if !replica {
        let app = (!d.clients.is_empty()).then(|| w.secret(d, "app"));
        let secret = repl.is_some() || app.is_some();
        let sql = w.render(
            "postgres-setup.sql",
            Sql {
                host: host.clone(),
                db: d.name.clone(),
                path: SETUP_SQL,
                schema,
                repl_user: REPL_USER,
                repl_password: repl.clone(),
                app_user: APP_USER,
                app_password: app,
            },
        );
        out.push(HostFile::new(SETUP_SQL, sql, 0o600, secret));
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
        let rc = w.render(
            "postgres-replica.conf",
            ReplicaConf {
                host: host.clone(),
                db: d.name.clone(),
                primary: m.server(d.primary).name.clone(),
                conninfo,
                via_vip,
            },
        );
        out.push(HostFile::new(REPLICA_CONF, rc, 0o600, true));
        let sh = w.render(
            "postgres-replica-setup.sh",
            ReplicaSetup {
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
        out.push(HostFile::new(REPLICA_SETUP, sh, 0o700, true));
    }
    if let Some(v) = p.vrrp_of(s).filter(|v| v.promote) {
        for (promote, path) in [(true, PROMOTE), (false, DEMOTE)] {
            let bytes = w.render(
                "postgres-notify.sh",
                Notify {
                    host: host.clone(),
                    group: m.group(v.group).name.clone(),
                    vip: v.vip.to_string(),
                    promote,
                    port: port(p, s),
                },
            );
            out.push(HostFile::new(path, bytes, 0o755, false));
        }
    }
    out
}

/// keepalived's check: the local server accepts connections on the host's
/// address (a replica does too; `pg_isready` sends no password).
pub fn vrrp_check(p: &Plan<'_>, s: ServerId) -> (String, String) {
    (
        "The local PostgreSQL accepts connections.".into(),
        format!(
            "/usr/bin/pg_isready -q -t 1 -h {} -p {}",
            p.addr(s),
            port(p, s)
        ),
    )
}

pub fn play(_p: &Plan<'_>) -> KitPlay {
    let spec = Role::of_kit(Kit::Postgres).spec();
    let file =
        |path: &str, owner: &'static str, mode: &'static str, doc: &str, restart: bool| PlayFile {
            path: path.into(),
            owner,
            group: owner,
            mode,
            doc: doc.into(),
            restart,
        };
    KitPlay {
        name: "PostgreSQL 15".into(),
        hosts: super::inventory_group(Kit::Postgres),
        packages: spec.packages.to_vec(),
        service: spec.service.into(),
        vip: true,
        dirs: vec!["/etc/postgresql/stackc".into()],
        files: vec![
            file(CONF, "postgres", "0644", "Configuration (conf.d)", true),
            file(HBA, "postgres", "0640", "Client authentication (pg_hba.conf)", true),
            file(
                REPLICA_CONF,
                "postgres",
                "0600",
                "Streaming replication (holds a password)",
                true,
            ),
            file(
                SETUP_SQL,
                "root",
                "0600",
                "Setup SQL of the primary (holds passwords)",
                false,
            ),
            file(
                REPLICA_SETUP,
                "root",
                "0600",
                "Replica set-up script (holds a password)",
                false,
            ),
        ],
        validate: Some(format!(
            "runuser -u postgres -- {BIN}/postgres --config-file=/etc/postgresql/15/main/postgresql.conf -C data_directory"
        )),
        steps: vec![
            PlayStep {
                doc: "Accounts and database, on the primaries".into(),
                file: SETUP_SQL.into(),
                command: format!(
                    "runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 < {SETUP_SQL} && touch {SETUP_DONE}"
                ),
                creates: SETUP_DONE.into(),
            },
            PlayStep {
                doc: "Streaming replicas, copied from their primary".into(),
                file: REPLICA_SETUP.into(),
                command: format!("sh {REPLICA_SETUP}"),
                creates: REPLICA_DONE.into(),
            },
        ],
    }
}

pub fn readme(p: &Plan<'_>) -> Option<Section> {
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
    (!items.is_empty()).then(|| Section {
        title: "PostgreSQL".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` (addresses, port, replication settings, `password_encryption = scram-sha-256`) and `{HBA}`: the `postgres` account by peer on the local socket, the application (`app`) and replication (`replicator`) accounts with scram-sha-256 from the stack's addresses only. The primary's `{SETUP_SQL}` creates the accounts and the database `{}`; the playbook runs it once (`{SETUP_DONE}`), then each replica's set-up once (`{REPLICA_DONE}`). Checked with `postgres -C` and `pg_hba_file_rules`.",
            markdown(&p.stack)
        )],
    })
}
