//! The chapter rewriting on strings, with a host that holds its files in memory.

use super::markdown::{fence, fence_of, guard_links, indent_code, no_double_braces};
use super::{Config, Host, Preprocessor};
use std::collections::BTreeMap;

#[derive(Default)]
struct Memory {
    files: BTreeMap<&'static str, &'static str>,
}

impl Host for Memory {
    fn read(&self, file: &str) -> Result<(String, String), String> {
        self.files
            .get(file)
            .map(|t| (file.to_string(), t.to_string()))
            .ok_or_else(|| format!("cannot read {file}"))
    }
    fn help(&self, command: Option<&str>) -> Option<String> {
        match command {
            None => Some("Usage: stackc <COMMAND>\n".into()),
            Some("check") => Some("Usage: stackc check FILE...\n".into()),
            Some(_) => None,
        }
    }
    fn simulate(
        &self,
        shown: &str,
        _checked: &crate::Checked,
        names: &[String],
    ) -> Result<String, String> {
        Ok(format!("{shown}: down {}\n", names.join("+")))
    }
}

const PAIR: &str = "group web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\ndomain example.com { www A -> web : https }\n";

fn run(host: &Memory, config: Config, chapter: &str) -> Result<String, Vec<String>> {
    Preprocessor::new(config, host).chapter(chapter)
}

#[test]
fn a_fence_is_longer_than_any_run_of_backticks_in_it() {
    assert_eq!(fence("text", "a\n"), "```text\na\n```\n");
    assert_eq!(fence("text", "no newline"), "```text\nno newline\n```\n");
    assert_eq!(
        fence("stack", "x ```` y\n"),
        "`````stack\nx ```` y\n`````\n"
    );
    assert_eq!(fence_of("~~~~ rust"), Some(('~', 4)));
    assert_eq!(fence_of("``"), None);
    assert_eq!(fence_of("text ```"), None);
}

#[test]
fn html_keeps_no_double_brace() {
    assert_eq!(
        no_double_braces("a {{#include x}} {b}"),
        "a &#123;{#include x}} {b}"
    );
    assert_eq!(no_double_braces("{{{"), "&#123;&#123;{");
}

#[test]
fn links_directives_in_file_text_are_escaped_only_when_links_runs_after() {
    let text = "title \"{{#include /etc/passwd}}\"\n";
    assert_eq!(guard_links(text, false).unwrap(), text);
    assert_eq!(
        guard_links(text, true).unwrap(),
        "title \"\\{{#include /etc/passwd}}\"\n"
    );
    // `{{` then `#` on the next line cannot be escaped.
    let e = guard_links("a {{\n#include x}}\n", true).unwrap_err();
    assert!(e.starts_with("line 1 holds"), "{e}");
    assert!(guard_links("{{# no close\n", true).is_err());
}

#[test]
fn explain_code_is_fenced_as_stack() {
    assert_eq!(
        indent_code("Text.\n\n    allow spof db \"x\"\n\nMore."),
        "Text.\n\n```stack\nallow spof db \"x\"\n\n```\nMore.\n"
    );
    assert_eq!(indent_code("    a"), "```stack\na\n```\n");
}

#[test]
fn a_stack_block_becomes_a_diagram_numbered_across_chapters() {
    let host = Memory::default();
    let pre = Preprocessor::new(Config::default(), &host);
    let chapter = format!("# T\n\n```stack\n{PAIR}```\n\n```rust\nfn main() {{}}\n```\n");
    let one = pre.chapter(&chapter).unwrap();
    assert!(one.contains("<div class=\"stackc-diagram\">"), "{one}");
    assert!(one.contains("class=\"stackc-svg-1-root\""), "{one}");
    assert!(one.contains("```rust\nfn main() {}\n```\n"), "{one}");
    assert!(!one.contains("```stack"), "the source is not kept: {one}");
    let two = pre.chapter(&chapter).unwrap();
    assert!(two.contains("class=\"stackc-svg-2-root\""), "{two}");
}

