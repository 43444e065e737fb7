//! The wire: LSP's base protocol over stdio (`Content-Length` frames of
//! JSON-RPC), read and written without trusting the client.
//!
//! lsp-server's own stdio reader stops at the first frame that is not a
//! valid message; a server that must answer bad JSON with an error and go
//! on reads the frames itself and hands lsp-server only what parsed.
//! Headers are bounded (a line of at most [`MAX_HEADER`] bytes), a body of
//! more than [`MAX_FRAME`] bytes is skipped without being held in memory.

use lsp_server::{ErrorCode, Message};
use std::io::{self, BufRead, Read, Write};

/// The longest header line kept; a longer one is skipped.
const MAX_HEADER: usize = 8 * 1024;

/// The largest body read: a 16 MiB document (the input cap) escaped as a
/// JSON string, with room to spare. A larger one is skipped.
pub const MAX_FRAME: usize = 128 * 1024 * 1024;

/// What one frame held.
#[derive(Debug)]
pub enum Incoming {
    /// A message. `repaired`: its JSON held lone UTF-16 surrogates (text no
    /// UTF-8 document can hold), replaced by U+FFFD to read the rest.
    Message { msg: Message, repaired: bool },
    /// Not a message: the error to answer with (`id` null when the frame
    /// gave none).
    Invalid {
        id: Option<serde_json::Value>,
        code: ErrorCode,
        message: String,
    },
}

/// Reads the next frame; `Ok(None)` at the end of the input.
pub fn read(r: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let Some(len) = read_headers(r)? else {
        return Ok(None);
    };
    if len > MAX_FRAME {
        let skipped = io::copy(&mut r.take(len as u64), &mut io::sink())?;
        if skipped < len as u64 {
            return Ok(None);
        }
        return Ok(Some(invalid(
            None,
            ErrorCode::InvalidRequest,
            format!("a message of {len} bytes is larger than the {MAX_FRAME} stackc reads"),
        )));
    }
    let mut body = vec![0; len];
    match r.read_exact(&mut body) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    Ok(Some(parse(&body)))
}

/// The `Content-Length` of the next frame, after its blank line. Frames
/// without one are skipped, as are lines that are not headers.
fn read_headers(r: &mut impl BufRead) -> io::Result<Option<usize>> {
    let mut len = None;
    let mut seen = false;
    loop {
        let Some(line) = read_line(r)? else {
            return Ok(None);
        };
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            match len {
                Some(n) => return Ok(Some(n)),
                // A blank line before any header, or a frame without a
                // length: nothing to read; look for the next frame.
                None if seen => seen = false,
                None => {}
            }
            continue;
        }
        seen = true;
        // Found anywhere in the line: after a body whose length was wrong,
        // the next frame's header may follow the leftover bytes.
        const NAME: &str = "content-length:";
        if let Some(at) = line.to_ascii_lowercase().rfind(NAME) {
            len = line[at + NAME.len()..].trim().parse::<usize>().ok();
        }
    }
}

/// One header line (lossy: headers are ASCII), at most [`MAX_HEADER`]
/// bytes of it kept.
fn read_line(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then(|| String::from_utf8_lossy(&buf).into_owned()));
        }
        any = true;
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_HEADER.saturating_sub(buf.len()).min(take);
        buf.extend_from_slice(&chunk[..room]);
        r.consume(take);
        if done {
            return Ok(Some(String::from_utf8_lossy(&buf).into_owned()));
        }
    }
}

fn invalid(id: Option<serde_json::Value>, code: ErrorCode, message: String) -> Incoming {
    Incoming::Invalid { id, code, message }
}

/// A body as a message, or the error it deserves.
pub fn parse(body: &[u8]) -> Incoming {
    let Ok(text) = std::str::from_utf8(body) else {
        return invalid(
            None,
            ErrorCode::ParseError,
            "the message is not UTF-8 (JSON-RPC messages are UTF-8 text)".into(),
        );
    };
    let (value, repaired) = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => (v, false),
        Err(e) => match repair_surrogates(text).and_then(|t| serde_json::from_str(&t).ok()) {
            Some(v) => (v, true),
            None => {
                return invalid(
                    None,
                    ErrorCode::ParseError,
                    format!("the message is not valid JSON: {e}"),
                )
            }
        },
    };
    let id = value
        .get("id")
        .filter(|id| id.is_number() || id.is_string())
        .cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(msg) => Incoming::Message { msg, repaired },
        Err(e) => invalid(
            id,
            ErrorCode::InvalidRequest,
            format!("not a JSON-RPC request, response or notification: {e}"),
        ),
    }
}

