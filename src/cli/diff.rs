//! `stackc diff OLD NEW [--format human|json|markdown]` (TOOLS.md §2):
//! each side a file, `-` (standard input, at most one side) or `REV:PATH`
//! read through the `git` program (`origin/main:infra/prod.stack`, the
//! path resolved as `git show REV:PATH` resolves it: from the repository's
//! root, or from the current directory with `./`). A side that is an
//! existing file is read as that file, even when it also reads as
//! `REV:PATH`. Exit 1 when the change adds an error finding, 0 otherwise,
//! 2 when a side cannot be read (the message names the side).

use super::{decode, read_input, InputError, MAX_INPUT};
use crate::DiffFormat;
use stackc::diff::Side;
use stackc::report::diff::{self, Input};
use std::process::{Command, Stdio};

pub fn run(old: &str, new: &str, format: DiffFormat) -> u8 {
    if old == "-" && new == "-" {
        return super::report::fail(
            "both sides are `-` (standard input): standard input can be read only once",
        );
    }
    let read = |which: &str, arg: &str| {
        read_side(arg).map_err(|e| super::report::fail(&format!("{which} side `{arg}`: {e}")))
    };
    let old_src = match read("OLD", old) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let new_src = match read("NEW", new) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (old_side, new_side) = (
        Side {
            name: old,
            source: &old_src,
        },
        Side {
            name: new,
            source: &new_src,
        },
    );
    let (_, new_checked, d) = stackc::diff::diff_sides(old_side, new_side);
    let input = Input {
        old: old_side,
        new: new_side,
        new_checked: &new_checked,
        diff: &d,
    };
    let text = match format {
        DiffFormat::Human => diff::human(&input),
        DiffFormat::Json => diff::json(&input),
        DiffFormat::Markdown => diff::markdown(&input),
    };
    super::print(&text);
    u8::from(d.adds_error())
}

/// Why a side could not be read.
#[derive(Debug)]
pub enum SideError {
    Input(InputError),
    /// `git` could not be started.
    NoGit(std::io::Error),
    NotARepository,
    UnknownRevision(String),
    NotInRevision {
        rev: String,
        path: String,
    },
    /// The path names a directory (a tree) in the revision.
    NotAFile {
        rev: String,
        path: String,
    },
    /// A revision that would read as an option.
    BadRevision(String),
    /// Anything else git said.
    Git(String),
}

impl std::fmt::Display for SideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SideError::Input(e) => write!(f, "{e}"),
            SideError::NoGit(e) => write!(f, "reading REV:PATH needs the `git` program: {e}"),
            SideError::NotARepository => write!(
                f,
                "not a git repository (the current directory is in none), so REV:PATH cannot be read; no such file either"
            ),
            SideError::UnknownRevision(rev) => {
                write!(f, "unknown revision `{rev}` in this git repository")
            }
            SideError::NotInRevision { rev, path } => {
                write!(f, "path `{path}` is not in revision `{rev}`")
            }
            SideError::NotAFile { rev, path } => {
                write!(f, "`{path}` is a directory in revision `{rev}`, not a file")
            }
            SideError::BadRevision(rev) => {
                write!(f, "`{rev}` is not a revision: it starts with `-`")
            }
            SideError::Git(msg) => write!(f, "git: {msg}"),
        }
    }
}

/// Reads one side: `-`, an existing file, else `REV:PATH` through git,
/// else the file (whose error says it does not exist).
pub fn read_side(arg: &str) -> Result<String, SideError> {
    if arg == "-" || std::path::Path::new(arg).exists() {
        return read_input(arg).map_err(SideError::Input);
    }
    match arg.split_once(':') {
        Some((rev, path)) if !path.is_empty() => read_git(arg, rev, path),
        _ => read_input(arg).map_err(SideError::Input),
    }
}

/// Runs `git ARGS` (never through a shell): (success, stdout, stderr).
fn git(args: &[&str]) -> Result<(bool, Vec<u8>, String), SideError> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(SideError::NoGit)?;
    Ok((
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    ))
}

fn read_git(arg: &str, rev: &str, path: &str) -> Result<String, SideError> {
    if rev.starts_with('-') {
        return Err(SideError::BadRevision(rev.to_string()));
    }
    let (ok, out, err) = git(&["cat-file", "-t", arg])?;
    if !ok {
        if err.contains("not a git repository") {
            return Err(SideError::NotARepository);
        }
        // Which half is wrong: the revision, or the path in it.
        let tree = format!("{rev}^{{tree}}");
        let (rev_ok, _, _) = git(&["rev-parse", "--verify", "--quiet", &tree])?;
        return Err(if rev_ok || rev.is_empty() {
            SideError::NotInRevision {
                rev: rev.to_string(),
                path: path.to_string(),
            }
        } else {
            SideError::UnknownRevision(rev.to_string())
        });
    }
    if String::from_utf8_lossy(&out).trim() != "blob" {
        return Err(SideError::NotAFile {
            rev: rev.to_string(),
            path: path.to_string(),
        });
    }
    // Its size first: a blob over the cap is not read at all.
    let (ok, out, err) = git(&["cat-file", "-s", arg])?;
    let size: u64 = String::from_utf8_lossy(&out).trim().parse().unwrap_or(0);
    if !ok {
        return Err(SideError::Git(err));
    }
    if size > MAX_INPUT {
        return Err(SideError::Input(InputError::TooLarge {
            path: arg.to_string(),
        }));
    }
    let (ok, bytes, err) = git(&["cat-file", "blob", arg])?;
    if !ok {
        return Err(SideError::Git(err));
    }
    decode(arg, bytes).map_err(SideError::Input)
}
