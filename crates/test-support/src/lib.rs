//! Helpers for tests: what the moto server (started by `tests/with-moto.sh`) recorded.
//! Never a dependency of a shipped binary.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET <AWS_ENDPOINT_URL><path>` over plain HTTP/1.0, returning the body. moto is on loopback
/// and answers plain HTTP, so no client library is needed.
pub async fn moto_get(path: &str) -> Result<String, String> {
    let endpoint =
        std::env::var("AWS_ENDPOINT_URL").map_err(|_| "AWS_ENDPOINT_URL unset".to_string())?;
    let host = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("not a plain-HTTP endpoint: {endpoint}"))?
        .trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP body")?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "moto answered {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    Ok(body.to_string())
}

/// moto's whole recorded state (`/moto-api/data.json`).
pub async fn moto_data() -> serde_json::Value {
    let body = moto_get("/moto-api/data.json")
        .await
        .expect("moto data.json");
    serde_json::from_str(&body).expect("moto data.json is JSON")
}

/// Raw MIME messages moto recorded as sent, oldest first (`.ses.RawMessage[].raw_data`).
pub async fn sent_raw_messages() -> Vec<String> {
    let data = moto_data().await;
    data["ses"]["RawMessage"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["raw_data"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The raw messages sent to `to` (matched on the `To:` header).
pub async fn sent_to(to: &str) -> Vec<String> {
    sent_raw_messages()
        .await
        .into_iter()
        .filter(|m| {
            m.lines().any(|l| {
                l.eq_ignore_ascii_case(&format!("To: <{to}>"))
                    || l.eq_ignore_ascii_case(&format!("To: {to}"))
            })
        })
        .collect()
}
