//! Facts derived from the model that several files share: the data stores
//! of every replicated kit (mysql, postgres, redis), the VRRP instances, who
//! listens where, and where a link's requests go. Which kit a role is comes
//! from the roles table (`replicated`, `data_protocols`, `kit`), never from
//! its name.

use super::secrets::SecretSpec;
use super::Flavor;
use crate::model::{
    Failover, GroupId, Kit, LinkTarget, Mode, Model, Protocol, Role, Route, ServerId, Target,
};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

/// The first VRRP router id; one per VRRP instance from there.
pub const FIRST_VRID: usize = 51;
/// The last usable VRRP router id.
pub const LAST_VRID: usize = 255;

/// The account the applications use in every data store of a replicated
/// kit (its password is the secret `ROLE/STORE/app`).
pub const APP_ACCOUNT: &str = "app";

/// A data store of a replicated kit (mysql, postgres, redis): a group with
/// that role, or a server with it outside any group.
#[derive(Clone, Debug)]
pub struct Db {
    /// The replicated kit it runs.
    pub kit: Kit,
    /// The group's (or server's) name.
    pub name: String,
    pub group: Option<GroupId>,
    /// In declared order.
    pub members: Vec<ServerId>,
    pub primary: ServerId,
    /// The write address of a `failover=auto` group.
    pub vip: Option<IpAddr>,
    pub auto: bool,
    /// Servers with a link to it in one of its data protocols, in source
    /// order.
    pub clients: Vec<Client>,
}

impl Db {
    pub fn replicas(&self) -> impl Iterator<Item = ServerId> + '_ {
        self.members.iter().copied().filter(|s| *s != self.primary)
    }
    pub fn replicated(&self) -> bool {
        self.members.len() > 1
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    pub server: ServerId,
    /// Has a write link (else only `read` links).
    pub writes: bool,
}

/// What a VRRP instance's check probes on each member.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckKind {
    /// The local HAProxy's monitor URI.
    Haproxy,
    /// The local web or application server's health URI.
    Http,
    /// The local data store of a replicated kit answers (mysql, postgres,
    /// redis).
    Store(Kit),
}

/// One `vrrp_instance`: an active-passive group, or a `failover=auto`
/// replicated group holding its write vip.
#[derive(Clone, Debug)]
pub struct Vrrp {
    pub group: GroupId,
    pub vrid: usize,
    pub vip: IpAddr,
    /// Members by priority, highest first.
    pub order: Vec<ServerId>,
    pub check: CheckKind,
    /// Taking over promotes the local database (`failover=auto`).
    pub promote: bool,
    /// The first member takes the vip back when it returns (LANGUAGE.md
    /// §5: the holder is the first member up). Databases do not: a
    /// returning old primary has stale data.
    pub preempt: bool,
}

impl Vrrp {
    /// An IPv6 vip: VRRP version 3 (RFC 5798), which has no
    /// authentication, so no password either.
    pub fn v3(&self) -> bool {
        self.vip.is_ipv6()
    }
}

pub struct Plan<'m> {
    pub m: &'m Model,
    pub flavor: Flavor,
    /// The stack's name (`stack` when the file names none).
    pub stack: String,
    pub dbs: Vec<Db>,
    pub vrrps: Vec<Vrrp>,
    /// Per server: the ports each of its roles listens on.
    pub listens: Vec<BTreeMap<Role, BTreeSet<(Protocol, u16)>>>,
}

impl<'m> Plan<'m> {
    pub fn new(m: &'m Model, flavor: Flavor) -> Self {
        let stack = m.name.clone().unwrap_or_else(|| "stack".to_string());
        let mut p = Plan {
            m,
            flavor,
            stack,
            dbs: Vec::new(),
            vrrps: Vec::new(),
            listens: Vec::new(),
        };
        p.databases();
        p.vrrp_instances();
        p.listens = m.server_ids().map(|s| p.compute_listens(s)).collect();
        p
    }

