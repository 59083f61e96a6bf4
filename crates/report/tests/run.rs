//! The report run against DynamoDB and SES (moto): who gets what (recipients, subject, both parts,
//! one-click unsubscribe headers), a second run sends nothing, a run that fails halfway and runs
//! again sends each email once, and an unsubscribe sticks.

mod common;

use async_trait::async_trait;
use common::{email, org, week_events};
use domain::org::{Member, OrgScope, Perspective};
use domain::ports::{
    EventStore, MailError, Mailer, MemberStore, OrgStore, OutgoingEmail, ReportAudience,
    ReportStore, SystemClock,
};
use domain::report::Week;
use report::{Reporter, Trigger};
use std::sync::{Arc, Mutex};
use store_dynamodb::DynamoStore;

/// The real SES adapter, failing every send after `budget` successes while `budget` is set.
struct Budget {
    inner: mail_ses::SesMailer,
    budget: Mutex<Option<usize>>,
}

#[async_trait]
impl Mailer for Budget {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        {
            let mut b = self.budget.lock().expect("lock");
            if let Some(left) = b.as_mut() {
                if *left == 0 {
                    return Err(MailError::Unavailable("Throttling".into()));
                }
                *left -= 1;
            }
        }
        self.inner.send(email).await
    }
}

struct World {
    reporter: Reporter,
    mailer: Arc<Budget>,
    store: Arc<DynamoStore>,
    suffix: String,
}

impl World {
    fn addr(&self, who: &str) -> String {
        format!("{who}-{}@example.com", self.suffix)
    }
    async fn inbox(&self, who: &str) -> Vec<String> {
        test_support::sent_to(&self.addr(who)).await
    }
}

async fn world() -> Option<World> {
    let sdk = aws_env::test_endpoint().await?;
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("report-{suffix}");
    store_dynamodb::table::create_table(&ddb, &table)
        .await
        .expect("table");
    let store = Arc::new(DynamoStore::new(ddb, table));
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let sender = format!("reports-{suffix}@example.com");
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("identity");
    let mailer = Arc::new(Budget {
        inner: mail_ses::SesMailer::new(ses, sender, None),
        budget: Mutex::new(None),
    });
    let a = |w: &str| format!("{w}-{suffix}@example.com");
    let (ops, safety, owner, cfo) = (a("ops"), a("safety"), a("owner"), a("cfo"));
    let o = org(
        "jada",
        &[
            (Perspective::Operations, &ops),
            (Perspective::Safety, &safety),
            (Perspective::Safety, &owner),
            (Perspective::Crew, &ops),
            (Perspective::Finance, &cfo),
            (Perspective::ExecutiveSummary, &owner),
        ],
    );
    store.create_org(&o).await.expect("org");
    let scope = OrgScope::trusted(o.id.clone());
    for (who, name) in [
        ("cap@example.com", "Casey Captain"),
        ("deck@example.com", "Dana Deck"),
    ] {
        store
            .add_member(
                &scope,
                "JADA",
                &Member {
                    email: email(who),
                    name: name.into(),
                    role: domain::Role::Crew,
                    added_at: common::local("2026-01-01T00:00"),
                    sessions_valid_from: None,
                },
            )
            .await
            .expect("member");
    }
    for e in week_events(&o) {
        store.create_event(&scope, &e).await.expect("event");
    }
    let reporter = Reporter {
        orgs: store.clone(),
        members: store.clone(),
        events: store.clone(),
        vessels: store.clone(),
        reports: store.clone(),
        mailer: mailer.clone(),
        clock: Arc::new(SystemClock),
        pepper: auth::Pepper::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("pepper"),
        app_url: "https://app.example.com".into(),
        portfolio_recipients: vec![email(&a("owner"))],
    };
    Some(World {
        reporter,
        mailer,
        store,
        suffix,
    })
}

fn trigger() -> Trigger {
    Trigger {
        week: Week::parse("2026-W27"),
        org: None,
        at: chrono::Utc::now(),
    }
}

