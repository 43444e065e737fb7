//! What the reports print must not drive the terminal: control characters
//! (C0 but tab and newline, DEL, C1) and the bidirectional controls that
//! reorder what a reader sees ("Trojan source": U+202A–U+202E, U+2066–U+2069,
//! U+200E, U+200F, U+061C), and the Unicode line and paragraph separators,
//! are shown as a visible escape `\u{1B}` instead. Long texts are capped.

use std::borrow::Cow;

/// A character that is shown escaped. Tab is kept (miette expands it);
/// newline is a line break and handled by the caller.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// The visible form of an unsafe character: `\u{1B}`.
pub fn escape(c: char) -> String {
    format!("\\u{{{:X}}}", c as u32)
}

/// `s` with every unsafe character escaped; newlines kept when
/// `keep_newlines`, escaped otherwise.
pub fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) || (c == '\n' && !keep_newlines);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max` characters, saying how much was left out.
pub fn cap(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => {
            let rest = s[cut..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &s[..cut]))
        }
    }
}

/// Serialized JSON with DEL, C1, bidirectional controls and the line
/// separators written as `\uXXXX` escapes: the same JSON value, but harmless
/// when printed on a terminal. (serde_json already escapes C0.)
pub fn json_safe(json: String) -> String {
    if !json.chars().any(is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            // Every unsafe character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        let s = "a\u{1b}]0;X\u{7}\u{1b}[2J\u{202e}b\u{7f}\u{9b}\tc\r";
        assert_eq!(
            clean(s, true),
            "a\\u{1B}]0;X\\u{7}\\u{1B}[2J\\u{202E}b\\u{7F}\\u{9B}\tc\\u{D}"
        );
        assert_eq!(clean("x\ny", false), "x\\u{A}y");
        assert!(matches!(clean("plain é", true), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_the_same_value() {
        let v = serde_json::json!({"m": "a\u{202e}b\u{85}c\u{1b}"});
        let s = json_safe(serde_json::to_string(&v).unwrap());
        assert!(!s.chars().any(|c| is_unsafe(c) || c == '\u{1b}'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn cap_says_what_it_left_out() {
        assert_eq!(cap("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(cap("abc", 3), "abc");
    }
}
