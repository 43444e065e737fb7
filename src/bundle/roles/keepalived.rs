//! keepalived on the members of a VRRP instance (an active-passive group,
//! or a failover=auto group of a replicated kit holding its write vip):
//! `keepalived.conf`, the sysctl that lets the proxies bind a vip they do
//! not hold yet, and the keepalived play. The promote/demote scripts are
//! the replicated kit's (`roles::notify_scripts`).

use super::super::plan::{CheckKind, Vrrp};
use super::super::stack::ansible::InvGroup;
use super::super::stack::playbook::{self as pb, Node, Play, Task};
use super::super::text::{host_prefix, hostport, ident};
use super::super::writer::Out;
use super::haproxy::{MONITOR_PORT, MONITOR_URI};
use super::http;
use crate::model::{Kit, Protocol, Role, ServerId};
use serde::Serialize;

pub(in crate::bundle) const SYSCTL: &str = "/etc/sysctl.d/60-stackc.conf";
pub(in crate::bundle) const PROMOTE: &str = "/etc/keepalived/stackc-promote.sh";
pub(in crate::bundle) const DEMOTE: &str = "/etc/keepalived/stackc-demote.sh";
const KEEPALIVED_CONF: &str = "/etc/keepalived/keepalived.conf";
const INTERFACE: &str = "eth0";

#[derive(Serialize)]
struct KeepalivedConf<'a> {
    host: &'a str,
    group: &'a str,
    check_doc: String,
    check_name: String,
    check_script: String,
    instance: String,
    state: &'static str,
    interface: &'static str,
    vrid: usize,
    priority: usize,
    preempt: bool,
    /// VRRPv2's password (none with v3).
    auth_pass: Option<&'a str>,
    v3: bool,
    unicast: bool,
    src_ip: String,
    peers: Vec<String>,
    /// The vip as a prefix.
    vip: String,
    notify: Option<Notify>,
}

#[derive(Serialize)]
struct Notify {
    master: &'static str,
    backup: &'static str,
    fault: &'static str,
}

#[derive(Serialize)]
struct SysctlConf<'a> {
    host: &'a str,
    /// Who binds the vip: `haproxy and nginx`, or the replicated kit.
    daemons: &'a str,
    group: &'a str,
    vip: String,
    v4: bool,
}

/// What the check of a VRRP instance probes on a member: a comment for
/// the config, and the script.
fn check(o: &Out<'_, '_>, s: ServerId, v: &Vrrp) -> (String, String) {
    let p = o.p;
    match v.check {
        CheckKind::Haproxy => (
            "The local HAProxy answers on its monitor URI.".to_string(),
            format!(
                "/usr/bin/curl -fsS -g -o /dev/null -m 1 http://127.0.0.1:{MONITOR_PORT}{MONITOR_URI}"
            ),
        ),
        CheckKind::Http => {
            // The highest-tier role that answers HTTP health checks.
            let roles = p.m.server(s).roles;
            let role = roles
                .iter()
                .filter(|r| r.spec().serves_http)
                .max_by_key(|r| r.spec().tier)
                .expect("an http check has an http role");
            let kit = role.spec().kit;
            let port = p
                .ports(s, kit)
                .iter()
                .find(|(pr, _)| *pr == Protocol::Http)
                .map_or_else(|| p.port(s, kit), |(_, port)| *port);
            if super::nginx::probes_alive(o, s) {
                return (
                    format!(
                        "The local nginx answers (no `track`: not what is behind it), on {}.",
                        super::nginx::ALIVE_URI
                    ),
                    format!(
                        "/usr/bin/curl -fsS -g -o /dev/null -m 1 http://{}{}",
                        hostport(p.addr(s), port),
                        super::nginx::ALIVE_URI
                    ),
                );
            }
            (
                format!("The local {} answers its health URI.", role.name()),
                format!(
                    "/usr/bin/curl -fsS -g -o /dev/null -m 1 http://{}{}",
                    hostport(p.addr(s), port),
                    http::health(p, s)
                ),
            )
        }
        CheckKind::Store(kit) => super::store_check(p, s, kit),
    }
}

