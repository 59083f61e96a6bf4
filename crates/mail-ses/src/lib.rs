//! The `Mailer` port on Amazon SES v2. Each message goes out as raw MIME (so `List-Unsubscribe`
//! and the text and HTML alternatives arrive exactly as rendered), from `SES_SENDER_ADDRESS`,
//! through the configured configuration set.
//!
//! Invariant: throttling and service faults are `MailError::Unavailable` (retry later); a rejected
//! message or an unverified identity is `MailError::Rejected` (retrying will not help). Neither
//! error text includes a recipient.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use domain::ports::{MailError, Mailer, OutgoingEmail};

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self {
            client,
            from: from.into(),
            configuration_set: configuration_set.filter(|c| !c.is_empty()),
        }
    }
}

fn classify<E, R>(err: SdkError<E, R>) -> MailError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or("unknown").to_string();
    let transient = aws_env::is_transient(
        &err,
        &[
            "TooManyRequestsException",
            "LimitExceededException",
            "Throttling",
            "ThrottlingException",
            "InternalFailure",
            "ServiceUnavailable",
            "InternalServerError",
        ],
    );
    if transient {
        MailError::Unavailable(code)
    } else {
        MailError::Rejected(code)
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let mime = mail::to_mime(email, &self.from)?;
        let raw = RawMessage::builder()
            .data(Blob::new(mime))
            .build()
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(classify)?;
        let id = out.message_id.unwrap_or_default();
        tracing::info!(category = email.category, message_id = %id, "email sent");
        Ok(id)
    }
}
