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

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
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

/// Writes a file atomically: a temporary file beside it, then a rename, so
/// that a failure never leaves a half-written file.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes to standard output. A closed pipe (`stackc ... | head`) is not an
/// error worth a panic: the output is simply cut.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
