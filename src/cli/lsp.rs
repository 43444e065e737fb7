//! `stackc lsp`: the language server (TOOLS.md §1), LSP 3.17 over stdio.
//!
//! Three threads besides this one: the reader (frames from stdin,
//! [`wire`]), the writer (frames to stdout) and the checker ([`worker`]).
//! This thread keeps the open documents, answers every request at once from
//! the last snapshot that finished (`src/lsp/`, pure), and publishes a
//! document's diagnostics when the checker returns its newest text.
//!
//! Text sync is incremental (ranges in UTF-16, as positions everywhere).
//! Nothing a client sends stops the server: bad frames get an error
//! response, unknown requests `MethodNotFound`, requests before `initialize`
//! `ServerNotInitialized`, a request on a document never opened `null`, and
//! a panic in a handler `InternalError`. `exit` ends it (status 0 after
//! `shutdown`, else 1), as does the end of stdin.

mod wire;
mod worker;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionParams, Diagnostic, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverParams, HoverProviderCapability, InitializeResult, OneOf,
    PositionEncodingKind, PrepareRenameResponse, PublishDiagnosticsParams, Range, ReferenceParams,
    RenameOptions, RenameParams, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use stackc::lsp::{self, Snapshot};
use std::collections::HashMap;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use worker::{Done, Job};

/// What the main loop hears.
enum Event {
    In(wire::Incoming),
    Checked(Done),
    /// Stdin closed (or could not be read).
    Eof,
}

/// Serves on stdin/stdout until `exit` or the end of stdin; the exit status.
pub fn run() -> u8 {
    let (events, inbox) = mpsc::channel::<Event>();
    let reader = events.clone();
    let spawned = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            loop {
                match wire::read(&mut input) {
                    Ok(Some(m)) => {
                        if reader.send(Event::In(m)).is_err() {
                            return;
                        }
                    }
                    Ok(None) | Err(_) => {
                        let _ = reader.send(Event::Eof);
                        return;
                    }
                }
            }
        });
    let (out, outbox) = mpsc::channel::<String>();
    let (flushed, all_written) = mpsc::channel::<()>();
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            let mut w = stdout.lock();
            for json in outbox {
                if wire::write(&mut w, &json).is_err() {
                    break;
                }
            }
            let _ = flushed.send(());
        });
    let (jobs, queue) = mpsc::channel::<Job>();
    let checked = events.clone();
    let checker = std::thread::Builder::new()
        .name("lsp-checker".into())
        .spawn(move || {
            worker::run(
                queue,
                |done| checked.send(Event::Checked(done)).is_ok(),
                worker::DEBOUNCE,
            )
        });
    if spawned.is_err() || writer.is_err() || checker.is_err() {
        log("could not start its threads");
        return 2;
    }
    drop(events);
    let mut server = Server {
        out,
        jobs,
        state: State::Uninitialized,
        docs: HashMap::new(),
        seq: 0,
    };
    let code = loop {
        match inbox.recv() {
            Ok(Event::In(incoming)) => {
                if let Some(code) = server.incoming(incoming) {
                    break code;
                }
            }
            Ok(Event::Checked(done)) => server.checked(done),
            Ok(Event::Eof) | Err(_) => break server.exit_code(),
        }
    };
    // Let the writer finish what is queued (the `shutdown` answer), but do
    // not hang on a client that stopped reading.
    drop(server);
    let _ = all_written.recv_timeout(Duration::from_secs(2));
    code
}

