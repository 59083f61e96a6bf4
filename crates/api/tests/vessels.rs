//! Vessels as records of the org: admins manage them with field-level validation, everyone in the
//! org reads them, another org's vessel is a 404.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

fn jada() -> Value {
    json!({"name": "Jada", "kind": "boat", "registration": "CF 1234 AB", "length_ft": 65,
           "description": "White hull, blue stripe, two masts", "coi_max_passengers": 49,
           "min_crew": 2, "call_sign": "wdc1234", "mmsi": "367123450",
           "safety_gear": "49 PFDs, liferaft, EPIRB, flares"})
}

#[tokio::test]
async fn admins_manage_vessels_and_the_crew_reads_them() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let made = app
        .call(
            Method::POST,
            "/api/vessels",
            Some(&admin),
            Some(jada()),
            &[],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(made.json["call_sign"], "WDC1234");
    assert_eq!(made.json["coi_max_passengers"], 49);
    let id = made.json["id"].as_str().expect("id").to_string();

    let list = app
        .call(Method::GET, "/api/vessels", Some(&deck), None, &[])
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.call(Method::POST, "/api/vessels", Some(&deck), Some(jada()), &[])
            .await
            .status,
        403,
        "crew cannot add vessels"
    );

    let mut edit = jada();
    edit["coi_max_passengers"] = json!(30);
    let path = format!("/api/vessels/{id}");
    let saved = app
        .call(Method::PUT, &path, Some(&admin), Some(edit), &[])
        .await;
    assert_eq!(saved.status, 200, "{}", saved.json);
    assert_eq!(saved.json["coi_max_passengers"], 30);
    assert_eq!(saved.json["created_at"], made.json["created_at"]);

    // Another org's admin sees none of it.
    let bravo = app.token("admin@bravo.example.com", "bravo").await;
    assert_eq!(
        app.call(Method::GET, "/api/vessels", Some(&bravo), None, &[])
            .await
            .json,
        json!([])
    );
    assert_eq!(
        app.call(Method::PUT, &path, Some(&bravo), Some(jada()), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&bravo), None, &[])
            .await
            .status,
        404
    );

    assert_eq!(
        app.call(Method::DELETE, &path, Some(&admin), None, &[])
            .await
            .status,
        204
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&admin), None, &[])
            .await
            .status,
        404
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            "/api/vessels/not-an-id",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn bad_vessels_are_field_errors_and_names_are_unique() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let mut bad = jada();
    bad["name"] = json!(" ");
    bad["mmsi"] = json!("12345");
    bad["min_crew"] = json!(0);
    bad["length_ft"] = json!(-3);
    let got = app
        .call(Method::POST, "/api/vessels", Some(&admin), Some(bad), &[])
        .await;
    assert_eq!(got.status, 400, "{}", got.json);
    let fields = got.error_fields();
    for f in ["name", "mmsi", "min_crew", "length_ft"] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }
    let mut unknown = jada();
    unknown["org_id"] = json!("bravo");
    assert_eq!(
        app.call(
            Method::POST,
            "/api/vessels",
            Some(&admin),
            Some(unknown),
            &[]
        )
        .await
        .status,
        400,
        "no mass assignment"
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/vessels",
            Some(&admin),
            Some(jada()),
            &[]
        )
        .await
        .status,
        201
    );
    let mut again = jada();
    again["name"] = json!("JADA");
    let dup = app
        .call(Method::POST, "/api/vessels", Some(&admin), Some(again), &[])
        .await;
    assert_eq!(dup.status, 400);
    assert_eq!(dup.json["errors"][0]["code"], "taken");
}
