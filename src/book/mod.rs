//! The markdown side of `stackc mdbook`: one chapter's text in, the
//! rewritten text out. No I/O: what a directive reads (a file of the book,
//! a command's `--help`, a simulation's report) comes from the [`Host`]
//! the caller gives; the mdBook protocol (JSON on standard input and
//! output, `book.toml`, the file system) is `src/cli/mdbook.rs`.
//!
//! In a chapter:
//!
//! - a fenced block whose info string is `stack` becomes the stack's
//!   diagram, inline SVG ([`blocks`]);
//! - `{{#stackc VERB ARGS}}` standing alone on its line is replaced by what
//!   it names ([`directives`]).
//!
//! Every block is checked, so the examples of a book cannot rot, and what
//! a file brings into the book cannot be taken for markup ([`markdown`]).

mod blocks;
mod diff;
mod directives;
pub mod figures;

pub use directives::{attributes_table, protocols_line, roles_table};
pub mod markdown;

use std::cell::Cell;

/// What a chapter's directives need from outside the library.
pub trait Host {
    /// FILE of a directive (relative to the book's root, checked to lie
    /// under the folder the book may read): the name to show and the text.
    fn read(&self, file: &str) -> Result<(String, String), String>;
    /// The `--help` text of stackc (`None`) or of one of its commands;
    /// `None` when there is no such command.
    fn help(&self, command: Option<&str>) -> Option<String>;
    /// `stackc simulate`'s human report of `names` down, for the file shown
    /// as `shown`.
    fn simulate(
        &self,
        shown: &str,
        checked: &crate::Checked,
        names: &[String],
    ) -> Result<String, String>;
}

/// The preprocessor's settings (`[preprocessor.stackc]` in `book.toml`).
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// mdBook's `links` preprocessor may run on this one's output: `{{#...}}`
    /// in a file's text is escaped (or refused).
    pub links_after: bool,
    /// Add the findings under every diagram.
    pub findings: bool,
    /// Draw diagrams in the dark theme.
    pub dark: bool,
}

/// Rewrites the chapters of one book. Diagrams are numbered across all the
/// chapters it rewrites, so that their ids never collide.
pub struct Preprocessor<'a> {
    config: Config,
    host: &'a dyn Host,
    next_diagram: Cell<usize>,
}

impl<'a> Preprocessor<'a> {
    pub fn new(config: Config, host: &'a dyn Host) -> Self {
        Preprocessor {
            config,
            host,
            next_diagram: Cell::new(1),
        }
    }

    /// Rewrites one chapter's markdown; the errors, each with its line.
    pub fn chapter(&self, content: &str) -> Result<String, Vec<String>> {
        let mut out = String::with_capacity(content.len());
        let mut errors = Vec::new();
        let mut lines = content.split_inclusive('\n').enumerate().peekable();
        while let Some((n, line)) = lines.next() {
            let trimmed = line.trim_start();
            if let Some((ch, len)) = markdown::fence_of(trimmed) {
                let info = trimmed[len..].trim();
                let mut body = String::new();
                let mut closing = None;
                for (_, l) in lines.by_ref() {
                    if markdown::fence_of(l.trim_start()).is_some_and(|(c, n)| c == ch && n >= len)
                        && l.trim().chars().all(|c| c == ch)
                    {
                        closing = Some(l);
                        break;
                    }
                    body.push_str(l);
                }
                let first_word = info.split([',', ' ']).next().unwrap_or("");
                match closing {
                    Some(_) if first_word == "stack" => match self.stack_block(info, &body) {
                        Ok(html) => out.push_str(&html),
                        Err(e) => errors.push(format!("line {}: {e}", n + 1)),
                    },
                    _ => {
                        out.push_str(line);
                        out.push_str(&body);
                        out.push_str(closing.unwrap_or(""));
                    }
                }
                continue;
            }
            match self.directives(line) {
                Ok(l) => out.push_str(&l),
                Err(e) => errors.push(format!("line {}: {e}", n + 1)),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// The number of the next diagram (its ids' prefix).
    fn diagram_number(&self) -> usize {
        let n = self.next_diagram.get();
        self.next_diagram.set(n + 1);
        n
    }
}

#[cfg(test)]
mod tests;
