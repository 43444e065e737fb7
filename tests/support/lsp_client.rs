//! A stdio client for `stackc lsp`, as an editor drives it: spawns the
//! built binary, frames JSON-RPC with `Content-Length`, reads the server's
//! frames on a thread and waits for them with a timeout (a hung server
//! fails the test instead of hanging it), and kills the child on drop.
#![allow(dead_code)] // each test binary uses part of it

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any one answer may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: Receiver<Value>,
    /// Server messages read while waiting for something else.
    pending: Vec<Value>,
    next_id: i64,
}

impl LspClient {
    /// Starts `stackc lsp` (stderr, its log, is kept quiet).
    pub fn spawn() -> LspClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stackc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("stackc lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, frames) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_frame(&mut r) {
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        LspClient {
            stdin: child.stdin.take(),
            child,
            frames,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    /// A started server after `initialize` and `initialized`; the
    /// initialize result.
    pub fn initialized() -> (LspClient, Value) {
        let mut c = LspClient::spawn();
        let r = c.request(
            "initialize",
            json!({ "capabilities": {}, "processId": null }),
        );
        c.notify("initialized", json!({}));
        (c, r)
    }

    /// Writes raw bytes as one frame's body.
    pub fn send_body(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.send_bytes(&frame);
    }

    /// Writes raw bytes (framing included, or not).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("server reads");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, msg: &Value) {
        self.send_body(msg.to_string().as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request; its id.
    pub fn start(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// A request's whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.start(method, params);
        self.response(&json!(id))
    }

    /// A request's `result`; panics on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The response with this id.
    pub fn response(&mut self, id: &Value) -> Value {
        self.wait(|m| m.get("method").is_none() && m.get("id") == Some(id))
            .unwrap_or_else(|| panic!("no response to request {id} within {TIMEOUT:?}"))
    }

    /// The first message `want` accepts (earlier or later ones are kept
    /// for later waits); `None` after [`TIMEOUT`].
    pub fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Option<Value> {
        self.wait_for(TIMEOUT, want)
    }

    pub fn wait_for(&mut self, timeout: Duration, want: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(&want) {
            return Some(self.pending.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.frames.recv_timeout(left) {
                Ok(m) if want(&m) => return Some(m),
                Ok(m) => self.pending.push(m),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// The messages read while waiting for others, in arrival order.
    pub fn take_pending(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.pending)
    }

    /// Every message that arrives within `quiet` (none: empty).
    pub fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.pending);
        while let Ok(m) = self.frames.recv_timeout(quiet) {
            out.push(m);
        }
        out
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "stack", "version": version, "text": text } }),
        );
    }

    /// Replaces the whole text.
    pub fn change(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
    }

    /// Replaces `range` (an LSP range as JSON) with `text`.
    pub fn edit(&mut self, uri: &str, range: Value, text: &str, version: i64) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": text }] }),
        );
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self
            .wait(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            })
            .unwrap_or_else(|| panic!("no diagnostics for {uri} v{version} within {TIMEOUT:?}"));
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Closes stdin (the editor went away).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The exit status, if the server exits within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown` (answered `null`), then `exit`: the exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        self.wait_exit(TIMEOUT).expect("the server exits")
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        // By its own PID only: `Child::kill` signals this child.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// One frame from the server, parsed; `None` at the end (or a bad frame,
/// which the test reports as a missing answer).
fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A `file://` URI for a path (percent-encoding what a path may hold).
pub fn file_uri(path: &std::path::Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}
