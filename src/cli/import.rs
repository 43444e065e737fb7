//! `stackc import DIR [-o FILE] [--inventory INVENTORY]` (TOOLS.md §4):
//! walks DIR into a [`Tree`] (the library reads no files), calls
//! [`stackc::import::import`] and prints the `.stack` text (to standard
//! output, or atomically to `-o FILE`) and every warning to stderr as
//! `DIR/host/path:line: warning: ...`.
//!
//! DIR is a folder of host folders (`DIR/lb-01/etc/haproxy/haproxy.cfg`,
//! as `ansible -m fetch` lays them out) or a bundle's root (`hosts/`,
//! `dns/`, `ansible/inventory.ini`, used when no `--inventory` is given).
//!
//! The walk is bounded: a file over [`MAX_FILE`] is skipped from its
//! metadata, unread; at most [`MAX_FILES`] files and [`MAX_DEPTH`] folders
//! deep; only regular files are opened (a fifo or a device is never
//! read); a symbolic link is followed only when it resolves inside DIR and
//! never into a folder it is already in (a loop); a file that is not UTF-8
//! or holds a NUL byte, or cannot be read, is an [`Entry::Skipped`] with
//! its reason and a warning. Exit 0, 1 with import warnings, 2 when DIR
//! cannot be read (missing, not a folder, no host folder) or the
//! inventory given cannot be read or parsed.

use super::atomic::{write_atomic, Mode};
use stackc::import::{self, inventory, Entry, HostFiles, Tree, Warning};
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file read: 4 MiB. Configs are kilobytes; a log file in the
/// tree is not read at all.
pub const MAX_FILE: u64 = 4 * 1024 * 1024;
/// The most files read from DIR, over every host.
pub const MAX_FILES: usize = 20_000;
/// The deepest folder walked below a host folder.
pub const MAX_DEPTH: usize = 24;
/// The most entries (files, folders, links) looked at: links between
/// sibling folders could otherwise make a walk of few files exponential.
pub const MAX_ENTRIES: usize = 100_000;

pub struct Args<'a> {
    pub dir: &'a Path,
    pub out: Option<&'a Path>,
    pub inventory: Option<&'a Path>,
}

pub fn run(a: &Args<'_>) -> u8 {
    let walked = match walk(a.dir) {
        Ok(w) => w,
        Err(e) => return super::report::fail(&e),
    };
    let mut warnings: Vec<Warning> = walked.warnings.clone();
    let inv = match inventory_of(a.inventory, &walked, &mut warnings) {
        Ok(i) => i,
        Err(e) => return super::report::fail(&e),
    };
    let imported = import_warned(&walked, inv.as_ref(), &mut warnings);
    match a.out {
        Some(out) => {
            if let Err(e) = write_atomic(out, imported.text.as_bytes(), Mode::Default) {
                return super::report::fail(&format!("cannot write {}: {e}", out.display()));
            }
        }
        None => super::print(&imported.text),
    }
    u8::from(!warnings.is_empty())
}

/// `import` of what was walked, its warnings added to `warnings` and every
/// one printed to stderr as `DIR/HOST/PATH:LINE: warning: ...` (`stackc
/// import` and `stackc drift` alike).
pub fn import_warned(
    walked: &Walked,
    inv: Option<&inventory::Inventory>,
    warnings: &mut Vec<Warning>,
) -> import::Imported {
    let imported = import::import(&walked.tree, inv, &walked.name);
    warnings.extend(imported.warnings.iter().cloned());
    for w in warnings.iter() {
        super::report::status(&format!(
            "{}: warning: {}",
            walked.place(&w.origin),
            w.message
        ));
    }
    imported
}

/// The inventory: `given` (`--inventory`, which must read and parse:
/// `Err` with the message), else a bundle's `ansible/inventory.ini` found
/// by the walk (a warning when it does not parse). `stackc import` and
/// `stackc drift` take it alike.
pub fn inventory_of(
    given: Option<&Path>,
    walked: &Walked,
    warnings: &mut Vec<Warning>,
) -> Result<Option<inventory::Inventory>, String> {
    if let Some(p) = given {
        let shown = p.to_string_lossy();
        let text = super::read_input(&shown).map_err(|e| format!("--inventory: {e}"))?;
        return inventory::parse(&text, &shown)
            .map(Some)
            .map_err(|w| format!("--inventory: {w}"));
    }
    let Some(text) = &walked.tree.inventory else {
        return Ok(None);
    };
    match inventory::parse(text, BUNDLE_INVENTORY) {
        Ok(i) => Ok(Some(i)),
        Err(w) => {
            warnings.push(w);
            Ok(None)
        }
    }
}

