//! memcached: Debian's `/etc/memcached.conf` (one option a line, read by
//! `systemd-memcached-wrapper`; lines that do not start with `-`, such as
//! `logfile`, are the wrapper's), and a systemd unit's `ExecStart` when it
//! runs `memcached` itself with options (a drop-in's `ExecStart` wins over
//! the unit's; `$VAR`/`${VAR}` come from its `EnvironmentFile`, as Red Hat's
//! `/etc/sysconfig/memcached` gives them).
//!
//! Facts: [`Fact::Runs`]; `-l`/`--listen` (comma-separated or repeated,
//! `ADDR:PORT` on its own port; none: every address) and `-p`/`--port`
//! (default 11211) as [`Fact::Serves`] and [`Fact::Address`].

use super::store::{self, Bind};
use crate::import::facts::{Fact, Facts, Origin};
use crate::import::tree::HostFiles;
use crate::model::{Kit, Protocol, Role};
use std::collections::BTreeMap;

const CONF: &str = "/etc/memcached.conf";
/// Where a unit may be, the later overriding the earlier.
const UNITS: &[&str] = &[
    "/usr/lib/systemd/system/memcached.service",
    "/lib/systemd/system/memcached.service",
    "/etc/systemd/system/memcached.service",
];
const DROP_INS: &str = "/etc/systemd/system/memcached.service.d";

/// The options memcached runs with, each word with the line it came from.
type Options = Vec<(String, Origin)>;

pub fn read(h: &HostFiles, facts: &mut Facts) {
    store::skipped(h, CONF, facts);
    let unit = exec_start(h);
    let (opts, file) = match unit {
        Some((words, o)) if runs_memcached(&words) => (
            words.into_iter().skip(1).map(|w| (w, o.clone())).collect(),
            o,
        ),
        Some((words, o)) => {
            // The wrapper (or another program) reading a file: Debian's, or
            // the one it names.
            let conf = words
                .iter()
                .skip(1)
                .find(|w| w.starts_with('/'))
                .map(String::as_str)
                .unwrap_or(CONF);
            match conf_options(h, conf) {
                Some(opts) => (opts, super::origin(h, conf, 0)),
                None => (Vec::new(), o),
            }
        }
        None => match conf_options(h, CONF) {
            Some(opts) => (opts, super::origin(h, CONF, 0)),
            None => return,
        },
    };
    let role = Role::of_kit(Kit::Memcached);
    facts.add(Fact::Runs(role), file.clone());
    // (address, its own `:PORT` if any, line).
    let mut listen: Vec<(String, Option<u16>, Origin)> = Vec::new();
    let mut port: (u16, Origin) = (11211, file);
    let mut it = opts.iter();
    while let Some((w, o)) = it.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ if w.len() > 2
                && !w.starts_with("--")
                && w.starts_with('-')
                && w.is_char_boundary(2) =>
            {
                (&w[..2], Some(w[2..].to_string()))
            }
            _ => (w.as_str(), None),
        };
        let wanted = matches!(flag, "-l" | "--listen" | "-p" | "--port");
        if !wanted {
            continue;
        }
        let Some(v) = inline.or_else(|| it.next().map(|(v, _)| v.clone())) else {
            facts.warn(o.clone(), format!("`{flag}` without a value"));
            continue;
        };
        if flag == "-l" || flag == "--listen" {
            for a in v.split(',').filter(|a| !a.is_empty()) {
                let a = a
                    .strip_prefix("notls:")
                    .or(a.strip_prefix("tls:"))
                    .unwrap_or(a);
                let (addr, own) = store::addr_port(a);
                listen.push((addr.unwrap_or(a).to_string(), own, o.clone()));
            }
        } else if let Some(p) = store::port(facts, &v, o) {
            port = (p, o.clone());
        }
    }
    // `-l ADDR:PORT` listens on its own port; the others on `-p`'s.
    let mut ports: Vec<u16> = Vec::new();
    for p in listen.iter().map(|(_, p, _)| p.unwrap_or(port.0)) {
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    if listen.is_empty() {
        ports.push(port.0);
    }
    for p in ports.into_iter().filter(|p| *p != 0) {
        let binds: Vec<Bind> = listen
            .iter()
            .filter(|(_, own, _)| own.unwrap_or(port.0) == p)
            .map(|(a, _, o)| Bind {
                addr: a,
                origin: o.clone(),
            })
            .collect();
        store::serves(facts, role, Protocol::Memcached, &binds, p, false, &port.1);
    }
}

/// Debian's format: each line starting with `-` holds options.
fn conf_options(h: &HostFiles, path: &str) -> Option<Options> {
    let text = h.text(path)?;
    let mut out = Vec::new();
    for (n, line) in super::lines(text, '#') {
        if line.starts_with('-') {
            let o = super::origin(h, path, n);
            out.extend(store::words(line).into_iter().map(|w| (w, o.clone())));
        }
    }
    Some(out)
}

