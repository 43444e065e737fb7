//! `stackc bundle FILE -o DIR [--flavor mysql|mariadb] [--secrets FILE] [--force]`
//!
//! The filesystem side of BUNDLE.md: reads the input, its time (the zone
//! serial: `SOURCE_DATE_EPOCH` or the file's mtime), the earlier bundle in
//! DIR (its manifest, zones and `secrets.json`, reused by default) or
//! `--secrets`, draws missing passwords from the OS, and writes the bundle
//! atomically: a temporary directory beside DIR, swapped into place with
//! `renameat2(RENAME_EXCHANGE)` on Linux, removed on SIGINT/SIGTERM/SIGHUP
//! and, when a run was killed outright, by the next run. Never prints a
//! secret.

use super::atomic::Mode;
use super::report;
use stackc::bundle::{self, Bundle, Flavor, Manifest, Options, Refusal, Secrets, SECRETS_FILE};
use stackc::report::FileReport;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct Args<'a> {
    pub file: &'a str,
    pub out: &'a Path,
    pub flavor: Flavor,
    pub secrets: Option<&'a Path>,
    pub force: bool,
}

pub fn run(a: &Args<'_>) -> u8 {
    let src = match super::read_input(a.file) {
        Ok(s) => s,
        Err(e) => return report::fail(&e.to_string()),
    };
    let checked = super::check_input(a.file, &src);
    let refusals = bundle::validate(&checked);
    if !refusals.is_empty() {
        report(a.file, &src, &checked, &refusals);
        return 1;
    }
    let serial = match zone_serial_base(a.file) {
        Ok(s) => s,
        Err(e) => return report::fail(&e),
    };
    let mut opts = Options {
        flavor: a.flavor,
        serial,
        ..Options::default()
    };
    // DIR a symbolic link (to an earlier bundle): the bundle replaces the
    // directory it points to and the link stays.
    let target = match resolve_link(a.out) {
        Ok(t) => t,
        Err(e) => return report::fail(&format!("cannot follow {}: {e}", a.out.display())),
    };
    let mut earlier = None;
    match classify(&target) {
        Dest::Missing | Dest::Empty => {}
        Dest::EarlierBundle(m) => {
            // Zones keep their serials while their records do not change.
            opts.previous_zones = m.previous_zones();
            earlier = Some(m);
        }
        Dest::NotADirectory => {
            return report::fail(&format!(
                "{} exists and is not a directory",
                a.out.display()
            ))
        }
        Dest::Other(_) if a.force => {}
        Dest::Other(why) => {
            return report::fail(&format!(
                "{} exists and is not a stackc bundle ({why}): use --force to replace it",
                a.out.display()
            ))
        }
    }
    let specs = bundle::required_secrets(&checked);
    // The passwords: --secrets, else those of the bundle being replaced
    // (setup.sql runs once: new passwords would lock the applications out).
    let reused = target.join(SECRETS_FILE);
    let from: Option<PathBuf> = match a.secrets {
        Some(p) => Some(p.to_path_buf()),
        None if earlier.is_some() && fs::symlink_metadata(&reused).is_ok() => Some(reused),
        None => None,
    };
    let mut secrets = match &from {
        None => Secrets::new(),
        Some(path) => {
            let text = match fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return report::fail(&format!("cannot read {}: {e}", path.display()));
                }
            };
            match Secrets::from_json(&text) {
                Ok(s) => s,
                Err(e) => return report::fail(&format!("{}: {e}", path.display())),
            }
        }
    };
    if let Err(e) = secrets.check(&specs) {
        let from = from
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return report::fail(&format!("{from}: {e}"));
    }
    if let Some(path) = &from {
        if a.secrets.is_none() {
            report::note(&format!(
                "reusing the passwords of {} (the bundle being replaced); pass --secrets FILE to use others",
                path.display()
            ));
        }
        let unused: Vec<&str> = secrets
            .keys()
            .filter(|k| !specs.iter().any(|s| s.key == *k))
            .collect();
        let missing: Vec<&str> = specs
            .iter()
            .map(|s| s.key.as_str())
            .filter(|k| secrets.get(k).is_none())
            .collect();
        if !unused.is_empty() {
            report::warn(&format!(
                "{} has passwords this stack does not use: {} (a renamed group, or another stack's file?); the new secrets.json drops them",
                path.display(),
                unused.join(", ")
            ));
        }
        if !missing.is_empty() {
            report::warn(&format!(
                "{} has no password for {}: new ones are drawn",
                path.display(),
                missing.join(", ")
            ));
        }
    }
    if from.is_none() && earlier.is_some() && !specs.is_empty() {
        report::warn(&format!(
            "{} holds a bundle without {SECRETS_FILE}: new passwords are drawn (hosts set up with the old ones keep them: pass --secrets FILE to reuse those)",
            a.out.display()
        ));
    }
    if let Err(e) = secrets.fill(&specs, getrandom::fill) {
        return report::fail(&format!(
            "cannot read the operating system's random source: {e}"
        ));
    }
    let b = match bundle::generate(&checked, &opts, &secrets) {
        Ok(b) => b,
        Err(Refusal::Findings(f)) => {
            report(a.file, &src, &checked, &f);
            return 1;
        }
        Err(Refusal::Secrets(e)) => return report::fail(&e.to_string()),
    };
    if target != a.out {
        // Leftovers named after the link, by earlier versions.
        if let (Some(parent), Some(name)) = (a.out.parent(), a.out.file_name()) {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            remove_stale(parent, &name.to_string_lossy());
        }
    }
    if let Err(e) = write_bundle(&target, &b) {
        return report::fail(&format!("cannot write {}: {e}", a.out.display()));
    }
    println!(
        "wrote {}: {} files for {} hosts ({} holding secrets, mode 0600; secrets.json keeps the passwords)",
        a.out.display(),
        b.files.len(),
        b.hosts,
        b.secret_files()
    );
    0
}

