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
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let reference = markdown(&doc);
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(docs.join("openapi.json"), format!("{generated}\n"))
            .expect("write docs/openapi.json");
        std::fs::write(docs.join("api.md"), &reference).expect("write docs/api.md");
        return;
    }
    for (file, want) in [
        ("openapi.json", generated.as_str()),
        ("api.md", reference.as_str()),
    ] {
        let on_disk = std::fs::read_to_string(docs.join(file)).unwrap_or_default();
        assert!(
            on_disk.trim_end() == want.trim_end(),
            "docs/{file} is stale: run `UPDATE_OPENAPI=1 cargo test -p api --test openapi`"
        );
    }
    // What /api/openapi.json serves is that file, compiled in.
    assert_eq!(api::OPENAPI_JSON.trim_end(), generated.trim_end());
}

/// docs/api.md: the routes, what they do and answer, from the OpenAPI document.
fn markdown(doc: &serde_json::Value) -> String {
    let mut out = String::from(
        "# API reference\n\nGenerated from the code (`crates/api`, `crates/magic-link`) by \
`UPDATE_OPENAPI=1 cargo test -p api --test openapi`; the full OpenAPI 3.1 document is \
[openapi.json](openapi.json), also served at `/api/openapi.json`. Every `/api` route needs \
`Authorization: Bearer <token>` from `/auth/exchange` unless marked public; the org is always the \
token's. Errors are RFC 9457 `application/problem+json`.\n",
    );
    let mut by_tag: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            let summary = op["summary"]
                .as_str()
                .or(op["description"].as_str())
                .unwrap_or("")
                .replace('\n', " ");
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .all(|x| x.as_object().is_some_and(|o| o.is_empty()))
            }) || (path.starts_with("/auth/") && op["security"].is_null());
            let mut statuses: Vec<String> = op["responses"]
                .as_object()
                .map(|r| {
                    r.iter()
                        .map(|(code, v)| {
                            format!("{code} {}", v["description"].as_str().unwrap_or(""))
                        })
                        .collect()
                })
                .unwrap_or_default();
            statuses.sort();
            by_tag.entry(tag).or_default().push(format!(
                "### `{} {path}`{}\n\n{summary}\n\n{}\n",
                method.to_uppercase(),
                if public { " (public)" } else { "" },
                statuses
                    .iter()
                    .map(|s| format!("- {s}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    for (tag, ops) in by_tag {
        out.push_str(&format!("\n## {tag}\n\n"));
        for op in ops {
            out.push_str(&op);
            out.push('\n');
        }
    }
    out
}
