//! The proof of `stackc import` (TOOLS.md §4 "Round trip"): for every
//! sample, every rule case that bundles, and random stacks from the
//! differential test's generator, `bundle` (the library) -> the files on
//! disk -> `stackc import DIR` (the CLI, its walker included) -> `check`,
//! and the imported model compared with the original's: servers (roles,
//! address, zone, monitor, firewall), groups (members, mode, vip, track,
//! unicast, failover, primary), links (per source server after group
//! expansion: targets, protocol, port, read, optional), records; and the
//! findings by (rule, subject). It prints "N of M stacks identical" and
//! every difference.
//!
//! The comparison is of what the hosts run, read as the evaluator reads
//! it: the original's policy is left out first ([`policy_free`]: `allow`,
//! `tolerate=`, `slo=`, `availability=`, `capacity=`, `load=`, which no
//! config carries); targets are spelled as the model routes them
//! ([`spelled`]: `-> web` and `-> web-01, web-02` are one requirement when
//! any member serves); a requirement a source reaches locally is none; a
//! CNAME is compared as the addresses the bundle writes for it; an
//! attribute that has no effect (`ignored-attribute`) is not compared.
//!
//! What still differs is printed, stack by stack. Known, and said in the
//! book's import page: a link from a server with no application to a data
//! store (`web -> db : mysql` from nginx: no config of the bundle holds
//! it), `track` on a pair that is not HAProxy (its check is the local
//! health URI either way), `mode=active-passive` on a replicated group,
//! `unicast` on a pair of one, an empty group. [`MIN_IDENTICAL`] is the
//! floor measured, so that a regression fails.

#[path = "support/bundles.rs"]
mod bundles;
mod common;
#[path = "differential/generate.rs"]
#[allow(dead_code)]
mod generate;
#[path = "differential/generate_res.rs"]
#[allow(dead_code)]
mod generate_res;
#[path = "differential/model.rs"]
#[allow(dead_code)]
mod model;
#[path = "differential/resilience.rs"]
#[allow(dead_code)]
mod resilience;

#[allow(unused_imports)]
use generate::*;
#[allow(unused_imports)]
use generate_res::*;
#[allow(unused_imports)]
use model::*;
#[allow(unused_imports)]
use resilience::*;
#[allow(unused_imports)]
use std::collections::{BTreeMap, BTreeSet, HashMap};

use stackc::bundle::{self, Options};
// Not imported: the differential model has its own `Mode` and `Target`.
use stackc::model as sm;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Random stacks drawn (their seeds 1..=N), bounded: each costs a bundle
/// and one `stackc import` process.
const RANDOM: u64 = 64;

/// The stacks that must come back identical (samples, cases, random).
const MIN_IDENTICAL: usize = 43;

