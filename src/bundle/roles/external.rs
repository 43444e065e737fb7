//! `external`: a service the stack depends on but does not run (ROLES.md
//! §2). Nothing goes on a host, the inventory or the manifest; the README
//! lists it, and the apps' environment (`env.rs`) carries its address.

use super::super::env;
use super::super::plan::Plan;
use super::super::text::markdown;
use super::Section;
use crate::model::Kit;

pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
    let m = p.m;
    let items: Vec<String> = m
        .server_ids()
        .filter(|s| m.server(*s).roles.has_kit(Kit::External))
        .map(|s| {
            let srv = m.server(s);
            let users: Vec<String> = env::users_of(p, s)
                .iter()
                .map(|u| markdown(u))
                .collect();
            let name = markdown(&srv.name);
            match env::external_host(srv) {
                None => format!(
                    "**{name}**: the `.stack` file gives it no `host=` (nor an address), so no environment names it."
                ),
                Some(at) if users.is_empty() => {
                    format!("**{name}** at `{at}`: no application links to it.")
                }
                Some(at) => format!(
                    "**{name}** at `{at}`: the environment of {} carries its address.",
                    users.join(", ")
                ),
            }
        })
        .collect();
    let section = (!items.is_empty()).then(|| Section {
        title: "External services".into(),
        items,
        after: vec![
            "The stack depends on these but does not run them: the bundle deploys nothing for them. Their availability comes from the `.stack` file (`availability=`)."
                .into(),
        ],
    });
    section.map(|s| s.to_markdown())
}