#[tokio::test]
async fn each_recipient_gets_their_reports_once() {
    let Some(w) = world().await else { return };
    let summary = w.reporter.run(&trigger()).await.expect("run");
    // ops: operations + crew; safety: safety; owner: safety + executive summary + portfolio; cfo: finance.
    assert_eq!(summary.sent, 7, "{summary:?}");
    assert_eq!(w.inbox("ops").await.len(), 2);
    assert_eq!(w.inbox("owner").await.len(), 3);
    assert_eq!(w.inbox("cfo").await.len(), 1);
    let finance = &w.inbox("cfo").await[0];
    assert_eq!(
        test_support::subject(finance).as_deref(),
        Some("JADA finance · $6,000 revenue")
    );
    assert!(finance.contains("text/plain") && finance.contains("text/html"));
    assert!(finance.contains("List-Unsubscribe: <https://app.example.com/api/unsubscribe?token="));
    assert!(finance.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let subjects: Vec<String> = w
        .inbox("owner")
        .await
        .iter()
        .filter_map(|m| test_support::subject(m))
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s == "Portfolio 2026-W27 · 4 events, $6,000 revenue, 2 safety misses"),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with("JADA executive summary · ")),
        "{subjects:?}"
    );

    let again = w.reporter.run(&trigger()).await.expect("second run");
    assert_eq!(
        (again.sent, again.skipped),
        (0, 7),
        "a second run sends nothing"
    );
    assert_eq!(w.inbox("owner").await.len(), 3);
}

#[tokio::test]
async fn a_run_that_fails_halfway_then_reruns_sends_each_once() {
    let Some(w) = world().await else { return };
    *w.mailer.budget.lock().expect("lock") = Some(3);
    let err = w
        .reporter
        .run(&trigger())
        .await
        .expect_err("the fourth send fails");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.error_type(), "Retryable.PartialFailure");
    *w.mailer.budget.lock().expect("lock") = None;
    let rerun = w.reporter.run(&trigger()).await.expect("rerun");
    assert_eq!(rerun.sent, 4, "only what was missing: {rerun:?}");
    for (who, n) in [("ops", 2), ("safety", 1), ("owner", 3), ("cfo", 1)] {
        assert_eq!(w.inbox(who).await.len(), n, "{who}");
    }
}

#[tokio::test]
async fn an_unsubscribe_sticks() {
    let Some(w) = world().await else { return };
    let jada = ReportAudience::Org(domain::OrgId::parse("jada").expect("org"));
    w.store
        .unsubscribe(
            &jada,
            Perspective::Finance,
            &email(&w.addr("cfo")),
            chrono::Utc::now(),
        )
        .await
        .expect("unsubscribe");
    let summary = w.reporter.run(&trigger()).await.expect("run");
    assert_eq!(summary.sent, 6);
    assert!(w.inbox("cfo").await.is_empty());
}

#[test]
fn triggers_as_scheduler_and_eventbridge_deliver_them() {
    let now = chrono::Utc::now();
    let t = report::parse_trigger(&serde_json::json!({}), now).expect("empty input");
    assert_eq!((t.week, t.org, t.at), (None, None, now));
    let t = report::parse_trigger(&serde_json::json!({"week": "2026-W47", "org": "jada"}), now)
        .expect("named");
    assert_eq!(t.week.map(|w| w.to_string()).as_deref(), Some("2026-W47"));
    assert_eq!(t.org.map(|o| o.to_string()).as_deref(), Some("jada"));
    let scheduled: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/eventbridge-scheduled.json")).expect("fixture");
    let t = report::parse_trigger(&scheduled, now).expect("scheduled event");
    assert_eq!(t.at.to_rfc3339(), "2026-11-23T15:00:00+00:00");
    assert_eq!(
        Week::last_complete(t.at, common::LA).to_string(),
        "2026-W47"
    );
    for bad in [
        serde_json::json!({"week": "47"}),
        serde_json::json!({"org": "Not An Org"}),
        serde_json::json!([1]),
    ] {
        let e = report::parse_trigger(&bad, now).expect_err("bad");
        assert_eq!(e.error_type(), "Fatal.BadInput");
    }
}