/// DIR, read.
pub struct Walked {
    pub tree: Tree,
    /// The stack's name: the bundle manifest's, else DIR's folder name.
    pub name: String,
    /// Files skipped, the walk's caps.
    pub warnings: Vec<Warning>,
    /// Host name -> its folder on the disk (`dns` for the bundle's `dns/`).
    folders: BTreeMap<String, PathBuf>,
    dir: PathBuf,
}

/// A bundle's inventory, relative to DIR (origins name it so, the
/// comments stay the same wherever DIR is).
const BUNDLE_INVENTORY: &str = "ansible/inventory.ini";

impl Walked {
    /// Where an origin is on the disk: `DIR/lb-01/etc/haproxy/haproxy.cfg:12`
    /// (the inventory's path as given).
    pub fn place(&self, o: &import::Origin) -> String {
        let base = match self.folders.get(&o.host) {
            Some(folder) => format!(
                "{}{}",
                folder.display(),
                if o.path.starts_with('/') {
                    o.path.clone()
                } else {
                    format!("/{}", o.path)
                }
            ),
            None if o.host.is_empty() && o.path == BUNDLE_INVENTORY => {
                self.dir.join(BUNDLE_INVENTORY).display().to_string()
            }
            None if o.host.is_empty() => o.path.clone(),
            None => format!("{}:{}", o.host, o.path),
        };
        if o.line > 0 {
            format!("{base}:{}", o.line)
        } else {
            base
        }
    }
}

/// Reads DIR: its host folders (or a bundle's `hosts/`, `dns/` and
/// inventory). `Err` when DIR cannot be read or holds no host folder.
pub fn walk(dir: &Path) -> Result<Walked, String> {
    let meta = fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let root = fs::canonicalize(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut w = Walker {
        root: root.clone(),
        files: 0,
        entries: 0,
        warned_cap: false,
        warned_depth: Default::default(),
        warnings: Vec::new(),
    };
    let bundle = dir.join("hosts").is_dir();
    let hosts_dir = if bundle {
        dir.join("hosts")
    } else {
        dir.to_path_buf()
    };
    let mut tree = Tree::default();
    let mut folders = BTreeMap::new();
    let entries = sorted_entries(&hosts_dir)
        .map_err(|e| format!("cannot read {}: {e}", hosts_dir.display()))?;
    for (name, path) in entries {
        if name.starts_with('.') || (!bundle && is_bundle_side(&name)) {
            continue;
        }
        // A host folder (a link to one inside DIR counts).
        let Some(real) = w.inside(&path) else {
            if path.is_dir() {
                w.warnings.push(Warning::new(
                    import::Origin::new(&name, "", 0),
                    "the host folder is a symbolic link out of DIR: not read",
                ));
                folders.insert(name, path);
            }
            continue;
        };
        if !real.is_dir() {
            continue;
        }
        let mut h = HostFiles::new(name.clone());
        w.dir(&mut h, &real, "", 0, &mut vec![real.clone()]);
        folders.insert(name, path);
        tree.hosts.push(h);
    }
    if bundle {
        let dns = dir.join("dns");
        if let Some(real) = w.inside(&dns).filter(|p| p.is_dir()) {
            let mut h = HostFiles::new("dns");
            w.dir(&mut h, &real, "", 0, &mut vec![real.clone()]);
            folders.insert("dns".into(), dns);
            tree.dns = Some(h);
        }
        let inv = dir.join("ansible/inventory.ini");
        if inv.is_file() {
            let mut h = HostFiles::new("");
            w.file(&mut h, &inv, "/ansible/inventory.ini");
            if let Some(Entry::Text(t)) = h.files.remove("/ansible/inventory.ini") {
                tree.inventory = Some(t);
            }
        }
    }
    if tree.hosts.is_empty() {
        return Err(format!(
            "{} holds no host folder: give a folder of host folders (DIR/HOST/etc/...) or a bundle's root (DIR/hosts/HOST/...)",
            dir.display()
        ));
    }
    let name = stack_name(dir, bundle);
    Ok(Walked {
        tree,
        name,
        warnings: w.warnings,
        folders,
        dir: dir.to_path_buf(),
    })
}

/// A folder of DIR that is no host: `ansible/` (playbooks and the
/// inventory kept beside the fetched hosts).
fn is_bundle_side(name: &str) -> bool {
    name == "ansible"
}

/// The bundle manifest's stack name, else DIR's name, as an identifier.
fn stack_name(dir: &Path, bundle: bool) -> String {
    if bundle {
        let m = dir.join("manifest.json");
        if let Ok(meta) = fs::metadata(&m) {
            if meta.is_file() && meta.len() <= MAX_FILE {
                if let Ok(text) = fs::read_to_string(&m) {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                        if let Some(s) = v.get("stack").and_then(|s| s.as_str()) {
                            return ident(s);
                        }
                    }
                }
            }
        }
    }
    let base = fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    ident(&base)
}

