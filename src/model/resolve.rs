//! Name resolution and the static checks of LANGUAGE.md §4.

use super::attrs::{self, AttrPlace, AttrSpec, ValueKind};
use super::graph;
use super::roles::{Protocol, Role, RoleSet};
use super::*;
use crate::diag::{did_you_mean, Finding, Phase, RuleId};
use crate::syntax::{self as ast, Span, Spanned};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// Longest name: names become host names and config identifiers.
pub const MAX_NAME: usize = 63;
/// Longest DNS name in text, without the trailing dot (RFC 1035: 255 octets
/// on the wire).
pub const MAX_FQDN: usize = 253;
/// Largest TTL (RFC 2181 §8): BIND refuses more.
pub const MAX_TTL: u64 = 2_147_483_647;

/// Resolves a parsed file into a model, with every static error found.
pub fn resolve(file: &ast::File) -> (Model, Vec<Finding>) {
    let mut r = Resolver::default();
    r.declare(file);
    r.attributes(file);
    r.replication();
    r.links_and_records(file);
    r.record_families();
    r.allows(file);
    r.addresses();
    let cycles = graph::build(&mut r.m);
    r.out.extend(cycles);
    (r.m, r.out)
}

#[derive(Copy, Clone, Debug)]
enum Name {
    Server(ServerId),
    Group(GroupId),
    Zone,
}

#[derive(Default)]
struct Resolver {
    m: Model,
    out: Vec<Finding>,
    names: HashMap<String, (Name, Span)>,
    /// Addresses in source order: (address, span, whose).
    addresses: Vec<(IpAddr, Span, String)>,
    /// What the statement being read is about: the subject of the findings
    /// that do not name one themselves (CLI.md).
    about: Option<String>,
}

/// Keys (attributes, roles) met in one list: a repeated key is counted and
/// reported once, however often it repeats (issue 9 B5).
#[derive(Default)]
struct Seen {
    keys: HashSet<String>,
    /// Repeated keys in order of first repeat: (key, span of the first
    /// repeat, how often it is written).
    repeats: Vec<(String, Span, usize)>,
    index: HashMap<String, usize>,
}

impl Seen {
    /// True the first time `key` is met.
    fn first(&mut self, key: &str, span: Span) -> bool {
        if !self.keys.contains(key) {
            self.keys.insert(key.to_string());
            return true;
        }
        match self.index.get(key) {
            Some(&i) => self.repeats[i].2 += 1,
            None => {
                self.index.insert(key.to_string(), self.repeats.len());
                self.repeats.push((key.to_string(), span, 2));
            }
        }
        false
    }
}

/// "twice", "3 times".
fn times(n: usize) -> String {
    if n == 2 {
        "twice".into()
    } else {
        format!("{n} times")
    }
}

/// Host attributes a group hands down to its members.
#[derive(Clone, Default)]
struct HostAttrs {
    zone: Option<Option<ZoneId>>,
    port: Option<u16>,
    firewall: bool,
    monitor: Option<String>,
    runtime: Option<String>,
    command: Option<String>,
    health: Option<String>,
}

/// A value read from an attribute.
enum Value {
    Flag,
    Zone(Option<ZoneId>),
    Port(u16),
    Choice(&'static str),
    Address(IpAddr),
    Text(String),
    Seconds(u32),
}

impl Resolver {
    fn error(&mut self, mut f: Finding) {
        if f.subject.is_none() {
            f.subject.clone_from(&self.about);
        }
        self.out.push(f);
    }

