//! The nudge handler against DynamoDB and SES (moto), called with the schedule's own Input JSON
//! (moto never fires schedules): once and only once per recipient, nothing for a cancelled or
//! moved event, and a retry after a partial failure that duplicates nobody.

use async_trait::async_trait;
use chrono::{Duration, Utc};
use domain::event::NudgeChannel;
use domain::event::{CrewAssignment, CrewRole, EventKind, EventSpec};
use domain::org::{Member, Org, OrgScope};
use domain::ports::{
    DomainEvent, DomainEvents, EventStore, MailError, Mailer, MemberStore, NotifyPreference,
    OrgStore, OutgoingEmail, PublishError, PushDevice, PushStore, SystemClock,
};
use domain::{Email, Event, EventId, OrgId, Role};
use nudge::{Nudger, PushPorts};
use std::sync::{Arc, Mutex};
use store_dynamodb::DynamoStore;

#[derive(Default)]
struct Feed(Mutex<Vec<DomainEvent>>);

#[async_trait]
impl DomainEvents for Feed {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        self.0.lock().expect("lock").extend_from_slice(events);
        Ok(())
    }
}

/// The real SES adapter, except that sends to `flaky` fail (as SES throttling would) until
/// `heal` is called.
struct Flaky {
    inner: mail_ses::SesMailer,
    flaky: Mutex<Option<String>>,
}

#[async_trait]
impl Mailer for Flaky {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if self.flaky.lock().expect("lock").as_deref() == Some(email.to.as_str()) {
            return Err(MailError::Unavailable("TooManyRequestsException".into()));
        }
        self.inner.send(email).await
    }
}

struct World {
    nudger: Arc<Nudger>,
    /// The loopback push service, when the world pushes.
    push: Option<test_support::PushService>,
    store: Arc<DynamoStore>,
    mailer: Arc<Flaky>,
    feed: Arc<Feed>,
    org: OrgId,
    suffix: String,
}

impl World {
    fn addr(&self, who: &str) -> String {
        format!("{who}-{}@example.com", self.suffix)
    }

    async fn event(&self, minutes: i64) -> Event {
        let departs_at = (Utc::now() + Duration::minutes(minutes)).with_timezone(&Utc);
        let departs_at = chrono::DateTime::from_timestamp(departs_at.timestamp(), 0).expect("time");
        let crew = ["cap", "deck"]
            .iter()
            .map(|w| CrewAssignment {
                email: Email::parse(&self.addr(w)).expect("valid"),
                role: if *w == "cap" {
                    CrewRole::Captain
                } else {
                    CrewRole::Crew
                },
            })
            .collect();
        let event = Event::new(
            EventId::generate(),
            self.org.clone(),
            EventSpec {
                kind: EventKind::SunsetSail,
                title: "Sunset sail".into(),
                vessel: "Jada".into(),
                vessel_id: None,
                passengers: Default::default(),
                departs_at,
                returns_at: departs_at + Duration::hours(3),
                crew,
                notes: String::new(),
                revenue_cents: None,
            },
            Email::parse("admin@example.com").expect("valid"),
            Utc::now(),
        );
        self.store
            .create_event(&OrgScope::trusted(self.org.clone()), &event)
            .await
            .expect("event");
        event
    }

    /// The Input JSON exactly as the api's schedule carries it, from the fixture.
    fn input(&self, event: &Event) -> serde_json::Value {
        let fixture = include_str!("fixtures/scheduler-input.json")
            .replace("{{ORG}}", self.org.as_str())
            .replace("{{EVENT}}", event.id.as_str())
            .replace(
                "{{FIRE_AT}}",
                &(event.departs_at - Duration::minutes(30)).to_rfc3339(),
            )
            .replace("{{ANCHOR_AT}}", &event.departs_at.to_rfc3339());
        serde_json::from_str(&fixture).expect("fixture JSON")
    }

    async fn mails_to(&self, who: &str) -> Vec<String> {
        test_support::sent_to(&self.addr(who)).await
    }
}

async fn world() -> Option<World> {
    world_pushing(false).await
}

