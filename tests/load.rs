//! The load flow and N+1 headroom of RESILIENCE.md §4: hand-computed flows
//! for each way load is split or passed on, the headroom's worst set and
//! figures, and the incremental headroom against a brute-force recomputation
//! of the whole flow for every failure set.

use stackc::analysis::circuit::{compile, Circuit};
use stackc::analysis::lanes::Evaluator;
use stackc::analysis::resilience::load::{flow, headroom, Headroom};
use stackc::analysis::resilience::{is_failure_set, servers_down, Element};
use stackc::model::Model;

/// A checked stack without a stopping error.
fn model(src: &str) -> Model {
    let c = stackc::check(src);
    assert!(
        c.analysis.is_some(),
        "no analysis: {:#?}",
        c.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    c.model
}

fn element(m: &Model, name: &str) -> Element {
    if let Some(s) = m.find_server(name) {
        return Element::Server(s);
    }
    Element::Zone(
        m.find_zone(name)
            .unwrap_or_else(|| panic!("no element {name}")),
    )
}

/// `src` with ` capacity=N` on the declaration of each of `servers`.
fn capacity(src: &str, servers: &[&str], n: u32) -> String {
    src.lines()
        .map(|l| {
            let t = l.trim_start();
            let named = servers.iter().any(|s| {
                t.strip_prefix("server ")
                    .and_then(|r| r.strip_prefix(s))
                    .is_some_and(|r| r.starts_with([' ', ':']))
            });
            if named {
                format!("{l} capacity={n}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// The load on each named server with `down` down.
fn loads(m: &Model, down: &[&str], servers: &[&str]) -> Vec<f64> {
    let c = compile(m);
    let down: Vec<Element> = down.iter().map(|n| element(m, n)).collect();
    let all = flow(m, &c, &down);
    servers
        .iter()
        .map(|n| all[m.find_server(n).expect("server").index()])
        .collect()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0))
}

macro_rules! assert_loads {
    ($m:expr, $down:expr, $servers:expr, $want:expr) => {{
        let down: &[&str] = &$down;
        let servers: &[&str] = &$servers;
        let got = loads(&$m, down, servers);
        let want: &[f64] = &$want;
        assert!(
            close(&got, want),
            "with {down:?} down, {servers:?}: got {got:?}, want {want:?}"
        );
    }};
}

const TIERS: &str = r#"stack t
zone a
zone b
domain example.com {
  www A -> lb : https load=400
}
group lb: haproxy mode=active-passive vip=203.0.113.10 {
  server lb-01 10.0.0.11 zone=a
  server lb-02 10.0.0.12 zone=b
}
group web: nginx {
  server web-01 10.0.1.11 zone=a
  server web-02 10.0.1.12 zone=b
  server web-03 10.0.1.13 zone=a
  server web-04 10.0.1.14 zone=b
}
lb -> web : http 80
"#;

#[test]
fn an_active_active_group_splits_evenly_among_its_working_members() {
    let m = model(TIERS);
    let web = ["web-01", "web-02", "web-03", "web-04"];
    assert_loads!(m, [], web, [100.0; 4]);
    let third = 400.0 / 3.0;
    assert_loads!(m, ["web-02"], web, [third, 0.0, third, third]);
    // A zone: both of its web servers (and lb-01: lb-02 holds the vip).
    assert_loads!(m, ["a"], web, [0.0, 200.0, 0.0, 200.0]);
}

#[test]
fn an_active_passive_group_gives_everything_to_its_holder() {
    let m = model(TIERS);
    let lb = ["lb-01", "lb-02"];
    assert_loads!(m, [], lb, [400.0, 0.0]);
    assert_loads!(m, ["lb-01"], lb, [0.0, 400.0]);
    // Every server passes on its whole load along its line.
    assert_loads!(m, ["lb-01"], ["web-01"], [100.0]);
}

const PAIR: &str = r#"domain example.com {
  www A -> lb : https load=300
}
group lb: haproxy mode=active-passive vip=203.0.113.10 TRACK {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}
server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12
lb-01 -> web-01 : http
lb-02 -> web-02 : http
"#;

#[test]
fn a_tracked_pair_gives_everything_to_the_first_member_that_works() {
    let m = model(&PAIR.replace("TRACK", "track"));
    let all = ["lb-01", "lb-02", "web-01", "web-02"];
    assert_loads!(m, [], all, [300.0, 0.0, 300.0, 0.0]);
    // lb-01 is up but does not work: with `track`, lb-02 takes the vip.
    assert_loads!(m, ["web-01"], all, [0.0, 300.0, 0.0, 300.0]);
    // Without `track`, lb-01 keeps the vip and nothing flows.
    let m = model(&PAIR.replace("TRACK", ""));
    assert_loads!(m, ["web-01"], all, [0.0; 4]);
    assert_loads!(m, ["lb-01"], all, [0.0, 300.0, 0.0, 300.0]);
}

const QUORUM: &str = r#"domain example.com {
  www A -> web : https load=600
}
group web: nginx {
  server web-01 10.0.1.11
  server web-02 10.0.1.12
}
group kv: app port=2379 mode=quorum {
  server kv-01 10.0.2.11
  server kv-02 10.0.2.12
  server kv-03 10.0.2.13
}
web -> kv : http 2379
"#;

#[test]
fn a_quorum_group_splits_among_its_working_members_while_it_has_its_quorum() {
    let m = model(QUORUM);
    let all = ["kv-01", "kv-02", "kv-03"];
    assert_loads!(m, [], all, [200.0; 3]);
    assert_loads!(m, ["kv-01"], all, [0.0, 300.0, 300.0]);
    // Each web server passes its 300 on: every kv member takes part of it.
    assert_loads!(m, ["web-01"], all, [200.0; 3]);
    // Two of three lost: no quorum, so the web tier does not work either.
    assert_loads!(m, ["kv-01", "kv-02"], ["web-01", "kv-03"], [0.0, 0.0]);
}

#[test]
fn a_mysql_quorum_group_takes_writes_on_every_working_member() {
    let src = r#"domain example.com {
  www A -> app : https load=300
}
server app: app 10.0.2.11
group db: mysql mode=quorum {
  server db-01 10.0.3.11
  server db-02 10.0.3.12
  server db-03 10.0.3.13
}
app -> db : mysql
"#;
    let m = model(src);
    let db = ["db-01", "db-02", "db-03"];
    assert_loads!(m, [], db, [100.0; 3]);
    assert_loads!(m, ["db-03"], db, [150.0, 150.0, 0.0]);
}

const MYSQL: &str = r#"domain example.com {
  www A -> app : https load=300
}
group app: app port=8000 {
  server app-01 10.0.2.11
  server app-02 10.0.2.12
}
group db: mysql FAILOVER vip=10.0.3.10 {
  server db-01 10.0.3.11 replica
  server db-02 10.0.3.12 primary
  server db-03 10.0.3.13 replica
}
app -> db : mysql
app -> db : mysql read
"#;

