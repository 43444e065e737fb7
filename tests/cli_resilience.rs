//! `stackc resilience` (RESILIENCE.md §6) on the command line, the loads
//! in `simulate`, and the tolerance in every `check` format.

mod common;

use common::stackc;
use predicates::prelude::*;
use serde_json::Value;

/// A stack with cuts of size 2, capacity and load (`tolerate=2`).
const SHOP: &str = "tests/cli_resilience/shop.stack";

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = stackc().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn scale_up_in_every_format() {
    let (code, human, err) = run(&["resilience", "samples/scale-up.stack"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines[0], "resilience of foobar (samples/scale-up.stack)");
    // Ten seconds: the four headline lines come first.
    for (line, label) in
        lines[2..6]
            .iter()
            .zip(["tolerance", "availability", "top gain", "headroom"])
    {
        assert!(line.trim_start().starts_with(label), "{human}");
    }
    assert!(
        lines[2].contains("survives any 1 failure; 2 losses can stop it"),
        "{human}"
    );
    assert!(
        lines[3].contains(" nines, ") && lines[3].ends_with(" down a year"),
        "{human}"
    );
    assert!(lines[4].contains("perfect buys the most: +"), "{human}");
    insta::assert_snapshot!("scale-up-human", human);

    let (code, json, _) = run(&["resilience", "samples/scale-up.stack", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&json).expect("one JSON object");
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "availability",
            "capacity",
            "cuts",
            "file",
            "max_size",
            "tolerance",
            "tolerance_exact",
            "version"
        ]
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["file"], "samples/scale-up.stack");
    assert_eq!(v["tolerance"], 1);
    assert_eq!(v["tolerance_exact"], true);
    assert_eq!(v["max_size"], 2);
    let cuts = v["cuts"].as_array().unwrap();
    assert!(cuts
        .iter()
        .any(|c| c["elements"] == serde_json::json!(["lb-01", "lb-02"])));
    assert!(cuts
        .iter()
        .all(|c| c["elements"].as_array().unwrap().len() == 2
            && c["dark"] == serde_json::json!(["www.foobar.com"])));
    let a = &v["availability"];
    let stack = a["stack"].as_f64().unwrap();
    assert!(stack > 0.999 && stack < 1.0, "{stack}");
    assert_eq!(
        a["records"]["www.foobar.com"].as_f64(),
        Some(stack),
        "one record: the stack's figure"
    );
    let dt = a["downtime_per_year_s"].as_f64().unwrap();
    assert!(
        (dt - (1.0 - stack) * 365.25 * 86_400.0).abs() < 1e-6 * dt.max(1.0),
        "{dt}"
    );
    let gains = a["gains"].as_array().unwrap();
    assert!(!gains.is_empty());
    // Largest first (equal gains may differ in their last bits).
    let g: Vec<f64> = gains.iter().map(|x| x["gain"].as_f64().unwrap()).collect();
    assert!(g.windows(2).all(|w| w[0] >= w[1] * (1.0 - 1e-9)), "{g:?}");
    assert!(g.iter().all(|x| *x > 0.0));
    assert_eq!(
        v["capacity"],
        serde_json::json!([]),
        "no server has a capacity"
    );
    insta::assert_snapshot!("scale-up-json", json);

    let (code, md, _) = run(&[
        "resilience",
        "samples/scale-up.stack",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, Some(0));
    assert!(
        md.starts_with("### Resilience of foobar (samples/scale-up.stack)\n"),
        "{md}"
    );
    assert!(
        md.contains("| size | elements | dark | chain that breaks |\n|---:|---|---|---|\n"),
        "{md}"
    );
    insta::assert_snapshot!("scale-up-markdown", md);
}

#[test]
fn a_stack_with_cuts_and_capacity() {
    let (code, human, err) = run(&["resilience", SHOP]);
    // `check` reports its cut-sets and overloads: exit 1, and a note says so.
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("note: `stackc check {SHOP}` reports ")),
        "{err}"
    );
    assert!(human.contains("\ncuts up to size 2 ("), "{human}");
    assert!(human.contains("lb-01+lb-02"), "{human}");
    assert!(human.contains("OVER"), "{human}");
    insta::assert_snapshot!("shop-human", human);

    let (code, json, _) = run(&["resilience", SHOP, "--format", "json"]);
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["max_size"], 2, "max(2, tolerate=2)");
    assert_eq!(v["tolerance"], 1);
    assert_eq!(v["tolerance_exact"], true);
    let records = v["availability"]["records"].as_object().unwrap();
    assert_eq!(records.len(), 2);
    // In declaration order in the text (serde_json's map sorts them).
    let at = |k: &str| json.find(&format!("\"{k}\": ")).unwrap();
    assert!(at("www.example.com") < at("api.example.com"), "{json}");
    let cap = v["capacity"].as_array().unwrap();
    let names: Vec<&str> = cap.iter().map(|c| c["server"].as_str().unwrap()).collect();
    assert_eq!(names, ["web-01", "web-02", "web-03"], "declaration order");
    for c in cap {
        assert_eq!(c["capacity"], 1000);
        assert!(c["worst_load"].as_f64().unwrap() > 1000.0, "{c}");
        assert!(!c["failed"].as_array().unwrap().is_empty(), "{c}");
    }
    insta::assert_snapshot!("shop-json", json);

    let (_, md, _) = run(&["resilience", SHOP, "--format", "markdown"]);
    insta::assert_snapshot!("shop-markdown", md);

    // A larger search: the tolerance stays 1, exact, with the cuts of 3.
    let (_, json, _) = run(&["resilience", SHOP, "--format", "json", "--max-size", "3"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["max_size"], 3);
    assert_eq!(
        (v["tolerance"].as_u64(), v["tolerance_exact"].as_bool()),
        (Some(1), Some(true))
    );
    // A smaller one: no cut of size 1, so only a lower bound.
    let (_, json, _) = run(&["resilience", SHOP, "--format", "json", "--max-size", "1"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["cuts"], serde_json::json!([]));
    assert_eq!(
        (v["tolerance"].as_u64(), v["tolerance_exact"].as_bool()),
        (Some(1), Some(false))
    );
}

#[test]
fn exit_codes_and_bad_usage() {
    // A spof: `check` reports an error, so does `resilience`.
    let (code, human, _) = run(&["resilience", "samples/single-box.stack"]);
    assert_eq!(code, Some(1));
    assert!(
        human.contains("survives no failure: 1 single failure stops it (box)"),
        "{human}"
    );
    for bad in ["0", "5", "two", "-1"] {
        let arg = format!("--max-size={bad}");
        let (code, _, err) = run(&["resilience", "samples/scale-up.stack", &arg]);
        assert_eq!(code, Some(2), "--max-size {bad}");
        assert!(err.contains("--max-size"), "{err}");
    }
    let (code, _, err) = run(&["resilience", "samples/scale-up.stack", "--format", "yaml"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("markdown"), "the formats are listed: {err}");
    let (code, _, err) = run(&["resilience", "samples/no-such-file.stack"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: cannot read samples/no-such-file.stack"),
        "{err}"
    );
    // A stopping error: nothing sound to analyse; the findings on stderr.
    let (code, out, err) = run(&["resilience", "tests/cases/unknown-role.stack"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "");
    assert!(err.contains("unknown-role"), "{err}");
    assert!(
        err.ends_with("error: cannot analyse the resilience of tests/cases/unknown-role.stack: fix the errors above\n"),
        "{err}"
    );
    // Standard input.
    let src = std::fs::read_to_string(common::root().join("samples/scale-up.stack")).unwrap();
    stackc()
        .args(["resilience", "-", "--format", "json"])
        .write_stdin(src)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"file\": \"-\""));
}

/// A generated stack with capacity and `tolerate=4`: the capacity check
/// would look at billions of failure sets and is refused at once, naming
/// the cost; the rest of the report is still there.
fn big_with_capacity() -> String {
    let mut src = String::from("stack big tolerate=4\n");
    for (t, (tier, role, extra, n)) in [
        ("lb", "haproxy", " mode=active-passive vip=203.0.113.10", 2),
        ("web", "nginx", " capacity=1000", 200),
        ("app", "app", "", 200),
        ("db", "mysql", " failover=auto vip=10.9.0.1", 200),
    ]
    .into_iter()
    .enumerate()
    {
        src.push_str(&format!("group {tier}: {role}{extra} {{\n"));
        for i in 0..n {
            let primary = if role == "mysql" && i == 0 {
                " primary"
            } else {
                ""
            };
            src.push_str(&format!(
                "  server {tier}-{i:03} 10.{}.{}.{}{primary}\n",
                t + 1,
                i / 250,
                i % 250 + 1
            ));
        }
        src.push_str("}\n");
    }
    src.push_str("lb -> web : http\nweb -> app : http 8000\napp -> db : mysql\n");
    src.push_str("domain big.com {\n  www A -> lb : https load=20000\n}\n");
    src
}

#[test]
fn a_refused_part_is_said() {
    let src = big_with_capacity();
    let out = stackc()
        .args(["resilience", "-", "--format", "json"])
        .write_stdin(src.clone())
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert!(v["capacity"].is_null(), "{v}");
    let message = v["refused"]["capacity"].as_str().expect("capacity refused");
    assert!(
        message.contains("tolerate=4"),
        "it names the policy: {message}"
    );
    assert_eq!(
        v["refused"].as_object().unwrap().len(),
        1,
        "only the capacity"
    );
    // The rest is there: the balancer pair is a cut.
    assert_eq!(
        (v["tolerance"].as_u64(), v["tolerance_exact"].as_bool()),
        (Some(1), Some(true))
    );
    assert!(v["cuts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["elements"] == serde_json::json!(["lb-000", "lb-001"])));
    assert!(v["availability"]["stack"].as_f64().unwrap() > 0.99);
    assert!(
        err.contains(&format!("warning: capacity not computed: {message}\n")),
        "{err}"
    );
    // The human report says it where the table would be.
    let out = stackc()
        .args(["resilience", "-"])
        .write_stdin(src)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(
        human.contains("  headroom      not computed (refused as too costly)\n"),
        "{human}"
    );
    assert!(
        human.contains(&format!("  not computed: {message}\n")),
        "{human}"
    );
}

#[test]
fn simulate_shows_the_loads() {
    let (code, out, err) = run(&["simulate", SHOP, "--fail", "web-01"]);
    assert_eq!(code, Some(0), "{err}");
    let loads = out
        .split("\nloads (req/s):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("a loads section: {out}"));
    let line = |name: &str| {
        loads
            .lines()
            .find(|l| l.starts_with(&format!("  {name} ")))
            .map(str::to_string)
    };
    // 2,400 req/s over the two web servers left.
    for web in ["web-02", "web-03"] {
        let l = line(web).unwrap_or_else(|| panic!("{web}: {out}"));
        assert!(
            l.contains(" 1,200 of 1,000 ") && l.ends_with("OVER CAPACITY"),
            "{l}"
        );
    }
    assert_eq!(
        line("web-01"),
        None,
        "a server that is down carries nothing: {out}"
    );
    let lb = line("lb-01").unwrap_or_else(|| panic!("the holder: {out}"));
    assert!(lb.contains(" 2,400 (no capacity)"), "{lb}");
    assert!(loads.contains("  2 servers over capacity\n"), "{out}");
    insta::assert_snapshot!("shop-simulate-web-01", out);
    // A zone and a server in it: the zone counts once.
    let (code, out, _) = run(&["simulate", SHOP, "--fail", "b,web-02", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    let loads = v["loads"].as_array().unwrap();
    let web1 = loads.iter().find(|l| l["server"] == "web-01").unwrap();
    assert_eq!(web1["load"], 2400);
    assert_eq!(web1["capacity"], 1000);
    assert_eq!(web1["over"], true);
    // Without capacity or load, no loads.
    let (_, out, _) = run(&["simulate", "samples/scale-up.stack", "--fail", "db-01"]);
    assert!(!out.contains("loads"), "{out}");
    let (_, out, _) = run(&[
        "simulate",
        "samples/scale-up.stack",
        "--fail",
        "db-01",
        "--format",
        "json",
    ]);
    assert!(serde_json::from_str::<Value>(&out)
        .unwrap()
        .get("loads")
        .is_none());
}

#[test]
fn check_shows_the_tolerance_in_every_format() {
    // Human: the summary line.
    let (_, out, _) = run(&[
        "check",
        "samples/scale-up.stack",
        "samples/single-box.stack",
        SHOP,
    ]);
    assert!(
        out.contains(
            "0 errors, 7 warnings in samples/scale-up.stack (tolerates at least 1 failure)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(" in samples/single-box.stack (tolerates no failure)\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(" in {SHOP} (tolerates 1 failure)\n")),
        "with tolerate=2 it is exact: {out}"
    );
    // `--tolerate 2` makes the sample's exact too.
    let (code, out, _) = run(&["check", "--tolerate", "2", "samples/scale-up.stack"]);
    assert_eq!(code, Some(1), "its pairs are cut-set errors");
    assert!(
        out.ends_with(" in samples/scale-up.stack (tolerates 1 failure)\n"),
        "{out}"
    );
    // A file that declares nothing says so instead.
    stackc()
        .args(["check", "-"])
        .write_stdin("# nothing yet\n")
        .assert()
        .code(0)
        .stdout("0 errors, 0 warnings in - (it declares nothing: nothing to analyse)\n");

    // JSON: per file, and the weakest at the top.
    let (_, out, _) = run(&["check", "--format", "json", "samples/scale-up.stack", SHOP]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["files"][0]["tolerance"],
        serde_json::json!({"value": 1, "exact": false})
    );
    assert_eq!(
        v["files"][1]["tolerance"],
        serde_json::json!({"value": 1, "exact": true})
    );
    assert_eq!(
        v["tolerance"],
        serde_json::json!({"value": 1, "exact": true})
    );
    let (_, out, _) = run(&["check", "--format", "json", "samples/single-box.stack"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["tolerance"],
        serde_json::json!({"value": 0, "exact": true})
    );
    // Nothing analysed: null.
    let (_, out, _) = run(&[
        "check",
        "--format",
        "json",
        "tests/cases/unknown-role.stack",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["tolerance"].is_null() && v["files"][0]["tolerance"].is_null(),
        "{v}"
    );

    // SARIF: the run's properties, and still valid SARIF.
    let (_, out, _) = run(&["check", "--format", "sarif", SHOP]);
    let _: serde_sarif::sarif::Sarif = serde_json::from_str(&out).expect("valid SARIF");
    let v: Value = serde_json::from_str(&out).unwrap();
    let props = &v["runs"][0]["properties"];
    assert_eq!(
        props["tolerance"],
        serde_json::json!({"value": 1, "exact": true})
    );
    assert_eq!(
        props["tolerances"],
        serde_json::json!([{"uri": SHOP, "value": 1, "exact": true}])
    );

    // GitHub: a notice per file.
    let (_, out, _) = run(&["check", "--format", "github", "samples/scale-up.stack"]);
    assert!(out.ends_with("::notice file=samples/scale-up.stack,title=tolerance::samples/scale-up.stack tolerates at least 1 failure\n"), "{out}");
}
