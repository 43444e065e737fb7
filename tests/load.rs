//! The load flow and N+1 headroom of RESILIENCE.md §4: hand-computed flows
//! for each way load is split or passed on, the headroom's worst set and
//! figures, and the incremental headroom against a brute-force recomputation
//! of the whole flow for every failure set.

use stackc::analysis::circuit::{compile, Circuit};
use stackc::analysis::lanes::Evaluator;
use stackc::analysis::resilience::load::{flow, headroom, Headroom};
use stackc::analysis::resilience::{is_failure_set, servers_down, Element};
use stackc::model::{Mode, Model};

/// A checked stack without errors, its model to adjust by hand.
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

fn set_load(m: &mut Model, subject: &str, load: f64) {
    let r = m
        .records
        .iter_mut()
        .find(|r| r.subject == subject)
        .unwrap_or_else(|| panic!("no record {subject}"));
    r.load = Some(load);
}

fn set_capacity(m: &mut Model, server: &str, capacity: f64) {
    let s = m.find_server(server).expect("server");
    m.servers[s.index()].capacity = Some(capacity);
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
  www A -> lb : https
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
    let mut m = model(TIERS);
    set_load(&mut m, "www.example.com", 400.0);
    let web = ["web-01", "web-02", "web-03", "web-04"];
    assert_loads!(m, [], web, [100.0; 4]);
    let third = 400.0 / 3.0;
    assert_loads!(m, ["web-02"], web, [third, 0.0, third, third]);
    // A zone: both of its web servers (and lb-01: lb-02 holds the vip).
    assert_loads!(m, ["a"], web, [0.0, 200.0, 0.0, 200.0]);
}

#[test]
fn an_active_passive_group_gives_everything_to_its_holder() {
    let mut m = model(TIERS);
    set_load(&mut m, "www.example.com", 400.0);
    let lb = ["lb-01", "lb-02"];
    assert_loads!(m, [], lb, [400.0, 0.0]);
    assert_loads!(m, ["lb-01"], lb, [0.0, 400.0]);
    // Every server passes on its whole load along its line.
    assert_loads!(m, ["lb-01"], ["web-01"], [100.0]);
}

const PAIR: &str = r#"domain example.com {
  www A -> lb : https
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
    let mut m = model(&PAIR.replace("TRACK", "track"));
    set_load(&mut m, "www.example.com", 300.0);
    let all = ["lb-01", "lb-02", "web-01", "web-02"];
    assert_loads!(m, [], all, [300.0, 0.0, 300.0, 0.0]);
    // lb-01 is up but does not work: with `track`, lb-02 takes the vip.
    assert_loads!(m, ["web-01"], all, [0.0, 300.0, 0.0, 300.0]);
    // Without `track`, lb-01 keeps the vip and nothing flows.
    let mut m = model(&PAIR.replace("TRACK", ""));
    set_load(&mut m, "www.example.com", 300.0);
    assert_loads!(m, ["web-01"], all, [0.0; 4]);
    assert_loads!(m, ["lb-01"], all, [0.0, 300.0, 0.0, 300.0]);
}

const QUORUM: &str = r#"domain example.com {
  www A -> web : https
}
group web: nginx {
  server web-01 10.0.1.11
  server web-02 10.0.1.12
}
group kv: app port=2379 {
  server kv-01 10.0.2.11
  server kv-02 10.0.2.12
  server kv-03 10.0.2.13
}
web -> kv : http 2379
"#;

#[test]
fn a_quorum_group_splits_among_its_working_members_while_it_has_its_quorum() {
    let mut m = model(QUORUM);
    let kv = m.find_group("kv").unwrap();
    m.groups[kv.index()].mode = Mode::Quorum;
    set_load(&mut m, "www.example.com", 600.0);
    let all = ["kv-01", "kv-02", "kv-03"];
    assert_loads!(m, [], all, [200.0; 3]);
    assert_loads!(m, ["kv-01"], all, [0.0, 300.0, 300.0]);
    // Each web server passes its 300 on: every kv member takes part of it.
    assert_loads!(m, ["web-01"], all, [200.0; 3]);
    // Two of three lost: no quorum, so the web tier does not work either.
    assert_loads!(m, ["kv-01", "kv-02"], ["web-01", "kv-03"], [0.0, 0.0]);
}

