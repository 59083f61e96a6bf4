//! The overdue alert: an underway event not marked returned by its return time plus the org's
//! grace. Each step (the overdue time, then every 30 minutes) mails the shore contacts and the
//! org's admins once each, with the float plan inline; [`replan`] then schedules the next step,
//! until the event is marked returned or an admin acknowledges.

use crate::{NudgeError, Nudger, Outcome};
use chrono::{DateTime, Utc};
use domain::event::{EventStatus, NudgeChannel, NudgeKind};
use domain::float_plan::{self, FloatPlan};
use domain::nudge::{OVERDUE_REPEAT, is_overdue_step, overdue_acknowledged, overdue_from};
use domain::org::{Org, OrgScope};
use domain::ports::{NudgeSchedule, NudgeScheduler, OutgoingEmail, StoreError};
use domain::{Email, Event, Role};
use std::collections::BTreeMap;

impl Nudger {
    /// One step of the overdue alert (the event is already read).
    pub(crate) async fn overdue(
        &self,
        scope: &OrgScope,
        event: &Event,
        input: &NudgeSchedule,
    ) -> Result<Outcome, NudgeError> {
        match event.status {
            EventStatus::Underway => {}
            EventStatus::Completed => {
                return Ok(self.ignore(input, "the event was marked returned"));
            }
            EventStatus::Cancelled => return Ok(self.ignore(input, "the event was cancelled")),
            EventStatus::Scheduled => return Ok(self.ignore(input, "the event has not departed")),
        }
        let org = self.orgs.get_org(scope).await?;
        let grace = org.safety.overdue_grace();
        if overdue_acknowledged(event, grace) {
            return Ok(self.ignore(input, "an admin acknowledged the overdue alert"));
        }
        if !is_overdue_step(event, grace, input.anchor_at) {
            return Ok(self.ignore(input, "the return time moved; its new schedule will alert"));
        }
        let members = self.members.list_members(scope).await?;
        let mut recipients: Vec<Email> = org
            .safety
            .shore_contacts
            .iter()
            .map(|c| c.email.clone())
            .collect();
        for admin in members.iter().filter(|m| m.role == Role::Admin) {
            if !recipients.contains(&admin.email) {
                recipients.push(admin.email.clone());
            }
        }
        let vessel = self.vessels.vessel_of(scope, event).await?;
        let names: BTreeMap<String, String> = members
            .iter()
            .map(|m| (m.email.to_string(), m.name.clone()))
            .collect();
        let plan = float_plan::build(event, &org, vessel.as_ref(), &names, false);
        let mut tally = crate::Tally::default();
        for email in &recipients {
            let message =
                compose_overdue(event, &org, &plan, input.anchor_at, email, &self.app_url);
            let key = self.key(input, email, NudgeChannel::Email);
            tally.add(self.email_once(scope, event, &key, &message).await?);
        }
        tracing::warn!(event = %event.id, step = %input.anchor_at, sent = tally.sent, skipped = tally.skipped, failed = tally.failed, "overdue alert");
        let detail = serde_json::json!({"step_at": input.anchor_at, "returns_at": event.returns_at, "recipients": tally.sent});
        self.conclude(event, "event.overdue", detail, &tally, recipients.len())
            .await
    }
}

/// After an overdue step went out (or found nothing to do), schedules what comes next for the
/// event: the next step 30 minutes on, or nothing once it is returned or acknowledged. The same
/// plan the api applies on every change (`domain::nudge::apply`), so it is idempotent; a failure
/// is logged and repaired by the hourly reconciliation. Does nothing for other kinds (a reminder's
/// schedule is deleted after it fires and must not be re-planned at its own moment).
pub async fn replan(nudger: &Nudger, scheduler: &dyn NudgeScheduler, input: &NudgeSchedule) {
    if input.kind != NudgeKind::Overdue {
        return;
    }
    let scope = OrgScope::trusted(input.org_id.clone());
    let (event, org) = match (
        nudger.events.get_event(&scope, &input.event_id).await,
        nudger.orgs.get_org(&scope).await,
    ) {
        (Ok(e), Ok(o)) => (e, o),
        (Err(StoreError::NotFound), _) => return,
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(event = %input.event_id, error = %e, "overdue alert not re-planned; the hourly reconciliation will");
            return;
        }
    };
    // Planned from just after this step, so the step itself is never planned again.
    let after = nudger.clock.now().max(input.anchor_at) + chrono::Duration::seconds(1);
    let applied = domain::nudge::apply(scheduler, &event, org.safety.overdue_grace(), after).await;
    for (kind, e) in applied.failed {
        tracing::warn!(event = %event.id, kind = kind.as_str(), error = %e, "overdue alert not re-planned; the hourly reconciliation will");
    }
}

/// The alert: what is overdue since when, whom to call, the float plan inline, a link.
pub fn compose_overdue(
    event: &Event,
    org: &Org,
    plan: &FloatPlan,
    step: DateTime<Utc>,
    to: &Email,
    app_url: &str,
) -> OutgoingEmail {
    let due = event.returns_at.with_timezone(&org.zone);
    let since = overdue_from(event, org.safety.overdue_grace());
    let repeats = (step - since).num_minutes() / OVERDUE_REPEAT.num_minutes();
    let late = step - event.returns_at;
    let late_text = format!("{} h {:02} min", late.num_hours(), late.num_minutes() % 60);
    let subject = format!(
        "{}OVERDUE: {} ({}) was due back at {}",
        if repeats > 0 { "Still " } else { "" },
        event.vessel,
        event.title,
        due.format("%-I:%M %p")
    );
    let call = plan
        .value("If overdue, call")
        .unwrap_or("the US Coast Guard on VHF 16, or 911");
    let link = format!(
        "{}/events/{}/float-plan?org={}",
        app_url.trim_end_matches('/'),
        event.id,
        event.org_id
    );
    let lead = format!(
        "{} ({}) was due back at {} and is not marked returned: {} late. Try the crew by phone \
and radio first. If you cannot reach them, call {}. This alert repeats every 30 minutes until \
the event is marked returned or an admin acknowledges it in the app.",
        event.vessel,
        event.title,
        due.format("%a %-d %b, %-I:%M %p %Z"),
        late_text,
        call
    );
    let text = format!(
        "{subject}\n\n{lead}\n\n{}\nIn the app: {link}\n",
        plan.text()
    );
    let html = mail::layout(
        &subject,
        &format!(
            "<p style=\"margin:0 0 12px 0;padding:10px 12px;background:#fde8e8;border-left:4px solid #b91c1c;\">{}</p>{}{}",
            mail::escape(&lead),
            mail::float_plan_sections(plan),
            mail::button(&link, "Open the event")
        ),
    );
    OutgoingEmail {
        to: to.clone(),
        subject,
        html,
        text,
        headers: Vec::new(),
        category: "overdue",
    }
}
