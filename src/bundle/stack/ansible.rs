//! `ansible/inventory.ini` and `ansible/site.yml`. Both are generated from
//! the roles table: a group per role (`role_NAME`), and each kit's own
//! groups and plays from its module (`roles::inventory_groups`,
//! `roles::plays`), deepest tier first; keepalived's last.

use super::super::roles::{self, keepalived};
use super::super::text::ident;
use super::super::writer::Out;
use crate::model::{Role, ServerId};
use serde::Serialize;

#[derive(Serialize)]
struct Inventory {
    hosts: Vec<InvHost>,
    groups: Vec<InvGroup>,
}

#[derive(Serialize)]
struct InvHost {
    name: String,
    /// `key=value` host variables, space-separated.
    vars: String,
}

/// An inventory group: its name, a comment, its hosts.
#[derive(Serialize)]
pub(in crate::bundle) struct InvGroup {
    name: String,
    doc: String,
    hosts: Vec<String>,
}

impl InvGroup {
    pub fn new(
        o: &Out<'_, '_>,
        name: impl Into<String>,
        doc: impl Into<String>,
        members: Vec<ServerId>,
    ) -> InvGroup {
        InvGroup {
            name: name.into(),
            doc: doc.into(),
            hosts: members
                .iter()
                .map(|s| o.p.m.server(*s).name.clone())
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct Site {
    /// Each play as YAML.
    plays: Vec<String>,
}

/// The kits the stack runs, deepest tier first (the order of the plays).
fn kits_run(o: &Out<'_, '_>) -> Vec<Role> {
    let m = o.p.m;
    roles::by_tier(Role::all().filter(|r| m.servers.iter().any(|s| s.roles.contains(*r))))
}

pub(in crate::bundle) fn write(o: &mut Out<'_, '_>) {
    let inv = inventory(o);
    let bytes = o.render("inventory.ini", &inv);
    o.put("ansible/inventory.ini".into(), bytes, 0o644, false);

    let mut plays = Vec::new();
    for role in kits_run(o) {
        plays.extend(roles::plays(o, role.spec().kit));
    }
    plays.extend(keepalived::plays(o));
    let site = Site {
        plays: plays.iter().map(|p| p.to_yaml()).collect(),
    };
    let bytes = o.render("site.yml", &site);
    o.put("ansible/site.yml".into(), bytes, 0o644, false);
}

fn inventory(o: &Out<'_, '_>) -> Inventory {
    let p = o.p;
    let m = p.m;
    let mut hosts = Vec::new();
    // An `external` server is not ours to deploy: no host of the
    // inventory, in no group.
    let deployed = |s: &ServerId| m.server(*s).is_deployed();
    for s in m.server_ids().filter(deployed) {
        let srv = m.server(s);
        let mut vars = vec![format!("ansible_host={}", p.addr(s))];
        if let Some(z) = srv.zone {
            vars.push(format!("stackc_zone={}", m.zones[z.index()].name));
        }
        if let Some(mon) = &srv.monitor {
            vars.push(format!("stackc_monitor={mon}"));
        }
        // Named, not installed (the README says so): what the file says
        // of the host's firewall stays with the host, for `import`.
        if srv.firewall {
            vars.push("stackc_firewall=true".into());
        }
        // The targets of its `optional` links (it works without them).
        let mut optional: Vec<&str> = Vec::new();
        for l in m.links.iter().filter(|l| l.optional && l.from.contains(&s)) {
            for t in &l.targets {
                let name = m.target_name(t.target);
                if !optional.contains(&name) {
                    optional.push(name);
                }
            }
        }
        if !optional.is_empty() {
            vars.push(format!("stackc_optional={}", optional.join(",")));
        }
        if o.has_file(s, keepalived::SYSCTL) {
            vars.push("stackc_sysctl=true".into());
        }
        hosts.push(InvHost {
            name: srv.name.clone(),
            vars: vars.join(" "),
        });
    }
    let mut groups = Vec::new();
    for role in Role::all() {
        let members: Vec<ServerId> = m
            .server_ids()
            .filter(|s| m.server(*s).roles.contains(role) && deployed(s))
            .collect();
        groups.push(InvGroup::new(
            o,
            format!("role_{}", role.name()),
            format!("role {} ({})", role.name(), role.spec().title),
            members,
        ));
    }
    groups.extend(keepalived::inventory_groups(o));
    for role in Role::all() {
        groups.extend(roles::inventory_groups(o, role.spec().kit));
    }
    for g in &m.groups {
        groups.push(InvGroup::new(
            o,
            format!("group_{}", ident(&g.name)),
            format!("group {} of the .stack file", g.name),
            g.members.iter().copied().filter(deployed).collect(),
        ));
    }
    groups.retain(|g| !g.hosts.is_empty());
    Inventory { hosts, groups }
}
