//! The test's own representation of a topology, and the brute force: §5
//! read literally, one scenario at a time.

// ---------------------------------------------------------------------------
// The test's own representation of a topology.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Server(usize),
    Group(usize),
}

/// One requirement of one server: one link statement, after group expansion.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    /// Each target with "this hop speaks mysql" (the protocol is per target,
    /// §7.7).
    pub(crate) targets: Vec<(Target, bool)>,
    pub(crate) read: bool,
    /// `optional`: the source works without it (ROLES.md §2).
    pub(crate) optional: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Server {
    pub(crate) name: String,
    /// The default protocol of its highest-tier role is mysql.
    pub(crate) default_mysql: bool,
    pub(crate) zone: Option<usize>,
    /// A mysql replica: never available for a write.
    pub(crate) replica: bool,
    pub(crate) reqs: Vec<Req>,
    /// `availability=` in percent, its own or its group's (RESILIENCE.md §3).
    pub(crate) availability: Option<f64>,
    /// `capacity=` in requests per second, its own or its group's (§4).
    pub(crate) capacity: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    ActiveActive,
    ActivePassive {
        track: bool,
    },
    /// `mode=quorum`: available while at least `k` members work
    /// (RESILIENCE.md §5).
    Quorum {
        k: usize,
    },
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct MysqlGroup {
    /// Server index of the primary.
    pub(crate) primary: usize,
    pub(crate) auto: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) default_mysql: bool,
    pub(crate) members: Vec<usize>,
    pub(crate) mode: Mode,
    pub(crate) mysql: Option<MysqlGroup>,
}

#[derive(Clone, Debug)]
pub(crate) struct Record {
    /// `label.domain`, or the bare domain for `@`.
    pub(crate) subject: String,
    pub(crate) targets: Vec<(Target, bool)>,
    /// `load=` in requests per second (RESILIENCE.md §4); 0 without.
    pub(crate) load: f64,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Topo {
    /// The `stack` statement's name.
    pub(crate) name: Option<String>,
    pub(crate) servers: Vec<Server>,
    pub(crate) groups: Vec<Group>,
    pub(crate) zones: Vec<String>,
    /// Per zone, its `availability=` in percent.
    pub(crate) zone_availability: Vec<Option<f64>>,
    pub(crate) records: Vec<Record>,
    /// The subject of the `allow broken` (a record not launched yet).
    pub(crate) allowed_broken: Option<String>,
    /// `stack NAME tolerate=K` and `slo=P`.
    pub(crate) tolerate: Option<usize>,
    pub(crate) slo: Option<f64>,
}

// ---------------------------------------------------------------------------
// The brute force: §5 read literally, one scenario at a time.
// ---------------------------------------------------------------------------

pub(crate) struct Scenario<'a> {
    pub(crate) topo: &'a Topo,
    pub(crate) down: Vec<bool>,
    pub(crate) memo: Vec<Option<bool>>,
}

impl<'a> Scenario<'a> {
    pub(crate) fn new(topo: &'a Topo, down: Vec<bool>) -> Self {
        let n = topo.servers.len();
        Scenario {
            topo,
            down,
            memo: vec![None; n],
        }
    }

    pub(crate) fn up(&self, s: usize) -> bool {
        !self.down[s]
    }

    /// §5.1: up, and every requirement holds. The generated graphs are
    /// acyclic (after treating self-references as local), so plain recursion
    /// terminates.
    pub(crate) fn works(&mut self, s: usize) -> bool {
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
    pub(crate) fn holds(&mut self, s: usize, r: &Req) -> bool {
        r.targets.iter().any(|&(t, mysql)| {
            let write = mysql && !r.read;
            self.local(s, t, write) || self.available(t, mysql, write)
        })
    }

    /// §5.3 and §7.6: a target that is (or contains) the source server itself.
    pub(crate) fn local(&self, s: usize, t: Target, write: bool) -> bool {
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

    pub(crate) fn any_member_works(&mut self, g: usize) -> bool {
        let topo = self.topo;
        topo.groups[g].members.iter().any(|&m| self.works(m))
    }

    /// §5.4.
    pub(crate) fn available(&mut self, t: Target, mysql: bool, write: bool) -> bool {
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
                        Mode::Quorum { k } => {
                            let members = g.members.clone();
                            members.into_iter().filter(|&m| self.works(m)).count() >= k
                        }
                    }
                }
            }
        }
    }

    /// §5.5: a record is available when any of its targets is (a record is
    /// judged with its own protocol, and a mysql record would be a write).
    pub(crate) fn record_available(&mut self, r: &Record) -> bool {
        r.targets
            .iter()
            .any(|&(t, mysql)| self.available(t, mysql, mysql))
    }

    pub(crate) fn dark_records(&mut self) -> Vec<String> {
        let topo = self.topo;
        topo.records
            .iter()
            .filter(|r| !self.record_available(r))
            .map(|r| r.subject.clone())
            .collect()
    }
}

pub(crate) fn serves(topo: &Topo, down: Vec<bool>) -> bool {
    Scenario::new(topo, down).dark_records().is_empty()
}

pub(crate) type Findings = Vec<(String, String)>;

/// The findings §5.6/§7.1/§7.3 (and §4 `replica-write`, §7.2) call for.
/// Without `domain`, the entry points are the servers and groups that no
/// link targets, a member counting for its group and the reverse (§5.5,
/// §7.8); each is judged like a record: default protocol, a write.
pub(crate) fn entry_points(topo: &Topo) -> Vec<Record> {
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
                load: 0.0,
            });
        }
    }
    for (x, s) in topo.servers.iter().enumerate() {
        if !targeted_server[x] && group_of(x).is_none() {
            out.push(Record {
                subject: s.name.clone(),
                targets: vec![(Target::Server(x), s.default_mysql)],
                load: 0.0,
            });
        }
    }
    out
}

pub(crate) fn expected(topo: &Topo) -> Findings {
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

pub(crate) const COMPARED: &[&str] = &["broken", "spof", "zone-spof", "replica-write"];
/// §5 rules plus `replica-write`: the only findings a usable case may have.
pub(crate) const ALLOWED: &[&str] = &[
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
pub(crate) fn crate_findings(c: &stackc::Checked) -> Findings {
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