#[test]
fn a_mysql_write_goes_to_the_primary_and_a_read_is_split() {
    let db = ["db-01", "db-02", "db-03"];
    let m = model(&MYSQL.replace("FAILOVER", "failover=auto"));
    // Writes: all 300 to the primary; reads: 100 each.
    assert_loads!(m, [], db, [100.0, 400.0, 100.0]);
    // The primary down: writes to the first working member in declared
    // order, reads split between the two left.
    assert_loads!(m, ["db-02"], db, [450.0, 0.0, 150.0]);
    assert_loads!(m, ["db-02", "db-01"], db, [0.0, 0.0, 600.0]);
    // Manual failover: writes to the primary only, and with it down the app
    // tier does not work.
    let m = model(&MYSQL.replace("FAILOVER", ""));
    assert_loads!(m, [], db, [100.0, 400.0, 100.0]);
    assert_loads!(m, ["db-02"], ["app-01", "db-01"], [0.0, 0.0]);
}

const LINES: &str = r#"domain example.com {
  www A -> web-01 : https WWW
  api A -> web-02 : https API
}
server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12
server app-01: app 10.0.2.11
server app-02: app 10.0.2.12
server cache: app 10.0.2.20
server search: app 10.0.2.30
web-01 -> app-01, app-02 : http 8000
web-01 -> cache : http 8000
web-01 -> search : http 8000 optional
web-02 -> app-02 : http 8000
"#;

