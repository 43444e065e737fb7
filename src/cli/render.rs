//! `stackc render FILE --to mermaid|svg|dot|html [-o OUT] [--theme light|dark]
//! [--cuts K] [--watch]` (`html`: the interactive page, without `--cuts`)
//!
//! Draws whenever the model is sound (exit 0, findings or not: rendering is
//! not linting). A stopping error prints the diagnostics on stderr, writes
//! nothing and exits 1; an unreadable input or unwritable output exits 2,
//! and so does a `--cuts` search refused as too costly (the message names
//! the cost; nothing is written).
//! `-o` writes atomically ([`super::atomic::write_atomic`]).

use super::atomic::Mode;
use super::report;
use stackc::render::{self, Format, Theme};
use stackc::report::FileReport;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct Options<'a> {
    pub path: &'a str,
    pub format: Format,
    pub out: Option<&'a str>,
    pub theme: Theme,
    /// `--cuts K`: mark the cuts of size K.
    pub cuts: Option<usize>,
    /// `--to html`: the interactive page (`format` is then unused).
    pub page: bool,
}

enum Outcome {
    Drawn,
    Unsound,
    CouldNotRun,
}

/// Reads, checks and draws once. With `findings`, prints the findings on
/// stderr (the `--watch` loop does).
fn once(o: &Options, findings: bool) -> Outcome {
    let src = match super::read_input(o.path) {
        Ok(s) => s,
        Err(e) => {
            report::error(&e.to_string());
            return Outcome::CouldNotRun;
        }
    };
    let checked = super::check_input(o.path, &src);
    let drawn = match o.cuts {
        None if o.page => render::html::page(&checked, o.theme),
        Some(_) if o.page => {
            report::error(
                "--cuts draws on a diagram; the html page lists the cuts itself (leave --cuts out)",
            );
            return Outcome::CouldNotRun;
        }
        None => render::render(&checked, o.format, o.theme),
        Some(k) => match render::render_cuts(&checked, k, o.format, o.theme) {
            None => None,
            Some(Ok(text)) => Some(text),
            Some(Err(too_big)) => {
                report::error(&format!(
                    "cannot mark the cuts of size {k} of {}: {} (for a drawing: a smaller `--cuts`)",
                    o.path, too_big.message
                ));
                return Outcome::CouldNotRun;
            }
        },
    };
    let Some(out) = drawn else {
        report::refused(
            &FileReport::new(o.path, &src, &checked),
            &format!("cannot draw {}", o.path),
        );
        return Outcome::Unsound;
    };
    if findings {
        report::findings(&FileReport::new(o.path, &src, &checked));
    }
    let written = match o.out {
        Some(dest) => super::atomic::write_atomic(Path::new(dest), out.as_bytes(), Mode::Default)
            .map_err(|e| format!("cannot write {dest}: {e}")),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
    };
    match written {
        Ok(()) => Outcome::Drawn,
        Err(e) => {
            report::error(&e);
            Outcome::CouldNotRun
        }
    }
}

pub fn run(o: &Options, watch: bool) -> u8 {
    if !watch {
        return match once(o, false) {
            Outcome::Drawn => 0,
            Outcome::Unsound => 1,
            Outcome::CouldNotRun => 2,
        };
    }
    if o.path == "-" {
        return report::fail("--watch needs a file, not standard input");
    }
    watch_loop(o)
}

/// Draws, then draws again each time the file changes, until interrupted.
fn watch_loop(o: &Options) -> u8 {
    use notify::{RecursiveMode, Watcher};
    let file = PathBuf::from(o.path);
    let Ok(canonical) = std::fs::canonicalize(&file) else {
        return report::fail(&format!("cannot read {}", o.path));
    };
    // Watch the directory: editors often replace a file by renaming.
    let dir = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => return report::fail(&format!("cannot watch {}: {e}", o.path)),
    };
    if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
        return report::fail(&format!("cannot watch {}: {e}", dir.display()));
    }
    let draw = || {
        let started = Instant::now();
        let what = match once(o, true) {
            Outcome::Drawn => format!(
                "drawn{} in {} ms",
                o.out.map(|p| format!(" to {p}")).unwrap_or_default(),
                started.elapsed().as_millis()
            ),
            Outcome::Unsound => "not drawn: fix the errors above".to_string(),
            Outcome::CouldNotRun => "not drawn".to_string(),
        };
        report::status(&format!(
            "stackc render --watch: {what}; watching {} (Ctrl-C stops)",
            o.path
        ));
    };
    draw();
    let name = canonical.file_name().map(|n| n.to_os_string());
    loop {
        let Ok(event) = rx.recv() else {
            return 2;
        };
        let touches = |ev: &notify::Result<notify::Event>| match ev {
            Ok(ev) => {
                !matches!(ev.kind, notify::EventKind::Access(_))
                    && ev
                        .paths
                        .iter()
                        .any(|p| p.file_name().map(|n| n.to_os_string()) == name)
            }
            Err(_) => false,
        };
        if !touches(&event) {
            continue;
        }
        // Let a burst of events (write, then rename) settle, bounded.
        let settle = Instant::now();
        while settle.elapsed() < Duration::from_millis(500) {
            match rx.recv_timeout(Duration::from_millis(60)) {
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        draw();
    }
}

/// From the clap values of `main.rs`.
pub fn run_args(
    path: &str,
    to: crate::RenderFormat,
    out: Option<&str>,
    theme: crate::RenderTheme,
    watch: bool,
    cuts: Option<u8>,
) -> u8 {
    let format = match to {
        crate::RenderFormat::Mermaid => Format::Mermaid,
        crate::RenderFormat::Svg => Format::Svg,
        crate::RenderFormat::Dot => Format::Dot,
        // The page is drawn by `render::html::page` (`page` below), not `emit`.
        crate::RenderFormat::Html => Format::Svg,
    };
    let theme = match theme {
        crate::RenderTheme::Light => Theme::Light,
        crate::RenderTheme::Dark => Theme::Dark,
    };
    run(
        &Options {
            path,
            format,
            out,
            theme,
            cuts: cuts.map(usize::from),
            page: to == crate::RenderFormat::Html,
        },
        watch,
    )
}
