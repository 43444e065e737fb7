//! `empty-group`: a group without members.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::EmptyGroup,
    summary: "a group has no member servers",
    explain: "\
A group is written with its members inside `{ }`; `group web: nginx { }` has
none. An empty group never serves: every link or record to it is dark, and a
bundle would configure nothing for it.

Why it matters: an empty block is most often a forgotten paste or members
written after the `}`.

How to fix: add its members, or remove the group. A group kept empty on
purpose (not built yet) can be allowed:

    allow empty-group web \"servers arrive next sprint\"",
};
