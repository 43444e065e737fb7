//! Per-role bundle modules. This part holds the roles of ROLES.md v2
//! (`postgres`, `redis`, `memcached`; `external` has no files): each module
//! builds `#[derive(Serialize)]` contexts for its templates and returns the
//! host's files; what several kits share (files, plays, README sections,
//! the keepalived pieces of `failover=auto`) is typed here.

pub mod memcached;
pub mod postgres;
pub mod redis;

use super::plan::{Db, Plan};
use super::render::Templates;
use super::secrets::Secrets;
use crate::model::{Kit, ServerId};
use serde::Serialize;

/// A file for one host, at its real path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub mode: u32,
    pub secret: bool,
}

impl HostFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>, mode: u32, secret: bool) -> Self {
        HostFile {
            path: path.into(),
            bytes,
            mode: if secret { 0o600 } else { mode },
            secret,
        }
    }
}

/// What every template context carries besides its own fields.
#[derive(Serialize)]
pub struct Ctx<'a, T: Serialize> {
    pub header: &'a str,
    pub stack: &'a str,
    #[serde(flatten)]
    pub inner: T,
}

/// Renders `name` with the header and stack name around `inner`.
pub struct Writer<'a, 'm> {
    pub p: &'a Plan<'m>,
    pub t: &'a Templates,
    pub secrets: &'a Secrets,
    pub header: &'a str,
}

impl Writer<'_, '_> {
    pub fn render(&self, name: &str, inner: impl Serialize) -> Vec<u8> {
        self.t.render(
            name,
            Ctx {
                header: self.header,
                stack: &self.p.stack,
                inner,
            },
        )
    }

    /// A password of a data store (validated by `Secrets::for_specs`:
    /// letters and digits only, so it needs no escaping anywhere).
    pub fn secret(&self, d: &Db, user: &str) -> String {
        self.secrets
            .get(&self.p.secret_key(d, user))
            .unwrap_or_default()
            .to_string()
    }
}

/// The files of the roles of this part on one host (postgres, redis,
/// memcached; and the keepalived scripts of a `failover=auto` postgres or
/// redis group). Files of the other kits come from their own modules.
pub fn host_files(w: &Writer<'_, '_>, s: ServerId) -> Vec<HostFile> {
    let mut out = Vec::new();
    for role in w.p.m.server(s).roles.iter() {
        match role.spec().kit {
            Kit::Postgres => out.extend(postgres::files(w, s)),
            Kit::Redis => out.extend(redis::files(w, s)),
            Kit::Memcached => out.extend(memcached::files(w, s)),
            // Not ours to deploy: the README lists it, `env.rs` gives the
            // apps its address.
            Kit::External => {}
            Kit::Haproxy | Kit::Nginx | Kit::App | Kit::Mysql => {}
        }
    }
    out
}

/// The keepalived check of a `failover=auto` group of a replicated kit of
/// this part: what it proves, and the command (no password on it).
pub fn vrrp_check(p: &Plan<'_>, s: ServerId, kit: Kit) -> Option<(String, String)> {
    match kit {
        Kit::Postgres => Some(postgres::vrrp_check(p, s)),
        Kit::Redis => Some(redis::vrrp_check(p, s)),
        _ => None,
    }
}

/// The README sentence about a VRRP instance whose check probes a data
/// store of this part.
pub fn vrrp_what(kit: Kit) -> Option<&'static str> {
    match kit {
        Kit::Postgres => Some("The check asks the local PostgreSQL (`pg_isready`); a failure releases the vip at once."),
        Kit::Redis => Some("The check pings the local Redis (as the password-less `stackc-health` user, which may only `PING`); a failure releases the vip at once."),
        _ => None,
    }
}

// ---- Ansible ----------------------------------------------------------------

/// One file a play copies from `hosts/HOST/` when the host has it.
#[derive(Clone, Debug, Serialize)]
pub struct PlayFile {
    pub path: String,
    pub owner: &'static str,
    pub group: &'static str,
    pub mode: &'static str,
    pub doc: String,
    /// A change restarts the service (a configuration file).
    pub restart: bool,
}

/// A command run once per host that has `file` (`creates` marks it done).
#[derive(Clone, Debug, Serialize)]
pub struct PlayStep {
    pub doc: String,
    pub file: String,
    pub command: String,
    pub creates: String,
}

/// What the playbook does for one kit: install its packages, copy its
/// files, check the configuration with the daemon's own check, (re)start
/// its service; then the one-off steps, each a play of its own, in order.
#[derive(Clone, Debug, Serialize)]
pub struct KitPlay {
    pub name: String,
    /// The inventory group (`role_NAME`).
    pub hosts: String,
    pub packages: Vec<&'static str>,
    pub service: String,
    /// Members of a `failover=auto` group bind its vip before they hold
    /// it: the play installs the sysctl file first.
    pub vip: bool,
    pub dirs: Vec<String>,
    pub files: Vec<PlayFile>,
    /// Checks the installed configuration before the restart.
    pub validate: Option<String>,
    pub steps: Vec<PlayStep>,
}

