//! The templates, one per file type, embedded in the binary and rendered
//! with minijinja: undefined values are errors, nothing is HTML-escaped
//! (every value is validated or escaped for its file before it gets here).

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("haproxy.cfg", include_str!("templates/haproxy.cfg.j2")),
    (
        "keepalived.conf",
        include_str!("templates/keepalived.conf.j2"),
    ),
    (
        "keepalived-notify.sh",
        include_str!("templates/keepalived-notify.sh.j2"),
    ),
    ("sysctl.conf", include_str!("templates/sysctl.conf.j2")),
    ("nginx.conf", include_str!("templates/nginx.conf.j2")),
    ("app.service", include_str!("templates/app.service.j2")),
    ("app.env", include_str!("templates/app.env.j2")),
    ("mysql.cnf", include_str!("templates/mysql.cnf.j2")),
    ("setup.sql", include_str!("templates/setup.sql.j2")),
    ("zone", include_str!("templates/zone.j2")),
    ("inventory.ini", include_str!("templates/inventory.ini.j2")),
    ("site.yml", include_str!("templates/site.yml.j2")),
    ("README.md", include_str!("templates/README.md.j2")),
    // The roles of ROLES.md v2 (`roles/postgres.rs`, `redis.rs`,
    // `memcached.rs`) and their plays.
    (
        "postgresql.conf",
        include_str!("templates/postgresql.conf.j2"),
    ),
    ("pg_hba.conf", include_str!("templates/pg_hba.conf.j2")),
    (
        "postgres-setup.sql",
        include_str!("templates/postgres-setup.sql.j2"),
    ),
    (
        "postgres-replica.conf",
        include_str!("templates/postgres-replica.conf.j2"),
    ),
    (
        "postgres-replica-setup.sh",
        include_str!("templates/postgres-replica-setup.sh.j2"),
    ),
    (
        "postgres-notify.sh",
        include_str!("templates/postgres-notify.sh.j2"),
    ),
    ("redis.conf", include_str!("templates/redis.conf.j2")),
    (
        "redis-notify.sh",
        include_str!("templates/redis-notify.sh.j2"),
    ),
    (
        "memcached.conf",
        include_str!("templates/memcached.conf.j2"),
    ),
    ("kit-plays.yml", include_str!("templates/kit-plays.yml.j2")),
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // A JSON string or list is a valid YAML flow scalar.
        env.add_filter("yaml", |v: Value| -> Result<String, minijinja::Error> {
            serde_json::to_string(&v).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
            })
        });
        // A user string as Markdown text (README.md): no markup, no HTML.
        env.add_filter("md", |v: String| -> String { super::text::markdown(&v) });
        for (name, src) in TEMPLATES {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
        }
        Templates { env }
    }

    /// Renders a template. A template error is a bug in stackc (the
    /// contexts are built in code and the templates are embedded): panic.
    pub fn render(&self, name: &str, ctx: impl Serialize) -> Vec<u8> {
        let t = self.env.get_template(name).expect("known template");
        let mut out = t
            .render(ctx)
            .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        let _ = super::Templates::new();
    }
}
