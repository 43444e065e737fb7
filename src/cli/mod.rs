//! The commands: read input, call the library, print, choose the exit code
//! (CLI.md: 0 clean, 1 findings, 2 could not run).

pub mod atomic;
pub mod bundle;
pub mod check;
pub mod diff;
pub mod drift;
pub mod explain;
pub mod fmt;
pub mod import;
pub mod lsp;
pub mod man;
pub mod mdbook;
pub mod render;
pub mod report;
pub mod resilience;
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
    decode(path, bytes)
}

/// The text of bytes read from `path` (a file, standard input, a git
/// revision's file): at most [`MAX_INPUT`] bytes, which must be UTF-8.
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, InputError> {
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
    check_input_with(path, src, None)
}

/// [`check_input`] with `--tolerate K` overriding the file's `tolerate=`.
pub fn check_input_with(path: &str, src: &str, tolerate: Option<u8>) -> stackc::Checked {
    let stem = (path != "-")
        .then(|| std::path::Path::new(path).file_stem())
        .flatten()
        .and_then(|s| s.to_str());
    stackc::check_with(src, stem, tolerate)
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

/// Writes to standard output. A closed pipe (`stackc ... | head`) is not an
/// error worth a panic: the output is simply cut.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