#[test]
fn each_line_carries_the_whole_load_split_among_its_available_targets() {
    let m = model(&LINES.replace("WWW", "load=100").replace("API", ""));
    let all = ["web-01", "app-01", "app-02", "cache", "search"];
    // Three lines: each carries all 100; the comma line splits it.
    assert_loads!(m, [], all, [100.0, 50.0, 50.0, 100.0, 100.0]);
    assert_loads!(m, ["app-01"], all, [100.0, 0.0, 100.0, 100.0, 100.0]);
    // An optional target down: web-01 still works, the rest is unchanged.
    assert_loads!(m, ["search"], all, [100.0, 50.0, 50.0, 100.0, 0.0]);
    // A required target down: web-01 does not work and takes nothing.
    assert_loads!(m, ["cache"], all, [0.0; 5]);
}

#[test]
fn loads_add_up_over_records_and_paths() {
    let m = model(&LINES.replace("WWW", "load=100").replace("API", "load=30"));
    assert_loads!(m, [], ["web-02", "app-01", "app-02"], [30.0, 50.0, 80.0]);
    assert_loads!(m, ["app-01"], ["app-02"], [130.0]);
    // A record without load carries none.
    let m = model(&LINES.replace("WWW", "").replace("API", "load=30"));
    assert_loads!(m, [], ["web-01", "app-02"], [0.0, 30.0]);
}

#[test]
fn a_requirement_held_locally_carries_no_load() {
    let src = r#"domain example.com {
  www A -> box : https load=70
}
server box: nginx+app+mysql 198.51.100.10 primary
server app-02: app 198.51.100.11
box -> box : mysql
box -> app-02 : http 8000
"#;
    let m = model(src);
    assert_loads!(m, [], ["box", "app-02"], [70.0, 70.0]);
    // A member calling its own group is local too.
    let m = model(&format!("{TIERS}web-01 -> web : http 80\n"));
    assert_loads!(m, [], ["web-01", "web-02"], [100.0, 100.0]);
}

#[test]
fn a_stack_without_domain_carries_no_load() {
    let src = "server web-01: nginx 10.0.1.11\nserver app-01: app 10.0.2.11\nweb-01 -> app-01\n";
    let m = model(src);
    assert_loads!(m, [], ["web-01", "app-01"], [0.0, 0.0]);
}

// ---------------------------------------------------------------------------
// Headroom.
// ---------------------------------------------------------------------------

fn headroom_of(src: &str, tolerate: usize) -> (Model, Vec<Headroom>) {
    let checked = stackc::check(src);
    let left_out = stackc::left_out(&checked);
    let m = checked.model;
    let c = &checked.analysis.as_ref().expect("analysis").circuit;
    let h = headroom(&m, c, tolerate, &left_out).expect("within budget");
    (m, h)
}

fn names(m: &Model, set: &[Element]) -> Vec<String> {
    set.iter().map(|e| e.name(m).to_string()).collect()
}

#[test]
fn headroom_names_the_worst_set_and_its_figures() {
    let web = ["web-01", "web-02", "web-03", "web-04"];
    let (m, h) = headroom_of(&capacity(TIERS, &web, 150), 1);
    assert_eq!(h.len(), 4);
    let web01 = &h[0];
    assert_eq!(m.server(web01.server).name, "web-01");
    assert_eq!((web01.capacity, web01.baseline), (150.0, 100.0));
    // The worst for web-01: zone b down (web-02 and web-04 with it), 200.
    assert!((web01.worst - 200.0).abs() < 1e-9, "{web01:?}");
    assert_eq!(names(&m, &web01.failed), ["b"]);
    assert!(web01.overloaded());
    // A server that no set loads more than with nothing down.
    let (_, h) = headroom_of(&capacity(TIERS, &["lb-02"], 500), 1);
    // lb-02 takes all 400 when lb-01 fails; zone a (declared before lb-01)
    // takes lb-01 down first.
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].baseline, 0.0);
    assert_eq!(h[0].worst, 400.0);
    assert_eq!(names(&m, &h[0].failed), ["a"]);
    assert!(!h[0].overloaded());
}

