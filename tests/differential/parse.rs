//! A tiny parser for the subset of `.stack` the tests write.
use super::*;

// ---------------------------------------------------------------------------
// A tiny parser for the subset of `.stack` the tests write (IPv4 only), so
// that hand-written cases get the same brute force, and so that the
// generator's bookkeeping is checked against its own text.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Word(String),
    Str,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Arrow,
    End,
}

pub(crate) fn lex(src: &str) -> Vec<Tok> {
    let cs: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            '#' => {
                while i < cs.len() && cs[i] != '\n' {
                    i += 1;
                }
            }
            '\n' | ';' => {
                out.push(Tok::End);
                i += 1;
            }
            '{' | '}' | ',' | ':' => {
                out.push(match c {
                    '{' => Tok::LBrace,
                    '}' => Tok::RBrace,
                    ',' => Tok::Comma,
                    _ => Tok::Colon,
                });
                i += 1;
            }
            '"' => {
                i += 1;
                while i < cs.len() && cs[i] != '"' {
                    i += if cs[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(Tok::Str);
            }
            '-' if cs.get(i + 1) == Some(&'>') => {
                out.push(Tok::Arrow);
                i += 2;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                let start = i;
                let ends_word = |i: usize| {
                    cs[i].is_whitespace()
                        || "{},:;\"#".contains(cs[i])
                        || (cs[i] == '-' && cs.get(i + 1) == Some(&'>'))
                };
                while i < cs.len() && !ends_word(i) {
                    i += 1;
                }
                out.push(Tok::Word(cs[start..i].iter().collect()));
            }
        }
    }
    out
}

pub(crate) struct Stmt {
    pub(crate) head: Vec<Tok>,
    pub(crate) block: Option<Vec<Vec<Tok>>>,
}

pub(crate) fn statements(toks: &[Tok]) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i] == Tok::End {
            i += 1;
            continue;
        }
        let mut head = Vec::new();
        while i < toks.len() && toks[i] != Tok::End && toks[i] != Tok::LBrace {
            head.push(toks[i].clone());
            i += 1;
        }
        let mut block = None;
        if i < toks.len() && toks[i] == Tok::LBrace {
            i += 1;
            let mut inner = Vec::new();
            loop {
                while i < toks.len() && toks[i] == Tok::End {
                    i += 1;
                }
                if i >= toks.len() || toks[i] == Tok::RBrace {
                    i += 1;
                    break;
                }
                let mut st = Vec::new();
                while i < toks.len() && toks[i] != Tok::End && toks[i] != Tok::RBrace {
                    st.push(toks[i].clone());
                    i += 1;
                }
                inner.push(st);
            }
            block = Some(inner);
        }
        out.push(Stmt { head, block });
    }
    out
}

pub(crate) fn word(t: &Tok) -> &str {
    match t {
        Tok::Word(w) => w,
        other => panic!("mini parser: expected a word, got {other:?}"),
    }
}

/// `key=value` and bare flags; addresses and strings are skipped.
pub(crate) fn attrs(toks: &[Tok]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for t in toks {
        if let Tok::Word(w) = t {
            if w.starts_with(|c: char| c.is_ascii_digit()) {
                continue; // an address
            }
            match w.split_once('=') {
                Some((k, v)) => out.insert(k.to_string(), v.to_string()),
                None => out.insert(w.clone(), String::new()),
            };
        }
    }
    out
}

/// Names separated by commas, from `toks[*i]`; stops at the first token
/// that does not continue the list.
pub(crate) fn name_list(toks: &[Tok], i: &mut usize) -> Vec<String> {
    let mut out = vec![word(&toks[*i]).to_string()];
    *i += 1;
    while *i + 1 < toks.len() && toks[*i] == Tok::Comma {
        out.push(word(&toks[*i + 1]).to_string());
        *i += 2;
    }
    out
}

/// `: PROTO [PORT]` then attributes.
pub(crate) fn proto_and_attrs(
    toks: &[Tok],
    mut i: usize,
) -> (Option<String>, HashMap<String, String>) {
    let mut proto = None;
    if i < toks.len() && toks[i] == Tok::Colon {
        proto = Some(word(&toks[i + 1]).to_string());
        i += 2;
    }
    (proto, attrs(&toks[i.min(toks.len())..]))
}

