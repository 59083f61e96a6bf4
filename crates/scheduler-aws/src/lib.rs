//! The `NudgeScheduler` port on Amazon EventBridge Scheduler.
//!
//! Each nudge is a one-time schedule `at(yyyy-mm-ddThh:mm:ss)` in UTC, named deterministically
//! from org, event and kind, in the stage's schedule group, with no flexible window, deleted by
//! Scheduler after it fires, targeting the nudge Lambda with the schedule itself as JSON input.
//!
//! Invariants: create is idempotent (a conflict becomes a full update, because UpdateSchedule
//! resets every field it is not given); delete of a missing schedule counts as done.

use async_trait::async_trait;
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use domain::event::NudgeKind;
use domain::nudge::schedule_name;
use domain::ports::{NudgeSchedule, NudgeScheduler, SchedulerError};
use domain::{EventId, OrgId};

/// A nudge delivered later than this after its time is no use: Scheduler stops retrying.
pub const MAX_EVENT_AGE_SECS: i32 = 15 * 60;
pub const MAX_RETRIES: i32 = 5;

/// Where schedules go and what they invoke, from the stage's configuration.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    pub group: String,
    /// The nudge Lambda's ARN.
    pub target_arn: String,
    /// The role Scheduler assumes to invoke it.
    pub role_arn: String,
    /// Where undeliverable nudges go.
    pub dead_letter_arn: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventBridgeScheduler {
    client: Client,
    config: SchedulerConfig,
}

/// `at(...)` in UTC, to the second.
pub fn at_expression(schedule: &NudgeSchedule) -> String {
    format!("at({})", schedule.fire_at.format("%Y-%m-%dT%H:%M:%S"))
}

fn classify<E, R>(err: SdkError<E, R>) -> SchedulerError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or("unknown").to_string();
    let transient = aws_env::is_transient(
        &err,
        &[
            "ThrottlingException",
            "InternalServerException",
            "ServiceQuotaExceededException",
        ],
    );
    let message = format!("{code}: {}", err.message().unwrap_or_default());
    if transient {
        SchedulerError::Unavailable(message)
    } else {
        SchedulerError::Rejected(message)
    }
}

impl EventBridgeScheduler {
    pub fn new(client: Client, config: SchedulerConfig) -> Self {
        Self { client, config }
    }

    fn target(&self, schedule: &NudgeSchedule) -> Result<Target, SchedulerError> {
        let input =
            serde_json::to_string(schedule).map_err(|e| SchedulerError::Rejected(e.to_string()))?;
        Target::builder()
            .arn(&self.config.target_arn)
            .role_arn(&self.config.role_arn)
            .input(input)
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_event_age_in_seconds(MAX_EVENT_AGE_SECS)
                    .maximum_retry_attempts(MAX_RETRIES)
                    .build(),
            )
            .set_dead_letter_config(
                self.config
                    .dead_letter_arn
                    .as_ref()
                    .map(|arn| DeadLetterConfig::builder().arn(arn).build()),
            )
            .build()
            .map_err(|e| SchedulerError::Rejected(e.to_string()))
    }

    fn window() -> Result<FlexibleTimeWindow, SchedulerError> {
        FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Off)
            .build()
            .map_err(|e| SchedulerError::Rejected(e.to_string()))
    }
}

#[async_trait]
impl NudgeScheduler for EventBridgeScheduler {
    async fn upsert(&self, schedule: &NudgeSchedule) -> Result<(), SchedulerError> {
        let name = schedule_name(&schedule.org_id, &schedule.event_id, schedule.kind);
        // The whole definition, for a create or an update alike (two builder types, same setters).
        macro_rules! definition {
            ($request:expr) => {
                $request
                    .name(&name)
                    .group_name(&self.config.group)
                    .schedule_expression(at_expression(schedule))
                    .schedule_expression_timezone("UTC")
                    .flexible_time_window(Self::window()?)
                    .action_after_completion(ActionAfterCompletion::Delete)
                    .target(self.target(schedule)?)
            };
        }
        match definition!(self.client.create_schedule()).send().await {
            Ok(_) => {}
            Err(e) if e.code() == Some("ConflictException") => {
                // Moved: UpdateSchedule replaces the whole definition, so send all of it again.
                definition!(self.client.update_schedule())
                    .send()
                    .await
                    .map_err(classify)?;
            }
            Err(e) => return Err(classify(e)),
        }
        tracing::info!(schedule = %name, fire_at = %schedule.fire_at, "nudge scheduled");
        Ok(())
    }

    async fn delete(
        &self,
        org: &OrgId,
        event: &EventId,
        kind: NudgeKind,
    ) -> Result<(), SchedulerError> {
        let name = schedule_name(org, event, kind);
        match self
            .client
            .delete_schedule()
            .name(&name)
            .group_name(&self.config.group)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}
