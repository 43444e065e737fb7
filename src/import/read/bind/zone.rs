//! BIND's zone file syntax (RFC 1035 §5): `$ORIGIN`, `$TTL`, `$INCLUDE`
//! (from the host's files), `@`, relative and absolute names, a blank
//! owner repeating the previous one, TTL and class in either order,
//! parentheses across lines, `;` comments outside quotes. A, AAAA and
//! CNAME become records; other types are passed over.

use std::net::{Ipv4Addr, Ipv6Addr};

/// One A, AAAA or CNAME record, names absolute (lowercase, no final dot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rr {
    pub name: String,
    pub rtype: &'static str,
    /// The address, or the CNAME's absolute target.
    pub value: String,
    /// Its own TTL, else the `$TTL` in force.
    pub ttl: Option<u32>,
    pub path: String,
    pub line: u32,
}

/// What a zone file says, and what could not be read (path, line, message).
#[derive(Default, Debug)]
pub struct Parsed {
    pub records: Vec<Rr>,
    pub warnings: Vec<(String, u32, String)>,
    /// The first `$ORIGIN` (the zone's name when nothing else says it).
    pub first_origin: Option<String>,
}

/// Reads zone text; `origin` is the zone's name when known; `include`
/// finds an `$INCLUDE`d file's text.
pub fn parse(
    path: &str,
    text: &str,
    origin: Option<&str>,
    include: &dyn Fn(&str) -> Option<String>,
) -> Parsed {
    let mut out = Parsed::default();
    let mut st = State {
        origin: origin.map(norm),
        ttl: None,
        owner: None,
        depth: 0,
        included: 0,
    };
    file(path, text, &mut st, include, &mut out);
    out
}

struct State {
    origin: Option<String>,
    ttl: Option<u32>,
    owner: Option<String>,
    depth: usize,
    /// `$INCLUDE`s followed in all (a file including itself many times).
    included: usize,
}

/// Lowercase, without the final dot.
fn norm(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

/// The logical lines of a zone file: (first line, starts with a blank,
/// words), parentheses joined, comments dropped.
fn logical(text: &str) -> Vec<(u32, bool, Vec<String>)> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut start = 0u32;
    let mut blank_start = false;
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let n = i as u32 + 1;
        if depth == 0 {
            start = n;
            blank_start = line.starts_with([' ', '\t']);
        }
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars();
        let mut any = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    cur.push(c);
                    cur.extend(chars.next());
                    any = true;
                }
                '"' => {
                    quoted = !quoted;
                    cur.push(c);
                    any = true;
                }
                ';' if !quoted => break,
                '(' if !quoted => {
                    depth += 1;
                    if any {
                        words.push(std::mem::take(&mut cur));
                        any = false;
                    }
                }
                ')' if !quoted => {
                    depth = depth.saturating_sub(1);
                    if any {
                        words.push(std::mem::take(&mut cur));
                        any = false;
                    }
                }
                c if c.is_whitespace() && !quoted => {
                    if any {
                        words.push(std::mem::take(&mut cur));
                        any = false;
                    }
                }
                c => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            words.push(cur);
        }
        if depth == 0 && !words.is_empty() {
            out.push((start, blank_start, std::mem::take(&mut words)));
        }
    }
    if !words.is_empty() {
        out.push((start, blank_start, words));
    }
    out
}

/// A TTL: seconds, or BIND's `1h30m`, `2d`, `1w`.
pub fn ttl(s: &str) -> Option<u32> {
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut total: u64 = 0;
    let mut n: u64 = 0;
    let mut digits = false;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            n = n.checked_mul(10)?.checked_add(d as u64)?;
            digits = true;
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        if !digits {
            return None;
        }
        total = total.checked_add(n.checked_mul(unit)?)?;
        n = 0;
        digits = false;
    }
    total = total.checked_add(n)?;
    u32::try_from(total).ok()
}

