//! Local Web Push: what the nudge would have pushed, kept in `push.jsonl` under the data folder and
//! listed at `/dev/push`, like the email outbox. Nothing leaves the machine.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{Clock, PushDevice, PushNote, PushResult, Pusher};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One push that would have gone to one phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushEntry {
    pub at: DateTime<Utc>,
    pub phone_id: String,
    pub phone_label: String,
    pub title: String,
    pub body: String,
    pub url: String,
    pub tag: String,
}

#[derive(Clone)]
pub struct PushOutbox {
    path: PathBuf,
    clock: Arc<dyn Clock>,
    lock: Arc<Mutex<()>>,
}

impl PushOutbox {
    pub fn new(path: PathBuf, clock: Arc<dyn Clock>) -> Self {
        Self {
            path,
            clock,
            lock: Arc::default(),
        }
    }

    /// Every push recorded, oldest first; an unreadable line is skipped.
    pub fn entries(&self) -> Vec<PushEntry> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn append(&self, entry: &PushEntry) -> std::io::Result<()> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| std::io::Error::other("lock"))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")
    }
}

#[async_trait]
impl Pusher for PushOutbox {
    async fn push(&self, device: &PushDevice, note: &PushNote) -> PushResult {
        let entry = PushEntry {
            at: self.clock.now(),
            phone_id: device.id.clone(),
            phone_label: device.label.clone(),
            title: note.title.clone(),
            body: note.body.clone(),
            url: note.url.clone(),
            tag: note.tag.clone(),
        };
        match self.append(&entry) {
            Ok(()) => PushResult::Delivered,
            Err(e) => {
                tracing::warn!(error = %e, "local push outbox not written");
                PushResult::Failed { retryable: true }
            }
        }
    }
}
