//! The nudge: 30 minutes before departure (and before return where the template asks), email
//! every assigned crew member a link to the event, and push it to their subscribed phones, each
//! channel exactly once.
//!
//! The same Lambda carries the overdue alert (`NudgeKind::Overdue`, `overdue.rs`): an underway
//! event not back by its return plus the org's grace alerts the shore contacts and admins, then
//! every 30 minutes; after each step [`replan`] schedules the next.
//!
//! Invariants: the event is re-read, never trusted from the input: a cancelled, deleted, departed
//! or moved event (its anchor differs from the input's) gets no nudge. Each recipient's send is
//! claimed by a conditional write before it is made and recorded after, so a second or concurrent
//! invocation sends nothing twice and a retry after a partial failure sends only what failed.

use chrono::{DateTime, Duration, Utc};
use domain::event::{EventStatus, NudgeChannel, NudgeKind, NudgeState};
use domain::org::OrgScope;
use domain::ports::{
    Clock, DomainEvent, DomainEvents, EventStore, MailError, Mailer, MemberStore, NotifyPreference,
    NudgeKey, NudgeSchedule, OrgStore, OutgoingEmail, PushDevice, PushNote, PushResult, PushStore,
    Pusher, SendClaim, StoreError, VesselStore,
};
use domain::timing::{TaskStatus, timing_panel};
use domain::{Email, Event};
use std::sync::Arc;

mod overdue;
pub use overdue::{compose_overdue, replan};

/// A claim older than this is taken to be from an invocation that died mid-send.
pub const STALE_CLAIM: Duration = Duration::minutes(5);
/// How many upcoming tasks the email lists.
const FIRST_TASKS: usize = 3;

/// The ports the nudge uses. Built once per process.
pub struct Nudger {
    pub events: Arc<dyn EventStore>,
    pub orgs: Arc<dyn OrgStore>,
    /// Who is in the org now: a person removed since the event was planned is not nudged.
    pub members: Arc<dyn MemberStore>,
    /// The vessel's record, for the float plan an overdue alert carries.
    pub vessels: Arc<dyn VesselStore>,
    pub mailer: Arc<dyn Mailer>,
    pub publisher: Arc<dyn DomainEvents>,
    pub clock: Arc<dyn Clock>,
    /// The web app's origin, for the link to the event.
    pub app_url: String,
    /// Web Push beside email; `None` where no VAPID key is configured (email only).
    pub push: Option<PushPorts>,
}

/// What push needs: the people's phones and preferences, and the sender.
pub struct PushPorts {
    pub store: Arc<dyn PushStore>,
    pub pusher: Arc<dyn Pusher>,
}

/// One channel's send to one person.
pub(crate) enum Delivery {
    Sent,
    /// Already sent, or being sent by another invocation.
    Skipped,
    Failed {
        retryable: bool,
    },
    /// No phone to push to (all gone): the email carries the nudge.
    NoDevice,
}

/// How the sends of one invocation went.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub sent: usize,
    pub skipped: usize,
    pub failed: usize,
    pub retryable: bool,
}

impl Tally {
    pub(crate) fn add(&mut self, delivery: Delivery) {
        match delivery {
            Delivery::Sent => self.sent += 1,
            Delivery::Skipped => self.skipped += 1,
            Delivery::Failed { retryable } => {
                self.failed += 1;
                self.retryable |= retryable;
            }
            Delivery::NoDevice => {}
        }
    }
}

/// What one invocation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Emails sent now, and recipients skipped because already sent (or being sent).
    Delivered { sent: usize, skipped: usize },
    /// Nothing to do, and why.
    Ignored(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum NudgeError {
    #[error("the input is not a nudge schedule: {0}")]
    BadInput(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{failed} sends (email or push) failed for {total} recipients ({sent} sent); a retry sends only those"
    )]
    Partial {
        failed: usize,
        sent: usize,
        total: usize,
        retryable: bool,
    },
}

