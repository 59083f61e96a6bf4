//! The AWS SDK configuration, loaded once per process (in each Lambda's `main`, before the
//! runtime loop) and shared by every SDK client the process builds.
//!
//! Invariant: one HTTPS stack for all clients, rustls with the `ring` provider; no client crate
//! enables the SDK's default client (which would compile aws-lc and a second TLS stack).

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// Region, credentials and endpoint come from the environment as usual (`AWS_REGION`, the Lambda
/// role's credentials, `AWS_ENDPOINT_URL` for a local endpoint in tests).
pub async fn load() -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await
}

/// For tests that need a wire-compatible AWS endpoint (the moto server `make test` starts): the
/// SDK configuration pointing at `AWS_ENDPOINT_URL`, or `None` when it is not set outside CI.
/// Under `CI=true` a missing endpoint panics, so CI never skips these tests silently.
///
/// Static test credentials are required so the default chain never probes instance metadata.
pub async fn test_endpoint() -> Option<SdkConfig> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    match endpoint {
        Some(url) => {
            assert!(
                url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost"),
                "AWS_ENDPOINT_URL must be a local test endpoint, not {url}"
            );
            assert!(
                std::env::var("AWS_ACCESS_KEY_ID").is_ok(),
                "set static test credentials (AWS_ACCESS_KEY_ID=test) with AWS_ENDPOINT_URL"
            );
            Some(load().await)
        }
        None if in_ci => panic!(
            "CI=true but AWS_ENDPOINT_URL is not set: run these tests through `make test`, which starts moto"
        ),
        None => {
            eprintln!(
                "SKIPPED: AWS_ENDPOINT_URL is not set; `make test` starts a moto server and runs these"
            );
            None
        }
    }
}

/// Whether an SDK failure is worth retrying later: a timeout, a failed dispatch, an unreadable
/// response, or one of the service's throttling and fault `codes`. Everything else (validation,
/// permissions, missing resources) will fail the same way again.
pub fn is_transient<E, R>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
    codes: &[&str],
) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    ) || err.code().is_some_and(|code| codes.contains(&code))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("cannot read secret {name}: {reason}")]
    Secret { name: &'static str, reason: String },
}

/// A required environment variable.
pub fn env(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConfigError::Missing(name))
}

/// An optional environment variable (unset and empty are the same).
pub fn env_opt(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Reads a secret's string value once (at init), by the ARN named in environment variable `name`.
/// The value is never logged.
#[cfg(feature = "secrets")]
pub async fn secret(config: &SdkConfig, name: &'static str) -> Result<String, ConfigError> {
    SecretReader::from_env(config, name)?.read().await
}

/// A secret that is read more than once (the origin secret, re-read after a rotation): the ARN
/// from the environment and a Secrets Manager client, resolved once at init, so a later read is
/// one call. Cheap to clone. Neither it nor its errors ever hold the value.
#[cfg(feature = "secrets")]
#[derive(Debug, Clone)]
pub struct SecretReader {
    client: aws_sdk_secretsmanager::Client,
    arn: String,
    name: &'static str,
}

#[cfg(feature = "secrets")]
impl SecretReader {
    /// The secret whose ARN is in environment variable `name`.
    pub fn from_env(config: &SdkConfig, name: &'static str) -> Result<Self, ConfigError> {
        Ok(Self {
            client: aws_sdk_secretsmanager::Client::new(config),
            arn: env(name)?,
            name,
        })
    }

    /// The secret's current string value.
    pub async fn read(&self) -> Result<String, ConfigError> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(&self.arn)
            .send()
            .await
            .map_err(|e| ConfigError::Secret {
                name: self.name,
                reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
            })?;
        out.secret_string.ok_or(ConfigError::Secret {
            name: self.name,
            reason: "the secret has no string value".into(),
        })
    }
}
