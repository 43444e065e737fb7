//! Redis: `/etc/redis/redis.conf` (Debian's and the bundle's path; also
//! `/etc/redis.conf`), with its `include`s (a `*` in the file name matches
//! as Redis 7 does). Redis reads a line as `keyword args...` (quoted args
//! kept whole, `#` comments only at the start of a line) and the last line
//! of a keyword wins.
//!
//! Facts: [`Fact::Runs`] when the file exists; `bind` (several addresses, a
//! `-` prefix marks one that may be missing; none means every address) and
//! `port` (`0`: no plain TCP; `tls-port` serves TLS) as [`Fact::Serves`] and
//! [`Fact::Address`]; `replicaof`/`slaveof HOST PORT` as [`Fact::Follows`];
//! [`Fact::Store`] read-only for a replica (`replica-read-only`, default
//! `yes`), writable otherwise.

use super::store::{self, Bind};
use crate::import::facts::{Fact, Facts, Origin};
use crate::import::tree::HostFiles;
use crate::model::{Kit, Protocol, Role};

const PATHS: &[&str] = &["/etc/redis/redis.conf", "/etc/redis.conf"];
/// Nested includes followed at most this deep (a loop is cut and warned).
const DEPTH: usize = 8;

/// One keyword's last line: its words after the keyword, and where.
#[derive(Default)]
struct Conf {
    lines: Vec<(String, Vec<String>, Origin)>,
}

impl Conf {
    fn last(&self, key: &str) -> Option<(&[String], &Origin)> {
        self.lines
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, a, o)| (a.as_slice(), o))
    }
}

