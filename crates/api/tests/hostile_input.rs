//! No input makes the API panic or answer 5xx: hostile paths, queries, headers and bodies against
//! every route, as data.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

fn bodies() -> Vec<Value> {
    vec![
        Value::Null,
        json!(1e308),
        json!(-1),
        json!("x".repeat(10_000)),
        json!([]),
        json!({"done": "yes", "op_id": 5, "at": []}),
        json!({"kind": "charter", "title": "\u{0000}\u{202E}", "vessel": "v", "departs_at": "9999-99-99T99:99", "returns_at": "0000-01-01T00:00"}),
        json!({"kind": "charter", "title": "t", "vessel": "v", "departs_at": "2026-07-10T11:00", "returns_at": "2026-07-10T12:00", "revenue_cents": 9_223_372_036_854_775_807_i64}),
        json!({"crew": [{"email": "a@b.co", "role": "admiral"}]}),
        json!({"email": "\u{FF21}@\u{FF42}.com", "role": "admin", "name": "\n"}),
        json!({"report_recipients": {"operations": vec!["x@y.zz"; 100]}}),
        json!({"home_port": {"name": "n", "latitude": 1e308, "longitude": -1e308}}),
        json!({"zone": "../../../etc/passwd"}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_answers_5xx() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let event = app.event("jada", 24).await;
    let e = event.id.as_str();
    let long = "9".repeat(5000);
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/api/me".into()),
        (
            Method::GET,
            format!("/api/events?from={long}&to=%00&limit=-1&cursor=%FF%FE"),
        ),
        (Method::GET, "/api/events?limit=18446744073709551616".into()),
        (Method::POST, "/api/events".into()),
        (Method::GET, format!("/api/events/{e}")),
        (Method::GET, "/api/events/..%2F..%2Fetc%2Fpasswd".into()),
        (Method::PATCH, format!("/api/events/{e}")),
        (Method::POST, format!("/api/events/{e}/cancel")),
        (Method::POST, format!("/api/events/{e}/departed")),
        (Method::POST, format!("/api/events/{e}/returned")),
        (Method::GET, format!("/api/events/{e}/timing")),
        (Method::PUT, format!("/api/events/{e}/tasks/float_plan")),
        (Method::PUT, format!("/api/events/{e}/tasks/{long}")),
        (Method::GET, "/api/members".into()),
        (Method::POST, "/api/members".into()),
        (
            Method::PATCH,
            "/api/members/%E2%80%AEadmin@jada.example.com".into(),
        ),
        (Method::DELETE, format!("/api/members/{long}")),
        (Method::GET, "/api/org".into()),
        (Method::PATCH, "/api/org".into()),
        (
            Method::GET,
            "/api/reports/weekly?week=9999-W99&perspective=%00".into(),
        ),
        (Method::POST, "/api/unsubscribe?token=%00.%00".into()),
        (Method::GET, "/api/templates".into()),
        (Method::DELETE, "/api/events".into()),
    ];
    let headers: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("if-match", "\"garbage\""), ("if-none-match", "*")],
        vec![(
            "if-match",
            "W/\"01ARZ3NDEKTSV4RRFFQ69G5FAV-18446744073709551616-1\"",
        )],
    ];
    let mut failures = Vec::new();
    for (method, path) in &routes {
        for body in bodies() {
            for h in &headers {
                let reply = app
                    .call(method.clone(), path, Some(&admin), Some(body.clone()), h)
                    .await;
                if reply.status >= 500 {
                    failures.push(format!(
                        "{method} {path} {body}: {} {}",
                        reply.status, reply.json
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} inputs answered 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
