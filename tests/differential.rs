//! Differential test of the availability model (LANGUAGE.md §5 and §7).
//!
//! This file holds an independent, deliberately naive reading of the spec: a
//! brute-force evaluator that, for every scenario (nothing down, each server
//! down, each zone down), recomputes from scratch which servers work and
//! which records are available. It never looks at the crate's model or
//! analysis; it works on its own representation of a topology, which comes
//! either from the random generator below (that knows what it wrote) or from
//! a tiny parser of the subset of the language the tests use.
//!
//! The random test writes layered stacks (records -> haproxy -> nginx -> app
//! -> a replicated tier: mysql, postgres or redis in turn, with or without
//! `failover=auto`, `read` links and writes to replicas; `optional` links in
//! half the cases), asks `stackc::check` for its findings and compares the
//! `broken`, `spof`, `zone-spof` (and `replica-write`) subjects with the
//! brute force. Environment knobs for exploring: `STACKC_DIFF_CASES` (number
//! of cases, default 1000) and `STACKC_DIFF_SEED` (first seed).

use std::collections::{BTreeMap, HashMap};

// ---------------------------------------------------------------------------
// The test's own representation of a topology.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Server(usize),
    Group(usize),
}

/// One requirement of one server: one link statement, after group expansion.
#[derive(Clone, Debug)]
struct Req {
    /// Each target with "this hop speaks mysql" (the protocol is per target,
    /// §7.7).
    targets: Vec<(Target, bool)>,
    read: bool,
    /// `optional`: the source works without it (ROLES.md §2).
    optional: bool,
}

#[derive(Clone, Debug)]
struct Server {
    name: String,
    /// The default protocol of its highest-tier role is mysql.
    default_mysql: bool,
    zone: Option<usize>,
    /// A mysql replica: never available for a write.
    replica: bool,
    reqs: Vec<Req>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    ActiveActive,
    ActivePassive { track: bool },
}

#[derive(Clone, Copy, Debug)]
struct MysqlGroup {
    /// Server index of the primary.
    primary: usize,
    auto: bool,
}

#[derive(Clone, Debug)]
struct Group {
    name: String,
    default_mysql: bool,
    members: Vec<usize>,
    mode: Mode,
    mysql: Option<MysqlGroup>,
}

#[derive(Clone, Debug)]
struct Record {
    /// `label.domain`, or the bare domain for `@`.
    subject: String,
    targets: Vec<(Target, bool)>,
}

#[derive(Clone, Debug, Default)]
struct Topo {
    /// The `stack` statement's name.
    name: Option<String>,
    servers: Vec<Server>,
    groups: Vec<Group>,
    zones: Vec<String>,
    records: Vec<Record>,
}

// ---------------------------------------------------------------------------
// The brute force: §5 read literally, one scenario at a time.
// ---------------------------------------------------------------------------

struct Scenario<'a> {
    topo: &'a Topo,
    down: Vec<bool>,
    memo: Vec<Option<bool>>,
}

impl<'a> Scenario<'a> {
    fn new(topo: &'a Topo, down: Vec<bool>) -> Self {
        let n = topo.servers.len();
        Scenario {
            topo,
            down,
            memo: vec![None; n],
        }
    }

    fn up(&self, s: usize) -> bool {
        !self.down[s]
    }

    /// §5.1: up, and every requirement holds. The generated graphs are
    /// acyclic (after treating self-references as local), so plain recursion
    /// terminates.
    fn works(&mut self, s: usize) -> bool {
        if let Some(v) = self.memo[s] {
            return v;
        }
        let topo = self.topo;
        // An optional link adds no requirement.
        let v = self.up(s)
            && topo.servers[s]
                .reqs
                .iter()
                .all(|r| r.optional || self.holds(s, r));
        self.memo[s] = Some(v);
        v
    }

    /// §5.2/§5.3: one of the targets is available, or is local.
    fn holds(&mut self, s: usize, r: &Req) -> bool {
        r.targets.iter().any(|&(t, mysql)| {
            let write = mysql && !r.read;
            self.local(s, t, write) || self.available(t, mysql, write)
        })
    }

    /// §5.3 and §7.6: a target that is (or contains) the source server itself.
    fn local(&self, s: usize, t: Target, write: bool) -> bool {
        match t {
            Target::Server(x) => x == s,
            Target::Group(g) => {
                let g = &self.topo.groups[g];
                if !g.members.contains(&s) {
                    return false;
                }
                match (write, g.mysql) {
                    (true, Some(m)) => m.primary == s || m.auto,
                    _ => true,
                }
            }
        }
    }

    fn any_member_works(&mut self, g: usize) -> bool {
        let topo = self.topo;
        topo.groups[g].members.iter().any(|&m| self.works(m))
    }

    /// §5.4.
    fn available(&mut self, t: Target, mysql: bool, write: bool) -> bool {
        match t {
            Target::Server(x) => self.works(x) && !(write && self.topo.servers[x].replica),
            Target::Group(gi) => {
                let topo = self.topo;
                let g = &topo.groups[gi];
                if let (true, Some(m)) = (mysql, g.mysql) {
                    // On a mysql link the mysql rules win over `mode=`.
                    if write {
                        self.works(m.primary) || (m.auto && self.any_member_works(gi))
                    } else {
                        self.any_member_works(gi)
                    }
                } else {
                    match g.mode {
                        Mode::ActiveActive | Mode::ActivePassive { track: true } => {
                            self.any_member_works(gi)
                        }
                        Mode::ActivePassive { track: false } => {
                            match g.members.iter().copied().find(|&m| self.up(m)) {
                                Some(holder) => self.works(holder),
                                None => false,
                            }
                        }
                    }
                }
            }
        }
    }

    /// §5.5: a record is available when any of its targets is (a record is
    /// judged with its own protocol, and a mysql record would be a write).
    fn record_available(&mut self, r: &Record) -> bool {
        r.targets
            .iter()
            .any(|&(t, mysql)| self.available(t, mysql, mysql))
    }

    fn dark_records(&mut self) -> Vec<String> {
        let topo = self.topo;
        topo.records
            .iter()
            .filter(|r| !self.record_available(r))
            .map(|r| r.subject.clone())
            .collect()
    }
}

fn serves(topo: &Topo, down: Vec<bool>) -> bool {
    Scenario::new(topo, down).dark_records().is_empty()
}

type Findings = Vec<(String, String)>;