/// A model by names, for comparison: one line per fact, sorted.
fn shape(src: &str) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let c = stackc::check(src);
    let m = &c.model;
    let mut out = BTreeSet::new();
    for s in &m.servers {
        let mut roles: Vec<&str> = s.roles.iter().map(|r| r.name()).collect();
        roles.sort_unstable();
        let zone = s.zone.map(|z| m.zones[z.index()].name.clone());
        out.insert(format!(
            "server {} roles={} addr={:?} zone={:?} monitor={:?} firewall={}",
            s.name,
            roles.join("+"),
            s.address,
            zone,
            s.monitor,
            s.firewall
        ));
    }
    for g in &m.groups {
        let mut members: Vec<&str> = g
            .members
            .iter()
            .map(|s| m.server(*s).name.as_str())
            .collect();
        members.sort_unstable();
        out.insert(format!(
            "group {} members={} mode={:?} vip={:?} track={} unicast={} failover={:?} primary={:?}",
            g.name,
            members.join(","),
            g.mode,
            g.vip,
            g.track,
            g.unicast,
            g.failover,
            g.primary.map(|p| m.server(p).name.clone())
        ));
    }
    for l in &m.links {
        let named: Vec<(sm::Target, sm::Protocol, bool)> = l
            .targets
            .iter()
            .map(|t| (t.target, t.protocol, l.is_write(t)))
            .collect();
        let ports: BTreeSet<u16> = l.targets.iter().map(|t| t.port).collect();
        let targets = format!("{} ports={ports:?}", spelled(m, &named));
        // `read` means something on a data protocol only (on another it is
        // `ignored-attribute`, and no config can say it).
        let read = l.read && l.targets.iter().any(|t| t.protocol.is_data());
        for s in &l.from {
            // LANGUAGE.md §5.3: a requirement a source reaches locally (a
            // target that is itself or its own group) is held while it is
            // up; it says nothing, on either side.
            if l.targets
                .iter()
                .any(|t| m.is_local(*s, t.target, t.protocol, l.is_write(t)))
            {
                continue;
            }
            out.insert(format!(
                "link {} -> {} read={} optional={}",
                m.server(*s).name,
                targets,
                read,
                l.optional
            ));
        }
    }
    for r in &m.records {
        let named: Vec<(sm::Target, sm::Protocol, bool)> = r
            .targets
            .iter()
            .map(|t| (t.target, t.protocol, false))
            .collect();
        // The bundle writes a CNAME as its target's addresses (zone.rs:
        // it names no hosts); either is "available when a target is".
        let rtype = match r.rtype {
            sm::RecordType::Cname => sm::RecordType::A,
            other => other,
        };
        out.insert(format!(
            "record {}.{} {:?} -> {}",
            r.label,
            m.domains[r.domain.index()].name,
            rtype,
            spelled(m, &named)
        ));
    }
    let findings = c
        .findings
        .iter()
        // An attribute that has no effect is one no config can carry.
        .filter(|f| f.rule != stackc::diag::RuleId::IgnoredAttribute)
        .map(|f| {
            (
                f.rule.as_str().to_string(),
                f.subject_name().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (out, findings)
}

/// Targets as one sorted list, each spelled as the model routes it
/// (`Model::route`, LANGUAGE.md §5.4): a target that any working member
/// serves (an active-active group, a `track`ed pair, a read from a
/// replicated group) by its members, a write to a manual-failover group by
/// its primary. So `-> web` and `-> web-01, web-02`, or `-> db` and `->
/// db-01` for a write to db's primary, are the same requirement, as the
/// evaluator reads them, and a file may write either.
fn spelled(m: &sm::Model, targets: &[(sm::Target, sm::Protocol, bool)]) -> String {
    let mut out = BTreeSet::new();
    for (t, protocol, write) in targets {
        let suffix = format!(":{protocol}");
        match m.route(*t, *protocol, *write) {
            sm::Route::AnyMember(g) => {
                for s in &m.groups[g.index()].members {
                    out.insert(format!("{}{suffix}", m.server(*s).name));
                }
            }
            sm::Route::Primary(_, x) => {
                out.insert(format!("{}{suffix}", m.server(x).name));
            }
            _ => {
                out.insert(format!("{}{suffix}", m.target_name(*t)));
            }
        }
    }
    out.into_iter().collect::<Vec<_>>().join(",")
}

/// `src` without its policy: what the file decides rather than what the
/// hosts run, which no config carries and `import` cannot know: `allow`
/// statements, and the planning attributes of RESILIENCE.md (`tolerate=`,
/// `slo=`, `availability=`, `capacity=`, `load=`). The round trip compares
/// the import with this.
fn policy_free(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        if line.trim_start().starts_with("allow ") {
            continue;
        }
        let kept: Vec<&str> = line
            .split(' ')
            .filter(|w| {
                !["tolerate=", "slo=", "availability=", "capacity=", "load="]
                    .iter()
                    .any(|p| w.starts_with(p))
            })
            .collect();
        out.push_str(&kept.join(" "));
        out.push('\n');
    }
    out
}

/// The bundle of `src` on disk in `dir`, or why not.
fn write_bundle(src: &str, dir: &Path) -> Result<(), String> {
    let c = stackc::check(src);
    if !bundle::validate(&c).is_empty() {
        return Err("bundle refuses it".into());
    }
    let secrets = bundles::fixed_secrets(&c);
    let opts = Options {
        serial: 1,
        ..Options::default()
    };
    let b = bundle::generate(&c, &opts, &secrets).map_err(|e| format!("{e:?}"))?;
    for (path, f) in &b.files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().expect("a parent")).map_err(|e| e.to_string())?;
        fs::write(&p, &f.bytes).map_err(|e| e.to_string())?;
        fs::set_permissions(&p, fs::Permissions::from_mode(f.mode)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

enum Outcome {
    Skipped(String),
    Same,
    /// The differences.
    Differs(Vec<String>),
}

fn round_trip(name: &str, src: &str, tmp: &Path) -> Outcome {
    // STACKC_ROUNDTRIP_KEEP=DIR keeps each stack and its bundle there, to
    // look at a difference by hand.
    let dir = match std::env::var_os("STACKC_ROUNDTRIP_KEEP") {
        Some(keep) => Path::new(&keep).join(name),
        None => tmp.join(name),
    };
    if std::env::var_os("STACKC_ROUNDTRIP_KEEP").is_some() {
        let _ = fs::create_dir_all(&dir);
        let _ = fs::write(dir.join("original.stack"), src);
    }
    if let Err(why) = write_bundle(src, &dir) {
        return Outcome::Skipped(why);
    }
    let out = common::stackc()
        .arg("import")
        .arg(&dir)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .expect("stackc import runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: import exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // What import writes is canonical, whatever the readers understand.
    assert_eq!(
        stackc::fmt::format_source(&text).as_deref(),
        Some(text.as_str()),
        "{name}: the imported text is not canonical:\n{text}"
    );
    let (want, want_f) = shape(&policy_free(src));
    let (got, got_f) = shape(&text);
    let mut diffs = Vec::new();
    for w in want.difference(&got) {
        diffs.push(format!("- {w}"));
    }
    for g in got.difference(&want) {
        diffs.push(format!("+ {g}"));
    }
    for (r, s) in want_f.difference(&got_f) {
        diffs.push(format!("- finding {r} {s}"));
    }
    for (r, s) in got_f.difference(&want_f) {
        diffs.push(format!("+ finding {r} {s}"));
    }
    if diffs.is_empty() {
        Outcome::Same
    } else {
        Outcome::Differs(diffs)
    }
}

#[test]
fn import_of_a_bundle_gives_back_its_stack() {
    let root = common::root();
    let mut stacks: Vec<(String, String)> = Vec::new();
    for dir in ["samples", "tests/cases"] {
        for p in common::stack_files(&root.join(dir)) {
            let stem = p
                .file_stem()
                .expect("a stem")
                .to_string_lossy()
                .into_owned();
            stacks.push((
                format!("{dir}/{stem}"),
                fs::read_to_string(&p).expect("readable"),
            ));
        }
    }
    for seed in 1..=RANDOM {
        stacks.push((format!("random/{seed}"), generate::generate(seed).0));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut same, mut tried, mut skipped) = (0, 0, 0);
    let mut report = String::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (name, src) in &stacks {
        let id = name.replace('/', "-");
        match round_trip(&id, src, tmp.path()) {
            Outcome::Skipped(why) => {
                skipped += 1;
                report.push_str(&format!("{name}: not bundled ({why})\n"));
            }
            Outcome::Same => {
                tried += 1;
                same += 1;
            }
            Outcome::Differs(d) => {
                tried += 1;
                report.push_str(&format!("{name}: {} differences\n", d.len()));
                for line in d.iter().take(12) {
                    report.push_str(&format!("    {line}\n"));
                    let kind: String = line
                        .split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ");
                    *kinds.entry(kind).or_default() += 1;
                }
            }
        }
    }
    eprintln!(
        "import round trip: {same} of {tried} stacks identical ({skipped} not bundled)\nby kind of difference: {kinds:?}\n{report}"
    );
    assert!(tried > 0);
    assert!(
        same >= MIN_IDENTICAL,
        "only {same} of {tried} stacks came back identical (at least {MIN_IDENTICAL} did)"
    );
}
