//! The exact availability (RESILIENCE.md §3) against a brute force: every
//! up/down state of every element (zones and servers, at most 14 of them)
//! evaluated by the crate's 64-lane §5 evaluator, weighted by its
//! probability. The unavailability must agree within 1e-9 relative, each
//! record's too, and so must the gains.

use stackc::analysis::circuit::{self, Circuit};
use stackc::analysis::lanes::Evaluator;
use stackc::analysis::resilience::exact::{self, Availability};
use stackc::analysis::resilience::{servers_down, Element};
use stackc::model::{Mode, Model};

/// A checked stack, a change made by hand to its model (until the
/// attributes parse), and the circuit compiled again from it.
struct Case {
    model: Model,
    circuit: Circuit,
    left_out: Vec<bool>,
}

fn case(src: &str, tweak: impl FnOnce(&mut Model)) -> Case {
    let checked = stackc::check(src);
    assert!(checked.analysis.is_some(), "{:#?}", checked.findings);
    let left_out = stackc::left_out(&checked);
    let mut model = checked.model;
    tweak(&mut model);
    let circuit = circuit::compile(&model);
    Case {
        model,
        circuit,
        left_out,
    }
}

fn server(m: &Model, name: &str) -> usize {
    m.servers.iter().position(|s| s.name == name).expect(name)
}

/// The availability by enumeration: per entry and for the stack, each as
/// (up, down) summed separately, and every element's gain.
struct Brute {
    entries: Vec<(f64, f64)>,
    stack: (f64, f64),
    gains: Vec<(Element, f64)>,
}

fn brute(c: &Case) -> Brute {
    let m = &c.model;
    let elements = Element::all(m);
    let n = elements.len();
    assert!(n <= 14, "{n} elements: too many to enumerate");
    let up = |e: Element| match e {
        Element::Server(s) => m.server(s).up(),
        Element::Zone(z) => m.zones[z.index()].up(),
    };
    let states = 1usize << n;
    // Bit i of a state: element i is down.
    let mut serves = vec![false; states];
    let mut entry_ok = vec![vec![false; states]; c.circuit.entries.len()];
    let no_entry = c.circuit.entries.is_empty() && m.domains.is_empty() && !m.servers.is_empty();
    let mut ev = Evaluator::new(&c.circuit, m.servers.len());
    for base in (0..states).step_by(64) {
        let sets: Vec<Vec<_>> = (base..(base + 64).min(states))
            .map(|st| {
                let set: Vec<Element> = (0..n)
                    .filter(|i| st >> i & 1 == 1)
                    .map(|i| elements[i])
                    .collect();
                servers_down(m, &set)
            })
            .collect();
        let scenarios: Vec<&[_]> = sets.iter().map(|s| &s[..]).collect();
        ev.full(&scenarios);
        for lane in 0..scenarios.len() {
            let st = base + lane;
            let mut all = !no_entry;
            for (i, e) in c.circuit.entries.iter().enumerate() {
                let ok = ev.value(e.cell) >> lane & 1 == 1;
                entry_ok[i][st] = ok;
                if !c.left_out.get(i).copied().unwrap_or(false) {
                    all &= ok;
                }
            }
            serves[st] = all;
        }
    }
    let prob = |st: usize| -> f64 {
        (0..n)
            .map(|i| {
                if st >> i & 1 == 1 {
                    elements[i].down(m)
                } else {
                    up(elements[i])
                }
            })
            .product()
    };
    let p: Vec<f64> = (0..states).map(prob).collect();
    let split = |ok: &[bool]| -> (f64, f64) {
        let mut a = (0.0, 0.0);
        for st in 0..states {
            if ok[st] {
                a.0 += p[st];
            } else {
                a.1 += p[st];
            }
        }
        a
    };
    let gains = (0..n)
        .map(|i| {
            // q_e · Σ over the rest of P(rest) · (f(e up) − f(e down)).
            let e = elements[i];
            let mut g = 0.0;
            for st in (0..states).filter(|st| st >> i & 1 == 0) {
                let rest = p[st] / up(e);
                g += rest * (serves[st] as u8 as f64 - serves[st | 1 << i] as u8 as f64);
            }
            (e, e.down(m) * g)
        })
        .collect();
    Brute {
        entries: entry_ok.iter().map(|ok| split(ok)).collect(),
        stack: split(&serves),
        gains,
    }
}

