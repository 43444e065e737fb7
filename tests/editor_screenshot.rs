//! The book's editor screenshot, taken for real: Neovim (Debian `neovim`)
//! with the book's `editors/nvim/stackc.lua` runs in tmux against the built
//! `stackc lsp` on the scale-up sample with `lb-02` deleted; the test waits
//! for the diagnostics, asks for hover on `lb-01`, captures the terminal
//! with its colours (`tmux capture-pane -e`), turns it into HTML and
//! photographs that in headless Chromium. The PNG lands in
//! `target/screenshots/editor.png`; `scripts/screenshots` copies it into the
//! book.

mod common;

#[path = "support/ansi_html.rs"]
mod ansi_html;
#[path = "support/editor_sample.rs"]
mod editor_sample;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COLUMNS: usize = 112;
const ROWS: usize = 34;

/// A tmux server on a private socket, killed on drop with the processes
/// of its pane (Neovim and the stackc it started), by PID.
struct Tmux {
    socket: PathBuf,
    pane_pid: Option<u32>,
}

impl Tmux {
    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen's text; with `colours`, with its SGR sequences.
    fn capture(&self, colours: bool) -> String {
        // -N keeps each line's trailing blanks (and their background).
        let mut args = vec!["capture-pane", "-p", "-N"];
        if colours {
            args.push("-e");
        }
        self.run(&args)
    }

    /// Types `keys` literally, then Enter.
    fn type_line(&self, keys: &str) {
        self.run(&["send-keys", "-l", keys]);
        self.run(&["send-keys", "Enter"]);
    }

