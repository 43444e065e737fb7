//! Code actions: each fix applied removes its finding and adds no error.

use super::*;

// ---- code actions -----------------------------------------------------------

type Key = (String, String, String);

fn key(f: &stackc::diag::Finding) -> Key {
    (
        f.rule.as_str().to_string(),
        f.subject_name().unwrap_or("").to_string(),
        f.message.clone(),
    )
}

fn errors(s: &Snapshot) -> Vec<Key> {
    s.checked
        .findings
        .iter()
        .filter(|f| f.severity() == stackc::diag::Severity::Error)
        .map(key)
        .collect()
}

fn apply_fix(s: &Snapshot, fix: &actions::Fix) -> String {
    let edits: Vec<TextEdit> = fix
        .edits
        .iter()
        .map(|(sp, t)| TextEdit::new(s.range(*sp), t.clone()))
        .collect();
    apply(s, &edits)
}

/// Every fix of every finding of a text, applied: the finding it fixes is
/// gone and no new error appears, but for the single failures of a record
/// that was `broken` and now serves (judged only now, LANGUAGE.md §7.3:
/// the fix reveals them). The fixes' titles, in order.
fn prove(path: &str, text: &str) -> Result<Vec<String>, String> {
    let s = snap(text);
    let before = errors(&s);
    let mut titles = Vec::new();
    for f in &s.checked.findings {
        for fix in actions::of(&s, f) {
            let after = snap(&apply_fix(&s, &fix));
            let k = key(f);
            if after.checked.findings.iter().any(|g| key(g) == k) {
                return Err(format!("{path}: `{}` leaves {k:?}", fix.title));
            }
            let broken = |x: &Snapshot| {
                let c = &x.checked;
                let all = c
                    .findings
                    .iter()
                    .chain(c.suppressed.iter().map(|s| &s.finding));
                all.filter(|g| g.rule.as_str() == "broken").count()
            };
            let revealed = broken(&after) < broken(&s);
            let new: Vec<Key> = errors(&after)
                .into_iter()
                .filter(|e| !before.contains(e))
                .filter(|e| !(revealed && ["spof", "zone-spof"].contains(&e.0.as_str())))
                .collect();
            if !new.is_empty() {
                return Err(format!("{path}: `{}` adds {new:?}", fix.title));
            }
            titles.push(fix.title);
        }
    }
    Ok(titles)
}

#[test]
fn every_fix_of_every_rule_case_removes_its_finding() {
    let mut fixes = 0;
    let mut failures = Vec::new();
    for (path, text) in files("tests/cases") {
        match prove(&path.display().to_string(), &text) {
            Ok(t) => fixes += t.len(),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("{fixes} fixes proved on the rule cases");
    assert!(fixes >= 120, "{fixes}");
}

#[test]
fn replica_write_gets_read_or_the_group() {
    let text = case("replica-write.stack");
    let s = snap(&text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "replica-write")
        .unwrap();
    let titles: Vec<String> = actions::of(&s, f).into_iter().map(|x| x.title).collect();
    assert_eq!(
        titles,
        vec![
            "add `read` to the link",
            "point the link at the group `db` instead of db-02",
        ]
    );
    let fixes = actions::of(&s, f);
    assert!(apply_fix(&s, &fixes[0]).contains("app -> db-02 : mysql read\n"));
    assert!(apply_fix(&s, &fixes[1]).contains("app -> db : mysql\n"));
}

#[test]
fn a_holder_that_cannot_serve_gets_track() {
    let text = "\
group lb: haproxy mode=active-passive vip=203.0.113.10 firewall monitor=agent {
  server lb-01 10.0.0.11
  server lb-02 10.0.0.12
}
server web-01: nginx 10.0.1.11 firewall monitor=agent
server web-02: nginx 10.0.1.12 firewall monitor=agent
lb-01 -> web-01
lb-02 -> web-02
domain example.com { www A -> lb : https }
";
    let s = snap(text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "spof" && f.subject_name() == Some("web-01"))
        .unwrap();
    let fixes = actions::of(&s, f);
    assert_eq!(fixes[0].title, "add `track` to group `lb`");
    let fixed = apply_fix(&s, &fixes[0]);
    assert!(fixed.contains("firewall monitor=agent track {"), "{fixed}");
    prove("track", text).unwrap();
}

#[test]
fn asymmetric_failover_gets_the_group_linked() {
    let text = case("asymmetric-failover.stack");
    let s = snap(&text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "asymmetric-failover")
        .unwrap();
    let fixes = actions::of(&s, f);
    assert_eq!(
        fixes[0].title,
        "link the group `lb` as lb-01 is linked (removes the links of lb-02)"
    );
    let fixed = apply_fix(&s, &fixes[0]);
    assert_eq!(
        fixed,
        text.replace("lb-01 -> web\nlb-02 -> web-02\n", "lb -> web\n")
    );
    let s = snap(&case("asymmetric-failover-protocol.stack"));
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "asymmetric-failover")
        .unwrap();
    let fixed = apply_fix(&s, &actions::of(&s, f)[0]);
    assert!(fixed.ends_with("\nlb -> web : https 443\n"), "{fixed}");
}

