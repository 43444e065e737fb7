//! Attributes: which key may stand where, and what servers and groups
//! take from them (a group hands its host attributes down to members).

use super::*;

/// Host attributes a group hands down to its members.
#[derive(Clone, Default)]
pub(super) struct HostAttrs {
    zone: Option<Option<ZoneId>>,
    port: Option<u16>,
    firewall: bool,
    monitor: Option<String>,
    runtime: Option<String>,
    command: Option<String>,
    health: Option<String>,
}

/// A value read from an attribute.
pub(super) enum Value {
    Flag,
    Zone(Option<ZoneId>),
    Port(u16),
    Choice(&'static str),
    Address(IpAddr),
    Text(String),
    Seconds(u32),
}

impl Resolver {
    pub(super) fn attributes(&mut self, file: &ast::File) {
        for stmt in &file.statements {
            self.about = statement_subject(stmt);
            match stmt {
                ast::Statement::Server(s) => {
                    let Some(sid) = self.server_declared_at(&s.name) else {
                        continue;
                    };
                    let roles = self.m.servers[sid.index()].roles;
                    let mut host = HostAttrs::default();
                    let mut db = None;
                    self.host_attrs(&s.attrs, AttrPlace::SERVER, roles, &mut host, &mut db);
                    self.address(sid, s.address.as_ref());
                    let srv = &mut self.m.servers[sid.index()];
                    apply_host(srv, &host);
                    srv.db = if roles.any(|r| r.replicated) {
                        Some(db.unwrap_or(DbRole::Primary))
                    } else {
                        None
                    };
                }
                ast::Statement::Group(g) => self.group_attrs(g),
                _ => {}
            }
        }
    }

