//! Where an imported statement came from: the `# from: host:/path:line`
//! comments `stackc import` writes beside each statement, read back into
//! [`Origin`]s (the CLI shows them as paths under DIR).

use crate::import::Origin;

/// One file of a `# from:` list read back: `lb-01:/etc/haproxy/haproxy.cfg:12,40`
/// is the [`Origin`] of that file on that host (line 0) and its lines
/// (`12,40`), which the CLI shows after the file's place on the disk;
/// `inventory.ini:4` (no host) has an empty host.
pub fn parse(text: &str) -> (Origin, Option<String>) {
    let text = text.trim();
    let (host, rest) = match text.split_once(":/") {
        Some((h, r)) if !h.is_empty() && !h.contains('/') => (h, format!("/{r}")),
        _ => ("", text.to_string()),
    };
    let lines = |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit() || b == b',');
    match rest.rsplit_once(':') {
        Some((p, l)) if lines(l) => (Origin::new(host, p, 0), Some(l.to_string())),
        _ => (Origin::new(host, &rest, 0), None),
    }
}

/// The origins written beside the statement starting at byte `at` of
/// `text`: the `from:` comments on the lines just above it (up to the
/// first line that is not a comment) and at the end of its own line, in
/// the order written. A list separates its files by `;`.
pub fn origins(text: &str, at: usize) -> Vec<String> {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut above: Vec<&str> = Vec::new();
    let mut end = start;
    // The comment lines just above, nearest first.
    while end > 0 {
        let prev = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev..end - 1].trim();
        if !line.starts_with('#') {
            break;
        }
        above.push(line);
        end = prev;
    }
    above.reverse();
    let own = text[start..].lines().next().unwrap_or("");
    let trailing = own.find(" #").map(|i| own[i + 1..].trim());
    above
        .into_iter()
        .chain(trailing)
        .filter_map(|c| c.trim_start_matches('#').trim().strip_prefix("from:"))
        .flat_map(|list| list.split(';'))
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_above_and_beside_a_statement() {
        let text = "stack s\n\n# from: lb-01:/etc/haproxy/haproxy.cfg:3,9; lb-02:/etc/a\n# warning: x\nserver lb-01: haproxy 10.0.0.1 # from: inv.ini:2\n";
        let at = text.find("server").unwrap();
        assert_eq!(
            origins(text, at + 7),
            [
                "lb-01:/etc/haproxy/haproxy.cfg:3,9",
                "lb-02:/etc/a",
                "inv.ini:2"
            ]
        );
        assert!(origins(text, 0).is_empty());
    }

    #[test]
    fn origins_read_back() {
        let o = |h: &str, p: &str| Origin::new(h, p, 0);
        assert_eq!(
            parse("lb-01:/etc/haproxy/haproxy.cfg:12,40"),
            (o("lb-01", "/etc/haproxy/haproxy.cfg"), Some("12,40".into()))
        );
        assert_eq!(
            parse("dns:/example.com.zone"),
            (o("dns", "/example.com.zone"), None)
        );
        assert_eq!(
            parse("inventory.ini:4"),
            (o("", "inventory.ini"), Some("4".into()))
        );
        // Written by Origin's Display, too.
        let (back, line) = parse(&Origin::new("web-01", "/etc/nginx/nginx.conf", 7).to_string());
        assert_eq!(
            (back, line.as_deref()),
            (o("web-01", "/etc/nginx/nginx.conf"), Some("7"))
        );
    }
}