    /// The screen once `done` holds for it, or a failure naming `what`
    /// with the last screen, after `limit`.
    fn wait_for(&self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.capture(false);
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {limit:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The children of a process (from /proc), recursively, deepest first.
fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            out.extend(descendants(child));
            out.push(child);
        }
    }
    out
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(pid) = self.pane_pid {
            let mut pids = descendants(pid);
            pids.push(pid);
            for p in pids {
                let _ = Command::new("kill").args(["-9", &p.to_string()]).status();
            }
        }
        let _ = self
            .command()
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(
        png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Photographs `#screen` of `page` into `png`: with playwright-core when
/// setup installed it (every request the page makes refused and counted,
/// none allowed), else with Chromium's own `--screenshot`.
fn photograph(page: &Path, png: &Path) {
    let root = common::root();
    let playwright = root.join("target/tools/playwright/node_modules/playwright-core");
    let started = Instant::now();
    if playwright.is_dir() && common::require_tool("node") {
        let out = Command::new("node")
            .arg(root.join("tests/support/screenshot.js"))
            .arg(&playwright)
            .arg(page)
            .arg(png)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shot: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(shot["requests"], 0, "the page asked for something: {shot}");
        eprintln!(
            "playwright-core screenshot: {shot} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        // Chromium alone cannot crop to the element: a window the size
        // of the screen at 15px/19px in DejaVu Sans Mono (9.03 px wide).
        let width = (COLUMNS as f64 * 9.04 + 24.0).ceil() as u32;
        let height = (ROWS * 19 + 20) as u32;
        let profile = tempfile::tempdir().unwrap();
        let status = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                // Nothing leaves the page: every host resolves nowhere.
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("chromium runs");
        assert!(status.success(), "chromium --screenshot: {status}");
        eprintln!(
            "chromium --screenshot in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn neovim_shows_the_spof_and_its_hover_and_the_screenshot_is_taken() {
    for tool in ["tmux", "nvim", "chromium"] {
        if !common::require_tool(tool) {
            return;
        }
    }
    let root = common::root();
    let config = root.join("editors/nvim/stackc.lua");
    assert!(config.is_file(), "the book's Neovim lines: {config:?}");

    let (sample, line, column) = editor_sample::scale_up_without_lb_02();
    // Neovim counts from 1 (ASCII: bytes are UTF-16 units).
    let (line, column) = (line + 1, column + 1);
    let findings = common::rules_and_subjects(&sample);
    assert!(
        findings.contains(&("spof".to_string(), "lb-01".to_string())),
        "{findings:?}"
    );
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("shop.stack"), &sample).unwrap();

    let stackc = PathBuf::from(env!("CARGO_BIN_EXE_stackc"));
    let path = std::env::join_paths(
        std::iter::once(stackc.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut tmux = Tmux {
        socket: work.path().join("tmux.sock"),
        pane_pid: None,
    };
    let started = Instant::now();
    let status = tmux
        .command()
        .args(["-f", "/dev/null", "new-session", "-d"])
        .args(["-x", &COLUMNS.to_string(), "-y", &ROWS.to_string()])
        .arg("-c")
        .arg(work.path())
        .arg(format!(
            "exec env TERM=tmux-256color nvim --clean -u '{}' shop.stack",
            config.display()
        ))
        .env("PATH", &path)
        .env_remove("TMUX")
        .status()
        .expect("tmux runs");
    assert!(status.success(), "tmux new-session: {status}");
    tmux.pane_pid = tmux
        .run(&["display", "-p", "#{pane_pid}"])
        .trim()
        .parse()
        .ok();

    let spof = "lb-01 is a single point of failure";
    tmux.wait_for("spof diagnostic", Duration::from_secs(20), |s| {
        s.contains(spof)
    });
    let diagnostics = started.elapsed();
    tmux.type_line(&format!(":call cursor({line}, {column})"));
    let before = tmux.wait_for("cursor on lb-01", Duration::from_secs(5), |s| {
        s.contains(&format!("{line},{column}"))
    });
    tmux.type_line(":lua vim.lsp.buf.hover()");
    // The hover float: rows of the buffer change (the last two are the
    // status and command lines); it says what goes dark.
    let rows = |s: &str| {
        s.lines()
            .take(ROWS - 2)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let old = rows(&before);
    let hover = tmux.wait_for("hover float", Duration::from_secs(10), |s| {
        let new = rows(s);
        let changed: Vec<&String> = new
            .iter()
            .zip(&old)
            .filter(|(n, o)| n != o)
            .map(|p| p.0)
            .collect();
        changed.iter().any(|l| l.contains("goes dark"))
    });
    // Clear the command line; the float stays.
    tmux.run(&["send-keys", ":", "Escape"]);
    tmux.wait_for("clear command line", Duration::from_secs(5), |s| {
        !s.contains(":lua vim.lsp.buf.hover()")
    });
    std::thread::sleep(Duration::from_millis(300));
    let ansi = tmux.capture(true);
    let screen = tmux.capture(false);
    assert!(
        screen.contains(spof) && screen.contains("goes dark"),
        "{hover}"
    );
    let started_pids: Vec<u32> = tmux
        .pane_pid
        .map(|p| {
            let mut v = descendants(p);
            v.push(p);
            v
        })
        .unwrap_or_default();
    assert!(
        started_pids.len() >= 2,
        "Neovim and its stackc: {started_pids:?}"
    );
    drop(tmux);
    // Neovim and the stackc it started are gone (or dead, awaiting reaping).
    let deadline = Instant::now() + Duration::from_secs(5);
    for pid in started_pids {
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
        };
        while alive() {
            assert!(Instant::now() < deadline, "process {pid} outlived the test");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    let out = root.join("target/screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("editor.ansi"), &ansi).unwrap();
    let page = out.join("editor.html");
    std::fs::write(
        &page,
        ansi_html::page("stackc lsp in Neovim", &ansi, COLUMNS),
    )
    .unwrap();
    let png = out.join("editor.png");
    let _ = std::fs::remove_file(&png);
    photograph(&page, &png);
    let bytes = std::fs::read(&png).expect("the screenshot");
    let (width, height) = png_size(&bytes);
    assert!(
        (800..=1600).contains(&width) && (500..=1000).contains(&height),
        "{width}x{height}"
    );
    assert!(
        bytes.len() > 20_000,
        "{} bytes: a blank picture?",
        bytes.len()
    );
    println!(
        "{}: {width}x{height}, {} bytes; spof diagnostic in Neovim {:.1} s after start, whole test {:.1} s",
        png.display(),
        bytes.len(),
        diagnostics.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