/// `name` as a `.stack` identifier (letters, digits, `-`, `_`, a letter
/// first); `imported` when nothing is left.
fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s = s.trim_matches('-').chars().take(60).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = if s.is_empty() {
            "imported".into()
        } else {
            format!("s-{s}")
        };
    }
    s
}

/// A folder's entries by name.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        v.push((e.file_name().to_string_lossy().into_owned(), e.path()));
    }
    v.sort();
    Ok(v)
}

struct Walker {
    root: PathBuf,
    files: usize,
    entries: usize,
    warned_cap: bool,
    warned_depth: std::collections::BTreeSet<String>,
    warnings: Vec<Warning>,
}

impl Walker {
    /// `path` resolved, when it stays inside DIR.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        let real = fs::canonicalize(path).ok()?;
        real.starts_with(&self.root).then_some(real)
    }

    fn skip(&mut self, h: &mut HostFiles, rel: &str, why: impl Into<String>) {
        let why = why.into();
        self.warnings.push(Warning::new(
            import::Origin::new(&h.name, rel, 0),
            format!("skipped: {why}"),
        ));
        h.insert(rel, Entry::Skipped(why));
    }

    /// Walks the folder `real` (resolved) as the host path `rel`;
    /// `chain` holds the resolved folders above it (a link into one of
    /// them is a loop).
    fn dir(
        &mut self,
        h: &mut HostFiles,
        real: &Path,
        rel: &str,
        depth: usize,
        chain: &mut Vec<PathBuf>,
    ) {
        let entries = match sorted_entries(real) {
            Ok(e) => e,
            Err(e) => {
                let shown = if rel.is_empty() { "/" } else { rel };
                self.skip(h, shown, format!("the folder cannot be read: {e}"));
                return;
            }
        };
        for (name, path) in entries {
            let child = format!("{rel}/{name}");
            self.entries += 1;
            if self.files >= MAX_FILES || self.entries > MAX_ENTRIES {
                if !self.warned_cap {
                    self.warned_cap = true;
                    self.warnings.push(Warning::new(
                        import::Origin::new(&h.name, &child, 0),
                        format!(
                            "more than {MAX_FILES} files or {MAX_ENTRIES} entries: the rest of DIR is not read"
                        ),
                    ));
                }
                return;
            }
            let lmeta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    self.skip(h, &child, format!("cannot be read: {e}"));
                    continue;
                }
            };
            let target = if lmeta.file_type().is_symlink() {
                match fs::canonicalize(&path) {
                    Err(_) => {
                        self.skip(h, &child, "a symbolic link to nothing");
                        continue;
                    }
                    Ok(t) if !t.starts_with(&self.root) => {
                        self.skip(h, &child, "a symbolic link out of DIR (not followed)");
                        continue;
                    }
                    Ok(t) => t,
                }
            } else {
                path.clone()
            };
            let meta = match fs::metadata(&target) {
                Ok(m) => m,
                Err(e) => {
                    self.skip(h, &child, format!("cannot be read: {e}"));
                    continue;
                }
            };
            if meta.is_dir() {
                let resolved = fs::canonicalize(&target).unwrap_or(target.clone());
                if chain.contains(&resolved) {
                    self.skip(h, &child, "a symbolic link loop (not followed)");
                    continue;
                }
                if depth + 1 > MAX_DEPTH {
                    // Once per host: links between folders can make many.
                    if self.warned_depth.insert(h.name.clone()) {
                        self.skip(
                            h,
                            &child,
                            format!("more than {MAX_DEPTH} folders deep: this and any deeper folder are not read"),
                        );
                    }
                    continue;
                }
                chain.push(resolved.clone());
                self.dir(h, &resolved, &child, depth + 1, chain);
                chain.pop();
            } else if meta.is_file() {
                self.files += 1;
                self.file(h, &target, &child);
            } else {
                self.skip(h, &child, "not a regular file (a fifo, socket or device)");
            }
        }
    }

    /// Reads one regular file (its size checked first).
    fn file(&mut self, h: &mut HostFiles, path: &Path, rel: &str) {
        let len = match fs::metadata(path) {
            Ok(m) => m.len(),
            Err(e) => return self.skip(h, rel, format!("cannot be read: {e}")),
        };
        if len > MAX_FILE {
            return self.skip(h, rel, format!("larger than 4 MiB ({len} bytes): not read"));
        }
        let mut bytes = Vec::new();
        let read = fs::File::open(path).and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            return self.skip(h, rel, format!("cannot be read: {e}"));
        }
        if bytes.len() as u64 > MAX_FILE {
            return self.skip(h, rel, "larger than 4 MiB: not read");
        }
        if bytes.contains(&0) {
            return self.skip(h, rel, "holds NUL bytes (a binary file?): not read");
        }
        match String::from_utf8(bytes) {
            Ok(t) => h.insert(rel, Entry::Text(t)),
            Err(_) => self.skip(h, rel, "not UTF-8 (a binary file?): not read"),
        }
    }
}