impl NudgeError {
    /// Worth Scheduler's retry: the store or the mail service was briefly away.
    pub fn is_retryable(&self) -> bool {
        match self {
            NudgeError::BadInput(_) => false,
            NudgeError::Store(e) => e.is_retryable(),
            NudgeError::Partial { retryable, .. } => *retryable,
        }
    }

    /// The `errorType` Lambda reports: `Retryable.*` or `Fatal.*`, so alarms and the dead-letter
    /// queue tell a blip from a bug.
    pub fn error_type(&self) -> &'static str {
        match self {
            NudgeError::BadInput(_) => "Fatal.BadInput",
            NudgeError::Store(e) if e.is_retryable() => "Retryable.StoreUnavailable",
            NudgeError::Store(_) => "Fatal.Store",
            NudgeError::Partial {
                retryable: true, ..
            } => "Retryable.MailUnavailable",
            NudgeError::Partial { .. } => "Fatal.MailRejected",
        }
    }
}

/// Parses the input as Scheduler delivers it: the schedule's own JSON.
pub fn parse_input(payload: &serde_json::Value) -> Result<NudgeSchedule, NudgeError> {
    serde_json::from_value(payload.clone()).map_err(|e| NudgeError::BadInput(e.to_string()))
}

impl Nudger {
    pub async fn run(&self, input: &NudgeSchedule) -> Result<Outcome, NudgeError> {
        // The input was written by our own api when it scheduled this nudge: a trusted trigger.
        let scope = OrgScope::trusted(input.org_id.clone());
        let event = match self.events.get_event(&scope, &input.event_id).await {
            Ok(e) => e,
            Err(StoreError::NotFound) => {
                return Ok(self.ignore(input, "the event no longer exists"));
            }
            Err(e) => return Err(e.into()),
        };
        if input.kind == NudgeKind::Overdue {
            return self.overdue(&scope, &event, input).await;
        }
        if let Some(why) = stale(&event, input) {
            return Ok(self.ignore(input, why));
        }
        let org = self.orgs.get_org(&scope).await?;
        let now = self.clock.now();
        let mut tally = Tally::default();
        // Only crew who are still members: someone removed from the org since the event was
        // planned gets nothing from it (one Query of the org's members).
        let members = self.members.list_members(&scope).await?;
        let (recipients, left): (Vec<Email>, Vec<Email>) = event
            .crew
            .iter()
            .map(|c| c.email.clone())
            .partition(|e| members.iter().any(|m| &m.email == e));
        if !left.is_empty() {
            tracing::info!(event = %event.id, not_members = left.len(), "crew no longer in the org are not nudged");
        }
        for email in &recipients {
            let message = compose(&event, &org, input.kind, email, &self.app_url, now);
            let (preference, devices) = match &self.push {
                Some(push) => (
                    push.store.notify_preference(email).await?,
                    push.store.push_devices(email, now).await?,
                ),
                None => (NotifyPreference::Email, Vec::new()),
            };
            let mut results = Vec::with_capacity(2);
            if preference != NotifyPreference::Email && !devices.is_empty() {
                let key = self.key(input, email, NudgeChannel::Push);
                results.push(
                    self.push_once(&scope, &event, &key, &message, &devices)
                        .await?,
                );
            }
            // Email unless the person chose push only and a phone took it (or is taking it).
            let pushed = results
                .iter()
                .any(|r| matches!(r, Delivery::Sent | Delivery::Skipped));
            if preference != NotifyPreference::Push || !pushed {
                let key = self.key(input, email, NudgeChannel::Email);
                results.push(self.email_once(&scope, &event, &key, &message).await?);
            }
            for result in results {
                tally.add(result);
            }
        }
        tracing::info!(event = %event.id, kind = input.kind.as_str(), sent = tally.sent, skipped = tally.skipped, failed = tally.failed, "nudge done");
        let detail = serde_json::json!({"nudge": input.kind, "anchor_at": input.anchor_at, "recipients": tally.sent});
        self.conclude(&event, "nudge.sent", detail, &tally, recipients.len())
            .await
    }

