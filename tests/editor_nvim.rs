//! A real editor: Neovim headless (Debian `neovim`, 0.7+) with its built-in
//! LSP client attached to `stackc lsp` by exactly `editors/nvim/stackc.lua`
//! (the file the book's editors page includes). It opens a sample, and the
//! diagnostics Neovim holds equal `check --format json`; then the `lb-02`
//! line is deleted in the buffer and `spof lb-01` appears, as `check` says
//! of the edited text. `tests/editor_nvim/driver.lua` does the editor's
//! part; Neovim and its stackc child are killed by PID if it hangs.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `(code, line, byte column, severity)`, sorted.
type Key = (String, u64, u64, u64);

/// `check --format json` of `file` (run in its directory), as Neovim keys
/// the diagnostics: 0-based lines, byte columns.
fn check_keys(dir: &Path, file: &str) -> Vec<Key> {
    let out = common::stackc()
        .current_dir(dir)
        .args(["check", "--format", "json", file])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut keys: Vec<Key> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let line = f["line"].as_u64().unwrap() - 1;
            let chars = f["column"].as_u64().unwrap() as usize - 1;
            let bytes: usize = lines[line as usize]
                .chars()
                .take(chars)
                .map(char::len_utf8)
                .sum();
            let sev = if f["severity"] == "error" { 1 } else { 2 };
            (
                f["rule"].as_str().unwrap().to_string(),
                line,
                bytes as u64,
                sev,
            )
        })
        .collect();
    keys.sort();
    keys
}

fn nvim_keys(v: &Value) -> Vec<Key> {
    let mut keys: Vec<Key> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["source"], "stackc", "{d}");
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["lnum"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Kills a process by PID if it still runs `stackc lsp` (a PID reused by
/// something else is left alone).
fn kill_stackc(pid: i32) {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let is_ours =
        args.first().is_some_and(|a| a.ends_with(b"stackc")) && args.get(1) == Some(&&b"lsp"[..]);
    if is_ours {
        // SAFETY: kill(2) with a PID read from the child's own report.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

#[test]
fn neovim_shows_the_diagnostics_and_the_new_spof() {
    if !common::require_tool("nvim") {
        return;
    }
    let root = common::root();
    let dir = tempfile::tempdir().unwrap();
    let sample = "scale-up.stack";
    std::fs::copy(root.join("samples").join(sample), dir.path().join(sample)).unwrap();
    let out = dir.path().join("out");
    let bin = Path::new(env!("CARGO_BIN_EXE_stackc"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let stderr = std::fs::File::create(dir.path().join("nvim.log")).unwrap();
    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-u"])
        .arg(root.join("editors/nvim/stackc.lua"))
        .arg("-c")
        .arg(format!(
            "luafile {}",
            root.join("tests/editor_nvim/driver.lua").display()
        ))
        .arg(sample)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("STACKC_NVIM_OUT", &out)
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("nvim starts");
    let first = out.with_extension("1");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = nvim.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() >= deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let servers: Vec<i32> = read_json(&first)
        .map(|v| {
            v["extra"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["pid"].as_i64())
                .map(|p| p as i32)
                .collect()
        })
        .unwrap_or_default();
    if status.is_none() {
        for pid in &servers {
            kill_stackc(*pid);
        }
        let _ = nvim.kill();
        let _ = nvim.wait();
        let log = std::fs::read_to_string(dir.path().join("nvim.log")).unwrap_or_default();
        panic!("nvim did not finish within 90 s; its log:\n{log}");
    }
    assert!(status.unwrap().success(), "nvim failed");
    assert_eq!(servers.len(), 1, "one stackc client attached");
    // Neovim stopped its server on `qa!` (shutdown, exit): none is left.
    let gone = Instant::now() + Duration::from_secs(10);
    while servers
        .iter()
        .any(|p| Path::new(&format!("/proc/{p}")).exists())
        && Instant::now() < gone
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    for pid in &servers {
        kill_stackc(*pid);
    }

    let opened = read_json(&first).expect("nvim wrote the diagnostics");
    assert_eq!(nvim_keys(&opened), check_keys(dir.path(), sample));
    let edited = read_json(&out.with_extension("2")).expect("nvim wrote the edited diagnostics");
    let spof = edited["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "spof")
        .unwrap_or_else(|| panic!("spof lb-01 after deleting lb-02: {edited}"));
    assert!(
        spof["message"].as_str().unwrap().contains("lb-01"),
        "{spof}"
    );
    // And exactly what check says of the edited text.
    let text = std::fs::read_to_string(dir.path().join(sample)).unwrap();
    let without: String = text
        .split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with("server lb-02 "))
        .collect();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join(sample), without).unwrap();
    assert_eq!(nvim_keys(&edited), check_keys(other.path(), sample));
}
