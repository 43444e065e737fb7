//! The report formats on hand-built resilience results (the analysis
//! itself is tested where it is computed).

use super::*;
use crate::analysis::lanes::Step;
use crate::analysis::resilience::cuts::{Cut, Cuts};
use crate::analysis::resilience::exact::Availability;
use crate::analysis::resilience::TooBig;

const SCALE_UP: &str = include_str!("../../../samples/scale-up.stack");

fn fig(down: f64) -> Figure {
    Figure {
        up: 1.0 - down,
        down,
    }
}

struct Fixture {
    checked: crate::Checked,
}

impl Fixture {
    fn new(src: &str) -> Self {
        Fixture {
            checked: crate::check(src),
        }
    }
    fn server(&self, name: &str) -> Element {
        Element::Server(self.checked.model.find_server(name).expect(name))
    }
    fn input<'a>(&'a self, r: &'a Resilience, left_out: &'a [bool]) -> Input<'a> {
        Input {
            file: "samples/scale-up.stack",
            model: &self.checked.model,
            analysis: self.checked.analysis.as_ref().expect("analysed"),
            report: r,
            left_out,
        }
    }
}

/// The repaired sample as the analysis would see it: two cuts of size 2,
/// an availability, capacity on the web tier.
fn scale_up(f: &Fixture) -> Resilience {
    let m = &f.checked.model;
    let lb = m.find_group("lb").unwrap();
    let (lb1, lb2) = (f.server("lb-01"), f.server("lb-02"));
    let (web1, web2) = (f.server("web-01"), f.server("web-02"));
    let ids = |e: Element| match e {
        Element::Server(s) => s,
        Element::Zone(_) => unreachable!(),
    };
    Resilience {
        max_size: 2,
        tolerance: 1,
        tolerance_exact: true,
        cuts: Ok(Cuts {
            max_size: 2,
            cuts: vec![
                Cut {
                    elements: vec![lb1, lb2],
                    dark: vec![0],
                    chain: vec![Step::Entry(0), Step::Group(lb)],
                },
                Cut {
                    elements: vec![web1, web2],
                    dark: vec![0],
                    chain: vec![
                        Step::Entry(0),
                        Step::Holder(lb, ids(lb1)),
                        Step::Group(m.find_group("web").unwrap()),
                    ],
                },
            ],
        }),
        availability: Ok(Availability {
            entries: vec![fig(3.0e-6)],
            stack: fig(3.0e-6),
            gains: vec![(f.server("db-01"), 9.0e-7), (lb1, 4.5e-7)],
        }),
        capacity: Ok(vec![
            Headroom {
                server: ids(web1),
                capacity: 1000.0,
                baseline: 750.0,
                worst: 1500.0,
                failed: vec![web2],
            },
            Headroom {
                server: ids(web2),
                capacity: 2000.0,
                baseline: 750.0,
                worst: 1500.0,
                failed: vec![web1],
            },
        ]),
        tolerate: 1,
    }
}

