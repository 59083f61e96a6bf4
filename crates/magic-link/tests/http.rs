//! The sign-in endpoints as Lambda serves them: API Gateway HTTP API v2 events (fixture JSON, the
//! bytes Lambda delivers) through lambda_http into the router, on DynamoDB and SES (moto).

mod common;

use common::{call, event, secrets, world};
use domain::Email;
use serde_json::json;

#[tokio::test]
async fn known_and_unknown_addresses_get_byte_identical_answers() {
    let Some(w) = world().await else { return };
    let (s1, h1, b1) = call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": w.addr("ann")}),
            "203.0.113.1",
            None,
        ),
    )
    .await;
    let (s2, h2, b2) = call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": w.addr("nobody")}),
            "203.0.113.1",
            None,
        ),
    )
    .await;
    assert_eq!((s1, s2), (202, 202));
    assert_eq!(b1, json!({"status": "sent"}));
    assert_eq!(b1, b2);
    let strip = |h: Vec<(String, String)>| {
        h.into_iter()
            .filter(|(k, _)| k != "x-request-id")
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(h1), strip(h2), "headers differ only by request id");
    assert!(
        secrets(&w.addr("ann")).await.0.is_some(),
        "the member got a link"
    );
    assert!(
        secrets(&w.addr("nobody")).await.0.is_none(),
        "the stranger got mail without one"
    );

    let (status, _, body) = call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": "ann@@example.com"}),
            "203.0.113.1",
            None,
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "/problems/validation");
    let (status, _, _) = call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": w.addr("ann"), "role": "admin"}),
            "203.0.113.1",
            None,
        ),
    )
    .await;
    assert_eq!(status, 400, "unknown fields are refused");
}

#[tokio::test]
async fn link_exchange_switch_and_logout_over_lambda_events() {
    let Some(w) = world().await else { return };
    let ann = w.addr("ann");
    call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": ann}),
            "203.0.113.2",
            None,
        ),
    )
    .await;
    let (token, code) = secrets(&ann).await;
    let (token, code) = (token.expect("token"), code.expect("code"));

    // Neither the token's secret nor the code is stored: read the sign-in item back.
    let locator = w.pepper.locator(&Email::parse(&ann).expect("valid"));
    let item = w
        .store
        .client()
        .get_item()
        .table_name(w.store.table())
        .key(
            "org_id",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("_signin#{locator}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("signin".into()),
        )
        .send()
        .await
        .expect("get")
        .item
        .expect("stored");
    let stored = format!("{item:?}");
    let secret = token.split('.').nth(1).expect("secret");
    assert!(
        !stored.contains(secret) && !stored.contains(&code.replace('-', "")),
        "no plaintext secret stored"
    );

    let (status, _, grant) = call(
        &w.app,
        event(
            "/auth/exchange",
            &json!({"token": token}),
            "203.0.113.2",
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["org"]["id"], "jada");
    assert_eq!(grant["role"], "crew");
    assert_eq!(grant["memberships"][0]["org_name"], "JADA");
    let jwt = grant["token"].as_str().expect("jwt").to_string();

    let (status, _, again) = call(
        &w.app,
        event(
            "/auth/exchange",
            &json!({"token": token}),
            "203.0.113.2",
            None,
        ),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _, by_code) = call(
        &w.app,
        event(
            "/auth/exchange",
            &json!({"email": ann, "code": code}),
            "203.0.113.2",
            None,
        ),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(again, by_code, "every failure is the same problem");

    let (status, _, _) = call(
        &w.app,
        event(
            "/auth/switch",
            &json!({"org_id": "quickdumpnow"}),
            "203.0.113.2",
            Some(&jwt),
        ),
    )
    .await;
    assert_eq!(status, 403, "not a member there");
    let (status, _, _) = call(
        &w.app,
        event("/auth/logout", &json!({}), "203.0.113.2", Some(&jwt)),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = call(
        &w.app,
        event("/auth/logout-all", &json!({}), "203.0.113.2", Some(&jwt)),
    )
    .await;
    assert_eq!(status, 401, "the token died at logout");
}

#[tokio::test]
async fn twenty_parallel_code_exchanges_against_dynamodb() {
    let Some(w) = world().await else { return };
    let ann = w.addr("ann");
    call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": ann}),
            "203.0.113.3",
            None,
        ),
    )
    .await;
    let (_, code) = secrets(&ann).await;
    let code = code.expect("code");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..20 {
        let app = w.app.clone();
        let req = event(
            "/auth/exchange",
            &json!({"email": ann, "code": code}),
            &format!("203.0.113.{}", 100 + i),
            None,
        );
        set.spawn(async move { call(&app, req).await.0 });
    }
    let mut statuses = Vec::new();
    while let Some(r) = set.join_next().await {
        statuses.push(r.expect("join"));
    }
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 19);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let Some(w) = world().await else { return };
    let ann = w.addr("ann");
    for _ in 0..5 {
        let (s, _, _) = call(
            &w.app,
            event(
                "/auth/magic-link",
                &json!({"email": ann}),
                "203.0.113.4",
                None,
            ),
        )
        .await;
        assert_eq!(s, 202);
    }
    let (status, headers, body) = call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": ann}),
            "203.0.113.5",
            None,
        ),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["type"], "/problems/rate-limited");
    let retry: u64 = headers
        .iter()
        .find(|(k, _)| k == "retry-after")
        .map(|(_, v)| v.parse().expect("seconds"))
        .expect("Retry-After");
    assert!((1..=900).contains(&retry));
}