fn close(what: &str, got: f64, want: f64, scale: f64) {
    let err = (got - want).abs();
    assert!(
        err <= 1e-9 * want.abs().max(scale) + 1e-300,
        "{what}: {got:e} against {want:e} (error {err:e})"
    );
}

/// Computes both ways and compares every figure; returns the computed one.
fn agree(c: &Case) -> Availability {
    let a = exact::compute(&c.model, &c.circuit, &c.left_out).expect("within budget");
    let b = brute(c);
    assert_eq!(a.entries.len(), b.entries.len());
    for (i, (got, want)) in a.entries.iter().zip(&b.entries).enumerate() {
        let name = &c.circuit.entries[i].subject;
        close(&format!("{name} down"), got.down, want.1, 0.0);
        close(&format!("{name} up"), got.up, want.0, 0.0);
    }
    close("stack down", a.stack.down, b.stack.1, 0.0);
    close("stack up", a.stack.up, b.stack.0, 0.0);
    // Gains: the listed ones are the positive ones of the brute force,
    // each within 1e-9 of the unavailability, largest first.
    let scale = b.stack.1;
    let mut want: Vec<(Element, f64)> = b
        .gains
        .iter()
        .copied()
        .filter(|(_, g)| *g > 1e-9 * scale)
        .collect();
    for (e, g) in &a.gains {
        assert!(*g > 0.0);
        let w = b.gains.iter().find(|(x, _)| x == e).unwrap().1;
        close(&format!("gain of {}", e.name(&c.model)), *g, w, scale);
    }
    want.retain(|(e, _)| !a.gains.iter().any(|(x, _)| x == e));
    assert!(want.is_empty(), "gains missing: {want:?}");
    // Largest first; a run of gains within 1e-11 of its first (a sum's
    // last bits) is a tie, in declaration order.
    let mut start = 0;
    while start < a.gains.len() {
        let head = a.gains[start].1;
        let run: Vec<&(Element, f64)> = a.gains[start..]
            .iter()
            .take_while(|(_, g)| head - g <= 1e-11 * head)
            .collect();
        assert!(
            run.windows(2)
                .all(|w| w[0].0.order(&c.model) < w[1].0.order(&c.model)),
            "ties out of declaration order: {:?}",
            a.gains
        );
        if let Some((_, next)) = a.gains.get(start + run.len()) {
            assert!(*next < head, "gains out of order: {:?}", a.gains);
        }
        start += run.len();
    }
    a
}

fn names(c: &Case, a: &Availability) -> Vec<String> {
    a.gains
        .iter()
        .map(|(e, _)| e.name(&c.model).to_string())
        .collect()
}

const PAIR: &str = "domain ex.com { www A -> web }
group web: nginx firewall monitor=agent {
  server w1 10.0.0.1
  server w2 10.0.0.2
}
";

#[test]
fn a_pair() {
    let c = case(PAIR, |_| {});
    let a = agree(&c);
    // Two at 99.9 %: down 1e-6.
    close("pair", a.stack.down, 1e-6, 0.0);
    assert_eq!(names(&c, &a), ["w1", "w2"]);
}

#[test]
fn a_pair_with_its_own_availabilities() {
    let src = PAIR
        .replace("10.0.0.1", "10.0.0.1 availability=99.5")
        .replace("10.0.0.2", "10.0.0.2 availability=98");
    let c = case(&src, |_| {});
    assert_eq!(c.model.servers[0].availability, Some(99.5));
    let a = agree(&c);
    close("pair", a.stack.down, 0.005 * 0.02, 0.0);
    // Making either perfect buys the whole 0.005 × 0.02 = 1e-4.
    assert_eq!(a.gains.len(), 2);
    for (_, g) in &a.gains {
        close("gain", *g, 1e-4, 0.0);
    }
}

