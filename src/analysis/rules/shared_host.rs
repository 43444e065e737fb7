//! `shared-host`: several heavy roles on one server.
use super::{Context, RuleDoc};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::SharedHost,
    summary: "a server runs more than one heavy role (web server, application, cache, database)",
    explain: "\
The web server, the application, the cache and the database compete for the
same CPU, memory and disk: a slow query starves the application, a traffic
spike starves the database, and one crash takes all of them. When every
member of a group does it, one finding on the group names the members. The
roles it counts:

{heavy-roles}

How to fix: give each tier its own servers (`group web: nginx`,
`group app: app`, `group db: mysql`), or allow it for a small stage:

    allow shared-host box \"one box until launch\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for srv in &cx.model.servers {
        let heavy: Vec<&str> = srv
            .roles
            .iter()
            .filter(|r| r.spec().heavy)
            .map(|r| r.name())
            .collect();
        if heavy.len() > 1 {
            let list = match heavy.len() {
                2 => heavy.join(" and "),
                n => format!("{} and {}", heavy[..n - 1].join(", "), heavy[n - 1]),
            };
            out.push(
                Finding::new(
                    RuleId::SharedHost,
                    srv.span,
                    format!("{} runs {list} on one host", srv.name),
                )
                .subject(Subject::Server(srv.name.clone()))
                .label("several tiers on one host")
                .help("give each tier its own servers"),
            );
        }
    }
}
