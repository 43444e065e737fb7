//! Findings added and removed: keyed by (rule, typed subject), never by
//! message or position, so a finding that only moved (or whose words
//! changed with a figure) is neither.

use crate::diag::{Finding, RuleId, Subject};
use std::collections::HashSet;

/// What identifies a finding across the two sides.
pub type Key<'a> = (RuleId, Option<&'a Subject>);

/// The key of one finding.
pub fn key(f: &Finding) -> Key<'_> {
    (f.rule, f.subject.as_ref())
}

/// (added, removed): the findings of `new` whose key `old` lacks, and
/// those of `old` whose key `new` lacks, each in its side's order.
pub fn split(old: &[Finding], new: &[Finding]) -> (Vec<Finding>, Vec<Finding>) {
    let old_keys: HashSet<Key<'_>> = old.iter().map(key).collect();
    let new_keys: HashSet<Key<'_>> = new.iter().map(key).collect();
    let added = new
        .iter()
        .filter(|f| !old_keys.contains(&key(f)))
        .cloned()
        .collect();
    let removed = old
        .iter()
        .filter(|f| !new_keys.contains(&key(f)))
        .cloned()
        .collect();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Span;

    fn f(rule: RuleId, subject: &str, at: usize, message: &str) -> Finding {
        Finding::new(rule, Span::new(at, at + 1), message).subject(Subject::Server(subject.into()))
    }

    #[test]
    fn a_moved_or_reworded_finding_is_neither() {
        let old = vec![f(RuleId::Spof, "db-01", 10, "db-01 alone")];
        let new = vec![f(RuleId::Spof, "db-01", 99, "db-01 alone, reworded")];
        let (added, removed) = split(&old, &new);
        assert!(added.is_empty() && removed.is_empty());
    }

    #[test]
    fn the_subject_kind_counts() {
        let old = vec![f(RuleId::NoFirewall, "web", 1, "x")];
        let mut g = f(RuleId::NoFirewall, "web", 1, "x");
        g.subject = Some(Subject::Group("web".into()));
        let (added, removed) = split(&old, &[g.clone()]);
        assert_eq!(added, vec![g]);
        assert_eq!(removed, old);
    }
}
