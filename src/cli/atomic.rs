//! Writing a file so that no reader ever sees half of it: every file
//! stackc writes (`render -o`, `fmt`, each file of a bundle) goes through
//! [`write_atomic`] or [`rewrite_file`], which share one writer: a
//! temporary file beside the target, its owner and mode set, the bytes
//! written and synced, renamed over the target, the folder synced.

use std::fs::{File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// The mode a file written by [`write_atomic`] gets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// What any new file gets: 0666 less the umask.
    Default,
    /// Exactly this (a bundle's 0600 secrets, its 0755 scripts). The file
    /// is made 0600 and set to this before the bytes are written.
    Exact(u32),
}

/// Writes `bytes` to `dest`, atomically: `dest` is the old file or the new
/// one, never a mix, and a failure leaves it as it was (and no temporary
/// file). `dest` itself is replaced: a symbolic link there becomes the
/// file (what `render -o` has always done; [`rewrite_file`] follows links).
pub fn write_atomic(dest: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let name = dest
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = stage(&dir, &name.to_string_lossy(), mode)?;
    let exact = match mode {
        Mode::Default => None,
        Mode::Exact(m) => Some(m),
    };
    commit(tmp, bytes, exact, dest, &dir)
}

/// A new, empty temporary file in `dir`, named after the target `name`
/// (`.NAME.stackc-XXXXXX.tmp`): removed when dropped unless committed.
fn stage(dir: &Path, name: &str, mode: Mode) -> io::Result<NamedTempFile> {
    let prefix = format!(".{name}.stackc-");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp");
    // Made with 0600 unless the default mode is asked for (the kernel
    // applies the umask to 0666 then).
    if mode == Mode::Default {
        b.permissions(Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Sets the mode (when given), writes, syncs and renames the temporary
/// file over `dest`, then syncs the folder so that the rename is durable.
fn commit(
    mut tmp: NamedTempFile,
    bytes: &[u8],
    mode: Option<u32>,
    dest: &Path,
    dir: &Path,
) -> io::Result<()> {
    if let Some(m) = mode {
        tmp.as_file().set_permissions(Permissions::from_mode(m))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dest).map_err(|e| e.error)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// How [`rewrite_file`] wrote a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Rewritten {
    /// A new file with the same mode and owner, renamed over the old one.
    Replaced,
    /// Overwritten in place, not atomically, because a rename would have
    /// split this many hard links.
    InPlaceLinks(u64),
    /// Overwritten in place, not atomically, because a new file could not
    /// be given the old one's owner (not running as root).
    InPlaceOwner,
    /// Overwritten in place, not atomically, because its folder does not
    /// let a new file be made (the file itself may be written).
    InPlaceFolder,
}

/// Rewrites an existing file with new contents, as a careful editor saves:
/// through symbolic links (the real file changes; the links stay links),
/// keeping its mode and owner.
///
/// Normally atomic ([`write_atomic`]'s writer, the temporary file given
/// the same owner, with `fchown` when allowed, and mode). A file with
/// several hard links cannot be replaced by a rename without splitting
/// them, a file of another owner cannot be replaced without changing its
/// owner, and a file in a folder we may not write cannot be replaced at
/// all: those are overwritten in place (the new contents are complete in
/// memory first; the write itself is not atomic), and the result says so.
/// A file that may not be written is not replaced either.
pub fn rewrite_file(path: &Path, bytes: &[u8]) -> io::Result<Rewritten> {
    let real = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    // The permission to change the file is the permission to write it, not
    // the directory's: a read-only file stays unchanged.
    let file = std::fs::OpenOptions::new().write(true).open(&real)?;
    if meta.nlink() > 1 {
        overwrite(&file, bytes)?;
        return Ok(Rewritten::InPlaceLinks(meta.nlink()));
    }
    let dir = real.parent().unwrap_or(Path::new("/"));
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = match stage(dir, &name, Mode::Exact(0o600)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            overwrite(&file, bytes)?;
            return Ok(Rewritten::InPlaceFolder);
        }
        Err(e) => return Err(e),
    };
    let made = tmp.as_file().metadata()?;
    if (made.uid(), made.gid()) != (meta.uid(), meta.gid())
        && std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid())).is_err()
    {
        drop(tmp);
        overwrite(&file, bytes)?;
        return Ok(Rewritten::InPlaceOwner);
    }
    // The mode is set after the chown, which clears set-id bits.
    commit(tmp, bytes, Some(meta.mode() & 0o7777), &real, dir)?;
    Ok(Rewritten::Replaced)
}