#[test]
fn human_leads_with_the_four_lines() {
    let f = Fixture::new(SCALE_UP);
    let r = scale_up(&f);
    let text = human(&f.input(&r, &[false]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "resilience of foobar (samples/scale-up.stack)");
    assert_eq!(
        lines[2],
        "  tolerance     survives any 1 failure; 2 losses can stop it: 2 cuts of size 2"
    );
    assert_eq!(
        lines[3],
        "  availability  99.99970 %, 5.5 nines, 1 min 35 s down a year"
    );
    assert_eq!(
        lines[4],
        "  top gain      making db-01 perfect buys the most: +0.00009 %"
    );
    assert_eq!(
        lines[5],
        "  headroom      tightest is web-01: 1,500 of 1,000 req/s (150 %) with web-02 down: over capacity"
    );
    assert!(text.contains("\ncuts up to size 2 (2)\n"), "{text}");
    assert!(
        text.contains(
            "     2  web-01+web-02  www.foobar.com  www.foobar.com -> lb (held by lb-01) -> web\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  www.foobar.com    99.99970 %    5.5   1 min 35 s\n"),
        "{text}"
    );
    assert!(
        text.contains("  db-01     +0.00009 %  99.99979 %\n"),
        "{text}"
    );
    // Tightest first, the over-capacity one flagged.
    let web1 = text.find("  web-01     1,000").expect(&text);
    let web2 = text.find("  web-02     2,000").expect(&text);
    assert!(web1 < web2);
    assert!(text[web1..web2].contains("web-02      OVER"), "{text}");
    assert!(text.contains("servers without `availability=` count as 99.9 %, zones as 99.99 %"));
}

#[test]
fn tolerance_line_in_every_case() {
    let f = Fixture::new(SCALE_UP);
    let mut r = scale_up(&f);
    let line = |r: &Resilience| tolerance_line(&f.input(r, &[false]));
    r.tolerance = 2;
    r.tolerance_exact = false;
    assert_eq!(
        line(&r),
        "survives any 2 failures (at least: no cut of size up to 2)"
    );
    r.tolerance = 1;
    r.cuts = Err(TooBig {
        message: "too many".into(),
    });
    assert_eq!(
        line(&r),
        "survives any 1 failure (at least: the search for larger cuts was refused)"
    );
    // A stack with a spof: its single failures, named.
    let g = Fixture::new(include_str!("../../../samples/single-box.stack"));
    let mut r0 = scale_up(&f);
    r0.tolerance = 0;
    r0.cuts = Ok(Cuts {
        max_size: 2,
        cuts: Vec::new(),
    });
    let i = Input {
        file: "x",
        model: &g.checked.model,
        analysis: g.checked.analysis.as_ref().unwrap(),
        report: &r0,
        left_out: &[false],
    };
    assert_eq!(
        tolerance_line(&i),
        "survives no failure: 1 single failure stops it (box)"
    );
    // A broken record is said, unless its broken is allowed (left out).
    let b = Fixture::new(include_str!("../../../tests/cases/broken.stack"));
    let i = Input {
        file: "x",
        model: &b.checked.model,
        analysis: b.checked.analysis.as_ref().unwrap(),
        report: &r0,
        left_out: &[false],
    };
    assert_eq!(
        tolerance_line(&i),
        "survives no failure: www.example.com is dark with nothing down"
    );
    // A zone whose loss stops it.
    let z = Fixture::new(include_str!("../../../tests/cases/zone-spof.stack"));
    let i = Input {
        file: "x",
        model: &z.checked.model,
        analysis: z.checked.analysis.as_ref().unwrap(),
        report: &r0,
        left_out: &[false],
    };
    assert_eq!(
        tolerance_line(&i),
        "survives no failure: 1 single failure stops it (a)"
    );
}

#[test]
fn refused_parts_are_said_in_every_format() {
    let f = Fixture::new(SCALE_UP);
    let mut r = scale_up(&f);
    let big = |what: &str| TooBig {
        message: format!("{what} would take too long"),
    };
    r.cuts = Err(big("cuts"));
    r.availability = Err(big("availability"));
    r.capacity = Err(big("capacity"));
    let i = f.input(&r, &[false]);
    assert_eq!(
        refusals(&r),
        vec![
            ("cuts", "cuts would take too long"),
            ("availability", "availability would take too long"),
            ("capacity", "capacity would take too long")
        ]
    );
    let text = human(&i);
    assert!(
        text.contains("  not computed: cuts would take too long\n"),
        "{text}"
    );
    assert!(text.contains("availability  not computed (refused as too costly)"));
    let v: serde_json::Value = serde_json::from_str(&json(&i)).unwrap();
    assert!(v["cuts"].is_null() && v["availability"].is_null() && v["capacity"].is_null());
    assert_eq!(v["refused"]["cuts"], "cuts would take too long");
    assert_eq!(v["refused"]["capacity"], "capacity would take too long");
    let md = markdown(&i);
    assert!(
        md.contains("not computed: availability would take too long\n"),
        "{md}"
    );
}

#[test]
fn json_has_the_shape_of_section_6() {
    let f = Fixture::new(SCALE_UP);
    let r = scale_up(&f);
    let s = json(&f.input(&r, &[false]));
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = vec![
        "availability",
        "capacity",
        "cuts",
        "file",
        "max_size",
        "tolerance",
        "tolerance_exact",
        "version",
    ];
    want.sort();
    assert_eq!(keys, want, "no `refused` when nothing is refused");
    assert_eq!(v["version"], 1);
    assert_eq!(v["file"], "samples/scale-up.stack");
    assert_eq!(v["tolerance"], 1);
    assert_eq!(v["tolerance_exact"], true);
    assert_eq!(v["max_size"], 2);
    assert_eq!(
        v["cuts"][0],
        serde_json::json!({"elements": ["lb-01", "lb-02"], "dark": ["www.foobar.com"]})
    );
    assert_eq!(v["availability"]["stack"].as_f64(), Some(1.0 - 3.0e-6));
    assert_eq!(
        v["availability"]["records"]["www.foobar.com"].as_f64(),
        Some(1.0 - 3.0e-6)
    );
    let dt = v["availability"]["downtime_per_year_s"].as_f64().unwrap();
    assert!((dt - 3.0e-6 * 365.25 * 86_400.0).abs() < 1e-9, "{dt}");
    assert_eq!(v["availability"]["gains"][0]["element"], "db-01");
    assert_eq!(v["availability"]["gains"][0]["gain"].as_f64(), Some(9.0e-7));
    assert_eq!(
        v["capacity"][0],
        serde_json::json!({"server": "web-01", "worst_load": 1500, "capacity": 1000, "failed": ["web-02"]})
    );
    // Keys in the order of §6.
    let at = |k: &str| s.find(&format!("\"{k}\"")).unwrap();
    assert!(at("version") < at("file") && at("file") < at("tolerance"));
    assert!(at("max_size") < at("cuts") && at("cuts") < at("availability"));
    assert!(at("availability") < at("capacity"));
}

#[test]
fn left_out_records_are_left_out() {
    let f = Fixture::new(SCALE_UP);
    let r = scale_up(&f);
    let i = f.input(&r, &[true]);
    let v: serde_json::Value = serde_json::from_str(&json(&i)).unwrap();
    assert_eq!(v["availability"]["records"], serde_json::json!({}));
    let text = human(&i);
    assert!(
        text.contains("  left out (their `broken` is allowed): www.foobar.com\n"),
        "{text}"
    );
}

#[test]
fn markdown_tables() {
    let f = Fixture::new(SCALE_UP);
    let r = scale_up(&f);
    let md = markdown(&f.input(&r, &[false]));
    assert!(
        md.starts_with("### Resilience of foobar (samples/scale-up.stack)\n\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| **Tolerance** | survives any 1 failure; 2 losses can stop it: 2 cuts of size 2 |\n"
        ),
        "{md}"
    );
    assert!(md.contains("#### Cuts up to size 2 (2)\n\n| size | elements | dark | chain that breaks |\n|---:|---|---|---|\n| 2 | lb-01+lb-02 | www.foobar.com | www.foobar.com -> lb |\n"), "{md}");
    assert!(
        md.contains("| web-01 | 1,000 | 750 | 1,500 | 150 % | web-02 | OVER |\n"),
        "{md}"
    );
}

#[test]
fn long_tables_are_capped_in_text_but_not_in_json() {
    let f = Fixture::new(SCALE_UP);
    let mut r = scale_up(&f);
    if let Ok(c) = &mut r.cuts {
        let one = c.cuts[0].clone();
        c.cuts = vec![one; ROWS_SHOWN + 3];
    }
    let i = f.input(&r, &[false]);
    let text = human(&i);
    assert!(
        text.contains("  \u{2026} and 3 more (`--format json` lists every one)\n"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&json(&i)).unwrap();
    assert_eq!(v["cuts"].as_array().unwrap().len(), ROWS_SHOWN + 3);
}

#[test]
fn no_capacity_and_no_cuts() {
    let f = Fixture::new(SCALE_UP);
    let mut r = scale_up(&f);
    r.capacity = Ok(Vec::new());
    r.cuts = Ok(Cuts {
        max_size: 2,
        cuts: Vec::new(),
    });
    r.tolerance = 2;
    r.tolerance_exact = false;
    let text = human(&f.input(&r, &[false]));
    assert!(
        text.contains("  headroom      no server has a `capacity`\n"),
        "{text}"
    );
    assert!(
        text.contains("  none: no set of up to 2 elements failing at once stops the stack\n"),
        "{text}"
    );
}

#[test]
fn the_file_policies_are_judged_in_the_headline() {
    // Set by hand: `check` would look for the cuts itself.
    let mut f = Fixture::new(SCALE_UP);
    f.checked.model.tolerate = Some(2);
    f.checked.model.slo = Some(99.9999);
    let r = scale_up(&f);
    let text = human(&f.input(&r, &[false]));
    assert!(
        text.contains("2 cuts of size 2 (below `tolerate=2`)\n"),
        "{text}"
    );
    assert!(
        text.contains("down a year (below `slo=99.9999`)\n"),
        "{text}"
    );
    let mut r = r;
    r.availability = Ok(Availability {
        entries: vec![fig(1.0e-7)],
        stack: fig(1.0e-7),
        gains: Vec::new(),
    });
    let text = human(&f.input(&r, &[false]));
    assert!(
        text.contains("down a year (meets `slo=99.9999`)\n"),
        "{text}"
    );
    assert!(
        text.contains("top gain      no element, made perfect, would raise it\n"),
        "{text}"
    );
}

#[test]
fn equal_gains_are_ties() {
    let f = Fixture::new(SCALE_UP);
    let mut r = scale_up(&f);
    let line = |r: &Resilience| gain_line(&f.input(r, &[false]));
    let (db, lb) = (f.server("db-01"), f.server("lb-01"));
    r.availability = Ok(Availability {
        entries: vec![fig(3.0e-6)],
        stack: fig(3.0e-6),
        gains: vec![(db, 9.0e-7), (lb, 9.0e-7 * (1.0 + 1e-12))],
    });
    assert_eq!(
        line(&r),
        "making db-01 perfect buys the most: +0.00009 % (as much as lb-01)"
    );
    r.availability = Ok(Availability {
        entries: vec![fig(3.0e-6)],
        stack: fig(3.0e-6),
        gains: vec![
            (db, 9.0e-7),
            (lb, 9.0e-7),
            (f.server("web-01"), 9.0e-7),
            (f.server("web-02"), 1.0e-7),
        ],
    });
    assert_eq!(
        line(&r),
        "making db-01 perfect buys the most: +0.00009 % (2 others as much)"
    );
}