    pub(super) fn group_attrs(&mut self, g: &ast::GroupStmt) {
        let gid = match self.names.get(&g.name.text) {
            Some((Name::Group(id), span)) if *span == g.name.span => Some(*id),
            _ => None,
        };
        let roles = match gid {
            Some(id) => self.m.groups[id.index()].roles,
            None => RoleSet::default(),
        };
        let mut host = HostAttrs::default();
        let mut mode = None;
        let mut vip: Option<(IpAddr, Span)> = None;
        let mut track = None;
        let mut unicast = None;
        let mut failover = None;
        let mut seen = Seen::default();
        for a in &g.attrs {
            let Some(spec) = self.attr_spec(a, AttrPlace::GROUP, roles, &mut seen) else {
                continue;
            };
            let Some(v) = self.value(a, spec) else {
                continue;
            };
            match (spec.key, v) {
                ("mode", Value::Choice(c)) => {
                    mode = Some(if c == "active-passive" {
                        Mode::ActivePassive
                    } else {
                        Mode::ActiveActive
                    })
                }
                ("vip", Value::Address(ip)) => {
                    let span = a.value.as_ref().map_or(a.span, |v| v.span);
                    self.special_address(ip, span, &format!("the vip of {}", g.name.text));
                    vip = Some((ip, span))
                }
                ("track", _) => track = Some(a.key.span),
                ("unicast", _) => unicast = Some(a.key.span),
                ("failover", Value::Choice(c)) => {
                    failover = Some(if c == "auto" {
                        Failover::Auto
                    } else {
                        Failover::Manual
                    })
                }
                (_, v) => set_host(&mut host, spec.key, v),
            }
        }
        self.report_repeated_attrs(seen);
        let mode = mode.unwrap_or_default();
        let is_mysql = roles.any(|r| r.replicated);
        // Attributes that only make sense for active-passive groups (§7.12).
        for (flag, span) in [("track", track), ("unicast", unicast)] {
            if let (Some(span), Mode::ActiveActive) = (span, mode) {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`{flag}` applies to active-passive groups, and `{}` is active-active",
                            g.name.text
                        ),
                    )
                    .subject(g.name.text.clone())
                    .label("not for an active-active group")
                    .help(format!(
                        "add `mode=active-passive vip=ADDRESS` to the group, or remove `{flag}`"
                    )),
                );
            }
        }
        if let Some((_, span)) = vip {
            if mode == Mode::ActiveActive && !is_mysql {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!("`vip` applies to active-passive groups and mysql groups, and `{}` is neither", g.name.text),
                    )
                    .subject(g.name.text.clone())
                    .label("no group holds this address")
                    .help("add `mode=active-passive` to the group, or remove `vip`"),
                );
            }
        }
        if mode == Mode::ActivePassive && vip.is_none() {
            self.error(
                Finding::new(
                    RuleId::MissingVip,
                    g.name.span,
                    format!("the active-passive group `{}` has no `vip`", g.name.text),
                )
                .subject(g.name.text.clone())
                .label("active-passive without a virtual address")
                .help("an active-passive pair shares one virtual address: add `vip=ADDRESS`"),
            );
        }
        let Some(gid) = gid else { return };
        if let Some((ip, span)) = vip {
            self.addresses.push(Declared {
                ip,
                span,
                whose: format!("the vip of group `{}`", g.name.text),
                subject: g.name.text.clone(),
            });
        }
        {
            let grp = &mut self.m.groups[gid.index()];
            grp.mode = mode;
            grp.vip = vip.map(|v| v.0);
            grp.track = track.is_some() && mode == Mode::ActivePassive;
            grp.unicast = unicast.is_some() && mode == Mode::ActivePassive;
            grp.failover = failover.unwrap_or_default();
            grp.port = host.port;
        }
        for mem in &g.members {
            self.about = Some(mem.name.text.clone());
            let Some(sid) = self.server_declared_at(&mem.name) else {
                continue;
            };
            let mut own = HostAttrs::default();
            let mut db = None;
            self.host_attrs(&mem.attrs, AttrPlace::MEMBER, roles, &mut own, &mut db);
            self.address(sid, mem.address.as_ref());
            let srv = &mut self.m.servers[sid.index()];
            apply_host(srv, &host);
            apply_host(srv, &own);
            srv.db = is_mysql.then(|| db.unwrap_or(DbRole::Replica));
        }
    }

    pub(super) fn host_attrs(
        &mut self,
        list: &[ast::Attr],
        place: AttrPlace,
        roles: RoleSet,
        host: &mut HostAttrs,
        db: &mut Option<DbRole>,
    ) {
        let mut seen = Seen::default();
        for a in list {
            let Some(spec) = self.attr_spec(a, place, roles, &mut seen) else {
                continue;
            };
            let Some(v) = self.value(a, spec) else {
                continue;
            };
            match spec.key {
                "primary" | "replica" => {
                    let want = if spec.key == "primary" {
                        DbRole::Primary
                    } else {
                        DbRole::Replica
                    };
                    if db.is_some_and(|d| d != want) {
                        self.error(
                            Finding::new(
                                RuleId::BadValue,
                                a.span,
                                "a server cannot be both `primary` and `replica`",
                            )
                            .label("conflicts with the other replication role")
                            .help("keep one of `primary` and `replica`"),
                        );
                    } else {
                        *db = Some(want);
                    }
                }
                key => set_host(host, key, v),
            }
        }
        self.report_repeated_attrs(seen);
    }

    /// Checks that an attribute exists and may stand here; reports
    /// `unknown-attribute` (with a hint) or a repeated key.
    pub(super) fn attr_spec(
        &mut self,
        a: &ast::Attr,
        place: AttrPlace,
        roles: RoleSet,
        seen: &mut Seen,
    ) -> Option<&'static AttrSpec> {
        let key = &a.key.text;
        if !seen.first(key, a.span) {
            return None;
        }
        let Some(spec) = attrs::lookup(key) else {
            let candidates = attrs::ATTRS
                .iter()
                .filter(|s| s.places.contains(place))
                .map(|s| s.key);
            let mut f = Finding::new(
                RuleId::UnknownAttribute,
                a.key.span,
                format!("unknown attribute `{key}`"),
            )
            .label("not an attribute");
            if let Some(h) = did_you_mean(key, candidates) {
                f = f.help(h);
            } else {
                let here: Vec<_> = attrs::ATTRS
                    .iter()
                    .filter(|s| s.places.contains(place))
                    .map(|s| s.key)
                    .collect();
                f = f.help(format!(
                    "attributes of {} are: {}",
                    place.describe(),
                    here.join(", ")
                ));
            }
            self.error(f);
            return None;
        };
        if !spec.places.contains(place) {
            let wher = [
                AttrPlace::SERVER,
                AttrPlace::MEMBER,
                AttrPlace::GROUP,
                AttrPlace::LINK,
                AttrPlace::DOMAIN,
            ]
            .into_iter()
            .filter(|p| spec.places.contains(*p))
            .map(|p| p.describe())
            .collect::<Vec<_>>()
            .join(" or ");
            self.error(
                Finding::new(
                    RuleId::UnknownAttribute,
                    a.key.span,
                    format!("`{key}` does not apply to {}", place.describe()),
                )
                .label("not here")
                .help(format!("`{key}` is written on {wher}")),
            );
            return None;
        }
        if let Some((words, test)) = spec.needs {
            if !roles.is_empty() && !roles.any(test) {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        a.key.span,
                        format!(
                            "`{key}` applies to {words} servers, and this one runs {}",
                            roles.joined()
                        ),
                    )
                    .label(format!("needs the {words} role"))
                    .help(format!(
                        "remove `{key}`, or give the server the {words} role"
                    )),
                );
                return None;
            }
        }
        Some(spec)
    }
}

pub(super) fn set_host(h: &mut HostAttrs, key: &str, v: Value) {
    match (key, v) {
        ("zone", Value::Zone(z)) => h.zone = Some(z),
        ("port", Value::Port(p)) => h.port = Some(p),
        ("firewall", _) => h.firewall = true,
        ("monitor", Value::Text(t)) => h.monitor = Some(t),
        ("runtime", Value::Text(t)) => h.runtime = Some(t),
        ("command", Value::Text(t)) => h.command = Some(t),
        ("health", Value::Text(t)) => h.health = Some(t),
        _ => {}
    }
}

/// Applies attributes on top of what a server has (the member's own win).
pub(super) fn apply_host(s: &mut Server, h: &HostAttrs) {
    if let Some(z) = h.zone {
        s.zone = z;
    }
    if h.port.is_some() {
        s.port = h.port;
    }
    s.firewall |= h.firewall;
    for (dst, src) in [
        (&mut s.monitor, &h.monitor),
        (&mut s.runtime, &h.runtime),
        (&mut s.command, &h.command),
        (&mut s.health, &h.health),
    ] {
        if src.is_some() {
            dst.clone_from(src);
        }
    }
}