/// The inventory group of a kit's role (`role_NAME`, as `inventory.ini`
/// names it).
pub fn inventory_group(kit: Kit) -> String {
    format!("role_{}", crate::model::Role::of_kit(kit).name())
}

/// The plays of the kits of this part the stack uses, in table order.
pub fn plays(p: &Plan<'_>) -> Vec<KitPlay> {
    let has = |kit: Kit| p.m.servers.iter().any(|s| s.roles.has_kit(kit));
    let mut out = Vec::new();
    if has(Kit::Memcached) {
        out.push(memcached::play(p));
    }
    if has(Kit::Redis) {
        out.push(redis::play(p));
    }
    if has(Kit::Postgres) {
        out.push(postgres::play(p));
    }
    out
}

/// `site.yml`'s plays for the kits of this part (appended to the others).
pub fn plays_yaml(w: &Writer<'_, '_>) -> Vec<u8> {
    #[derive(Serialize)]
    struct C {
        src: &'static str,
        plays: Vec<KitPlay>,
    }
    let plays = plays(w.p);
    if plays.is_empty() {
        return Vec::new();
    }
    w.render(
        "kit-plays.yml",
        C {
            src: "{{ playbook_dir }}/../hosts/{{ inventory_hostname }}",
            plays,
        },
    )
}

// ---- README -------------------------------------------------------------------

/// A README section: a heading and its paragraphs (Markdown-escaped).
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub title: String,
    pub items: Vec<String>,
    pub after: Vec<String>,
}

/// The README sections of the kits of this part and the external services.
pub fn readme_sections(p: &Plan<'_>) -> Vec<Section> {
    let mut out = Vec::new();
    out.extend(postgres::readme(p));
    out.extend(redis::readme(p));
    out.extend(memcached::readme(p));
    out.extend(external_readme(p));
    out.extend(env_readme(p));
    out
}

/// What the applications' environment says of the targets of this part.
fn env_readme(p: &Plan<'_>) -> Option<Section> {
    let m = p.m;
    let linked = |kit: Kit| {
        m.links.iter().any(|l| {
            l.from.iter().any(|s| m.server(*s).roles.has_kit(Kit::App))
                && l.targets
                    .iter()
                    .any(|t| m.target_roles(t.target).has_kit(kit))
        })
    };
    let mut items = Vec::new();
    if linked(Kit::Postgres) {
        items.push("a PostgreSQL database: `DB_<GROUP>_WRITE`, `_READ` (comma-separated `address:port`), `_NAME`, `_USER`, `_PASSWORD` and `_KIND=postgres`; the first database (of any kind) also as `DB_WRITE`, `DB_READ`...".to_string());
    }
    if linked(Kit::Redis) {
        items.push("a Redis store: `REDIS_<GROUP>_WRITE` (`address:port`), `REDIS_<GROUP>_READ` (comma-separated), `REDIS_<GROUP>_PASSWORD`; the first also as `REDIS_URL` (`redis://:PASSWORD@address:port`)".to_string());
    }
    if linked(Kit::Memcached) {
        items.push("memcached: `MEMCACHED_<GROUP>_SERVERS` (comma-separated `address:port`); the first also as `MEMCACHED_SERVERS`".to_string());
    }
    if linked(Kit::External) {
        items.push("an external service: `<NAME>_URL` (`https://host[:port]`) for http(s), `<NAME>_ADDR` (`host:port`) for the other protocols".to_string());
    }
    (!items.is_empty()).then(|| Section {
        title: "The applications' environment".into(),
        items,
        after: vec![
            "`<GROUP>` is the group's (or server's) name in capitals, `-` written `_`.".into(),
        ],
    })
}

fn external_readme(p: &Plan<'_>) -> Option<Section> {
    let m = p.m;
    let items: Vec<String> = m
        .server_ids()
        .filter(|s| m.server(*s).roles.has_kit(Kit::External))
        .map(|s| {
            let srv = m.server(s);
            let users: Vec<String> = super::env::users_of(p, s)
                .iter()
                .map(|u| super::text::markdown(u))
                .collect();
            let name = super::text::markdown(&srv.name);
            match super::env::external_host(srv) {
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
    (!items.is_empty()).then(|| Section {
        title: "External services".into(),
        items,
        after: vec![
            "The stack depends on these but does not run them: the bundle deploys nothing for them. Their availability comes from the `.stack` file (`availability=`)."
                .into(),
        ],
    })
}
