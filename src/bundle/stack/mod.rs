//! The stack-wide files, written after the hosts' (they list them): the
//! DNS zones, the Ansible inventory and playbook, the README, the manifest.

pub(super) mod ansible;
pub(super) mod manifest;
pub(super) mod playbook;
pub(super) mod readme;
pub(super) mod zone;