#[test]
fn a_set_that_breaks_the_stack_is_not_counted() {
    // web-02 down (or db, which it needs) sends all 100 to web-01, but
    // `api`, which only web-02 serves, goes dark: the set breaks the stack.
    let src = r#"domain example.com {
  www A -> web-01, web-02 : https load=100
  API
}
server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12
server db: app 10.0.3.11
web-02 -> db : http 8000
"#;
    let src = capacity(src, &["web-01"], 80);
    let (_, h) = headroom_of(&src.replace("API", "api A -> web-02 : https"), 1);
    assert_eq!((h[0].baseline, h[0].worst), (50.0, 50.0));
    assert!(h[0].failed.is_empty());
    assert!(!h[0].overloaded());
    // Without `api`, nothing breaks: the first set that loads web-01 most.
    let (m, h) = headroom_of(&src.replace("API", ""), 1);
    assert_eq!((h[0].baseline, h[0].worst), (50.0, 100.0));
    assert_eq!(names(&m, &h[0].failed), ["web-02"]);
    assert!(h[0].overloaded());
}

#[test]
fn headroom_at_tolerate_2_looks_at_pairs() {
    let src = capacity(&capacity(TIERS, &["web-01"], 150), &["lb-02"], 500);
    let (m, h) = headroom_of(&src, 2);
    // web-01: zone b down is 200; the pair zone b + web-03 leaves it alone
    // with all 400 (a pair of web servers only gives 200; web-02 + zone b
    // is no failure set).
    assert_eq!(m.server(h[1].server).name, "web-01");
    assert!((h[1].worst - 400.0).abs() < 1e-9, "{:?}", h[1]);
    assert_eq!(names(&m, &h[1].failed), ["b", "web-03"]);
    // lb-02: 400 from the first single set, no pair adds to it.
    assert_eq!(names(&m, &h[0].failed), ["a"]);
    // At tolerate=1, web-01's worst is zone b's.
    let (m, h) = headroom_of(&src, 1);
    assert_eq!(h[1].worst, 200.0);
    assert_eq!(names(&m, &h[1].failed), ["b"]);
}

#[test]
fn a_huge_policy_is_refused_with_its_cost() {
    let mut src = String::from(
        "domain example.com {\n  www A -> web : https load=3000\n}\ngroup web: nginx {\n",
    );
    for i in 0..3000 {
        src.push_str(&format!(
            "  server web-{i} 10.0.{}.{}\n",
            i / 250,
            i % 250 + 1
        ));
    }
    src.push_str("}\n");
    let src = capacity(&src, &["web-0"], 2);
    let m = model(&src);
    let c = compile(&m);
    let err = headroom(&m, &c, 4, &[]).expect_err("too big");
    assert!(err.message.contains("tolerate=4"), "{}", err.message);
    assert!(err.message.contains("3,000 elements"), "{}", err.message);
    // tolerate=1 on the same stack is fine: losing one of 3000 gives
    // web-0 3000/2999.
    let h = headroom(&m, &c, 1, &[]).expect("fine");
    assert!((h[0].worst - 3000.0 / 2999.0).abs() < 1e-9);
    assert!(!h[0].overloaded() && h[0].baseline == 1.0);
}

#[test]
fn a_policy_larger_than_the_stack_looks_at_every_set() {
    let src = "domain example.com {\n  www A -> web : https load=90\n}\ngroup web: nginx capacity=50 {\n  server web-01 10.0.1.11\n  server web-02 10.0.1.12\n  server web-03 10.0.1.13\n}\n";
    let (m, h) = headroom_of(src, 4);
    // Two of three down breaks nothing: the last one carries all 90.
    assert_eq!(h[2].worst, 90.0);
    assert_eq!(names(&m, &h[2].failed), ["web-01", "web-02"]);
    assert_eq!(h[0].worst, 90.0);
    assert_eq!(names(&m, &h[0].failed), ["web-02", "web-03"]);
    // Two servers, tolerate=4: both down breaks the stack, one is the worst.
    let (m, h) = headroom_of(&src.replace("  server web-03 10.0.1.13\n", ""), 4);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].worst, 90.0);
    assert_eq!(names(&m, &h[0].failed), ["web-02"]);
}

