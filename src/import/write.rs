//! A [`Topology`] as canonical `.stack` text: each statement after a
//! `# from: host:path:lines; ...` comment naming the files it came from,
//! and its warnings as `# warning: ...` comments, all passed through
//! [`crate::fmt::format_source`] (which keeps comments), so `stackc fmt
//! --check` accepts the result.

use super::facts::Origin;
use super::infer::{Attr, GroupKind, Notes, Server, Topology};
use std::fmt::Write;

pub fn write(t: &Topology, name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by stackc import from the configs of each host: check it, then"
    );
    let _ = writeln!(out, "# keep it as the stack's source of truth.");
    let _ = writeln!(out, "stack {name}\n");
    for z in &t.zones {
        let _ = writeln!(out, "zone {}", bare_or_quoted(z));
    }
    out.push('\n');
    for d in &t.domains {
        notes(&mut out, "", &d.notes);
        let ttl = d.ttl.map(|n| format!(" ttl={n}")).unwrap_or_default();
        let _ = writeln!(out, "domain {}{ttl} {{", d.name);
        for r in &d.records {
            notes(&mut out, "  ", &r.notes);
            let proto = r.protocol.map(|p| format!(" : {p}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} -> {}{proto}",
                r.label,
                r.rtype,
                r.targets.join(", ")
            );
        }
        out.push_str("}\n\n");
    }
    let mut written = vec![false; t.groups.len()];
    for s in &t.servers {
        match s.group {
            Some(g) if !written[g] => {
                written[g] = true;
                group(&mut out, t, g);
            }
            Some(_) => {}
            None => {
                notes(&mut out, "", &s.notes);
                let _ = writeln!(
                    out,
                    "server {}: {}{}",
                    s.name,
                    roles(&s.roles),
                    server_tail(s, false)
                );
                out.push('\n');
            }
        }
    }
    for l in &t.links {
        notes(&mut out, "", &l.notes);
        let port = l.port.map(|p| format!(" {p}")).unwrap_or_default();
        let read = if l.read { " read" } else { "" };
        let optional = if l.optional { " optional" } else { "" };
        let _ = writeln!(
            out,
            "{} -> {} : {}{port}{read}{optional}",
            l.sources.join(", "),
            l.targets.join(", "),
            l.protocol
        );
    }
    crate::fmt::format_source(&out).unwrap_or(out)
}

fn group(out: &mut String, t: &Topology, g: usize) {
    let grp = &t.groups[g];
    notes(out, "", &grp.notes);
    let mut attrs: Vec<Attr> = Vec::new();
    // A replicated group's vip without `failover=auto` is a pair's.
    let pair = grp.kind == GroupKind::Replicated && grp.vip.is_some() && !grp.failover_auto;
    if grp.kind == GroupKind::ActivePassive || pair {
        attrs.push(Attr::new("mode", Some("active-passive")));
    }
    if grp.failover_auto {
        attrs.push(Attr::new("failover", Some("auto")));
    }
    if let Some(v) = grp.vip {
        attrs.push(Attr::new("vip", Some(&v.to_string())));
    }
    if grp.track && grp.kind == GroupKind::ActivePassive {
        attrs.push(Attr::new("track", None));
    }
    if grp.unicast && grp.vip.is_some() {
        attrs.push(Attr::new("unicast", None));
    }
    attrs.extend(grp.attrs.iter().cloned());
    let _ = writeln!(
        out,
        "group {}: {}{} {{",
        grp.name,
        roles(&grp.roles),
        attr_text(&attrs)
    );
    for m in &grp.members {
        let s = &t.servers[*m];
        notes(out, "  ", &s.notes);
        let primary = grp.kind == GroupKind::Replicated && grp.primary == Some(*m);
        let _ = writeln!(out, "  server {}{}", s.name, server_tail(s, primary));
    }
    out.push_str("}\n\n");
}

fn roles(r: &[crate::model::Role]) -> String {
    r.iter().map(|r| r.name()).collect::<Vec<_>>().join("+")
}

/// ` ADDRESS attrs [primary]`.
fn server_tail(s: &Server, primary: bool) -> String {
    let mut tail = String::new();
    if let Some(a) = s.address {
        let _ = write!(tail, " {a}");
    }
    tail.push_str(&attr_text(&s.attrs));
    if primary {
        tail.push_str(" primary");
    }
    tail
}

fn attr_text(attrs: &[Attr]) -> String {
    let mut s = String::new();
    for a in attrs {
        match &a.value {
            Some(v) => {
                let _ = write!(s, " {}={}", a.key, bare_or_quoted(v));
            }
            None => {
                let _ = write!(s, " {}", a.key);
            }
        }
    }
    s
}

/// A value bare when the grammar's `bare` takes it, else a string.
fn bare_or_quoted(v: &str) -> String {
    let bare = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '/' | '+' | '-'));
    if bare {
        return v.to_string();
    }
    let mut q = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// `# from: ...` and `# warning: ...` lines before a statement.
fn notes(out: &mut String, indent: &str, n: &Notes) {
    if !n.from.is_empty() {
        let _ = writeln!(out, "{indent}# from: {}", from_text(&n.from));
    }
    for w in &n.warnings {
        let _ = writeln!(out, "{indent}# warning: {}", one_line(w));
    }
    for r in &n.remarks {
        let _ = writeln!(out, "{indent}# note: {}", one_line(r));
    }
}

/// Origins grouped by file: `lb-01:/etc/haproxy/haproxy.cfg:12,40; ...`.
fn from_text(from: &[Origin]) -> String {
    let mut files: Vec<(String, Vec<u32>)> = Vec::new();
    for o in from {
        let file = Origin::new(&o.host, &o.path, 0).to_string();
        match files.iter_mut().find(|(f, _)| *f == file) {
            Some((_, lines)) => {
                if o.line > 0 && !lines.contains(&o.line) {
                    lines.push(o.line);
                }
            }
            None => files.push((file, if o.line > 0 { vec![o.line] } else { Vec::new() })),
        }
    }
    let parts: Vec<String> = files
        .into_iter()
        .map(|(f, lines)| {
            if lines.is_empty() {
                f
            } else {
                let l: Vec<String> = lines.iter().map(u32::to_string).collect();
                format!("{f}:{}", l.join(","))
            }
        })
        .collect();
    one_line(&parts.join("; "))
}

/// Control characters (a file name can hold a newline) as spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
