//! The commands: read input, call the library, print, choose the exit code
//! (CLI.md: 0 clean, 1 findings, 2 could not run).

pub mod bundle;
pub mod check;
pub mod explain;
pub mod fmt;
pub mod man;
pub mod mdbook;
pub mod render;
pub mod simulate;

use std::io::{IsTerminal, Read};

/// The most stackc reads of one input (a file, standard input, a fifo):
/// 16 MiB. A `.stack` file that size describes far more servers than any
/// stack has; the cap keeps `check /dev/zero` from eating the memory.
pub const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Why an input could not be read. `Display` is the message for the user;
/// the variants let a report say what went wrong.
#[derive(Debug)]
pub enum InputError {
    /// The file could not be opened or read.
    Unreadable { path: String, error: std::io::Error },
    /// It holds more than [`MAX_INPUT`] bytes.
    TooLarge { path: String },
    /// It is not UTF-8: the first invalid byte, its 1-based line and column
    /// (in characters) and its 0-based byte offset.
    NotUtf8 {
        path: String,
        byte: u8,
        line: usize,
        column: usize,
        offset: usize,
    },
}

/// `standard input` for `-`, else the path.
fn input_name(path: &str) -> &str {
    if path == "-" {
        "standard input"
    } else {
        path
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Unreadable { path, error } => {
                write!(f, "cannot read {}: {error}", input_name(path))
            }
            InputError::TooLarge { path } => write!(
                f,
                "{} is larger than 16 MiB: stackc reads at most {MAX_INPUT} bytes of one input",
                input_name(path)
            ),
            InputError::NotUtf8 {
                path,
                byte,
                line,
                column,
                offset,
            } => write!(
                f,
                "{} is not UTF-8: byte 0x{byte:02X} at line {line}, column {column} (byte offset {offset}) is not valid UTF-8",
                input_name(path)
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Reads a file, or standard input for `-`: at most [`MAX_INPUT`] bytes,
/// which must be UTF-8.
pub fn read_input(path: &str) -> Result<String, InputError> {
    let unreadable = |error| InputError::Unreadable {
        path: path.to_string(),
        error,
    };
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
    } else {
        let file = std::fs::File::open(path).map_err(unreadable)?;
        // A regular file says its size: no need to read 16 MiB to refuse it.
        if let Ok(meta) = file.metadata() {
            if meta.is_file() && meta.len() > MAX_INPUT {
                return Err(InputError::TooLarge {
                    path: path.to_string(),
                });
            }
            if meta.is_file() {
                bytes.reserve(meta.len() as usize);
            }
        }
        file.take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
    }
    if bytes.len() as u64 > MAX_INPUT {
        return Err(InputError::TooLarge {
            path: path.to_string(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix is valid UTF-8, so lines and characters can be counted.
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
        InputError::NotUtf8 {
            path: path.to_string(),
            byte: bytes[offset],
            line: valid.matches('\n').count() + 1,
            column: valid[line_start..].chars().count() + 1,
            offset,
        }
    })
}

/// Checks one input's text: a stack without a `stack` statement is named
/// after its file (`samples/web.stack` is `web`; standard input has no name).
pub fn check_input(path: &str, src: &str) -> stackc::Checked {
    let stem = (path != "-")
        .then(|| std::path::Path::new(path).file_stem())
        .flatten()
        .and_then(|s| s.to_str());
    stackc::check_as(src, stem)
}

/// Colour only on a terminal, and never with NO_COLOR set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// Prints a could-not-run error and returns exit code 2.
pub fn fail(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    2
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
/// Normally atomic: a temporary file in the real file's directory, given
/// the same owner (`fchown`, when allowed) and mode, synced, then renamed
/// over the real file, so that a failure never leaves a half-written file.
/// A file with several hard links cannot be replaced by a rename without
/// splitting them, a file of another owner cannot be replaced without
/// changing its owner, and a file in a folder we may not write cannot be
/// replaced at all: those are overwritten in place (the new contents
/// are complete in memory first; the write itself is not atomic), and the
/// result says so. A file that may not be written is not replaced either.
pub fn rewrite_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<Rewritten> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let real = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    // The permission to change the file is the permission to write it, not
    // the directory's: a read-only file stays unchanged.
    let file = std::fs::OpenOptions::new().write(true).open(&real)?;
    if meta.nlink() > 1 {
        overwrite(&file, bytes)?;
        return Ok(Rewritten::InPlaceLinks(meta.nlink()));
    }
    let dir = real.parent().unwrap_or(std::path::Path::new("/"));
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = match tempfile::Builder::new()
        .prefix(&format!(".{name}.stackc-"))
        .suffix(".tmp")
        .tempfile_in(dir)
    {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
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
    // After the chown, which clears set-id bits.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&real).map_err(|e| e.error)?;
    // The rename itself is durable once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(Rewritten::Replaced)
}

/// Overwrites an open file from its start and cuts it to the new length.
fn overwrite(file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(bytes, 0)?;
    file.set_len(bytes.len() as u64)?;
    file.sync_all()
}

/// Writes to standard output. A closed pipe (`stackc ... | head`) is not an
/// error worth a panic: the output is simply cut.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
