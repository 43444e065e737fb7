//! Where an imported statement came from: the `# from: host:/path:line`
//! comments `stackc import` writes beside each statement, read back into
//! [`Origin`]s (the CLI shows them as paths under DIR).

use crate::import::Origin;

/// An origin as `stackc import` writes it (`lb-01:/etc/haproxy/haproxy.cfg:12`,
/// [`Origin`]'s `Display`) read back; `inventory.ini:4` (no host) has an
/// empty host.
pub fn parse(text: &str) -> Origin {
    let text = text.trim();
    let (host, rest) = match text.split_once(":/") {
        Some((h, r)) if !h.is_empty() && !h.contains('/') => (h, format!("/{r}")),
        _ => ("", text.to_string()),
    };
    let (path, line) = match rest.rsplit_once(':') {
        Some((p, l)) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => {
            (p.to_string(), l.parse().unwrap_or(0))
        }
        _ => (rest, 0),
    };
    Origin::new(host, &path, line)
}

/// The origins written beside the statement starting at byte `at` of
/// `text`: the `from:` comments on the lines just above it (up to the
/// first line that is not a comment) and at the end of its own line, in
/// the order written. An origin list is comma-separated.
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
        .flat_map(|list| list.split(','))
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_above_and_beside_a_statement() {
        let text = "stack s\n\n# from: lb-01:/etc/haproxy/haproxy.cfg:3, lb-02:/etc/a\n# warning: x\nserver lb-01: haproxy 10.0.0.1 # from: inv.ini:2\n";
        let at = text.find("server").unwrap();
        assert_eq!(
            origins(text, at + 7),
            [
                "lb-01:/etc/haproxy/haproxy.cfg:3",
                "lb-02:/etc/a",
                "inv.ini:2"
            ]
        );
        assert!(origins(text, 0).is_empty());
    }

    #[test]
    fn origins_read_back() {
        for o in [
            Origin::new("lb-01", "/etc/haproxy/haproxy.cfg", 12),
            Origin::new("dns", "/example.com.zone", 0),
            Origin::new("", "inventory.ini", 4),
        ] {
            assert_eq!(parse(&o.to_string()), o);
        }
    }
}