/// The JSON text with each lone surrogate escape (`\uD800` without its
/// pair, `\uDC00` alone) replaced by `\uFFFD`; `None` when there was none.
fn repair_surrogates(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let hex = |i: usize| -> Option<u32> {
        let s = text.get(i..i + 4)?;
        u32::from_str_radix(s, 16).ok()
    };
    // The code unit of a `\uXXXX` escape at byte `i`.
    let escape = |i: usize| -> Option<u32> {
        (b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u'))
            .then(|| hex(i + 2))
            .flatten()
    };
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape(i) {
            Some(0xD800..=0xDBFF) => {
                if matches!(escape(i + 6), Some(0xDC00..=0xDFFF)) {
                    i += 12;
                } else {
                    out.push_str(&text[last..i]);
                    out.push_str("\\uFFFD");
                    i += 6;
                    last = i;
                    changed = true;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.push_str(&text[last..i]);
                out.push_str("\\uFFFD");
                i += 6;
                last = i;
                changed = true;
            }
            // Any other escape (`\\`, `\"`, `\n`, `\u0041`): two bytes at
            // least; skipping both keeps `\\u` from reading as an escape.
            _ => i += 2,
        }
    }
    out.push_str(&text[last.min(text.len())..]);
    changed.then_some(out)
}

/// Writes one message as a frame.
pub fn write(w: &mut impl Write, json: &str) -> io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", json.len())?;
    w.write_all(json.as_bytes())?;
    w.flush()
}

/// The JSON text of a message, with its `"jsonrpc": "2.0"`.
pub fn encode(msg: &Message) -> String {
    let mut v = serde_json::to_value(msg).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("jsonrpc".into(), "2.0".into());
    }
    v.to_string()
}

/// An error response with an id lsp-server cannot hold (`null`, or one
/// read from a frame that was not a message).
pub fn encode_error(id: Option<serde_json::Value>, code: ErrorCode, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(serde_json::Value::Null),
        "error": { "code": code as i32, "message": message },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(s: &str) -> Vec<Incoming> {
        let mut r = io::BufReader::new(s.as_bytes());
        let mut out = Vec::new();
        while let Some(m) = read(&mut r).unwrap() {
            out.push(m);
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn good_bad_and_garbage_frames() {
        let input = [
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            frame("{not json"),
            "garbage line\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","id":"x","params":3}"#),
            frame(r#"[1,2]"#),
            frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#),
        ]
        .concat();
        let got = frames(&input);
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(matches!(
            &got[0],
            Incoming::Message {
                repaired: false,
                ..
            }
        ));
        assert!(matches!(
            &got[1],
            Incoming::Invalid {
                id: None,
                code: ErrorCode::ParseError,
                ..
            }
        ));
        assert!(
            matches!(&got[2], Incoming::Invalid { id: Some(id), code: ErrorCode::InvalidRequest, .. } if id == "x")
        );
        assert!(matches!(&got[3], Incoming::Invalid { id: None, .. }));
        assert!(matches!(&got[4], Incoming::Message { .. }));
    }

    #[test]
    fn a_wrong_length_loses_one_frame_only() {
        let ok = frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#);
        let input = format!("Content-Length: 2\r\n\r\n{{\"jsonrpc\":1}}{ok}");
        let got = frames(&input);
        assert!(
            matches!(got.last(), Some(Incoming::Message { .. })),
            "{got:?}"
        );
    }

    #[test]
    fn truncated_input_ends() {
        assert!(frames("Content-Length: 50\r\n\r\n{\"a\"").is_empty());
        assert!(frames("Content-Length: 5").is_empty());
    }

    #[test]
    fn lone_surrogates_are_repaired_pairs_kept() {
        let t = r#"{"a":"x\ud800y\udc00z\ud83d\ude00\\ud800"}"#;
        let fixed = repair_surrogates(t).unwrap();
        assert_eq!(fixed, r#"{"a":"x\uFFFDy\uFFFDz\ud83d\ude00\\ud800"}"#);
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["a"], "x\u{fffd}y\u{fffd}z😀\\ud800");
        assert_eq!(repair_surrogates(r#"{"a":"\ud83d\ude00"}"#), None);
        let body = r#"{"jsonrpc":"2.0","method":"m","params":{"t":"\udfff"}}"#;
        assert!(matches!(
            parse(body.as_bytes()),
            Incoming::Message { repaired: true, .. }
        ));
    }
}
