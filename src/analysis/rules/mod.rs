//! One module per rule: its documentation (what `stackc explain` prints and
//! the book shows) and, for the rules of the analysis, its check. The static
//! rules of LANGUAGE.md §4 are found while parsing and resolving; their
//! modules hold only their documentation.

use super::availability::Outcome;
use super::circuit::Circuit;
use super::resilience::{cuts::Cuts, exact::Availability, load::Headroom, TooBig};
use crate::diag::{Finding, RuleId};
use crate::model::{LinkId, Model};

pub mod asymmetric_failover;
pub mod bad_value;
pub mod broken;
pub mod cut_set;
pub mod cycle;
pub mod drift;
pub mod duplicate_address;
pub mod duplicate_name;
pub mod empty_group;
pub mod ignored_attribute;
pub mod many_primaries;
pub mod missing_vip;
pub mod no_firewall;
pub mod no_monitoring;
pub mod no_primary;
pub mod no_tls;
pub mod orphan;
pub mod overload;
pub mod plaintext_backend;
pub mod replica_write;
pub mod shared_host;
pub mod slo;
pub mod spof;
pub mod syntax;
pub mod unknown_attribute;
pub mod unknown_name;
pub mod unknown_role;
pub mod unknown_zone;
pub mod unused_allow;
pub mod zone_spof;

/// A rule's documentation.
#[derive(Debug)]
pub struct RuleDoc {
    pub id: RuleId,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// What it means, why it matters, how to fix or allow it. `{roles}`
    /// and `{heavy-roles}` stand for lists read from the roles table: use
    /// [`RuleDoc::explain_text`].
    pub explain: &'static str,
}

impl RuleDoc {
    /// The explain text, its role lists read from the roles table: one
    /// line per role, `- `name` (title)`, for `{roles}` (every role) and
    /// `{heavy-roles}` (the roles `shared-host` counts).
    pub fn explain_text(&self) -> String {
        let list = |keep: fn(&crate::model::RoleSpec) -> bool| {
            crate::model::ROLES
                .iter()
                .filter(|r| keep(r))
                .map(|r| format!("- `{}` ({})", r.name, r.title))
                .collect::<Vec<_>>()
                .join("\n")
        };
        self.explain
            .replace("{roles}", &list(|_| true))
            .replace("{heavy-roles}", &list(|r| r.heavy))
    }
}

/// Every rule's documentation, in the order of `RuleId::ALL`.
pub static DOCS: &[&RuleDoc] = &[
    &syntax::DOC,
    &unknown_name::DOC,
    &duplicate_name::DOC,
    &duplicate_address::DOC,
    &unknown_role::DOC,
    &unknown_attribute::DOC,
    &unknown_zone::DOC,
    &bad_value::DOC,
    &missing_vip::DOC,
    &no_primary::DOC,
    &many_primaries::DOC,
    &replica_write::DOC,
    &cycle::DOC,
    &broken::DOC,
    &spof::DOC,
    &zone_spof::DOC,
    &cut_set::DOC,
    &slo::DOC,
    &overload::DOC,
    &asymmetric_failover::DOC,
    &orphan::DOC,
    &no_tls::DOC,
    &plaintext_backend::DOC,
    &no_firewall::DOC,
    &no_monitoring::DOC,
    &shared_host::DOC,
    &unused_allow::DOC,
    &empty_group::DOC,
    &ignored_attribute::DOC,
    &drift::DOC,
];

pub fn doc(id: RuleId) -> &'static RuleDoc {
    DOCS.iter()
        .find(|d| d.id == id)
        .expect("every rule is documented")
}

/// What the checks of the analysis read.
pub struct Context<'a> {
    pub model: &'a Model,
    pub circuit: &'a Circuit,
    pub outcome: &'a Outcome,
    /// The links each server is a source of.
    pub links_of: Vec<Vec<LinkId>>,
    pub policy: crate::analysis::Policy,
    /// RESILIENCE.md's figures, when a policy asks for them.
    pub cuts: Option<&'a Result<Cuts, TooBig>>,
    pub availability: Option<&'a Result<Availability, TooBig>>,
    pub headroom: Option<&'a Result<Vec<Headroom>, TooBig>>,
}

type Check = fn(&Context<'_>, &mut Vec<Finding>);

/// The checks of LANGUAGE.md §5.
pub static CHECKS: &[Check] = &[
    broken::check,
    spof::check,
    zone_spof::check,
    cut_set::check,
    slo::check,
    overload::check,
    asymmetric_failover::check,
    orphan::check,
    no_tls::check,
    plaintext_backend::check,
    no_firewall::check,
    no_monitoring::check,
    shared_host::check,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts written by hand name every role of the table.
    #[test]
    fn unknown_role_explains_every_role_of_the_table() {
        for r in crate::model::Role::names() {
            assert!(
                unknown_role::DOC.explain_text().contains(&format!("`{r}`")),
                "{r} missing from unknown-role's explain"
            );
        }
    }
}
