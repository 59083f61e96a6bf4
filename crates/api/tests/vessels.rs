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

fn sail(vessel_id: &str, passengers: u32) -> Value {
    json!({"kind": "sunset_sail", "title": "Sunset sail", "vessel_id": vessel_id,
           "departs_at": "2026-07-04T18:30", "returns_at": "2026-07-04T21:00",
           "crew": [{"email": "cap@jada.example.com", "role": "captain"},
                    {"email": "deck@jada.example.com", "role": "crew"}],
           "passenger_count": passengers,
           "manifest": ["Ana Ruiz", "Bo Chen"], "emergency_contact": "Lee Ruiz +1 619 555 0100",
           "confirm": ["short_of_crew", "departure_in_past"]})
}

/// Issue 16, parts 1 and 2: an event picks one of the org's vessels; its passengers are bounded by
/// the vessel's Certificate of Inspection; the crew screen shows the minimum crew from the vessel
/// and the headcount to expect.
#[tokio::test]
async fn events_pick_a_vessel_and_its_coi_bounds_the_passengers() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let mut boat = jada();
    boat["coi_max_passengers"] = json!(6);
    boat["min_crew"] = json!(3);
    let made = app
        .call(Method::POST, "/api/vessels", Some(&admin), Some(boat), &[])
        .await;
    let id = made.json["id"].as_str().expect("id").to_string();

    let over = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(sail(&id, 7)),
            &[],
        )
        .await;
    assert_eq!(over.status, 400, "{}", over.json);
    assert_eq!(over.error_fields(), ["passenger_count"]);
    let message = over.json["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("at most 6"),
        "the limit is in the message: {message}"
    );

    // A free-text name that is not one of the org's vessels is refused once the org has records.
    let mut ghost = sail(&id, 2);
    ghost.as_object_mut().expect("object").remove("vessel_id");
    ghost["vessel"] = json!("Ghost ship");
    let refused = app
        .call(Method::POST, "/api/events", Some(&admin), Some(ghost), &[])
        .await;
    assert_eq!(refused.error_fields(), ["vessel"]);
    // A vessel id of another org is unknown here.
    let bravo = app.token("admin@bravo.example.com", "bravo").await;
    let truck = app
        .call(
            Method::POST,
            "/api/vessels",
            Some(&bravo),
            Some(json!({"name": "Truck 1", "kind": "truck"})),
            &[],
        )
        .await;
    let truck_id = truck.json["id"].as_str().expect("id");
    let foreign = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(sail(truck_id, 2)),
            &[],
        )
        .await;
    assert_eq!(foreign.error_fields(), ["vessel_id"]);

    let created = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(sail(&id, 6)),
            &[],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let ev = &created.json;
    assert_eq!(ev["vessel"], "Jada");
    assert_eq!(ev["vessel_id"], json!(id));
    assert_eq!(ev["passengers"]["count"], 6);
    assert_eq!(ev["passengers"]["manifest"], json!(["Ana Ruiz", "Bo Chen"]));
    assert_eq!(
        ev["crew_required"], 3,
        "the vessel's minimum crew, not the template's 2"
    );
    let headcounts: Vec<Value> = ev["checklist"]["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        .filter(|t| !t["headcount"].is_null())
        .map(|t| t["headcount"].clone())
        .collect();
    assert_eq!(headcounts.len(), 2, "headcount at boarding and off");
    assert_eq!(
        headcounts[0],
        json!({"passengers": 6, "crew": 2, "total": 8})
    );

    // The captain may change who is aboard; the COI still holds.
    let path = format!("/api/events/{}", ev["id"].as_str().expect("id"));
    let etag = ev["etag"].as_str().expect("etag").to_string();
    let too_many = app
        .call(
            Method::PATCH,
            &path,
            Some(&cap),
            Some(json!({"passenger_count": 9})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(too_many.error_fields(), ["passenger_count"]);
    let fewer = app
        .call(
            Method::PATCH,
            &path,
            Some(&cap),
            Some(json!({"passenger_count": 4})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(fewer.status, 200, "{}", fewer.json);
    assert_eq!(fewer.json["passengers"]["count"], 4);
    assert_eq!(
        fewer.json["passengers"]["manifest"],
        json!(["Ana Ruiz", "Bo Chen"])
    );
    // But not the vessel: that is the office's.
    let etag = fewer.json["etag"].as_str().expect("etag").to_string();
    let swap = app
        .call(
            Method::PATCH,
            &path,
            Some(&cap),
            Some(json!({"vessel": "Other"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(swap.status, 403);
}