pub fn read(h: &HostFiles, facts: &mut Facts) {
    let Some(path) = PATHS.iter().find(|p| h.get(p).is_some()) else {
        return;
    };
    let role = Role::of_kit(Kit::Redis);
    let mut conf = Conf::default();
    let mut stack = Vec::new();
    load(h, path, &mut conf, &mut stack, facts);
    if h.text(path).is_none() {
        return;
    }
    let file = super::origin(h, path, 0);
    facts.add(Fact::Runs(role), file.clone());

    let (port, port_origin) = match conf.last("port") {
        Some((a, o)) => (a.first().and_then(|p| store::port(facts, p, o)), o.clone()),
        None => (Some(6379), file.clone()),
    };
    let binds: Vec<Bind> = conf
        .last("bind")
        .map(|(a, o)| {
            a.iter()
                .map(|w| Bind {
                    addr: w.strip_prefix('-').unwrap_or(w),
                    origin: o.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(p) = port.filter(|p| *p != 0) {
        store::serves(facts, role, Protocol::Redis, &binds, p, false, &port_origin);
    }
    if let Some((a, o)) = conf.last("tls-port") {
        if let Some(p) = a.first().and_then(|p| store::port(facts, p, o)) {
            if p != 0 {
                store::serves(facts, role, Protocol::Redis, &binds, p, true, o);
            }
        }
    }

    let follows = conf
        .lines
        .iter()
        .rev()
        .find(|(k, _, _)| k == "replicaof" || k == "slaveof");
    let mut read_only = false;
    let mut store_origin = file.clone();
    if let Some((_, args, o)) = follows {
        match args.as_slice() {
            [host, p] if host.eq_ignore_ascii_case("no") && p.eq_ignore_ascii_case("one") => {}
            [host, p] => {
                let port = store::port(facts, p, o);
                facts.add(
                    Fact::Follows {
                        role,
                        primary: store::target(host, port),
                    },
                    o.clone(),
                );
                read_only = conf
                    .last("replica-read-only")
                    .or_else(|| conf.last("slave-read-only"))
                    .and_then(|(a, _)| a.first().and_then(|v| store::on_off(v)))
                    .unwrap_or(true);
                store_origin = o.clone();
            }
            _ => facts.warn(o.clone(), "`replicaof` needs a host and a port; left out"),
        }
    }
    facts.add(
        Fact::Store {
            role,
            read_only: Some(read_only),
            server_id: None,
            log_bin: None,
            gtid: None,
        },
        store_origin,
    );
}

/// Reads `path` and its includes, in order, into `conf`.
fn load(h: &HostFiles, path: &str, conf: &mut Conf, stack: &mut Vec<String>, facts: &mut Facts) {
    let Some(text) = h.text(path) else {
        store::skipped(h, path, facts);
        return;
    };
    stack.push(path.to_string());
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let o = super::origin(h, path, i as u32 + 1);
        let mut w = store::words(t);
        if w.is_empty() {
            continue;
        }
        let key = w.remove(0).to_ascii_lowercase();
        if key == "include" {
            let Some(target) = w.first() else { continue };
            let found = matching(h, target);
            if found.is_empty() {
                facts.warn(
                    o.clone(),
                    format!("`include {target}`: not among the host's files"),
                );
            }
            for inc in found {
                if stack.len() >= DEPTH || stack.iter().any(|s| s == &inc) {
                    facts.warn(o.clone(), format!("`include {inc}`: an include loop, cut"));
                } else {
                    load(h, &inc, conf, stack, facts);
                }
            }
            continue;
        }
        conf.lines.push((key, w, o));
    }
    stack.pop();
}

/// The host's files an include names: the path, or with one `*` in its
/// file name, those of its folder that match, in path order.
fn matching(h: &HostFiles, target: &str) -> Vec<String> {
    let Some((dir, name)) = target.rsplit_once('/') else {
        return Vec::new();
    };
    match name.split_once('*') {
        None => h
            .get(target)
            .map(|_| vec![target.to_string()])
            .unwrap_or_default(),
        Some((pre, post)) => h
            .under(dir)
            .map(|(p, _)| p)
            .filter(|p| {
                store::file_in(dir, p).is_some_and(|n| {
                    n.len() >= pre.len() + post.len() && n.starts_with(pre) && n.ends_with(post)
                })
            })
            .map(str::to_string)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::facts::Target;

    fn host(files: &[(&str, &str)]) -> Facts {
        let h = HostFiles::with_texts("r", files);
        let mut f = Facts::default();
        read(&h, &mut f);
        f
    }

    fn kinds(f: &Facts) -> Vec<String> {
        f.facts
            .iter()
            .map(|(_, x, o)| format!("{x:?} @{}", o.line))
            .collect()
    }

    #[test]
    fn nothing_without_a_config() {
        let f = host(&[("/etc/nginx/nginx.conf", "x")]);
        assert!(f.facts.is_empty() && f.warnings.is_empty());
    }

    #[test]
    fn a_replica_with_several_binds_tabs_and_comments() {
        let f = host(&[(
            "/etc/redis/redis.conf",
            "# Redis\nbind\t127.0.0.1 -::1 10.0.0.12\nport 6380\nunknown-directive x\n  # replicaof 1.1.1.1 1\nreplicaof 10.0.0.11 6379\n",
        )]);
        let k = kinds(&f);
        assert!(k[0].starts_with("Runs("), "{k:?}");
        assert!(k.contains(&"Address(10.0.0.12) @2".to_string()), "{k:?}");
        let served: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, _)| match x {
                Fact::Serves { addr, port, .. } => Some((addr.map(|a| a.to_string()), *port)),
                _ => None,
            })
            .collect();
        assert_eq!(
            served,
            [
                (Some("127.0.0.1".into()), 6380),
                (Some("::1".into()), 6380),
                (Some("10.0.0.12".into()), 6380)
            ]
        );
        let follows: Vec<_> = f
            .facts
            .iter()
            .filter_map(|(_, x, o)| match x {
                Fact::Follows { primary, .. } => Some((primary.clone(), o.line)),
                _ => None,
            })
            .collect();
        assert_eq!(
            follows,
            [(Target::Addr("10.0.0.11".parse().unwrap(), Some(6379)), 6)]
        );
        assert!(
            k.iter().any(|s| s.contains("read_only: Some(true)")),
            "{k:?}"
        );
        assert!(f.warnings.is_empty());
    }

    #[test]
    fn slaveof_a_name_includes_and_the_last_line_wins() {
        let f = host(&[
            (
                "/etc/redis/redis.conf",
                "port 1\ninclude /etc/redis/conf.d/*.conf\n",
            ),
            (
                "/etc/redis/conf.d/a.conf",
                "port 7000\nslaveof \"cache-01\" 6379\nreplica-read-only no\n",
            ),
            ("/etc/redis/conf.d/b.txt", "port 9\n"),
        ]);
        let k = kinds(&f);
        assert!(k.iter().any(|s| s.contains("port: 7000")), "{k:?}");
        assert!(
            k.iter()
                .any(|s| s.contains("Name(\"cache-01\", Some(6379))")),
            "{k:?}"
        );
        assert!(
            k.iter().any(|s| s.contains("read_only: Some(false)")),
            "{k:?}"
        );
        assert!(!k.iter().any(|s| s.contains("port: 9")), "{k:?}");
    }

    #[test]
    fn include_loops_and_missing_includes_are_warnings() {
        let f = host(&[
            (
                "/etc/redis/redis.conf",
                "include /etc/redis/a.conf\ninclude /etc/redis/none.conf\n",
            ),
            (
                "/etc/redis/a.conf",
                "include /etc/redis/redis.conf\nbind 0.0.0.0\n",
            ),
        ]);
        assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
        assert!(f.warnings[0].message.contains("loop"));
        let k = kinds(&f);
        assert!(
            k.iter().any(|s| s.contains("addr: None, port: 6379")),
            "{k:?}"
        );
        assert!(
            k.iter().any(|s| s.contains("read_only: Some(false)")),
            "{k:?}"
        );
    }
}