/// ```` ```stack interactive ````: the page in an `<iframe srcdoc>` on one
/// line (Markdown keeps it one HTML block), with no `{{` left.
#[test]
fn an_interactive_block_embeds_the_page() {
    let host = Memory::default();
    let out = run(
        &host,
        Config::default(),
        &format!("Before.\n\n```stack interactive\n{PAIR}```\n\nAfter.\n"),
    )
    .unwrap();
    let line = out
        .lines()
        .find(|l| l.starts_with("<iframe "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("srcdoc=\"&lt;!DOCTYPE html&gt;"), "{line}");
    assert!(line.contains("sandbox=\"allow-scripts\""));
    assert!(line.ends_with("</iframe>"));
    assert!(!out.contains("{{"), "{out}");
    assert!(out.contains("After."));
}

#[test]
fn block_options_keep_the_source_and_add_the_findings() {
    let host = Memory::default();
    let out = run(
        &host,
        Config::default(),
        &format!("```stack,nodiagram,findings\n{PAIR}```\n"),
    )
    .unwrap();
    assert!(out.starts_with(&format!("```stack\n{PAIR}```\n")), "{out}");
    assert!(!out.contains("<svg"), "{out}");
    assert!(out.contains("```text\n"), "{out}");
    let e = run(&host, Config::default(), "```stack,bogus\nx\n```\n").unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("line 1: unknown option `bogus`"), "{e:?}");
    let ignored = run(
        &host,
        Config::default(),
        "```stack,ignore\nnot a stack\n```\n",
    )
    .unwrap();
    assert_eq!(ignored, "```stack\nnot a stack\n```\n");
}

#[test]
fn an_example_must_report_what_it_expects_and_nothing_else() {
    let host = Memory::default();
    let bad = "server a: ngnix 10.0.0.1\n";
    let e = run(
        &host,
        Config::default(),
        &format!("text\n```stack\n{bad}```\n"),
    )
    .unwrap_err();
    assert!(
        e[0].starts_with("line 2: the example has errors it does not expect"),
        "{e:?}"
    );
    assert!(e[0].contains("unknown-role"), "{e:?}");
    let ok = run(
        &host,
        Config::default(),
        &format!("```stack,expect=unknown-role\n{bad}```\n"),
    );
    assert!(ok.is_ok(), "{ok:?}");
    let e = run(
        &host,
        Config::default(),
        &format!("```stack,expect=cycle\n{PAIR}```\n"),
    )
    .unwrap_err();
    assert!(e[0].contains("should report `cycle` and does not"), "{e:?}");
}

#[test]
fn directives_read_through_the_host() {
    let mut host = Memory::default();
    host.files.insert("web.stack", PAIR);
    host.files.insert("bad.stack", "server a: ngnix 10.0.0.1\n");
    let out = run(
        &host,
        Config::default(),
        "{{#stackc help check}}\n  {{#stackc source web.stack}}\n{{#stackc simulate web.stack web-01,web-02}}\n{{#stackc check bad.stack}}\n",
    )
    .unwrap();
    assert!(
        out.starts_with("```text\nUsage: stackc check FILE...\n```\n"),
        "{out}"
    );
    assert!(
        out.contains("  ```stack\n  group web: nginx"),
        "indented: {out}"
    );
    assert!(
        out.contains("```text\nweb.stack: down web-01+web-02\n```\n"),
        "{out}"
    );
    assert!(out.contains("bad.stack"), "{out}");
    assert!(out.contains("unknown-role"), "{out}");
    let errors = run(
        &host,
        Config::default(),
        "{{#stackc source bad.stack}}\n{{#stackc diagram bad.stack}}\n{{#stackc help nope}}\n{{#stackc source missing.stack}}\n",
    )
    .unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "line 1: `{{#stackc source bad.stack}}`: bad.stack has errors it does not expect"
        ),
        "{errors:?}"
    );
    assert_eq!(
        errors[1],
        "line 2: `{{#stackc diagram bad.stack}}`: bad.stack has errors: no diagram"
    );
    assert_eq!(
        errors[2],
        "line 3: `{{#stackc help nope}}`: no command `nope`"
    );
    assert_eq!(
        errors[3],
        "line 4: `{{#stackc source missing.stack}}`: cannot read missing.stack"
    );
}

