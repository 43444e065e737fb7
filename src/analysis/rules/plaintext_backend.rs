//! `plaintext-backend`: TLS ends at the load balancer, the next hop is http.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};
use crate::model::{Protocol, Tier};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::PlaintextBackend,
    summary: "TLS ends at the load balancer and the hop behind it is plain http",
    explain: "\
A record is served over https and ends at a load balancer, which forwards the
requests over plain http. Reported once per load-balancer server.

Why it matters: whoever can listen on the network between the load balancer
and the web servers reads the traffic in clear.

How to fix: use https behind the load balancer (`lb -> web : https 443`),
or, on a private network you trust, say so:

    allow plaintext-backend lb \"private VLAN between lb and web\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let m = cx.model;
    let mut tls_end = vec![false; m.servers.len()];
    for r in &m.records {
        for t in r.targets.iter().filter(|t| t.protocol == Protocol::Https) {
            for s in m.target_members(&t.target) {
                if m.server(*s).roles.any(|r| r.tier == Tier::LoadBalancer) {
                    tls_end[s.index()] = true;
                }
            }
        }
    }
    for s in m.server_ids().filter(|s| tls_end[s.index()]) {
        let mut plain: Vec<&str> = Vec::new();
        for l in &cx.links_of[s.index()] {
            for t in &m.links[l.index()].targets {
                let name = m.target_name(t.target);
                if t.protocol == Protocol::Http && !plain.contains(&name) {
                    plain.push(name);
                }
            }
        }
        if plain.is_empty() {
            continue;
        }
        let srv = m.server(s);
        out.push(
            Finding::new(
                RuleId::PlaintextBackend,
                srv.span,
                format!("TLS ends at {} and its requests to {} go over plain http", srv.name, plain.join(", ")),
            )
            .subject(Subject::Server(srv.name.clone()))
            .label("TLS ends here")
            .help("use `: https` on the link behind the load balancer, or allow it for a trusted private network"),
        );
    }
}