#[test]
fn zones_are_common_causes() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/scale-up.stack"
    ))
    .unwrap();
    let src = src
        .replace("zone a\n", "zone a availability=99.9\n")
        .replace("zone b\n", "zone b availability=99.5\n");
    let c = case(&src, |_| {});
    assert_eq!(c.model.zones[1].availability, Some(99.5));
    let a = agree(&c);
    // Zone a, the less reliable one's partner, matters most: both zones
    // top the gains.
    let top: Vec<String> = names(&c, &a).into_iter().take(2).collect();
    assert_eq!(top, ["b", "a"]);
}

/// lb-01 reaches only w1, lb-02 only w2: lb-01 up with w1 down is dark,
/// while lb-01 down lets lb-02 hold (the model is not monotone).
const HOLDER: &str = "domain ex.com { www A -> lb }
group lb: haproxy mode=active-passive vip=10.0.9.1 firewall monitor=agent {
  server lb-01 10.0.0.1
  server lb-02 10.0.0.2
}
server w1: nginx 10.0.1.1 firewall monitor=agent
server w2: nginx 10.0.1.2 firewall monitor=agent
lb-01 -> w1
lb-02 -> w2
";

#[test]
fn an_active_passive_holder_with_asymmetric_members() {
    let c = case(HOLDER, |m| {
        for (name, p) in [
            ("lb-01", 99.0),
            ("lb-02", 99.9),
            ("w1", 95.0),
            ("w2", 99.99),
        ] {
            let i = server(m, name);
            m.servers[i].availability = Some(p);
        }
    });
    let a = agree(&c);
    // By hand: lb-01 up: w1 decides; lb-01 down: lb-02 and w2.
    let want = 0.99 * 0.95 + 0.01 * 0.999 * 0.9999;
    close("holder", a.stack.up, want, 0.0);
}

#[test]
fn track_fails_over_on_the_backends_too() {
    let src = HOLDER.replace("mode=active-passive", "mode=active-passive track");
    let c = case(&src, |_| {});
    let a = agree(&c);
    // Any member works: 1 − (1 − p²)².
    let q = 1.0 - 0.999 * 0.999;
    close("track", a.stack.down, q * q, 0.0);
}

const MYSQL: &str = "stack db
domain ex.com {
  www A -> app
  api A -> reader
}
group app: app firewall monitor=agent {
  server app-01 10.0.2.1
  server app-02 10.0.2.2
}
server reader: app 10.0.2.9 firewall monitor=agent
group db: mysql failover=FAILOVER vip=10.0.3.10 firewall monitor=agent {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12 replica
  server db-03 10.0.3.13 replica
}
app -> db : mysql
reader -> db : mysql read
";

#[test]
fn mysql_writes_with_manual_failover_and_a_read() {
    let c = case(&MYSQL.replace("FAILOVER", "manual"), |_| {});
    let a = agree(&c);
    // Writes need the primary, reads the lone reader: they top the gains.
    let mut top = names(&c, &a)[..2].to_vec();
    top.sort();
    assert_eq!(top, ["db-01", "reader"]);
}

#[test]
fn mysql_writes_with_automatic_failover_and_a_read() {
    let c = case(&MYSQL.replace("FAILOVER", "auto"), |_| {});
    let a = agree(&c);
    // No single database matters much any more: `reader` does.
    assert_eq!(names(&c, &a)[0], "reader");
}

#[test]
fn a_quorum_group_two_of_three() {
    let src = "domain ex.com { www A -> web }
server web: nginx 10.0.0.1 firewall monitor=agent
group kv: app mode=quorum firewall monitor=agent {
  server kv-1 10.0.1.1 availability=99
  server kv-2 10.0.1.2 availability=98
  server kv-3 10.0.1.3 availability=97
}
web -> kv
";
    let c = case(src, |_| {});
    assert_eq!(c.model.groups[0].mode, Mode::Quorum);
    let a = agree(&c);
    let (p1, p2, p3) = (0.99, 0.98, 0.97);
    let two = p1 * p2 + p1 * p3 + p2 * p3 - 2.0 * p1 * p2 * p3;
    close("quorum", a.stack.up, 0.999 * two, 0.0);
}