    /// A server's address (the bundle refuses servers without one).
    pub fn addr(&self, s: ServerId) -> IpAddr {
        self.m
            .server(s)
            .address
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    fn databases(&mut self) {
        let m = self.m;
        for g in m.group_ids() {
            let grp = m.group(g);
            let Some(primary) = grp.primary else { continue };
            let auto = grp.failover == Failover::Auto;
            for role in grp.roles.iter().filter(|r| r.spec().replicated) {
                self.dbs.push(Db {
                    kit: role.spec().kit,
                    name: grp.name.clone(),
                    group: Some(g),
                    members: grp.members.clone(),
                    primary,
                    vip: if auto { grp.vip } else { None },
                    auto,
                    clients: Vec::new(),
                });
            }
        }
        for s in m.server_ids() {
            let srv = m.server(s);
            if srv.group.is_some() {
                continue;
            }
            for role in srv.roles.iter().filter(|r| r.spec().replicated) {
                self.dbs.push(Db {
                    kit: role.spec().kit,
                    name: srv.name.clone(),
                    group: None,
                    members: vec![s],
                    primary: s,
                    vip: None,
                    auto: false,
                    clients: Vec::new(),
                });
            }
        }
        for l in &m.links {
            for t in &l.targets {
                let Some(d) = self.db_for(t) else {
                    continue;
                };
                for src in &l.from {
                    let clients = &mut self.dbs[d].clients;
                    match clients.iter_mut().find(|c| c.server == *src) {
                        Some(c) => c.writes |= l.is_write(t),
                        None => clients.push(Client {
                            server: *src,
                            writes: l.is_write(t),
                        }),
                    }
                }
            }
        }
    }

    /// The data store of kit `kit` a server belongs to.
    pub fn db_of(&self, s: ServerId, kit: Kit) -> Option<usize> {
        self.dbs
            .iter()
            .position(|d| d.kit == kit && d.members.contains(&s))
    }

    /// The data store of kit `kit` a target stands for.
    pub fn db_of_target(&self, t: Target, kit: Kit) -> Option<usize> {
        match t {
            Target::Server(s) => self.db_of(s, kit),
            Target::Group(g) => self
                .dbs
                .iter()
                .position(|d| d.kit == kit && d.group == Some(g)),
        }
    }

    /// The data store a link target reaches: one whose kit has the link's
    /// protocol as a data protocol.
    pub fn db_for(&self, t: &LinkTarget) -> Option<usize> {
        let kit = self
            .m
            .target_roles(t.target)
            .iter()
            .find(|r| r.spec().replicates(t.protocol))?
            .spec()
            .kit;
        self.db_of_target(t.target, kit)
    }

    /// The data stores of one kit.
    pub fn dbs_of(&self, kit: Kit) -> impl Iterator<Item = &Db> + '_ {
        self.dbs.iter().filter(move |d| d.kit == kit)
    }

    fn vrrp_instances(&mut self) {
        let m = self.m;
        for g in m.group_ids() {
            let grp = m.group(g);
            // The replicated kit of the group, if any (the first in the
            // table's order when a group has several).
            let store = grp
                .roles
                .iter()
                .find(|r| r.spec().replicated)
                .map(|r| r.spec().kit);
            let auto_db = store.is_some() && grp.failover == Failover::Auto;
            let Some(vip) = grp.vip.filter(|_| grp.runs_vrrp()) else {
                continue;
            };
            let mut order = grp.members.clone();
            if auto_db {
                if let Some(p) = grp.primary {
                    order.retain(|s| *s != p);
                    order.insert(0, p);
                }
            }
            let check = match store {
                _ if grp.roles.has_kit(Kit::Haproxy) => CheckKind::Haproxy,
                Some(kit) if auto_db || !grp.roles.any(|r| r.serves_http) => CheckKind::Store(kit),
                _ => CheckKind::Http,
            };
            self.vrrps.push(Vrrp {
                group: g,
                vrid: FIRST_VRID + self.vrrps.len(),
                vip,
                order,
                check,
                promote: auto_db,
                preempt: store.is_none(),
            });
        }
    }

    /// The VRRP instance a server takes part in.
    pub fn vrrp_of(&self, s: ServerId) -> Option<&Vrrp> {
        let g = self.m.server(s).group?;
        self.vrrps.iter().find(|v| v.group == g)
    }

    /// The port a role of a server listens on when no link says otherwise:
    /// `port=` for its main role, the role's default for the others.
    pub fn role_port(&self, s: ServerId, role: Role) -> u16 {
        let srv = self.m.server(s);
        if srv.roles.main() == Some(role) {
            srv.main_port()
        } else {
            role.spec().port()
        }
    }

    /// Which role of a server answers requests in `p` on `port`: the
    /// highest-tier role serving `p` for a protocol other than http(s); for
    /// http(s), the application when the port is its own and it is not the
    /// main role, else the highest-tier http role.
    pub fn serving_role(&self, s: ServerId, p: Protocol, port: u16) -> Option<Role> {
        let roles = self.m.server(s).roles;
        if !p.is_http() {
            return roles.speaking(p);
        }
        if let Some(app) = Some(Role::of_kit(Kit::App)).filter(|r| roles.contains(*r)) {
            if roles.main() != Some(app) && port == self.role_port(s, app) {
                return Some(app);
            }
        }
        roles.speaking(Protocol::Http)
    }

    fn targets_server(&self, t: Target, s: ServerId) -> bool {
        self.m.target_members(&t).contains(&s)
    }

    fn compute_listens(&self, s: ServerId) -> BTreeMap<Role, BTreeSet<(Protocol, u16)>> {
        let m = self.m;
        let mut out: BTreeMap<Role, BTreeSet<(Protocol, u16)>> = BTreeMap::new();
        let reaching = m
            .records
            .iter()
            .flat_map(|r| r.targets.iter())
            .chain(m.links.iter().flat_map(|l| l.targets.iter()));
        for t in reaching {
            if !self.targets_server(t.target, s) {
                continue;
            }
            if let Some(role) = self.serving_role(s, t.protocol, t.port) {
                out.entry(role).or_default().insert((t.protocol, t.port));
            }
        }
        for role in m.server(s).roles.iter() {
            out.entry(role).or_insert_with(|| {
                BTreeSet::from([(role.spec().protocol(), self.role_port(s, role))])
            });
        }
        out
    }

