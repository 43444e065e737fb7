//! One module per kit of the roles table (`RoleSpec::kit`): the files it
//! puts on a host, its Ansible plays, its inventory groups, its README
//! section, and for a replicated kit its keepalived check and promote/demote
//! scripts. The compiler finds every `match` here when a kit is added to the
//! table.

mod app;
mod external;
mod haproxy;
pub(super) mod http;
pub(super) mod keepalived;
mod memcached;
pub(super) mod mysql;
mod nginx;
mod postgres;
mod rabbitmq;
mod redis;

use super::plan::{Db, Plan, Vrrp};
use super::stack::ansible::InvGroup;
use super::stack::playbook::Play;
use super::writer::Out;
use crate::model::{Kit, Role, ServerId};

/// What a kit works out once per bundle, before the hosts' files.
pub(super) struct Kits {
    mysql: mysql::Prepared,
}

impl Kits {
    pub fn new(p: &Plan<'_>) -> Self {
        Kits {
            mysql: mysql::Prepared::new(p),
        }
    }
}

/// The roles of a server, deepest tier first (databases before the web
/// tier), in table order within a tier: the order of its files.
pub(super) fn by_tier(roles: impl Iterator<Item = Role>) -> Vec<Role> {
    let mut v: Vec<Role> = roles.collect();
    v.sort_by_key(|r| r.spec().tier);
    v
}

/// Writes a server's files: each role's, then keepalived's.
pub(super) fn host(o: &mut Out<'_, '_>, kits: &Kits, s: ServerId) {
    for role in by_tier(o.p.m.server(s).roles.iter()) {
        match role.spec().kit {
            Kit::Haproxy => haproxy::files(o, s),
            Kit::Nginx => nginx::files(o, s),
            Kit::App => app::files(o, s),
            Kit::Mysql => mysql::files(o, &kits.mysql, s),
            Kit::Postgres => postgres::files(o, s),
            Kit::Redis => redis::files(o, s),
            Kit::Memcached => memcached::files(o, s),
            Kit::Rabbitmq => rabbitmq::files(o, s),
            // Not ours to deploy: nothing goes on a host.
            Kit::External => {}
        }
    }
    if o.p.vrrp_of(s).is_some() {
        keepalived::files(o, s);
    }
}

/// The promote and demote scripts keepalived runs on a failover=auto
/// member, written by the group's replicated kit.
pub(super) fn notify_scripts(o: &mut Out<'_, '_>, s: ServerId, v: &Vrrp, kit: Kit) {
    match kit {
        Kit::Mysql => mysql::notify_scripts(o, s, v),
        Kit::Postgres => postgres::notify_scripts(o, s, v),
        Kit::Redis => redis::notify_scripts(o, s, v),
        // Not replicated: no failover=auto group of theirs.
        Kit::Memcached | Kit::Rabbitmq | Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => {}
    }
}

/// keepalived's check of a member of a failover=auto group of a replicated
/// kit: what it proves (a comment), and the command (no password on it).
pub(super) fn store_check(p: &Plan<'_>, s: ServerId, kit: Kit) -> (String, String) {
    match kit {
        Kit::Mysql => mysql::probe(),
        Kit::Postgres => postgres::vrrp_check(p, s),
        Kit::Redis => redis::vrrp_check(p, s),
        // `Plan` makes a store check of a replicated kit only.
        Kit::Memcached | Kit::Rabbitmq | Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => {
            unreachable!("a store check of the kit {kit:?}, which does not replicate")
        }
    }
}

/// The README's sentence about such a check.
pub(super) fn store_check_text(kit: Kit) -> &'static str {
    match kit {
        Kit::Mysql => mysql::CHECK_TEXT,
        Kit::Postgres => postgres::CHECK_TEXT,
        Kit::Redis => redis::CHECK_TEXT,
        Kit::Memcached | Kit::Rabbitmq | Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => {
            unreachable!("a store check of the kit {kit:?}, which does not replicate")
        }
    }
}

/// The play of a kit whose hosts get one config file (root, 0644, with no
/// offline check): install its packages, copy the file, (re)start its
/// service on a change.
fn one_file_play(kit: Kit, title: &'static str, conf: &'static str) -> Vec<Play> {
    let spec = Role::of_kit(kit).spec();
    let play = super::stack::playbook::Daemon {
        title,
        play: spec.name.into(),
        hosts: format!("role_{}", spec.name),
        packages: spec.packages,
        configs: vec![super::stack::playbook::Config {
            path: conf,
            owner: "root",
            mode: 0o644,
            some_hosts: false,
            validate: None,
        }],
        service: spec.service,
        on_change: "restarted",
        prepare: Vec::new(),
        check: None,
    }
    .to_play();
    vec![play]
}

/// A kit's Ansible plays (`ansible/site.yml`), when the stack runs it.
pub(super) fn plays(o: &Out<'_, '_>, kit: Kit) -> Vec<Play> {
    match kit {
        Kit::Haproxy => haproxy::plays(o),
        Kit::Nginx => nginx::plays(o),
        Kit::App => app::plays(o),
        Kit::Mysql => mysql::plays(o),
        Kit::Postgres => postgres::plays(o),
        Kit::Redis => redis::plays(o),
        // memcached has no configuration check; RabbitMQ none offline.
        Kit::Memcached => one_file_play(kit, "memcached", memcached::CONF),
        Kit::Rabbitmq => one_file_play(kit, "RabbitMQ", rabbitmq::CONF),
        Kit::External => Vec::new(),
    }
}

/// A kit's own inventory groups beside `role_NAME` (`mysql_primary`...).
pub(super) fn inventory_groups(o: &Out<'_, '_>, kit: Kit) -> Vec<InvGroup> {
    match kit {
        Kit::Mysql => mysql::inventory_groups(o),
        Kit::Postgres => postgres::inventory_groups(o),
        // Their plays run on `role_NAME`.
        Kit::Redis | Kit::Memcached | Kit::Rabbitmq => Vec::new(),
        Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => Vec::new(),
    }
}

/// A kit's section of the README (Markdown), when it has one.
pub(super) fn readme_section(o: &Out<'_, '_>, kit: Kit) -> Option<String> {
    match kit {
        Kit::Mysql => mysql::readme_section(o),
        Kit::Postgres => postgres::readme_section(o.p),
        Kit::Redis => redis::readme_section(o.p),
        Kit::Memcached => memcached::readme_section(o.p),
        Kit::Rabbitmq => rabbitmq::readme_section(o.p),
        Kit::External => external::readme_section(o.p),
        // The applications' environment.
        Kit::App => app::readme_section(o.p),
        Kit::Haproxy | Kit::Nginx => None,
    }
}

/// A password of a data store (validated by `Secrets::for_specs`: letters
/// and digits only, so it needs no escaping anywhere).
pub(super) fn store_secret(o: &Out<'_, '_>, d: &Db, user: &str) -> String {
    o.secret(&o.p.secret_key(d, user)).to_string()
}

/// A README section built in code: a heading, a list, paragraphs after it
/// (each already Markdown-escaped).
pub(super) struct Section {
    pub title: String,
    pub items: Vec<String>,
    pub after: Vec<String>,
}

impl Section {
    pub fn to_markdown(&self) -> String {
        let mut out = format!("## {}\n\n", self.title);
        for i in &self.items {
            out.push_str(&format!("- {i}\n"));
        }
        out.push('\n');
        for a in &self.after {
            out.push_str(a);
            out.push_str("\n\n");
        }
        out
    }
}
