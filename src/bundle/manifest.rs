//! `manifest.json`: what a bundle holds. The writer fills a [`Manifest`]
//! and the CLI reads an existing one back with the same type, to tell an
//! earlier bundle (which it may replace) from anything else.
//!
//! Fields are declared in alphabetical order: that is the order of the
//! JSON keys.

use super::PreviousZone;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Every file of the bundle but `manifest.json` itself, sorted by path.
    pub files: Vec<ManifestFile>,
    pub flavor: String,
    pub format: u32,
    pub generator: String,
    pub hosts: Vec<ManifestHost>,
    /// The paths of the files that hold passwords.
    pub secret_files: Vec<String>,
    pub stack: String,
    pub stackc_version: String,
    pub title: Option<String>,
    pub zones: Vec<ManifestZone>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Octal, four digits: `0644`.
    pub mode: String,
    pub path: String,
    pub secret: bool,
    /// The sha256 of the file, for files that hold no secret: a hash of a
    /// secret file in a world-readable manifest would let anyone test
    /// guesses of its (short, for VRRP) password offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestHost {
    pub address: String,
    pub files: Vec<String>,
    pub group: Option<String>,
    pub name: String,
    pub roles: Vec<String>,
    pub vip: Option<String>,
    pub zone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestZone {
    pub domain: String,
    pub file: String,
    /// The sha256 of the zone file written with serial 0: equal when the
    /// records are.
    pub records_sha256: String,
    pub serial: u32,
}

impl Manifest {
    /// Reads a manifest stackc wrote: the same shape as it writes, the
    /// stackc generator and this bundle format. Anything else (a
    /// hand-written `{"generator": "stackc"}`, another tool's manifest, a
    /// later format) is an error saying why.
    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if m.generator != super::GENERATOR {
            return Err(format!("its generator is `{}`, not stackc", m.generator));
        }
        if m.format != super::FORMAT_VERSION {
            return Err(format!(
                "it is bundle format {}, this stackc writes format {}",
                m.format,
                super::FORMAT_VERSION
            ));
        }
        Ok(m)
    }

    /// Its zones, for the serials of a rebuild (`Options::previous_zones`).
    pub fn previous_zones(&self) -> BTreeMap<String, PreviousZone> {
        self.zones
            .iter()
            .map(|z| {
                (
                    z.domain.clone(),
                    PreviousZone {
                        serial: z.serial,
                        records_sha256: z.records_sha256.clone(),
                    },
                )
            })
            .collect()
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("json");
        s.push('\n');
        s
    }

    /// Of `present` (the paths of a directory's files, relative and
    /// `/`-separated, directories ending with `/`), those this manifest
    /// does not list: a directory is known when a listed file is inside it.
    pub fn unknown<'a>(&self, present: &'a [String]) -> Vec<&'a str> {
        let mut known: BTreeSet<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        known.insert(super::MANIFEST_FILE);
        present
            .iter()
            .filter(|p| match p.strip_suffix('/') {
                Some(dir) => !known
                    .iter()
                    .any(|k| k.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))),
                None => !known.contains(p.as_str()),
            })
            .map(String::as_str)
            .collect()
    }
}