// ---------------------------------------------------------------------------
// The incremental headroom against the whole flow recomputed for every set.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A random layered stack with loads on its records and capacities on
/// most servers.
fn random_stack(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e3779b97f4a7c15) | 1);
    let mut s = String::from("zone a\nzone b\n");
    let mut ip = 0;
    let mut addr = || {
        ip += 1;
        format!("10.0.0.{ip}")
    };
    let zone = |r: &mut Rng| match r.below(3) {
        0 => " zone=a",
        1 => " zone=b",
        _ => "",
    };
    let cap = |r: &mut Rng| {
        if r.chance(70) {
            format!(" capacity={}", 50 + r.below(2000))
        } else {
            String::new()
        }
    };
    let webs = 1 + r.below(4);
    let apps = 1 + r.below(3);
    let dbs = 2 + r.below(2);
    let has_lb = r.chance(75);
    let cache = r.chance(50);
    s.push_str("domain example.com {\n");
    let to = if has_lb { "lb" } else { "web" };
    s.push_str(&format!(
        "  www A -> {to} : https load={}\n",
        100 + r.below(900)
    ));
    if webs >= 2 && r.chance(50) {
        s.push_str(&format!(
            "  api A -> web-01, web-02 : https load={}\n",
            100 + r.below(900)
        ));
    }
    // A part that carries no load (its record has none) but can break the
    // stack, and whose holder's loss can restore it (a set that breaks it
    // can stop breaking it with one more element down).
    let ops = r.chance(40);
    if ops {
        s.push_str("  ops A -> ops : https\n");
    }
    s.push_str("}\n");
    if ops {
        s.push_str("group ops: haproxy mode=active-passive vip=203.0.113.20 {\n");
        for i in 1..=2 {
            s.push_str(&format!(
                "  server ops-0{i} {}{}{}\n",
                addr(),
                zone(&mut r),
                cap(&mut r)
            ));
        }
        s.push_str("}\n");
        s.push_str(&format!(
            "server adm: app {}{}{}\n",
            addr(),
            zone(&mut r),
            cap(&mut r)
        ));
        s.push_str("ops-01 -> adm : http 8000\nops -> web : http 80\n");
        if r.chance(50) {
            s.push_str("adm -> app-01 : http 8000\n");
        }
    }
    if has_lb {
        let mode = match r.below(3) {
            0 => "mode=active-passive",
            1 => "mode=active-passive track",
            _ => "",
        };
        s.push_str(&format!("group lb: haproxy {mode} vip=203.0.113.10 {{\n"));
        for i in 1..=2 {
            s.push_str(&format!(
                "  server lb-0{i} {}{}{}\n",
                addr(),
                zone(&mut r),
                cap(&mut r)
            ));
        }
        s.push_str("}\n");
    }
    s.push_str("group web: nginx {\n");
    for i in 1..=webs {
        s.push_str(&format!(
            "  server web-0{i} {}{}{}\n",
            addr(),
            zone(&mut r),
            cap(&mut r)
        ));
    }
    let quorum = if apps >= 2 && r.chance(30) {
        " mode=quorum"
    } else {
        ""
    };
    s.push_str(&format!("}}\ngroup app: app port=8000{quorum} {{\n"));
    for i in 1..=apps {
        s.push_str(&format!(
            "  server app-0{i} {}{}{}\n",
            addr(),
            zone(&mut r),
            cap(&mut r)
        ));
    }
    s.push_str("}\n");
    if cache {
        s.push_str(&format!(
            "server cache: app {}{}{}\n",
            addr(),
            zone(&mut r),
            cap(&mut r)
        ));
    }
    let auto = if r.chance(60) { "failover=auto" } else { "" };
    s.push_str(&format!("group db: mysql {auto} vip=10.0.1.10 {{\n"));
    let primary = 1 + r.below(dbs);
    for i in 1..=dbs {
        let role = if i == primary { "primary" } else { "replica" };
        s.push_str(&format!(
            "  server db-0{i} {}{} {role}\n",
            addr(),
            zone(&mut r)
        ));
    }
    s.push_str("}\n");
    if has_lb {
        s.push_str("lb -> web : http 80\n");
        if r.chance(30) {
            s.push_str("lb-01 -> web-01 : http 80\n");
        }
    }
    if cache && r.chance(50) {
        s.push_str("web -> app-01, cache : http 8000\n");
    } else {
        s.push_str("web -> app : http 8000\n");
    }
    if cache && r.chance(50) {
        s.push_str("web -> cache : http 8000 optional\n");
    }
    if r.chance(50) {
        s.push_str("web-01 -> web : http 80\n"); // local
    }
    s.push_str("app -> db : mysql\n");
    if r.chance(50) {
        s.push_str("app -> db : mysql read\n");
    }
    if r.chance(40) {
        s.push_str("app-01 -> db-02 : mysql read\n");
    }
    s
}

