//! Redis (Debian `redis-server` 7): `/etc/redis/redis.conf` with `bind`
//! (the host's address, and the vip of a `failover=auto` group),
//! `protected-mode yes`, `requirepass`/`masterauth` from the secrets (one
//! password per store: any member may become the primary), `replicaof` and
//! `replica-read-only` on the replicas; for `failover=auto`, keepalived's
//! check (a `PING` as the password-less `stackc-health` user, which may run
//! nothing else) and the notify scripts: `REPLICAOF NO ONE` on the holder,
//! `REPLICAOF <vip>` on the others (they follow whoever holds it).

use super::{HostFile, KitPlay, PlayFile, Section, Writer};
use crate::bundle::plan::{Db, Plan};
use crate::bundle::text::markdown;
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;

pub const CONF: &str = "/etc/redis/redis.conf";
pub const PROMOTE: &str = super::postgres::PROMOTE;
pub const DEMOTE: &str = super::postgres::DEMOTE;
/// The ACL user keepalived's check pings as: no password, only `PING`.
pub const HEALTH_USER: &str = "stackc-health";

#[derive(Serialize)]
struct Conf {
    host: String,
    db: String,
    primary: String,
    replica: bool,
    bind: Vec<String>,
    vip: Option<String>,
    port: u16,
    password: String,
    replicaof: Option<(String, u16)>,
    health_user: Option<&'static str>,
}

#[derive(Serialize)]
struct Notify {
    host: String,
    group: String,
    vip: String,
    promote: bool,
    addr: String,
    port: u16,
    conf: &'static str,
}

fn db_of<'a>(p: &'a Plan<'_>, s: ServerId) -> Option<&'a Db> {
    p.db_of(s, Kit::Redis).map(|i| &p.dbs[i])
}

fn port(p: &Plan<'_>, s: ServerId) -> u16 {
    p.port(s, Kit::Redis)
}

/// `redis-cli -h` takes an address without brackets.
fn cli_addr(p: &Plan<'_>, s: ServerId) -> String {
    p.addr(s).to_string()
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
    let mut bind = vec![p.addr(s).to_string()];
    if let Some(v) = vip {
        bind.push(v.to_string());
    }
    let vr = p.vrrp_of(s).filter(|v| v.promote);
    let conf = w.render(
        "redis.conf",
        Conf {
            host: host.clone(),
            db: d.name.clone(),
            primary: m.server(d.primary).name.clone(),
            replica,
            bind,
            vip: vip.map(|v| v.to_string()),
            port: port(p, s),
            password: w.secret(d, "password"),
            replicaof: replica.then(|| (p.addr(d.primary).to_string(), port(p, d.primary))),
            health_user: vr.map(|_| HEALTH_USER),
        },
    );
    let mut out = vec![HostFile::new(CONF, conf, 0o640, true)];
    if let Some(v) = vr {
        for (promote, path) in [(true, PROMOTE), (false, DEMOTE)] {
            let bytes = w.render(
                "redis-notify.sh",
                Notify {
                    host: host.clone(),
                    group: m.group(v.group).name.clone(),
                    vip: v.vip.to_string(),
                    promote,
                    addr: cli_addr(p, s),
                    port: port(p, s),
                    conf: CONF,
                },
            );
            out.push(HostFile::new(path, bytes, 0o755, false));
        }
    }
    out
}

/// keepalived's check: the local Redis answers `PING` on the host's
/// address (as `stackc-health`: no password on the command line).
pub fn vrrp_check(p: &Plan<'_>, s: ServerId) -> (String, String) {
    (
        "The local Redis answers PING.".into(),
        format!(
            "/usr/bin/redis-cli -h {} -p {} --user {HEALTH_USER} --pass {HEALTH_USER} --no-auth-warning -e ping",
            cli_addr(p, s),
            port(p, s)
        ),
    )
}

pub fn play(_p: &Plan<'_>) -> KitPlay {
    let spec = Role::of_kit(Kit::Redis).spec();
    KitPlay {
        name: "Redis".into(),
        hosts: super::inventory_group(Kit::Redis),
        packages: spec.packages.to_vec(),
        service: spec.service.into(),
        vip: true,
        dirs: Vec::new(),
        files: vec![PlayFile {
            path: CONF.into(),
            owner: "redis",
            group: "redis",
            mode: "0640",
            doc: "Configuration (holds the password)".into(),
            restart: true,
        }],
        // Redis has no configuration check of its own: a bad file makes
        // the restart fail, and the play stops there.
        validate: None,
        steps: Vec::new(),
    }
}

pub fn readme(p: &Plan<'_>) -> Option<Section> {
    let m = p.m;
    let items: Vec<String> = p
        .dbs_of(Kit::Redis)
        .map(|d| {
            let mut s = format!(
                "**{}** (Redis): primary {}",
                markdown(&d.name),
                markdown(&m.server(d.primary).name)
            );
            let replicas: Vec<String> = d.replicas().map(|x| markdown(&m.server(x).name)).collect();
            if !replicas.is_empty() {
                s.push_str(&format!(", replicas {} (`replicaof`, read-only)", replicas.join(", ")));
            }
            s.push('.');
            if d.auto {
                s.push_str(&format!(
                    " With `failover=auto`, keepalived on the members holds the write address {}; the holder's `notify_master` script runs `REPLICAOF NO ONE`, the others `REPLICAOF` the vip, so that they follow the new primary. The `replicaof` line of `{CONF}` still names the first primary: after a failover, mark the new one `primary` in the `.stack` file and rebuild.",
                    d.vip.map(|v| v.to_string()).unwrap_or_default()
                ));
            } else {
                s.push_str(" Failover is manual (`REPLICAOF NO ONE` on a replica).");
            }
            s
        })
        .collect();
    (!items.is_empty()).then(|| Section {
        title: "Redis".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` (secret: it holds the store's password as `requirepass` and `masterauth`): `bind` on the host's address, `protected-mode yes`. Checked by starting `redis-server` with it on its address."
        )],
    })
}