    /// The ports a role of a server listens on.
    pub fn ports(&self, s: ServerId, kit: Kit) -> Vec<(Protocol, u16)> {
        self.listens[s.index()]
            .get(&Role::of_kit(kit))
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The one port of a role that listens on one port (app, mysql).
    pub fn port(&self, s: ServerId, kit: Kit) -> u16 {
        self.ports(s, kit)
            .first()
            .map(|(_, p)| *p)
            .unwrap_or_else(|| self.role_port(s, Role::of_kit(kit)))
    }

    /// The addresses where requests to a target go: a group's vip when it
    /// is active-passive; for a write in a data protocol to a replicated
    /// group (mysql, postgres, redis), the primary
    /// (or the vip with `failover=auto`); else every member's address.
    pub fn endpoints(&self, t: Target, protocol: Protocol, write: bool) -> Vec<IpAddr> {
        let members = |g: GroupId| -> Vec<IpAddr> {
            let grp = self.m.group(g);
            match grp.vip {
                // An active-passive group answers on its vip (with `track`
                // too: any member may hold it).
                Some(vip) if grp.mode == Mode::ActivePassive && !grp.replicates(protocol) => {
                    vec![vip]
                }
                _ => grp.members.iter().map(|s| self.addr(*s)).collect(),
            }
        };
        match self.m.route(t, protocol, write) {
            Route::Server(s) | Route::ReplicaWrite(s) | Route::Primary(_, s) => vec![self.addr(s)],
            Route::NoPrimary(_) => Vec::new(),
            Route::Failover(g) => {
                let grp = self.m.group(g);
                match (grp.vip, grp.primary) {
                    (Some(vip), _) => vec![vip],
                    (None, Some(p)) => vec![self.addr(p)],
                    (None, None) => Vec::new(),
                }
            }
            Route::AnyMember(g) | Route::Holder(g) | Route::Quorum(g) => members(g),
        }
    }

    /// The passwords the bundle needs, in a fixed order: the VRRP
    /// instances', then per data store its kit's (replication and
    /// application accounts; one password for a redis store).
    pub fn secret_specs(&self) -> Vec<SecretSpec> {
        let mut out = Vec::new();
        for v in self.vrrps.iter().filter(|v| !v.v3()) {
            out.push(SecretSpec::vrrp(&self.m.group(v.group).name));
        }
        for d in &self.dbs {
            let role = Role::of_kit(d.kit).name();
            match d.kit {
                Kit::Redis => out.push(SecretSpec::store(role, &d.name, "password")),
                Kit::Mysql | Kit::Postgres => {
                    if d.replicated() {
                        out.push(SecretSpec::store(role, &d.name, "replication"));
                    }
                    if !d.clients.is_empty() {
                        out.push(SecretSpec::store(role, &d.name, APP_ACCOUNT));
                    }
                }
                // Not replicated: no data store of theirs.
                Kit::Memcached
                | Kit::Rabbitmq
                | Kit::Haproxy
                | Kit::Nginx
                | Kit::App
                | Kit::External => {}
            }
        }
        out
    }

    /// The key of a data store's password in the secrets
    /// (`postgres/pg/replication`).
    pub fn secret_key(&self, d: &Db, user: &str) -> String {
        format!("{}/{}/{user}", Role::of_kit(d.kit).name(), d.name)
    }

    /// The links of a server to data stores of every replicated kit, in
    /// link order: per store, the write endpoints and the read endpoints.
    pub fn store_links(&self, s: ServerId) -> Vec<DbLink> {
        let m = self.m;
        let mut out: Vec<DbLink> = Vec::new();
        for l in m.links.iter().filter(|l| l.from.contains(&s)) {
            for t in &l.targets {
                let Some(d) = self.db_for(t) else {
                    continue;
                };
                let idx = match out.iter().position(|x| x.db == d) {
                    Some(i) => i,
                    None => {
                        out.push(DbLink {
                            db: d,
                            write: Vec::new(),
                            read: Vec::new(),
                        });
                        out.len() - 1
                    }
                };
                let write = l.is_write(t);
                for ip in self.endpoints(t.target, t.protocol, write) {
                    let hp = (ip, t.port);
                    let list = if write {
                        &mut out[idx].write
                    } else {
                        &mut out[idx].read
                    };
                    if !list.contains(&hp) {
                        list.push(hp);
                    }
                }
            }
        }
        out
    }
}

/// What a server's links say about one data store.
#[derive(Clone, Debug)]
pub struct DbLink {
    pub db: usize,
    pub write: Vec<(IpAddr, u16)>,
    pub read: Vec<(IpAddr, u16)>,
}
