//! `textDocument/codeAction`: the quick fixes the findings' help suggests
//! (add `read`, point the link at the group, add `track`, a did-you-mean
//! rename, an `allow` with a reason to fill in), as edits.
//!
//! Each fix is derived from typed data, as the help was: the finding's
//! rule and subject, the model's links and groups, the chain of the single
//! failure `check` computed, the candidates the resolver's did-you-mean
//! reads ([`crate::diag::closest`]); never from the help's words.

use super::Snapshot;
use crate::analysis::availability::members_need_the_same;
use crate::analysis::lanes::Step;
use crate::diag::{closest, Finding, Phase, RuleId, Subject};
use crate::model::{AttrPlace, Protocol, Role, Target, ATTRS};
use crate::syntax::{self as ast, Span, Statement};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// One quick fix: its title and its edits (byte spans of the text and
/// what replaces them).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<(Span, String)>,
    /// The rule of the finding it fixes.
    pub rule: RuleId,
    /// The fix to apply when in doubt (a did-you-mean).
    pub preferred: bool,
}

/// The fixes of the findings whose span meets `range`.
pub fn at(snap: &Snapshot, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let (a, b) = (snap.offset(range.start), snap.offset(range.end));
    let mut fixes: Vec<(Fix, &Finding)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut at_allows = None;
    for f in &snap.checked.findings {
        if f.span.start <= b && a <= f.span.end {
            let at_allows = *at_allows.get_or_insert_with(|| allows_at(snap));
            for fix in fixes_of(snap, f, at_allows) {
                if seen.insert(fix.clone()) {
                    fixes.push((fix, f));
                }
            }
        }
    }
    fixes
        .into_iter()
        .map(|(fix, f)| {
            let edits = fix
                .edits
                .iter()
                .map(|(span, text)| TextEdit::new(snap.range(*span), text.clone()))
                .collect();
            CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![super::diagnostics::diagnostic(snap, uri, f)]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))),
                is_preferred: fix.preferred.then_some(true),
                ..CodeAction::default()
            })
        })
        .collect()
}

/// The quick fixes of one finding.
pub fn of(snap: &Snapshot, f: &Finding) -> Vec<Fix> {
    fixes_of(snap, f, allows_at(snap))
}

