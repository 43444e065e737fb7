//! The compiled circuit as compact JSON, for evaluators outside stackc (the
//! interactive page of `stackc render --to html` runs it in plain
//! JavaScript). Every gate of [`Circuit`] is one array, in evaluation order,
//! so a reader evaluates them front to back; what a chain in words needs
//! (server, group and zone names, the entry points) comes with it.
//!
//! Format, version [`VERSION`] (`{"stackc_circuit": 1, ...}`):
//!
//! - `servers`: names, by server id; `zone_of`: each server's zone index or
//!   -1; `zones`: zone names; `groups`: `[name, [member ids]]`;
//! - `cells`: each server's "works" gate;
//! - `gates`: one array per gate, its first number the kind:
//!   `[0]` never (no reason), `[1, s]` a write to replica `s`, `[2, g]`
//!   group `g` has no primary, `[3, s, req…]` server `s` works (up and every
//!   requirement gate holds), `[4, in…]` any input holds, `[5, e, in…]` the
//!   same for entry point `e`, `[6, g, in…]` the same for group `g`, `[7, g,
//!   s…]` group `g`'s holder works (the first member that is up), `[8, g,
//!   k, in…]` at least `k` inputs of quorum group `g` hold;
//! - `entries`: `[subject, gate, is_record]` in circuit order;
//! - `no_entry`: without `domain`, a stack with servers and no entry point
//!   (then nothing serves).
//!
//! The numbers are indices (gates: into `gates`); gates only read gates
//! before them.

use super::circuit::{Circuit, Gate, Origin};
use crate::model::Model;
use std::fmt::Write;

/// The version of the format.
pub const VERSION: u32 = 1;

/// The circuit of a model as compact JSON (one line, no spaces).
pub fn circuit_json(m: &Model, c: &Circuit) -> String {
    let mut o = String::with_capacity(64 + 24 * c.gates.len() + 16 * m.servers.len());
    let _ = write!(o, "{{\"stackc_circuit\":{VERSION},\"servers\":");
    list(&mut o, m.servers.iter(), |o, s| string(o, &s.name));
    o.push_str(",\"zone_of\":");
    list(&mut o, m.servers.iter(), |o, s| match s.zone {
        Some(z) => number(o, z.index()),
        None => o.push_str("-1"),
    });
    o.push_str(",\"zones\":");
    list(&mut o, m.zones.iter(), |o, z| string(o, &z.name));
    o.push_str(",\"groups\":");
    list(&mut o, m.groups.iter(), |o, g| {
        o.push('[');
        string(o, &g.name);
        o.push(',');
        list(o, g.members.iter(), |o, s| number(o, s.index()));
        o.push(']');
    });
    o.push_str(",\"cells\":");
    list(&mut o, c.server_cell.iter(), |o, x| number(o, *x as usize));
    o.push_str(",\"gates\":");
    list(&mut o, c.gates.iter().zip(&c.origins), |o, (g, origin)| {
        gate(o, c, g, origin)
    });
    o.push_str(",\"entries\":");
    list(&mut o, c.entries.iter(), |o, e| {
        o.push('[');
        string(o, &e.subject);
        let _ = write!(o, ",{},{}]", e.cell, u8::from(e.record.is_some()));
    });
    let no_entry = c.entries.is_empty() && m.domains.is_empty() && !m.servers.is_empty();
    let _ = write!(o, ",\"no_entry\":{no_entry}}}");
    o
}

fn gate(o: &mut String, c: &Circuit, g: &Gate, origin: &Origin) {
    let head = |o: &mut String, parts: &[usize]| {
        o.push('[');
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                o.push(',');
            }
            number(o, *p);
        }
    };
    let cells = |o: &mut String, cells: &[u32]| {
        for x in cells {
            o.push(',');
            number(o, *x as usize);
        }
    };
    match (*g, origin) {
        (Gate::Never, Origin::ReplicaWrite(s)) => head(o, &[1, s.index()]),
        (Gate::Never, Origin::Group(g)) => head(o, &[2, g.index()]),
        (Gate::Never, _) => head(o, &[0]),
        (Gate::Server { server, reqs }, _) => {
            head(o, &[3, server.index()]);
            cells(o, c.inputs(reqs));
        }
        (Gate::Any(ins), Origin::Entry(e)) => {
            head(o, &[5, *e]);
            cells(o, c.inputs(ins));
        }
        (Gate::Any(ins), Origin::Group(g)) => {
            head(o, &[6, g.index()]);
            cells(o, c.inputs(ins));
        }
        (Gate::Any(ins), _) => {
            head(o, &[4]);
            cells(o, c.inputs(ins));
        }
        (Gate::Holder { members }, origin) => {
            let g = match origin {
                Origin::Holder(g) => g.index(),
                _ => usize::MAX, // never built: a holder stands for its group
            };
            head(o, &[7, g]);
            for (s, _) in c.members(members) {
                o.push(',');
                number(o, s.index());
            }
        }
        (Gate::Quorum { ins, k }, origin) => {
            let g = match origin {
                Origin::Quorum(g) => g.index(),
                _ => usize::MAX,
            };
            head(o, &[8, g, k as usize]);
            cells(o, c.inputs(ins));
        }
    }
    o.push(']');
}

fn list<T>(o: &mut String, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut String, T)) {
    o.push('[');
    for (k, x) in items.enumerate() {
        if k > 0 {
            o.push(',');
        }
        each(o, x);
    }
    o.push(']');
}

fn number(o: &mut String, n: usize) {
    let _ = write!(o, "{n}");
}

fn string(o: &mut String, s: &str) {
    o.push_str(&serde_json::to_string(s).expect("a string serializes"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The export of a small stack: every kind of gate that occurs in it,
    /// in evaluation order, and names by index.
    #[test]
    fn a_small_stack_exports_its_gates_in_order() {
        let src = "zone a\nzone b\ndomain ex.com {\n  www A -> lb\n}\n\
                   group lb: haproxy mode=active-passive vip=203.0.113.10 {\n  server lb-01 10.0.0.1 zone=a\n  server lb-02 10.0.0.2 zone=b\n}\n\
                   server web-01: nginx 10.0.1.1\nlb -> web-01\n";
        let checked = crate::check(src);
        let a = checked.analysis.as_ref().expect("analysed");
        let json = circuit_json(&checked.model, &a.circuit);
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["stackc_circuit"], 1);
        assert_eq!(v["servers"].as_array().unwrap().len(), 3);
        assert_eq!(v["entries"][0][0], "www.ex.com");
        assert_eq!(v["entries"][0][2], 1);
        // Every gate reads only gates before it.
        let gates = v["gates"].as_array().unwrap();
        for (i, g) in gates.iter().enumerate() {
            let g: Vec<i64> = g
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect();
            let ins: &[i64] = match g[0] {
                4 => &g[1..],
                3 | 5 | 6 => &g[2..],
                8 => &g[3..],
                _ => &[],
            };
            assert!(ins.iter().all(|x| (*x as usize) < i), "gate {i}: {g:?}");
        }
        assert!(
            gates.iter().any(|g| g[0] == 7),
            "the lb pair's holder: {json}"
        );
    }
}
