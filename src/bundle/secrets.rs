//! Passwords: which ones a stack needs, and the secrets file that keeps them
//! between builds (`DIR/secrets.json`, reused with `--secrets`).
//!
//! Passwords are letters and digits only, so that they need no escaping in
//! any file that holds them (SQL strings, keepalived, environment files).
//! The randomness comes from the caller: the library stays deterministic.

use crate::model::Model;
use std::collections::BTreeMap;
use std::fmt;

/// The secrets file at the bundle's root (mode 0600, never copied to hosts).
pub const SECRETS_FILE: &str = "secrets.json";

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// One password the bundle needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretSpec {
    /// `vrrp/GROUP`, `mysql/DB/replication`, `mysql/DB/app`,
    /// `postgres/DB/replication`, `postgres/DB/app`, `redis/DB/password`.
    pub key: String,
    /// Length of a new password.
    pub len: usize,
    /// Shortest accepted from a secrets file.
    pub min_len: usize,
    /// Longest accepted (VRRP `auth_pass` keeps 8 characters).
    pub max_len: usize,
}

impl SecretSpec {
    pub(crate) fn vrrp(group: &str) -> Self {
        SecretSpec {
            key: format!("vrrp/{group}"),
            len: 8,
            min_len: 8,
            max_len: 8,
        }
    }
    /// A data store's account: `ROLE/STORE/USER` (`mysql/db/app`,
    /// `postgres/pg/replication`, `redis/cache/password`).
    pub(crate) fn store(role: &str, db: &str, user: &str) -> Self {
        SecretSpec {
            key: format!("{role}/{db}/{user}"),
            len: 32,
            min_len: 16,
            max_len: 64,
        }
    }
    fn accepts(&self, v: &str) -> bool {
        (self.min_len..=self.max_len).contains(&v.len()) && v.bytes().all(|b| ALPHABET.contains(&b))
    }
}

/// What is wrong with the secrets given. Never holds a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretsError {
    /// Not a secrets file stackc wrote.
    NotSecretsFile(String),
    /// A password the stack needs is missing.
    Missing(String),
    /// A password is not 8 (VRRP) or 16–64 (data stores) letters and digits.
    Malformed(String),
}

impl fmt::Display for SecretsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretsError::NotSecretsFile(why) => {
                write!(f, "not a stackc secrets file: {why}")
            }
            SecretsError::Missing(k) => write!(f, "the secret `{k}` is missing"),
            SecretsError::Malformed(k) => write!(
                f,
                "the secret `{k}` is malformed: passwords are letters and digits, 8 for VRRP, 16 to 64 for the databases and redis"
            ),
        }
    }
}

/// Passwords by key. `Debug` does not show them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    map: BTreeMap<String, String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("keys", &self.map.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    pub fn new() -> Self {
        Secrets::default()
    }

    /// Reads a secrets file (`secrets.json` of an earlier bundle).
    pub fn from_json(text: &str) -> Result<Self, SecretsError> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|_| SecretsError::NotSecretsFile("it is not JSON".into()))?;
        if v.get("generator").and_then(|g| g.as_str()) != Some(super::GENERATOR) {
            return Err(SecretsError::NotSecretsFile(
                "it has no `\"generator\": \"stackc\"`".into(),
            ));
        }
        let Some(obj) = v.get("secrets").and_then(|s| s.as_object()) else {
            return Err(SecretsError::NotSecretsFile(
                "it has no `secrets` object".into(),
            ));
        };
        let mut map = BTreeMap::new();
        for (k, v) in obj {
            let Some(s) = v.as_str() else {
                return Err(SecretsError::Malformed(k.clone()));
            };
            map.insert(k.clone(), s.to_string());
        }
        Ok(Secrets { map })
    }

    /// The secrets file: pretty JSON, keys sorted, ending with a newline.
    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "generator": super::GENERATOR,
            "note": "passwords of this bundle; keep this file private and pass it to `stackc bundle --secrets` to rebuild without rotating them",
            "secrets": self.map,
        });
        let mut s = serde_json::to_string_pretty(&v).expect("json");
        s.push('\n');
        s
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.map.insert(key.into(), value.into());
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Draws every password of `specs` that is missing. `random` fills a
    /// buffer with random bytes (the OS source, in the CLI).
    pub fn fill<E>(
        &mut self,
        specs: &[SecretSpec],
        mut random: impl FnMut(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        for spec in specs {
            if self.map.contains_key(&spec.key) {
                continue;
            }
            let mut out = String::with_capacity(spec.len);
            let mut buf = [0u8; 64];
            while out.len() < spec.len {
                random(&mut buf)?;
                // Rejection sampling: 248 = 4 * 62, so every letter is
                // equally likely.
                for b in buf {
                    if out.len() < spec.len && b < 248 {
                        out.push(ALPHABET[(b % 62) as usize] as char);
                    }
                }
            }
            self.map.insert(spec.key.clone(), out);
        }
        Ok(())
    }

    /// The passwords of `specs` only, each checked.
    pub(crate) fn for_specs(&self, specs: &[SecretSpec]) -> Result<Secrets, SecretsError> {
        let mut map = BTreeMap::new();
        for spec in specs {
            let v = self
                .map
                .get(&spec.key)
                .ok_or_else(|| SecretsError::Missing(spec.key.clone()))?;
            if !spec.accepts(v) {
                return Err(SecretsError::Malformed(spec.key.clone()));
            }
            map.insert(spec.key.clone(), v.clone());
        }
        Ok(Secrets { map })
    }

    /// Checks the passwords of a secrets file that `specs` will use.
    pub fn check(&self, specs: &[SecretSpec]) -> Result<(), SecretsError> {
        for spec in specs {
            if let Some(v) = self.map.get(&spec.key) {
                if !spec.accepts(v) {
                    return Err(SecretsError::Malformed(spec.key.clone()));
                }
            }
        }
        Ok(())
    }
}

/// The passwords a stack's bundle needs, in a fixed order.
pub(crate) fn required(m: &Model) -> Vec<SecretSpec> {
    super::plan::Plan::new(m, super::Flavor::Mysql).secret_specs()
}
