//! Emitter: the deployable config bundle of BUNDLE.md.
//!
//! [`generate`] turns a checked stack into a [`Bundle`]: a sorted map from
//! path (relative to the bundle directory) to bytes, mode and a secret flag.
//! It does no I/O and draws no randomness: the passwords come in as
//! [`Secrets`] (the CLI draws the missing ones from the OS), so the same
//! input and secrets give the same bytes.
//!
//! - `validate.rs`: what a bundle needs beyond `check` (addresses, a vip for
//!   `failover=auto`, strings that the target files can hold). Refusals are
//!   findings with spans, like `check`'s.
//! - `plan.rs`: facts derived from the model that several files share
//!   (databases, VRRP instances, who listens where, endpoints of links).
//! - `writer.rs`: the bundle being written, and the order of its files.
//! - `roles/`: one module per kit of the roles table (`Kit`): its hosts'
//!   files, its Ansible plays and inventory groups; keepalived's too.
//! - `stack/`: the stack-wide files: zones, inventory and playbook
//!   (`playbook.rs`: plays as data), README, manifest.
//! - `render.rs` + `templates/`: one minijinja template per file type,
//!   each filled from a `#[derive(Serialize)]` context struct that lives
//!   beside the code that fills it.
//! - `manifest.rs`: the [`Manifest`] type, written and read back.
//! - `secrets.rs`: which passwords a stack needs; the secrets file.

mod env;
mod manifest;
mod plan;
mod render;
mod roles;
mod secrets;
mod stack;
mod text;
mod validate;
mod writer;

pub use env::EnvVar;
pub use manifest::{Manifest, ManifestFile, ManifestHost, ManifestZone};
pub use secrets::{SecretSpec, Secrets, SecretsError, SECRETS_FILE};

use crate::diag::{Finding, RuleId, Severity};
use crate::Checked;
use std::collections::BTreeMap;

/// The name of the manifest at the bundle's root; a directory holding one
/// written by stackc is an earlier bundle.
pub const MANIFEST_FILE: &str = "manifest.json";
/// `generator` in every manifest stackc writes.
pub const GENERATOR: &str = "stackc";
/// The bundle format (BUNDLE.md, contract v1).
pub const FORMAT_VERSION: u32 = 1;

/// Which MySQL server the database hosts run.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Flavor {
    /// MySQL 8 (`gtid_mode`, `CHANGE REPLICATION SOURCE TO`).
    #[default]
    Mysql,
    /// MariaDB 10.6+ (`gtid_strict_mode`, `CHANGE MASTER TO ... MASTER_USE_GTID`).
    Mariadb,
}

impl Flavor {
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Mysql => "mysql",
            Flavor::Mariadb => "mariadb",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub flavor: Flavor,
    /// The zones of the bundle being replaced ([`Manifest::previous_zones`]): a
    /// zone keeps its serial while its records do not change; when they
    /// do, its serial is above the earlier one.
    pub previous_zones: BTreeMap<String, PreviousZone>,
    /// The serial of a zone that is new or changed (see [`zone_serial`]):
    /// the CLI passes `SOURCE_DATE_EPOCH`, or the `.stack` file's
    /// modification time, as unix seconds. 0 counts as 1.
    pub serial: u32,
}

/// The SOA serial of a zone (the rule the README and the book state):
/// - a zone whose records are those of the bundle being replaced keeps
///   its serial;
/// - otherwise the zone gets `base` (the input's time, unix seconds), but
///   never less than the replaced bundle's serial + 1, so that secondaries
///   see a change even when the clock or the file's time went back.
///
/// The same input (and the same earlier bundle) gives the same serial.
pub fn zone_serial(base: u32, previous: Option<&PreviousZone>, records_sha256: &str) -> u32 {
    let base = base.max(1);
    match previous {
        Some(z) if z.records_sha256 == records_sha256 => z.serial,
        // Past 2^32 - 1 a serial wraps (RFC 1982) and 0 is skipped.
        Some(z) => base.max(z.serial.wrapping_add(1)).max(1),
        None => base,
    }
}

/// A zone of an earlier bundle, as its manifest records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousZone {
    pub serial: u32,
    /// The sha256 of the zone file written with serial 0.
    pub records_sha256: String,
}

/// The zones recorded in an earlier bundle's `manifest.json` (none when
/// it is not one [`Manifest::from_json`] reads).
pub fn previous_zones(manifest: &str) -> BTreeMap<String, PreviousZone> {
    Manifest::from_json(manifest)
        .map(|m| m.previous_zones())
        .unwrap_or_default()
}

/// One file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFile {
    pub bytes: Vec<u8>,
    /// Unix permission bits (0o644, 0o600 for secrets, 0o755 for scripts).
    pub mode: u32,
    /// Holds a password: mode 0600, marked in the manifest.
    pub secret: bool,
}

/// Every file of a bundle, by path relative to the bundle directory
/// (`/`-separated, sorted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bundle {
    pub files: BTreeMap<String, BundleFile>,
    /// How many hosts get files.
    pub hosts: usize,
}

impl Bundle {
    pub fn secret_files(&self) -> usize {
        self.files.values().filter(|f| f.secret).count()
    }
}

