//! Values: an attribute's text read as its kind says (LANGUAGE.md §3).

use super::*;

impl Resolver {
    /// Reads an attribute's value; reports `bad-value` or `unknown-zone`.
    pub(super) fn value(&mut self, a: &ast::Attr, spec: &AttrSpec) -> Option<Value> {
        let key = spec.key;
        let Some(v) = &a.value else {
            if spec.value == ValueKind::Flag {
                return Some(Value::Flag);
            }
            self.error(
                Finding::new(RuleId::BadValue, a.span, format!("`{key}` needs a value"))
                    .label("no value")
                    .help(format!("write it as `{key}=VALUE` ({})", spec.doc)),
            );
            return None;
        };
        let bad = |msg: String, help: Option<String>| {
            let f = Finding::new(RuleId::BadValue, v.span, msg).label("bad value");
            match help {
                Some(h) => f.help(h),
                None => f,
            }
        };
        let text = v.text.as_str();
        let result = match spec.value {
            ValueKind::Flag => Err(bad(
                format!("`{key}` is a flag and takes no value"),
                Some(format!("write `{key}` alone")),
            )),
            ValueKind::Zone => {
                let zone = self.m.find_zone(text);
                if zone.is_none() {
                    let mut f = Finding::new(
                        RuleId::UnknownZone,
                        v.span,
                        format!("the zone `{text}` is not declared"),
                    )
                    .label("no such zone");
                    let zones = self.m.zones.iter().map(|z| z.name.as_str());
                    f = f.help(match did_you_mean(text, zones) {
                        Some(h) => h,
                        None => format!("declare it with `zone {text}`"),
                    });
                    self.error(f);
                }
                Ok(Value::Zone(zone))
            }
            ValueKind::Port => parse_port(text)
                .map(Value::Port)
                .ok_or_else(|| bad(format!("`{text}` is not a port (1-65535)"), None)),
            ValueKind::Choice(words) => match words.iter().find(|w| **w == text) {
                Some(w) => Ok(Value::Choice(w)),
                None => Err(bad(
                    format!("`{text}` is not a value of `{key}`"),
                    Some(
                        did_you_mean(text, words.iter().copied())
                            .unwrap_or_else(|| format!("`{key}` is one of: {}", words.join(", "))),
                    ),
                )),
            },
            ValueKind::Tier => Tier::parse(text).map(Value::Tier).ok_or_else(|| {
                let words = Tier::ALL.iter().map(|t| t.as_str());
                bad(
                    format!("`{text}` is not a tier"),
                    Some(did_you_mean(text, words).unwrap_or_else(|| {
                        format!(
                            "`{key}` is one of: {}",
                            Tier::ALL
                                .iter()
                                .map(|t| t.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })),
                )
            }),
            ValueKind::DnsName => match dns_name_problem(text) {
                None => Ok(Value::Text(canonical_domain(text))),
                Some(why) => Err(bad(
                    format!("`{text}` is not a DNS name: {why}"),
                    Some(format!(
                        "`{key}` is the name the service is reached by, e.g. `api.example.com`"
                    )),
                )),
            },
            ValueKind::Address => text
                .parse::<IpAddr>()
                .map(Value::Address)
                .map_err(|_| bad(format!("`{text}` is not an IPv4 or IPv6 address"), None)),
            ValueKind::Text => {
                if text.trim().is_empty() {
                    Err(bad(format!("`{key}` is empty"), None))
                } else if text.chars().any(|c| c.is_control()) {
                    Err(bad(format!("`{key}` holds a control character"), None))
                } else {
                    Ok(Value::Text(text.to_string()))
                }
            }
            ValueKind::Path => {
                if text.starts_with('/')
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,=:@?".contains(c))
                    && !text.contains(['\'', '(', ')'])
                {
                    Ok(Value::Text(text.to_string()))
                } else {
                    Err(bad(
                        format!("`{text}` is not a URI path"),
                        Some("a health path starts with `/` and has no spaces or quotes, e.g. `/healthz`".into()),
                    ))
                }
            }
            ValueKind::Word => {
                let b = text.as_bytes();
                if !b.is_empty()
                    && b.len() <= 64
                    && b[0].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || b"._+-".contains(c))
                {
                    Ok(Value::Text(text.to_string()))
                } else {
                    Err(bad(
                        format!("`{text}` is not a name the bundle can write into its inventory and unit files"),
                        Some(format!("`{key}` is one word: letters, digits and `. _ + -`, starting with a letter or digit, at most 64 characters, e.g. `sumologic`, `python3`")),
                    ))
                }
            }
            ValueKind::Percent => match decimal(text) {
                Some(p) if p > 0.0 && p <= 100.0 => Ok(Value::Number(p)),
                Some(_) => Err(bad(
                    format!("`{key}={text}` is out of range: a percentage above 0 and at most 100"),
                    Some(format!(
                        "write it like `{key}=99.95` (three nines and a half)"
                    )),
                )),
                None => Err(bad(
                    format!("`{text}` is not a percentage"),
                    Some(percent_help(key, text)),
                )),
            },
            ValueKind::Count { min, max } => match text.parse::<u64>() {
                Ok(n) if (min as u64..=max as u64).contains(&n) => Ok(Value::Count(n as u32)),
                _ if text.bytes().all(|c| c.is_ascii_digit()) => Err(bad(
                    format!("`{key}={text}` is out of range: {min} to {max}"),
                    Some(format!("`{key}`: {}", spec.doc)),
                )),
                _ => Err(bad(
                    format!("`{text}` is not a whole number"),
                    Some(format!("`{key}` is a whole number from {min} to {max}")),
                )),
            },
            ValueKind::Rate => match decimal(text) {
                Some(n) if n <= MAX_RATE => Ok(Value::Number(n)),
                Some(_) => Err(bad(
                    format!(
                        "`{key}={text}` is out of range: at most {MAX_RATE:e} requests per second"
                    ),
                    None,
                )),
                None if text.starts_with('-') && decimal(&text[1..]).is_some() => Err(bad(
                    format!("`{key}={text}` is negative: requests per second are 0 or more"),
                    Some(format!("write `{key}={}`", &text[1..])),
                )),
                None => Err(bad(
                    format!("`{text}` is not a number of requests per second"),
                    Some(format!("write it like `{key}=1500` or `{key}=12.5`")),
                )),
            },
            ValueKind::Seconds => match text.parse::<u64>() {
                Ok(n) if (1..=MAX_TTL).contains(&n) => Ok(Value::Seconds(n as u32)),
                Ok(_) => Err(bad(
                    format!("`{key}={text}` is out of range: a TTL is 1 to {MAX_TTL} seconds"),
                    Some(format!(
                        "{MAX_TTL} is the largest TTL DNS (RFC 2181) and BIND take; 3600 is usual"
                    )),
                )),
                Err(_) if text.bytes().all(|c| c.is_ascii_digit()) => Err(bad(
                    format!("`{key}={text}` is out of range: a TTL is 1 to {MAX_TTL} seconds"),
                    None,
                )),
                Err(_) => Err(bad(
                    format!("`{text}` is not a number of seconds"),
                    Some(format!(
                        "a TTL is a whole number of seconds, 1 to {MAX_TTL}"
                    )),
                )),
            },
        };
        match result {
            Ok(v) => Some(v),
            Err(f) => {
                self.error(f);
                None
            }
        }
    }
}

pub(super) fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|p| *p >= 1)
}

