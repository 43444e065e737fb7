//! One reader per daemon. A reader looks at one host's files (the paths
//! its role's bundle writer writes, and the distributions' default paths),
//! follows its includes inside the [`HostFiles`], and reports [`Fact`]s
//! and warnings. Readers are tolerant of what real files hold (comments,
//! tabs, directives they do not know) and precise about what they use: a
//! line they use becomes an [`Origin`].
//!
//! Shared by the readers: [`lines`] (comment-stripped, numbered lines).

use super::facts::{Facts, Origin};
use super::tree::HostFiles;
use crate::model::Kit;

pub mod app;
pub mod bind;
pub mod endpoint;
pub mod haproxy;
pub mod haproxy_cfg;
pub mod keepalived;
pub mod keepalived_conf;
pub mod memcached;
pub mod mysql;
pub mod nginx;
pub mod postgres;
pub mod rabbitmq;
pub mod redis;
pub mod store;

/// The reader of a role's kit: every `Kit` has one (the compiler lists a
/// new kit here), `External` reads nothing (it is not deployed).
pub fn of_kit(kit: Kit) -> Option<fn(&HostFiles, &mut Facts)> {
    match kit {
        Kit::Haproxy => Some(haproxy::read),
        Kit::Nginx => Some(nginx::read),
        Kit::App => Some(app::read),
        Kit::Mysql => Some(mysql::read),
        Kit::Postgres => Some(postgres::read),
        Kit::Redis => Some(redis::read),
        Kit::Memcached => Some(memcached::read),
        Kit::Rabbitmq => Some(rabbitmq::read),
        Kit::External => None,
    }
}

/// Every reader on one host: each kit's, keepalived, and BIND zone files
/// found on the host.
pub fn host(h: &HostFiles, facts: &mut Facts) {
    for kit in crate::model::Role::all().map(|r| r.spec().kit) {
        if let Some(read) = of_kit(kit) {
            read(h, facts);
        }
    }
    keepalived::read(h, facts);
    bind::read(h, facts);
}

/// A bundle's `dns/` folder: zone files only.
pub fn dns(h: &HostFiles, facts: &mut Facts) {
    bind::read(h, facts);
}

/// The lines of `text` without comments (from `comment` to the end of the
/// line, outside double quotes) and surrounding blanks, numbered from 1;
/// blank lines are left out.
pub fn lines(text: &str, comment: char) -> impl Iterator<Item = (u32, &str)> {
    text.lines().enumerate().filter_map(move |(i, line)| {
        let mut quoted = false;
        let mut end = line.len();
        for (k, c) in line.char_indices() {
            match c {
                '"' => quoted = !quoted,
                c if c == comment && !quoted => {
                    end = k;
                    break;
                }
                _ => {}
            }
        }
        let t = line[..end].trim();
        (!t.is_empty()).then_some((i as u32 + 1, t))
    })
}

/// An origin on host `h`.
pub fn origin(h: &HostFiles, path: &str, line: u32) -> Origin {
    Origin::new(&h.name, path, line)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_strip_comments_outside_quotes() {
        let got: Vec<_> = super::lines("a # x\n\n  \"#b\" c\n#d\n", '#').collect();
        assert_eq!(got, [(1, "a"), (3, "\"#b\" c")]);
    }
}
