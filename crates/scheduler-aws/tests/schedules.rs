//! The Scheduler adapter against moto: what a nudge schedule looks like, moving it, deleting it,
//! and the daylight-saving Sundays.

use aws_sdk_scheduler::types::{ActionAfterCompletion, FlexibleTimeWindowMode};
use chrono::{DateTime, TimeZone, Utc};
use domain::event::{EventSpec, NudgeKind};
use domain::nudge::{NudgePlan, plan, schedule_name};
use domain::ports::{NudgeSchedule, NudgeScheduler};
use domain::{Email, Event, EventId, EventKind, OrgId};
use scheduler_aws::{EventBridgeScheduler, SchedulerConfig};

const TARGET: &str = "arn:aws:lambda:us-west-2:123456789012:function:shipcaptaincrew-test-nudge";
const ROLE: &str = "arn:aws:iam::123456789012:role/shipcaptaincrew-test-nudge-scheduler";
const DLQ: &str = "arn:aws:sqs:us-west-2:123456789012:shipcaptaincrew-test-nudge-dlq";

async fn scheduler() -> Option<(EventBridgeScheduler, aws_sdk_scheduler::Client, String)> {
    let sdk = aws_env::test_endpoint().await?;
    let client = aws_sdk_scheduler::Client::new(&sdk);
    let group = format!("nudges-{}", ulid::Ulid::new());
    client
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("group");
    let config = SchedulerConfig {
        group: group.clone(),
        target_arn: TARGET.into(),
        role_arn: ROLE.into(),
        dead_letter_arn: Some(DLQ.into()),
    };
    Some((
        EventBridgeScheduler::new(client.clone(), config),
        client,
        group,
    ))
}

fn event_departing(local: DateTime<chrono_tz::Tz>) -> Event {
    let departs_at = local.with_timezone(&Utc);
    Event::new(
        EventId::generate(),
        OrgId::parse("jada").expect("valid"),
        EventSpec {
            kind: EventKind::SunsetSail,
            title: "Sunset sail".into(),
            vessel: "Jada".into(),
            vessel_id: None,
            passengers: Default::default(),
            departs_at,
            returns_at: departs_at + chrono::Duration::hours(3),
            crew: vec![],
            notes: String::new(),
            revenue_cents: None,
        },
        Email::parse("admin@example.com").expect("valid"),
        departs_at - chrono::Duration::days(7),
    )
}

fn departure_schedule(event: &Event, now: DateTime<Utc>) -> NudgeSchedule {
    match plan(event, chrono::Duration::minutes(30), now)
        .into_iter()
        .next()
    {
        Some(NudgePlan::Schedule(s)) => s,
        other => panic!("expected a schedule, got {other:?}"),
    }
}

#[tokio::test]
async fn a_nudge_schedule_has_the_promised_shape_moves_and_goes() {
    let Some((scheduler, client, group)) = scheduler().await else {
        return;
    };
    let la = chrono_tz::America::Los_Angeles;
    let event = event_departing(
        la.with_ymd_and_hms(2026, 7, 4, 18, 30, 0)
            .single()
            .expect("time"),
    );
    let schedule = departure_schedule(&event, event.created_at);
    scheduler.upsert(&schedule).await.expect("create");
    scheduler
        .upsert(&schedule)
        .await
        .expect("creating twice is fine");

    let name = schedule_name(&event.org_id, &event.id, NudgeKind::Departure);
    let got = client
        .get_schedule()
        .name(&name)
        .group_name(&group)
        .send()
        .await
        .expect("get");
    assert_eq!(got.schedule_expression(), Some("at(2026-07-05T01:00:00)"));
    assert_eq!(got.schedule_expression_timezone(), Some("UTC"));
    assert_eq!(got.group_name(), Some(group.as_str()));
    assert_eq!(
        got.action_after_completion(),
        Some(&ActionAfterCompletion::Delete)
    );
    assert_eq!(
        got.flexible_time_window().map(|w| w.mode()),
        Some(&FlexibleTimeWindowMode::Off)
    );
    let target = got.target().expect("target");
    assert_eq!(target.arn(), TARGET);
    assert_eq!(target.role_arn(), ROLE);
    assert_eq!(target.dead_letter_config().and_then(|d| d.arn()), Some(DLQ));
    assert_eq!(
        target
            .retry_policy()
            .and_then(|r| r.maximum_event_age_in_seconds()),
        Some(900)
    );
    let input: NudgeSchedule =
        serde_json::from_str(target.input().expect("input")).expect("our JSON");
    assert_eq!(input, schedule);
    assert!(name.len() <= 64);

    // Moving the event replaces the whole schedule.
    let mut moved = event.clone();
    moved.departs_at += chrono::Duration::hours(2);
    moved.returns_at += chrono::Duration::hours(2);
    let moved_schedule = departure_schedule(&moved, event.created_at);
    scheduler.upsert(&moved_schedule).await.expect("move");
    let got = client
        .get_schedule()
        .name(&name)
        .group_name(&group)
        .send()
        .await
        .expect("get");
    assert_eq!(got.schedule_expression(), Some("at(2026-07-05T03:00:00)"));
    assert_eq!(
        got.action_after_completion(),
        Some(&ActionAfterCompletion::Delete),
        "not reset by the update"
    );
    let target = got.target().expect("target");
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some(DLQ),
        "not reset by the update"
    );
    let input: NudgeSchedule =
        serde_json::from_str(target.input().expect("input")).expect("our JSON");
    assert_eq!(input.anchor_at, moved.departs_at);

    // Cancelling deletes it; deleting again is fine.
    scheduler
        .delete(&event.org_id, &event.id, NudgeKind::Departure)
        .await
        .expect("delete");
    assert!(
        client
            .get_schedule()
            .name(&name)
            .group_name(&group)
            .send()
            .await
            .is_err()
    );
    scheduler
        .delete(&event.org_id, &event.id, NudgeKind::Departure)
        .await
        .expect("not found counts as done");
}

/// 07:15 local on the Sundays the clocks change: the nudge is at 06:45 local, thirty real minutes
/// earlier, expressed in UTC.
#[tokio::test]
async fn daylight_saving_sundays() {
    let Some((scheduler, client, group)) = scheduler().await else {
        return;
    };
    let la = chrono_tz::America::Los_Angeles;
    for (date, expected_utc) in [
        ((2026, 3, 8), "at(2026-03-08T13:45:00)"),
        ((2026, 11, 1), "at(2026-11-01T14:45:00)"),
    ] {
        let local = la
            .with_ymd_and_hms(date.0, date.1, date.2, 7, 15, 0)
            .single()
            .expect("unambiguous");
        let event = event_departing(local);
        let schedule = departure_schedule(&event, event.created_at);
        assert_eq!(
            schedule
                .fire_at
                .with_timezone(&la)
                .format("%H:%M")
                .to_string(),
            "06:45"
        );
        scheduler.upsert(&schedule).await.expect("create");
        let name = schedule_name(&event.org_id, &event.id, NudgeKind::Departure);
        let got = client
            .get_schedule()
            .name(&name)
            .group_name(&group)
            .send()
            .await
            .expect("get");
        assert_eq!(got.schedule_expression(), Some(expected_utc));
    }
}
