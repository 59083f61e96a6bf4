//! The weekly executive report: reads each org's week, computes the five perspectives
//! (`domain::report`, pure), renders them (`render`), and mails each to its recipients exactly
//! once; then the portfolio roll-up.
//!
//! Invariants: reads are Queries on the date-ordered event index (no Scan); a sent record per
//! (audience, week, perspective, recipient) is claimed before each email, so a re-run after a
//! partial failure sends only what is missing; one org's failure never stops the others.

pub mod render;

use auth::Pepper;
use chrono::{DateTime, Duration, Utc};
use domain::event::NudgeState;
use domain::org::{Org, OrgScope, Perspective};
use domain::ports::{
    Clock, EventStore, MailError, Mailer, MemberStore, OrgStore, OutgoingEmail, PageRequest,
    ReportAudience, ReportKey, ReportStore, SendClaim, StoreError, VesselStore,
};
use domain::report::{OrgWeek, Week, WeekInput, executive_summary, org_week};
use domain::{Email, Event, OrgId};
use render::{Rendered, Subject, render};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A claim older than this is taken to be from a run that died mid-send.
pub const STALE_CLAIM: Duration = Duration::minutes(10);

/// The ports the report uses. Built once per process.
pub struct Reporter {
    pub orgs: Arc<dyn OrgStore>,
    pub members: Arc<dyn MemberStore>,
    pub events: Arc<dyn EventStore>,
    /// Minimum crews come from the vessels' records.
    pub vessels: Arc<dyn VesselStore>,
    pub reports: Arc<dyn ReportStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    /// Signs the one-click unsubscribe tokens.
    pub pepper: Pepper,
    pub app_url: String,
    /// Who gets the portfolio roll-up (from the stage's configuration).
    pub portfolio_recipients: Vec<Email>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the trigger is not understood: {0}")]
    BadInput(String),
    #[error("no such org: {0}")]
    UnknownOrg(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{} emails failed, {} orgs failed ({} sent); a re-run sends only what is missing", .0.failed, .0.orgs_failed, .0.sent)]
    Partial(RunSummary),
}

impl ReportError {
    pub fn is_retryable(&self) -> bool {
        match self {
            ReportError::BadInput(_) | ReportError::UnknownOrg(_) => false,
            ReportError::Store(e) => e.is_retryable(),
            ReportError::Partial(s) => s.retryable,
        }
    }

    /// Lambda's `errorType`: `Retryable.*` or `Fatal.*`.
    pub fn error_type(&self) -> &'static str {
        match self {
            ReportError::BadInput(_) => "Fatal.BadInput",
            ReportError::UnknownOrg(_) => "Fatal.UnknownOrg",
            ReportError::Store(e) if e.is_retryable() => "Retryable.StoreUnavailable",
            ReportError::Store(_) => "Fatal.Store",
            ReportError::Partial(s) if s.retryable => "Retryable.PartialFailure",
            ReportError::Partial(_) => "Fatal.PartialFailure",
        }
    }
}

#[cfg(feature = "lambda")]
impl From<ReportError> for lambda_runtime::Diagnostic {
    fn from(e: ReportError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: e.error_type().into(),
            error_message: e.to_string(),
        }
    }
}

/// What to report: a week (else the one just ended) and an org (else every org).
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub week: Option<Week>,
    pub org: Option<OrgId>,
    /// When the run was triggered (EventBridge's `time`, else the clock).
    pub at: DateTime<Utc>,
}

/// Reads the trigger as Scheduler delivers it (our `{}` or `{"week","org"}` input) or as an
/// EventBridge scheduled event (`detail-type`, `time`, and optionally the same fields in `detail`).
pub fn parse_trigger(
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Trigger, ReportError> {
    let (fields, at) = if payload.get("detail-type").is_some() {
        let event: aws_lambda_events::eventbridge::EventBridgeEvent<serde_json::Value> =
            serde_json::from_value(payload.clone())
                .map_err(|e| ReportError::BadInput(e.to_string()))?;
        (event.detail, event.time.unwrap_or(now))
    } else {
        (payload.clone(), now)
    };
    let text = |key: &str| fields.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let week = match text("week") {
        Some(w) => Some(
            Week::parse(&w)
                .ok_or_else(|| ReportError::BadInput(format!("not an ISO week: {w}")))?,
        ),
        None => None,
    };
    let org = match text("org") {
        Some(o) => Some(
            OrgId::parse(&o).map_err(|_| ReportError::BadInput(format!("not an org id: {o}")))?,
        ),
        None => None,
    };
    if !(fields.is_null() || fields.is_object()) {
        return Err(ReportError::BadInput(
            "the input is not a JSON object".into(),
        ));
    }
    Ok(Trigger { week, org, at })
}

/// Counts of one run, logged at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub week: String,
    pub orgs: usize,
    pub orgs_failed: usize,
    pub sent: usize,
    pub skipped: usize,
    pub failed: usize,
    pub retryable: bool,
}

