//! The checker thread: documents are checked off the main loop, debounced,
//! newest version only.
//!
//! A job waits [`DEBOUNCE`] after it arrived for newer text of the same
//! document (typing sends one change per key); when the window closes, the
//! newest text of each waiting document is checked and its snapshot and
//! diagnostics go back to the main loop, which publishes them only if no
//! newer text has come since. Requests never wait for this thread: they
//! read the last snapshot that finished.

use lsp_types::{Diagnostic, Uri};
use stackc::lsp::{diagnostics, Snapshot};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a change waits for the next one before it is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// The diagnostic of a check that failed.
const INTERNAL: &str = "stackc failed to check this text (an internal error, please report it: the server's log has the details)";

/// What the main loop asks of the checker.
pub enum Job {
    /// Check this text (`seq` orders every text the server was given).
    Check {
        uri: Uri,
        text: String,
        version: i32,
        name: Option<String>,
        seq: u64,
    },
    /// The document was closed, or its newest text is not to be checked
    /// (too large, not Unicode): drop what waits for it.
    Forget(Uri),
}

/// A finished check.
pub struct Done {
    pub uri: Uri,
    pub seq: u64,
    /// `None` when the check failed (a bug: it panicked).
    pub snapshot: Option<Arc<Snapshot>>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Waiting {
    text: String,
    version: i32,
    name: Option<String>,
    seq: u64,
    since: Instant,
}

/// Runs until the main loop drops its sender (or `done` says it stopped
/// listening, by returning false).
pub fn run(jobs: Receiver<Job>, mut done: impl FnMut(Done) -> bool, window: Duration) {
    // In arrival order of each document's first waiting job.
    let mut waiting: Vec<(Uri, Waiting)> = Vec::new();
    loop {
        if waiting.is_empty() {
            match jobs.recv() {
                Ok(job) => take(&mut waiting, job),
                Err(_) => return,
            }
        }
        // Wait until the window of the oldest waiting job closes.
        loop {
            let Some(oldest) = waiting.iter().map(|(_, w)| w.since).min() else {
                break;
            };
            let left = (oldest + window).saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match jobs.recv_timeout(left) {
                Ok(job) => take(&mut waiting, job),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            take(&mut waiting, job);
        }
        for (uri, w) in std::mem::take(&mut waiting) {
            let (snapshot, diagnostics) = match check(&uri, w.text, w.name.as_deref(), w.version) {
                Some((snap, diags)) => (Some(Arc::new(snap)), diags),
                None => (
                    None,
                    vec![super::whole_file_diagnostic(INTERNAL.to_string())],
                ),
            };
            let out = Done {
                uri,
                seq: w.seq,
                snapshot,
                diagnostics,
            };
            if !done(out) {
                return;
            }
            // Text that came during this check is newer than the rest of
            // the batch's: take it now so the next round sees it.
            while let Ok(job) = jobs.try_recv() {
                take(&mut waiting, job);
            }
        }
    }
}

/// Adds a job: the newest text of a document replaces the one waiting
/// (keeping its place and its arrival time, so a steady stream of changes
/// is still checked every window).
fn take(waiting: &mut Vec<(Uri, Waiting)>, job: Job) {
    match job {
        Job::Check {
            uri,
            text,
            version,
            name,
            seq,
        } => {
            let new = Waiting {
                text,
                version,
                name,
                seq,
                since: Instant::now(),
            };
            match waiting.iter_mut().find(|(u, _)| *u == uri) {
                Some((_, w)) => {
                    let since = w.since;
                    *w = Waiting { since, ..new };
                }
                None => waiting.push((uri, new)),
            }
        }
        Job::Forget(uri) => waiting.retain(|(u, _)| *u != uri),
    }
}

/// One check, its panic caught: a bug in a rule must not take the server
/// down (the panic message goes to stderr, the editor's log).
fn check(
    uri: &Uri,
    text: String,
    name: Option<&str>,
    version: i32,
) -> Option<(Snapshot, Vec<Diagnostic>)> {
    catch_unwind(AssertUnwindSafe(|| {
        let snap = Snapshot::new(text, name, version);
        let diags = diagnostics::of(&snap, uri);
        (snap, diags)
    }))
    .ok()
}
