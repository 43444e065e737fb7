//! `stackc resilience --format json`: the shape of RESILIENCE.md §6,
//! exactly. Elements and records are named as in findings' subjects;
//! every cut, record, gain and server is listed (the human report caps
//! its tables). A part refused as too costly is `null`, and a `refused`
//! object (present only then) maps it to the message.

use super::figures::json_number;
use super::{refusals, Input};
use crate::analysis::resilience::YEAR_S;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// A JSON object whose keys keep the order given.
struct Ordered<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Output<'a> {
    version: u32,
    file: &'a str,
    tolerance: usize,
    tolerance_exact: bool,
    max_size: usize,
    cuts: Option<Vec<Cut>>,
    availability: Option<Availability>,
    capacity: Option<Vec<Capacity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<Ordered<String>>,
}

#[derive(serde::Serialize)]
struct Cut {
    elements: Vec<String>,
    dark: Vec<String>,
}

#[derive(serde::Serialize)]
struct Availability {
    stack: f64,
    records: Ordered<f64>,
    downtime_per_year_s: f64,
    gains: Vec<Gain>,
}

#[derive(serde::Serialize)]
struct Gain {
    element: String,
    gain: f64,
}

#[derive(serde::Serialize)]
struct Capacity {
    server: String,
    worst_load: Value,
    capacity: Value,
    failed: Vec<String>,
}

/// The JSON report, pretty-printed, with a final newline.
pub fn json(i: &Input<'_>) -> String {
    let m = i.model;
    let r = i.report;
    let names = |set: &[crate::analysis::resilience::Element]| -> Vec<String> {
        let mut v = set.to_vec();
        v.sort_by_key(|e| e.order(m));
        v.iter().map(|e| e.name(m).to_string()).collect()
    };
    let cuts = r.cuts.as_ref().ok().map(|c| {
        c.cuts
            .iter()
            .map(|cut| Cut {
                elements: names(&cut.elements),
                dark: cut.dark.iter().map(|d| i.entry_name(*d)).collect(),
            })
            .collect()
    });
    let availability = r.availability.as_ref().ok().map(|a| Availability {
        stack: a.stack.up,
        records: Ordered(
            a.entries
                .iter()
                .enumerate()
                .filter(|(e, _)| !i.left_out(*e))
                .map(|(e, f)| (i.entry_name(e), f.up))
                .collect(),
        ),
        downtime_per_year_s: a.stack.down * YEAR_S,
        gains: a
            .gains
            .iter()
            .map(|(e, g)| Gain {
                element: e.name(m).to_string(),
                gain: *g,
            })
            .collect(),
    });
    let capacity = r.capacity.as_ref().ok().map(|h| {
        h.iter()
            .map(|x| Capacity {
                server: m.server(x.server).name.clone(),
                worst_load: json_number(x.worst),
                capacity: json_number(x.capacity),
                failed: names(&x.failed),
            })
            .collect()
    });
    let refused = refusals(r);
    let out = Output {
        version: 1,
        file: i.file,
        tolerance: r.tolerance,
        tolerance_exact: r.tolerance_exact,
        max_size: r.max_size,
        cuts,
        availability,
        capacity,
        refused: (!refused.is_empty()).then(|| {
            Ordered(
                refused
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        }),
    };
    let mut s = crate::report::text::json_safe(
        serde_json::to_string_pretty(&out).expect("the report serializes"),
    );
    s.push('\n');
    s
}