    /// Publishes what was sent to the domain-event feed (when anything was) and turns the tally
    /// into the outcome: an error naming the failures, retryable if any was, for a retry that
    /// sends only those.
    pub(crate) async fn conclude(
        &self,
        event: &Event,
        feed_kind: &str,
        detail: serde_json::Value,
        tally: &Tally,
        total: usize,
    ) -> Result<Outcome, NudgeError> {
        if tally.sent > 0 {
            let record = DomainEvent {
                kind: feed_kind.into(),
                org_id: event.org_id.clone(),
                event_id: event.id.clone(),
                at: self.clock.now(),
                detail,
            };
            if let Err(e) = self.publisher.publish(&[record]).await {
                tracing::warn!(error = %e, "domain event not published");
            }
        }
        if tally.failed > 0 {
            return Err(NudgeError::Partial {
                failed: tally.failed,
                sent: tally.sent,
                total,
                retryable: tally.retryable,
            });
        }
        Ok(Outcome::Delivered {
            sent: tally.sent,
            skipped: tally.skipped,
        })
    }

    pub(crate) fn key(
        &self,
        input: &NudgeSchedule,
        email: &Email,
        channel: NudgeChannel,
    ) -> NudgeKey {
        NudgeKey {
            kind: input.kind,
            anchor_at: input.anchor_at,
            email: email.clone(),
            channel,
        }
    }

    /// Whether this invocation now owns the send `key` names (else it was sent, or is being sent).
    async fn claimed(
        &self,
        scope: &OrgScope,
        event: &Event,
        key: &NudgeKey,
    ) -> Result<bool, NudgeError> {
        let claim = self
            .events
            .claim_nudge(scope, &event.id, key, self.clock.now(), STALE_CLAIM)
            .await?;
        Ok(claim == SendClaim::Claimed)
    }

    /// Claims, sends and records the email of one nudge to one person.
    pub(crate) async fn email_once(
        &self,
        scope: &OrgScope,
        event: &Event,
        key: &NudgeKey,
        message: &OutgoingEmail,
    ) -> Result<Delivery, NudgeError> {
        if !self.claimed(scope, event, key).await? {
            return Ok(Delivery::Skipped);
        }
        let (state, delivery) = match self.mailer.send(message).await {
            Ok(_) => (NudgeState::Sent, Delivery::Sent),
            Err(e) => {
                tracing::warn!(event = %event.id, error = %e, "nudge email failed");
                let retryable = matches!(e, MailError::Unavailable(_));
                (NudgeState::Failed, Delivery::Failed { retryable })
            }
        };
        self.events
            .finish_nudge(scope, &event.id, key, state, self.clock.now())
            .await?;
        Ok(delivery)
    }

    /// Claims, sends and records the push of one nudge to one person: to each of their phones,
    /// sent if at least one took it; a phone whose subscription is gone is removed.
    async fn push_once(
        &self,
        scope: &OrgScope,
        event: &Event,
        key: &NudgeKey,
        message: &OutgoingEmail,
        devices: &[PushDevice],
    ) -> Result<Delivery, NudgeError> {
        let Some(push) = &self.push else {
            return Ok(Delivery::NoDevice);
        };
        if !self.claimed(scope, event, key).await? {
            return Ok(Delivery::Skipped);
        }
        let note = PushNote {
            title: message.subject.clone(),
            body: format!("{} · open the checklist", event.vessel),
            url: format!(
                "{}/events/{}?org={}",
                self.app_url.trim_end_matches('/'),
                event.id,
                event.org_id
            ),
            tag: format!("{}-{}", event.id, key.kind.as_str()),
        };
        let (mut took, mut retryable, mut gone) = (0, false, 0);
        for device in devices {
            match push.pusher.push(device, &note).await {
                PushResult::Delivered => took += 1,
                PushResult::Gone => {
                    gone += 1;
                    push.store
                        .remove_push_device(&key.email, &device.id)
                        .await?;
                }
                PushResult::Failed { retryable: r } => retryable |= r,
            }
        }
        if gone > 0 {
            tracing::info!(event = %event.id, gone, "push subscriptions gone, removed");
        }
        let (state, delivery) = if took > 0 {
            (NudgeState::Sent, Delivery::Sent)
        } else if gone == devices.len() {
            // Every phone unsubscribed: nothing to retry; email carries the nudge.
            (NudgeState::Failed, Delivery::NoDevice)
        } else {
            tracing::warn!(event = %event.id, "nudge push failed on every phone");
            (NudgeState::Failed, Delivery::Failed { retryable })
        };
        self.events
            .finish_nudge(scope, &event.id, key, state, self.clock.now())
            .await?;
        Ok(delivery)
    }

