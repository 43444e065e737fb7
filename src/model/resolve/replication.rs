//! Replication: the primary of each replicated group. A group without
//! exactly one is reported by `no-primary` or `many-primaries`.

use super::*;

impl Resolver {
    pub(super) fn replication(&mut self) {
        for gid in self.m.group_ids() {
            if let [one] = self.m.marked_primaries(gid)[..] {
                self.m.groups[gid.index()].primary = Some(one);
            }
        }
    }
}