/// A numeric attribute.
pub(crate) fn number(a: &HashMap<String, String>, key: &str) -> Option<f64> {
    a.get(key).map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("mini parser: {key}={v} is not a number"))
    })
}

pub(crate) struct RawServer {
    pub(crate) name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) own: HashMap<String, String>,
    pub(crate) group: Option<usize>,
}

pub(crate) struct RawGroup {
    pub(crate) name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) attrs: HashMap<String, String>,
    pub(crate) members: Vec<usize>,
}

pub(crate) struct RawLink {
    pub(crate) sources: Vec<String>,
    pub(crate) targets: Vec<String>,
    pub(crate) proto: Option<String>,
    pub(crate) read: bool,
    pub(crate) optional: bool,
}

/// The replicated roles (ROLES.md §2), whose protocol shares their name: a
/// link in it without `read` is a write.
pub(crate) fn replicated(role: &str) -> bool {
    matches!(role, "mysql" | "postgres" | "redis")
}

/// Default protocol of a target's highest-tier role (§5.4): a data protocol
/// only when replicated roles are the only ones (haproxy > nginx > app >
/// redis > mysql, postgres).
pub(crate) fn default_is_mysql(roles: &[String]) -> bool {
    roles.iter().all(|r| replicated(r))
}

pub(crate) fn parse_stack(src: &str) -> Topo {
    let mut zones: Vec<String> = Vec::new();
    let mut zone_availability: Vec<Option<f64>> = Vec::new();
    let mut allowed_broken: Option<String> = None;
    let mut stack_attrs: HashMap<String, String> = HashMap::new();
    let mut servers: Vec<RawServer> = Vec::new();
    let mut groups: Vec<RawGroup> = Vec::new();
    let mut links: Vec<RawLink> = Vec::new();
    // (subject, targets, proto, load)
    let mut records: Vec<(String, Vec<String>, Option<String>, f64)> = Vec::new();
    let mut stack_name: Option<String> = None;

    for st in statements(&lex(src)) {
        let h = &st.head;
        if h.is_empty() {
            continue;
        }
        match h[0] {
            Tok::Word(ref w) if w == "stack" => {
                stack_name = Some(word(&h[1]).to_string());
                stack_attrs = attrs(&h[2..]);
            }
            Tok::Word(ref w) if w == "allow" => {
                if word(&h[1]) == "broken" {
                    allowed_broken = Some(word(&h[2]).to_string());
                }
            }
            Tok::Word(ref w) if w == "zone" => {
                zones.push(word(&h[1]).to_string());
                zone_availability.push(number(&attrs(&h[2..]), "availability"));
            }
            Tok::Word(ref w) if w == "domain" => {
                let domain = word(&h[1]).to_string();
                for r in st.block.unwrap_or_default() {
                    let label = word(&r[0]);
                    assert_eq!(r[2], Tok::Arrow, "mini parser: record without ->");
                    let mut i = 3;
                    let targets = name_list(&r, &mut i);
                    let (proto, a) = proto_and_attrs(&r, i);
                    let subject = if label == "@" {
                        domain.clone()
                    } else {
                        format!("{label}.{domain}")
                    };
                    records.push((subject, targets, proto, number(&a, "load").unwrap_or(0.0)));
                }
            }
            Tok::Word(ref w) if w == "server" && h.get(2) == Some(&Tok::Colon) => {
                servers.push(RawServer {
                    name: word(&h[1]).to_string(),
                    roles: word(&h[3]).split('+').map(str::to_string).collect(),
                    own: attrs(&h[4..]),
                    group: None,
                });
            }
            Tok::Word(ref w) if w == "group" => {
                let gi = groups.len();
                let roles: Vec<String> = word(&h[3]).split('+').map(str::to_string).collect();
                let mut members = Vec::new();
                for m in st.block.unwrap_or_default() {
                    assert_eq!(word(&m[0]), "server");
                    members.push(servers.len());
                    servers.push(RawServer {
                        name: word(&m[1]).to_string(),
                        roles: roles.clone(),
                        own: attrs(&m[2..]),
                        group: Some(gi),
                    });
                }
                groups.push(RawGroup {
                    name: word(&h[1]).to_string(),
                    roles,
                    attrs: attrs(&h[4..]),
                    members,
                });
            }
            _ => {
                let mut i = 0;
                let sources = name_list(h, &mut i);
                assert_eq!(h[i], Tok::Arrow, "mini parser: unknown statement");
                i += 1;
                let targets = name_list(h, &mut i);
                let (proto, a) = proto_and_attrs(h, i);
                links.push(RawLink {
                    sources,
                    targets,
                    proto,
                    read: a.contains_key("read"),
                    optional: a.contains_key("optional"),
                });
            }
        }
    }

    // Resolution.
    let zone_of = |name: &str| zones.iter().position(|z| z == name);
    let mut topo = Topo {
        name: stack_name,
        zones: zones.clone(),
        zone_availability,
        allowed_broken,
        tolerate: number(&stack_attrs, "tolerate").map(|k| k as usize),
        slo: number(&stack_attrs, "slo"),
        ..Topo::default()
    };
    let quorum_group = |g: usize| groups[g].attrs.get("mode").map(String::as_str) == Some("quorum");
    let mut names: HashMap<String, Target> = HashMap::new();
    for (i, s) in servers.iter().enumerate() {
        let inherited = s.group.map(|g| &groups[g].attrs);
        let get = |k: &str| {
            s.own
                .get(k)
                .or_else(|| inherited.and_then(|a| a.get(k)))
                .cloned()
        };
        let mysql = s.roles.iter().any(|r| replicated(r));
        // A quorum group has no primary and no replicas (RESILIENCE.md §5).
        let in_mysql_group = s.group.is_some_and(|g| !quorum_group(g)) && mysql;
        let replica = mysql
            && (s.own.contains_key("replica")
                || (in_mysql_group && !s.own.contains_key("primary")));
        topo.servers.push(Server {
            name: s.name.clone(),
            default_mysql: default_is_mysql(&s.roles),
            zone: get("zone").and_then(|z| zone_of(&z)),
            replica,
            reqs: Vec::new(),
            availability: get("availability").map(|v| v.parse().unwrap()),
            capacity: get("capacity").map(|v| v.parse().unwrap()),
        });
        names.insert(s.name.clone(), Target::Server(i));
    }
    for (gi, g) in groups.iter().enumerate() {
        let mode = match g.attrs.get("mode").map(String::as_str) {
            Some("active-passive") => Mode::ActivePassive {
                track: g.attrs.contains_key("track"),
            },
            Some("quorum") => Mode::Quorum {
                k: number(&g.attrs, "quorum").map_or(g.members.len() / 2 + 1, |k| k as usize),
            },
            _ => Mode::ActiveActive,
        };
        let replicates = g.roles.iter().any(|r| replicated(r)) && !quorum_group(gi);
        let mysql = replicates.then(|| MysqlGroup {
            primary: *g
                .members
                .iter()
                .find(|&&m| servers[m].own.contains_key("primary"))
                .expect("mini parser: a mysql group without primary"),
            auto: g.attrs.get("failover").map(String::as_str) == Some("auto"),
        });
        topo.groups.push(Group {
            name: g.name.clone(),
            default_mysql: default_is_mysql(&g.roles),
            members: g.members.clone(),
            mode,
            mysql,
        });
        names.insert(g.name.clone(), Target::Group(gi));
    }
    let resolve = |n: &str| -> Target {
        *names
            .get(n)
            .unwrap_or_else(|| panic!("mini parser: unknown name {n}"))
    };
    let is_mysql = |t: Target, proto: &Option<String>| -> bool {
        match proto {
            Some(p) => replicated(p),
            None => match t {
                Target::Server(x) => default_is_mysql(&servers[x].roles),
                Target::Group(g) => default_is_mysql(&groups[g].roles),
            },
        }
    };
    for RawLink {
        sources,
        targets,
        proto,
        read,
        optional,
    } in links
    {
        let targets: Vec<(Target, bool)> = targets
            .iter()
            .map(|n| {
                let t = resolve(n);
                (t, is_mysql(t, &proto))
            })
            .collect();
        for s in sources {
            let expanded = match resolve(&s) {
                Target::Server(x) => vec![x],
                Target::Group(g) => groups[g].members.clone(),
            };
            for x in expanded {
                topo.servers[x].reqs.push(Req {
                    targets: targets.clone(),
                    read,
                    optional,
                });
            }
        }
    }
    for (subject, targets, proto, load) in records {
        let targets = targets
            .iter()
            .map(|n| {
                let t = resolve(n);
                (t, is_mysql(t, &proto))
            })
            .collect();
        topo.records.push(Record {
            subject,
            targets,
            load,
        });
    }
    topo
}