    pub(crate) fn ignore(&self, input: &NudgeSchedule, why: &'static str) -> Outcome {
        tracing::info!(event = %input.event_id, kind = input.kind.as_str(), reason = why, "nudge ignored");
        Outcome::Ignored(why)
    }
}

/// Why a nudge made for `input` no longer applies to `event`, if it does not.
fn stale(event: &Event, input: &NudgeSchedule) -> Option<&'static str> {
    match (event.status, input.kind) {
        (EventStatus::Cancelled, _) => return Some("the event was cancelled"),
        (EventStatus::Completed, _) => return Some("the event is over"),
        (EventStatus::Underway, NudgeKind::Departure) => return Some("the event has departed"),
        _ => {}
    }
    let anchor = match input.kind {
        NudgeKind::Departure => event.departs_at,
        NudgeKind::Return => event.returns_at,
        NudgeKind::FloatPlan => return Some("a float plan is sent by the api, never scheduled"),
        NudgeKind::Overdue => return Some("an overdue alert is not a reminder"),
    };
    if anchor != input.anchor_at {
        return Some("the event was moved; its new schedule will nudge");
    }
    if !event.template().nudges.contains(&input.kind) {
        return Some("this kind of event gets no such nudge");
    }
    None
}

fn minutes_until(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((at - now).num_seconds() + 59).div_euclid(60).max(0)
}

/// The email: what, when (local time and minutes from now), the first tasks due, a link.
pub fn compose(
    event: &Event,
    org: &domain::org::Org,
    kind: NudgeKind,
    to: &Email,
    app_url: &str,
    now: DateTime<Utc>,
) -> OutgoingEmail {
    let (anchor, verb) = match kind {
        // A float plan is never composed here; a departure reminder is the nearest sense.
        NudgeKind::Departure | NudgeKind::FloatPlan | NudgeKind::Overdue => {
            (event.departs_at, "departs")
        }
        NudgeKind::Return => (
            event.returns_at,
            if event.kind == domain::EventKind::Haul {
                "pick-up is"
            } else {
                "returns"
            },
        ),
    };
    let local = anchor.with_timezone(&org.zone);
    let minutes = minutes_until(anchor, now);
    let when = local.format("%-I:%M %p").to_string();
    let subject = format!("{} {verb} in {minutes} min ({when})", event.title);
    let panel = timing_panel(event, org, now);
    let tasks: Vec<String> = panel
        .tasks
        .iter()
        .filter(|t| {
            matches!(
                t.status,
                TaskStatus::Due | TaskStatus::Overdue | TaskStatus::Upcoming
            )
        })
        .take(FIRST_TASKS)
        .map(|t| {
            // Tasks still open, earliest first (the panel's order); a task due on another day
            // than the anchor says which day.
            let due = t
                .due
                .as_ref()
                .map(|d| {
                    let at = d.at.with_timezone(&org.zone);
                    if at.date_naive() == local.date_naive() {
                        at.format("%-I:%M %p").to_string()
                    } else {
                        at.format("%a %-I:%M %p").to_string()
                    }
                })
                .unwrap_or_else(|| "unscheduled".into());
            format!(
                "{due} · {}{}",
                t.title,
                if t.safety_critical { " (safety)" } else { "" }
            )
        })
        .collect();
    // The org in the link lets the app switch to it for someone signed in to another of their orgs.
    let link = format!(
        "{}/events/{}?org={}",
        app_url.trim_end_matches('/'),
        event.id,
        event.org_id
    );
    let role = event
        .crew_role_of(to)
        .map(|r| match r {
            domain::CrewRole::Captain => "captain",
            domain::CrewRole::Crew => "crew",
        })
        .unwrap_or("crew");
    let text = format!(
        "{title} {verb} at {when} ({minutes} minutes from now), {vessel}. You are {role}.\n\nFirst tasks:\n{list}\n\nOpen the event: {link}\n",
        title = event.title,
        vessel = event.vessel,
        list = if tasks.is_empty() {
            "- none left".to_string()
        } else {
            tasks
                .iter()
                .map(|t| format!("- {t}"))
                .collect::<Vec<_>>()
                .join("\n")
        },
    );
    let items: String = tasks
        .iter()
        .map(|t| format!("<li style=\"margin:0 0 6px 0;\">{}</li>", mail::escape(t)))
        .collect();
    let html = mail::layout(
        &subject,
        &format!(
            "<p style=\"margin:0 0 12px 0;\"><strong>{title}</strong> {verb} at <strong>{when}</strong> \
({minutes} minutes from now), {vessel}. You are {role}.</p>\
<p style=\"margin:0 0 6px 0;\">First tasks:</p><ul style=\"margin:0 0 8px 20px;padding:0;\">{items}</ul>{button}",
            title = mail::escape(&event.title),
            vessel = mail::escape(&event.vessel),
            when = mail::escape(&when),
            items = if items.is_empty() {
                "<li>none left</li>".to_string()
            } else {
                items
            },
            button = mail::button(&link, "Open the event"),
        ),
    );
    OutgoingEmail {
        to: to.clone(),
        subject,
        html,
        text,
        headers: Vec::new(),
        category: "nudge",
    }
}

