//! What the commands say on standard error, in one form: `error: …`,
//! `warning: …`, `note: …`, and the human report of findings that stopped
//! a command. Terminal controls and bidirectional characters in a message
//! (a file name can hold them) are escaped. Exit codes stay the commands'
//! (CLI.md): [`fail`] is the "could not run" one, 2.

use stackc::report::text::clean;
use stackc::report::{human, FileReport};
use std::io::{IsTerminal, Write};

fn say(kind: &str, msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{kind}: {}", clean(msg, true));
}

/// `error: MSG` on standard error.
pub fn error(msg: &str) {
    say("error", msg);
}

/// `warning: MSG` on standard error.
pub fn warn(msg: &str) {
    say("warning", msg);
}

/// `note: MSG` on standard error.
pub fn note(msg: &str) {
    say("note", msg);
}

/// A line of progress (`render --watch`) on standard error, as written.
pub fn status(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", clean(msg, true));
}

/// Prints a could-not-run error and returns exit code 2.
pub fn fail(msg: &str) -> u8 {
    error(msg);
    2
}

/// The human report of `r` on standard error: coloured when standard
/// error is a terminal and `NO_COLOR` is not set.
pub fn findings(r: &FileReport<'_>) {
    let style = human::Style {
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width: super::width(),
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", human::render(r, style));
}

/// What a command that the findings stopped prints: the report, then
/// `error: WHAT: fix the errors above` (`cannot draw web.stack`).
pub fn refused(r: &FileReport<'_>, what: &str) {
    findings(r);
    error(&format!("{what}: fix the errors above"));
}
