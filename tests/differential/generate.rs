//! The generator: random layered stacks, written as text and recorded in
//! the test's own representation at the same time.
use super::*;

// ---------------------------------------------------------------------------
// The generator: random layered stacks, written as text and recorded in the
// test's own representation at the same time.
// ---------------------------------------------------------------------------

/// splitmix64: small, seeded, good enough.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5DEE_CE66_D1CE_5EED)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub(crate) fn pct(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Lb,
    Web,
    App,
    /// `app+mysql` boxes: the app tier holds the database too, and the
    /// servers write to their own group (§7.6 self-references).
    AppBox,
    Db,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Lb => "lb",
            Kind::Web => "web",
            Kind::App | Kind::AppBox => "app",
            Kind::Db => "db",
        }
    }
    /// Its roles, `db` the case's replicated role (mysql, postgres, redis).
    pub(crate) fn roles(self, db: &str) -> String {
        match self {
            Kind::Lb => "haproxy".into(),
            Kind::Web => "nginx".into(),
            Kind::App => "app".into(),
            Kind::AppBox => format!("app+{db}"),
            Kind::Db => db.into(),
        }
    }
    pub(crate) fn has_mysql(self) -> bool {
        matches!(self, Kind::AppBox | Kind::Db)
    }
    pub(crate) fn http_port(self) -> u16 {
        match self {
            Kind::App | Kind::AppBox => 8000,
            _ => 80,
        }
    }
}

pub(crate) struct Tier {
    pub(crate) kind: Kind,
    pub(crate) group: Option<usize>,
    pub(crate) servers: Vec<usize>,
}

pub(crate) struct Gen {
    pub(crate) rng: Rng,
    pub(crate) topo: Topo,
    pub(crate) addr: u32,
    /// An `allow broken` for the chain not launched yet.
    pub(crate) allow_broken: Option<String>,
    /// The group names (indexed like `topo.groups`), then the link lines.
    pub(crate) links: Vec<String>,
    /// The case's replicated role (mysql, postgres or redis) and its port.
    pub(crate) db: &'static str,
    pub(crate) db_port: u16,
    /// How often a link is `optional`, in percent.
    pub(crate) optional_pct: u64,
    /// RESILIENCE.md's attributes too (availability, capacity, load,
    /// quorum groups, tolerate, slo); off, the text is as before.
    pub(crate) res: bool,
    /// This case puts capacities on servers and loads on records.
    pub(crate) capacities: bool,
    /// A redundant design (with `res`): every tier a group of two or three
    /// spread over the zones, reached as a group, writes with failover or
    /// a quorum, no dark chain; its smallest cuts have two or three
    /// elements.
    pub(crate) redundant: bool,
    /// A wide redundant design: two tiers of four or five, whose cuts can
    /// all be bigger than three.
    pub(crate) wide: bool,
}

impl Gen {
    pub(crate) fn addr(&mut self) -> String {
        self.addr += 1;
        format!(
            "10.{}.{}.{}",
            self.addr / 40000,
            (self.addr / 200) % 200,
            self.addr % 200 + 1
        )
    }

    pub(crate) fn zone(&mut self, p: u64) -> Option<usize> {
        if self.topo.zones.is_empty() || !self.rng.pct(p) {
            return None;
        }
        Some(self.rng.below(self.topo.zones.len()))
    }

    pub(crate) fn zone_text(&self, z: Option<usize>) -> String {
        z.map(|z| format!(" zone={}", self.topo.zones[z]))
            .unwrap_or_default()
    }

