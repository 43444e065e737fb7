//! Attributes: which key may stand where, and what servers and groups take
//! from them. Each value goes where its row of the attributes table says; a
//! group hands its host attributes down to its members (theirs win).

use super::*;

/// The attributes of one list that were read: row, value and where the key
/// and the value are written, in order.
#[derive(Default)]
pub(super) struct Read(Vec<(&'static AttrSpec, Value, Span, Span)>);

impl Read {
    fn get(&self, key: &str) -> Option<(&Value, Span, Span)> {
        self.0
            .iter()
            .find(|(s, ..)| s.key == key)
            .map(|(_, v, k, at)| (v, *k, *at))
    }
    /// Applies the host attributes to a server.
    fn apply_to_server(&self, s: &mut Server) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.server {
                set(s, v);
            }
        }
    }
    pub(super) fn apply_to_link(&self, l: &mut Link) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.link {
                set(l, v);
            }
        }
    }
    pub(super) fn apply_to_stack(&self, m: &mut Model) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.stack {
                set(m, v);
            }
        }
    }
    pub(super) fn apply_to_zone(&self, z: &mut Zone) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.zone {
                set(z, v);
            }
        }
    }
    pub(super) fn apply_to_record(&self, r: &mut Record) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.record {
                set(r, v);
            }
        }
    }
    pub(super) fn apply_to_domain(&self, d: &mut Domain) {
        for (spec, v, ..) in &self.0 {
            if let Some(set) = spec.domain {
                set(d, v);
            }
        }
    }
    pub(super) fn key_span(&self, key: &str) -> Option<Span> {
        self.get(key).map(|(_, k, _)| k)
    }
}