#[test]
fn a_quorum_of_three_out_of_four_with_zones() {
    let src = "zone a
zone b
domain ex.com { www A -> kv }
group kv: app mode=quorum quorum=3 firewall monitor=agent {
  server kv-1 10.0.1.1 zone=a
  server kv-2 10.0.1.2 zone=b
  server kv-3 10.0.1.3 zone=a
  server kv-4 10.0.1.4 zone=b
}
";
    let c = case(src, |_| {});
    assert_eq!(c.model.groups[0].quorum_size(), 3);
    let a = agree(&c);
    // Either zone's loss takes two members: the zones lead (equal but for
    // rounding).
    let mut top = names(&c, &a)[..2].to_vec();
    top.sort();
    assert_eq!(top, ["a", "b"]);
}

#[test]
fn a_galera_quorum_under_an_app_pair() {
    let src = "zone a
zone b
zone c
domain ex.com { www A -> app }
group app: app firewall monitor=agent {
  server app-01 10.0.2.1 zone=a
  server app-02 10.0.2.2 zone=b
}
group db: mysql mode=quorum firewall monitor=agent {
  server db-01 10.0.3.11 zone=a
  server db-02 10.0.3.12 zone=b
  server db-03 10.0.3.13 zone=c availability=99
}
app -> db : mysql
";
    let c = case(src, |_| {});
    let a = agree(&c);
    // A zone's loss leaves two of three: no single element stops it.
    assert!(a.stack.down < 1e-4, "{:?}", a.stack);
}

#[test]
fn a_chain() {
    let mut src = String::from("domain ex.com { www A -> s0 }\n");
    for i in 0..6 {
        src.push_str(&format!(
            "server s{i}: app 10.0.0.{} firewall monitor=agent availability=99.{i}\n",
            i + 1
        ));
    }
    for i in 1..6 {
        src.push_str(&format!("s{} -> s{i}\n", i - 1));
    }
    let c = case(&src, |_| {});
    let a = agree(&c);
    let p = |i: usize| format!("99.{i}").parse::<f64>().unwrap() / 100.0;
    let want: f64 = (0..6).map(p).product();
    close("chain", a.stack.up, want, 0.0);
    // The least available server gains the most.
    assert_eq!(names(&c, &a)[0], "s0");
}

#[test]
fn a_shared_database_under_many_apps() {
    let mut src = String::from("domain ex.com {\n");
    for i in 0..8 {
        src.push_str(&format!("  r{i} A -> s{i}\n"));
    }
    src.push_str("}\n");
    for i in 0..8 {
        src.push_str(&format!(
            "server s{i}: app 10.0.0.{} firewall monitor=agent\ns{i} -> db : mysql\n",
            i + 1
        ));
    }
    src.push_str(
        "group db: mysql firewall monitor=agent {\n  server d1 10.0.9.1 primary\n  server d2 10.0.9.2\n}\n",
    );
    let c = case(&src, |_| {});
    let a = agree(&c);
    // The stack needs all eight and the primary: 0.999^9.
    close("shared", a.stack.up, 0.999f64.powi(9), 0.0);
    for e in &a.entries {
        close("each record", e.up, 0.999 * 0.999, 0.0);
    }
    // d2 serves no write: no gain.
    assert!(!names(&c, &a).contains(&"d2".to_string()));
}

#[test]
fn an_allowed_broken_record_is_left_out() {
    let src = "domain ex.com {
  www A -> web
  beta A -> app-01 : https
}
group web: nginx firewall monitor=agent {
  server w1 10.0.0.1
  server w2 10.0.0.2
}
server app-01: app 10.0.2.11 firewall monitor=agent
group db: mysql firewall monitor=agent {
  server db-01 10.0.3.11 primary
  server db-02 10.0.3.12
}
app-01 -> db-02 : mysql
allow broken beta.ex.com \"not launched yet\"
";
    let c = case(src, |_| {});
    assert!(c.left_out.contains(&true), "{:?}", c.left_out);
    let a = agree(&c);
    // The stack is the pair alone; the broken record's own figure is 0.
    close("left out", a.stack.down, 1e-6, 0.0);
    assert!(a.entries.iter().any(|e| e.up == 0.0 && e.down == 1.0));
    // Without the allow the stack is never available.
    let c = case(&src.replace("allow broken", "# allow broken"), |_| {});
    let a = agree(&c);
    assert_eq!((a.stack.up, a.stack.down), (0.0, 1.0));
    assert!(a.gains.is_empty());
}

