//! One module per kit of the roles table (`RoleSpec::kit`): the files it
//! puts on a host, its Ansible plays, its inventory groups. The compiler
//! finds every `match` here when a kit is added to the table.

mod app;
mod haproxy;
mod http;
pub(super) mod keepalived;
pub(super) mod mysql;
mod nginx;

use super::plan::{Plan, Vrrp};
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
            // Written by their own modules (roles/postgres.rs, redis.rs,
            // memcached.rs).
            Kit::Postgres | Kit::Redis | Kit::Memcached => {}
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
        Kit::Postgres | Kit::Redis | Kit::Memcached => {}
        Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => {}
    }
}

/// A kit's Ansible plays (`ansible/site.yml`), when the stack runs it.
pub(super) fn plays(o: &Out<'_, '_>, kit: Kit) -> Vec<Play> {
    match kit {
        Kit::Haproxy => haproxy::plays(o),
        Kit::Nginx => nginx::plays(o),
        Kit::App => app::plays(o),
        Kit::Mysql => mysql::plays(o),
        Kit::Postgres | Kit::Redis | Kit::Memcached => Vec::new(),
        Kit::External => Vec::new(),
    }
}

/// A kit's own inventory groups beside `role_NAME` (`mysql_primary`...).
pub(super) fn inventory_groups(o: &Out<'_, '_>, kit: Kit) -> Vec<InvGroup> {
    match kit {
        Kit::Mysql => mysql::inventory_groups(o),
        Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => Vec::new(),
        Kit::Postgres | Kit::Redis | Kit::Memcached => Vec::new(),
    }
}

/// A kit's section of the README (Markdown), when it has one.
pub(super) fn readme_section(o: &Out<'_, '_>, kit: Kit) -> Option<String> {
    match kit {
        Kit::Mysql => mysql::readme_section(o),
        Kit::Haproxy | Kit::Nginx | Kit::App | Kit::External => None,
        Kit::Postgres | Kit::Redis | Kit::Memcached => None,
    }
}
