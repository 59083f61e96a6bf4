//! The `PhotoStorage` port on Amazon S3. Photos go from the phone to the bucket with a presigned
//! PUT whose signature covers the content type and the exact content length (the api checked
//! both against the limits first), so S3 refuses any other body; the app shows them through
//! presigned GETs. The api never carries the bytes.
//!
//! Invariants: no checksum headers in a presigned PUT (the SDK would add CRC32 ones the browser
//! cannot send); a missing object is `None`, not an error; no key or URL is logged.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use chrono::Duration;
use domain::ports::{PhotoError, PhotoStorage, PresignedUpload};

#[derive(Debug, Clone)]
pub struct S3Photos {
    client: Client,
    bucket: String,
}

impl S3Photos {
    /// A client on `sdk` that adds checksums only where S3 requires them (never to a PUT a browser
    /// makes with a presigned URL).
    pub fn new(sdk: &aws_env::SdkConfig, bucket: impl Into<String>) -> Self {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build();
        Self {
            client: Client::from_conf(config),
            bucket: bucket.into(),
        }
    }
}

fn presigning(valid_for: Duration) -> Result<PresigningConfig, PhotoError> {
    let secs = u64::try_from(valid_for.num_seconds().max(1)).unwrap_or(1);
    PresigningConfig::expires_in(std::time::Duration::from_secs(secs))
        .map_err(|e| PhotoError::Refused(format!("presigning: {e}")))
}

fn classify<E, R>(err: SdkError<E, R>) -> PhotoError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or("unknown").to_string();
    if aws_env::is_transient(&err, &["SlowDown", "InternalError", "ServiceUnavailable"]) {
        PhotoError::Unavailable(code)
    } else {
        PhotoError::Refused(code)
    }
}

#[async_trait]
impl PhotoStorage for S3Photos {
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        bytes: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, PhotoError> {
        let length = i64::try_from(bytes).map_err(|_| PhotoError::Refused("length".into()))?;
        let signed = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(presigning(valid_for)?)
            .await
            .map_err(classify)?;
        Ok(PresignedUpload {
            url: signed.uri().to_string(),
            method: signed.method().to_string(),
            headers: signed
                .headers()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
        })
    }

    async fn download_url(&self, key: &str, valid_for: Duration) -> Result<String, PhotoError> {
        let signed = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning(valid_for)?)
            .await
            .map_err(classify)?;
        Ok(signed.uri().to_string())
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, PhotoError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(head) => Ok(Some(
                head.content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            )),
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }
}
