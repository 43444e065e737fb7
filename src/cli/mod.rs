//! The commands: read input, call the library, print, choose the exit code
//! (CLI.md: 0 clean, 1 findings, 2 could not run).

pub mod check;
pub mod explain;
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