/// The findings §5.6/§7.1/§7.3 (and §4 `replica-write`, §7.2) call for.
/// Without `domain`, the entry points are the servers and groups that no
/// link targets, a member counting for its group and the reverse (§5.5,
/// §7.8); each is judged like a record: default protocol, a write.
fn entry_points(topo: &Topo) -> Vec<Record> {
    let group_of = |s: usize| topo.groups.iter().position(|g| g.members.contains(&s));
    let mut targeted_server = vec![false; topo.servers.len()];
    let mut targeted_group = vec![false; topo.groups.len()];
    for (si, s) in topo.servers.iter().enumerate() {
        for r in &s.reqs {
            for &(t, _) in &r.targets {
                // v1.1 §7.8: only a link from *another* server hides an entry
                // point; a server naming itself, or a member naming its own
                // group, is local traffic.
                let self_reference = match t {
                    Target::Server(x) => x == si,
                    Target::Group(g) => topo.groups[g].members.contains(&si),
                };
                if self_reference {
                    continue;
                }
                match t {
                    Target::Server(x) => {
                        targeted_server[x] = true;
                        if let Some(g) = group_of(x) {
                            targeted_group[g] = true;
                        }
                    }
                    Target::Group(g) => {
                        targeted_group[g] = true;
                        for &m in &topo.groups[g].members {
                            targeted_server[m] = true;
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (gi, g) in topo.groups.iter().enumerate() {
        if !targeted_group[gi] {
            out.push(Record {
                subject: g.name.clone(),
                targets: vec![(Target::Group(gi), g.default_mysql)],
            });
        }
    }
    for (x, s) in topo.servers.iter().enumerate() {
        if !targeted_server[x] && group_of(x).is_none() {
            out.push(Record {
                subject: s.name.clone(),
                targets: vec![(Target::Server(x), s.default_mysql)],
            });
        }
    }
    out
}

fn expected(topo: &Topo) -> Findings {
    let n = topo.servers.len();
    let mut out = Vec::new();
    if topo.records.is_empty() {
        let with_entries = Topo {
            records: entry_points(topo),
            ..topo.clone()
        };
        if !with_entries.records.is_empty() {
            return expected(&with_entries);
        }
        // v1.1 §7.8: servers and no entry point at all: nothing serves.
        assert!(n > 0, "a stack without servers");
        let name = topo.name.clone().unwrap_or_else(|| "stack".to_string());
        out.push(("broken".to_string(), name));
    }
    // replica-write: one per source server and per link that writes to a
    // replica server target.
    for s in &topo.servers {
        for r in &s.reqs {
            let hit = r.targets.iter().any(|&(t, mysql)| match t {
                Target::Server(x) => mysql && !r.read && topo.servers[x].replica,
                Target::Group(_) => false,
            });
            if hit {
                out.push(("replica-write".to_string(), s.name.clone()));
            }
        }
    }
    let dark = Scenario::new(topo, vec![false; n]).dark_records();
    out.extend(dark.iter().map(|d| ("broken".to_string(), d.clone())));
    // v1.1 §7.3: `spof` and `zone-spof` judge the records that serve with
    // nothing down, whatever else is broken; with every record broken there
    // is nothing to judge.
    let judged = Topo {
        records: topo
            .records
            .iter()
            .filter(|r| !dark.contains(&r.subject))
            .cloned()
            .collect(),
        ..topo.clone()
    };
    if !judged.records.is_empty() {
        for s in 0..n {
            let mut down = vec![false; n];
            down[s] = true;
            if !serves(&judged, down) {
                out.push(("spof".to_string(), topo.servers[s].name.clone()));
            }
        }
        for (z, zname) in topo.zones.iter().enumerate() {
            let down = topo.servers.iter().map(|s| s.zone == Some(z)).collect();
            if !serves(&judged, down) {
                out.push(("zone-spof".to_string(), zname.clone()));
            }
        }
    }
    out.sort();
    out
}

const COMPARED: &[&str] = &["broken", "spof", "zone-spof", "replica-write"];
/// §5 rules plus `replica-write`: the only findings a usable case may have.
const ALLOWED: &[&str] = &[
    "broken",
    "spof",
    "zone-spof",
    "asymmetric-failover",
    "orphan",
    "no-tls",
    "plaintext-backend",
    "no-firewall",
    "no-monitoring",
    "shared-host",
    "replica-write",
];

/// The crate's verdict on the compared rules, allowed findings included:
/// an `allow` hides a finding from the report, not from the analysis.
fn crate_findings(c: &stackc::Checked) -> Findings {
    let mut got: Findings = c
        .findings
        .iter()
        .chain(c.suppressed.iter().map(|s| &s.finding))
        .filter(|f| COMPARED.contains(&f.rule.as_str()))
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                f.subject_name().unwrap_or_default().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

// ---------------------------------------------------------------------------
// A tiny parser for the subset of `.stack` the tests write (IPv4 only), so
// that hand-written cases get the same brute force, and so that the
// generator's bookkeeping is checked against its own text.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Arrow,
    End,
}

fn lex(src: &str) -> Vec<Tok> {
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

struct Stmt {
    head: Vec<Tok>,
    block: Option<Vec<Vec<Tok>>>,
}

fn statements(toks: &[Tok]) -> Vec<Stmt> {
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

fn word(t: &Tok) -> &str {
    match t {
        Tok::Word(w) => w,
        other => panic!("mini parser: expected a word, got {other:?}"),
    }
}

/// `key=value` and bare flags; addresses and strings are skipped.
fn attrs(toks: &[Tok]) -> HashMap<String, String> {
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
fn name_list(toks: &[Tok], i: &mut usize) -> Vec<String> {
    let mut out = vec![word(&toks[*i]).to_string()];
    *i += 1;
    while *i + 1 < toks.len() && toks[*i] == Tok::Comma {
        out.push(word(&toks[*i + 1]).to_string());
        *i += 2;
    }
    out
}

/// `: PROTO [PORT]` then attributes.
fn proto_and_attrs(toks: &[Tok], mut i: usize) -> (Option<String>, HashMap<String, String>) {
    let mut proto = None;
    if i < toks.len() && toks[i] == Tok::Colon {
        proto = Some(word(&toks[i + 1]).to_string());
        i += 2;
    }
    (proto, attrs(&toks[i.min(toks.len())..]))
}

struct RawServer {
    name: String,
    roles: Vec<String>,
    own: HashMap<String, String>,
    group: Option<usize>,
}

struct RawGroup {
    name: String,
    roles: Vec<String>,
    attrs: HashMap<String, String>,
    members: Vec<usize>,
}

struct RawLink {
    sources: Vec<String>,
    targets: Vec<String>,
    proto: Option<String>,
    read: bool,
    optional: bool,
}

/// The replicated roles (ROLES.md §2), whose protocol shares their name: a
/// link in it without `read` is a write.
fn replicated(role: &str) -> bool {
    matches!(role, "mysql" | "postgres" | "redis")
}

/// Default protocol of a target's highest-tier role (§5.4): a data protocol
/// only when replicated roles are the only ones (haproxy > nginx > app >
/// redis > mysql, postgres).
fn default_is_mysql(roles: &[String]) -> bool {
    roles.iter().all(|r| replicated(r))
}

fn parse_stack(src: &str) -> Topo {
    let mut zones: Vec<String> = Vec::new();
    let mut servers: Vec<RawServer> = Vec::new();
    let mut groups: Vec<RawGroup> = Vec::new();
    let mut links: Vec<RawLink> = Vec::new();
    // (subject, targets, proto)
    let mut records: Vec<(String, Vec<String>, Option<String>)> = Vec::new();
    let mut stack_name: Option<String> = None;

    for st in statements(&lex(src)) {
        let h = &st.head;
        if h.is_empty() {
            continue;
        }
        match h[0] {
            Tok::Word(ref w) if w == "stack" => stack_name = Some(word(&h[1]).to_string()),
            Tok::Word(ref w) if w == "allow" => {}
            Tok::Word(ref w) if w == "zone" => zones.push(word(&h[1]).to_string()),
            Tok::Word(ref w) if w == "domain" => {
                let domain = word(&h[1]).to_string();
                for r in st.block.unwrap_or_default() {
                    let label = word(&r[0]);
                    assert_eq!(r[2], Tok::Arrow, "mini parser: record without ->");
                    let mut i = 3;
                    let targets = name_list(&r, &mut i);
                    let (proto, _) = proto_and_attrs(&r, i);
                    let subject = if label == "@" {
                        domain.clone()
                    } else {
                        format!("{label}.{domain}")
                    };
                    records.push((subject, targets, proto));
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
        ..Topo::default()
    };
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
        let in_mysql_group = s.group.is_some() && mysql;
        let replica = mysql
            && (s.own.contains_key("replica")
                || (in_mysql_group && !s.own.contains_key("primary")));
        topo.servers.push(Server {
            name: s.name.clone(),
            default_mysql: default_is_mysql(&s.roles),
            zone: get("zone").and_then(|z| zone_of(&z)),
            replica,
            reqs: Vec::new(),
        });
        names.insert(s.name.clone(), Target::Server(i));
    }
    for (gi, g) in groups.iter().enumerate() {
        let mode = match g.attrs.get("mode").map(String::as_str) {
            Some("active-passive") => Mode::ActivePassive {
                track: g.attrs.contains_key("track"),
            },
            _ => Mode::ActiveActive,
        };
        let mysql = g.roles.iter().any(|r| replicated(r)).then(|| MysqlGroup {
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
    for (subject, targets, proto) in records {
        let targets = targets
            .iter()
            .map(|n| {
                let t = resolve(n);
                (t, is_mysql(t, &proto))
            })
            .collect();
        topo.records.push(Record { subject, targets });
    }
    topo
}

// ---------------------------------------------------------------------------
// The generator: random layered stacks, written as text and recorded in the
// test's own representation at the same time.
// ---------------------------------------------------------------------------

/// splitmix64: small, seeded, good enough.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5DEE_CE66_D1CE_5EED)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    fn pct(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Lb,
    Web,
    App,
    /// `app+mysql` boxes: the app tier holds the database too, and the
    /// servers write to their own group (§7.6 self-references).
    AppBox,
    Db,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Lb => "lb",
            Kind::Web => "web",
            Kind::App | Kind::AppBox => "app",
            Kind::Db => "db",
        }
    }
    /// Its roles, `db` the case's replicated role (mysql, postgres, redis).
    fn roles(self, db: &str) -> String {
        match self {
            Kind::Lb => "haproxy".into(),
            Kind::Web => "nginx".into(),
            Kind::App => "app".into(),
            Kind::AppBox => format!("app+{db}"),
            Kind::Db => db.into(),
        }
    }
    fn has_mysql(self) -> bool {
        matches!(self, Kind::AppBox | Kind::Db)
    }
    fn http_port(self) -> u16 {
        match self {
            Kind::App | Kind::AppBox => 8000,
            _ => 80,
        }
    }
}

struct Tier {
    kind: Kind,
    group: Option<usize>,
    servers: Vec<usize>,
}

struct Gen {
    rng: Rng,
    topo: Topo,
    addr: u32,
    /// An `allow broken` for the chain not launched yet.
    allow_broken: Option<String>,
    /// The group names (indexed like `topo.groups`), then the link lines.
    links: Vec<String>,
    /// The case's replicated role (mysql, postgres or redis) and its port.
    db: &'static str,
    db_port: u16,
    /// How often a link is `optional`, in percent.
    optional_pct: u64,
}

impl Gen {
    fn addr(&mut self) -> String {
        self.addr += 1;
        format!(
            "10.{}.{}.{}",
            self.addr / 40000,
            (self.addr / 200) % 200,
            self.addr % 200 + 1
        )
    }

    fn zone(&mut self, p: u64) -> Option<usize> {
        if self.topo.zones.is_empty() || !self.rng.pct(p) {
            return None;
        }
        Some(self.rng.below(self.topo.zones.len()))
    }

    fn zone_text(&self, z: Option<usize>) -> String {
        z.map(|z| format!(" zone={}", self.topo.zones[z]))
            .unwrap_or_default()
    }

    fn add_server(
        &mut self,
        name: String,
        kind: Kind,
        zone: Option<usize>,
        replica: bool,
    ) -> usize {
        self.topo.servers.push(Server {
            name,
            default_mysql: kind == Kind::Db,
            zone,
            replica,
            reqs: Vec::new(),
        });
        self.topo.servers.len() - 1
    }

    fn tier(&mut self, kind: Kind, out: &mut String) -> Tier {
        let n = 1 + self.rng.below(3);
        let base = kind.name();
        let roles = kind.roles(self.db);
        let grouped = kind == Kind::AppBox || self.rng.pct(70);
        let mut servers = Vec::new();
        if grouped {
            let gi = self.topo.groups.len();
            let mut head = format!("group {base}: {roles}");
            let mut mode = Mode::ActiveActive;
            let mut mysql = None;
            if kind.has_mysql() {
                let primary = self.rng.below(n);
                let auto = self.rng.pct(40);
                if auto {
                    head += &format!(" failover=auto vip={}", self.addr());
                } else if self.rng.pct(30) {
                    head += " failover=manual";
                }
                mysql = Some((primary, auto));
                // On a mysql link the mysql rules win over `mode=`; on an
                // http link to the boxes the mode decides (§7.11).
                if self.rng.pct(25) {
                    let track = self.rng.pct(35);
                    mode = Mode::ActivePassive { track };
                    head += " mode=active-passive";
                    if !auto {
                        head += &format!(" vip={}", self.addr());
                    }
                    if track {
                        head += " track";
                    }
                }
            } else if self.rng.pct(50) {
                let track = self.rng.pct(35);
                mode = Mode::ActivePassive { track };
                head += &format!(" mode=active-passive vip={}", self.addr());
                if track {
                    head += " track";
                }
                if self.rng.pct(20) {
                    head += " unicast";
                }
            } else if self.rng.pct(30) {
                head += " mode=active-active";
            }
            if kind == Kind::App && self.rng.pct(30) {
                head += " port=8000 runtime=python";
            }
            let gzone = self.zone(20);
            head += &self.zone_text(gzone);
            if self.rng.pct(30) {
                head += " firewall";
            }
            out.push_str(&head);
            out.push_str(" {\n");
            for i in 0..n {
                let name = format!("{base}-{:02}", i + 1);
                let own = self.zone(70);
                let mut line = format!("  server {name} {}{}", self.addr(), self.zone_text(own));
                let mut replica = false;
                if let Some((primary, _)) = mysql {
                    if i == primary {
                        line += " primary";
                    } else {
                        replica = true;
                        if self.rng.pct(50) {
                            line += " replica";
                        }
                    }
                }
                servers.push(self.add_server(name, kind, own.or(gzone), replica));
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str("}\n\n");
            self.topo.groups.push(Group {
                name: base.to_string(),
                default_mysql: kind == Kind::Db,
                members: servers.clone(),
                mode,
                mysql: mysql.map(|(p, auto)| MysqlGroup {
                    primary: servers[p],
                    auto,
                }),
            });
            self.links.push(base.to_string());
            Tier {
                kind,
                group: Some(gi),
                servers,
            }
        } else {
            for i in 0..n {
                let name = format!("{base}-{:02}", i + 1);
                let zone = self.zone(70);
                let mut line = format!(
                    "server {name}: {roles} {}{}",
                    self.addr(),
                    self.zone_text(zone)
                );
                let mut replica = false;
                if kind == Kind::Db {
                    if i == 0 {
                        if self.rng.pct(30) {
                            line += " primary";
                        }
                    } else if self.rng.pct(30) {
                        line += " replica";
                        replica = true;
                    }
                }
                if self.rng.pct(20) {
                    line += " firewall";
                }
                servers.push(self.add_server(name, kind, zone, replica));
                out.push_str(&line);
                out.push('\n');
            }
            out.push('\n');
            Tier {
                kind,
                group: None,
                servers,
            }
        }
    }

    fn target_name(&self, t: Target) -> String {
        match t {
            Target::Server(x) => self.topo.servers[x].name.clone(),
            Target::Group(g) => self.links[g].clone(),
        }
    }

    fn subset(&mut self, v: &[usize]) -> Vec<Target> {
        let mut out: Vec<Target> = v
            .iter()
            .filter(|_| self.rng.pct(50))
            .map(|&x| Target::Server(x))
            .collect();
        if out.is_empty() {
            out.push(Target::Server(v[self.rng.below(v.len())]));
        }
        if self.rng.pct(25) {
            out.reverse();
        }
        out
    }

    fn choose(&mut self, t: &Tier) -> Vec<Target> {
        match t.group {
            Some(g) => match self.rng.below(10) {
                0..=4 => vec![Target::Group(g)],
                5 => {
                    let m = Target::Server(t.servers[self.rng.below(t.servers.len())]);
                    if self.rng.pct(50) {
                        vec![Target::Group(g), m]
                    } else {
                        vec![m, Target::Group(g)]
                    }
                }
                _ => self.subset(&t.servers),
            },
            None => {
                if self.rng.pct(50) {
                    vec![Target::Server(t.servers[self.rng.below(t.servers.len())])]
                } else {
                    self.subset(&t.servers)
                }
            }
        }
    }

    /// Targets for a mysql write: writes to a replica server stay, but only
    /// now and then.
    fn choose_write(&mut self, t: &Tier) -> Vec<Target> {
        let ts = self.choose(t);
        let to_replica = ts.iter().any(|&x| match x {
            Target::Server(s) => self.topo.servers[s].replica,
            Target::Group(_) => false,
        });
        if !to_replica || self.rng.pct(30) {
            return ts;
        }
        match t.group {
            Some(g) if self.rng.pct(50) => vec![Target::Group(g)],
            Some(g) => vec![Target::Server(self.topo.groups[g].mysql.unwrap().primary)],
            None => vec![Target::Server(t.servers[0])],
        }
    }

    /// Writes one link line and gives each source server its requirement.
    fn link(
        &mut self,
        sources: &[String],
        src_servers: &[usize],
        targets: Vec<Target>,
        kind: Kind,
        mysql: bool,
        read: bool,
    ) {
        let proto = if mysql {
            match self.rng.below(3) {
                0 if kind == Kind::Db => String::new(),
                1 => format!(" : {} {}", self.db, self.db_port),
                _ => format!(" : {}", self.db),
            }
        } else {
            match self.rng.below(3) {
                0 => String::new(),
                1 => " : http".to_string(),
                _ => format!(" : http {}", kind.http_port()),
            }
        };
        let optional = self.rng.pct(self.optional_pct);
        let names: Vec<String> = targets.iter().map(|&t| self.target_name(t)).collect();
        let line = format!(
            "{} -> {}{proto}{}{}",
            sources.join(", "),
            names.join(", "),
            if read { " read" } else { "" },
            if optional { " optional" } else { "" }
        );
        self.links.push(line);
        let req = Req {
            targets: targets.into_iter().map(|t| (t, mysql)).collect(),
            read,
            optional,
        };
        for &s in src_servers {
            self.topo.servers[s].reqs.push(req.clone());
        }
    }

    fn one_link(&mut self, sources: &[String], src_servers: &[usize], t: &Tier) {
        let mysql = t.kind == Kind::Db;
        let read = mysql && self.rng.pct(30);
        let targets = if mysql && !read {
            self.choose_write(t)
        } else {
            self.choose(t)
        };
        self.link(sources, src_servers, targets, t.kind, mysql, read);
    }

    fn names(&self, servers: &[usize]) -> Vec<String> {
        servers
            .iter()
            .map(|&s| self.topo.servers[s].name.clone())
            .collect()
    }

    fn link_tiers(&mut self, s: &Tier, t: &Tier) {
        let style = self.rng.below(100);
        let all = self.names(&s.servers);
        match s.group {
            Some(g) if style < 45 => {
                let name = vec![self.links[g].clone()];
                self.one_link(&name, &s.servers, t);
            }
            _ if style < 65 && s.servers.len() > 1 => self.one_link(&all, &s.servers, t),
            _ => {
                for (i, &x) in s.servers.iter().enumerate() {
                    if self.rng.pct(90) {
                        self.one_link(&all[i..=i], &[x], t);
                    }
                }
            }
        }
        if self.rng.pct(15) {
            let sources = match s.group {
                Some(g) => vec![self.links[g].clone()],
                None => all,
            };
            self.one_link(&sources, &s.servers, t);
        }
    }

    /// The `app+mysql` boxes write to their own group (§7.6).
    fn box_links(&mut self, t: &Tier) {
        let g = t.group.expect("boxes are a group");
        let primary = self.topo.groups[g].mysql.unwrap().primary;
        let gname = vec![self.links[g].clone()];
        match self.rng.below(4) {
            0 | 1 => {
                let read = self.rng.pct(30);
                self.link(
                    &gname,
                    &t.servers,
                    vec![Target::Group(g)],
                    t.kind,
                    true,
                    read,
                );
            }
            2 => {
                let read = self.rng.pct(30);
                let targets = vec![Target::Server(primary)];
                self.link(&gname, &t.servers, targets, t.kind, true, read);
            }
            _ => {
                for &m in &t.servers {
                    let read = self.rng.pct(30);
                    let target = if self.rng.pct(50) {
                        Target::Group(g)
                    } else {
                        Target::Server(primary)
                    };
                    let name = self.names(&[m]);
                    self.link(&name, &[m], vec![target], t.kind, true, read);
                }
            }
        }
    }

    fn record(&mut self, label: &str, domain: &str, t: &Tier, also: Option<&Tier>) -> String {
        let mut targets = self.choose(t);
        if let Some(also) = also {
            targets.extend(self.choose(also));
        }
        let names: Vec<String> = targets.iter().map(|&x| self.target_name(x)).collect();
        // A CNAME points at one name (a `bad-value` otherwise).
        let ty = match self.rng.below(10) {
            0 if targets.len() == 1 => "CNAME",
            1 => "AAAA",
            _ => "A",
        };
        let proto = match self.rng.below(4) {
            0 => " : https",
            1 => " : http",
            _ => "",
        };
        let subject = if label == "@" {
            domain.to_string()
        } else {
            format!("{label}.{domain}")
        };
        self.topo.records.push(Record {
            subject,
            targets: targets.into_iter().map(|x| (x, false)).collect(),
        });
        format!("{label} {ty} -> {}{proto}", names.join(", "))
    }
}

impl Gen {
    /// Without `domain`: self-references on the front tier (a server to
    /// itself, a group to itself, a member to its own group), which must not
    /// hide it (v1.1 §7.8), and now and then a member linking to a sibling,
    /// which does hide the group and can leave no entry point at all.
    fn self_links(&mut self, t: &Tier) {
        let names = self.names(&t.servers);
        match t.group {
            Some(g) => {
                let gname = self.links[g].clone();
                if self.rng.pct(50) {
                    let targets = vec![Target::Group(g)];
                    self.link(
                        std::slice::from_ref(&gname),
                        &t.servers,
                        targets,
                        t.kind,
                        false,
                        false,
                    );
                }
                if self.rng.pct(50) {
                    let i = self.rng.below(t.servers.len());
                    let targets = vec![Target::Group(g)];
                    self.link(
                        &names[i..=i],
                        &t.servers[i..=i],
                        targets,
                        t.kind,
                        false,
                        false,
                    );
                }
                if t.servers.len() > 1 && self.rng.pct(20) {
                    let targets = vec![Target::Server(t.servers[1])];
                    self.link(&names[..1], &t.servers[..1], targets, t.kind, false, false);
                }
            }
            None => {
                for (i, &x) in t.servers.iter().enumerate() {
                    if self.rng.pct(60) {
                        let targets = vec![Target::Server(x)];
                        self.link(&names[i..=i], &[x], targets, t.kind, false, false);
                    }
                }
            }
        }
    }

    /// A replica `stage-db`, reached by a write: a record straight to it
    /// (`: mysql`) or a server `next` that writes to it. Returns the record
    /// line when there is a domain.
    fn dark_chain(&mut self, decls: &mut String, with_domain: bool) -> Option<String> {
        let db = self.add_server("stage-db".into(), Kind::Db, None, true);
        let addr = self.addr();
        *decls += &format!("server stage-db: {} {addr} replica\n", self.db);
        // The chain must stay dark: its links are never optional.
        let optional_pct = std::mem::replace(&mut self.optional_pct, 0);
        let direct = with_domain && self.rng.pct(40);
        let mut entry = "stage-db".to_string();
        if !direct {
            let next = self.add_server("next".into(), Kind::App, None, false);
            *decls += &format!("server next: app {}\n", self.addr());
            let targets = vec![Target::Server(db)];
            self.link(
                &["next".to_string()],
                &[next],
                targets,
                Kind::Db,
                true,
                false,
            );
            entry = "next".to_string();
            self.optional_pct = optional_pct;
            if !with_domain {
                if self.rng.pct(50) {
                    self.allow_broken = Some(entry);
                }
                return None;
            }
        }
        let (target, mysql) = if direct {
            (Target::Server(db), true)
        } else {
            (Target::Server(db + 1), false)
        };
        self.topo.records.push(Record {
            subject: "beta.foobar.com".to_string(),
            targets: vec![(target, mysql)],
        });
        if self.rng.pct(50) {
            self.allow_broken = Some("beta.foobar.com".to_string());
        }
        self.optional_pct = optional_pct;
        let proto = if direct {
            format!(" : {}", self.db)
        } else {
            String::new()
        };
        Some(format!("beta A -> {entry}{proto}"))
    }
}

/// One random layered stack: its text and the generator's own account of it.
fn generate(seed: u64) -> (String, Topo) {
    let mut g = Gen {
        rng: Rng::new(seed),
        topo: Topo::default(),
        addr: 0,
        allow_broken: None,
        links: Vec::new(),
        db: "mysql",
        db_port: 3306,
        optional_pct: 0,
    };
    // Each replicated role in turn, and optional links in half the cases.
    (g.db, g.db_port) = [("mysql", 3306), ("postgres", 5432), ("redis", 6379)][(seed % 3) as usize];
    g.optional_pct = if g.rng.pct(50) { 10 } else { 0 };
    let mut head = String::new();
    if g.rng.pct(50) {
        head += &format!("stack gen{seed} \"generated case {seed}\"\n");
        g.topo.name = Some(format!("gen{seed}"));
    }
    if g.rng.pct(20) {
        head += "# a generated stack\n";
    }
    let nzones = match g.rng.below(10) {
        0 | 1 => 0,
        2 => 1,
        3..=7 => 2,
        _ => 3,
    };
    for z in ["a", "b", "c"].iter().take(nzones) {
        head += &format!("zone {z}\n");
        g.topo.zones.push(z.to_string());
    }

    let mut kinds = Vec::new();
    if g.rng.pct(80) {
        kinds.push(Kind::Lb);
    }
    kinds.push(Kind::Web);
    if g.rng.pct(15) {
        kinds.push(Kind::AppBox);
    } else {
        kinds.push(Kind::App);
        kinds.push(Kind::Db);
    }

    let mut decls = String::new();
    let tiers: Vec<Tier> = kinds.iter().map(|&k| g.tier(k, &mut decls)).collect();
    // From here on `links` holds the link lines; group names stay in front.
    let ngroups = g.topo.groups.len();

    for w in tiers.windows(2) {
        g.link_tiers(&w[0], &w[1]);
    }
    // Now and then a link that skips a tier (still downwards: no cycle).
    if tiers.len() >= 3 && g.rng.pct(10) {
        let from = g.rng.below(tiers.len() - 2);
        let to = from + 2 + g.rng.below(tiers.len() - from - 2);
        let src = &tiers[from];
        let sources = match src.group {
            Some(gi) if g.rng.pct(50) => vec![g.links[gi].clone()],
            _ => g.names(&src.servers),
        };
        g.one_link(&sources, &src.servers, &tiers[to]);
    }
    if let Some(t) = tiers.iter().find(|t| t.kind == Kind::AppBox) {
        g.box_links(t);
    }
    if g.rng.pct(15) {
        let z = g.zone(60);
        let line = format!("server spare: nginx {}{}\n", g.addr(), g.zone_text(z));
        decls += &line;
        let spare = g.add_server("spare".to_string(), Kind::Web, z, false);
        if g.rng.pct(50) {
            let app = tiers
                .iter()
                .find(|t| matches!(t.kind, Kind::App | Kind::AppBox))
                .unwrap();
            g.one_link(&["spare".to_string()], &[spare], app);
        }
    }

    // Records.
    let mut domains: Vec<(String, Vec<String>)> = Vec::new();
    // Records mostly point at the front tier, sometimes at the next one too.
    // Without any `domain`, the entry points are the untargeted servers and
    // groups.
    let with_domain = g.rng.pct(75);
    if !with_domain {
        g.self_links(&tiers[0]);
    }
    // Something not launched yet: a chain that can never serve (a write to
    // a replica), reached by a record of its own or, without `domain`, an
    // entry point of its own; sometimes allowed as `broken`.
    let dark = g.rng.pct(30).then(|| g.dark_chain(&mut decls, with_domain));
    if with_domain {
        let also = if g.rng.pct(10) { Some(&tiers[1]) } else { None };
        let www = g.record("www", "foobar.com", &tiers[0], also);
        domains.push(("foobar.com".to_string(), vec![www]));
    }
    if with_domain && g.rng.pct(50) {
        let label = if g.rng.pct(50) { "@" } else { "api" };
        let t = if g.rng.pct(30) { &tiers[1] } else { &tiers[0] };
        if g.rng.pct(60) {
            let r = g.record(label, "foobar.com", t, None);
            domains[0].1.push(r);
        } else {
            let r = g.record(label, "example.org", t, None);
            domains.push(("example.org".to_string(), vec![r]));
        }
    }
    if let Some(Some(beta)) = dark {
        domains[0].1.push(beta);
    }
    let mut dtext = String::new();
    for (d, recs) in &domains {
        let ttl = if g.rng.pct(50) { " ttl=300" } else { "" };
        if recs.len() == 1 && g.rng.pct(40) {
            dtext += &format!("domain {d}{ttl} {{ {} }}\n\n", recs[0]);
        } else {
            dtext += &format!("domain {d}{ttl} {{\n");
            for r in recs {
                dtext += &format!("  {r}\n");
            }
            dtext += "}\n\n";
        }
    }

    let mut lines: Vec<String> = g.links.split_off(ngroups);
    // Link order does not matter: shuffle it.
    for i in (1..lines.len()).rev() {
        let j = g.rng.below(i + 1);
        lines.swap(i, j);
    }
    let mut src = head;
    src.push('\n');
    let domain_last = g.rng.pct(25);
    if !domain_last {
        src += &dtext;
    }
    src += &decls;
    src.push('\n');
    for l in &lines {
        src += l;
        src.push('\n');
    }
    if domain_last {
        src.push('\n');
        src += &dtext;
    }
    if let Some(subject) = g.allow_broken.take() {
        src += &format!("allow broken {subject} \"not launched yet\"\n");
    }
    (src, g.topo)
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn brute_force_matches_the_crate_on_random_layered_stacks() {
    let cases = env_u64("STACKC_DIFF_CASES", 1000);
    let first = env_u64("STACKC_DIFF_SEED", 1);
    let mut used = 0u64;
    let mut skipped: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    // (which rules differ, report); all collected, the shortest shown.
    let mut mismatches: Vec<(String, String)> = Vec::new();
    for seed in first..first + cases {
        let (src, topo) = generate(seed);
        let want = expected(&topo);
        // The generator's bookkeeping must agree with its own text.
        assert_eq!(
            want,
            expected(&parse_stack(&src)),
            "seed {seed}: generator and mini parser disagree on\n{src}"
        );
        let c = stackc::check(&src);
        let others: Vec<String> = c
            .findings
            .iter()
            .filter(|f| !ALLOWED.contains(&f.rule.as_str()))
            .map(|f| format!("{} {:?}", f.rule.as_str(), f.subject))
            .collect();
        if !others.is_empty() {
            let e = skipped
                .entry(others.join(", "))
                .or_insert((0, format!("seed {seed}:\n{src}")));
            e.0 += 1;
            continue;
        }
        used += 1;
        assert!(c.analysis.is_some(), "seed {seed}: no analysis for\n{src}");
        let got = crate_findings(&c);
        if got != want {
            let rules: Vec<&str> = COMPARED
                .iter()
                .copied()
                .filter(|r| {
                    let of = |v: &Findings| -> Findings {
                        v.iter().filter(|(x, _)| x == r).cloned().collect()
                    };
                    of(&got) != of(&want)
                })
                .collect();
            mismatches.push((
                rules.join("+"),
                format!(
                    "seed {seed}: the crate and the brute force disagree on {rules:?}\n\
                     --- source ---\n{src}--- brute force ---\n{want:?}\n--- crate ---\n{got:?}\n"
                ),
            ));
            continue;
        }
        for (rule, _) in &want {
            *seen
                .entry(COMPARED.iter().find(|r| *r == rule).unwrap())
                .or_default() += 1;
        }
        if want.iter().all(|(r, _)| r == "replica-write") {
            *seen.entry("clean").or_default() += 1;
        }
    }
    eprintln!("differential: {used}/{cases} cases used; findings seen: {seen:?}");
    for (why, (n, example)) in &skipped {
        eprintln!("skipped {n}x for {why}; first:\n{example}");
    }
    if !mismatches.is_empty() {
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        for (k, _) in &mismatches {
            *kinds.entry(k).or_default() += 1;
        }
        // The shortest failing source of each kind is the easiest to read.
        let mut shown: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, report) in &mismatches {
            let e = shown.entry(k).or_insert(report);
            if report.len() < e.len() {
                *e = report;
            }
        }
        let shown: Vec<&str> = shown.into_values().collect();
        panic!(
            "{} of {used} cases disagree (by rule: {kinds:?}); shortest of each kind:\n\n{}",
            mismatches.len(),
            shown.join("\n")
        );
    }
    assert!(
        used * 100 >= cases * 80,
        "only {used} of {cases} generated files were usable: {skipped:#?}"
    );
    // The generator must exercise every outcome, not only clean stacks.
    for rule in COMPARED.iter().copied().chain(["clean"]) {
        assert!(
            seen.get(rule).copied().unwrap_or(0) >= 5,
            "the generator rarely produces {rule}: {seen:?}"
        );
    }
}

/// The §1 file, verbatim.
const SECTION_1: &str = r#"# foobar.com, after "scale up": two HAProxy in a VRRP pair, split tiers.
stack foobar "foobar.com: scale up"

zone a
zone b

domain foobar.com ttl=300 {
  www A -> lb : https
}

group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.11 zone=a
  server lb-02 10.0.0.12 zone=b
}

group web: nginx firewall monitor=sumologic {
  server web-01 10.0.1.11 zone=a
  server web-02 10.0.1.12 zone=b
}

group app: app port=8000 runtime=python {
  server app-01 10.0.2.11 zone=a
  server app-02 10.0.2.12 zone=b
}

group db: mysql failover=auto vip=10.0.3.10 {
  server db-01 10.0.3.11 zone=a primary
  server db-02 10.0.3.12 zone=b replica
}

lb  -> web : http 80
web -> app : http 8000
app -> db  : mysql 3306

allow no-monitoring lb "the LB pair is watched by the provider's probes"
"#;

/// The §5 worked example, as drawn (LINK is the last link line).
const AS_DRAWN: &str = r#"stack foobar "foobar.com: scale up, as drawn"

domain foobar.com ttl=300 {
  www A -> lb : https
}

group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}

group web: nginx {
  server web-01 10.0.1.11
  server web-02 10.0.1.12
}

group app: app port=8000 runtime=python {
  server app-01 10.0.2.11
  server app-02 10.0.2.12
}

group db: mysql {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12 replica
}

lb-01 -> web-01
lb-02 -> web-02
web-01 -> app-01
web-02 -> app-02
app-01 -> db-01 : mysql
LINK
"#;

/// An active-passive pair whose holder stays alive when its only backend
/// dies (TRACK is empty or ` track`).
const HOLDER_ALIVE: &str = r#"domain foobar.com { www A -> lb }

group lb: haproxy mode=active-passive vip=10.0.0.10TRACK {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}

server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12

lb-01 -> web-01
lb-02 -> web-02
"#;

/// The "distributed" stage: boxes writing to their own group (§7.6).
const BOXES: &str = r#"domain foobar.com ttl=300 {
  www A -> lb-01
}

server lb-01: haproxy 10.0.0.10

group box: nginx+app+mysql {
  server box-01 10.0.1.11 primary
  server box-02 10.0.1.12 replica
}

lb-01 -> box
box -> box : mysql
"#;

/// Every chain ends in a write to a replica: dark with nothing down.
const BROKEN: &str = r#"domain foobar.com {
  www A -> web-01
  @ A -> web-01
}

server web-01: nginx 10.0.0.1

group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
}

web-01 -> db-02 : mysql
"#;

/// Without `domain`: the untargeted active-passive pair is the entry point.
const NO_DOMAIN: &str = r#"group lb: haproxy mode=active-passive vip=10.0.0.10 {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}
server web-01: nginx 10.0.1.11
lb-01 -> web-01
"#;

/// Without `domain`: the entry point app-01 can never work.
const NO_DOMAIN_BROKEN: &str = r#"server app-01: app 10.0.0.1
group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
}
app-01 -> db-02 : mysql
"#;

/// Issue 9 A1: without `domain`, a box that writes to its own database.
const SELF_BOX: &str = r#"server box: nginx+app+mysql 198.51.100.10 primary
box -> box : mysql
"#;

/// Issue 9 A1: a group linking to itself is still the entry point.
const SELF_GROUP: &str = r#"group web: nginx {
  server web-01 10.0.0.1
  server web-02 10.0.0.2
}
server app-01: app 10.0.1.1
web -> web
web-01 -> web
web -> app-01
"#;

/// Issue 9 A1: every server is targeted by another: no entry point.
const NO_ENTRY: &str = r#"stack tiny "no way in"
group web: nginx {
  server web-01 10.0.0.1
  server web-02 10.0.0.2
}
web-01 -> web-02
"#;

/// Issue 9 A2: an allowed broken record leaves the other one judged.
const ALLOWED_BROKEN: &str = r#"domain ex.com {
  www A -> web-01
  api A -> api-01
}
server web-01: nginx 10.0.0.1
server api-01: app 10.0.0.2
group db: mysql {
  server db-01 10.0.0.3 primary
  server db-02 10.0.0.4
}
api-01 -> db-02 : mysql
allow broken api.ex.com "not launched yet"
"#;

fn pairs(v: &[(&str, &str)]) -> Findings {
    let mut out: Findings = v
        .iter()
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn brute_force_and_crate_agree_on_the_spec_examples() {
    let manual = SECTION_1.replace(
        "group db: mysql failover=auto vip=10.0.3.10",
        "group db: mysql",
    );
    assert_ne!(manual, SECTION_1);
    let cases: Vec<(&str, String, Findings)> = vec![
        (
            "§5 worked example, as drawn",
            AS_DRAWN.replace("LINK", "app-02 -> db-02 : mysql"),
            pairs(&[
                ("replica-write", "app-02"),
                ("spof", "lb-01"),
                ("spof", "web-01"),
                ("spof", "app-01"),
                ("spof", "db-01"),
            ]),
        ),
        (
            "§5 worked example, with read",
            AS_DRAWN.replace("LINK", "app-02 -> db-02 : mysql read"),
            pairs(&[("spof", "web-01"), ("spof", "app-01"), ("spof", "db-01")]),
        ),
        ("§1 file", SECTION_1.to_string(), pairs(&[])),
        (
            "§1 file with manual failover",
            manual,
            pairs(&[("spof", "db-01"), ("zone-spof", "a")]),
        ),
        (
            "active-passive holder alive, backend dead",
            HOLDER_ALIVE.replace("TRACK", ""),
            pairs(&[("spof", "web-01")]),
        ),
        (
            "active-passive with track",
            HOLDER_ALIVE.replace("TRACK", " track"),
            pairs(&[]),
        ),
        (
            "boxes writing to their own group",
            BOXES.to_string(),
            pairs(&[("spof", "lb-01"), ("spof", "box-01")]),
        ),
        (
            "boxes with automatic failover",
            BOXES.replace(
                "group box: nginx+app+mysql",
                "group box: nginx+app+mysql failover=auto vip=10.0.1.10",
            ),
            pairs(&[("spof", "lb-01")]),
        ),
        (
            "broken: the only chain writes to a replica",
            BROKEN.to_string(),
            pairs(&[
                ("replica-write", "web-01"),
                ("broken", "www.foobar.com"),
                ("broken", "foobar.com"),
            ]),
        ),
        (
            "no domain: an active-passive entry point",
            NO_DOMAIN.to_string(),
            pairs(&[("spof", "web-01")]),
        ),
        (
            "no domain: a dark entry point",
            NO_DOMAIN_BROKEN.to_string(),
            pairs(&[("replica-write", "app-01"), ("broken", "app-01")]),
        ),
        (
            "no domain: a box writing to itself is its own entry point",
            SELF_BOX.to_string(),
            pairs(&[("spof", "box")]),
        ),
        (
            "no domain: a group linking to itself is an entry point",
            SELF_GROUP.to_string(),
            pairs(&[("spof", "app-01")]),
        ),
        (
            "no domain: no entry point at all",
            NO_ENTRY.to_string(),
            pairs(&[("broken", "tiny")]),
        ),
        (
            "no domain and no stack name: no entry point at all",
            NO_ENTRY.replace("stack tiny \"no way in\"\n", ""),
            pairs(&[("broken", "stack")]),
        ),
        (
            "an allowed broken record hides no spof of the others",
            ALLOWED_BROKEN.to_string(),
            pairs(&[
                ("replica-write", "api-01"),
                ("broken", "api.ex.com"),
                ("spof", "web-01"),
            ]),
        ),
        (
            "every record broken: no spof",
            ALLOWED_BROKEN.replace("www A -> web-01", "www A -> api-01"),
            pairs(&[
                ("replica-write", "api-01"),
                ("broken", "api.ex.com"),
                ("broken", "www.ex.com"),
            ]),
        ),
    ];
    for (what, src, want) in cases {
        let brute = expected(&parse_stack(&src));
        assert_eq!(brute, want, "{what}: the brute force got it wrong\n{src}");
        let c = stackc::check(&src);
        assert!(c.analysis.is_some(), "{what}: no analysis\n{src}");
        assert_eq!(
            crate_findings(&c),
            want,
            "{what}: the crate got it wrong\n{src}"
        );
    }
}

/// §7.2: `replica-write` is emitted once per source server and per link, even
/// when the link names several replicas.
#[test]
fn replica_write_is_once_per_source_server_per_link() {
    let src = r#"domain foobar.com { www A -> app-01 }
server app-01: app 10.0.0.1
group db: mysql {
  server db-01 10.0.0.2 primary
  server db-02 10.0.0.3
  server db-03 10.0.0.4
}
app-01 -> db-02, db-03 : mysql
"#;
    let want = pairs(&[("replica-write", "app-01"), ("broken", "www.foobar.com")]);
    assert_eq!(expected(&parse_stack(src)), want);
    assert_eq!(crate_findings(&stackc::check(src)), want, "{src}");
}

/// Long straight runs (evaluated as one gate by the crate) with branches
/// into and out of them, against the brute force.
#[test]
fn brute_force_and_crate_agree_on_straight_runs() {
    let mut src = String::from(
        "zone a\nzone b\ndomain ex.com {\n  www A -> s0\n  api A -> s4\n  ops A -> s9, s7\n}\n",
    );
    for i in 0..12 {
        let zone = if i % 5 == 0 { " zone=a" } else { "" };
        src += &format!("server s{i}: nginx 10.0.0.{}{zone}\n", i + 1);
    }
    src += "group g: app {\n  server g-01 10.0.1.1 zone=b\n  server g-02 10.0.1.2\n}\n";
    for i in 1..12 {
        if i != 8 {
            src += &format!("s{} -> s{i}\n", i - 1);
        }
    }
    src += "s3 -> g\ns11 -> g-01\ns6 -> s10, s11\n";
    let want = expected(&parse_stack(&src));
    assert!(want.iter().any(|(r, _)| r == "spof"), "{want:?}");
    assert_eq!(crate_findings(&stackc::check(&src)), want, "{src}");
}
