//! Addresses: a server's own, vips, the ones no host can hold, and
//! what `duplicate-address` reads.

use super::*;

impl Resolver {
    pub(super) fn address(&mut self, sid: ServerId, written: Option<&Spanned>) {
        let Some(a) = written else { return };
        let srv = &self.m.servers[sid.index()];
        // A server mixing `external` with roles the stack runs is reported
        // with its roles.
        if !srv.roles.is_empty() && !srv.roles.any(|r| r.deployed) {
            let name = srv.name.clone();
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    a.span,
                    format!(
                        "{name} runs {}, a service the stack does not run: it has no address",
                        srv.roles.joined()
                    ),
                )
                .subject(Subject::Server(name))
                .label("an address for a service the stack does not run")
                .help("remove the address: `host=\"api.example.com\"` names the service"),
            );
            return;
        }
        match a.text.parse::<IpAddr>() {
            Ok(ip) => {
                let name = self.m.servers[sid.index()].name.clone();
                self.special_address(ip, a.span, &format!("the address of {name}"));
                self.m.servers[sid.index()].address = Some(ip);
                let whose = format!("server `{name}`");
                self.addresses.push(Declared {
                    ip,
                    span: a.span,
                    whose,
                    subject: Subject::Server(name),
                });
            }
            Err(_) => self.error(
                Finding::new(
                    RuleId::BadValue,
                    a.span,
                    format!("`{}` is not an IPv4 or IPv6 address", a.text),
                )
                .subject(Subject::Server(self.m.servers[sid.index()].name.clone()))
                .label("bad address"),
            ),
        }
    }

    /// `bad-value` for an address no server or vip can hold.
    pub(super) fn special_address(&mut self, ip: IpAddr, span: Span, whose: &str) {
        if let Some(why) = special_address(ip) {
            self.error(
                Finding::new(RuleId::BadValue, span, format!("{whose}, {ip}, is {why}"))
                    .label("not a host address")
                    .help("give it the unicast address it is reached at on its network"),
            );
        }
    }
}

/// Why an address cannot be a server's or a vip's, if it cannot: the
/// unspecified and broadcast addresses, multicast, loopback, link-local
/// (valid on one link only, and IPv6 ones need an interface), `0.0.0.0/8`,
/// the reserved `240.0.0.0/4`, and IPv4-mapped IPv6. Private and
/// documentation ranges are host addresses.
pub(super) fn special_address(ip: IpAddr) -> Option<&'static str> {
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