/// The input of the hourly reconciliation schedule (CDK's `NudgeReconcileSchedule`).
pub const RECONCILE_INPUT: &str = r#"{"reconcile":{}}"#;

/// Whether `payload` is the hourly reconciliation's input rather than one nudge's.
pub fn is_reconcile(payload: &serde_json::Value) -> bool {
    payload
        .get("reconcile")
        .is_some_and(serde_json::Value::is_object)
}

/// The one line a reconciliation run logs (a warning when a step failed: it is tried again next
/// hour). The local server's runs log it too.
pub fn log_reconciled(done: &domain::nudge::Reconciled) {
    let domain::nudge::Reconciled {
        orgs,
        events,
        scheduled,
        removed,
        failed,
    } = *done;
    if failed > 0 {
        tracing::warn!(
            orgs,
            events,
            scheduled,
            removed,
            failed,
            "nudges reconciled; the failed steps are tried again next hour"
        );
    } else {
        tracing::info!(
            orgs,
            events,
            scheduled,
            removed,
            failed,
            "nudges reconciled"
        );
    }
}

/// The hourly run: re-plans the nudges of every event departing in the next 48 hours or still
/// underway, in every org (`domain::nudge::reconcile`), so a schedule that a Scheduler failure on
/// create, move or cancel left missing, stale or behind is put right within the hour. One log line
/// says what it did. A store failure goes back to Scheduler for a retry; a step the scheduler
/// refused is counted and tried again next hour.
pub async fn reconcile(
    nudger: &Nudger,
    scheduler: &dyn domain::ports::NudgeScheduler,
) -> Result<serde_json::Value, NudgeError> {
    let now = nudger.clock.now();
    let done = domain::nudge::reconcile(
        &*nudger.orgs,
        &*nudger.events,
        scheduler,
        now,
        now + domain::nudge::RECONCILE_AHEAD,
    )
    .await?;
    log_reconciled(&done);
    Ok(serde_json::json!({
        "reconciled": {
            "orgs": done.orgs,
            "events": done.events,
            "scheduled": done.scheduled,
            "removed": done.removed,
            "failed": done.failed,
        }
    }))
}