    pub(crate) fn add_server(
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
            availability: None,
            capacity: None,
        });
        self.topo.servers.len() - 1
    }

    pub(crate) fn tier(&mut self, kind: Kind, out: &mut String) -> Tier {
        let n = if self.wide {
            4 + self.rng.below(2)
        } else if self.redundant {
            2 + self.rng.below(2)
        } else {
            1 + self.rng.below(3)
        };
        let base = kind.name();
        let roles = kind.roles(self.db);
        let grouped = kind == Kind::AppBox || self.redundant || self.rng.pct(70);
        let mut servers = Vec::new();
        if grouped {
            let gi = self.topo.groups.len();
            let mut head = format!("group {base}: {roles}");
            let mut mode = Mode::ActiveActive;
            let mut mysql = None;
            if let Some(k) = self.quorum(kind, n) {
                mode = Mode::Quorum {
                    k: k.unwrap_or(n / 2 + 1),
                };
                head += " mode=quorum";
                if let Some(k) = k {
                    head += &format!(" quorum={k}");
                }
            } else if kind.has_mysql() {
                let primary = self.rng.below(n);
                let auto = self.redundant || self.rng.pct(40);
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
            let gzone = if self.redundant { None } else { self.zone(20) };
            head += &self.zone_text(gzone);
            let (gavail, gcap) = self.res_attrs(&mut head, 25, 50);
            if self.rng.pct(30) {
                head += " firewall";
            }
            out.push_str(&head);
            out.push_str(" {\n");
            for i in 0..n {
                let name = format!("{base}-{:02}", i + 1);
                let own = match self.topo.zones.len() {
                    _ if !self.redundant => self.zone(70),
                    0 => None,
                    nz => Some(i % nz),
                };
                let mut line = format!("  server {name} {}{}", self.addr(), self.zone_text(own));
                let (avail, cap) = self.res_attrs(&mut line, 25, 30);
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
                let s = self.add_server(name, kind, own.or(gzone), replica);
                self.topo.servers[s].availability = avail.or(gavail);
                self.topo.servers[s].capacity = cap.or(gcap);
                servers.push(s);
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
                let (avail, cap) = self.res_attrs(&mut line, 30, 50);
                let s = self.add_server(name, kind, zone, replica);
                self.topo.servers[s].availability = avail;
                self.topo.servers[s].capacity = cap;
                servers.push(s);
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

    pub(crate) fn target_name(&self, t: Target) -> String {
        match t {
            Target::Server(x) => self.topo.servers[x].name.clone(),
            Target::Group(g) => self.links[g].clone(),
        }
    }

    pub(crate) fn subset(&mut self, v: &[usize]) -> Vec<Target> {
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

    pub(crate) fn choose(&mut self, t: &Tier) -> Vec<Target> {
        match t.group {
            Some(g) if self.redundant => vec![Target::Group(g)],
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
    pub(crate) fn choose_write(&mut self, t: &Tier) -> Vec<Target> {
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
    pub(crate) fn link(
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

    pub(crate) fn one_link(&mut self, sources: &[String], src_servers: &[usize], t: &Tier) {
        let mysql = t.kind == Kind::Db;
        let read = mysql && self.rng.pct(30);
        let targets = if mysql && !read {
            self.choose_write(t)
        } else {
            self.choose(t)
        };
        self.link(sources, src_servers, targets, t.kind, mysql, read);
    }

    pub(crate) fn names(&self, servers: &[usize]) -> Vec<String> {
        servers
            .iter()
            .map(|&s| self.topo.servers[s].name.clone())
            .collect()
    }

    pub(crate) fn link_tiers(&mut self, s: &Tier, t: &Tier) {
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
    pub(crate) fn box_links(&mut self, t: &Tier) {
        let g = t.group.expect("boxes are a group");
        // A quorum group of boxes has no primary: every member takes writes.
        let primary = match self.topo.groups[g].mysql {
            Some(m) => m.primary,
            None => t.servers[self.rng.below(t.servers.len())],
        };
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

    pub(crate) fn record(
        &mut self,
        label: &str,
        domain: &str,
        t: &Tier,
        also: Option<&Tier>,
    ) -> String {
        let mut targets = self.choose(t);
        if let Some(also) = also {
            targets.extend(self.choose(also));
        }
        let names: Vec<String> = targets.iter().map(|&x| self.target_name(x)).collect();
        // A CNAME points at one name (a `bad-value` otherwise).
        let ty = match self.rng.below(10) {
            0 if targets.len() == 1 => "CNAME",
            // (AAAA to an IPv4 server is a `bad-value`: the resilience cases skip it.)
            1 if !self.res => "AAAA",
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
        let load = self.load();
        self.topo.records.push(Record {
            subject,
            targets: targets.into_iter().map(|x| (x, false)).collect(),
            load: load.unwrap_or(0.0),
        });
        let load = load.map(|l| format!(" load={l}")).unwrap_or_default();
        format!("{label} {ty} -> {}{proto}{load}", names.join(", "))
    }
}

impl Gen {
    /// Without `domain`: self-references on the front tier (a server to
    /// itself, a group to itself, a member to its own group), which must not
    /// hide it (v1.1 §7.8), and now and then a member linking to a sibling,
    /// which does hide the group and can leave no entry point at all.
    pub(crate) fn self_links(&mut self, t: &Tier) {
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
    pub(crate) fn dark_chain(&mut self, decls: &mut String, with_domain: bool) -> Option<String> {
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
            load: 0.0,
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
pub(crate) fn generate(seed: u64) -> (String, Topo) {
    generate_with(seed, false, Design::Plain)
}

/// What kind of design `generate_with` draws (the last two only with
/// RESILIENCE.md's attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Design {
    Plain,
    Redundant,
    Wide,
}

/// `generate`, with RESILIENCE.md's attributes when `res`.
pub(crate) fn generate_with(seed: u64, res: bool, design: Design) -> (String, Topo) {
    let mut g = Gen {
        rng: Rng::new(seed),
        topo: Topo::default(),
        addr: 0,
        allow_broken: None,
        links: Vec::new(),
        db: "mysql",
        db_port: 3306,
        optional_pct: 0,
        res,
        capacities: false,
        redundant: res && design != Design::Plain,
        wide: res && design == Design::Wide,
    };
    // Each replicated role in turn, and optional links in half the cases.
    (g.db, g.db_port) = [("mysql", 3306), ("postgres", 5432), ("redis", 6379)][(seed % 3) as usize];
    g.optional_pct = if g.rng.pct(50) { 10 } else { 0 };
    let mut head = String::new();
    g.capacities = res && g.rng.pct(50);
    if g.rng.pct(50) {
        head += &format!("stack gen{seed} \"generated case {seed}\"");
        g.topo.name = Some(format!("gen{seed}"));
        g.policies(&mut head);
        head.push('\n');
    }
    if g.rng.pct(20) {
        head += "# a generated stack\n";
    }
    let nzones = match g.rng.below(10) {
        // Zones shared by every tier of a wide design would cut it in two.
        _ if g.wide && g.rng.pct(60) => 0,
        0 | 1 => 0,
        2 => 1,
        3..=7 => 2,
        _ => 3,
    };
    for z in ["a", "b", "c"].iter().take(nzones) {
        head += &format!("zone {z}");
        g.topo.zones.push(z.to_string());
        let avail = g.zone_availability(&mut head);
        g.topo.zone_availability.push(avail);
        head.push('\n');
    }

    let mut kinds = Vec::new();
    if g.wide {
        kinds.extend([Kind::Web, Kind::App]);
    } else {
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
    let dark = (!g.redundant && g.rng.pct(30)).then(|| g.dark_chain(&mut decls, with_domain));
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
    g.topo.allowed_broken = g.allow_broken.clone();
    if let Some(subject) = g.allow_broken.take() {
        src += &format!("allow broken {subject} \"not launched yet\"\n");
    }
    (src, g.topo)
}