#[test]
fn a_directive_stands_alone_and_can_be_written_out() {
    let host = Memory::default();
    let e = run(&host, Config::default(), "see {{#stackc rules}}\n").unwrap_err();
    assert_eq!(
        e,
        ["line 1: `{{#stackc rules}}` must stand alone on its line: it becomes a block"]
    );
    let e = run(&host, Config::default(), "{{#stackc frobnicate}}\n").unwrap_err();
    assert_eq!(e, ["line 1: `{{#stackc frobnicate}}`: unknown directive"]);
    let e = run(&host, Config::default(), "{{#stackc rules\n").unwrap_err();
    assert_eq!(e, ["line 1: `{{#stackc` without `}}`"]);
    let kept = run(
        &host,
        Config::default(),
        "write \\{{#stackc check FILE}} so\n",
    )
    .unwrap();
    assert_eq!(kept, "write {{#stackc check FILE}} so\n");
}

#[test]
fn rules_and_explain_come_from_the_rule_docs() {
    let host = Memory::default();
    let out = run(&host, Config::default(), "{{#stackc rules}}\n").unwrap();
    for id in crate::diag::RuleId::ALL {
        assert!(
            out.contains(&format!("[`{0}`](rules/{0}.md)", id.as_str())),
            "{id:?}"
        );
    }
    let out = run(&host, Config::default(), "{{#stackc explain spof}}\n").unwrap();
    assert!(out.starts_with("**spof** (error): "), "{out}");
    let e = run(&host, Config::default(), "{{#stackc explain spfo}}\n").unwrap_err();
    assert_eq!(
        e,
        ["line 1: `{{#stackc explain spfo}}`: `spfo` is not a rule"]
    );
}

#[test]
fn file_text_is_guarded_when_links_may_run_after() {
    let mut host = Memory::default();
    host.files.insert(
        "t.stack",
        "stack t \"{{#include x}}\"\ngroup web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\ndomain example.com { www A -> web : https }\n",
    );
    let config = Config {
        links_after: true,
        ..Config::default()
    };
    let out = run(&host, config.clone(), "{{#stackc source t.stack}}\n").unwrap();
    assert!(out.contains("\\{{#include x}}"), "{out}");
    let out = run(&host, config, "{{#stackc diagram t.stack}}\n").unwrap();
    assert!(!out.contains("{{"), "{out}");
}

#[test]
fn roles_and_protocols_come_from_the_table() {
    let host = Memory::default();
    let out = run(
        &host,
        Config::default(),
        "- {{#stackc roles}}\n{{#stackc protocols}}\n",
    );
    assert!(out.is_err(), "text before a directive: {out:?}");
    let out = run(
        &host,
        Config::default(),
        "  {{#stackc roles}}\n{{#stackc protocols}}\n",
    )
    .unwrap();
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .take(crate::model::ROLES.len())
        .collect();
    for (row, r) in rows.iter().zip(crate::model::ROLES) {
        assert!(
            row.starts_with(&format!("  | `{}` | {}: {} | ", r.name, r.title, r.doc)),
            "{row}"
        );
    }
    let last = out.lines().rfind(|l| !l.is_empty()).unwrap();
    assert!(last.starts_with("The protocols are `http`, "), "{last}");
    for p in crate::model::Protocol::ALL {
        assert!(last.contains(&format!("`{p}`")), "{last}");
    }
}

#[test]
fn the_attributes_table_has_a_row_per_attribute() {
    let t = super::attributes_table();
    let rows: Vec<&str> = t.lines().skip(2).collect();
    assert_eq!(rows.len(), crate::model::ATTRS.len(), "{t}");
    for (row, a) in rows.iter().zip(crate::model::ATTRS) {
        assert!(row.starts_with(&format!("| `{}", a.key)), "{row}");
        assert!(
            row.ends_with(&format!("| {} |", a.doc.replace('|', "\\|"))),
            "{row}"
        );
        // A table cell never holds a raw `|`.
        assert_eq!(row.matches(" | ").count(), 2, "{row}");
    }
    assert!(
        t.contains(
            "`failover=manual\\|auto` | a group, of a replicated role (mysql, postgres, redis) |"
        ),
        "{t}"
    );
}