const MYSQL: &str = r#"domain example.com {
  www A -> app : https
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
    let mut m = model(&MYSQL.replace("FAILOVER", "failover=auto"));
    set_load(&mut m, "www.example.com", 300.0);
    // Writes: all 300 to the primary; reads: 100 each.
    assert_loads!(m, [], db, [100.0, 400.0, 100.0]);
    // The primary down: writes to the first working member in declared
    // order, reads split between the two left.
    assert_loads!(m, ["db-02"], db, [450.0, 0.0, 150.0]);
    assert_loads!(m, ["db-02", "db-01"], db, [0.0, 0.0, 600.0]);
    // Manual failover: writes to the primary only, and with it down the app
    // tier does not work.
    let mut m = model(&MYSQL.replace("FAILOVER", ""));
    set_load(&mut m, "www.example.com", 300.0);
    assert_loads!(m, [], db, [100.0, 400.0, 100.0]);
    assert_loads!(m, ["db-02"], ["app-01", "db-01"], [0.0, 0.0]);
}

const LINES: &str = r#"domain example.com {
  www A -> web-01 : https
  api A -> web-02 : https
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
    let mut m = model(LINES);
    set_load(&mut m, "www.example.com", 100.0);
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
    let mut m = model(LINES);
    set_load(&mut m, "www.example.com", 100.0);
    set_load(&mut m, "api.example.com", 30.0);
    assert_loads!(m, [], ["web-02", "app-01", "app-02"], [30.0, 50.0, 80.0]);
    assert_loads!(m, ["app-01"], ["app-02"], [130.0]);
    // A record without load carries none.
    let mut m = model(LINES);
    set_load(&mut m, "api.example.com", 30.0);
    assert_loads!(m, [], ["web-01", "app-02"], [0.0, 30.0]);
}

#[test]
fn a_requirement_held_locally_carries_no_load() {
    let src = r#"domain example.com {
  www A -> box : https
}
server box: nginx+app+mysql 198.51.100.10 primary
server app-02: app 198.51.100.11
box -> box : mysql
box -> app-02 : http 8000
"#;
    let mut m = model(src);
    set_load(&mut m, "www.example.com", 70.0);
    assert_loads!(m, [], ["box", "app-02"], [70.0, 70.0]);
    // A member calling its own group is local too.
    let mut m = model(&format!("{TIERS}web-01 -> web : http 80\n"));
    set_load(&mut m, "www.example.com", 400.0);
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

fn headroom_of(src: &str, tune: impl Fn(&mut Model), tolerate: usize) -> (Model, Vec<Headroom>) {
    let checked = stackc::check(src);
    let left_out = stackc::left_out(&checked);
    let mut m = checked.model;
    tune(&mut m);
    let c = compile(&m);
    let h = headroom(&m, &c, tolerate, &left_out).expect("within budget");
    (m, h)
}

fn names(m: &Model, set: &[Element]) -> Vec<String> {
    set.iter().map(|e| e.name(m).to_string()).collect()
}

#[test]
fn headroom_names_the_worst_set_and_its_figures() {
    let (m, h) = headroom_of(
        TIERS,
        |m| {
            set_load(m, "www.example.com", 400.0);
            for w in ["web-01", "web-02", "web-03", "web-04"] {
                set_capacity(m, w, 150.0);
            }
        },
        1,
    );
    assert_eq!(h.len(), 4);
    let web01 = &h[0];
    assert_eq!(m.server(web01.server).name, "web-01");
    assert_eq!((web01.capacity, web01.baseline), (150.0, 100.0));
    // The worst for web-01: zone b down (web-02 and web-04 with it), 200.
    assert!((web01.worst - 200.0).abs() < 1e-9, "{web01:?}");
    assert_eq!(names(&m, &web01.failed), ["b"]);
    assert!(web01.overloaded());
    // A server that no set loads more than with nothing down.
    let (_, h) = headroom_of(
        TIERS,
        |m| {
            set_load(m, "www.example.com", 400.0);
            set_capacity(m, "lb-02", 500.0);
        },
        1,
    );
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
  www A -> web-01, web-02 : https
  API
}
server web-01: nginx 10.0.1.11
server web-02: nginx 10.0.1.12
server db: app 10.0.3.11
web-02 -> db : http 8000
"#;
    let tune = |m: &mut Model| {
        set_load(m, "www.example.com", 100.0);
        set_capacity(m, "web-01", 80.0);
    };
    let (_, h) = headroom_of(&src.replace("API", "api A -> web-02 : https"), tune, 1);
    assert_eq!((h[0].baseline, h[0].worst), (50.0, 50.0));
    assert!(h[0].failed.is_empty());
    assert!(!h[0].overloaded());
    // Without `api`, nothing breaks: the first set that loads web-01 most.
    let (m, h) = headroom_of(&src.replace("API", ""), tune, 1);
    assert_eq!((h[0].baseline, h[0].worst), (50.0, 100.0));
    assert_eq!(names(&m, &h[0].failed), ["web-02"]);
    assert!(h[0].overloaded());
}
