//! Issue 16, part 4: the overdue alert's life cycle on moto (DynamoDB, SES, Scheduler): departed,
//! the schedule at return plus grace; each step mails the shore contacts and the admins once
//! (twice invoked, once sent) and schedules the next 30 minutes on; returned or acknowledged, the
//! schedule is gone and a late step does nothing. Inputs are read from the schedules moto holds,
//! as Scheduler would deliver them.

use chrono::{DateTime, Duration, Utc};
use domain::event::{
    AuditAction, AuditEntry, CrewAssignment, CrewRole, EventKind, EventSpec, NudgeKind,
};
use domain::nudge::{OVERDUE_REPEAT, schedule_name};
use domain::org::{Member, Org, OrgScope, SafetySettings, ShoreContact};
use domain::ports::{Clock, EventStore, ManualClock, MemberStore, NudgeSchedule, OrgStore};
use domain::{Email, Event, EventId, OpId, OrgId, Role};
use nudge::Nudger;
use std::sync::Arc;
use store_dynamodb::DynamoStore;

struct Silent;

#[async_trait::async_trait]
impl domain::ports::DomainEvents for Silent {
    async fn publish(
        &self,
        _: &[domain::ports::DomainEvent],
    ) -> Result<(), domain::ports::PublishError> {
        Ok(())
    }
}

struct World {
    nudger: Nudger,
    clock: Arc<ManualClock>,
    store: Arc<DynamoStore>,
    scheduler: scheduler_aws::EventBridgeScheduler,
    client: aws_sdk_scheduler::Client,
    group: String,
    org: OrgId,
    suffix: String,
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("time")
}

impl World {
    fn addr(&self, who: &str) -> String {
        format!("{who}-{}@example.com", self.suffix)
    }

    fn scope(&self) -> OrgScope {
        OrgScope::trusted(self.org.clone())
    }

    /// The pending overdue schedule's Input, as Scheduler would deliver it; `None` if there is none.
    async fn pending(&self, event: &Event) -> Option<NudgeSchedule> {
        let got = self
            .client
            .get_schedule()
            .group_name(&self.group)
            .name(schedule_name(&self.org, &event.id, NudgeKind::Overdue))
            .send()
            .await
            .ok()?;
        let input = got.target()?.input()?.to_string();
        Some(nudge::parse_input(&serde_json::from_str(&input).expect("json")).expect("input"))
    }

    async fn change(
        &self,
        event: &Event,
        op: &str,
        action: AuditAction,
        edit: impl FnOnce(&mut Event),
    ) -> Event {
        let mut changed = event.clone();
        edit(&mut changed);
        self.store
            .update_event(
                &self.scope(),
                &changed,
                event.version,
                &AuditEntry {
                    op_id: OpId::parse(op).expect("op"),
                    action,
                    by: Email::parse(&self.addr("admin")).expect("valid"),
                    at: self.clock.now(),
                },
            )
            .await
            .expect("update")
    }

    async fn subjects(&self, who: &str) -> Vec<String> {
        test_support::sent_to(&self.addr(who))
            .await
            .iter()
            .filter_map(|raw| test_support::subject(raw))
            .collect()
    }
}

