//! Small text helpers shared by the file builders.

use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// `10.0.0.1:80`, `[2001:db8::1]:80`.
pub fn hostport(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// `10.0.0.1/32`, `2001:db8::1/128`: a single address as a prefix.
pub fn host_prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}/32"),
        IpAddr::V6(a) => format!("{a}/128"),
    }
}

/// A stack name as an identifier of environment variables and Ansible
/// groups: `-` becomes `_`.
pub fn ident(name: &str) -> String {
    name.replace('-', "_")
}

/// `DB_WEB_DB` from `web-db`.
pub fn env_ident(name: &str) -> String {
    ident(name).to_ascii_uppercase()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A domain without its trailing dot, lower-case (DNS is case-blind).
pub fn domain(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Text for Markdown (and the HTML it may be rendered to): `<`, `>` and
/// `&` become entities, and every other character that Markdown reads as
/// markup here (emphasis, code spans, links, images, table cells, a
/// heading's closing `#`, escapes) is backslash-escaped, so that a user
/// string shows as written and never opens a comment, a tag or a span.
/// The strings go mid-line: line-start markup (`-`, `+`, `1.`) cannot apply.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Controls never get here (validate refuses them in the
            // title); a line break would end the heading or the row.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
