//! The files `import` reads, as the CLI found them: one [`HostFiles`] per
//! host folder (`DIR/lb-01/etc/haproxy/haproxy.cfg`, or a bundle's
//! `hosts/lb-01/...`), and the bundle's `dns/` folder when there is one.
//! Paths are the host's own absolute paths (`/etc/haproxy/haproxy.cfg`), so a
//! reader follows an `include /etc/nginx/sites-enabled/*` by looking it up
//! here, never on the disk.

use std::collections::BTreeMap;

/// One file as the CLI found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Its text (UTF-8, at most the CLI's cap).
    Text(String),
    /// Not read, and why ("larger than 4 MiB", "not UTF-8 (a binary
    /// file?)", "permission denied", "a symbolic link loop"): a reader that
    /// wanted it warns.
    Skipped(String),
}

/// The files of one host, by absolute path (`/etc/nginx/nginx.conf`).
#[derive(Clone, Debug, Default)]
pub struct HostFiles {
    /// The host's name: its folder's name.
    pub name: String,
    pub files: BTreeMap<String, Entry>,
}

impl HostFiles {
    pub fn new(name: impl Into<String>) -> HostFiles {
        HostFiles {
            name: name.into(),
            files: BTreeMap::new(),
        }
    }

    /// A host of text files (`(path, text)`), as the readers' tests and
    /// in-memory trees build one.
    pub fn with_texts(name: impl Into<String>, files: &[(&str, &str)]) -> HostFiles {
        let mut h = HostFiles::new(name);
        for (path, text) in files {
            h.insert(*path, Entry::Text((*text).to_string()));
        }
        h
    }

    /// Adds a file (`path` absolute, `/`-separated).
    pub fn insert(&mut self, path: impl Into<String>, entry: Entry) {
        self.files.insert(path.into(), entry);
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files.get(path)
    }

    /// The text at `path`, when it was read.
    pub fn text(&self, path: &str) -> Option<&str> {
        match self.files.get(path) {
            Some(Entry::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Every file under the folder `dir` (`/etc/nginx/sites-enabled`), in
    /// path order.
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .map(|(p, e)| (p.as_str(), e))
    }
}

/// Everything DIR holds.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub hosts: Vec<HostFiles>,
    /// A bundle's `dns/` folder (zone files), as a pseudo-host named `dns`.
    pub dns: Option<HostFiles>,
    /// A bundle's `ansible/inventory.ini`, when DIR is a bundle root.
    pub inventory: Option<String>,
}

impl Tree {
    pub fn hosts(&self) -> impl Iterator<Item = &HostFiles> {
        self.hosts.iter()
    }

    pub fn dns(&self) -> Option<&HostFiles> {
        self.dns.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_lists_one_folder() {
        let mut h = HostFiles::new("web-01");
        h.insert("/etc/nginx/nginx.conf", Entry::Text("a".into()));
        h.insert("/etc/nginx/sites-enabled/b", Entry::Text("b".into()));
        h.insert("/etc/nginx/sites-enabled/c", Entry::Text("c".into()));
        h.insert("/etc/nginx/sites-enabledx", Entry::Text("x".into()));
        let got: Vec<_> = h
            .under("/etc/nginx/sites-enabled/")
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            got,
            ["/etc/nginx/sites-enabled/b", "/etc/nginx/sites-enabled/c"]
        );
        assert_eq!(h.text("/etc/nginx/nginx.conf"), Some("a"));
    }
}