async fn world() -> Option<World> {
    let sdk = aws_env::test_endpoint().await?;
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("overdue-{suffix}");
    store_dynamodb::table::create_table(&ddb, &table)
        .await
        .expect("table");
    let store = Arc::new(DynamoStore::new(ddb, table));
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let sender = format!("alerts-{suffix}@example.com");
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("identity");
    let org = OrgId::parse("jada").expect("valid");
    let addr = |who: &str| Email::parse(&format!("{who}-{suffix}@example.com")).expect("valid");
    store
        .create_org(&Org {
            id: org.clone(),
            name: "JADA".into(),
            zone: chrono_tz::America::Los_Angeles,
            home_port: domain::seed::san_diego(),
            enabled_kinds: EventKind::ALL.to_vec(),
            report_recipients: Default::default(),
            created_at: Utc::now(),
            safety: SafetySettings {
                shore_contacts: vec![ShoreContact {
                    name: "Harbour office".into(),
                    email: addr("shore"),
                    phone: "+1 619 555 0100".into(),
                }],
                coast_guard: domain::org::CoastGuard {
                    name: "Coast Guard Sector San Diego".into(),
                    phone: "+1 619 555 0111".into(),
                },
                overdue_grace_minutes: 30,
            },
            version: 1,
        })
        .await
        .expect("org");
    let scope = OrgScope::trusted(org.clone());
    for (who, role) in [
        ("admin", Role::Admin),
        ("cap", Role::Captain),
        ("deck", Role::Crew),
    ] {
        store
            .add_member(
                &scope,
                "JADA",
                &Member {
                    email: addr(who),
                    name: who.into(),
                    role,
                    added_at: Utc::now(),
                    sessions_valid_from: None,
                },
            )
            .await
            .expect("member");
    }
    let client = aws_sdk_scheduler::Client::new(&sdk);
    let group = format!("nudges-{suffix}");
    client
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("group");
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
    let clock = Arc::new(ManualClock::new(whole_seconds(Utc::now())));
    let nudger = Nudger {
        events: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        vessels: store.clone(),
        mailer: Arc::new(mail_ses::SesMailer::new(ses, sender, None)),
        publisher: Arc::new(Silent),
        clock: clock.clone(),
        app_url: "https://app.example.com".into(),
        push: None,
    };
    Some(World {
        nudger,
        clock,
        store,
        scheduler,
        client,
        group,
        org,
        suffix,
    })
}

/// A sunset sail that left 3 h 30 min ago and was due back 30 minutes ago (overdue from now).
async fn underway(w: &World) -> Event {
    let now = w.clock.now();
    let departs_at = now - Duration::minutes(210);
    let crew = vec![
        CrewAssignment {
            email: Email::parse(&w.addr("cap")).expect("valid"),
            role: CrewRole::Captain,
        },
        CrewAssignment {
            email: Email::parse(&w.addr("deck")).expect("valid"),
            role: CrewRole::Crew,
        },
    ];
    let event = Event::new(
        EventId::generate(),
        w.org.clone(),
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
        Email::parse(&w.addr("admin")).expect("valid"),
        now - Duration::days(1),
    );
    w.store
        .create_event(&w.scope(), &event)
        .await
        .expect("event");
    let admin = Email::parse(&w.addr("admin")).expect("valid");
    let departed = AuditAction::Departed {
        open_safety_tasks: Vec::new(),
        minutes_early: None,
    };
    w.change(&event, "op-depart-0001", departed, |e| {
        e.depart(departs_at, Vec::new(), &admin, now)
            .expect("depart")
    })
    .await
}

async fn plan(w: &World, event: &Event) {
    let applied =
        domain::nudge::apply(&w.scheduler, event, Duration::minutes(30), w.clock.now()).await;
    assert!(applied.failed.is_empty(), "{:?}", applied.failed);
}

