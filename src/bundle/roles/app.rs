//! `app`: the application's environment file (its address, port, health
//! path, and the endpoints of the databases it links to) and systemd unit,
//! and its play. The code is the team's: the unit runs `command=`.

use super::super::env::{self, EnvVar};
use super::super::plan::Plan;
use super::super::stack::playbook::{self as pb, Node, Play, Task};
use super::super::writer::Out;
use super::Section;
use crate::model::{Kit, Role, ServerId};
use serde::Serialize;

#[derive(Serialize)]
struct AppEnv<'a> {
    host: &'a str,
    env_file: &'a str,
    /// `env::app_env`: the one list of the variables.
    vars: Vec<EnvVar>,
}

#[derive(Serialize)]
struct AppService<'a> {
    host: &'a str,
    env_file: &'a str,
    workdir: &'a str,
    exec_start: String,
}

/// The application's systemd service name.
fn service(stack: &str) -> String {
    Role::of_kit(Kit::App)
        .spec()
        .service
        .replace("{stack}", stack)
}

/// Where the environment file and the code go.
struct Paths {
    env_file: String,
    workdir: String,
    unit: String,
    service: String,
}

fn paths(stack: &str) -> Paths {
    let service = service(stack);
    Paths {
        env_file: format!("/etc/default/{stack}-app"),
        workdir: format!("/srv/{stack}/app"),
        unit: format!("/etc/systemd/system/{service}.service"),
        service,
    }
}

pub(super) fn files(o: &mut Out<'_, '_>, s: ServerId) {
    let p = o.p;
    let srv = p.m.server(s);
    let paths = paths(&p.stack);
    // A link to a data store puts its password in the file.
    let secret = !p.store_links(s).is_empty();
    let env = o.render(
        "app.env",
        &AppEnv {
            host: &srv.name,
            env_file: &paths.env_file,
            vars: env::app_env(p, o.secrets, s),
        },
    );
    o.host_file(s, &paths.env_file, env, 0o644, secret);
    let unit = o.render(
        "app.service",
        &AppService {
            host: &srv.name,
            env_file: &paths.env_file,
            workdir: &paths.workdir,
            exec_start: srv
                .command
                .clone()
                .unwrap_or_else(|| format!("{}/start", paths.workdir)),
        },
    );
    o.host_file(s, &paths.unit, unit, 0o644, false);
}

pub(super) fn plays(o: &Out<'_, '_>) -> Vec<Play> {
    let paths = paths(&o.p.stack);
    let spec = Role::of_kit(Kit::App).spec();
    let mut play = Play::new("Applications", format!("role_{}", spec.name));
    play.tasks
        .push(Task::new("Account the applications run as").module(
            "ansible.builtin.user",
            vec![
                ("name", Node::plain("stackc-app")),
                ("system", Node::bool(true)),
                ("create_home", Node::bool(false)),
                ("shell", Node::plain("/usr/sbin/nologin")),
            ],
        ));
    if !spec.packages.is_empty() {
        play.tasks
            .push(pb::install("Install the runtime", spec.packages));
    }
    play.tasks.push(pb::directory(
        "Directory of the application code (yours to deploy)",
        &paths.workdir,
        "root",
        0o755,
    ));
    play.tasks.push(
        pb::copy(
            "Environment of the application (holds passwords)",
            &paths.env_file,
            0o600,
        )
        .notify("Restart the application"),
    );
    play.tasks.push(
        pb::copy("systemd unit of the application", &paths.unit, 0o644)
            .notify("Restart the application"),
    );
    play.tasks.push(Task::new("Enable the application").module(
        "ansible.builtin.systemd",
        vec![
            ("name", Node::plain(&paths.service)),
            ("enabled", Node::bool(true)),
            ("daemon_reload", Node::bool(true)),
        ],
    ));
    play.handlers
        .push(Task::new("Restart the application").module(
            "ansible.builtin.systemd",
            vec![
                ("name", Node::plain(&paths.service)),
                ("state", Node::plain("restarted")),
                ("daemon_reload", Node::bool(true)),
            ],
        ));
    vec![play]
}

/// What the applications' environment says of the targets of this part.
pub(super) fn readme_section(p: &Plan<'_>) -> Option<String> {
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
    for role in Role::all().filter(|r| linked(r.spec().kit)) {
        let item = match role.spec().kit {
            Kit::Postgres => Some("a PostgreSQL database: `DB_<GROUP>_WRITE`, `_READ` (comma-separated `address:port`), `_NAME`, `_USER`, `_PASSWORD` and `_KIND=postgres`; the first database (of any kind) also as `DB_WRITE`, `DB_READ`..."),
            Kit::Redis => Some("a Redis store: `REDIS_<GROUP>_WRITE` (`address:port`), `REDIS_<GROUP>_READ` (comma-separated), `REDIS_<GROUP>_PASSWORD`; the first also as `REDIS_URL` (`redis://:PASSWORD@address:port`)"),
            Kit::Memcached => Some("memcached: `MEMCACHED_<GROUP>_SERVERS` (comma-separated `address:port`); the first also as `MEMCACHED_SERVERS`"),
            Kit::Rabbitmq => Some("RabbitMQ: `AMQP_<GROUP>_SERVERS` (comma-separated `address:port`); the first also as `AMQP_SERVERS`"),
            Kit::External => Some("an external service: `<NAME>_URL` (`https://host[:port]`) for http(s), `<NAME>_ADDR` (`host:port`) for the other protocols"),
            // MySQL's variables are as they were (`DB_...`, and `_KIND`
            // now), and the README of a MySQL stack unchanged.
            Kit::Mysql => None,
            // Reached through the proxies' own configs.
            Kit::Haproxy | Kit::Nginx | Kit::App => None,
        };
        items.extend(item.map(str::to_string));
    }
    let section = (!items.is_empty()).then(|| Section {
        title: "The applications' environment".into(),
        items,
        after: vec![
            "`<GROUP>` is the group's (or server's) name in capitals, `-` written `_`.".into(),
        ],
    });
    section.map(|s| s.to_markdown())
}