#[test]
fn one_server_has_that_servers_availability() {
    for p in [99.9, 95.0, 99.99999, 100.0, 50.0] {
        let c = case(
            "domain ex.com { www A -> s }\nserver s: nginx 10.0.0.1 firewall monitor=agent\n",
            |m| m.servers[0].availability = Some(p),
        );
        let a = agree(&c);
        assert_eq!(a.stack.up, p / 100.0);
        assert_eq!(a.stack.down, (100.0 - p) / 100.0);
    }
    // Without domain, a lone server is its own entry point.
    let c = case("server s: nginx 10.0.0.1 firewall monitor=agent\n", |_| {});
    let a = agree(&c);
    assert_eq!(a.stack.up, 99.9 / 100.0);
}

#[test]
fn an_element_on_no_serving_chain_gains_nothing() {
    let src = "zone a
zone spare
domain ex.com { www A -> web }
group web: nginx firewall monitor=agent zone=a {
  server w1 10.0.0.1
  server w2 10.0.0.2
}
server tools: app 10.0.5.1 firewall monitor=agent
";
    let c = case(src, |_| {});
    let a = agree(&c);
    let got = names(&c, &a);
    assert_eq!(got, ["a", "w1", "w2"]);
}

#[test]
fn servers_and_no_entry_point_serve_nothing() {
    // The group is targeted by its own member: without domain, nothing is
    // an entry point (§7.8), nothing serves.
    let c = case(
        "group g: app firewall monitor=agent {\n  server a 10.0.0.1\n  server b 10.0.0.2\n}\na -> b\n",
        |_| {},
    );
    assert!(c.circuit.entries.is_empty());
    let a = agree(&c);
    assert_eq!((a.stack.up, a.stack.down), (0.0, 1.0));
    assert!(a.gains.is_empty());
    // No server at all: nothing can be dark.
    let c = case("zone a\n", |_| {});
    let a = agree(&c);
    assert_eq!((a.stack.up, a.stack.down), (1.0, 0.0));
    assert!(a.gains.is_empty());
}

#[test]
fn five_nines_per_element_keep_nine_digits() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/scale-up.stack"
    ))
    .unwrap();
    let c = case(&src, |m| {
        m.servers
            .iter_mut()
            .for_each(|s| s.availability = Some(99.999));
        m.zones
            .iter_mut()
            .for_each(|z| z.availability = Some(99.999));
    });
    let a = exact::compute(&c.model, &c.circuit, &c.left_out).unwrap();
    let b = brute(&c);
    let rel = (a.stack.down - b.stack.1).abs() / b.stack.1;
    assert!(
        rel < 1e-9,
        "{:e} against {:e}: {rel:e}",
        a.stack.down,
        b.stack.1
    );
    // By hand, about 1.3e-9: both zones (1e-10), one zone and a server of
    // the other (2 × 4 × 2e-5 × 1e-5 / 2), a pair (4 × 1e-10).
    assert!(
        a.stack.down > 1.2e-9 && a.stack.down < 1.4e-9,
        "{}",
        a.stack.down
    );
}

#[test]
fn a_small_budget_is_refused_naming_the_cost() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/scale-up.stack"
    ))
    .unwrap();
    let c = case(&src, |_| {});
    let err = exact::compute_with(
        &c.model,
        &c.circuit,
        &c.left_out,
        10,
        exact::VarOrder::Dependents,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "the exact availability of this stack needs more than 10 decision-diagram nodes"
    );
}

#[test]
fn both_variable_orders_give_the_same_figures() {
    let c = case(&MYSQL.replace("FAILOVER", "auto"), |_| {});
    let a = exact::compute(&c.model, &c.circuit, &c.left_out).unwrap();
    let b = exact::compute_with(
        &c.model,
        &c.circuit,
        &c.left_out,
        exact::NODE_BUDGET,
        exact::VarOrder::Circuit,
    )
    .unwrap();
    close("orders", a.stack.down, b.stack.down, 0.0);
    assert_eq!(a.gains.len(), b.gains.len());
}