#[test]
fn did_you_mean_fixes_names_roles_attributes_and_zones() {
    let text = "\
zone east
server web-01: ngix 10.0.1.11 zone=\"eest\" firewal monitor=agent
server db-01: mysql 10.0.3.11 firewall monitor=agent
web-01 -> db-1 : mysql
domain example.com { www A -> web-01 : https }
allow spof web-1 \"one\"
allow cut-set web-01+db-1 \"two\"
";
    let s = snap(text);
    let mut got: Vec<(String, String)> = Vec::new();
    for f in &s.checked.findings {
        for fix in actions::of(&s, f).into_iter().filter(|x| x.preferred) {
            let (sp, t) = &fix.edits[0];
            got.push((text[sp.start..sp.end].to_string(), t.clone()));
        }
    }
    got.sort();
    let want: Vec<(String, String)> = [
        ("db-1", "db-01"),
        ("db-1", "db-01"),
        ("eest", "east"),
        ("firewal", "firewall"),
        ("ngix", "nginx"),
        ("web-1", "web-01"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn code_actions_at_a_range_are_workspace_edits() {
    let text = case("replica-write.stack");
    let s = snap(&text);
    let line = text
        .lines()
        .position(|l| l.starts_with("app -> db-02"))
        .unwrap() as u32;
    let last = text.lines().count() as u32 - 1;
    let got = actions::at(
        &s,
        &uri(),
        Range::new(Position::new(line, 3), Position::new(line, 3)),
    );
    let titles: Vec<String> = got
        .iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => {
                assert_eq!(a.kind, Some(lsp_types::CodeActionKind::QUICKFIX));
                // The diagnostic it fixes, as published.
                let d = &a.diagnostics.as_ref().unwrap()[0];
                assert_eq!(d.range.start.line, line);
                assert_eq!(d.source.as_deref(), Some("stackc"));
                let edits = workspace_edits(a.edit.as_ref().unwrap());
                assert!(!edits.is_empty());
                a.title.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        titles.contains(&"add `read` to the link".to_string()),
        "{titles:?}"
    );
    // An `allow` goes after the last one, or at the end (`broken` on the
    // record, the last line).
    let got = actions::at(
        &s,
        &uri(),
        Range::new(Position::new(last, 0), Position::new(last, 99)),
    );
    let allow = got.iter().find_map(|a| match a {
        CodeActionOrCommand::CodeAction(a) if a.title.starts_with("allow ") => Some(a.clone()),
        _ => None,
    });
    let allow = allow.unwrap();
    let fixed = apply(&s, &workspace_edits(allow.edit.as_ref().unwrap()));
    assert!(
        fixed.ends_with(&format!("\n{} \"TODO: why\"\n", allow.title)),
        "{fixed}"
    );
    // Nothing on a line without a finding.
    assert!(actions::at(
        &s,
        &uri(),
        Range::new(Position::new(0, 0), Position::new(0, 0))
    )
    .is_empty());
}

#[test]
fn samples_fixes_add_no_error() {
    for (path, text) in files("samples") {
        let s = snap(&text);
        let before = errors(&s);
        for f in &s.checked.findings {
            for fix in actions::of(&s, f) {
                let after = snap(&apply_fix(&s, &fix));
                let new: Vec<Key> = errors(&after)
                    .into_iter()
                    .filter(|e| !before.contains(e))
                    .collect();
                assert!(
                    new.is_empty(),
                    "{}: `{}` adds {new:?}",
                    path.display(),
                    fix.title
                );
            }
        }
    }
}

/// The fix of `rule` in a rule case (the first), applied.
fn fixed(name: &str, rule: &str) -> (String, String) {
    let text = case(name);
    let s = snap(&text);
    let f = s
        .checked
        .findings
        .iter()
        .find(|f| f.rule.as_str() == rule)
        .unwrap_or_else(|| panic!("{name}: no {rule}"));
    let fix = actions::of(&s, f).into_iter().next().unwrap();
    let out = apply_fix(&s, &fix);
    (fix.title, out)
}

#[test]
fn setup_findings_are_fixed_in_place() {
    let (t, out) = fixed("no-firewall.stack", "no-firewall");
    assert_eq!(t, "add `firewall` to web-01");
    assert!(
        out.contains("  server web-01 10.0.1.11 firewall\n"),
        "{out}"
    );
    let (t, out) = fixed("no-firewall-group.stack", "no-firewall");
    assert_eq!(t, "add `firewall` to web");
    assert!(
        out.contains("group web: nginx monitor=agent firewall {\n"),
        "{out}"
    );
    let (t, out) = fixed("no-tls.stack", "no-tls");
    assert_eq!(t, "serve it over https");
    assert!(out.contains("{ www A -> web : https }"), "{out}");
    let (t, out) = fixed("plaintext-backend.stack", "plaintext-backend");
    assert_eq!(t, "use `: https` on the links behind it");
    assert!(out.contains("\nlb -> web : https\n"), "{out}");
    let (t, out) = fixed("no-monitoring.stack", "no-monitoring");
    assert_eq!(t, "add `monitor=agent` to web-02, as the other servers");
    assert!(
        out.contains("  server web-02 10.0.1.12 monitor=agent\n"),
        "{out}"
    );
    let (t, out) = fixed("ignored-attribute.stack", "ignored-attribute");
    assert_eq!(t, "remove `read`");
    assert!(out.contains("\nweb-01 -> app-01\n"), "{out}");
    let text = case("unused-allow.stack");
    let (t, out) = fixed("unused-allow.stack", "unused-allow");
    assert_eq!(t, "remove this allow");
    assert_eq!(
        out,
        text.replace("allow spof web \"fixed last week\"\n", "")
    );
}
