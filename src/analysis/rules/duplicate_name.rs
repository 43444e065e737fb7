//! `duplicate-name`: a name is declared twice.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::DuplicateName,
    summary: "a server, group or zone name is declared twice",
    explain: "\
Servers, groups and zones share one namespace, so `zone web` and `group web`
clash. A domain, a DNS record (same label and type) or the `stack` statement
declared twice is reported the same way. DNS names ignore case and a final
dot: `Example.COM.` is the domain `example.com`, and `Www A` repeats
`www A` (stackc keeps DNS names lowercase, without the dot, everywhere:
`allow` subjects and bundles too). The finding sits on the later
declaration; a label points at the first.

Why it matters: every link and record would be ambiguous, and names become
host names and config identifiers in a bundle.

How to fix: rename one of the two. This error cannot be allowed.",
};