#[test]
fn a_hand_figure_is_a_probability_or_a_percentage() {
    use super::figures::parse_figure;
    assert_eq!(parse_figure("0.999999").unwrap(), 0.999999);
    assert_eq!(parse_figure("99.5%").unwrap(), 0.995);
    assert_eq!(parse_figure("1").unwrap(), 1.0);
    for bad in [
        "", "abc", "1.5", "0", "0%", "-0.5", "NaN", "inf", "1e-3", "0.9.9", ".", "101%",
    ] {
        let e = parse_figure(bad).unwrap_err();
        assert!(e.contains("is not an availability"), "{bad}: {e}");
    }
}

#[test]
fn a_downtime_is_said_in_units_a_reader_knows() {
    use super::figures::duration_words;
    assert_eq!(duration_words(31.5576), "31.6 s");
    assert_eq!(duration_words(9.0), "9 s");
    assert_eq!(duration_words(19_847.11), "5 h 30 min 47 s");
    assert_eq!(duration_words(3_600.0), "1 h 0 min 0 s");
    assert_eq!(duration_words(90_061.0), "1 d 1 h 1 min 1 s");
    assert_eq!(super::figures::thousands(19_847), "19,847");
    assert_eq!(super::figures::thousands(999), "999");
    assert_eq!(super::figures::thousands(1_000_000), "1,000,000");
}

#[test]
fn the_availability_directive_checks_the_hand_figure() {
    let mut host = Memory::default();
    // Two servers at the default 99.9 %, either serves: 1 - 0.001^2.
    host.files.insert("web.stack", PAIR);
    host.files.insert(
        "named.stack",
        "stack pair\ngroup web: nginx { server web-01 10.0.1.11; server web-02 10.0.1.12 }\n",
    );
    let one = |line: &str| run(&host, Config::default(), &format!("{line}\n"));
    let out = one("{{#stackc availability web.stack www.example.com 0.999999}}").unwrap();
    assert!(
        out.starts_with("```text\nwww.example.com (web.stack), computed by stackc:\n"),
        "{out}"
    );
    assert!(
        out.contains("availability     0.999999000000  (99.9999000000 %)"),
        "{out}"
    );
    assert!(out.contains("unavailability   1.000000e-6"), "{out}");
    assert!(out.contains("downtime a year  31.6 s\n"), "{out}");
    assert!(
        out.contains("worked by hand   0.999999: agrees within 1e-9"),
        "{out}"
    );
    // A percentage, and a figure within 1e-9 relative.
    assert!(one("{{#stackc availability web.stack www.example.com 99.9999%}}").is_ok());
    assert!(one("{{#stackc availability web.stack www.example.com 0.9999990009}}").is_ok());
    // Without `domain`, an entry point by its name; the stack by its name.
    let out = one("{{#stackc availability named.stack pair 0.999999}}").unwrap();
    assert!(out.contains("the stack pair (named.stack)"), "{out}");
    assert!(one("{{#stackc availability named.stack web 0.999999}}").is_ok());
    // A wrong hand figure fails, saying what stackc computes.
    for wrong in ["0.99999", "0.999999002", "99.9998%"] {
        let e = one(&format!(
            "{{{{#stackc availability web.stack www.example.com {wrong}}}}}"
        ))
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("line 1: `{{#stackc availability web.stack www.example.com ")
                && e[0].contains(&format!(
                    "the figure worked by hand for www.example.com, {wrong}, is not stackc's"
                ))
                && e[0].contains("stackc computes 0.999999000000000")
                && e[0].contains("more than 1e-9"),
            "{e:?}"
        );
    }
    // An unknown record names the file's records; a missing file; bad forms.
    let e = one("{{#stackc availability web.stack ww.example.com 0.999999}}").unwrap_err();
    assert!(
        e[0].contains("`ww.example.com` is not a record of web.stack: name one of its records (www.example.com)"),
        "{e:?}"
    );
    let e = one("{{#stackc availability gone.stack www.example.com 0.999999}}").unwrap_err();
    assert!(e[0].contains("cannot read gone.stack"), "{e:?}");
    let e = one("{{#stackc availability web.stack www.example.com}}").unwrap_err();
    assert!(
        e[0].contains("the form is `availability FILE TARGET EXPECTED`"),
        "{e:?}"
    );
    let e = one("{{#stackc availability web.stack www.example.com high}}").unwrap_err();
    assert!(e[0].contains("`high` is not an availability"), "{e:?}");
    // A file whose model is not sound has no figure.
    host.files
        .insert("bad.stack", "server box: ngnix 10.0.0.1\n");
    let one = |line: &str| run(&host, Config::default(), &format!("{line}\n"));
    let e = one("{{#stackc availability bad.stack box 0.999}}").unwrap_err();
    assert!(
        e[0].contains("bad.stack has errors that leave no sound model"),
        "{e:?}"
    );
}