/// Why a bundle was not generated.
#[derive(Debug)]
pub enum Refusal {
    /// The file has error findings `bundle` does not accept (everything but
    /// `spof` and `zone-spof`), or a bundle-specific refusal (`bad-value`,
    /// `missing-vip`): report them like `check` does, exit 1.
    Findings(Vec<Finding>),
    /// The secrets given do not fit (a password missing or malformed).
    Secrets(SecretsError),
}

/// The error findings that stop a bundle: every error but the verdicts on
/// how much failure the design survives — `spof`, `zone-spof` and the
/// policies' `cut-set`, `slo` and `overload` — which a deployment can have
/// (allowed findings are already out of `findings`).
pub fn blocking_findings(checked: &Checked) -> Vec<Finding> {
    checked
        .findings
        .iter()
        .filter(|f| {
            f.severity() == Severity::Error
                && !matches!(
                    f.rule,
                    RuleId::Spof
                        | RuleId::ZoneSpof
                        | RuleId::CutSet
                        | RuleId::Slo
                        | RuleId::Overload
                )
        })
        .cloned()
        .collect()
}

/// What a stack needs before it can be bundled: the findings of `check`
/// that stop a bundle, then the bundle's own refusals.
pub fn validate(checked: &Checked) -> Vec<Finding> {
    let mut out = blocking_findings(checked);
    if out.is_empty() {
        out = validate::validate(checked);
        crate::diag::sort_findings(&mut out);
    }
    out
}

/// The passwords this stack's bundle needs (empty until [`validate`] passes).
pub fn required_secrets(checked: &Checked) -> Vec<SecretSpec> {
    secrets::required(&checked.model)
}

/// The environment of the application on the server named `server`
/// (`env::app_env`): None when the stack does not bundle, the secrets do not
/// fit, or `server` is not an `app` server.
pub fn app_environment(checked: &Checked, secrets: &Secrets, server: &str) -> Option<Vec<EnvVar>> {
    if !validate(checked).is_empty() {
        return None;
    }
    let secrets = secrets.for_specs(&required_secrets(checked)).ok()?;
    let m = &checked.model;
    let s = m.find_server(server)?;
    if !m.server(s).roles.has_kit(crate::model::Kit::App) {
        return None;
    }
    let plan = plan::Plan::new(m, Flavor::Mysql);
    Some(env::app_env(&plan, &secrets, s))
}

/// Builds the bundle. `secrets` must hold every password of
/// [`required_secrets`] (see [`Secrets::fill`]).
pub fn generate(checked: &Checked, opts: &Options, secrets: &Secrets) -> Result<Bundle, Refusal> {
    let refusals = validate(checked);
    if !refusals.is_empty() {
        return Err(Refusal::Findings(refusals));
    }
    let needed = required_secrets(checked);
    let secrets = secrets.for_specs(&needed).map_err(Refusal::Secrets)?;
    let plan = plan::Plan::new(&checked.model, opts.flavor);
    Ok(writer::build(&plan, &secrets, opts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Passwords from a fixed sequence.
    fn secrets_for(c: &Checked) -> Secrets {
        let mut s = Secrets::new();
        let mut n: u32 = 1;
        s.fill(&required_secrets(c), |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *b = (n >> 16) as u8;
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        s
    }

    /// Every template is rendered by the bundles of the samples, each
    /// from its typed context (a field a template reads and its struct
    /// lacks is an error under minijinja's strict mode: a panic here).
    #[test]
    fn the_samples_render_every_template() {
        let samples = [
            include_str!("../../samples/scale-up.stack"),
            include_str!("../../samples/distributed.stack"),
            include_str!("../../samples/single-box.stack"),
            include_str!("../../samples/secured-monitored.stack"),
            include_str!("../../samples/scale-up-as-drawn.stack"),
            include_str!("../../samples/full-stack.stack"),
        ];
        let mut used = BTreeSet::new();
        for src in samples {
            let c = crate::check(src);
            if !validate(&c).is_empty() {
                continue;
            }
            for flavor in [Flavor::Mysql, Flavor::Mariadb] {
                let secrets = secrets_for(&c).for_specs(&required_secrets(&c)).unwrap();
                let plan = plan::Plan::new(&c.model, flavor);
                let opts = Options {
                    flavor,
                    ..Options::default()
                };
                let (b, names) = writer::build_traced(&plan, &secrets, &opts);
                assert!(!b.files.is_empty());
                used.extend(names);
            }
        }
        let all: BTreeSet<&str> = render::Templates::names().collect();
        assert_eq!(used, all, "templates no sample renders");
    }

    /// A template's context is a struct, never a JSON value read back
    /// by string keys: no module of the bundle that renders builds one.
    #[test]
    fn no_template_context_is_json() {
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/bundle"
        ))];
        let mut seen = 0;
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.contains(".render(") {
                        seen += 1;
                        assert!(
                            !text.contains(concat!("json", "!")),
                            "{} renders a template from json",
                            path.display()
                        );
                    }
                }
            }
        }
        assert!(seen >= 8, "the modules that render: {seen}");
    }
}