/// [`of`], with where `allow`s go ([`allows_at`]) worked out once for all
/// the findings of a request.
fn fixes_of(snap: &Snapshot, f: &Finding, allows_at: (usize, bool)) -> Vec<Fix> {
    let m = &snap.checked.model;
    let mut out = Vec::new();
    let fix = |title: String, edits: Vec<(Span, String)>| Fix {
        title,
        edits,
        rule: f.rule,
        preferred: false,
    };
    match f.rule {
        RuleId::ReplicaWrite => {
            if let Some(l) = m.links.iter().find(|l| l.span == f.span) {
                out.push(fix(
                    "add `read` to the link".into(),
                    vec![(Span::new(l.span.end, l.span.end), " read".into())],
                ));
                for t in &l.targets {
                    let Target::Server(x) = t.target else {
                        continue;
                    };
                    let srv = m.server(x);
                    if let (true, true, Some(g)) = (l.is_write(t), srv.is_replica(), srv.group) {
                        let g = &m.group(g).name;
                        out.push(fix(
                            format!("point the link at the group `{g}` instead of {}", srv.name),
                            vec![(t.span, g.clone())],
                        ));
                    }
                }
            }
        }
        RuleId::NoFirewall => {
            let at = add_at(snap, f.subject.as_ref(), "firewall");
            if let (Some(at), Some(n)) = (at, f.subject_name()) {
                out.push(fix(
                    format!("add `firewall` to {n}"),
                    vec![(Span::new(at, at), " firewall".into())],
                ));
            }
        }
        RuleId::NoTls => {
            let record = m.records.iter().find(|r| r.span == f.span);
            let stmt = record.and_then(|r| record_stmt(&snap.checked.file, r.span));
            if let (Some(r), Some(stmt)) = (record, stmt) {
                if r.targets.iter().all(|t| serves_https(m, t.target)) {
                    out.push(fix(
                        "serve it over https".into(),
                        vec![https(&stmt.proto, &stmt.targets)],
                    ));
                }
            }
        }
        RuleId::PlaintextBackend => {
            if let Some(x) = f.subject_name().and_then(|n| m.find_server(n)) {
                let mut edits = Vec::new();
                for l in m.links.iter().filter(|l| l.from.contains(&x)) {
                    let plain = l.targets.iter().any(|t| t.protocol == Protocol::Http);
                    let all_https = l.targets.iter().all(|t| serves_https(m, t.target));
                    if let (true, true, Some(stmt)) =
                        (plain, all_https, link_stmt(&snap.checked.file, l.span))
                    {
                        edits.push(https(&stmt.proto, &stmt.targets));
                    }
                }
                if !edits.is_empty() {
                    out.push(fix("use `: https` on the links behind it".into(), edits));
                }
            }
        }
        RuleId::NoMonitoring => {
            // The agent the stack's other servers run, when there is one.
            let agent = m.servers.iter().find_map(|s| s.monitor.as_deref());
            let at = add_at(snap, f.subject.as_ref(), "monitor");
            if let (Some(at), Some(n), Some(agent)) = (at, f.subject_name(), agent) {
                out.push(fix(
                    format!("add `monitor={agent}` to {n}, as the other servers"),
                    vec![(Span::new(at, at), format!(" monitor={agent}"))],
                ));
            }
        }
        RuleId::IgnoredAttribute => {
            if let Some((a, _)) = find_attr(&snap.checked.file, f.span) {
                let start = snap.text[..a.span.start]
                    .trim_end_matches([' ', '\t'])
                    .len();
                out.push(fix(
                    format!("remove `{}`", a.key.text),
                    vec![(Span::new(start, a.span.end), String::new())],
                ));
            }
        }
        RuleId::UnusedAllow => {
            if let Some(line) = own_line(&snap.text, f.span) {
                out.push(fix("remove this allow".into(), vec![(line, String::new())]));
            }
        }
        RuleId::AsymmetricFailover => {
            if let Some(Subject::Group(g)) = &f.subject {
                out.extend(link_the_group(snap, g).map(|(t, e)| fix(t, e)));
            }
        }
        RuleId::Spof | RuleId::ZoneSpof => {
            out.extend(chain_fixes(snap, f).into_iter().map(|(t, e)| fix(t, e)))
        }
        RuleId::UnknownName
        | RuleId::UnknownRole
        | RuleId::UnknownAttribute
        | RuleId::UnknownZone => {
            if let Some((span, word)) = did_you_mean(snap, f) {
                out.push(Fix {
                    title: format!("change to `{word}`"),
                    edits: vec![(span, word)],
                    rule: f.rule,
                    preferred: true,
                });
            }
        }
        _ => {}
    }
    if let Some(edit) = allow(f, allows_at) {
        out.push(fix(
            format!("allow {} {}", f.rule, allowed_name(f).unwrap_or_default()),
            vec![edit],
        ));
    }
    out
}

/// The darks of a `spof` or `zone-spof` finding, from the outcome `check`
/// computed.
fn darks<'a>(snap: &'a Snapshot, f: &Finding) -> &'a [crate::analysis::availability::Dark] {
    let m = &snap.checked.model;
    let Some(a) = snap.checked.analysis.as_ref() else {
        return &[];
    };
    match &f.subject {
        Some(Subject::Server(s)) if f.rule == RuleId::Spof => a
            .outcome
            .spofs
            .iter()
            .find(|(x, _)| m.server(*x).name == *s)
            .map_or(&[], |(_, d)| d.as_slice()),
        Some(Subject::Zone(z)) if f.rule == RuleId::ZoneSpof => a
            .outcome
            .zone_spofs
            .iter()
            .find(|(x, _)| m.zones[x.index()].name == *z)
            .map_or(&[], |(_, d)| d.as_slice()),
        _ => &[],
    }
}

