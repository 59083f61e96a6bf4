//! The web app's files as CloudFront serves them (issue 17, item 8): compressed for a client that
//! accepts it, hashed build output cached for a year, everything else revalidated. The bodies are
//! decoded with the `flate2` and `brotli-decompressor` crates, not with the server's encoder.

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use std::io::Read;
use tower::ServiceExt;

struct Fetched {
    status: u16,
    encoding: Option<String>,
    cache_control: Option<String>,
    vary: Option<String>,
    body: Vec<u8>,
}

async fn get(router: &axum::Router, path: &str, accept_encoding: Option<&str>) -> Fetched {
    let mut req = Request::builder().uri(path);
    if let Some(a) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, a);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let h = |name: header::HeaderName| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (encoding, cache_control, vary) = (
        h(header::CONTENT_ENCODING),
        h(header::CACHE_CONTROL),
        h(header::VARY),
    );
    let status = res.status().as_u16();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Fetched {
        status,
        encoding,
        cache_control,
        vary,
        body,
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

#[tokio::test]
async fn static_files_are_compressed_and_cached_like_cloudfront() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("static-{}", ulid::Ulid::new()));
    let web = dir.join("static");
    std::fs::create_dir_all(web.join("assets")).expect("dir");
    // Text that compresses, as a bundle does.
    let script: String = (0..400)
        .map(|i| format!("export const value{i} = 'the crew app, line {i}';\n"))
        .collect();
    let shell = format!(
        "<!doctype html><title>app</title>{}",
        "<p>shell</p>".repeat(100)
    );
    std::fs::write(web.join("index.html"), &shell).expect("index");
    std::fs::write(web.join("assets/index-AbC123xy.js"), &script).expect("script");
    std::fs::write(web.join("sw.js"), &script).expect("sw");
    // An image is sent as it is: compressing it again gains nothing.
    let png: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(web.join("assets/icon-Zz9.png"), &png).expect("png");
    let app = local::start(&local::Config {
        data: dir.join("data"),
        static_dir: web,
        app_url: "http://localhost:3000".into(),
    })
    .await
    .expect("start");
    let r = &app.router;

    let br = get(r, "/assets/index-AbC123xy.js", Some("br, gzip")).await;
    assert_eq!(br.status, 200);
    assert_eq!(br.encoding.as_deref(), Some("br"));
    assert_eq!(unbrotli(&br.body), script.as_bytes());
    assert!(
        br.body.len() * 4 < script.len(),
        "{} of {}",
        br.body.len(),
        script.len()
    );
    assert_eq!(
        br.cache_control.as_deref(),
        Some(local::HASHED_ASSETS_CACHE_CONTROL)
    );
    assert!(
        br.vary
            .as_deref()
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
        "caches keep one copy per encoding"
    );

    let gz = get(r, "/assets/index-AbC123xy.js", Some("gzip")).await;
    assert_eq!(gz.encoding.as_deref(), Some("gzip"));
    assert_eq!(gunzip(&gz.body), script.as_bytes());

    let plain = get(r, "/assets/index-AbC123xy.js", None).await;
    assert_eq!(plain.encoding, None);
    assert_eq!(plain.body, script.as_bytes());

    // The shell, its routes and the service worker are revalidated on every use, so a deploy
    // reaches the phone at once.
    for path in ["/", "/index.html", "/events/01ABC", "/sw.js"] {
        let f = get(r, path, Some("gzip")).await;
        assert_eq!(f.status, 200, "{path}");
        assert_eq!(f.cache_control.as_deref(), Some("no-cache"), "{path}");
        assert_eq!(f.encoding.as_deref(), Some("gzip"), "{path}");
    }
    let index = get(r, "/index.html", Some("gzip")).await;
    assert_eq!(gunzip(&index.body), shell.as_bytes());

    let image = get(r, "/assets/icon-Zz9.png", Some("br, gzip")).await;
    assert_eq!(image.status, 200);
    assert_eq!(image.encoding, None, "images are not compressed again");
    assert_eq!(image.body, png);

    // A missing asset is a 404 nobody may cache for a year.
    let missing = get(r, "/assets/gone-0000.js", Some("gzip")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.cache_control.as_deref(), Some("no-cache"));
}
