//! Names: declarations in one namespace for servers, groups and zones,
//! roles looked up in the table, and names used by links and records.

use super::*;

impl Resolver {
    pub(super) fn check_name(&mut self, name: &Spanned, what: &str) {
        if name.text.len() > MAX_NAME {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    name.span,
                    format!(
                        "the {what} name `{}` is {} characters long; names are at most {MAX_NAME}",
                        name.text,
                        name.text.len()
                    ),
                )
                .subject(match what {
                    "stack" => Subject::Stack(name.text.clone()),
                    "zone" => Subject::Zone(name.text.clone()),
                    "group" => Subject::Group(name.text.clone()),
                    _ => Subject::Server(name.text.clone()),
                })
                .label("too long")
                .help("names become host names and config identifiers: shorten it"),
            );
        }
    }

    /// Registers a name in the shared namespace; reports `duplicate-name`.
    pub(super) fn register(&mut self, name: &Spanned, what: Name) -> bool {
        if let Some((_, first)) = self.names.get(&name.text) {
            let first = *first;
            self.error(
                Finding::new(
                    RuleId::DuplicateName,
                    name.span,
                    format!("`{}` is declared twice", name.text),
                )
                .subject(match what {
                    Name::Server(_) => Subject::Server(name.text.clone()),
                    Name::Group(_) => Subject::Group(name.text.clone()),
                    Name::Zone => Subject::Zone(name.text.clone()),
                })
                .label("declared again here")
                .with_label(first, "first declared here")
                .help("servers, groups and zones share one namespace: rename one of them"),
            );
            return false;
        }
        self.names.insert(name.text.clone(), (what, name.span));
        true
    }

    // ---- pass 1: declarations -------------------------------------------

    pub(super) fn declare(&mut self, file: &ast::File) {
        let mut stack_span: Option<Span> = None;
        for stmt in &file.statements {
            self.about = self.statement_subject(stmt);
            match stmt {
                ast::Statement::Stack(s) => {
                    self.check_name(&s.name, "stack");
                    if let Some(first) = stack_span {
                        self.error(
                            Finding::new(
                                RuleId::DuplicateName,
                                s.name.span,
                                "the stack is named twice: `stack` may appear once",
                            )
                            .subject(Subject::Stack(s.name.text.clone()))
                            .label("named again here")
                            .with_label(first, "first named here"),
                        );
                    } else {
                        stack_span = Some(s.name.span);
                        self.m.stack_span = Some(s.name.span);
                        self.m.name = Some(s.name.text.clone());
                        self.m.title = s.title.as_ref().map(|t| t.text.clone());
                        let read = self.read_attrs(&s.attrs, AttrPlace::STACK, RoleSet::default());
                        read.apply_to_stack(&mut self.m);
                    }
                }
                ast::Statement::Zone(z) => {
                    self.check_name(&z.name, "zone");
                    let read = self.read_attrs(&z.attrs, AttrPlace::ZONE, RoleSet::default());
                    if self.register(&z.name, Name::Zone) {
                        let mut zone = Zone {
                            name: z.name.text.clone(),
                            span: z.name.span,
                            availability: None,
                        };
                        read.apply_to_zone(&mut zone);
                        self.m.zones.push(zone);
                    }
                }
                ast::Statement::Server(s) => {
                    let roles = self.roles(&s.roles);
                    self.new_server(&s.name, s.span, roles, None);
                }
                ast::Statement::Group(g) => {
                    self.check_name(&g.name, "group");
                    let roles = self.roles(&g.roles);
                    let gid = GroupId(self.m.groups.len() as u32);
                    let registered = self.register(&g.name, Name::Group(gid));
                    if registered {
                        self.m.groups.push(Group::new(
                            g.name.text.clone(),
                            g.name.span,
                            g.span,
                            roles,
                        ));
                    }
                    if g.members.is_empty() {
                        self.error(
                            Finding::new(
                                RuleId::EmptyGroup,
                                g.name.span,
                                format!("the group `{}` has no members", g.name.text),
                            )
                            .label("nothing inside `{ }`")
                            .help(format!(
                                "add its servers, `group {}: ROLES {{ server NAME ADDRESS }}`, or remove the group",
                                g.name.text
                            )),
                        );
                    }
                    for mem in &g.members {
                        self.about = Some(Subject::Server(mem.name.text.clone()));
                        let group = registered.then_some(gid);
                        if let Some(sid) = self.new_server(&mem.name, mem.span, roles, group) {
                            if registered {
                                self.m.groups[gid.index()].members.push(sid);
                            }
                        }
                    }
                }
                ast::Statement::Domain(_) | ast::Statement::Link(_) | ast::Statement::Allow(_) => {}
            }
        }
    }

    pub(super) fn new_server(
        &mut self,
        name: &Spanned,
        decl: Span,
        roles: RoleSet,
        group: Option<GroupId>,
    ) -> Option<ServerId> {
        self.check_name(name, "server");
        let id = ServerId(self.m.servers.len() as u32);
        if !self.register(name, Name::Server(id)) {
            return None;
        }
        self.m.servers.push(Server {
            name: name.text.clone(),
            span: name.span,
            decl,
            roles,
            address: None,
            zone: None,
            group,
            port: None,
            firewall: false,
            monitor: None,
            db: None,
            runtime: None,
            command: None,
            health: None,
            tier: None,
            host: None,
            availability: None,
            capacity: None,
        });
        Some(id)
    }

    pub(super) fn roles(&mut self, written: &[Spanned]) -> RoleSet {
        let mut set = RoleSet::default();
        let mut seen = Seen::default();
        for r in written {
            if !seen.first(&r.text, r.span) {
                continue;
            }
            match Role::lookup(&r.text) {
                Some(role) => {
                    set.insert(role);
                }
                None => {
                    let mut f = Finding::new(
                        RuleId::UnknownRole,
                        r.span,
                        format!("unknown role `{}`", r.text),
                    )
                    .label("not a role");
                    let names = Role::all().map(Role::name);
                    f = f.help(match did_you_mean(&r.text, names) {
                        Some(h) => h,
                        None => format!(
                            "the roles are {}",
                            Role::all().map(Role::name).collect::<Vec<_>>().join(", ")
                        ),
                    });
                    self.error(f);
                }
            }
        }
        if set.any(|r| !r.deployed) && set.any(|r| r.deployed) {
            if let Some(w) = written
                .iter()
                .find(|w| Role::lookup(&w.text).is_some_and(|r| !r.spec().deployed))
            {
                self.error(
                    Finding::new(
                        RuleId::BadValue,
                        w.span,
                        format!(
                            "`{}` is a service the stack does not run: it cannot share a server with {}",
                            w.text,
                            set.iter().filter(|r| r.spec().deployed).map(Role::name).collect::<Vec<_>>().join("+")
                        ),
                    )
                    .label("not ours to run")
                    .help(format!("declare `{}` as a server of its own", w.text)),
                );
            }
        }
        for (role, span, n) in seen.repeats {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!("the role `{role}` is listed {}", times(n)),
                )
                .label("listed again here")
                .help("list each role once"),
            );
        }
        set
    }

    pub(super) fn server_declared_at(&self, name: &Spanned) -> Option<ServerId> {
        match self.names.get(&name.text) {
            Some((Name::Server(id), span)) if *span == name.span => Some(*id),
            _ => None,
        }
    }

    pub(super) fn lookup_target(&mut self, n: &Spanned, what: &str) -> Option<Target> {
        match self.names.get(&n.text) {
            Some((Name::Server(s), _)) => Some(Target::Server(*s)),
            Some((Name::Group(g), _)) => Some(Target::Group(*g)),
            Some((Name::Zone, _)) => {
                self.error(
                    Finding::new(
                        RuleId::UnknownName,
                        n.span,
                        format!("`{}` is a zone; {what} names a server or a group", n.text),
                    )
                    .subject(Subject::Zone(n.text.clone()))
                    .label("a zone, not a server or group"),
                );
                None
            }
            None => {
                let mut f = Finding::new(
                    RuleId::UnknownName,
                    n.span,
                    format!("`{}` names nothing", n.text),
                )
                .subject(Subject::Undeclared(n.text.clone()))
                .label("no server or group has this name");
                let cands = self
                    .m
                    .servers
                    .iter()
                    .map(|s| s.name.as_str())
                    .chain(self.m.groups.iter().map(|g| g.name.as_str()));
                if let Some(h) = did_you_mean(&n.text, cands) {
                    f = f.help(h);
                } else {
                    f = f.help(format!(
                        "declare it with `server {}: ROLE ADDRESS` or a group",
                        n.text
                    ));
                }
                self.error(f);
                None
            }
        }
    }
}