/// From the chains that break: `track` on an active-passive group whose
/// holder is alive but cannot serve (its members needing different
/// things), and a link to a group's member pointed at the group.
fn chain_fixes(snap: &Snapshot, f: &Finding) -> Vec<(String, Vec<(Span, String)>)> {
    let m = &snap.checked.model;
    let mut out: Vec<(String, Vec<(Span, String)>)> = Vec::new();
    for d in darks(snap, f) {
        let chain = &d.chain;
        for step in chain {
            if let Step::Holder(g, h) = step {
                let grp = m.group(*g);
                if !grp.track && !chain.contains(&Step::Down(*h)) && !members_need_the_same(m, *g) {
                    let subject = Subject::Group(grp.name.clone());
                    if let Some(at) = add_at(snap, Some(&subject), "track") {
                        out.push((
                            format!("add `track` to group `{}`", grp.name),
                            vec![(Span::new(at, at), " track".into())],
                        ));
                    }
                }
            }
        }
        // `... -> src -> x (down)`: src names x, a member of a group.
        if let [.., Step::Server(src), Step::Down(x)] = chain.as_slice() {
            let Some(g) = m.server(*x).group else {
                continue;
            };
            if m.group(g).members.len() < 2 || m.server(*src).group == Some(g) {
                continue;
            }
            let gname = &m.group(g).name;
            for l in m.links.iter().filter(|l| l.from.contains(src)) {
                for t in l.targets.iter().filter(|t| t.target == Target::Server(*x)) {
                    out.push((
                        format!(
                            "point the link at the group `{gname}` instead of {}",
                            m.server(*x).name
                        ),
                        vec![(t.span, gname.clone())],
                    ));
                }
            }
        }
    }
    out.dedup();
    out
}

