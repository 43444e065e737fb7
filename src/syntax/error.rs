//! Turns pest's errors into `syntax` findings in plain words: "expected a
//! role after `:`, found the end of the line", never grammar rule names.

use super::ast::Span;
use super::parser::{token_end, Rule};
use crate::diag::{Finding, RuleId};
use pest::error::{Error, ErrorVariant, InputLocation};

/// A `syntax` finding for an error pest reported while parsing
/// `src[offset..]`.
pub(crate) fn syntax_finding(src: &str, offset: usize, err: &Error<Rule>) -> Finding {
    let rel = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = (offset + rel).min(src.len());
    let prev = previous_token(src, pos);
    let line = current_line(src, pos);
    let expected = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut rules = positives.clone();
            // After a keyword the statement is that keyword's, not a link.
            if prev.is_some_and(|p| KEYWORDS.contains(&p)) {
                rules.retain(|r| !matches!(r, Rule::arrow | Rule::comma));
            }
            if line.starts_with("allow") {
                for r in rules.iter_mut() {
                    if *r == Rule::string {
                        *r = Rule::reason;
                    }
                }
            }
            describe_all(&rules)
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let (found, found_span) = found_at(src, pos);
    let after = prev.map(|t| format!(" after `{t}`")).unwrap_or_default();
    let message = format!("expected {expected}{after}, found {found}");
    let mut f =
        Finding::new(RuleId::Syntax, found_span, message).label(format!("expected {expected}"));
    if let Some(h) = hint(src, pos, &err.variant) {
        f = f.help(h);
    }
    f
}

/// What stands at `pos`, in words, and the span to underline.
fn found_at(src: &str, pos: usize) -> (String, Span) {
    if pos >= src.len() {
        return (
            "the end of the file".into(),
            Span::new(src.len(), src.len()),
        );
    }
    let rest = &src[pos..];
    if rest.starts_with('\n') || rest.starts_with('\r') {
        return ("the end of the line".into(), Span::new(pos, pos));
    }
    if rest.starts_with('#') {
        return ("a comment".into(), Span::new(pos, pos + 1));
    }
    let end = token_end(src, pos);
    let tok = &src[pos..end];
    let shown: String = tok.chars().take(40).collect();
    (format!("`{}`", shown.escape_debug()), Span::new(pos, end))
}

/// The token just before `pos` on the same line, if any.
fn previous_token(src: &str, pos: usize) -> Option<&str> {
    let line_start = src[..pos].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let before = src[line_start..pos].trim_end_matches([' ', '\t']);
    if before.is_empty() {
        return None;
    }
    if before.ends_with("->") {
        return Some("->");
    }
    let last = before.chars().next_back()?;
    if !(last.is_alphanumeric() || matches!(last, '_' | '-' | '.' | ':' | '"')) || last == ':' {
        return Some(&before[before.len() - last.len_utf8()..]);
    }
    if last == '"' {
        return None;
    }
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    (!word.is_empty()).then_some(word)
}

pub const KEYWORDS: &[&str] = &["stack", "zone", "server", "group", "domain", "allow"];

/// The line `pos` is on, without its indentation.
fn current_line(src: &str, pos: usize) -> &str {
    let pos = pos.min(src.len());
    let line_start = src[..pos].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    src[line_start..].lines().next().unwrap_or("").trim_start()
}

fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::name | Rule::targets => "a name",
        Rule::role | Rule::roles => crate::model::Role::expected(),
        Rule::address => "an address",
        Rule::attr | Rule::attr_key => "an attribute",
        Rule::value | Rule::bare => "a value",
        Rule::string | Rule::string_inner => "a double-quoted string",
        Rule::reason => "a double-quoted reason",
        Rule::record_label => "a record label (a name or `@`)",
        Rule::record_type => "a record type (A, AAAA or CNAME)",
        Rule::fqdn => "a domain name",
        Rule::protocol => crate::model::Protocol::expected(),
        Rule::port => "a port number",
        Rule::proto_spec => "`:` and a protocol",
        Rule::rule_name => "a rule name",
        Rule::subject => "a subject (a server, group, zone or record)",
        Rule::end_of_stmt => "the end of the statement (a new line or `;`)",
        Rule::statement
        | Rule::stack_stmt
        | Rule::zone_stmt
        | Rule::server_stmt
        | Rule::group_stmt
        | Rule::group_head
        | Rule::domain_stmt
        | Rule::domain_head
        | Rule::link_stmt
        | Rule::allow_stmt
        | Rule::kw_stack
        | Rule::kw_zone
        | Rule::kw_group
        | Rule::kw_domain
        | Rule::kw_allow => "a statement (stack, zone, server, group, domain, allow or a link)",
        Rule::kw_server | Rule::member | Rule::member_item => {
            "a member (`server NAME [ADDRESS] [ATTR...]`)"
        }
        Rule::record | Rule::record_item => "a record (`LABEL TYPE -> TARGET`)",
        Rule::arrow => "`->`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::plus => "`+`",
        Rule::equals => "`=`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::EOI => "the end of the statement (a new line or `;`)",
        _ => return None,
    })
}

fn describe_all(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for &r in rules {
        if let Some(d) = describe(r) {
            if !words.contains(&d) {
                words.push(d);
            }
        }
    }
    // A name where a statement may start is a link: say "a statement".
    let stmt = describe(Rule::statement).expect("described");
    if words.contains(&stmt) {
        words.retain(|w| *w != "a name");
    }
    match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

/// A help line for the common mistakes.
fn hint(src: &str, pos: usize, variant: &ErrorVariant<Rule>) -> Option<String> {
    let ErrorVariant::ParsingError { positives, .. } = variant else {
        return None;
    };
    let line = current_line(src, pos);
    if positives.contains(&Rule::colon) && line.starts_with("server") {
        return Some(
            "a server outside a group names its roles: `server web-01: nginx 10.0.1.11`".into(),
        );
    }
    if line.starts_with("allow")
        && positives
            .iter()
            .any(|r| matches!(r, Rule::reason | Rule::string))
    {
        return Some(
            "an allow needs a reason: `allow no-tls www.example.com \"internal only\"`".into(),
        );
    }
    if positives.contains(&Rule::role) {
        return Some(crate::model::Role::hint().into());
    }
    if positives.contains(&Rule::record_type) {
        return Some("a record reads `www A -> lb` or `www A -> lb : https`".into());
    }
    None
}