fn combos(n: usize, k: usize, out: &mut Vec<Vec<usize>>, cur: &mut Vec<usize>) {
    if cur.len() == k {
        out.push(cur.clone());
        return;
    }
    let from = cur.last().map_or(0, |l| l + 1);
    for i in from..n {
        cur.push(i);
        combos(n, k, out, cur);
        cur.pop();
    }
}

/// The worst load of each server with capacity, in declaration order,
/// with the whole flow recomputed for every failure set of every element.
fn brute(m: &Model, c: &Circuit, tolerate: usize, left_out: &[bool]) -> Vec<(f64, Vec<Element>)> {
    let mut capped: Vec<usize> = (0..m.servers.len())
        .filter(|&i| m.servers[i].capacity.is_some())
        .collect();
    capped.sort_by_key(|&i| m.servers[i].span.start);
    let total: f64 = m.records.iter().filter_map(|r| r.load).sum();
    let mut e = Evaluator::new(c, m.servers.len());
    let judged: Vec<u32> = c
        .entries
        .iter()
        .enumerate()
        .filter(|(i, en)| {
            e.serves_at_baseline(en.cell) && !left_out.get(*i).copied().unwrap_or(false)
        })
        .map(|(_, en)| en.cell)
        .collect();
    let base = flow(m, c, &[]);
    let mut best: Vec<(f64, Vec<Element>)> =
        capped.iter().map(|&i| (base[i], Vec::new())).collect();
    let mut els = Element::all(m);
    els.sort_by_key(|e| e.order(m));
    for k in 1..=tolerate {
        let mut sets = Vec::new();
        combos(els.len(), k, &mut sets, &mut Vec::new());
        for idx in sets {
            let set: Vec<Element> = idx.iter().map(|&i| els[i]).collect();
            if !is_failure_set(m, &set) {
                continue;
            }
            let down = servers_down(m, &set);
            e.full(&[&down]);
            if judged.iter().any(|&cell| e.value(cell) & 1 == 0) {
                continue;
            }
            let f = flow(m, c, &set);
            for (j, &i) in capped.iter().enumerate() {
                let w = best[j].0;
                if f[i] > w + 1e-9 * w.abs() + 1e-12 * total {
                    best[j] = (f[i], set.clone());
                }
            }
        }
    }
    best
}

#[test]
fn incremental_headroom_equals_the_whole_flow_recomputed_for_every_set() {
    let cases: u64 = std::env::var("STACKC_LOAD_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut checked_sets = 0;
    let mut moved = 0;
    for seed in 1..=cases {
        let src = random_stack(seed);
        let checked = stackc::check(&src);
        let left_out = stackc::left_out(&checked);
        let m = &checked.model;
        let Some(a) = &checked.analysis else {
            panic!("seed {seed}: no analysis\n{src}");
        };
        let c = &a.circuit;
        assert!(m.records[0].load.is_some(), "seed {seed}: the load is read");
        let tolerate = 1 + (seed % 3) as usize;
        let got = headroom(m, c, tolerate, &left_out).expect("small");
        let want = brute(m, c, tolerate, &left_out);
        assert_eq!(got.len(), want.len(), "seed {seed}");
        for (h, (w, set)) in got.iter().zip(&want) {
            let name = &m.server(h.server).name;
            assert!(
                (h.worst - w).abs() <= 1e-9 * w.abs().max(1.0),
                "seed {seed} tolerate {tolerate}: {name} worst {} (with {:?} down), brute force {w} (with {:?} down)\n{src}",
                h.worst,
                names(m, &h.failed),
                names(m, set)
            );
            assert_eq!(
                names(m, &h.failed),
                names(m, set),
                "seed {seed} tolerate {tolerate}: {name}\n{src}"
            );
            checked_sets += 1;
            moved += usize::from(!set.is_empty());
        }
    }
    // The cases exercise something: most servers' worst is after a failure.
    assert!(
        checked_sets > 500 && moved * 2 > checked_sets,
        "{checked_sets} {moved}"
    );
}