/// `asymmetric-failover`: the group linked as its first member (the holder
/// with every member up) is, and the other members' own links removed, so
/// that every member needs the same. Only when each link from a member
/// has that member as its one source, on a line of its own.
fn link_the_group(snap: &Snapshot, name: &str) -> Option<(String, Vec<(Span, String)>)> {
    let m = &snap.checked.model;
    let g = m.find_group(name)?;
    let members = &m.group(g).members;
    let first = *members.first()?;
    let mut edits = Vec::new();
    let mut removed = Vec::new();
    for l in &m.links {
        let from_member = l
            .sources
            .iter()
            .any(|t| matches!(t, Target::Server(s) if members.contains(s)));
        if !from_member {
            continue;
        }
        let ([Target::Server(src)], Some(stmt)) =
            (l.sources.as_slice(), link_stmt(&snap.checked.file, l.span))
        else {
            return None;
        };
        if *src == first {
            edits.push((stmt.sources[0].span, name.to_string()));
        } else {
            edits.push((own_line(&snap.text, l.span)?, String::new()));
            let n = m.server(*src).name.as_str();
            if !removed.contains(&n) {
                removed.push(n);
            }
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut title = format!(
        "link the group `{name}` as {} is linked",
        m.server(first).name
    );
    if !removed.is_empty() {
        title += &format!(" (removes the links of {})", removed.join(", "));
    }
    Some((title, edits))
}

fn link_stmt(file: &ast::File, span: Span) -> Option<&ast::LinkStmt> {
    file.statements.iter().find_map(|s| match s {
        Statement::Link(l) if l.span == span => Some(l),
        _ => None,
    })
}

/// The whole line of a statement, its line break included, when nothing
/// else but blanks and a comment is on it.
fn own_line(text: &str, span: Span) -> Option<Span> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    let before = &text[start..span.start];
    let after = text[span.end..end].trim_start_matches([' ', '\t']);
    let blank_after = after.is_empty() || after.starts_with(['#', '\n', '\r']);
    (before.trim().is_empty() && blank_after).then_some(Span::new(start, end))
}

/// Whether every member of a target serves https.
fn serves_https(m: &crate::model::Model, t: Target) -> bool {
    m.target_members(&t)
        .iter()
        .all(|s| m.server(*s).roles.any(|r| r.serves(Protocol::Https)))
}

/// `: https` on a link or record: its protocol replaced, or written after
/// its last target.
fn https(proto: &Option<ast::ProtoSpec>, targets: &[ast::Spanned]) -> (Span, String) {
    match (proto, targets.last()) {
        (Some(p), _) => (p.protocol.span, "https".into()),
        (None, Some(t)) => (Span::new(t.span.end, t.span.end), " : https".into()),
        (None, None) => (Span::default(), String::new()),
    }
}

fn record_stmt(file: &ast::File, label: Span) -> Option<&ast::Record> {
    file.statements.iter().find_map(|s| match s {
        Statement::Domain(d) => d.records.iter().find(|r| r.label.span == label),
        _ => None,
    })
}

/// Where the words of a server's, member's or group's head end (after
/// its last attribute, address or role; a group's before its `{`), found
/// by its name's span, with the attributes it writes.
fn head(file: &ast::File, name: Span) -> Option<(usize, &[ast::Attr])> {
    let end = |attrs: &[ast::Attr], address: &Option<ast::Spanned>, last: Span| {
        attrs
            .last()
            .map(|a| a.span.end)
            .or(address.as_ref().map(|a| a.span.end))
            .unwrap_or(last.end)
    };
    file.statements.iter().find_map(|s| match s {
        Statement::Server(x) if x.name.span == name => {
            let last = x.roles.last().map_or(x.name.span, |r| r.span);
            Some((end(&x.attrs, &x.address, last), &x.attrs[..]))
        }
        Statement::Group(g) if g.name.span == name => {
            let last = g.roles.last().map_or(g.name.span, |r| r.span);
            Some((end(&g.attrs, &None, last), &g.attrs[..]))
        }
        Statement::Group(g) => g
            .members
            .iter()
            .find(|mb| mb.name.span == name)
            .map(|mb| (end(&mb.attrs, &mb.address, mb.name.span), &mb.attrs[..])),
        _ => None,
    })
}

/// Where to add a flag or `key=value` to the subject's head: its end,
/// unless it writes `key` already (a bad value is fixed by hand).
fn add_at(snap: &Snapshot, subject: Option<&Subject>, key: &str) -> Option<usize> {
    let m = &snap.checked.model;
    let name = match subject? {
        Subject::Server(n) => m.server(m.find_server(n)?).span,
        Subject::Group(n) => m.group(m.find_group(n)?).span,
        _ => return None,
    };
    let (at, attrs) = head(&snap.checked.file, name)?;
    (!attrs.iter().any(|a| a.key.text == key)).then_some(at)
}

/// The close name an unknown name, role, attribute or zone was meant to
/// be, with the span to replace.
fn did_you_mean(snap: &Snapshot, f: &Finding) -> Option<(Span, String)> {
    let m = &snap.checked.model;
    let text = snap.text.get(f.span.start..f.span.end)?;
    // A quoted value: the name is inside the quotes.
    let (span, word) = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => (Span::new(f.span.start + 1, f.span.end - 1), inner),
        None => (f.span, text),
    };
    let servers = || m.servers.iter().map(|s| s.name.as_str());
    let groups = || m.groups.iter().map(|g| g.name.as_str());
    let zones = || m.zones.iter().map(|z| z.name.as_str());
    let pick = |w: &str, cands: Vec<&str>| closest(w, cands).map(str::to_string);
    match f.rule {
        RuleId::UnknownRole => pick(word, Role::all().map(Role::name).collect()).map(|w| (span, w)),
        RuleId::UnknownZone => pick(word, zones().collect()).map(|w| (span, w)),
        RuleId::UnknownAttribute => {
            if ATTRS.iter().any(|a| a.key == word) {
                return None; // a known key in the wrong place: no spelling to fix
            }
            let (_, place) = find_attr(&snap.checked.file, f.span)?;
            let keys = ATTRS
                .iter()
                .filter(|a| a.places.contains(place))
                .map(|a| a.key);
            pick(word, keys.collect()).map(|w| (span, w))
        }
        RuleId::UnknownName => {
            let Some(Subject::Undeclared(part)) = &f.subject else {
                return None;
            };
            let in_allow = snap
                .checked
                .file
                .statements
                .iter()
                .any(|s| matches!(s, Statement::Allow(a) if a.subject.span == f.span));
            if !in_allow {
                return pick(part, servers().chain(groups()).collect()).map(|w| (span, w));
            }
            if word.contains('+') {
                // One part of a cut: a server or a zone.
                let mut at = span.start;
                for p in word.split('+') {
                    if p == part {
                        let w = pick(p, servers().chain(zones()).collect())?;
                        return Some((Span::new(at, at + p.len()), w));
                    }
                    at += p.len() + 1;
                }
                return None;
            }
            let records = m.records.iter().map(|r| r.subject.as_str());
            pick(
                part,
                servers()
                    .chain(groups())
                    .chain(zones())
                    .chain(records)
                    .collect(),
            )
            .map(|w| (span, w))
        }
        _ => None,
    }
}

