//! The `PhotoStorage` port on a local folder (`.data/photos/`), standing in for S3: the api signs
//! URLs to `/dev/photos/<key>` with a key made at start (HMAC-SHA256 over the operation, key,
//! type, length and expiry), the phone PUTs and GETs there, and nothing else can. Like S3, a PUT
//! must carry exactly the signed type and length, and an expired or altered URL is refused.

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, Utc};
use domain::photo::MAX_PHOTO_BYTES;
use domain::ports::{PhotoError, PhotoStorage, PresignedUpload};
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct FolderPhotos {
    dir: PathBuf,
    base_url: String,
    secret: Arc<[u8; 32]>,
}

impl FolderPhotos {
    /// Photos under `dir`; URLs on `base_url` (the local server's origin). The signing key is new
    /// at every start: URLs signed before a restart stop working, as short-lived ones would.
    pub fn new(dir: PathBuf, base_url: &str) -> Result<Self, std::io::Error> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut secret)
            .map_err(std::io::Error::other)?;
        Ok(Self {
            dir,
            base_url: base_url.trim_end_matches('/').to_string(),
            secret: Arc::new(secret),
        })
    }

    fn sign(&self, op: &str, key: &str, content_type: &str, bytes: u64, exp: i64) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&*self.secret) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(format!("{op}\n{key}\n{content_type}\n{bytes}\n{exp}").as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn verify(&self, op: &str, key: &str, q: &Signed) -> bool {
        let want = self.sign(op, key, &q.r#type, q.len, q.exp);
        !want.is_empty()
            && want.len() == q.sig.len()
            && want
                .bytes()
                .zip(q.sig.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
            && q.exp >= Utc::now().timestamp()
    }

    /// A stored key's file; `None` for a key that could climb out of the folder.
    fn path(&self, key: &str) -> Option<PathBuf> {
        let safe = key.starts_with("photos/")
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
        safe.then(|| self.dir.join(key))
    }

    fn url(
        &self,
        op: &str,
        key: &str,
        content_type: &str,
        bytes: u64,
        valid_for: Duration,
    ) -> String {
        let exp = (Utc::now() + valid_for).timestamp();
        let sig = self.sign(op, key, content_type, bytes, exp);
        format!(
            "{}/dev/{key}?type={}&len={bytes}&exp={exp}&sig={sig}",
            self.base_url,
            content_type.replace('/', "%2F")
        )
    }
}

#[async_trait]
impl PhotoStorage for FolderPhotos {
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        bytes: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, PhotoError> {
        self.path(key)
            .ok_or_else(|| PhotoError::Refused("not a photo key".into()))?;
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_string(), content_type.to_string());
        headers.insert("content-length".to_string(), bytes.to_string());
        Ok(PresignedUpload {
            url: self.url("put", key, content_type, bytes, valid_for),
            method: "PUT".into(),
            headers,
        })
    }

    async fn download_url(&self, key: &str, valid_for: Duration) -> Result<String, PhotoError> {
        self.path(key)
            .ok_or_else(|| PhotoError::Refused("not a photo key".into()))?;
        Ok(self.url("get", key, "", 0, valid_for))
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, PhotoError> {
        let Some(path) = self.path(key) else {
            return Ok(None);
        };
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(PhotoError::Unavailable(e.to_string())),
        }
    }
}

#[derive(Deserialize)]
struct Signed {
    #[serde(default)]
    r#type: String,
    #[serde(default)]
    len: u64,
    exp: i64,
    sig: String,
}

/// `PUT` and `GET /dev/photos/<key>`, outside the api's 64 KiB body limit (a photo is up to 5 MB).
pub fn router(photos: FolderPhotos) -> Router {
    Router::new()
        .route("/dev/photos/{*rest}", get(download).put(upload))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES as usize + 1024))
        .with_state(photos)
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    (status, why).into_response()
}

async fn upload(
    State(photos): State<FolderPhotos>,
    Path(rest): Path<String>,
    Query(q): Query<Signed>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = format!("photos/{rest}");
    if !photos.verify("put", &key, &q) {
        return refuse(StatusCode::FORBIDDEN, "signature does not match or expired");
    }
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sent_type != q.r#type || body.len() as u64 != q.len {
        return refuse(
            StatusCode::FORBIDDEN,
            "the content type or length is not the signed one",
        );
    }
    let Some(path) = photos.path(&key) else {
        return refuse(StatusCode::BAD_REQUEST, "not a photo key");
    };
    if let Some(parent) = path.parent()
        && tokio::fs::create_dir_all(parent).await.is_err()
    {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "cannot store");
    }
    match tokio::fs::write(&path, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "cannot store"),
    }
}

async fn download(
    State(photos): State<FolderPhotos>,
    Path(rest): Path<String>,
    Query(q): Query<Signed>,
) -> Response {
    let key = format!("photos/{rest}");
    if !photos.verify("get", &key, &q) {
        return refuse(StatusCode::FORBIDDEN, "signature does not match or expired");
    }
    let Some(path) = photos.path(&key) else {
        return refuse(StatusCode::NOT_FOUND, "no such photo");
    };
    let content_type = match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => refuse(StatusCode::NOT_FOUND, "no such photo"),
    }
}