enum Delivery {
    Sent,
    Skipped,
    Failed { retryable: bool },
}

/// An org's week and the week before, as the report shows them.
pub struct OrgWeeks {
    pub org: Org,
    pub this: OrgWeek,
    pub last: OrgWeek,
}

/// The stores a week's figures are read from.
#[derive(Clone, Copy)]
pub struct WeekStores<'a> {
    pub orgs: &'a dyn OrgStore,
    pub members: &'a dyn MemberStore,
    pub events: &'a dyn EventStore,
    pub vessels: &'a dyn VesselStore,
}

/// Reads an org's events that can touch `week` or the week before (one Query per page on the
/// departure index), its member names and its vessels, and computes both weeks.
pub async fn org_weeks(
    stores: WeekStores<'_>,
    scope: &OrgScope,
    week: Week,
    app_url: &str,
    as_of: DateTime<Utc>,
) -> Result<OrgWeeks, StoreError> {
    let WeekStores {
        orgs,
        members,
        events,
        vessels,
    } = stores;
    let org = orgs.get_org(scope).await?;
    let (prev_start, _) = week.previous().range(org.zone);
    let (_, end) = week.range(org.zone);
    let mut all: Vec<Event> = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let got = events
            .list_events(scope, prev_start - domain::event::LONGEST_EVENT, end, &page)
            .await?;
        all.extend(got.items);
        match got.next {
            Some(c) => page = PageRequest::new(Some(100), Some(c)),
            None => break,
        }
    }
    let names: BTreeMap<String, String> = members
        .list_members(scope)
        .await?
        .into_iter()
        .map(|m| (m.email.to_string(), m.name))
        .collect();
    let fleet = vessels.list_vessels(scope).await?;
    let this = org_week(
        &WeekInput {
            org: &org,
            week,
            events: &all,
            names: &names,
            vessels: &fleet,
            app_url,
        },
        as_of,
    );
    let last = org_week(
        &WeekInput {
            org: &org,
            week: week.previous(),
            events: &all,
            names: &names,
            vessels: &fleet,
            app_url,
        },
        as_of,
    );
    Ok(OrgWeeks { org, this, last })
}