/// Why a host name is not one a resolver can look up (RFC 1035, RFC 1123):
/// dot-separated labels of letters, digits and `-` (not at either end), 1 to
/// 63 characters each, 253 in all without the trailing dot, at least two
/// labels, and not all digits at the end (that is an address).
pub(super) fn dns_name_problem(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_FQDN {
        return Some(format!(
            "it is {} characters long; a DNS name is at most {MAX_FQDN}",
            name.len()
        ));
    }
    let labels: Vec<&str> = name.split('.').collect();
    for l in &labels {
        if l.is_empty() {
            return Some("it has an empty label (two dots in a row)".into());
        }
        if l.len() > MAX_NAME {
            return Some(format!(
                "the label `{l}` is {} characters long; a label is at most {MAX_NAME}",
                l.len()
            ));
        }
        if let Some(c) = l
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Some(format!(
                "the label `{l}` holds {c:?}; labels are letters, digits and `-`"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some(format!("the label `{l}` starts or ends with `-`"));
        }
    }
    if labels.len() < 2 {
        return Some("it has one label; write the full name, e.g. `api.example.com`".into());
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("it ends in a number, like an address; name the host".into());
    }
    None
}

/// The largest `capacity=`/`load=`: a trillion requests per second.
const MAX_RATE: f64 = 1e12;

/// A number written in plain decimal, `12`, `99.95` or `0.5`: digits, at
/// most one `.` with digits on both sides; no sign, exponent, `inf` or
/// `nan` (what `f64::from_str` would take besides).
fn decimal(text: &str) -> Option<f64> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    text.parse().ok()
}

/// The help of a percentage that is not one: `99.9%` loses its `%`.
fn percent_help(key: &str, text: &str) -> String {
    match text.strip_suffix('%').filter(|t| decimal(t).is_some()) {
        Some(t) => format!("write it without `%`: `{key}={t}`"),
        None => format!("`{key}` is a percentage above 0 and at most 100, like `{key}=99.95`"),
    }
}
