//! `[risk]`: what advanced security's checks compare against.
//!
//! ```toml
//! [risk]
//! breached_passwords_file = "/etc/tessera/breached.txt"
//! ```
//!
//! The file has one entry a line: 40 hexadecimal digits (optionally followed
//! by `:count`, as Have I Been Pwned's downloads are) are a password's SHA-1;
//! any other non-empty line is a password. It is read once at start and kept
//! in memory as SHA-1 hashes only.

use std::path::{Path, PathBuf};

use anyhow::Context;
use schemars::JsonSchema;
use serde::Deserialize;
use tessera_core::services::events::breached::BreachedPasswords;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskFile {
    /// A list of breached passwords for the compromised-credentials check
    /// (pools whose `CompromisedCredentialsRiskConfiguration` asks for it).
    /// Without one, no password counts as compromised.
    pub breached_passwords_file: Option<PathBuf>,
}

/// The breached-password list the file names (empty without one).
pub fn load_breached(file: Option<&Path>) -> anyhow::Result<BreachedPasswords> {
    let Some(path) = file else {
        return Ok(BreachedPasswords::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading breached_passwords_file {}", path.display()))?;
    Ok(BreachedPasswords::parse(&text))
}
