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

/// The decoded `Subject:` of a raw message (RFC 2047 `=?utf-8?B?…?=` / `=?utf-8?Q?…?=` words,
/// possibly folded over several lines).
pub fn subject(raw: &str) -> Option<String> {
    use base64::Engine;
    let mut lines = raw
        .lines()
        .skip_while(|l| !l.to_ascii_lowercase().starts_with("subject:"));
    let mut value = lines.next()?["subject:".len()..].trim().to_string();
    for more in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        value.push(' ');
        value.push_str(more.trim());
    }
    let mut out = String::new();
    for word in value.split_whitespace() {
        let decoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut parts = w.splitn(3, '?');
                let (_charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
                match enc.to_ascii_uppercase().as_str() {
                    "B" => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok()),
                    "Q" => {
                        let bytes = text.replace('_', " ").into_bytes();
                        let mut buf = Vec::new();
                        let mut i = 0;
                        while i < bytes.len() {
                            if bytes[i] == b'=' && i + 2 < bytes.len() {
                                buf.push(
                                    u8::from_str_radix(
                                        std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?,
                                        16,
                                    )
                                    .ok()?,
                                );
                                i += 3;
                            } else {
                                buf.push(bytes[i]);
                                i += 1;
                            }
                        }
                        String::from_utf8(buf).ok()
                    }
                    _ => None,
                }
            });
        match decoded {
            Some(d) => out.push_str(&d),
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    Some(out)
}

/// The Python that holds the tests' independent oracles (icalendar, http_ece), from
/// `TEST_PYTHON` (tests/with-moto.sh sets it). `None` outside CI when unset, after saying so; under
/// `CI=true` a missing one panics, so CI never skips these tests silently.
pub fn test_python() -> Option<String> {
    match std::env::var("TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("CI=true but TEST_PYTHON is not set: run these tests through `make test`")
        }
        _ => {
            eprintln!("SKIPPED: TEST_PYTHON is not set; `make test` runs these with its oracles");
            None
        }
    }
}