/// With `push`, the nudger also pushes, through the real push crate, to a loopback push service.
async fn world_pushing(push: bool) -> Option<World> {
    let sdk = aws_env::test_endpoint().await?;
    let push_service = if push {
        Some(test_support::PushService::start()?)
    } else {
        None
    };
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("nudge-{suffix}");
    store_dynamodb::table::create_table(&ddb, &table)
        .await
        .expect("table");
    let store = Arc::new(DynamoStore::new(ddb, table));
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let sender = format!("nudges-{suffix}@example.com");
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("identity");
    let mailer = Arc::new(Flaky {
        inner: mail_ses::SesMailer::new(ses, sender, None),
        flaky: Mutex::new(None),
    });
    let org = OrgId::parse("jada").expect("valid");
    store
        .create_org(&Org {
            id: org.clone(),
            name: "JADA".into(),
            zone: chrono_tz::America::Los_Angeles,
            home_port: domain::seed::san_diego(),
            enabled_kinds: EventKind::ALL.to_vec(),
            report_recipients: Default::default(),
            created_at: Utc::now(),
            safety: Default::default(),
            version: 1,
        })
        .await
        .expect("org");
    let scope = OrgScope::trusted(org.clone());
    for (who, role) in [("cap", Role::Captain), ("deck", Role::Crew)] {
        store
            .add_member(
                &scope,
                "JADA",
                &Member {
                    email: Email::parse(&format!("{who}-{suffix}@example.com")).expect("valid"),
                    name: who.into(),
                    role,
                    added_at: Utc::now(),
                    sessions_valid_from: None,
                },
            )
            .await
            .expect("member");
    }
    let feed = Arc::new(Feed::default());
    let nudger = Arc::new(Nudger {
        events: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        vessels: store.clone(),
        mailer: mailer.clone(),
        publisher: feed.clone(),
        clock: Arc::new(SystemClock),
        app_url: "https://app.example.com".into(),
        push: push_service.as_ref().map(|_| PushPorts {
            store: store.clone(),
            pusher: Arc::new(push::WebPusher::new(
                push::Client::new()
                    .expect("client")
                    .with_first_pause(std::time::Duration::from_millis(20)),
                push::VapidKey::derive(
                    "a-generated-secret-string-of-the-stage-0123456789",
                    "mailto:ops@example.com",
                )
                .expect("vapid"),
                push::Endpoints::AlsoHttpLoopback,
            )),
        }),
    });
    Some(World {
        nudger,
        push: push_service,
        store,
        mailer,
        feed,
        org,
        suffix,
    })
}

#[tokio::test]
async fn sends_once_then_nothing() {
    let Some(w) = world().await else { return };
    let event = w.event(30).await;
    let first = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect("ok");
    assert_eq!(first, serde_json::json!({"sent": 2, "skipped": 0}));
    let second = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect("ok");
    assert_eq!(second, serde_json::json!({"sent": 0, "skipped": 2}));
    for who in ["cap", "deck"] {
        let mails = w.mails_to(who).await;
        assert_eq!(mails.len(), 1, "{who} got exactly one");
        let raw = mails[0].replace("=\r\n", "");
        assert!(
            raw.contains("Subject: Sunset sail departs in 30 min"),
            "{raw}"
        );
        assert!(raw.contains(&format!("https://app.example.com/events/{}", event.id)));
        assert!(raw.contains("First tasks"));
    }
    // The record is the audit trail, shown on the event.
    let stored = w
        .store
        .get_event(&OrgScope::trusted(w.org.clone()), &event.id)
        .await
        .expect("get");
    assert_eq!(stored.nudges.len(), 2);
    assert!(
        stored
            .nudges
            .iter()
            .all(|n| n.state == domain::event::NudgeState::Sent)
    );
    let published = w.feed.0.lock().expect("lock").clone();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].kind, "nudge.sent");
    assert!(
        !published[0].detail.to_string().contains('@'),
        "no address in the feed"
    );
}