/// The serial of new and changed zones (`bundle::zone_serial`):
/// `SOURCE_DATE_EPOCH` when set, else the input file's modification time,
/// else (standard input) the clock; unix seconds.
fn zone_serial_base(file: &str) -> Result<u32, String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.is_empty() => v.trim().parse::<u64>().map_err(|_| {
            format!("SOURCE_DATE_EPOCH is `{v}`: it must be a number of seconds since 1970")
        })?,
        _ => {
            let time = if file == "-" {
                SystemTime::now()
            } else {
                fs::metadata(file)
                    .and_then(|m| m.modified())
                    .unwrap_or_else(|_| SystemTime::now())
            };
            time.duration_since(UNIX_EPOCH).map_or(1, |d| d.as_secs())
        }
    };
    Ok(u32::try_from(secs).unwrap_or(u32::MAX))
}

/// The directory a bundle goes to: `dir`, or what it links to.
fn resolve_link(dir: &Path) -> io::Result<PathBuf> {
    let mut cur = dir.to_path_buf();
    // A bounded walk: a loop of links ends in an error.
    for _ in 0..40 {
        match fs::symlink_metadata(&cur) {
            Ok(md) if md.file_type().is_symlink() => {
                let to = fs::read_link(&cur)?;
                cur = match cur.parent() {
                    Some(p) if to.is_relative() => p.join(to),
                    _ => to,
                };
            }
            _ => return Ok(cur),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Prints refusals like `check` does, on standard error.
fn report(path: &str, src: &str, checked: &stackc::Checked, findings: &[stackc::diag::Finding]) {
    let r = FileReport {
        path,
        source: src,
        findings,
        suppressed: &[],
        allow_reasons: checked
            .model
            .allows
            .iter()
            .map(|a| a.reason.clone())
            .collect(),
    };
    report::refused(&r, &format!("no bundle written for {path}"));
}

enum Dest {
    Missing,
    Empty,
    EarlierBundle(Manifest),
    NotADirectory,
    /// Why it is not an earlier bundle.
    Other(String),
}

/// Of an existing directory: its files and directories, relative and
/// `/`-separated, directories with a trailing `/` (bounded: past 100,000
/// entries the rest is not listed, and the directory is not a bundle).
fn list_dir(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = todo.pop() {
        for e in fs::read_dir(&path)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let r = format!("{rel}{name}");
            if e.file_type()?.is_dir() {
                out.push(format!("{r}/"));
                todo.push((e.path(), format!("{r}/")));
            } else {
                out.push(r);
            }
            if out.len() > 100_000 {
                return Err(io::Error::other("more than 100,000 files"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn classify(dir: &Path) -> Dest {
    match fs::metadata(dir) {
        Err(_) => Dest::Missing,
        Ok(md) if !md.is_dir() => Dest::NotADirectory,
        Ok(_) => {
            let present = match list_dir(dir) {
                Ok(p) => p,
                Err(e) => return Dest::Other(format!("cannot list it: {e}")),
            };
            if present.is_empty() {
                return Dest::Empty;
            }
            let text = match fs::read_to_string(dir.join(bundle::MANIFEST_FILE)) {
                Ok(t) => t,
                Err(_) => return Dest::Other("it has no stackc manifest.json".into()),
            };
            let m = match Manifest::from_json(&text) {
                Ok(m) => m,
                Err(e) => {
                    return Dest::Other(format!("its manifest.json is not one stackc wrote: {e}"))
                }
            };
            let unknown = m.unknown(&present);
            if unknown.is_empty() {
                return Dest::EarlierBundle(m);
            }
            let shown: Vec<&str> = unknown.iter().take(10).copied().collect();
            let more = if unknown.len() > shown.len() {
                format!(" and {} more", unknown.len() - shown.len())
            } else {
                String::new()
            };
            Dest::Other(format!(
                "it holds files its manifest.json does not list: {}{more}",
                shown.join(", ")
            ))
        }
    }
}

// ---- writing -------------------------------------------------------------------

/// The temporary directories of this run: removed on SIGINT, SIGTERM and
/// SIGHUP (by a thread that `signal-hook` wakes), then the signal does
/// what it would have done. The lock is held across the final swap, so a
/// signal never lands between its steps.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set (under the lock) by the signal thread: the writer stops before its
/// next file, so that nothing recreates what the thread removes.
static ABORT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn lock_temps() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPS.lock().unwrap_or_else(|e| e.into_inner())
}

fn clean_up_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let temps = lock_temps();
            ABORT.store(true, std::sync::atomic::Ordering::SeqCst);
            for t in temps.iter() {
                let _ = fs::remove_dir_all(t);
            }
            let _ = signal_hook::low_level::emulate_default_handler(sig);
            std::process::exit(128 + sig);
        }
    });
}

/// `.DIR.stackc-PID-RANDOM`: the temporary directory of the run PID.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.stackc-")
}

/// Removes temporary directories of earlier runs beside DIR: those of a
/// process that is gone (or older than a day), and those of stackc
/// versions that did not name their PID (`.DIR.stackc-XXXXXX`,
/// `.DIR.stackc-old-XXXXXX`) when older than an hour.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let Ok(md) = fs::symlink_metadata(e.path()) else {
            continue;
        };
        if !md.is_dir() {
            continue;
        }
        let age = md
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        let alnum =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let stale = match rest.split_once('-') {
            Some((pid, rnd)) if pid.bytes().all(|b| b.is_ascii_digit()) && alnum(rnd) => {
                let alive = !pid.is_empty() && Path::new("/proc").join(pid).exists();
                (!alive && pid != std::process::id().to_string())
                    || age > Duration::from_secs(24 * 3600)
            }
            Some(("old", rnd)) if alnum(rnd) => age > Duration::from_secs(3600),
            None if alnum(rest) => age > Duration::from_secs(3600),
            _ => false,
        };
        if stale {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Writes every file into a temporary directory beside `dir`, then swaps
/// it into place. Until the swap `dir` is untouched; a failure or a signal
/// before it removes the temporary directory.
fn write_bundle(dir: &Path, b: &Bundle) -> io::Result<()> {
    let name = dir
        .file_name()
        .ok_or_else(|| io::Error::other("the output directory needs a name"))?
        .to_string_lossy()
        .into_owned();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    remove_stale(&parent, &name);
    clean_up_on_signals();
    let staged = {
        let mut temps = lock_temps();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{}{}-", temp_prefix(&name), std::process::id()))
            .rand_bytes(8)
            .tempdir_in(&parent)?
            .keep();
        temps.push(tmp.clone());
        tmp
    };
    let result = write_files(&staged, b).and_then(|()| {
        let _held = lock_temps();
        swap_into_place(&staged, dir)
    });
    let _ = fs::remove_dir_all(&staged);
    lock_temps().retain(|t| *t != staged);
    result
}

fn write_files(tmp: &Path, b: &Bundle) -> io::Result<()> {
    for (path, f) in &b.files {
        // Each file is written under the lock: a signal waits for it.
        let _held = lock_temps();
        if ABORT.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(io::Error::other("interrupted"));
        }
        let target = tmp.join(path);
        if let Some(d) = target.parent() {
            fs::create_dir_all(d)?;
        }
        super::atomic::write_atomic(&target, &f.bytes, Mode::Exact(f.mode))?;
    }
    fs::set_permissions(tmp, fs::Permissions::from_mode(0o755))
}

/// Puts `staged` at `dir`. When `dir` exists, Linux swaps the two in one
/// step (`renameat2` with `RENAME_EXCHANGE`): `dir` is never missing, and
/// `staged` then holds the earlier bundle, which the caller removes.
/// Elsewhere, or on a file system without the exchange, two renames.
fn swap_into_place(staged: &Path, dir: &Path) -> io::Result<()> {
    if fs::symlink_metadata(dir).is_err() {
        return fs::rename(staged, dir);
    }
    if exchange(staged, dir)? {
        return Ok(());
    }
    // Fallback: the earlier bundle moves aside, the new one in.
    let mut aside = staged.as_os_str().to_owned();
    aside.push("-old");
    let aside = PathBuf::from(aside);
    fs::rename(dir, &aside)?;
    if let Err(e) = fs::rename(staged, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(e);
    }
    fs::rename(&aside, staged)
}

/// Swaps two paths atomically; `false` when this system or file system
/// has no such operation.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: two valid NUL-terminated paths; renameat2 reads them only.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}