/// What the README says of an instance's check.
pub(in crate::bundle) fn check_text(v: &Vrrp) -> &'static str {
    match v.check {
        CheckKind::Haproxy => "The check probes the local HAProxy's monitor URI; a failure releases the vip at once.",
        CheckKind::Http => "The check probes the local web server's health URI; a failure releases the vip at once.",
        CheckKind::Store(kit) => super::store_check_text(kit),
    }
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let m = p.m;
    let v = p.vrrp_of(s).expect("vrrp member").clone();
    let g = m.group(v.group);
    let host = &m.server(s).name;
    let idx = v.order.iter().position(|x| *x == s).unwrap_or(0);
    let (check_doc, check_script) = check(o, s, &v);
    let bytes = o.render(
        "keepalived.conf",
        &KeepalivedConf {
            host,
            group: &g.name,
            check_doc,
            check_name: format!("chk_{}", ident(&g.name)),
            check_script,
            instance: ident(&g.name),
            state: if v.preempt && idx == 0 {
                "MASTER"
            } else {
                "BACKUP"
            },
            interface: INTERFACE,
            vrid: v.vrid,
            priority: 150usize.saturating_sub(idx).max(1),
            preempt: v.preempt,
            auth_pass: (!v.v3()).then(|| o.secret(&format!("vrrp/{}", g.name))),
            v3: v.v3(),
            unicast: g.unicast,
            src_ip: p.addr(s).to_string(),
            peers: v
                .order
                .iter()
                .filter(|x| **x != s)
                .map(|x| p.addr(*x).to_string())
                .collect(),
            vip: host_prefix(v.vip),
            notify: v.promote.then_some(Notify {
                master: PROMOTE,
                backup: DEMOTE,
                fault: DEMOTE,
            }),
        },
    );
    // VRRPv3 has no password: the file holds no secret.
    let secret = !v.v3();
    o.host_file(s, KEEPALIVED_CONF, bytes, 0o600, secret);
    if v.promote {
        if let Some(r) = g.roles.iter().find(|r| r.spec().replicated) {
            super::notify_scripts(o, s, &v, r.spec().kit);
        }
    }
    // MySQL listens on every address (`bind-address` 0.0.0.0 or ::) with
    // failover=auto; the others bind the vip itself.
    if v.check != CheckKind::Store(Kit::Mysql) {
        let daemons = match v.check {
            CheckKind::Store(kit) => Role::of_kit(kit).name(),
            CheckKind::Haproxy | CheckKind::Http => "haproxy and nginx",
        };
        let bytes = o.render(
            "sysctl.conf",
            &SysctlConf {
                host,
                daemons,
                group: &g.name,
                vip: v.vip.to_string(),
                v4: v.vip.is_ipv4(),
            },
        );
        o.host_file(s, SYSCTL, bytes, 0o644, false);
    }
}

/// The tasks that put the sysctl in place on the hosts that have it, for
/// the play of a daemon that binds a vip (`who`: nginx, HAProxy, Redis...).
pub(super) fn nonlocal_bind_tasks(who: &str) -> Vec<Task> {
    vec![
        pb::copy(
            format!("Let {who} bind a vip this host does not hold yet"),
            SYSCTL,
            0o644,
        )
        .when("stackc_sysctl | default(false)")
        .notify("Apply sysctl"),
        Task::new("Apply sysctl now").with("ansible.builtin.meta", Node::plain("flush_handlers")),
    ]
}

/// The handler of [`nonlocal_bind_tasks`].
pub(super) fn sysctl_handler() -> Task {
    Task::new("Apply sysctl")
        .with(
            "ansible.builtin.command",
            Node::plain(format!("sysctl -p {SYSCTL}")),
        )
        .with("changed_when", Node::bool(true))
}

/// `keepalived` (every VRRP member) and `keepalived_db` (those that
/// promote their database).
pub(in crate::bundle) fn inventory_groups(o: &Out<'_, '_>) -> Vec<InvGroup> {
    let p = o.p;
    let m = p.m;
    let members = |pred: &dyn Fn(&Vrrp) -> bool| -> Vec<ServerId> {
        m.server_ids()
            .filter(|s| p.vrrp_of(*s).is_some_and(pred))
            .collect()
    };
    vec![
        InvGroup::new(
            o,
            "keepalived",
            "VRRP members (keepalived)",
            members(&|_| true),
        ),
        InvGroup::new(
            o,
            "keepalived_db",
            "keepalived on failover=auto databases: promotion scripts",
            members(&|v| v.promote),
        ),
    ]
}

pub(in crate::bundle) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let p = o.p;
    if !p.m.server_ids().any(|s| p.vrrp_of(s).is_some()) {
        return Vec::new();
    }
    let mut play = Play::new("VRRP (keepalived)", "keepalived");
    play.tasks.push(pb::install(
        "Install keepalived and the tools its checks run",
        &["keepalived", "curl"],
    ));
    if p.m
        .server_ids()
        .any(|s| p.vrrp_of(s).is_some_and(|v| v.promote))
    {
        let scripts = [PROMOTE, DEMOTE];
        play.tasks.push(
            Task::new("Promotion scripts of the failover=auto databases")
                .module(
                    "ansible.builtin.copy",
                    vec![
                        (
                            "src",
                            Node::quoted(&format!("{}{{{{ item }}}}", pb::HOST_SRC)),
                        ),
                        ("dest", Node::quoted("{{ item }}")),
                        ("owner", Node::plain("root")),
                        ("group", Node::plain("root")),
                        ("mode", Node::mode(0o755)),
                    ],
                )
                .with("loop", Node::list(&scripts))
                .with("when", Node::quoted("'keepalived_db' in group_names")),
        );
    }
    play.tasks.push(
        pb::copy_with(
            "Configure keepalived (checked with keepalived -t first; holds a password)",
            KEEPALIVED_CONF,
            0o600,
            vec![("validate", Node::plain("keepalived -t -f %s"))],
        )
        .notify("Reload keepalived"),
    );
    play.tasks.push(pb::start("Start keepalived", "keepalived"));
    play.handlers.push(pb::service_handler(
        "Reload keepalived",
        "keepalived",
        "reloaded",
    ));
    vec![play]
}
