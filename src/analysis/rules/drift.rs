//! `drift`: the file and the configs of the running stack disagree. Only
//! `stackc drift FILE DIR` reports it (the comparison is in `src/drift/`);
//! `stackc check` never does, and it cannot be allowed.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Drift,
    summary:
        "the file says one thing, the configs of the running stack another (`stackc drift` only)",
    explain: "\
`stackc drift FILE DIR` reads DIR as `stackc import` does (one folder per
host with its configs, or a bundle) and compares what the configs say with
FILE. Each difference is one `drift` finding on the statement of FILE it
concerns:

- a server that exists on one side only (one only in DIR sits on the group
  it would belong to, or on the `stack` line);
- a server's roles or address;
- a group member: a backend server or VRRP peer that one side has and the
  other does not;
- a group's vip (keepalived's `virtual_ipaddress`);
- a replicated group's primary (who the replicas follow: `master.info`,
  `primary_conninfo`, `replicaof`);
- a DNS record that exists on one side only, or points elsewhere.

The message names both values and the file of DIR the value came from.
What the configs do not say (zones, availability, capacity, `monitor=`
unless an inventory variable gives it) is not compared. `check` never
reports this rule, and an `allow` cannot silence it: a difference is fixed
by changing the file or the hosts.

Why it matters: the verdict of `stackc check` is true of the file. When the
file no longer describes what runs, a single point of failure can hide in
the difference (a backend server removed from haproxy.cfg by hand, a vip
moved, a replica re-pointed).

How to fix: if the running stack is right, update the file (`stackc import
DIR` writes what the configs say, with the files each statement came from);
if the file is right, redeploy (`stackc bundle FILE`). Run `stackc drift`
nightly against configs fetched with `ansible -m fetch` (the book's CI page).",
};
