//! Ports: each link or record target's protocol and port (LANGUAGE.md §7.7).

use super::*;

impl Resolver {
    /// Resolves targets and works out each one's protocol and port.
    pub(super) fn link_targets(
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
                    .unwrap_or_else(|| format!("protocols are {}", Protocol::listed("and")));
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
            // A target that serves the protocol at all: only then is its
            // port worth a finding.
            let mut served = true;
            let protocol =
                match explicit {
                    Some(p) => {
                        // https is http over TLS: what serves http takes it (v1).
                        let takes = |r: &RoleSpec| {
                            r.serves(p) || (p == Protocol::Https && r.serves(Protocol::Http))
                        };
                        served = roles.is_empty() || roles.any(takes);
                        if !served {
                            self.error(
                                Finding::new(
                                    RuleId::BadValue,
                                    proto.map_or(n.span, |p| p.protocol.span),
                                    format!(
                                        "`{}` serves no {p}, so {what} to it cannot be `{p}`",
                                        n.text
                                    ),
                                )
                                .label(format!("{p} to a server that runs {}", roles.joined()))
                                .with_label(
                                    n.span,
                                    format!(
                                        "{} runs {}, which serves {}",
                                        n.text,
                                        roles.joined(),
                                        served_by(roles)
                                    ),
                                )
                                .help(format!(
                                    "use {}, or point it at a server or group that serves {p}",
                                    roles.main().map_or(
                                        "another protocol".to_string(),
                                        |r| format!("`: {}`", r.spec().protocol())
                                    )
                                )),
                            );
                        }
                        p
                    }
                    None => roles.main().map_or(Protocol::Http, |r| r.spec().protocol()),
                };
            let port = match port.or_else(|| self.default_port(t, protocol)) {
                Some(port) => port,
                None if !served => 0,
                None => {
                    self.error(
                        Finding::new(
                            RuleId::BadValue,
                            proto.map_or(n.span, |p| p.protocol.span),
                            format!(
                                "{what} in {protocol} to `{}` needs a port: {protocol} has no default, and `{}` sets no `port=`",
                                n.text, n.text
                            ),
                        )
                        .label("no port")
                        .help(format!(
                            "write the port after the protocol (`: {protocol} 5672`), or give {} `port=`",
                            n.text
                        )),
                    );
                    0
                }
            };
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
    /// its main role's (or has no default port, as `tcp`), else the default
    /// of the role that speaks it; `None` when nothing gives one.
    pub(super) fn default_port(&self, t: Target, p: Protocol) -> Option<u16> {
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
        if main.is_some_and(|r| r.spec().protocol() == p) || p.default_port().is_none() {
            if let Some(port) = port {
                return Some(port);
            }
        }
        if p == Protocol::Https {
            return Some(443);
        }
        roles
            .speaking(p)
            .and_then(|r| r.spec().port_of(p))
            .or(p.default_port())
    }
}

/// What a set of roles serves, from the table: `http, https`; `any
/// protocol` for a service the stack does not run.
fn served_by(roles: RoleSet) -> String {
    if roles.any(|r| r.any_protocol) {
        return "any protocol".into();
    }
    let mut list: Vec<&str> = Vec::new();
    for r in roles.iter() {
        for (p, _) in r.spec().serves {
            if !list.contains(&p.as_str()) {
                list.push(p.as_str());
            }
        }
    }
    list.join(", ")
}