/// A line in the server's log (stderr, which editors show as its output).
fn log(what: &str) {
    let _ = writeln!(io::stderr(), "stackc lsp: {what}");
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

/// One open document.
struct Doc {
    text: String,
    version: i32,
    /// The stack's name when the text has no `stack` line: the file stem.
    name: Option<String>,
    /// The `seq` of the newest text.
    seq: u64,
    /// The newest snapshot that finished, and the `seq` of its text.
    snapshot: Option<(u64, Arc<Snapshot>)>,
    /// The text held lone surrogates (replaced by U+FFFD): not checked.
    not_unicode: bool,
}

struct Server {
    out: mpsc::Sender<String>,
    jobs: mpsc::Sender<Job>,
    state: State,
    docs: HashMap<Uri, Doc>,
    /// Counts every text given, across documents and re-openings.
    seq: u64,
}

type Failure = (ErrorCode, String);

impl Server {
    fn exit_code(&self) -> u8 {
        if self.state == State::ShutDown {
            0
        } else {
            1
        }
    }

    fn send(&self, msg: Message) {
        let _ = self.out.send(wire::encode(&msg));
    }

    fn reply(&self, id: RequestId, result: Result<Value, Failure>) {
        let response = match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response.into());
    }

    /// Handles one frame; `Some(status)` when the server is to exit.
    fn incoming(&mut self, incoming: wire::Incoming) -> Option<u8> {
        let (msg, repaired) = match incoming {
            wire::Incoming::Message { msg, repaired } => (msg, repaired),
            wire::Incoming::Invalid { id, code, message } => {
                log(&message);
                let _ = self.out.send(wire::encode_error(id, code, &message));
                return None;
            }
        };
        match msg {
            Message::Request(req) => self.request(req),
            Message::Notification(n) if n.method == "exit" => return Some(self.exit_code()),
            Message::Notification(n) => {
                if self.state == State::Running {
                    self.notification(n, repaired);
                }
            }
            // stackc sends no requests: a response answers nothing.
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, req: Request) {
        let result = match (self.state, req.method.as_str()) {
            (State::Uninitialized, "initialize") => {
                self.state = State::Running;
                Ok(serde_json::to_value(initialize_result()).unwrap_or_default())
            }
            (State::Uninitialized, _) => Err((
                ErrorCode::ServerNotInitialized,
                format!("`{}` before `initialize`", req.method),
            )),
            (State::Running, "initialize") => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".to_string(),
            )),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            (State::Running, _) => self.answer(&req.method, req.params),
            (State::ShutDown, _) => Err((
                ErrorCode::InvalidRequest,
                format!("`{}` after `shutdown`", req.method),
            )),
        };
        self.reply(req.id, result);
    }

    /// A request's answer, from the newest finished snapshot of its
    /// document (`null` when there is none yet, or the document was never
    /// opened).
    fn answer(&self, method: &str, params: Value) -> Result<Value, Failure> {
        match method {
            "textDocument/hover" => self.on(
                params,
                |p: &HoverParams| &p.text_document_position_params.text_document.uri,
                |s, _, p| Ok(lsp::hover::at(s, p.text_document_position_params.position)),
            ),
            "textDocument/definition" => self.on(
                params,
                |p: &GotoDefinitionParams| &p.text_document_position_params.text_document.uri,
                |s, u, p| {
                    Ok(
                        lsp::goto::definition(s, u, p.text_document_position_params.position)
                            .map(GotoDefinitionResponse::Scalar),
                    )
                },
            ),
            "textDocument/references" => self.on(
                params,
                |p: &ReferenceParams| &p.text_document_position.text_document.uri,
                |s, u, p| {
                    Ok(lsp::goto::references(
                        s,
                        u,
                        p.text_document_position.position,
                        p.context.include_declaration,
                    ))
                },
            ),
            "textDocument/prepareRename" => self.on(
                params,
                |p: &TextDocumentPositionParams| &p.text_document.uri,
                |s, _, p| Ok(lsp::rename::prepare(s, p.position).map(PrepareRenameResponse::Range)),
            ),
            "textDocument/rename" => self.on_fresh(
                params,
                |p: &RenameParams| &p.text_document_position.text_document.uri,
                |s, u, p| lsp::rename::edits(s, u, p.text_document_position.position, &p.new_name),
            ),
            "textDocument/completion" => self.complete(params),
            "textDocument/formatting" => self.format(params),
            "textDocument/codeAction" => self.on_fresh(
                params,
                |p: &CodeActionParams| &p.text_document.uri,
                |s, u, p| Ok(lsp::actions::at(s, u, p.range)),
            ),
            "textDocument/documentSymbol" => self.on(
                params,
                |p: &DocumentSymbolParams| &p.text_document.uri,
                |s, _, _| Ok(DocumentSymbolResponse::Nested(lsp::symbols::document(s))),
            ),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("stackc lsp does not handle `{method}`"),
            )),
        }
    }

    /// Reads the params, finds the document's snapshot and runs `f` on it,
    /// its panic caught. `Err(message)` from `f` (a refused rename) is a
    /// `RequestFailed` with that message.
    fn on<P: DeserializeOwned, R: serde::Serialize>(
        &self,
        params: Value,
        uri: impl FnOnce(&P) -> &Uri,
        f: impl FnOnce(&Snapshot, &Uri, P) -> Result<R, String>,
    ) -> Result<Value, Failure> {
        self.run(params, uri, f, false)
    }

    /// [`Server::on`] for the requests that answer edits (rename, code
    /// actions): made from a snapshot older than the text, they would undo
    /// what was typed since, so the answer is then `ContentModified` (the
    /// protocol's "ask again"; editors retry or stay quiet).
    fn on_fresh<P: DeserializeOwned, R: serde::Serialize>(
        &self,
        params: Value,
        uri: impl FnOnce(&P) -> &Uri,
        f: impl FnOnce(&Snapshot, &Uri, P) -> Result<R, String>,
    ) -> Result<Value, Failure> {
        self.run(params, uri, f, true)
    }

    fn run<P: DeserializeOwned, R: serde::Serialize>(
        &self,
        params: Value,
        uri: impl FnOnce(&P) -> &Uri,
        f: impl FnOnce(&Snapshot, &Uri, P) -> Result<R, String>,
        fresh: bool,
    ) -> Result<Value, Failure> {
        let p: P = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))?;
        let uri = uri(&p).clone();
        let Some(doc) = self.docs.get(&uri) else {
            return Ok(Value::Null);
        };
        let Some((seq, snap)) = doc.snapshot.as_ref() else {
            return Ok(Value::Null);
        };
        if fresh && *seq != doc.seq {
            return Err((
                ErrorCode::ContentModified,
                "the document changed since its last check: ask again".to_string(),
            ));
        }
        let snap = Arc::clone(snap);
        match catch_unwind(AssertUnwindSafe(|| f(&snap, &uri, p))) {
            Ok(Ok(r)) => Ok(serde_json::to_value(r).unwrap_or_default()),
            Ok(Err(message)) => Err((ErrorCode::RequestFailed, message)),
            Err(_) => Err(internal_error()),
        }
    }

    /// Completion reads the newest text (a `=` typed a moment ago is not in
    /// the last checked one: its check may still be waiting out the
    /// debounce), with the names and findings of the newest snapshot.
    fn complete(&self, params: Value) -> Result<Value, Failure> {
        let p: CompletionParams = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))?;
        let pos = p.text_document_position.position;
        let Some(doc) = self.docs.get(&p.text_document_position.text_document.uri) else {
            return Ok(Value::Null);
        };
        let Some((seq, snap)) = doc.snapshot.as_ref() else {
            return Ok(Value::Null);
        };
        let snap = Arc::clone(snap);
        let items = catch_unwind(AssertUnwindSafe(|| {
            if *seq == doc.seq {
                lsp::completion::at(&snap, pos)
            } else {
                let index = lsp::LineIndex::new(&doc.text);
                lsp::completion::at_text(&doc.text, &index, pos, &snap.checked)
            }
        }))
        .map_err(|_| internal_error())?;
        Ok(serde_json::to_value(items).unwrap_or_default())
    }

    /// `stackc fmt` of the newest text (not the last checked one). A text
    /// stackc does not read (too large, not Unicode) is not formatted.
    fn format(&self, params: Value) -> Result<Value, Failure> {
        let p: DocumentFormattingParams = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))?;
        let Some(doc) = self.docs.get(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        if doc.not_unicode || doc.text.len() as u64 > super::MAX_INPUT {
            return Ok(Value::Null);
        }
        let index = lsp::LineIndex::new(&doc.text);
        match catch_unwind(AssertUnwindSafe(|| {
            lsp::format::text_edits(&doc.text, &index)
        })) {
            Ok(edits) => Ok(serde_json::to_value(edits).unwrap_or_default()),
            Err(_) => Err(internal_error()),
        }
    }

    fn notification(&mut self, n: Notification, repaired: bool) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Some(p) = params::<DidOpenTextDocumentParams>(&n) else {
                    return;
                };
                let doc = p.text_document;
                let name = stem(&doc.uri);
                self.docs.insert(
                    doc.uri.clone(),
                    Doc {
                        text: doc.text,
                        version: doc.version,
                        name,
                        seq: 0,
                        snapshot: None,
                        not_unicode: repaired,
                    },
                );
                self.schedule(doc.uri);
            }
            "textDocument/didChange" => {
                let Some(p) = params::<DidChangeTextDocumentParams>(&n) else {
                    return;
                };
                let uri = p.text_document.uri;
                let Some(doc) = self.docs.get_mut(&uri) else {
                    log(&format!(
                        "ignored a change to {}, which is not open",
                        uri.as_str()
                    ));
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            replace(&mut doc.text, range, &change.text);
                            doc.not_unicode |= repaired;
                        }
                        None => {
                            doc.text = change.text;
                            doc.not_unicode = repaired;
                        }
                    }
                }
                doc.version = p.text_document.version;
                self.schedule(uri);
            }
            "textDocument/didClose" => {
                let Some(p) = params::<DidCloseTextDocumentParams>(&n) else {
                    return;
                };
                let uri = p.text_document.uri;
                if let Some(doc) = self.docs.remove(&uri) {
                    let _ = self.jobs.send(Job::Forget(uri.clone()));
                    if let Some((_, old)) = doc.snapshot {
                        let _ = self.jobs.send(Job::Drop(old));
                    }
                    self.publish(uri, Vec::new(), None);
                }
            }
            // initialized, didSave, $/cancelRequest (every answer is
            // immediate), $/setTrace, configuration: nothing to do.
            _ => {}
        }
    }

    /// The document's text changed: check it, or say why not.
    fn schedule(&mut self, uri: Uri) {
        self.seq += 1;
        let seq = self.seq;
        let Some(doc) = self.docs.get_mut(&uri) else {
            return;
        };
        doc.seq = seq;
        let refusal = if doc.text.len() as u64 > super::MAX_INPUT {
            Some(
                super::InputError::TooLarge {
                    path: file_name(&uri),
                }
                .to_string(),
            )
        } else if doc.not_unicode {
            Some(format!(
                "{} is not valid Unicode: the editor sent a lone UTF-16 surrogate (shown as U+FFFD), which no UTF-8 file can hold; stackc checks UTF-8 text only",
                file_name(&uri)
            ))
        } else {
            None
        };
        let version = doc.version;
        match refusal {
            Some(message) => {
                let _ = self.jobs.send(Job::Forget(uri.clone()));
                self.publish(uri, vec![whole_file_diagnostic(message)], Some(version));
            }
            None => {
                let _ = self.jobs.send(Job::Check {
                    uri,
                    text: doc.text.clone(),
                    version,
                    name: doc.name.clone(),
                    seq,
                });
            }
        }
    }

    /// A check finished: keep its snapshot if it is newer than the one kept,
    /// publish its diagnostics if its text is still the newest.
    fn checked(&mut self, done: Done) {
        let Some(doc) = self.docs.get_mut(&done.uri) else {
            return;
        };
        if let Some(snap) = done.snapshot {
            if doc.snapshot.as_ref().is_none_or(|(s, _)| *s < done.seq) {
                if let Some((_, old)) = doc.snapshot.replace((done.seq, snap)) {
                    let _ = self.jobs.send(Job::Drop(old));
                }
            }
        }
        if done.seq == doc.seq {
            let _ = self.out.send(done.publish);
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let _ = self.out.send(publish_json(uri, diagnostics, version));
    }
}