#[tokio::test]
async fn departed_overdue_alerted_each_step_once_then_returned() {
    let Some(w) = world().await else { return };
    let event = underway(&w).await;
    // Planned on departure: the first step at return + 30 min, which is now.
    plan(&w, &event).await;
    let first = w.pending(&event).await.expect("scheduled on departure");
    assert_eq!(first.kind, NudgeKind::Overdue);
    assert_eq!(first.anchor_at, event.returns_at + Duration::minutes(30));

    // Invoked twice (Scheduler's at-least-once): each recipient mailed once.
    let payload = serde_json::to_value(&first).expect("json");
    let one = nudge::handle(&w.nudger, &payload).await.expect("first");
    let two = nudge::handle(&w.nudger, &payload).await.expect("second");
    assert_eq!(one["sent"], 2, "the shore contact and the admin: {one}");
    assert_eq!(two["sent"], 0, "{two}");
    let shore = w.subjects("shore").await;
    assert_eq!(shore.len(), 1, "{shore:?}");
    assert!(
        shore[0].starts_with("OVERDUE: Jada (Sunset sail) was due back at"),
        "{shore:?}"
    );
    assert_eq!(w.subjects("admin").await.len(), 1);
    assert!(
        w.subjects("cap").await.is_empty(),
        "the crew aboard are not who is alerted"
    );
    let raw = test_support::sent_to(&w.addr("shore")).await.join("\n");
    assert!(
        raw.contains("Coast Guard Sector San Diego"),
        "whom to call is in the alert"
    );

    // The step schedules the next, 30 minutes on.
    nudge::replan(&w.nudger, &w.scheduler, &first).await;
    let second = w.pending(&event).await.expect("the next step");
    assert_eq!(second.anchor_at, first.anchor_at + OVERDUE_REPEAT);
    w.clock.set(second.fire_at);
    let out = nudge::handle(&w.nudger, &serde_json::to_value(&second).expect("json"))
        .await
        .expect("second step");
    assert_eq!(out["sent"], 2, "{out}");
    let shore = w.subjects("shore").await;
    assert!(
        shore.iter().any(|s| s.starts_with("Still OVERDUE")),
        "{shore:?}"
    );

    // Marked returned: the schedule goes, and a step delivered late does nothing.
    let admin = Email::parse(&w.addr("admin")).expect("valid");
    let now = w.clock.now();
    let back = w
        .change(
            &event_now(&w, &event).await,
            "op-return-0001",
            AuditAction::Returned,
            |e| e.complete(now, &admin, now).expect("return"),
        )
        .await;
    plan(&w, &back).await;
    assert!(w.pending(&event).await.is_none(), "deleted on returned");
    let late = NudgeSchedule {
        anchor_at: second.anchor_at + OVERDUE_REPEAT,
        fire_at: second.anchor_at + OVERDUE_REPEAT,
        ..second.clone()
    };
    let out = nudge::handle(&w.nudger, &serde_json::to_value(&late).expect("json"))
        .await
        .expect("late step");
    assert_eq!(out["ignored"], "the event was marked returned", "{out}");
    assert_eq!(w.subjects("shore").await.len(), 2);
}

async fn event_now(w: &World, event: &Event) -> Event {
    w.store
        .get_event(&w.scope(), &event.id)
        .await
        .expect("event")
}

#[tokio::test]
async fn an_acknowledged_or_moved_alert_stops() {
    let Some(w) = world().await else { return };
    let event = underway(&w).await;
    plan(&w, &event).await;
    let first = w.pending(&event).await.expect("scheduled");

    // The office moves the return time (the boat radioed in): the old step is off the grid.
    let admin = Email::parse(&w.addr("admin")).expect("valid");
    let now = w.clock.now();
    let moved = w
        .change(
            &event,
            "op-move-0001",
            AuditAction::Edited {
                fields: vec!["returns_at".into()],
            },
            |e| {
                e.returns_at += Duration::minutes(45);
            },
        )
        .await;
    let out = nudge::handle(&w.nudger, &serde_json::to_value(&first).expect("json"))
        .await
        .expect("stale step");
    assert_eq!(
        out["ignored"], "the return time moved; its new schedule will alert",
        "{out}"
    );
    plan(&w, &moved).await;
    let next = w.pending(&event).await.expect("moved");
    assert_eq!(next.anchor_at, moved.returns_at + Duration::minutes(30));

    // Overdue again later; an admin acknowledges: no more steps, the schedule is gone.
    w.clock.set(next.anchor_at + Duration::minutes(5));
    let acked = w
        .change(
            &moved,
            "op-ack-0001",
            AuditAction::OverdueAcknowledged,
            |e| {
                e.acknowledge_overdue(&admin, next.anchor_at + Duration::minutes(5))
                    .expect("ack")
            },
        )
        .await;
    plan(&w, &acked).await;
    assert!(
        w.pending(&event).await.is_none(),
        "deleted once acknowledged"
    );
    let out = nudge::handle(&w.nudger, &serde_json::to_value(&next).expect("json"))
        .await
        .expect("acked step");
    assert_eq!(
        out["ignored"], "an admin acknowledged the overdue alert",
        "{out}"
    );
    assert!(
        w.subjects("shore").await.is_empty(),
        "nothing was mailed: {now}"
    );
}
