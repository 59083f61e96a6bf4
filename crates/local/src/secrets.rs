//! Local keys: from the environment (`JWT_KEYS`, `PEPPER`) if set, else a file generated on
//! first start under the data folder (never committed: `.data/` is ignored).

use auth::{KeyRing, Pepper};
use base64::Engine;
use rand::TryRngCore;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read or write {path}: {reason}")]
    File { path: String, reason: String },
    #[error("invalid keys: {0}")]
    Invalid(String),
}

pub struct Secrets {
    pub keys: KeyRing,
    pub pepper: Pepper,
    /// The seed of the local VAPID key (`push::VapidKey::derive`).
    pub vapid: String,
}

#[derive(Serialize, Deserialize)]
struct DevFile {
    jwt_keys: String,
    pepper: String,
    /// Absent in files written before push existed: made and saved on the next start.
    #[serde(default)]
    vapid: Option<String>,
}

fn random_secret() -> Result<String, SecretsError> {
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| SecretsError::Invalid(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn load_or_create(data: &Path) -> Result<Secrets, SecretsError> {
    let path = data.join("dev-secrets.json");
    let io = |e: std::io::Error| SecretsError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut file: DevFile = match (std::env::var("JWT_KEYS"), std::env::var("PEPPER")) {
        (Ok(jwt_keys), Ok(pepper)) => DevFile {
            jwt_keys,
            pepper,
            vapid: std::env::var("VAPID").ok(),
        },
        _ if path.exists() => serde_json::from_slice(&std::fs::read(&path).map_err(io)?)
            .map_err(|e| SecretsError::Invalid(e.to_string()))?,
        _ => {
            let file = DevFile {
                jwt_keys: serde_json::json!({"current_kid": "dev1", "current": random_secret()?})
                    .to_string(),
                pepper: random_secret()?,
                vapid: Some(random_secret()?),
            };
            std::fs::create_dir_all(data).map_err(io)?;
            let json = serde_json::to_vec_pretty(&file)
                .map_err(|e| SecretsError::Invalid(e.to_string()))?;
            std::fs::write(&path, json).map_err(io)?;
            file
        }
    };
    let vapid = match file.vapid.take() {
        Some(v) => v,
        None => {
            let v = random_secret()?;
            file.vapid = Some(v.clone());
            if path.exists() {
                let json = serde_json::to_vec_pretty(&file)
                    .map_err(|e| SecretsError::Invalid(e.to_string()))?;
                std::fs::write(&path, json).map_err(io)?;
            }
            v
        }
    };
    Ok(Secrets {
        vapid,
        keys: KeyRing::from_json(&file.jwt_keys)
            .map_err(|e| SecretsError::Invalid(e.to_string()))?,
        pepper: Pepper::new(file.pepper.into_bytes())
            .map_err(|e| SecretsError::Invalid(e.to_string()))?,
    })
}