/// Overwrites an open file from its start and cuts it to the new length.
fn overwrite(file: &File, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(bytes, 0)?;
    file.set_len(bytes.len() as u64)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
    }

    #[test]
    fn a_new_file_gets_the_mode_any_new_file_gets() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let out = dir.path().join("out.svg");
        write_atomic(&out, b"<svg/>", Mode::Default).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"<svg/>");
        assert_eq!(mode(&out), mode(&plain));
        assert_eq!(names(dir.path()), ["out.svg", "plain"], "no temporary file");
    }

    #[test]
    fn an_exact_mode_is_kept_and_an_old_file_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("secret.cnf");
        std::fs::write(&out, "old, longer contents").unwrap();
        let ino = std::fs::metadata(&out).unwrap().ino();
        write_atomic(&out, b"new", Mode::Exact(0o600)).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(mode(&out), 0o600);
        assert_ne!(std::fs::metadata(&out).unwrap().ino(), ino, "a new file");
        write_atomic(&out, b"#!/bin/sh\n", Mode::Exact(0o755)).unwrap();
        assert_eq!(mode(&out), 0o755);
        assert_eq!(names(dir.path()), ["secret.cnf"]);
    }

    #[test]
    fn write_atomic_replaces_a_link_itself() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "kept").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"drawn", Mode::Default).unwrap();
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"drawn");
        assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory cannot be renamed over.
        let busy = dir.path().join("busy");
        std::fs::create_dir(&busy).unwrap();
        std::fs::write(busy.join("x"), "x").unwrap();
        assert!(write_atomic(&busy, b"y", Mode::Default).is_err());
        assert!(busy.join("x").is_file());
        assert_eq!(names(dir.path()), ["busy"]);
        let missing = dir.path().join("no/such/dir/f");
        assert_eq!(
            write_atomic(&missing, b"y", Mode::Default)
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
        assert!(write_atomic(Path::new("/"), b"y", Mode::Default).is_err());
    }

    #[test]
    fn rewrite_follows_links_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("web.stack");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.stack");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(rewrite_file(&link, b"new").unwrap(), Rewritten::Replaced);
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o640);
        assert_eq!(names(dir.path()), ["link.stack", "web.stack"]);
    }

    #[test]
    fn rewrite_keeps_hard_links_and_refuses_what_it_may_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.stack");
        let b = dir.path().join("b.stack");
        std::fs::write(&a, "old contents").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        assert_eq!(
            rewrite_file(&a, b"new").unwrap(),
            Rewritten::InPlaceLinks(2)
        );
        assert_eq!(std::fs::read(&b).unwrap(), b"new");
        assert!(rewrite_file(dir.path(), b"x").is_err(), "a directory");
        if is_root() {
            return; // root may write a read-only file
        }
        let ro = dir.path().join("ro.stack");
        std::fs::write(&ro, "kept").unwrap();
        std::fs::set_permissions(&ro, Permissions::from_mode(0o444)).unwrap();
        assert_eq!(
            rewrite_file(&ro, b"x").unwrap_err().kind(),
            io::ErrorKind::PermissionDenied
        );
        assert_eq!(std::fs::read(&ro).unwrap(), b"kept");
    }

    fn is_root() -> bool {
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
}