const CLASSES: &[&str] = &["IN", "CH", "HS", "CS"];

/// An absolute name from a zone file's name, against the origin.
fn absolute(name: &str, origin: Option<&str>) -> Option<String> {
    if name == "@" {
        return origin.map(str::to_string);
    }
    if name.ends_with('.') {
        return Some(norm(name));
    }
    origin.map(|o| {
        if o.is_empty() {
            norm(name)
        } else {
            format!("{}.{o}", name.to_ascii_lowercase())
        }
    })
}

fn file(
    path: &str,
    text: &str,
    st: &mut State,
    include: &dyn Fn(&str) -> Option<String>,
    out: &mut Parsed,
) {
    let warn =
        |out: &mut Parsed, line: u32, m: String| out.warnings.push((path.to_string(), line, m));
    for (line, blank, words) in logical(text) {
        let first = words[0].as_str();
        match first.to_ascii_uppercase().as_str() {
            "$ORIGIN" => {
                match words.get(1) {
                    Some(o) => {
                        let o = absolute(o, st.origin.as_deref()).unwrap_or_else(|| norm(o));
                        out.first_origin.get_or_insert(o.clone());
                        st.origin = Some(o);
                    }
                    None => warn(out, line, "$ORIGIN without a name".into()),
                }
                continue;
            }
            "$TTL" => {
                match words.get(1).and_then(|t| ttl(t)) {
                    Some(t) => st.ttl = Some(t),
                    None => warn(out, line, "$TTL without a valid TTL".into()),
                }
                continue;
            }
            "$INCLUDE" => {
                let Some(f) = words.get(1) else { continue };
                let f = f.trim_matches('"');
                st.included += 1;
                if st.depth >= 8 || st.included > 64 {
                    warn(
                        out,
                        line,
                        format!("$INCLUDE {f}: nested too deep or too many (a loop?), not read"),
                    );
                    continue;
                }
                match include(f) {
                    Some(t) => {
                        let saved = (st.origin.clone(), st.owner.clone());
                        if let Some(o) = words.get(2) {
                            st.origin = absolute(o, st.origin.as_deref());
                        }
                        st.depth += 1;
                        file(f, &t, st, include, out);
                        st.depth -= 1;
                        // The origin and owner come back after an include.
                        (st.origin, st.owner) = saved;
                    }
                    None => warn(
                        out,
                        line,
                        format!("$INCLUDE {f}: not among the host's files"),
                    ),
                }
                continue;
            }
            d if d.starts_with('$') => {
                warn(out, line, format!("{first}: not read"));
                continue;
            }
            _ => {}
        }
        let mut rest = &words[..];
        let owner = if blank {
            st.owner.clone()
        } else {
            rest = &rest[1..];
            let o = absolute(first, st.origin.as_deref());
            if o.is_none() {
                warn(
                    out,
                    line,
                    format!("`{first}` is relative and no $ORIGIN is known"),
                );
            }
            o
        };
        let Some(owner) = owner else { continue };
        st.owner = Some(owner.clone());
        let mut own_ttl = None;
        let mut k = 0;
        while k < rest.len() && k < 2 {
            if let Some(t) = ttl(&rest[k]) {
                own_ttl = Some(t);
            } else if CLASSES.contains(&rest[k].to_ascii_uppercase().as_str()) {
            } else {
                break;
            }
            k += 1;
        }
        let Some(rtype) = rest.get(k) else {
            warn(out, line, "a record without a type".into());
            continue;
        };
        let rdata = &rest[k + 1..];
        let rtype = match rtype.to_ascii_uppercase().as_str() {
            "A" => "A",
            "AAAA" => "AAAA",
            "CNAME" => "CNAME",
            _ => continue,
        };
        let Some(v) = rdata.first() else {
            warn(out, line, format!("{rtype} without a value"));
            continue;
        };
        let value = match rtype {
            "A" => v.parse::<Ipv4Addr>().ok().map(|a| a.to_string()),
            "AAAA" => v.parse::<Ipv6Addr>().ok().map(|a| a.to_string()),
            _ => absolute(v, st.origin.as_deref()),
        };
        let Some(value) = value else {
            warn(out, line, format!("{rtype} {v}: not a valid value"));
            continue;
        };
        out.records.push(Rr {
            name: owner,
            rtype,
            value,
            ttl: own_ttl.or(st.ttl),
            path: path.to_string(),
            line,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(p: &Parsed) -> Vec<(&str, &str, &str, Option<u32>, u32)> {
        p.records
            .iter()
            .map(|r| (r.name.as_str(), r.rtype, r.value.as_str(), r.ttl, r.line))
            .collect()
    }

    #[test]
    fn ttls() {
        assert_eq!(ttl("300"), Some(300));
        assert_eq!(ttl("1h30m"), Some(5400));
        assert_eq!(ttl("1W"), Some(604_800));
        assert_eq!(ttl("h"), None);
        assert_eq!(ttl("IN"), None);
        assert_eq!(ttl("99999999999"), None);
    }

    #[test]
    fn origins_owners_parentheses_comments() {
        let text = "$ORIGIN shop.example.\n$TTL 1h\n@\tIN SOA ns1 hostmaster (\n  2024010101 ; serial\n  3600 600 1209600\n  300 )\n\
            @ IN NS ns1\n@ IN A 203.0.113.20\nwww 300 IN A 203.0.113.20\n    IN AAAA 2001:DB8::20\napi IN 60 CNAME www\n\
            ext CNAME cdn.example.net.\ntxt IN TXT \"a ; b\" ; c\n$ORIGIN eu.shop.example.\nshop A 203.0.113.21\nmx MX 10 mail\nbad A 300.1.1.1\n";
        let p = parse("/etc/bind/db.shop.example", text, None, &|_| None);
        assert_eq!(
            recs(&p),
            [
                ("shop.example", "A", "203.0.113.20", Some(3600), 8),
                ("www.shop.example", "A", "203.0.113.20", Some(300), 9),
                ("www.shop.example", "AAAA", "2001:db8::20", Some(3600), 10),
                (
                    "api.shop.example",
                    "CNAME",
                    "www.shop.example",
                    Some(60),
                    11
                ),
                (
                    "ext.shop.example",
                    "CNAME",
                    "cdn.example.net",
                    Some(3600),
                    12
                ),
                ("shop.eu.shop.example", "A", "203.0.113.21", Some(3600), 15),
            ]
        );
        assert_eq!(p.first_origin.as_deref(), Some("shop.example"));
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].1, 17);
    }

    #[test]
    fn the_zone_name_is_the_origin_and_includes_are_followed() {
        let inc = |f: &str| (f == "/etc/bind/inc.db").then(|| "cdn A 198.51.100.9\n".to_string());
        let p = parse(
            "/etc/bind/db.x",
            "www A 198.51.100.1\n$INCLUDE /etc/bind/inc.db\n$INCLUDE /etc/bind/none\n$GENERATE 1-9 h$ A 10.0.0.$\n",
            Some("Example.ORG."),
            &inc,
        );
        assert_eq!(
            recs(&p),
            [
                ("www.example.org", "A", "198.51.100.1", None, 1),
                ("cdn.example.org", "A", "198.51.100.9", None, 1)
            ]
        );
        assert_eq!(p.records[1].path, "/etc/bind/inc.db");
        assert_eq!(p.warnings.len(), 2);
        let p = parse("/z", "www A 198.51.100.1\n", None, &|_| None);
        assert!(p.records.is_empty());
        assert!(p.warnings[0].2.contains("no $ORIGIN"));
        // An include of itself ends.
        let p = parse("/z", "$INCLUDE /z\n", Some("a."), &|_| {
            Some("$INCLUDE /z\n".into())
        });
        assert_eq!(p.warnings.len(), 1);
    }
}
