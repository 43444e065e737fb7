//! Phase 3: the availability analysis (LANGUAGE.md §5). The model is compiled
//! to a circuit (`circuit`), evaluated 64 failure scenarios at a time
//! (`lanes`) for the baseline, every server and every zone
//! (`availability`), and each rule of §5 reads the result (`rules`).

pub mod availability;
pub mod circuit;
pub mod lanes;
pub mod rules;

use crate::diag::Finding;
use crate::model::Model;

/// Everything the analysis computed, for the emitters and `simulate`.
pub struct Analysis {
    pub circuit: circuit::Circuit,
    pub outcome: availability::Outcome,
    pub findings: Vec<Finding>,
}

/// Runs the analysis of §5 on a model with no stopping error.
pub fn analyse(m: &Model) -> Analysis {
    let circuit = circuit::compile(m);
    let outcome = availability::run(m, &circuit);
    let mut links_of = vec![Vec::new(); m.servers.len()];
    for (i, l) in m.links.iter().enumerate() {
        for s in &l.from {
            links_of[s.index()].push(crate::model::LinkId(i as u32));
        }
    }
    let cx = rules::Context {
        model: m,
        circuit: &circuit,
        outcome: &outcome,
        links_of,
    };
    let mut findings = Vec::new();
    for check in rules::CHECKS {
        check(&cx, &mut findings);
    }
    Analysis {
        circuit,
        outcome,
        findings,
    }
}