/// The last `ExecStart=` of the unit and its drop-ins, in words with `$VAR`s
/// replaced from its `EnvironmentFile`s.
fn exec_start(h: &HostFiles) -> Option<(Vec<String>, Origin)> {
    let mut files: Vec<&str> = UNITS
        .iter()
        .copied()
        .filter(|p| h.text(p).is_some())
        .collect();
    files.extend(
        h.under(DROP_INS)
            .map(|(p, _)| p)
            .filter(|p| p.ends_with(".conf")),
    );
    let mut exec: Option<(String, Origin)> = None;
    let mut env = BTreeMap::new();
    for path in files {
        let Some(text) = h.text(path) else { continue };
        for (n, line) in super::lines(text, '#') {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            match k.trim() {
                "ExecStart" => {
                    let v = v.trim().trim_start_matches(['-', '@', '+', '!']);
                    exec = (!v.is_empty()).then(|| (v.to_string(), super::origin(h, path, n)));
                }
                "EnvironmentFile" => {
                    let f = v.trim().trim_start_matches('-');
                    for (_, l) in h
                        .text(f)
                        .map(|t| super::lines(t, '#'))
                        .into_iter()
                        .flatten()
                    {
                        if let Some((a, b)) = l.split_once('=') {
                            env.insert(a.trim().to_string(), store::unquote(b).to_string());
                        }
                    }
                }
                "Environment" => {
                    for w in store::words(v) {
                        if let Some((a, b)) = w.split_once('=') {
                            env.insert(a.to_string(), b.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let (line, o) = exec?;
    let mut words = Vec::new();
    for w in store::words(&line) {
        // `$OPTIONS` unquoted splits into words; `${PORT}` is one.
        match w.strip_prefix('$') {
            Some(var) => {
                let name = var.trim_start_matches('{').trim_end_matches('}');
                if let Some(v) = env.get(name) {
                    words.extend(store::words(v));
                }
            }
            None => words.push(w),
        }
    }
    (!words.is_empty()).then_some((words, o))
}

fn runs_memcached(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| w.rsplit('/').next() == Some("memcached"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(files: &[(&str, &str)]) -> (Vec<(Option<String>, u16, u32)>, Facts) {
        let h = HostFiles::with_texts("c", files);
        let mut f = Facts::default();
        read(&h, &mut f);
        let s = f
            .facts
            .iter()
            .filter_map(|(_, x, o)| match x {
                Fact::Serves { addr, port, .. } => {
                    Some((addr.map(|a| a.to_string()), *port, o.line))
                }
                _ => None,
            })
            .collect();
        (s, f)
    }

    #[test]
    fn debians_file_with_comments_and_several_addresses() {
        let (s, f) = served(&[(
            CONF,
            "# memcached default config\nlogfile /var/log/memcached.log\n-m 64\n\t-p 11311 # port\n-u memcache\n-l 10.0.0.5,127.0.0.1\n-l ::1\n",
        )]);
        assert_eq!(
            s,
            [
                (Some("10.0.0.5".into()), 11311, 6),
                (Some("127.0.0.1".into()), 11311, 6),
                (Some("::1".into()), 11311, 7)
            ]
        );
        assert!(matches!(f.facts[0].1, Fact::Runs(_)));
        assert!(f.warnings.is_empty());
    }

    #[test]
    fn every_address_by_default_and_attached_values() {
        let (s, _) = served(&[(CONF, "-m 64\n-p11212\n")]);
        assert_eq!(s, [(None, 11212, 2)]);
        let (s, _) = served(&[(CONF, "--listen=10.0.0.7 --port=1\n")]);
        assert_eq!(s, [(Some("10.0.0.7".into()), 1, 1)]);
        let (s, _) = served(&[(CONF, "-l 10.0.0.7:11300,10.0.0.8\n")]);
        assert_eq!(
            s,
            [
                (Some("10.0.0.7".into()), 11300, 1),
                (Some("10.0.0.8".into()), 11211, 1)
            ]
        );
    }

    #[test]
    fn a_units_exec_start_wins_with_its_environment_file() {
        let (s, f) = served(&[
            (CONF, "-l 10.0.0.9\n"),
            (
                "/usr/lib/systemd/system/memcached.service",
                "[Service]\nEnvironmentFile=/etc/sysconfig/memcached\nExecStart=/usr/bin/memcached -p ${PORT} $OPTIONS\n",
            ),
            ("/etc/sysconfig/memcached", "PORT=\"11222\"\nOPTIONS=\"-l 10.0.0.8 -U 0\"\n"),
        ]);
        assert_eq!(s, [(Some("10.0.0.8".into()), 11222, 3)]);
        assert_eq!(
            f.facts[0].2.path,
            "/usr/lib/systemd/system/memcached.service"
        );
    }

    #[test]
    fn debians_wrapper_unit_reads_the_file() {
        let (s, _) = served(&[
            (CONF, "-l 10.0.0.9\n"),
            (
                "/lib/systemd/system/memcached.service",
                "[Service]\nExecStart=/usr/share/memcached/scripts/systemd-memcached-wrapper /etc/memcached.conf\n",
            ),
        ]);
        assert_eq!(s, [(Some("10.0.0.9".into()), 11211, 1)]);
    }

    #[test]
    fn no_file_no_facts() {
        let (s, f) = served(&[("/etc/x", "")]);
        assert!(s.is_empty() && f.facts.is_empty());
    }
}