/// The attribute whose key sits at `key`, and its place.
fn find_attr(file: &ast::File, key: Span) -> Option<(&ast::Attr, AttrPlace)> {
    fn find(attrs: &[ast::Attr], key: Span) -> Option<&ast::Attr> {
        attrs.iter().find(|a| a.key.span == key)
    }
    for s in &file.statements {
        let (attrs, place): (&[ast::Attr], AttrPlace) = match s {
            Statement::Stack(x) => (&x.attrs, AttrPlace::STACK),
            Statement::Zone(x) => (&x.attrs, AttrPlace::ZONE),
            Statement::Server(x) => (&x.attrs, AttrPlace::SERVER),
            Statement::Link(x) => (&x.attrs, AttrPlace::LINK),
            Statement::Group(g) => {
                if let Some(a) = find(&g.attrs, key) {
                    return Some((a, AttrPlace::GROUP));
                }
                if let Some(a) = g.members.iter().find_map(|mb| find(&mb.attrs, key)) {
                    return Some((a, AttrPlace::MEMBER));
                }
                continue;
            }
            Statement::Domain(d) => {
                if let Some(a) = find(&d.attrs, key) {
                    return Some((a, AttrPlace::DOMAIN));
                }
                if let Some(a) = d.records.iter().find_map(|r| find(&r.attrs, key)) {
                    return Some((a, AttrPlace::RECORD));
                }
                continue;
            }
            Statement::Allow(_) => continue,
        };
        if let Some(a) = find(attrs, key) {
            return Some((a, place));
        }
    }
    None
}

/// The name an `allow` of this finding names: its subject when that is
/// one an allow can name (a server, group, zone, record, a cut; a set by
/// its first element).
fn allowed_name(f: &Finding) -> Option<String> {
    if f.rule.phase() != Phase::Analysis {
        return None;
    }
    match f.subject.as_ref()? {
        Subject::Server(n) | Subject::Group(n) | Subject::Zone(n) | Subject::Record(n) => {
            Some(n.clone())
        }
        Subject::Cut { name, .. } => Some(name.clone()),
        Subject::Set(items) => match items.first()? {
            Subject::Server(n) | Subject::Group(n) => Some(n.clone()),
            _ => None,
        },
        Subject::Stack(_) | Subject::Domain(_) | Subject::Undeclared(_) => None,
    }
}

/// Where a new `allow` goes: after the line of the file's last `allow`,
/// or at the end of the file; and whether a line break must come first
/// (the file's last line has none).
fn allows_at(snap: &Snapshot) -> (usize, bool) {
    let text = &snap.text;
    let last = snap
        .checked
        .file
        .statements
        .iter()
        .rev()
        .find_map(|s| match s {
            Statement::Allow(a) => Some(a.span.end),
            _ => None,
        });
    match last.and_then(|end| text[end..].find('\n').map(|i| end + i + 1)) {
        Some(at) => (at, false),
        None => (text.len(), !text.is_empty() && !text.ends_with('\n')),
    }
}

/// `allow RULE SUBJECT "TODO: why"` where allows go.
fn allow(f: &Finding, (at, newline): (usize, bool)) -> Option<(Span, String)> {
    let name = allowed_name(f)?;
    let line = format!("allow {} {name} \"TODO: why\"\n", f.rule);
    let text = if newline { format!("\n{line}") } else { line };
    Some((Span::new(at, at), text))
}
