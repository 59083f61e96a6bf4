//! The domain-event feed, locally: one JSON line per event appended to a file.

use async_trait::async_trait;
use domain::ports::{DomainEvent, DomainEvents, PublishError};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

pub struct FileFeed {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileFeed {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }
}

#[async_trait]
impl DomainEvents for FileFeed {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        let mut lines = String::new();
        for e in events {
            lines.push_str(&serde_json::to_string(e).map_err(|e| PublishError(e.to_string()))?);
            lines.push('\n');
        }
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(|e| PublishError(e.to_string()))?;
        file.write_all(lines.as_bytes())
            .await
            .map_err(|e| PublishError(e.to_string()))
    }
}
