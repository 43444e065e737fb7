//! `slo`: the stack's exact availability is below its `slo=`.
use super::{Context, RuleDoc};
use crate::analysis::resilience::{downtime, percent, YEAR_S};
use crate::diag::{Finding, RuleId, Subject};

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Slo,
    summary: "the stack's exact availability is below its `slo=` target",
    explain: "\
With `stack NAME slo=P`, stackc computes the exact probability that every
DNS record is available at once, from the `availability=` of each server
and zone (defaults: 99.9 % a server, 99.99 % a zone; elements fail
independently) and the availability model of the language. It is exact,
not sampled: the circuit is compiled to a decision diagram. A record whose
`broken` is allowed is left out; a record broken with nothing down makes the
figure 0.

The message gives the figure and the downtime a year it means; the help
names the three elements whose perfection would buy the most (their
*gain*). `stackc resilience` shows every record's figure and the gains.

How to fix: make the top contributors redundant (a second member, a
replica with `failover=auto`, a second zone), or more available.

Allowing it (a target you accept missing for now):

    allow slo shop \"99.9 until the second zone is up\"",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(slo), Some(result)) = (cx.policy.slo, cx.availability) else {
        return;
    };
    let m = cx.model;
    let at = m.stack_span.unwrap_or_default();
    let subject = Subject::Stack(m.stack_name().to_string());
    let a = match result {
        Ok(a) => a,
        Err(refused) => {
            out.push(
                Finding::new(
                    RuleId::Slo,
                    at,
                    format!("the slo of {slo} % cannot be checked: {}", refused.message),
                )
                .subject(subject)
                .label("availability not computed")
                .help("split the stack into files per service, or remove `slo=`"),
            );
            return;
        }
    };
    // Compare unavailabilities: they keep their digits near 100 %.
    let allowed = (100.0 - slo) / 100.0;
    if a.stack.down <= allowed * (1.0 + 1e-12) {
        return;
    }
    let top: Vec<String> = a
        .gains
        .iter()
        .take(3)
        .map(|(e, g)| format!("{} (+{})", e.name(m), gain_words(*g)))
        .collect();
    let help = if top.is_empty() {
        "no element's availability would change it: a record is dark with nothing down".to_string()
    } else {
        format!(
            "the biggest contributors, by what making each perfect would buy: {}",
            top.join(", ")
        )
    };
    out.push(
        Finding::new(
            RuleId::Slo,
            at,
            format!(
                "the stack is available {} of the time, below its slo of {slo} % (about {} down a year, {} allowed)",
                percent(a.stack.up, a.stack.down),
                downtime(a.stack.down * YEAR_S),
                downtime(allowed * YEAR_S)
            ),
        )
        .subject(subject)
        .label("below its slo")
        .help(help),
    );
}

/// A gain in percentage points with two significant digits: `0.0099 %`.
pub fn gain_words(g: f64) -> String {
    let pct = g * 100.0;
    if pct <= 0.0 {
        return "0 %".into();
    }
    let decimals = ((-pct.log10()).floor() as i64 + 2).clamp(0, 14) as usize;
    format!("{:.*} %", decimals, pct)
}