    /// One `bad-value` per repeated attribute key of a list.
    fn report_repeated_attrs(&mut self, seen: Seen) {
        for (key, span, n) in seen.repeats {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!("`{key}` is given {}", times(n)),
                )
                .label("given again here")
                .help("keep one of them"),
            );
        }
    }

    fn check_name(&mut self, name: &Spanned, what: &str) {
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
                .subject(name.text.clone())
                .label("too long")
                .help("names become host names and config identifiers: shorten it"),
            );
        }
    }

    /// Registers a name in the shared namespace; reports `duplicate-name`.
    fn register(&mut self, name: &Spanned, what: Name) -> bool {
        if let Some((_, first)) = self.names.get(&name.text) {
            let first = *first;
            self.error(
                Finding::new(
                    RuleId::DuplicateName,
                    name.span,
                    format!("`{}` is declared twice", name.text),
                )
                .subject(name.text.clone())
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

    fn declare(&mut self, file: &ast::File) {
        let mut stack_span: Option<Span> = None;
        for stmt in &file.statements {
            self.about = statement_subject(stmt);
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
                            .subject(s.name.text.clone())
                            .label("named again here")
                            .with_label(first, "first named here"),
                        );
                    } else {
                        stack_span = Some(s.name.span);
                        self.m.name = Some(s.name.text.clone());
                        self.m.title = s.title.as_ref().map(|t| t.text.clone());
                    }
                }
                ast::Statement::Zone(z) => {
                    self.check_name(&z.name, "zone");
                    if self.register(&z.name, Name::Zone) {
                        self.m.zones.push(Zone {
                            name: z.name.text.clone(),
                            span: z.name.span,
                        });
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
                        self.m.groups.push(Group {
                            name: g.name.text.clone(),
                            span: g.name.span,
                            decl: g.span,
                            roles,
                            members: Vec::new(),
                            mode: Mode::ActiveActive,
                            vip: None,
                            track: false,
                            unicast: false,
                            failover: Failover::Manual,
                            primary: None,
                            port: None,
                        });
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
                        self.about = Some(mem.name.text.clone());
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

    fn new_server(
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
        });
        Some(id)
    }

    fn roles(&mut self, written: &[Spanned]) -> RoleSet {
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

    // ---- pass 2: attributes ---------------------------------------------

    fn attributes(&mut self, file: &ast::File) {
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

    fn server_declared_at(&self, name: &Spanned) -> Option<ServerId> {
        match self.names.get(&name.text) {
            Some((Name::Server(id), span)) if *span == name.span => Some(*id),
            _ => None,
        }
    }

    fn group_attrs(&mut self, g: &ast::GroupStmt) {
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
            self.addresses
                .push((ip, span, format!("the vip of group `{}`", g.name.text)));
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

    fn host_attrs(
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
    fn attr_spec(
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

    /// Reads an attribute's value; reports `bad-value` or `unknown-zone`.
    fn value(&mut self, a: &ast::Attr, spec: &AttrSpec) -> Option<Value> {
        let key = spec.key;
        let Some(v) = &a.value else {
            if spec.value == ValueKind::Flag {
                return Some(Value::Flag);
            }
            self.error(
                Finding::new(RuleId::BadValue, a.span, format!("`{key}` needs a value"))
                    .label("no value")
                    .help(format!("write it as `{key}=VALUE` ({})", spec.doc)),
            );
            return None;
        };
        let bad = |msg: String, help: Option<String>| {
            let f = Finding::new(RuleId::BadValue, v.span, msg).label("bad value");
            match help {
                Some(h) => f.help(h),
                None => f,
            }
        };
        let text = v.text.as_str();
        let result = match spec.value {
            ValueKind::Flag => Err(bad(
                format!("`{key}` is a flag and takes no value"),
                Some(format!("write `{key}` alone")),
            )),
            ValueKind::Zone => {
                let zone = self.m.find_zone(text);
                if zone.is_none() {
                    let mut f = Finding::new(
                        RuleId::UnknownZone,
                        v.span,
                        format!("the zone `{text}` is not declared"),
                    )
                    .label("no such zone");
                    let zones = self.m.zones.iter().map(|z| z.name.as_str());
                    f = f.help(match did_you_mean(text, zones) {
                        Some(h) => h,
                        None => format!("declare it with `zone {text}`"),
                    });
                    self.error(f);
                }
                Ok(Value::Zone(zone))
            }
            ValueKind::Port => parse_port(text)
                .map(Value::Port)
                .ok_or_else(|| bad(format!("`{text}` is not a port (1-65535)"), None)),
            ValueKind::Choice(words) => match words.iter().find(|w| **w == text) {
                Some(w) => Ok(Value::Choice(w)),
                None => Err(bad(
                    format!("`{text}` is not a value of `{key}`"),
                    Some(
                        did_you_mean(text, words.iter().copied())
                            .unwrap_or_else(|| format!("`{key}` is one of: {}", words.join(", "))),
                    ),
                )),
            },
            ValueKind::Address => text
                .parse::<IpAddr>()
                .map(Value::Address)
                .map_err(|_| bad(format!("`{text}` is not an IPv4 or IPv6 address"), None)),
            ValueKind::Text => {
                if text.trim().is_empty() {
                    Err(bad(format!("`{key}` is empty"), None))
                } else if text.chars().any(|c| c.is_control()) {
                    Err(bad(format!("`{key}` holds a control character"), None))
                } else {
                    Ok(Value::Text(text.to_string()))
                }
            }
            ValueKind::Path => {
                if text.starts_with('/')
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,=:@?".contains(c))
                    && !text.contains(['\'', '(', ')'])
                {
                    Ok(Value::Text(text.to_string()))
                } else {
                    Err(bad(
                        format!("`{text}` is not a URI path"),
                        Some("a health path starts with `/` and has no spaces or quotes, e.g. `/healthz`".into()),
                    ))
                }
            }
            ValueKind::Word => {
                let b = text.as_bytes();
                if !b.is_empty()
                    && b.len() <= 64
                    && b[0].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || b"._+-".contains(c))
                {
                    Ok(Value::Text(text.to_string()))
                } else {
                    Err(bad(
                        format!("`{text}` is not a name the bundle can write into its inventory and unit files"),
                        Some(format!("`{key}` is one word: letters, digits and `. _ + -`, starting with a letter or digit, at most 64 characters, e.g. `sumologic`, `python3`")),
                    ))
                }
            }
            ValueKind::Seconds => match text.parse::<u64>() {
                Ok(n) if (1..=MAX_TTL).contains(&n) => Ok(Value::Seconds(n as u32)),
                Ok(_) => Err(bad(
                    format!("`{key}={text}` is out of range: a TTL is 1 to {MAX_TTL} seconds"),
                    Some(format!(
                        "{MAX_TTL} is the largest TTL DNS (RFC 2181) and BIND take; 3600 is usual"
                    )),
                )),
                Err(_) if text.bytes().all(|c| c.is_ascii_digit()) => Err(bad(
                    format!("`{key}={text}` is out of range: a TTL is 1 to {MAX_TTL} seconds"),
                    None,
                )),
                Err(_) => Err(bad(
                    format!("`{text}` is not a number of seconds"),
                    Some(format!(
                        "a TTL is a whole number of seconds, 1 to {MAX_TTL}"
                    )),
                )),
            },
        };
        match result {
            Ok(v) => Some(v),
            Err(f) => {
                self.error(f);
                None
            }
        }
    }

    fn address(&mut self, sid: ServerId, written: Option<&Spanned>) {
        let Some(a) = written else { return };
        match a.text.parse::<IpAddr>() {
            Ok(ip) => {
                let name = self.m.servers[sid.index()].name.clone();
                self.special_address(ip, a.span, &format!("the address of {name}"));
                self.m.servers[sid.index()].address = Some(ip);
                let whose = format!("server `{}`", self.m.servers[sid.index()].name);
                self.addresses.push((ip, a.span, whose));
            }
            Err(_) => self.error(
                Finding::new(
                    RuleId::BadValue,
                    a.span,
                    format!("`{}` is not an IPv4 or IPv6 address", a.text),
                )
                .subject(self.m.servers[sid.index()].name.clone())
                .label("bad address"),
            ),
        }
    }

    /// An A record publishes IPv4 addresses and an AAAA record IPv6 ones:
    /// each target must have an address of that family where the record's
    /// requests go (a vip for an active-passive group, else every member).
    fn record_families(&mut self) {
        let mut found = Vec::new();
        for r in &self.m.records {
            let want_v4 = match r.rtype {
                RecordType::A => true,
                RecordType::Aaaa => false,
                RecordType::Cname => continue,
            };
            for t in &r.targets {
                let addrs: Vec<IpAddr> = match t.target {
                    Target::Server(s) => self.m.servers[s.index()].address.into_iter().collect(),
                    Target::Group(g) => {
                        let grp = &self.m.groups[g.index()];
                        match grp.vip {
                            Some(vip) if grp.mode == Mode::ActivePassive => vec![vip],
                            _ => grp
                                .members
                                .iter()
                                .filter_map(|s| self.m.servers[s.index()].address)
                                .collect(),
                        }
                    }
                };
                if let Some(ip) = addrs.into_iter().find(|ip| ip.is_ipv4() != want_v4) {
                    let holder = match t.target {
                        Target::Group(g) if self.m.groups[g.index()].vip == Some(ip) => {
                            format!("the vip of {}", self.m.groups[g.index()].name)
                        }
                        Target::Group(g) => self.m.groups[g.index()]
                            .members
                            .iter()
                            .map(|s| &self.m.servers[s.index()])
                            .find(|s| s.address == Some(ip))
                            .map_or_else(String::new, |s| s.name.clone()),
                        Target::Server(_) => String::new(),
                    };
                    let holder = if holder.is_empty() {
                        holder
                    } else {
                        format!(" ({holder})")
                    };
                    found.push(
                        Finding::new(
                            RuleId::BadValue,
                            t.span,
                            format!(
                                "the {} record `{}` points at {}, whose address {ip}{holder} is {}",
                                r.rtype.as_str(),
                                r.subject,
                                self.m.target_name(t.target),
                                if ip.is_ipv4() { "IPv4" } else { "IPv6" }
                            ),
                        )
                        .subject(r.subject.clone())
                        .label("wrong address family")
                        .help(if want_v4 {
                            "an A record holds IPv4 addresses: use an AAAA record for IPv6 ones"
                        } else {
                            "an AAAA record holds IPv6 addresses: use an A record for IPv4 ones"
                        }),
                    );
                }
            }
        }
        self.out.extend(found);
    }

    /// `bad-value` for an address no server or vip can hold.
    fn special_address(&mut self, ip: IpAddr, span: Span, whose: &str) {
        if let Some(why) = special_address(ip) {
            self.error(
                Finding::new(RuleId::BadValue, span, format!("{whose}, {ip}, is {why}"))
                    .label("not a host address")
                    .help("give it the unicast address it is reached at on its network"),
            );
        }
    }

    /// `duplicate-address`, on the later declaration (§7.10, §7.14).
    fn addresses(&mut self) {
        let mut list = std::mem::take(&mut self.addresses);
        list.sort_by_key(|(_, span, _)| span.start);
        let mut first: HashMap<IpAddr, (Span, String)> = HashMap::new();
        for (ip, span, whose) in list {
            if let Some((fspan, fwhose)) = first.get(&ip) {
                self.out.push(
                    Finding::new(
                        RuleId::DuplicateAddress,
                        span,
                        format!("{ip} is already used by {fwhose}"),
                    )
                    .subject(subject_of(&whose))
                    .label(format!("{whose} repeats it"))
                    .with_label(*fspan, "first used here")
                    .help("every server and vip needs an address of its own"),
                );
            } else {
                first.insert(ip, (span, whose));
            }
        }
    }

    // ---- replication ------------------------------------------------------

    fn replication(&mut self) {
        for gid in 0..self.m.groups.len() {
            let g = &self.m.groups[gid];
            if !g.is_replicated() {
                continue;
            }
            let primaries: Vec<ServerId> = g
                .members
                .iter()
                .copied()
                .filter(|s| self.m.servers[s.index()].db == Some(DbRole::Primary))
                .collect();
            let (name, span) = (g.name.clone(), g.span);
            match primaries.len() {
                1 => self.m.groups[gid].primary = Some(primaries[0]),
                0 => self.error(
                    Finding::new(
                        RuleId::NoPrimary,
                        span,
                        format!("the mysql group `{name}` has no primary"),
                    )
                    .subject(name.clone())
                    .label("no member is `primary`")
                    .help("mark exactly one member `primary`; members without it are replicas"),
                ),
                _ => {
                    let mut f = Finding::new(
                        RuleId::ManyPrimaries,
                        span,
                        format!("the mysql group `{name}` has {} primaries", primaries.len()),
                    )
                    .subject(name.clone())
                    .label("more than one primary")
                    .help("a mysql group replicates from exactly one primary: mark the others `replica`");
                    for p in &primaries {
                        let s = &self.m.servers[p.index()];
                        f = f.with_label(s.span, format!("{} is primary", s.name));
                    }
                    self.error(f);
                }
            }
        }
    }

    // ---- pass 3: links, records -------------------------------------------

    fn lookup_target(&mut self, n: &Spanned, what: &str) -> Option<Target> {
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
                    .subject(n.text.clone())
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
                .subject(n.text.clone())
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

    /// Resolves targets and works out each one's protocol and port.
    fn link_targets(
        &mut self,
        names: &[Spanned],
        proto: Option<&ast::ProtoSpec>,
        what: &str,
    ) -> Option<Vec<LinkTarget>> {
        let explicit = proto.and_then(|p| match Protocol::parse(&p.protocol.text) {
            Some(pr) => Some(pr),
            None => {
                let words = Protocol::ALL.iter().map(|p| p.as_str());
                let help = did_you_mean(&p.protocol.text, words)
                    .unwrap_or_else(|| "protocols are http, https and mysql".into());
                self.error(
                    Finding::new(
                        RuleId::BadValue,
                        p.protocol.span,
                        format!("`{}` is not a protocol", p.protocol.text),
                    )
                    .label("unknown protocol")
                    .help(help),
                );
                None
            }
        });
        let port =
            proto
                .and_then(|p| p.port.as_ref())
                .and_then(|port| match parse_port(&port.text) {
                    Some(n) => Some(n),
                    None => {
                        self.error(
                            Finding::new(
                                RuleId::BadValue,
                                port.span,
                                format!("`{}` is not a port (1-65535)", port.text),
                            )
                            .label("bad port"),
                        );
                        None
                    }
                });
        let mut out = Vec::new();
        let mut ok = true;
        for n in names {
            let Some(t) = self.lookup_target(n, what) else {
                ok = false;
                continue;
            };
            let roles = self.m.target_roles(t);
            let protocol = match explicit {
                Some(p) => {
                    if p == Protocol::Mysql && !roles.any(|r| r.serves(Protocol::Mysql)) {
                        self.error(
                            Finding::new(
                                RuleId::BadValue,
                                proto.map_or(n.span, |p| p.protocol.span),
                                format!(
                                    "`{}` runs no mysql, so a link to it cannot be `mysql`",
                                    n.text
                                ),
                            )
                            .label("mysql to a server without the mysql role")
                            .with_label(n.span, format!("{} runs {}", n.text, roles.joined()))
                            .help("use http, or point the link at a mysql server or group"),
                        );
                    }
                    if matches!(p, Protocol::Http | Protocol::Https)
                        && !roles.is_empty()
                        && !roles.any(|r| r.serves(Protocol::Http))
                    {
                        self.error(
                            Finding::new(
                                RuleId::BadValue,
                                proto.map_or(n.span, |p| p.protocol.span),
                                format!(
                                    "`{}` serves no http, so {what} to it cannot be `{p}`",
                                    n.text
                                ),
                            )
                            .label(format!("{p} to a server that only runs {}", roles.joined()))
                            .with_label(n.span, format!("{} runs {}", n.text, roles.joined()))
                            .help(
                                "use `: mysql`, or point it at a server or group that serves http",
                            ),
                        );
                    }
                    p
                }
                None => roles.main().map_or(Protocol::Http, |r| r.spec().protocol()),
            };
            let port = port.unwrap_or_else(|| self.default_port(t, protocol));
            out.push(LinkTarget {
                target: t,
                protocol,
                port,
                span: n.span,
            });
        }
        ok.then_some(out)
    }

    /// The port of a target for a protocol: its `port=` when the protocol is
    /// its main role's, else the default of the role that speaks it.
    fn default_port(&self, t: Target, p: Protocol) -> u16 {
        let (roles, port) = match t {
            Target::Server(s) => (
                self.m.servers[s.index()].roles,
                self.m.servers[s.index()].port,
            ),
            Target::Group(g) => (
                self.m.groups[g.index()].roles,
                self.m.groups[g.index()].port,
            ),
        };
        let main = roles.main();
        if main.is_some_and(|r| r.spec().protocol() == p) {
            if let Some(port) = port {
                return port;
            }
        }
        if p == Protocol::Https {
            return 443;
        }
        roles
            .speaking(p)
            .and_then(|r| r.spec().port_of(p))
            .or(p.default_port())
            .unwrap_or(0)
    }

    fn links_and_records(&mut self, file: &ast::File) {
        let mut record_seen: HashMap<(String, &'static str), Span> = HashMap::new();
        let mut domain_seen: HashMap<String, Span> = HashMap::new();
        for stmt in &file.statements {
            self.about = statement_subject(stmt);
            match stmt {
                ast::Statement::Link(l) => self.link(l),
                ast::Statement::Domain(d) => {
                    if d.name.span == Span::default() {
                        continue;
                    }
                    let name = canonical_domain(&d.name.text);
                    self.check_fqdn(&name, d.name.span, "the domain");
                    if let Some(first) = domain_seen.get(&name) {
                        let same = if d.name.text == name {
                            String::new()
                        } else {
                            " (DNS names ignore case and a trailing dot)".to_string()
                        };
                        self.error(
                            Finding::new(
                                RuleId::DuplicateName,
                                d.name.span,
                                format!("the domain `{name}` is declared twice{same}"),
                            )
                            .subject(name.clone())
                            .label("declared again here")
                            .with_label(*first, "first declared here")
                            .help("put all records of a domain in one block"),
                        );
                        continue;
                    }
                    domain_seen.insert(name.clone(), d.name.span);
                    let did = DomainId(self.m.domains.len() as u32);
                    let mut ttl = None;
                    let mut seen = Seen::default();
                    for a in &d.attrs {
                        let Some(spec) =
                            self.attr_spec(a, AttrPlace::DOMAIN, RoleSet::default(), &mut seen)
                        else {
                            continue;
                        };
                        if let Some(Value::Seconds(n)) = self.value(a, spec) {
                            ttl = Some(n);
                        }
                    }
                    self.report_repeated_attrs(seen);
                    self.m.domains.push(Domain {
                        name: name.clone(),
                        ttl,
                        span: d.name.span,
                    });
                    for rec in &d.records {
                        let rtype = match rec.rtype.text.as_str() {
                            "A" => RecordType::A,
                            "AAAA" => RecordType::Aaaa,
                            _ => RecordType::Cname,
                        };
                        let label = rec.label.text.to_ascii_lowercase();
                        let subject = if label == "@" {
                            name.clone()
                        } else {
                            format!("{label}.{name}")
                        };
                        self.about = Some(subject.clone());
                        if label != "@" {
                            self.check_fqdn(&subject, rec.label.span, "the record name");
                        }
                        if let Some(first) = record_seen.get(&(subject.clone(), rtype.as_str())) {
                            self.error(
                                Finding::new(
                                    RuleId::DuplicateName,
                                    rec.label.span,
                                    format!(
                                        "the {} record `{subject}` is declared twice",
                                        rtype.as_str()
                                    ),
                                )
                                .subject(subject.clone())
                                .label("declared again here")
                                .with_label(*first, "first declared here")
                                .help("DNS names ignore case: list every target in one record, `www A -> web-01, web-02`"),
                            );
                            continue;
                        }
                        record_seen.insert((subject.clone(), rtype.as_str()), rec.label.span);
                        if rtype == RecordType::Cname && rec.targets.len() > 1 {
                            self.error(
                                Finding::new(
                                    RuleId::BadValue,
                                    rec.span,
                                    format!(
                                        "the CNAME `{subject}` has {} targets",
                                        rec.targets.len()
                                    ),
                                )
                                .subject(subject.clone())
                                .label("a CNAME points at one name")
                                .help("use an A record for several targets"),
                            );
                        }
                        let Some(targets) =
                            self.link_targets(&rec.targets, rec.proto.as_ref(), "a record")
                        else {
                            continue;
                        };
                        self.m.records.push(Record {
                            domain: did,
                            label,
                            subject,
                            rtype,
                            targets,
                            span: rec.label.span,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// DNS limits (RFC 1035): a label is at most 63 characters, a name at
    /// most 253 (255 octets on the wire). `name` is canonical.
    fn check_fqdn(&mut self, name: &str, span: Span, what: &str) {
        if let Some(label) = name.split('.').find(|l| l.len() > MAX_NAME) {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!(
                        "the DNS label `{label}` is {} characters long; a label is at most {MAX_NAME}",
                        label.len()
                    ),
                )
                .label("label too long")
                .help("shorten the label: DNS refuses longer ones"),
            );
        } else if name.len() > MAX_FQDN {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!(
                        "{what} `{name}` is {} characters long; a DNS name is at most {MAX_FQDN}",
                        name.len()
                    ),
                )
                .label("name too long")
                .help("shorten the domain or the record label: DNS refuses longer names"),
            );
        }
    }

    fn link(&mut self, l: &ast::LinkStmt) {
        // A link finding is about its source server (CLI.md).
        if let Some(first) = l.sources.first() {
            self.about = Some(match self.names.get(&first.text) {
                Some((Name::Group(g), _)) => self.m.groups[g.index()].members.first().map_or_else(
                    || first.text.clone(),
                    |s| self.m.servers[s.index()].name.clone(),
                ),
                _ => first.text.clone(),
            });
        }
        let mut sources = Vec::new();
        let mut ok = true;
        for s in &l.sources {
            match self.lookup_target(s, "a link") {
                Some(t) => sources.push(t),
                None => ok = false,
            }
        }
        let targets = self.link_targets(&l.targets, l.proto.as_ref(), "a link");
        let mut read = None;
        let mut seen = Seen::default();
        for a in &l.attrs {
            let Some(spec) = self.attr_spec(a, AttrPlace::LINK, RoleSet::default(), &mut seen)
            else {
                continue;
            };
            if self.value(a, spec).is_some() && spec.key == "read" {
                read = Some(a.key.span);
            }
        }
        self.report_repeated_attrs(seen);
        if let (Some(span), Some(targets)) = (read, &targets) {
            if let Some(t) = targets
                .first()
                .filter(|_| targets.iter().all(|t| t.protocol != Protocol::Mysql))
            {
                self.error(
                    Finding::new(
                        RuleId::IgnoredAttribute,
                        span,
                        format!("`read` changes nothing on an {} link: only a mysql link reads or writes", t.protocol),
                    )
                    .label("ignored")
                    .help("remove `read`, or write `: mysql read` if the link goes to the database"),
                );
            }
        }
        let read = read.is_some();
        let (Some(targets), true) = (targets, ok) else {
            return;
        };
        let mut from = Vec::new();
        let mut seen = HashSet::new();
        for t in &sources {
            for s in self.m.target_members(t) {
                if seen.insert(*s) {
                    from.push(*s);
                }
            }
        }
        let link = Link {
            sources,
            from,
            targets,
            read,
            optional: false,
            explicit_protocol: l.proto.is_some(),
            span: l.span,
        };
        // replica-write: once per source server per link (§7.2), naming
        // every replica the link writes to.
        let replicas: Vec<(&LinkTarget, ServerId)> = link
            .targets
            .iter()
            .filter_map(|t| match t.target {
                Target::Server(x) if link.is_write(t) && self.m.servers[x.index()].is_replica() => {
                    Some((t, x))
                }
                _ => None,
            })
            .collect();
        if !replicas.is_empty() {
            let names: Vec<&str> = replicas
                .iter()
                .map(|(_, x)| self.m.servers[x.index()].name.as_str())
                .collect();
            let what = match names.len() {
                1 => format!("{}, a replica", names[0]),
                _ => format!("{}, replicas", names.join(" and ")),
            };
            let group = self.m.servers[replicas[0].1.index()]
                .group
                .map(|g| self.m.groups[g.index()].name.clone());
            for s in &link.from {
                let src = &self.m.servers[s.index()].name;
                let mut f = Finding::new(
                    RuleId::ReplicaWrite,
                    l.span,
                    format!("{src} writes to {what}: a replica never takes writes"),
                )
                .subject(src.clone())
                .label("a mysql write to a replica");
                for (t, x) in &replicas {
                    f = f.with_label(
                        t.span,
                        format!("{} is a replica", self.m.servers[x.index()].name),
                    );
                }
                f = f.help(match &group {
                    Some(g) => format!(
                        "add `read` if {src} only reads, or point the link at the group `{g}`"
                    ),
                    None => {
                        format!("add `read` if {src} only reads, or point the link at the primary")
                    }
                });
                self.out.push(f);
            }
        }
        self.m.links.push(link);
    }

    // ---- allows -------------------------------------------------------------

    fn allows(&mut self, file: &ast::File) {
        for stmt in &file.statements {
            let ast::Statement::Allow(a) = stmt else {
                continue;
            };
            self.about = statement_subject(stmt);
            let rule = match a.rule.text.parse::<RuleId>() {
                Ok(r) if r.phase() != Phase::Analysis => {
                    self.error(
                        Finding::new(RuleId::BadValue, a.rule.span, format!("`{}` cannot be allowed: only the findings of the analysis can", a.rule.text))
                            .label("cannot be allowed")
                            .help("static errors leave the file wrong (the book's Rules page lists them): fix the file instead"),
                    );
                    None
                }
                Ok(r) => Some(r),
                Err(()) => {
                    let names = RuleId::ALL
                        .iter()
                        .filter(|r| r.phase() != Phase::Static)
                        .map(|r| r.as_str());
                    let help = did_you_mean(&a.rule.text, names)
                        .unwrap_or_else(|| "`stackc explain` lists the rules".into());
                    self.error(
                        Finding::new(
                            RuleId::BadValue,
                            a.rule.span,
                            format!("`{}` is not a rule", a.rule.text),
                        )
                        .label("unknown rule")
                        .help(help),
                    );
                    None
                }
            };
            if a.reason.text.trim().is_empty() {
                self.error(
                    Finding::new(RuleId::BadValue, a.reason.span, "an allow needs a reason")
                        .label("empty reason")
                        .help("say why the finding is accepted, so the next reader knows"),
                );
            }
            // A record is named in any case, with or without the final dot.
            let subject = if self.names.contains_key(&a.subject.text) {
                a.subject.text.clone()
            } else {
                canonical_domain(&a.subject.text)
            };
            let subj = subject.as_str();
            let known =
                self.names.contains_key(subj) || self.m.records.iter().any(|r| r.subject == subj);
            if !known {
                let cands = self
                    .names
                    .keys()
                    .map(String::as_str)
                    .chain(self.m.records.iter().map(|r| r.subject.as_str()));
                let mut f = Finding::new(
                    RuleId::UnknownName,
                    a.subject.span,
                    format!("the allow names `{subj}`, which is not declared"),
                )
                .subject(subj.to_string())
                .label("names nothing");
                if let Some(h) = did_you_mean(subj, cands) {
                    f = f.help(h);
                } else {
                    f = f
                        .help("an allow names a server, group, zone or record (`www.example.com`)");
                }
                self.error(f);
            }
            self.m.allows.push(Allow {
                rule,
                subject: subj.to_string(),
                reason: a.reason.text.clone(),
                span: a.span,
            });
        }
    }
}

/// The subject of the findings about a statement that do not name one:
/// the stack, zone, server, group, domain or allowed subject it declares.
fn statement_subject(stmt: &ast::Statement) -> Option<String> {
    Some(match stmt {
        ast::Statement::Stack(s) => s.name.text.clone(),
        ast::Statement::Zone(z) => z.name.text.clone(),
        ast::Statement::Server(s) => s.name.text.clone(),
        ast::Statement::Group(g) => g.name.text.clone(),
        ast::Statement::Domain(d) => canonical_domain(&d.name.text),
        // Server, group and zone names hold no dot: a dotted subject is a record.
        ast::Statement::Allow(a) if a.subject.text.contains('.') => {
            canonical_domain(&a.subject.text)
        }
        ast::Statement::Allow(a) => a.subject.text.clone(),
        ast::Statement::Link(l) => l.sources.first()?.text.clone(),
    })
}

/// DNS names ignore case and a trailing dot: the model keeps them
/// lowercase, without the dot, so that `check`, `allow` and `bundle` agree.
pub fn canonical_domain(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Why an address cannot be a server's or a vip's, if it cannot: the
/// unspecified and broadcast addresses, multicast, loopback, link-local
/// (valid on one link only, and IPv6 ones need an interface), `0.0.0.0/8`,
/// the reserved `240.0.0.0/4`, and IPv4-mapped IPv6. Private and
/// documentation ranges are host addresses.
pub fn special_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            Some(if v4.is_unspecified() {
                "the unspecified address (\"any\"), not a host's"
            } else if v4.is_broadcast() {
                "the broadcast address"
            } else if v4.is_multicast() {
                "a multicast address"
            } else if v4.is_loopback() {
                "a loopback address: other hosts cannot reach it"
            } else if v4.is_link_local() {
                "a link-local address: it is not routed"
            } else if o[0] == 0 {
                "in 0.0.0.0/8, which means \"this network\""
            } else if o[0] >= 240 {
                "in the reserved range 240.0.0.0/4"
            } else {
                return None;
            })
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            Some(if v6.is_unspecified() {
                "the unspecified address (\"any\"), not a host's"
            } else if v6.is_loopback() {
                "the loopback address: other hosts cannot reach it"
            } else if v6.is_multicast() {
                "a multicast address"
            } else if seg[0] & 0xffc0 == 0xfe80 {
                "a link-local address: it is not routed"
            } else if v6.to_ipv4_mapped().is_some() {
                "an IPv4-mapped address: write the IPv4 address itself"
            } else {
                return None;
            })
        }
    }
}

fn subject_of(whose: &str) -> String {
    // "server `x`" / "the vip of group `x`" -> "x"
    whose
        .split('`')
        .nth(1)
        .map_or_else(|| whose.to_string(), str::to_string)
}

fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|p| *p >= 1)
}

fn set_host(h: &mut HostAttrs, key: &str, v: Value) {
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
fn apply_host(s: &mut Server, h: &HostAttrs) {
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