/// A small random stack (at most 2 zones and 10 servers): a load-balancer
/// tier (one server, or an active-passive pair, with `track` or not, its
/// members linked to the web tier or each to one web server), a web tier
/// (active-active or a quorum group), and a mysql group (manual or
/// automatic failover) written to, read from, or both; random
/// availabilities.
fn random_stack(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let avail = [
        "",
        " availability=99",
        " availability=95",
        " availability=99.99",
    ];
    let mut s = String::new();
    let zones = next(3) as usize;
    for z in 0..zones {
        s.push_str(&format!("zone z{z}{}\n", avail[next(4) as usize]));
    }
    let mut ip = 0;
    let mut host = |next: &mut dyn FnMut(u64) -> u64| {
        ip += 1;
        let zone = if zones > 0 && next(3) > 0 {
            format!(" zone=z{}", next(zones as u64))
        } else {
            String::new()
        };
        format!("10.0.0.{ip}{zone}{}", avail[next(4) as usize])
    };
    s.push_str("domain ex.com {\n  www A -> lb\n");
    let read_record = next(2) == 0;
    if read_record {
        s.push_str("  api A -> reader\n");
    }
    s.push_str("}\n");
    let lbs = 1 + next(2) as usize;
    let track = if next(2) == 0 { " track" } else { "" };
    s.push_str(&format!(
        "group lb: haproxy mode=active-passive vip=10.0.9.1{track} firewall monitor=agent {{\n"
    ));
    for i in 0..lbs {
        s.push_str(&format!("  server lb-{i} {}\n", host(&mut next)));
    }
    s.push_str("}\n");
    let webs = 1 + next(3) as usize;
    let mode = if next(3) == 0 { " mode=quorum" } else { "" };
    s.push_str(&format!(
        "group web: nginx{mode} firewall monitor=agent {{\n"
    ));
    for i in 0..webs {
        s.push_str(&format!("  server web-{i} {}\n", host(&mut next)));
    }
    s.push_str("}\n");
    if next(2) == 0 {
        s.push_str("lb -> web\n");
    } else {
        for i in 0..lbs {
            s.push_str(&format!("lb-{i} -> web-{}\n", i % webs));
        }
    }
    let dbs = 1 + next(3) as usize;
    let failover = ["manual", "auto"][next(2) as usize];
    s.push_str(&format!(
        "group db: mysql failover={failover} vip=10.0.9.2 firewall monitor=agent {{\n"
    ));
    for i in 0..dbs {
        let role = if i == 0 { "primary" } else { "replica" };
        s.push_str(&format!("  server db-{i} {} {role}\n", host(&mut next)));
    }
    s.push_str("}\n");
    match next(3) {
        0 => s.push_str("web -> db : mysql\n"),
        1 => s.push_str("web -> db : mysql read\n"),
        _ => s.push_str("web -> db : mysql\nweb -> db : mysql read\n"),
    }
    if read_record {
        s.push_str(&format!(
            "server reader: app {} firewall monitor=agent\nreader -> db : mysql read\n",
            host(&mut next)
        ));
    }
    s
}

#[test]
fn random_small_stacks_agree_with_the_brute_force() {
    let mut analysed = 0;
    for seed in 0..150u64 {
        let src = random_stack(seed);
        let checked = stackc::check(&src);
        if checked.analysis.is_none() {
            continue;
        }
        analysed += 1;
        let c = case(&src, |_| {});
        let a = std::panic::catch_unwind(|| agree(&c));
        assert!(a.is_ok(), "seed {seed}:\n{src}");
    }
    assert!(analysed > 100, "only {analysed} stacks analysed");
}

/// RESILIENCE.md §3: gains that are equal (the two members of each pair
/// of a symmetric design) are listed in declaration order, even when their
/// sums differ in the last bits.
#[test]
fn equal_gains_are_listed_in_declaration_order() {
    let src = include_str!("../samples/scale-up.stack");
    let c = stackc::check(src);
    let r = stackc::resilience(&c, None).expect("analysed");
    let a = r.availability.expect("computed");
    let top = &a.gains[..5];
    let first = top[0].1;
    assert!(
        top.iter().all(|(_, g)| ((g - first) / first).abs() < 1e-9),
        "{top:?}"
    );
    let orders: Vec<usize> = top.iter().map(|(e, _)| e.order(&c.model)).collect();
    let mut sorted = orders.clone();
    sorted.sort_unstable();
    assert_eq!(orders, sorted, "ties in declaration order");
}
