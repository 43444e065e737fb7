//! Redis (Debian `redis-server` 7): `/etc/redis/redis.conf` with `bind`
//! (the host's address, and the vip of a `failover=auto` group),
//! `protected-mode yes`, `requirepass`/`masterauth` from the secrets (one
//! password per store: any member may become the primary), `replicaof` and
//! `replica-read-only` on the replicas; for `failover=auto`, keepalived's
//! check (a `PING` as the password-less `stackc-health` user, which may run
//! nothing else) and the notify scripts: `REPLICAOF NO ONE` on the holder,
//! `REPLICAOF <vip>` on the others (they follow whoever holds it).

use super::keepalived::{self, DEMOTE, PROMOTE, SYSCTL};
use super::{store_secret, Section};
use crate::bundle::plan::{Db, Plan, Vrrp};
use crate::bundle::stack::playbook::{self as pb, Play};
use crate::bundle::text::markdown;
use crate::bundle::writer::Out;
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;

pub const CONF: &str = "/etc/redis/redis.conf";
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

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let m = p.m;
    let Some(d) = db_of(p, s) else {
        return;
    };
    let host = m.server(s).name.clone();
    let replica = s != d.primary;
    let vip = d.vip.filter(|_| d.auto);
    let mut bind = vec![p.addr(s).to_string()];
    if let Some(v) = vip {
        bind.push(v.to_string());
    }
    let vr = p.vrrp_of(s).filter(|v| v.promote);
    let conf = o.render(
        "redis.conf",
        &Conf {
            host: host.clone(),
            db: d.name.clone(),
            primary: m.server(d.primary).name.clone(),
            replica,
            bind,
            vip: vip.map(|v| v.to_string()),
            port: port(p, s),
            password: store_secret(o, d, "password"),
            replicaof: replica.then(|| (p.addr(d.primary).to_string(), port(p, d.primary))),
            health_user: vr.map(|_| HEALTH_USER),
        },
    );
    o.host_file(s, CONF, conf, 0o640, true);
}

/// keepalived's notify scripts on a member of a failover=auto group:
/// `REPLICAOF NO ONE` on the new holder of the vip, `REPLICAOF` the vip on
/// the others.
pub(super) fn notify_scripts(o: &mut Out<'_, '_>, s: ServerId, v: &Vrrp) {
    let p = o.p;
    let m = p.m;
    for (promote, path) in [(true, PROMOTE), (false, DEMOTE)] {
        let bytes = o.render(
            "redis-notify.sh",
            &Notify {
                host: m.server(s).name.clone(),
                group: m.group(v.group).name.clone(),
                vip: v.vip.to_string(),
                promote,
                addr: cli_addr(p, s),
                port: port(p, s),
                conf: CONF,
            },
        );
        o.host_file(s, path, bytes, 0o755, false);
    }
}

/// keepalived's check: the local Redis answers `PING` on the host's
/// address (as `stackc-health`: no password on the command line).
pub(super) fn vrrp_check(p: &Plan<'_>, s: ServerId) -> (String, String) {
    (
        "The local Redis answers PING.".into(),
        format!(
            "/usr/bin/redis-cli -h {} -p {} --user {HEALTH_USER} --pass {HEALTH_USER} --no-auth-warning -e ping",
            cli_addr(p, s),
            port(p, s)
        ),
    )
}

/// What the README says of keepalived's check of a member.
pub(super) const CHECK_TEXT: &str = "The check pings the local Redis (as the password-less `stackc-health` user, which may only `PING`); a failure releases the vip at once.";

/// Install, configure, start. Redis has no configuration check of its own:
/// a bad file makes the restart fail, and the play stops there.
pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let spec = Role::of_kit(Kit::Redis).spec();
    let sysctl = o.host_files.iter().any(|f| f.iter().any(|x| x == SYSCTL));
    let mut play = pb::Daemon {
        title: "Redis",
        play: "Redis".into(),
        hosts: format!("role_{}", spec.name),
        packages: spec.packages,
        configs: vec![pb::Config {
            path: CONF,
            owner: "redis",
            mode: 0o640,
            some_hosts: false,
            validate: None,
        }],
        service: spec.service,
        on_change: "restarted",
        prepare: if sysctl {
            keepalived::nonlocal_bind_tasks("Redis")
        } else {
            Vec::new()
        },
        check: None,
    }
    .to_play();
    if sysctl {
        play.handlers.push(keepalived::sysctl_handler());
    }
    vec![play]
}

pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
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
    let section = (!items.is_empty()).then(|| Section {
        title: "Redis".into(),
        items,
        after: vec![format!(
            "Each host gets `{CONF}` (secret: it holds the store's password as `requirepass` and `masterauth`): `bind` on the host's address, `protected-mode yes`. Checked by starting `redis-server` with it on its address."
        )],
    });
    section.map(|s| s.to_markdown())
}