/// The `textDocument/publishDiagnostics` notification, encoded.
fn publish_json(uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> String {
    #[derive(serde::Serialize)]
    struct Frame {
        jsonrpc: &'static str,
        method: &'static str,
        params: PublishDiagnosticsParams,
    }
    let frame = Frame {
        jsonrpc: "2.0",
        method: "textDocument/publishDiagnostics",
        params: PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    };
    serde_json::to_string(&frame).unwrap_or_default()
}

/// The answer to a request whose handler panicked.
fn internal_error() -> Failure {
    (
        ErrorCode::InternalError,
        "stackc failed on this request (an internal error, please report it: the server's log has the details)".to_string(),
    )
}

/// A notification's params, or `None` (logged) when they do not fit.
fn params<P: DeserializeOwned>(n: &Notification) -> Option<P> {
    match serde_json::from_value(n.params.clone()) {
        Ok(p) => Some(p),
        Err(e) => {
            log(&format!("ignored `{}`: invalid params: {e}", n.method));
            None
        }
    }
}

/// Applies one ranged change (positions clamped into the text, a reversed
/// range taken as the same range).
fn replace(text: &mut String, range: Range, with: &str) {
    let index = lsp::LineIndex::new(text);
    let a = index.offset(text, range.start);
    let b = index.offset(text, range.end);
    text.replace_range(a.min(b)..a.max(b), with);
}

/// One diagnostic about the whole document, at its start (the text was not
/// checked, or the check failed).
fn whole_file_diagnostic(message: String) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(lsp::diagnostics::SOURCE.to_string()),
        message,
        ..Diagnostic::default()
    }
}