/// Bad input is logged and acknowledged (retrying cannot fix it); retryable failures go back to
/// Scheduler, whose retry policy tries again within fifteen minutes.
pub async fn handle(
    nudger: &Nudger,
    payload: &serde_json::Value,
) -> Result<serde_json::Value, NudgeError> {
    let input = match parse_input(payload) {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "not a nudge input; dropped");
            return Ok(serde_json::json!({"ignored": "bad input"}));
        }
    };
    match nudger.run(&input).await {
        Ok(Outcome::Delivered { sent, skipped }) => {
            Ok(serde_json::json!({"sent": sent, "skipped": skipped}))
        }
        Ok(Outcome::Ignored(why)) => Ok(serde_json::json!({"ignored": why})),
        Err(e) if e.is_retryable() => Err(e),
        Err(e) => {
            tracing::error!(error = %e, error_type = e.error_type(), "nudge failed for good");
            Err(e)
        }
    }
}

/// Lambda reports a failure with our own `errorType` (`Retryable.*` / `Fatal.*`), not a Rust type
/// name, so alarms and the dead-letter queue tell a blip from a bug.
#[cfg(feature = "lambda")]
impl From<NudgeError> for lambda_runtime::Diagnostic {
    fn from(e: NudgeError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: e.error_type().into(),
            error_message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use domain::event::{EventSpec, TaskState};
    use domain::{CrewAssignment, CrewRole, EventId, EventKind, OpId, OrgId, TaskId};

    #[test]
    fn the_email_lists_open_tasks_earliest_first_with_their_day() {
        let la = chrono_tz::America::Los_Angeles;
        let departs_at = la
            .with_ymd_and_hms(2026, 7, 4, 11, 0, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc);
        let cap = Email::parse("cap@example.com").expect("valid");
        let org = domain::org::Org {
            id: OrgId::parse("jada").expect("valid"),
            name: "JADA".into(),
            zone: la,
            home_port: domain::seed::san_diego(),
            enabled_kinds: EventKind::ALL.to_vec(),
            report_recipients: Default::default(),
            created_at: departs_at,
            safety: Default::default(),
            version: 1,
        };
        let mut event = Event::new(
            EventId::generate(),
            org.id.clone(),
            EventSpec {
                kind: EventKind::Charter,
                title: "Lee family".into(),
                vessel: "Jada".into(),
                vessel_id: None,
                passengers: Default::default(),
                departs_at,
                returns_at: departs_at + Duration::hours(4),
                crew: vec![CrewAssignment {
                    email: cap.clone(),
                    role: CrewRole::Captain,
                }],
                notes: String::new(),
                revenue_cents: None,
            },
            cap.clone(),
            departs_at,
        );
        // The day-before manifest is done; catering (day before) is not.
        event.tasks.insert(
            TaskId::parse("guest_manifest").expect("valid"),
            TaskState {
                done: true,
                by: cap.clone(),
                at: departs_at,
                recorded_at: departs_at,
                op_id: OpId::parse("op-test-0001").expect("valid"),
                note: String::new(),
                photos: Vec::new(),
            },
        );
        let now = departs_at - Duration::minutes(30);
        let email = compose(
            &event,
            &org,
            NudgeKind::Departure,
            &cap,
            "https://app.example.com",
            now,
        );
        assert_eq!(email.subject, "Lee family departs in 30 min (11:00 AM)");
        let list: Vec<&str> = email.text.lines().filter(|l| l.starts_with("- ")).collect();
        assert_eq!(list.len(), 3);
        assert!(
            list[0].starts_with("- Fri 11:00 AM · Confirm catering"),
            "{list:?}"
        );
        assert!(
            list[1].starts_with("- 9:00 AM · Check the NWS marine forecast"),
            "{list:?}"
        );
        assert!(
            !email.text.contains("Confirm the guest count"),
            "done tasks are not listed"
        );
        assert!(email.text.contains(&format!(
            "https://app.example.com/events/{}?org=jada",
            event.id
        )));
    }
}
