//! `{{#stackc VERB ARGS}}`: `explain RULE`, `help [COMMAND]`, `check FILE`,
//! `diagram FILE [cuts=K]`, `simulate FILE NAMES`, `source FILE [expect=RULE...]`,
//! `diff OLD NEW [format=markdown|human|json]` ([`super::diff`]),
//! `availability FILE TARGET EXPECTED` (a figure worked by hand, checked:
//! [`super::figures`]), `rules`, and `roles` and `protocols` (read from the
//! roles table). A
//! directive stands alone on its line (it becomes a block; its indentation
//! is kept on every line of the block); `\{{#stackc ...}}` is the directive
//! written out, not run.

use super::blocks::{report_text, verify};
use super::markdown::{fence, guard_links, indent_code};
use super::Preprocessor;
use crate::analysis::rules;
use crate::diag::RuleId;
use std::collections::BTreeSet;

const OPEN: &str = "{{#stackc";

/// Checks a file's text as `stackc check FILE` does: a stack without a
/// `stack` statement is named after the file's stem.
fn check_file(file: &str, src: &str) -> crate::Checked {
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str());
    crate::check_as(src, stem)
}

impl Preprocessor<'_> {
    /// Replaces `{{#stackc VERB ARGS}}` in one line.
    pub(super) fn directives(&self, line: &str) -> Result<String, String> {
        self.directives_from(line, true)
    }

    /// `line` is the rest of a line; `start` whether it is the whole line.
    fn directives_from(&self, line: &str, start: bool) -> Result<String, String> {
        let Some(at) = line.find(OPEN) else {
            return Ok(line.to_string());
        };
        let rest = &line[at + OPEN.len()..];
        let Some(close) = rest.find("}}") else {
            return Err("`{{#stackc` without `}}`".into());
        };
        if line[..at].ends_with('\\') {
            let after = self.directives_from(&rest[close + 2..], false)?;
            return Ok(format!(
                "{}{}{}{}",
                &line[..at - 1],
                OPEN,
                &rest[..close + 2],
                after
            ));
        }
        let words: Vec<&str> = rest[..close].split_whitespace().collect();
        let written = format!("{{{{#stackc {}}}}}", words.join(" "));
        let indent = &line[..at];
        let tail = &rest[close + 2..];
        // Its output is a block: text around it on the line would end up
        // outside the block (or inside a paragraph, where a fence is no fence).
        if !start || !indent.trim().is_empty() || !tail.trim().is_empty() {
            return Err(format!(
                "`{written}` must stand alone on its line: it becomes a block"
            ));
        }
        let replacement = self
            .directive(&words)
            .map_err(|e| format!("`{written}`: {e}"))?;
        let mut out = String::with_capacity(replacement.len() + tail.len());
        for l in replacement.split_inclusive('\n') {
            out.push_str(indent);
            out.push_str(l);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(tail);
        Ok(out)
    }

    /// What one directive becomes.
    fn directive(&self, words: &[&str]) -> Result<String, String> {
        let links_after = self.config.links_after;
        let replacement = match words {
            ["explain", rule] => {
                let id: RuleId = rule
                    .parse()
                    .map_err(|()| format!("`{rule}` is not a rule"))?;
                let doc = rules::doc(id);
                format!(
                    "**{}** ({}): {}\n\n{}\n",
                    id.as_str(),
                    id.severity().as_str(),
                    doc.summary,
                    indent_code(&doc.explain_text())
                )
            }
            ["help"] | ["help", _] => {
                let text = self
                    .host
                    .help(words.get(1).copied())
                    .ok_or_else(|| format!("no command `{}`", words[1]))?;
                fence("text", text.trim_end())
            }
            ["check", file] => {
                let (shown, src) = self.host.read(file)?;
                let c = check_file(file, &src);
                fence(
                    "text",
                    &guard_links(&report_text(&shown, &src, &c), links_after)?,
                )
            }
            ["diagram", file, options @ ..] => {
                let cuts = match options {
                    [] => None,
                    [o] => Some(
                        o.strip_prefix("cuts=")
                            .and_then(|k| k.parse::<usize>().ok())
                            .filter(|k| (1..=4).contains(k))
                            .ok_or_else(|| {
                                format!("`{o}`: the option of diagram is cuts=K, K from 1 to 4")
                            })?,
                    ),
                    _ => return Err("the form is `diagram FILE [cuts=K]`".into()),
                };
                let (_, src) = self.host.read(file)?;
                let c = check_file(file, &src);
                if c.analysis.is_none() {
                    return Err(format!("{file} has errors: no diagram"));
                }
                match cuts {
                    None => self.diagram(&c)?,
                    Some(k) => self.diagram_with_cuts(&c, k)?,
                }
            }
            ["simulate", file, names] => {
                let (shown, src) = self.host.read(file)?;
                let c = check_file(file, &src);
                let names: Vec<String> = names.split(',').map(str::to_string).collect();
                let text = self.host.simulate(&shown, &c, &names)?;
                fence("text", &guard_links(&text, links_after)?)
            }
            ["availability", file, target, expected] => {
                let (shown, src) = self.host.read(file)?;
                let c = check_file(file, &src);
                let text = super::figures::availability(&shown, &src, &c, target, expected)?;
                guard_links(&text, links_after)?
            }
            ["availability", ..] => {
                return Err(
                    "the form is `availability FILE TARGET EXPECTED`: a record (or the stack's name) and the figure worked by hand"
                        .into(),
                )
            }
            ["resilience", file, options @ ..] => {
                let (shown, src) = self.host.read(file)?;
                let c = check_file(file, &src);
                let (info, text) = super::figures::resilience_report(&shown, &src, &c, options)?;
                fence(info, &guard_links(&text, links_after)?)
            }
            ["diff", old, new, options @ ..] => {
                let format = match options {
                    [] => "markdown",
                    [o] => o
                        .strip_prefix("format=")
                        .filter(|f| matches!(*f, "markdown" | "human" | "json"))
                        .ok_or_else(|| {
                            format!("`{o}`: the option of diff is format=markdown|human|json")
                        })?,
                    _ => return Err("the form is `diff OLD NEW [format=markdown|human|json]`".into()),
                };
                let (old_shown, old_src) = self.host.read(old)?;
                let (new_shown, new_src) = self.host.read(new)?;
                super::diff::block(&old_shown, &old_src, &new_shown, &new_src, format, links_after)?
            }
            ["source", file, options @ ..] => {
                let (shown, src) = self.host.read(file)?;
                let mut expect = BTreeSet::new();
                for o in options {
                    let rule = o
                        .strip_prefix("expect=")
                        .filter(|r| r.parse::<RuleId>().is_ok())
                        .ok_or_else(|| format!("`{o}`: the options of source are expect=RULE"))?;
                    expect.insert(rule.to_string());
                }
                verify(&src, &expect, &shown)?;
                fence("stack", &guard_links(&src, links_after)?)
            }
            ["rules"] => {
                let mut t = String::from("| rule | severity | finds |\n|---|---|---|\n");
                for id in RuleId::ALL {
                    t.push_str(&format!(
                        "| [`{0}`](rules/{0}.md) | {1} | {2} |\n",
                        id.as_str(),
                        id.severity().as_str(),
                        rules::doc(*id).summary
                    ));
                }
                t
            }
            ["roles"] => roles_table(),
            ["protocols"] => protocols_line(),
            ["attributes"] => attributes_table(),
            _ => return Err("unknown directive".to_string()),
        };
        Ok(replacement)
    }
}