impl Resolver {
    pub(super) fn attributes(&mut self, file: &ast::File) {
        for stmt in &file.statements {
            self.about = self.statement_subject(stmt);
            match stmt {
                ast::Statement::Server(s) => {
                    let Some(sid) = self.server_declared_at(&s.name) else {
                        continue;
                    };
                    let roles = self.m.servers[sid.index()].roles;
                    let own = self.read_attrs(&s.attrs, AttrPlace::SERVER, roles);
                    self.address(sid, s.address.as_ref());
                    let srv = &mut self.m.servers[sid.index()];
                    own.apply_to_server(srv);
                    let replicated = roles.any(|r| r.replicated);
                    srv.db = replicated.then(|| srv.db.unwrap_or(DbRole::Primary));
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
        let read = self.read_attrs(&g.attrs, AttrPlace::GROUP, roles);
        if roles.iter().filter(|r| r.spec().replicated).count() > 1 {
            let names = roles
                .iter()
                .filter(|r| r.spec().replicated)
                .map(Role::name)
                .collect::<Vec<_>>();
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    g.name.span,
                    format!(
                        "the group `{}` runs {}: a group replicates one role",
                        g.name.text,
                        roles::listed(names.iter().copied(), "and")
                    ),
                )
                .subject(Subject::Group(g.name.text.clone()))
                .label("more than one replicated role")
                .help(format!(
                    "its `primary`/`replica` marks, `failover=` and `vip` belong to one replication: give {} groups of their own",
                    roles::listed(names.iter().copied(), "and")
                )),
            );
        }
        // The group as its attributes make it, registered or not: the checks
        // of §7.12 read it.
        let mut grp = match gid {
            Some(id) => self.m.groups[id.index()].clone(),
            None => Group::new(g.name.text.clone(), g.name.span, g.span, roles),
        };
        for (spec, v, ..) in &read.0 {
            if let Some(set) = spec.group {
                set(&mut grp, v);
            }
        }
        let vip = read.get("vip").map(|(_, _, at)| at);
        if let (Some(ip), Some(span)) = (grp.vip, vip) {
            self.special_address(ip, span, &format!("the vip of {}", g.name.text));
        }
        // Attributes that only make sense for active-passive groups (§7.12).
        for flag in ["track", "unicast"] {
            if let (Some(span), Mode::ActiveActive | Mode::Quorum) = (read.key_span(flag), grp.mode)
            {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`{flag}` applies to active-passive groups, and `{}` is {}",
                            g.name.text,
                            grp.mode.as_str()
                        ),
                    )
                    .subject(Subject::Group(g.name.text.clone()))
                    .label("not for an active-active group")
                    .help(format!(
                        "add `mode=active-passive vip=ADDRESS` to the group, or remove `{flag}`"
                    )),
                );
            }
        }
        if grp.mode != Mode::ActivePassive {
            grp.track = false;
            grp.unicast = false;
        }
        self.quorum_attrs(g, &read, &mut grp);
        if let Some(span) = vip {
            if grp.mode == Mode::Quorum {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`vip` does not apply to a quorum group: every member of `{}` serves",
                            g.name.text
                        ),
                    )
                    .subject(Subject::Group(g.name.text.clone()))
                    .label("no member holds this address")
                    .help("remove `vip`, and point links and records at the group"),
                );
                grp.vip = None;
            } else if grp.mode == Mode::ActiveActive && !grp.is_replicated() {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`vip` applies to active-passive groups and groups with {}, and `{}` is neither",
                            attrs::Need::REPLICATED.words(),
                            g.name.text
                        ),
                    )
                    .subject(Subject::Group(g.name.text.clone()))
                    .label("no group holds this address")
                    .help("add `mode=active-passive` to the group, or remove `vip`"),
                );
            }
        }
        if grp.mode == Mode::ActivePassive && vip.is_none() {
            self.error(rules::missing_vip::finding(&g.name.text, g.name.span));
        }
        let Some(gid) = gid else { return };
        if let (Some(ip), Some(span)) = (grp.vip, vip) {
            self.addresses.push(Declared {
                ip,
                span,
                whose: format!("the vip of group `{}`", g.name.text),
                subject: Subject::Group(g.name.text.clone()),
            });
        }
        self.m.groups[gid.index()] = grp;
        let replicated = self.m.groups[gid.index()].is_replicated();
        for mem in &g.members {
            self.about = Some(Subject::Server(mem.name.text.clone()));
            let Some(sid) = self.server_declared_at(&mem.name) else {
                continue;
            };
            let own = self.read_attrs(&mem.attrs, AttrPlace::MEMBER, roles);
            if self.m.groups[gid.index()].mode == Mode::Quorum {
                self.no_replication_marks(&g.name.text, &own);
            }
            self.address(sid, mem.address.as_ref());
            let srv = &mut self.m.servers[sid.index()];
            read.apply_to_server(srv);
            own.apply_to_server(srv);
            srv.db = replicated.then(|| srv.db.unwrap_or(DbRole::Replica));
        }
    }

    /// `mode=quorum` and `quorum=K` (RESILIENCE.md §5): `quorum` needs the
    /// mode and 1..=members; a quorum group has no primary, replicas or
    /// failover.
    fn quorum_attrs(&mut self, g: &ast::GroupStmt, read: &Read, grp: &mut Group) {
        let subject = Subject::Group(g.name.text.clone());
        if let Some((_, _, at)) = read.get("quorum") {
            if grp.mode != Mode::Quorum {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        read.key_span("quorum").unwrap_or(at),
                        format!(
                            "`quorum` applies to quorum groups, and `{}` is {}",
                            g.name.text,
                            grp.mode.as_str()
                        ),
                    )
                    .subject(subject.clone())
                    .label("not a quorum group")
                    .help("add `mode=quorum` to the group, or remove `quorum`"),
                );
                grp.quorum = None;
            } else if let Some(k) = grp.quorum.filter(|k| *k as usize > g.members.len()) {
                let n = g.members.len();
                self.error(
                    Finding::new(
                        RuleId::BadValue,
                        at,
                        format!(
                            "`quorum={k}` is more than the {n} member{} of `{}`: it could never be available",
                            if n == 1 { "" } else { "s" },
                            g.name.text
                        ),
                    )
                    .subject(subject.clone())
                    .label("out of range")
                    .help(format!(
                        "`quorum` is 1 to {n} here; without it, a strict majority ({}) is needed",
                        n / 2 + 1
                    )),
                );
                grp.quorum = None;
            }
        }
        if grp.mode == Mode::Quorum {
            if let Some(span) = read.key_span("failover") {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`failover` does not apply to a quorum group: every member of `{}` takes writes",
                            g.name.text
                        ),
                    )
                    .subject(subject.clone())
                    .label("no primary to fail over from")
                    .help("remove `failover`"),
                );
                grp.failover = Failover::Manual;
            }
        }
    }

    /// `primary`/`replica` on a member of a quorum group.
    fn no_replication_marks(&mut self, group: &str, own: &Read) {
        for key in ["primary", "replica"] {
            if let Some(span) = own.key_span(key) {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        span,
                        format!(
                            "`{key}` does not apply in a quorum group: every member of `{group}` takes writes"
                        ),
                    )
                    .label("no replication roles here")
                    .help(format!("remove `{key}`")),
                );
            }
        }
    }

    /// Reads one attribute list: each key checked against the table and its
    /// value read; a key that conflicts with an earlier one, or that changes
    /// nothing for these roles, is reported and left out.
    pub(super) fn read_attrs(
        &mut self,
        list: &[ast::Attr],
        place: AttrPlace,
        roles: RoleSet,
    ) -> Read {
        let mut seen = Seen::default();
        let mut read = Read::default();
        for a in list {
            let Some(spec) = self.attr_spec(a, place, roles, &mut seen) else {
                continue;
            };
            let Some(v) = self.value(a, spec) else {
                continue;
            };
            if let Some(other) = spec.excludes.filter(|o| read.get(o).is_some()) {
                let (x, y) = if spec.key < other {
                    (spec.key, other)
                } else {
                    (other, spec.key)
                };
                self.error(
                    Finding::new(
                        RuleId::BadValue,
                        a.span,
                        format!("a server cannot be both `{x}` and `{y}`"),
                    )
                    .label(format!("conflicts with `{other}`"))
                    .help(format!("keep one of `{x}` and `{y}`")),
                );
                continue;
            }
            if let Some(need) = spec.ignored_unless {
                if !roles.is_empty() && !roles.any(need.test) {
                    self.error(
                        Finding::new(
                            RuleId::IgnoredAttribute,
                            a.key.span,
                            format!(
                                "`{}` changes nothing here: it needs {}, and this one runs {}",
                                spec.key,
                                need.what,
                                roles.joined()
                            ),
                        )
                        .label("ignored")
                        .help(format!(
                            "remove `{}`: stackc configures only what the stack runs",
                            spec.key
                        )),
                    );
                    continue;
                }
            }
            let at = a.value.as_ref().map_or(a.span, |v| v.span);
            read.0.push((spec, v, a.key.span, at));
        }
        self.report_repeated_attrs(seen);
        read
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
            let wher = spec.places_words();
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
        if let Some(need) = spec.needs {
            if !roles.is_empty() && !roles.any(need.test) {
                self.error(
                    Finding::new(
                        RuleId::UnknownAttribute,
                        a.key.span,
                        format!(
                            "`{key}` applies to servers with {}, and this one runs {}",
                            need.words(),
                            roles.joined()
                        ),
                    )
                    .label(format!("needs {}", need.what))
                    .help(format!(
                        "remove `{key}`, or give the server {}",
                        need.words()
                    )),
                );
                return None;
            }
        }
        Some(spec)
    }
}
