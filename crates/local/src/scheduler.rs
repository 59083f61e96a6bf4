//! The in-process stand-in for EventBridge Scheduler: keeps the pending nudges in memory, and a
//! task fires each at its time through the same `Nudger` the nudge Lambda runs.

use async_trait::async_trait;
use chrono::Utc;
use domain::event::NudgeKind;
use domain::nudge::schedule_name;
use domain::ports::{NudgeSchedule, NudgeScheduler, SchedulerError};
use domain::{EventId, OrgId};
use nudge::{Nudger, Outcome};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

pub struct LocalScheduler {
    pending: Mutex<BTreeMap<String, NudgeSchedule>>,
    changed: Arc<Notify>,
    nudger: Arc<Nudger>,
}

impl LocalScheduler {
    /// Starts the firing task (it lives as long as the scheduler).
    pub fn spawn(nudger: Arc<Nudger>) -> Arc<Self> {
        let scheduler = Arc::new(Self {
            pending: Mutex::new(BTreeMap::new()),
            changed: Arc::new(Notify::new()),
            nudger,
        });
        // The task holds only a weak reference: when the server is dropped (a restart in tests),
        // the store it reaches through the nudger is released, and the task ends at its next wake.
        let weak = Arc::downgrade(&scheduler);
        let changed = Arc::clone(&scheduler.changed);
        tokio::spawn(async move {
            loop {
                let wait = match weak.upgrade() {
                    Some(this) => match this.next_due() {
                        Some(at) => (at - Utc::now()).to_std().unwrap_or_default(),
                        None => std::time::Duration::from_secs(3600),
                    },
                    None => return,
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = changed.notified() => {}
                }
                let Some(this) = weak.upgrade() else { return };
                for due in this.take_due() {
                    this.fire(&due).await;
                }
            }
        });
        scheduler
    }

    fn next_due(&self) -> Option<chrono::DateTime<Utc>> {
        self.pending.lock().ok()?.values().map(|s| s.fire_at).min()
    }

    fn take_due(&self) -> Vec<NudgeSchedule> {
        let now = Utc::now();
        let Ok(mut pending) = self.pending.lock() else {
            return Vec::new();
        };
        let due: Vec<String> = pending
            .iter()
            .filter(|(_, s)| s.fire_at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        // Like ActionAfterCompletion DELETE: a fired schedule is gone.
        due.iter().filter_map(|k| pending.remove(k)).collect()
    }

    async fn fire(&self, schedule: &NudgeSchedule) -> Option<Outcome> {
        match self.nudger.run(schedule).await {
            Ok(outcome) => {
                // An overdue step schedules the next one, as the nudge Lambda does.
                nudge::replan(&self.nudger, self, schedule).await;
                Some(outcome)
            }
            Err(e) => {
                tracing::warn!(event = %schedule.event_id, error = %e, "local nudge failed");
                None
            }
        }
    }

    /// Every pending schedule (for `/dev/schedules`).
    pub fn pending(&self) -> Vec<NudgeSchedule> {
        self.pending
            .lock()
            .map(|p| p.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Fires an event's pending nudge of `kind` now (for demos and tests). `None` if there is none.
    pub async fn fire_now(
        &self,
        event: &EventId,
        kind: NudgeKind,
    ) -> Option<Result<Outcome, String>> {
        let schedule = {
            let mut pending = self.pending.lock().ok()?;
            let key = pending
                .iter()
                .find(|(_, s)| &s.event_id == event && s.kind == kind)
                .map(|(k, _)| k.clone())?;
            pending.remove(&key)?
        };
        let outcome = self.nudger.run(&schedule).await.map_err(|e| e.to_string());
        if outcome.is_ok() {
            nudge::replan(&self.nudger, self, &schedule).await;
        }
        Some(outcome)
    }
}

#[async_trait]
impl NudgeScheduler for LocalScheduler {
    async fn upsert(&self, schedule: &NudgeSchedule) -> Result<(), SchedulerError> {
        let name = schedule_name(&schedule.org_id, &schedule.event_id, schedule.kind);
        self.pending
            .lock()
            .map_err(|_| SchedulerError::Unavailable("scheduler lock poisoned".into()))?
            .insert(name, schedule.clone());
        self.changed.notify_one();
        Ok(())
    }

    async fn delete(
        &self,
        org: &OrgId,
        event: &EventId,
        kind: NudgeKind,
    ) -> Result<(), SchedulerError> {
        self.pending
            .lock()
            .map_err(|_| SchedulerError::Unavailable("scheduler lock poisoned".into()))?
            .remove(&schedule_name(org, event, kind));
        self.changed.notify_one();
        Ok(())
    }
}
