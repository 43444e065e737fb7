//! `unknown-zone`: `zone=Z` with an undeclared zone.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownZone,
    summary: "zone=Z names a zone that is not declared",
    explain: "\
Zones are declared before use with `zone NAME` (a rack, an availability
zone). A server in an unknown zone counts as unzoned for the analysis.

Why it matters: zone failures (`zone-spof`) are only found for declared
zones; a typo would hide one.

How to fix: declare the zone (`zone b`) or correct the name.",
};