impl Reporter {
    fn week_stores(&self) -> WeekStores<'_> {
        WeekStores {
            orgs: &*self.orgs,
            members: &*self.members,
            events: &*self.events,
            vessels: &*self.vessels,
        }
    }

    fn unsubscribe_url(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        to: &Email,
    ) -> String {
        format!(
            "{}/api/unsubscribe?token={}",
            self.app_url.trim_end_matches('/'),
            auth::unsubscribe::token(&self.pepper, audience, perspective, to)
        )
    }

    /// Mails one rendered report to one recipient, at most once per (audience, week, perspective).
    async fn deliver(
        &self,
        audience: &ReportAudience,
        week: &str,
        perspective: Perspective,
        to: &Email,
        rendered: &Rendered,
    ) -> Result<Delivery, StoreError> {
        let key = ReportKey {
            audience: audience.clone(),
            week: week.to_string(),
            perspective,
            recipient: to.clone(),
        };
        match self
            .reports
            .claim_report(&key, self.clock.now(), STALE_CLAIM)
            .await?
        {
            SendClaim::AlreadySent | SendClaim::InProgress => return Ok(Delivery::Skipped),
            SendClaim::Claimed => {}
        }
        let url = self.unsubscribe_url(audience, perspective, to);
        let email = OutgoingEmail {
            to: to.clone(),
            subject: rendered.subject.clone(),
            // The footer link is per recipient: swap the placeholder the render carried.
            html: rendered.html.replace(PLACEHOLDER, &mail::escape(&url)),
            text: rendered.text.replace(PLACEHOLDER, &url),
            headers: vec![
                ("List-Unsubscribe".into(), format!("<{url}>")),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
            category: "report",
        };
        let (state, delivery) = match self.mailer.send(&email).await {
            Ok(_) => (NudgeState::Sent, Delivery::Sent),
            Err(e) => {
                tracing::warn!(audience = audience.as_str(), perspective = perspective.as_str(), error = %e, "report email failed");
                (
                    NudgeState::Failed,
                    Delivery::Failed {
                        retryable: matches!(e, MailError::Unavailable(_)),
                    },
                )
            }
        };
        self.reports
            .finish_report(&key, state, self.clock.now())
            .await?;
        Ok(delivery)
    }

    /// Sends one report to every recipient who has not unsubscribed; counts into `summary`.
    async fn send_all(
        &self,
        audience: &ReportAudience,
        week: &str,
        perspective: Perspective,
        recipients: &[Email],
        rendered: &Rendered,
        summary: &mut RunSummary,
    ) -> Result<(), StoreError> {
        if recipients.is_empty() {
            return Ok(());
        }
        let unsubscribed = self.reports.unsubscribed(audience, perspective).await?;
        for to in recipients {
            if unsubscribed.contains(to) {
                summary.skipped += 1;
                continue;
            }
            match self
                .deliver(audience, week, perspective, to, rendered)
                .await?
            {
                Delivery::Sent => summary.sent += 1,
                Delivery::Skipped => summary.skipped += 1,
                Delivery::Failed { retryable } => {
                    summary.failed += 1;
                    summary.retryable |= retryable;
                }
            }
        }
        Ok(())
    }

    async fn run_org(
        &self,
        org: &Org,
        week: Week,
        summary: &mut RunSummary,
    ) -> Result<OrgWeeks, StoreError> {
        let scope = OrgScope::trusted(org.id.clone());
        let weeks = org_weeks(
            self.week_stores(),
            &scope,
            week,
            &self.app_url,
            self.clock.now(),
        )
        .await?;
        let audience = ReportAudience::Org(org.id.clone());
        for perspective in Perspective::ALL {
            let recipients = weeks
                .org
                .report_recipients
                .get(&perspective)
                .cloned()
                .unwrap_or_default();
            let rendered = render(
                &Subject::Org {
                    week: &weeks.this,
                    last: &weeks.last,
                    perspective,
                },
                PLACEHOLDER,
            );
            self.send_all(
                &audience,
                &week.to_string(),
                perspective,
                &recipients,
                &rendered,
                summary,
            )
            .await?;
        }
        Ok(weeks)
    }

    /// One run: every org (or the one named), then the portfolio roll-up of those that worked.
    pub async fn run(&self, trigger: &Trigger) -> Result<RunSummary, ReportError> {
        let orgs: Vec<Org> = match &trigger.org {
            Some(id) => match self.orgs.get_org(&OrgScope::trusted(id.clone())).await {
                Ok(o) => vec![o],
                Err(StoreError::NotFound) => return Err(ReportError::UnknownOrg(id.to_string())),
                Err(e) => return Err(e.into()),
            },
            None => self.orgs.list_orgs().await?,
        };
        let zone = orgs
            .first()
            .map_or(chrono_tz::America::Los_Angeles, |o| o.zone);
        let week = trigger
            .week
            .unwrap_or_else(|| Week::last_complete(trigger.at, zone));
        let mut summary = RunSummary {
            week: week.to_string(),
            orgs: orgs.len(),
            ..Default::default()
        };
        let mut pairs = Vec::new();
        for org in &orgs {
            match self.run_org(org, week, &mut summary).await {
                Ok(weeks) => pairs.push((weeks.this, weeks.last)),
                Err(e) => {
                    summary.orgs_failed += 1;
                    summary.retryable |= e.is_retryable();
                    tracing::error!(org = %org.id, error = %e, "report failed for this org; going on with the others");
                }
            }
        }
        if trigger.org.is_none() && !pairs.is_empty() {
            let week_text = week.to_string();
            let s = executive_summary(&pairs);
            let rendered = render(
                &Subject::Portfolio {
                    week: &week_text,
                    summary: &s,
                },
                PLACEHOLDER,
            );
            if let Err(e) = self
                .send_all(
                    &ReportAudience::Portfolio,
                    &week_text,
                    Perspective::ExecutiveSummary,
                    &self.portfolio_recipients,
                    &rendered,
                    &mut summary,
                )
                .await
            {
                summary.orgs_failed += 1;
                summary.retryable |= e.is_retryable();
                tracing::error!(error = %e, "portfolio report failed");
            }
        }
        tracing::info!(
            week = %summary.week, orgs = summary.orgs, orgs_failed = summary.orgs_failed,
            sent = summary.sent, skipped = summary.skipped, failed = summary.failed,
            "weekly report run finished"
        );
        if summary.failed > 0 || summary.orgs_failed > 0 {
            return Err(ReportError::Partial(summary));
        }
        Ok(summary)
    }

    /// Renders every report of one org's week without sending (the preview command, the tests).
    pub async fn preview(
        &self,
        org: &OrgId,
        week: Week,
    ) -> Result<Vec<(String, Rendered)>, ReportError> {
        let scope = OrgScope::trusted(org.clone());
        let weeks = org_weeks(
            self.week_stores(),
            &scope,
            week,
            &self.app_url,
            self.clock.now(),
        )
        .await?;
        let url = format!(
            "{}/api/unsubscribe?token=preview",
            self.app_url.trim_end_matches('/')
        );
        Ok(Perspective::ALL
            .into_iter()
            .map(|p| {
                (
                    p.as_str().to_string(),
                    render(
                        &Subject::Org {
                            week: &weeks.this,
                            last: &weeks.last,
                            perspective: p,
                        },
                        &url,
                    ),
                )
            })
            .collect())
    }
}

/// Stands in for the per-recipient unsubscribe URL in a render shared by all recipients.
const PLACEHOLDER: &str = "https://unsubscribe.invalid/placeholder";
