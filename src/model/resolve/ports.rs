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
    pub(super) fn default_port(&self, t: Target, p: Protocol) -> u16 {
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
}
