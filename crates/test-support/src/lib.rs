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

/// tests/push/push_service.py on loopback: a push service written apart from the push crate. It
/// plays the browser's side too (it makes each subscription's keys), checks each request's VAPID
/// token and decrypts its body. Stopped when dropped.
pub struct PushService {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone)]
pub struct BrowserSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl PushService {
    /// `None` outside CI without the test Python (see [`test_python`]).
    pub fn start() -> Option<Self> {
        use std::io::BufRead;
        let python = test_python()?;
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/push/push_service.py"
        );
        let mut child = std::process::Command::new(python)
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("push service");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port");
        let port = line.trim().parse().expect("a port on the first line");
        Some(Self { child, port })
    }

    /// A new subscription `id` whose push requests get `behaviour`: `ok`, `gone` (410), `flaky`
    /// (503 once, then 201) or `throttle` (429).
    pub fn subscribe(&self, id: &str, behaviour: &str) -> BrowserSubscription {
        let got = self.http(
            "POST",
            "/register",
            &serde_json::json!({"id": id, "behaviour": behaviour}).to_string(),
        );
        let s = |k: &str| got[k].as_str().expect("registered").to_string();
        BrowserSubscription {
            endpoint: s("endpoint"),
            p256dh: s("p256dh"),
            auth: s("auth"),
        }
    }

    /// What reached subscription `id`: `[{"ok", "plaintext", "ttl", "urgency", "topic", "problems"}]`.
    pub fn received(&self, id: &str) -> Vec<serde_json::Value> {
        self.http("GET", &format!("/received/{id}"), "")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn http(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let json = answer.split("\r\n\r\n").nth(1).unwrap_or("null");
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null)
    }
}

/// Makes one HTTP request with Python's `urllib` (a client written apart from ours), as a phone
/// would to a presigned URL: `(status, body)`. `None` without `TEST_PYTHON` outside CI.
pub fn python_http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, Vec<u8>)> {
    let python = test_python()?;
    let dir = std::env::temp_dir().join(format!("py-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let body_file = dir.join(format!("{n}.bin"));
    std::fs::write(&body_file, body).ok()?;
    let script = r#"
import json, sys, urllib.request, urllib.error
method, url, headers, body_file = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
data = open(body_file, 'rb').read() if method in ('PUT', 'POST') else None
req = urllib.request.Request(url, data=data, method=method, headers=headers)
try:
    with urllib.request.urlopen(req) as r:
        status, out = r.status, r.read()
except urllib.error.HTTPError as e:
    status, out = e.code, e.read()
sys.stdout.buffer.write(str(status).encode() + b'\n' + out)
"#;
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(method)
        .arg(url)
        .arg(serde_json::Value::Object(headers).to_string())
        .arg(&body_file)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "python http: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let split = out.stdout.iter().position(|b| *b == b'\n')?;
    let status = std::str::from_utf8(&out.stdout[..split])
        .ok()?
        .parse()
        .ok()?;
    Some((status, out.stdout[split + 1..].to_vec()))
}
