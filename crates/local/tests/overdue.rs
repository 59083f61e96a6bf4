//! Issue 16, part 4, locally: the in-process scheduler fires the overdue alert at return plus
//! grace, the outbox gets it, and the step plans the next one 30 minutes on, as the nudge Lambda
//! does in AWS.

use chrono::{Duration, SubsecRound, Utc};
use domain::event::{EventSpec, NudgeKind};
use domain::nudge::OVERDUE_REPEAT;
use domain::ports::{EventStore, MemberStore, OrgStore, SystemClock};
use domain::{Email, Event, EventId, EventKind, OrgId, OrgScope};
use nudge::Nudger;
use std::sync::Arc;
use store_embedded::EmbeddedStore;

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

#[tokio::test]
async fn the_in_process_scheduler_alerts_an_overdue_boat_and_plans_the_next_step() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("overdue-{}", ulid::Ulid::new()));
    let store = Arc::new(EmbeddedStore::open(&dir.join("store")).expect("store"));
    let outbox = mail::Outbox::new(dir.join("outbox"), "crew@example.com");
    let portfolio =
        domain::portfolio::Portfolio::parse(local::PORTFOLIO, local::PORTFOLIO_FILE).expect("file");
    let world = domain::seed::demo(Utc::now(), &portfolio);
    let jada = world
        .orgs
        .iter()
        .find(|o| o.id.as_str() == "jada")
        .expect("jada")
        .clone();
    let shore = jada.safety.shore_contacts[0].email.clone();
    store.create_org(&jada).await.expect("org");
    let scope = OrgScope::trusted(jada.id.clone());
    for (_, m) in world.members.iter().filter(|(o, _)| o == &jada.id) {
        store.add_member(&scope, "JADA", m).await.expect("member");
    }
    let nudger = Arc::new(Nudger {
        events: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        vessels: store.clone(),
        mailer: Arc::new(outbox.clone()),
        publisher: Arc::new(Silent),
        clock: Arc::new(SystemClock),
        app_url: "http://localhost:3000".into(),
        push: None,
    });
    let scheduler = local::LocalScheduler::spawn(nudger);

    // Departed, due back so that it is overdue two seconds from now.
    let now = Utc::now().trunc_subsecs(0);
    let grace = jada.safety.overdue_grace();
    let returns_at = now - grace + Duration::seconds(2);
    let mut event = Event::new(
        EventId::generate(),
        OrgId::parse("jada").expect("valid"),
        EventSpec {
            kind: EventKind::SunsetSail,
            title: "Late sail".into(),
            vessel: "Jada".into(),
            vessel_id: None,
            passengers: Default::default(),
            departs_at: returns_at - Duration::hours(3),
            returns_at,
            crew: vec![],
            notes: String::new(),
            revenue_cents: None,
        },
        Email::parse("admin.jada@example.com").expect("valid"),
        now - Duration::days(1),
    );
    let admin = Email::parse("admin.jada@example.com").expect("valid");
    event
        .depart(event.departs_at, Vec::new(), &admin, now)
        .expect("depart");
    store.create_event(&scope, &event).await.expect("event");
    domain::nudge::apply(&*scheduler, &event, grace, now).await;
    let first = returns_at + grace;
    assert!(
        scheduler
            .pending()
            .iter()
            .any(|s| s.kind == NudgeKind::Overdue && s.fire_at == first),
        "planned at return + grace"
    );

    let mut alerts = Vec::new();
    for _ in 0..100 {
        alerts = outbox
            .list()
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.category == "overdue")
            .collect();
        if !alerts.is_empty()
            && scheduler
                .pending()
                .iter()
                .any(|s| s.kind == NudgeKind::Overdue && s.fire_at == first + OVERDUE_REPEAT)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        alerts.iter().any(|m| m.to == shore.as_str()),
        "the shore contact is alerted: {:?}",
        alerts.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    assert!(alerts[0].subject.starts_with("OVERDUE: Jada (Late sail)"));
    let next: Vec<_> = scheduler
        .pending()
        .into_iter()
        .filter(|s| s.kind == NudgeKind::Overdue)
        .collect();
    assert_eq!(next.len(), 1);
    assert_eq!(
        next[0].fire_at,
        first + OVERDUE_REPEAT,
        "the next step, 30 minutes on"
    );
}