/// The last segment of the URI's path, decoded (`web%20app.stack` is
/// `web app.stack`).
fn file_name(uri: &Uri) -> String {
    uri.path()
        .segments()
        .next_back()
        .map(|s| s.decode().into_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| uri.as_str().to_string())
}

/// The file stem `check` would name the stack after (`file:///x/web.stack`:
/// `web`); `Snapshot::new` makes it a valid name.
fn stem(uri: &Uri) -> Option<String> {
    let name = file_name(uri);
    let stem = std::path::Path::new(&name).file_stem()?.to_str()?;
    Some(stem.to_string())
}

/// What the server can do (TOOLS.md §1): every capability, UTF-16
/// positions, incremental text sync.
fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Kind(
                TextDocumentSyncKind::INCREMENTAL,
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec!["=".into(), ":".into()]),
                ..CompletionOptions::default()
            }),
            document_formatting_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..CodeActionOptions::default()
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "stackc".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_names_from_uris() {
        let u: Uri = "file:///home/me/web%20app.v2.stack".parse().unwrap();
        assert_eq!(file_name(&u), "web app.v2.stack");
        assert_eq!(stem(&u).as_deref(), Some("web app.v2"));
        let u: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(stem(&u).as_deref(), Some("Untitled-1"));
    }

    #[test]
    fn a_panicking_handler_answers_internal_error() {
        let (out, _outbox) = mpsc::channel();
        let (jobs, _queue) = mpsc::channel();
        let uri: Uri = "file:///t/a.stack".parse().unwrap();
        let text = "server a: nginx 10.0.0.1\n".to_string();
        let snap = Arc::new(Snapshot::new(text.clone(), Some("a"), 1));
        let mut server = Server {
            out,
            jobs,
            state: State::Running,
            docs: HashMap::new(),
            seq: 1,
        };
        server.docs.insert(
            uri.clone(),
            Doc {
                text,
                version: 1,
                name: None,
                seq: 1,
                snapshot: Some((1, snap)),
                not_unicode: false,
            },
        );
        let params = serde_json::json!({ "textDocument": { "uri": uri.as_str() } });
        let r = server.on(
            params.clone(),
            |p: &DocumentSymbolParams| &p.text_document.uri,
            |_, _, _| -> Result<(), String> { panic!("a bug in a handler") },
        );
        assert!(matches!(r, Err((ErrorCode::InternalError, _))));
        // And the server still answers.
        let r = server.answer("textDocument/documentSymbol", params);
        assert_eq!(r.unwrap().as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn ranged_changes_clamp() {
        let mut t = "ab\ncd".to_string();
        replace(
            &mut t,
            Range::new(
                lsp_types::Position::new(1, 1),
                lsp_types::Position::new(9, 0),
            ),
            "X",
        );
        assert_eq!(t, "ab\ncX");
        replace(
            &mut t,
            Range::new(
                lsp_types::Position::new(0, 2),
                lsp_types::Position::new(0, 0),
            ),
            "",
        );
        assert_eq!(t, "\ncX");
    }
}
