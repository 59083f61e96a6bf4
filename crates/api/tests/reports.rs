//! Weekly reports in the app, and the one-click unsubscribe the emails link to.

mod common;

use axum::http::Method;
use common::{TestApp, email};
use domain::org::Perspective;
use domain::ports::ReportAudience;
use domain::{OrgId, Role};

#[tokio::test]
async fn executives_see_the_week_and_a_summary_across_their_orgs() {
    let app = TestApp::embedded().await;
    // The executive is also an executive of bravo.
    app.join(
        "exec@jada.example.com",
        "bravo",
        "Bravo Hauling",
        "Exec",
        Role::Executive,
    )
    .await;
    // An event last week (the clock is Wed 1 Jul 2026: week 27; last week is 26).
    let event = app.event("jada", -48).await;
    let exec = app.token("exec@jada.example.com", "jada").await;
    let ops = app
        .call(
            Method::GET,
            "/api/reports/weekly?week=2026-W27&perspective=operations",
            Some(&exec),
            None,
            &[],
        )
        .await;
    assert_eq!(ops.status, 200, "{}", ops.json);
    assert_eq!(ops.json["week"], "2026-W27");
    assert_eq!(ops.json["data"]["events"], 1);
    assert_eq!(ops.json["kpis"]["revenue_cents"], 180_000);
    assert_eq!(ops.json["starts"], "2026-06-29T00:00:00-07:00");
    let _ = event;

    let summary = app
        .call(
            Method::GET,
            "/api/reports/weekly?week=2026-W27",
            Some(&exec),
            None,
            &[],
        )
        .await;
    assert_eq!(summary.json["perspective"], "executive_summary");
    let orgs: Vec<&str> = summary.json["data"]["orgs"]
        .as_array()
        .expect("orgs")
        .iter()
        .filter_map(|o| o["org_id"].as_str())
        .collect();
    assert_eq!(orgs, ["jada", "bravo"]);

    for bad in [
        "week=2026-53",
        "perspective=gossip",
        "week=2026-W27&org=bravo",
    ] {
        let reply = app
            .call(
                Method::GET,
                &format!("/api/reports/weekly?{bad}"),
                Some(&exec),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn one_click_unsubscribe() {
    let app = TestApp::embedded().await;
    let jada = ReportAudience::Org(OrgId::parse("jada").expect("org"));
    let who = email("exec@jada.example.com");
    let token = auth::unsubscribe::token(&app.auth.pepper, &jada, Perspective::Finance, &who);
    let page = app
        .call(
            Method::GET,
            &format!("/api/unsubscribe?token={token}"),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        app.store
            .unsubscribed(&jada, Perspective::Finance)
            .await
            .expect("read")
            .is_empty(),
        "opening the link changes nothing"
    );
    for _ in 0..2 {
        let reply = app
            .call(
                Method::POST,
                &format!("/api/unsubscribe?token={token}"),
                None,
                None,
                &[("content-type", "application/x-www-form-urlencoded")],
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.json);
        assert_eq!(reply.json["status"], "unsubscribed");
    }
    assert_eq!(
        app.store
            .unsubscribed(&jada, Perspective::Finance)
            .await
            .expect("read"),
        vec![who]
    );
    let mut forged = token.clone();
    forged.push('x');
    assert_eq!(
        app.call(
            Method::POST,
            &format!("/api/unsubscribe?token={forged}"),
            None,
            None,
            &[]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.call(Method::POST, "/api/unsubscribe", None, None, &[])
            .await
            .status,
        400
    );
}