/// `{{#stackc roles}}`: the roles table as the book shows it, one row per
/// role of [`crate::model::ROLES`].
pub fn roles_table() -> String {
    let mut t = String::from(
        "| role | what it is | tier | serves (default first) | replicated | checked by |\n|---|---|---|---|---|---|\n",
    );
    for r in crate::model::ROLES {
        let replicated = if r.replicated {
            "yes: `primary`/`replica`, `failover=`, `vip`"
        } else {
            "no"
        };
        let serves: Vec<String> = r
            .serves
            .iter()
            .map(|(p, port)| format!("{p} {port}"))
            .collect();
        let serves = if r.any_protocol {
            format!("{} (any protocol on the link)", serves.join(", "))
        } else {
            serves.join(", ")
        };
        let tier = if r.deployed {
            r.tier.as_str().to_string()
        } else {
            "any (`tier=`)".to_string()
        };
        let check = if r.check.is_empty() {
            "nothing to deploy"
        } else {
            r.check
        };
        t.push_str(&format!(
            "| `{}` | {}: {} | {tier} | {serves} | {replicated} | {check} |\n",
            r.name, r.title, r.doc
        ));
    }
    t
}

/// `{{#stackc attributes}}`: the attributes table of the language, one row
/// per [`crate::model::ATTRS`] entry: how it is written, where it may stand
/// (and the roles it needs), what it means.
pub fn attributes_table() -> String {
    use crate::model::ValueKind;
    let mut t = String::from("| attribute | where | meaning |\n|---|---|---|\n");
    for a in crate::model::ATTRS {
        let form = match a.value {
            ValueKind::Flag => a.key.to_string(),
            ValueKind::Choice(words) => format!("{}={}", a.key, words.join("\\|")),
            ValueKind::Zone => format!("{}=ZONE", a.key),
            ValueKind::Port => format!("{}=PORT", a.key),
            ValueKind::Tier => format!("{}=TIER", a.key),
            ValueKind::Address => format!("{}=ADDRESS", a.key),
            ValueKind::Text => format!("{}=\"...\"", a.key),
            ValueKind::Word => format!("{}=WORD", a.key),
            ValueKind::Path => format!("{}=\"/path\"", a.key),
            ValueKind::Seconds => format!("{}=SECONDS", a.key),
            ValueKind::DnsName => format!("{}=NAME", a.key),
            ValueKind::Percent => format!("{}=PERCENT", a.key),
            ValueKind::Count { .. } => format!("{}=N", a.key),
            ValueKind::Rate => format!("{}=REQ/S", a.key),
        };
        let mut place = a.places_words();
        if let Some(need) = a.needs {
            place = format!("{place}, of {}", need.words());
        }
        t.push_str(&format!(
            "| `{form}` | {place} | {} |\n",
            a.doc.replace('|', "\\|")
        ));
    }
    t
}

/// `{{#stackc protocols}}`: "The protocols are `http`, … and `tcp`." from
/// [`crate::model::Protocol::ALL`].
pub fn protocols_line() -> String {
    let names: Vec<String> = crate::model::Protocol::ALL
        .iter()
        .map(|p| format!("`{p}`"))
        .collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    };
    format!("The protocols are {list}.\n")
}