#[tokio::test]
async fn a_member_removed_after_planning_is_not_nudged() {
    let Some(w) = world().await else { return };
    let event = w.event(30).await;
    let scope = OrgScope::trusted(w.org.clone());
    let deck = Email::parse(&w.addr("deck")).expect("valid");
    w.store.remove_member(&scope, &deck).await.expect("remove");
    let got = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect("ok");
    assert_eq!(got, serde_json::json!({"sent": 1, "skipped": 0}));
    assert_eq!(w.mails_to("cap").await.len(), 1);
    assert!(
        w.mails_to("deck").await.is_empty(),
        "the removed member got a nudge"
    );
}

#[tokio::test]
async fn concurrent_invocations_send_once() {
    let Some(w) = world().await else { return };
    let event = w.event(30).await;
    let input = w.input(&event);
    let (a, b) = tokio::join!(
        nudge::handle(&w.nudger, &input),
        nudge::handle(&w.nudger, &input)
    );
    let sent = [a.expect("ok"), b.expect("ok")]
        .iter()
        .map(|r| r["sent"].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(sent, 2);
    assert_eq!(w.mails_to("cap").await.len(), 1);
    assert_eq!(w.mails_to("deck").await.len(), 1);
}

#[tokio::test]
async fn cancelled_or_moved_events_get_nothing() {
    let Some(w) = world().await else { return };
    let scope = OrgScope::trusted(w.org.clone());
    let cancelled = w.event(30).await;
    let mut c = cancelled.clone();
    c.cancel(
        &Email::parse("admin@example.com").expect("valid"),
        Utc::now(),
    )
    .expect("cancel");
    w.store
        .update_event(
            &scope,
            &c,
            1,
            &domain::event::AuditEntry {
                op_id: domain::OpId::parse("op-cancel-00001").expect("valid"),
                action: domain::event::AuditAction::Cancelled,
                by: Email::parse("admin@example.com").expect("valid"),
                at: Utc::now(),
            },
        )
        .await
        .expect("cancel");
    let out = nudge::handle(&w.nudger, &w.input(&cancelled))
        .await
        .expect("ok");
    assert_eq!(out["ignored"], "the event was cancelled");

    let moved = w.event(30).await;
    let stale_input = w.input(&moved);
    let mut m = moved.clone();
    m.departs_at += Duration::hours(2);
    m.returns_at += Duration::hours(2);
    w.store
        .update_event(
            &scope,
            &m,
            1,
            &domain::event::AuditEntry {
                op_id: domain::OpId::parse("op-move-000001").expect("valid"),
                action: domain::event::AuditAction::Edited {
                    fields: vec!["departs_at".into()],
                },
                by: Email::parse("admin@example.com").expect("valid"),
                at: Utc::now(),
            },
        )
        .await
        .expect("move");
    let out = nudge::handle(&w.nudger, &stale_input).await.expect("ok");
    assert_eq!(
        out["ignored"],
        "the event was moved; its new schedule will nudge"
    );

    let missing = serde_json::json!({"org_id": "jada", "event_id": EventId::generate().as_str(), "kind": "departure",
        "fire_at": "2026-07-01T00:00:00Z", "anchor_at": "2026-07-01T00:30:00Z"});
    assert_eq!(
        nudge::handle(&w.nudger, &missing).await.expect("ok")["ignored"],
        "the event no longer exists"
    );
    let garbage = serde_json::json!({"detail-type": "Scheduled Event"});
    assert_eq!(
        nudge::handle(&w.nudger, &garbage).await.expect("ok")["ignored"],
        "bad input"
    );
    assert!(w.mails_to("cap").await.is_empty());
    assert!(w.mails_to("deck").await.is_empty());
}

#[tokio::test]
async fn a_retry_after_a_partial_failure_duplicates_nobody() {
    let Some(w) = world().await else { return };
    let event = w.event(30).await;
    *w.mailer.flaky.lock().expect("lock") = Some(w.addr("deck"));
    let err = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect_err("one failed");
    assert!(err.is_retryable());
    assert_eq!(err.error_type(), "Retryable.MailUnavailable");
    assert_eq!(w.mails_to("cap").await.len(), 1);
    assert_eq!(w.mails_to("deck").await.len(), 0);
    *w.mailer.flaky.lock().expect("lock") = None;
    let retry = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect("ok");
    assert_eq!(retry, serde_json::json!({"sent": 1, "skipped": 1}));
    assert_eq!(w.mails_to("cap").await.len(), 1, "not sent twice");
    assert_eq!(w.mails_to("deck").await.len(), 1, "sent on the retry");
}

/// Nudges repair themselves (issue 13): a schedule the Scheduler refused when the event was
/// created (here a missing group, which moto answers with a 500) is written by the hourly
/// reconciliation input, as the api would have written it.
#[tokio::test]
async fn the_hourly_reconciliation_plans_a_nudge_the_scheduler_refused() {
    let Some(w) = world().await else { return };
    let sdk = aws_env::test_endpoint().await.expect("moto");
    let client = aws_sdk_scheduler::Client::new(&sdk);
    let group = format!("nudges-{}", w.suffix);
    let scheduler = scheduler_aws::EventBridgeScheduler::new(
        client.clone(),
        scheduler_aws::SchedulerConfig {
            group: group.clone(),
            target_arn: "arn:aws:lambda:us-west-2:123456789012:function:shipcaptaincrew-test-nudge"
                .into(),
            role_arn: "arn:aws:iam::123456789012:role/shipcaptaincrew-test-nudge-scheduler".into(),
            dead_letter_arn: None,
        },
    );
    let event = w.event(180).await;
    let refused = domain::nudge::apply(&scheduler, &event, Duration::minutes(30), Utc::now()).await;
    assert_eq!(refused.failed.len(), 1, "the create was refused");

    client
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("group");
    let input: serde_json::Value = serde_json::from_str(nudge::RECONCILE_INPUT).expect("json");
    assert!(nudge::is_reconcile(&input));
    assert!(!nudge::is_reconcile(&w.input(&event)));
    let done = nudge::reconcile(&w.nudger, &scheduler)
        .await
        .expect("reconciled");
    assert_eq!(done["reconciled"]["events"], 1, "{done}");
    assert_eq!(done["reconciled"]["failed"], 0, "{done}");

    let name = domain::nudge::schedule_name(&w.org, &event.id, domain::event::NudgeKind::Departure);
    let got = client
        .get_schedule()
        .group_name(&group)
        .name(&name)
        .send()
        .await
        .expect("the schedule exists now");
    let fire_at = event.departs_at - domain::nudge::NUDGE_LEAD;
    assert_eq!(
        got.schedule_expression(),
        Some(format!("at({})", fire_at.format("%Y-%m-%dT%H:%M:%S")).as_str())
    );
    let target = got.target().expect("target");
    let planned = nudge::parse_input(
        &serde_json::from_str(target.input().expect("input")).expect("our JSON"),
    )
    .expect("a nudge input");
    assert_eq!(
        (planned.event_id, planned.anchor_at),
        (event.id.clone(), event.departs_at)
    );
}

impl World {
    /// Subscribes one of `who`'s phones at the push service and stores it as the api would.
    async fn phone(&self, who: &str, id: &str, behaviour: &str) {
        let svc = self.push.as_ref().expect("a pushing world");
        let sub = svc.subscribe(id, behaviour);
        let now = Utc::now();
        self.store
            .put_push_device(
                &Email::parse(&self.addr(who)).expect("valid"),
                &PushDevice {
                    id: id.into(),
                    endpoint: sub.endpoint,
                    p256dh: sub.p256dh,
                    auth: sub.auth,
                    label: format!("{who}'s phone"),
                    created_at: now,
                    expires_at: now + Duration::days(60),
                },
            )
            .await
            .expect("device");
    }

    fn pushed(&self, id: &str) -> Vec<serde_json::Value> {
        self.push.as_ref().expect("a pushing world").received(id)
    }

    async fn devices(&self, who: &str) -> Vec<String> {
        self.store
            .push_devices(&Email::parse(&self.addr(who)).expect("valid"), Utc::now())
            .await
            .expect("devices")
            .into_iter()
            .map(|d| d.id)
            .collect()
    }
}

#[tokio::test]
async fn a_phone_and_the_inbox_each_get_the_nudge_once_under_a_double_invocation() {
    let Some(w) = world_pushing(true).await else {
        return;
    };
    let event = w.event(30).await;
    let deck_phone = format!("deck-phone-{}", w.suffix);
    let dead_phone = format!("deck-old-{}", w.suffix);
    w.phone("deck", &deck_phone, "ok").await;
    w.phone("deck", &dead_phone, "gone").await;
    let input = w.input(&event);
    let (a, b) = tokio::join!(
        nudge::handle(&w.nudger, &input),
        nudge::handle(&w.nudger, &input)
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    let total = |k: &str| a[k].as_u64().unwrap_or(0) + b[k].as_u64().unwrap_or(0);
    assert_eq!(
        total("sent"),
        3,
        "cap's email, deck's email and deck's push: {a} {b}"
    );

    let got = w.pushed(&deck_phone);
    assert_eq!(got.len(), 1, "one push to the phone: {got:?}");
    assert_eq!(
        got[0]["problems"],
        serde_json::json!([]),
        "VAPID and encryption as a push service checks them"
    );
    let note: serde_json::Value =
        serde_json::from_str(got[0]["plaintext"].as_str().expect("decrypted")).expect("json");
    assert_eq!(
        note["url"],
        format!("https://app.example.com/events/{}?org=jada", event.id).as_str()
    );
    assert!(
        note["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Sunset sail departs in")
    );
    assert_eq!(got[0]["urgency"], "high");
    assert_eq!(w.mails_to("deck").await.len(), 1);
    assert_eq!(w.mails_to("cap").await.len(), 1);
    assert_eq!(
        w.devices("deck").await,
        std::slice::from_ref(&deck_phone),
        "the 410 phone was removed"
    );

    // A third invocation sends nothing on either channel.
    let again = nudge::handle(&w.nudger, &input).await.expect("third");
    assert_eq!(again["sent"], 0);
    assert_eq!(w.pushed(&deck_phone).len(), 1);
    let stored = w
        .store
        .get_event(&OrgScope::trusted(w.org.clone()), &event.id)
        .await
        .expect("event");
    let push_records = stored
        .nudges
        .iter()
        .filter(|n| n.channel == NudgeChannel::Push)
        .count();
    assert_eq!(
        push_records, 1,
        "one push record, beside the two email records"
    );
}

#[tokio::test]
async fn push_only_skips_the_email_unless_no_phone_takes_it() {
    let Some(w) = world_pushing(true).await else {
        return;
    };
    let event = w.event(30).await;
    let cap_phone = format!("cap-phone-{}", w.suffix);
    let deck_old = format!("deck-gone-{}", w.suffix);
    w.phone("cap", &cap_phone, "ok").await;
    w.phone("deck", &deck_old, "gone").await;
    for who in ["cap", "deck"] {
        w.store
            .set_notify_preference(
                &Email::parse(&w.addr(who)).expect("valid"),
                NotifyPreference::Push,
            )
            .await
            .expect("preference");
    }
    let out = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect("nudge");
    assert_eq!(out["sent"], 2, "{out}");
    assert_eq!(w.pushed(&cap_phone).len(), 1);
    assert!(
        w.mails_to("cap").await.is_empty(),
        "push only: no email when the phone took it"
    );
    assert_eq!(
        w.mails_to("deck").await.len(),
        1,
        "the only phone is gone: the email carries it"
    );
    assert!(w.devices("deck").await.is_empty());
}

#[tokio::test]
async fn a_push_service_that_stays_down_is_a_retryable_failure_and_the_retry_sends_no_second_email()
{
    let Some(w) = world_pushing(true).await else {
        return;
    };
    let event = w.event(30).await;
    let phone = format!("busy-{}", w.suffix);
    w.phone("deck", &phone, "throttle").await;
    let err = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect_err("push failed");
    assert!(err.is_retryable(), "{err}");
    // The emails went; the retry sends none again, and tries the push again.
    assert_eq!(w.mails_to("deck").await.len(), 1);
    assert_eq!(w.mails_to("cap").await.len(), 1);
    let again = nudge::handle(&w.nudger, &w.input(&event))
        .await
        .expect_err("still throttled");
    assert!(again.is_retryable());
    assert_eq!(w.mails_to("deck").await.len(), 1, "no second email");
}
