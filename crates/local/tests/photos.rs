//! Issue 16, part 5, locally: the folder standing in for S3 takes a PUT only with the signed type
//! and exact length before the URL expires, serves it back on a signed GET, and refuses a URL
//! whose key or signature was altered.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::ports::PhotoStorage;
use http_body_util::BodyExt;
use local::photos::FolderPhotos;
use tower::ServiceExt;

fn path_of(url: &str) -> String {
    url.trim_start_matches("http://localhost:3000").to_string()
}

async fn send(
    photos: &FolderPhotos,
    method: &str,
    url: &str,
    ct: &str,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(path_of(url))
        .header("content-type", ct)
        .body(Body::from(body))
        .expect("request");
    let response = local::photos::router(photos.clone())
        .oneshot(request)
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, bytes.to_vec())
}

#[tokio::test]
async fn the_local_folder_keeps_to_the_signed_type_length_and_key() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("photos-{}", ulid::Ulid::new()));
    let photos = FolderPhotos::new(dir, "http://localhost:3000").expect("photos");
    let key = "photos/jada/01HZZZZZZZZZZZZZZZZZZZZZZ2/01HZZZZZZZZZZZZZZZZZZZZZZ1.jpg";
    let body = vec![7u8; 1000];
    let up = photos
        .upload_url(key, "image/jpeg", 1000, chrono::Duration::minutes(15))
        .await
        .expect("signed");

    let cases: [(&str, &str, Vec<u8>, StatusCode); 3] = [
        (
            "a longer body",
            "image/jpeg",
            vec![7u8; 1001],
            StatusCode::FORBIDDEN,
        ),
        (
            "another type",
            "image/png",
            body.clone(),
            StatusCode::FORBIDDEN,
        ),
        ("as signed", "image/jpeg", body.clone(), StatusCode::OK),
    ];
    for (name, ct, bytes, want) in cases {
        let (status, _) = send(&photos, "PUT", &up.url, ct, bytes).await;
        assert_eq!(status, want, "{name}");
    }
    assert_eq!(photos.size(key).await.expect("size"), Some(1000));

    let down = photos
        .download_url(key, chrono::Duration::hours(1))
        .await
        .expect("signed");
    let (status, got) = send(&photos, "GET", &down, "", Vec::new()).await;
    assert_eq!((status, got), (StatusCode::OK, body));
    // Another key with this signature, a changed signature, an expired URL: refused.
    let other = down.replace("01HZZZZZZZZZZZZZZZZZZZZZZ1", "01HZZZZZZZZZZZZZZZZZZZZZZ3");
    assert_eq!(
        send(&photos, "GET", &other, "", Vec::new()).await.0,
        StatusCode::FORBIDDEN
    );
    let forged = format!(
        "{}0",
        down.trim_end_matches(|c: char| c.is_ascii_hexdigit())
    );
    assert_eq!(
        send(&photos, "GET", &forged, "", Vec::new()).await.0,
        StatusCode::FORBIDDEN
    );
    let expired = photos
        .download_url(key, chrono::Duration::seconds(-5))
        .await
        .expect("signed");
    assert_eq!(
        send(&photos, "GET", &expired, "", Vec::new()).await.0,
        StatusCode::FORBIDDEN
    );
    // A key that climbs out of the folder is never signed.
    assert!(
        photos
            .upload_url(
                "photos/../secrets.json",
                "image/jpeg",
                10,
                chrono::Duration::minutes(1)
            )
            .await
            .is_err()
    );
}
