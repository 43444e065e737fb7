//! `stackc bundle FILE -o DIR [--flavor mysql|mariadb] [--secrets FILE] [--force]`
//!
//! The filesystem side of BUNDLE.md: reads the input and the secrets file,
//! draws missing passwords from the OS, and writes the bundle atomically (a
//! temporary directory beside DIR, renamed into place at the end). Never
//! prints a secret.

use stackc::bundle::{self, Bundle, Flavor, Options, Refusal, Secrets};
use stackc::report::{human, FileReport};
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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
        Err(e) => return super::fail(&e.to_string()),
    };
    let checked = stackc::check(&src);
    let refusals = bundle::validate(&checked);
    if !refusals.is_empty() {
        report(a.file, &src, &checked, &refusals);
        return 1;
    }
    let mut opts = Options {
        flavor: a.flavor,
        ..Options::default()
    };
    match classify(a.out) {
        Dest::Missing => {}
        Dest::EarlierBundle => {
            // Zones keep their serials while their records do not change.
            let manifest = fs::read_to_string(a.out.join(bundle::MANIFEST_FILE)).unwrap_or_default();
            opts.previous_zones = bundle::previous_zones(&manifest);
        }
        Dest::NotADirectory => {
            return super::fail(&format!(
                "{} exists and is not a directory",
                a.out.display()
            ))
        }
        Dest::Other if a.force => {}
        Dest::Other => {
            return super::fail(&format!(
                "{} exists and is not a stackc bundle (it has no stackc manifest.json): use --force to replace it",
                a.out.display()
            ))
        }
    }
    let specs = bundle::required_secrets(&checked);
    let mut secrets = match a.secrets {
        None => Secrets::new(),
        Some(path) => {
            let text = match fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return super::fail(&format!("cannot read {}: {e}", path.display()));
                }
            };
            match Secrets::from_json(&text) {
                Ok(s) => s,
                Err(e) => return super::fail(&format!("{}: {e}", path.display())),
            }
        }
    };
    if let Err(e) = secrets.check(&specs) {
        let from = a
            .secrets
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return super::fail(&format!("{from}: {e}"));
    }
    if let Err(e) = secrets.fill(&specs, getrandom::fill) {
        return super::fail(&format!(
            "cannot read the operating system's random source: {e}"
        ));
    }
    let b = match bundle::generate(&checked, &opts, &secrets) {
        Ok(b) => b,
        Err(Refusal::Findings(f)) => {
            report(a.file, &src, &checked, &f);
            return 1;
        }
        Err(Refusal::Secrets(e)) => return super::fail(&e.to_string()),
    };
    if let Err(e) = write_atomic(a.out, &b) {
        return super::fail(&format!("cannot write {}: {e}", a.out.display()));
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
    let style = human::Style {
        color: io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width: super::width(),
    };
    let mut err = io::stderr().lock();
    let _ = write!(err, "{}", human::render(&r, style));
    let _ = writeln!(
        err,
        "error: no bundle written for {path}: fix the errors above"
    );
}

enum Dest {
    Missing,
    EarlierBundle,
    NotADirectory,
    Other,
}

fn classify(dir: &Path) -> Dest {
    match fs::metadata(dir) {
        Err(_) => Dest::Missing,
        Ok(md) if !md.is_dir() => Dest::NotADirectory,
        Ok(_) => {
            let earlier = fs::read_to_string(dir.join(bundle::MANIFEST_FILE))
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| {
                    v.get("generator").and_then(|g| g.as_str()) == Some(bundle::GENERATOR)
                });
            if earlier {
                Dest::EarlierBundle
            } else {
                Dest::Other
            }
        }
    }
}

/// Writes every file into a temporary directory beside `dir`, then moves it
/// into place. Until the final renames `dir` is untouched; a failure before
/// them removes the temporary directory.
fn write_atomic(dir: &Path, b: &Bundle) -> io::Result<()> {
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
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.stackc-"))
        .tempdir_in(&parent)?;
    for (path, f) in &b.files {
        let target = tmp.path().join(path);
        if let Some(d) = target.parent() {
            fs::create_dir_all(d)?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)?;
        file.write_all(&f.bytes)?;
        file.set_permissions(fs::Permissions::from_mode(f.mode))?;
        file.sync_all()?;
    }
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755))?;
    let staged = tmp.keep();
    let result = swap_into_place(&staged, dir, &parent, &name);
    if result.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

fn swap_into_place(staged: &Path, dir: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if fs::symlink_metadata(dir).is_err() {
        return fs::rename(staged, dir);
    }
    let old = tempfile::Builder::new()
        .prefix(&format!(".{name}.stackc-old-"))
        .tempdir_in(parent)?
        .keep();
    // `old` is an empty directory: rename replaces it.
    fs::rename(dir, &old)?;
    if let Err(e) = fs::rename(staged, dir) {
        let _ = fs::rename(&old, dir);
        return Err(e);
    }
    fs::remove_dir_all(&old)
}