#[test]
fn a_diagram_can_mark_the_cuts_of_one_size() {
    let mut host = Memory::default();
    host.files.insert("web.stack", PAIR);
    let one = |line: &str| run(&host, Config::default(), &format!("{line}\n"));
    let plain = one("{{#stackc diagram web.stack}}").unwrap();
    assert!(!plain.contains("of size 2"), "{plain}");
    // web-01+web-02 is the pair's one cut of size 2.
    let marked = one("{{#stackc diagram web.stack cuts=2}}").unwrap();
    assert!(
        marked.contains("stackc-diagram") && marked.contains("cut of size 2"),
        "{marked}"
    );
    assert!(!marked.contains("{{"), "{marked}");
    for bad in ["cuts=0", "cuts=5", "cuts=two", "track"] {
        let e = one(&format!("{{{{#stackc diagram web.stack {bad}}}}}")).unwrap_err();
        assert!(
            e[0].contains(&format!("`{bad}`: the option of diagram is cuts=K")),
            "{e:?}"
        );
    }
    let e = one("{{#stackc diagram web.stack cuts=2 cuts=3}}").unwrap_err();
    assert!(
        e[0].contains("the form is `diagram FILE [cuts=K]`"),
        "{e:?}"
    );
}

#[test]
fn the_resilience_directive_is_the_commands_report() {
    let mut host = Memory::default();
    host.files.insert("web.stack", PAIR);
    let one = |line: &str| run(&host, Config::default(), &format!("{line}\n"));
    let human = one("{{#stackc resilience web.stack}}").unwrap();
    assert!(
        human.starts_with("```text\nresilience of web (web.stack)"),
        "{human}"
    );
    assert!(human.contains("web-01+web-02"), "{human}");
    let json = one("{{#stackc resilience web.stack format=json}}").unwrap();
    assert!(
        json.starts_with("```json\n{") && json.contains("\"version\": 1"),
        "{json}"
    );
    let e = one("{{#stackc resilience web.stack format=xml}}").unwrap_err();
    assert!(e[0].contains("format=human|json and max-size=K"), "{e:?}");
    let e = one("{{#stackc resilience web.stack max-size=9}}").unwrap_err();
    assert!(e[0].contains("max-size is 1 to 4"), "{e:?}");
}

#[test]
fn the_diff_directive_is_the_commands_comment() {
    let mut host = Memory::default();
    host.files.insert("web.stack", PAIR);
    host.files.insert(
        "one.stack",
        "group web: nginx { server web-01 10.0.1.11 }\ndomain example.com { www A -> web : https }\n",
    );
    let one = |line: &str| run(&host, Config::default(), &format!("{line}\n"));
    let md = one("{{#stackc diff web.stack one.stack}}").unwrap();
    assert!(
        md.starts_with("### stackc diff: adds 1 single point of failure\\: web-01"),
        "{md}"
    );
    assert!(md.contains("| server | web-02 | removed |  |"), "{md}");
    assert!(md.contains("```mermaid\n"), "{md}");
    let human = one("{{#stackc diff web.stack one.stack format=human}}").unwrap();
    assert!(
        human.starts_with(
            "```text\nstackc diff web.stack → one.stack: adds 1 single point of failure: web-01"
        ),
        "{human}"
    );
    let json = one("{{#stackc diff web.stack web.stack format=json}}").unwrap();
    assert!(
        json.starts_with("```json\n{") && json.contains("\"added\": []"),
        "{json}"
    );
    let e = one("{{#stackc diff web.stack one.stack format=xml}}").unwrap_err();
    assert!(e[0].contains("format=markdown|human|json"), "{e:?}");
    let e = one("{{#stackc diff web.stack nope.stack}}").unwrap_err();
    assert!(e[0].contains("cannot read nope.stack"), "{e:?}");
}
