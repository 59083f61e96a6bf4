//! The OpenAPI document is generated from the code; docs/openapi.json is that document, kept in
//! the repo for readers. This test fails when they differ; `UPDATE_OPENAPI=1 cargo test -p api
//! --test openapi` rewrites the file.

#[test]
fn docs_openapi_json_is_current() {
    let generated = api::openapi_document();
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("JSON");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
    for path in [
        "/api/events",
        "/api/events/{id}",
        "/api/events/{id}/tasks/{task_id}",
        "/api/members",
        "/api/org",
        "/auth/magic-link",
        "/auth/exchange",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&file, format!("{generated}\n")).expect("write docs/openapi.json");
        return;
    }
    let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        on_disk.trim_end() == generated.trim_end(),
        "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api --test openapi`"
    );
}
