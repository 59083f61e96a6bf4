//! The photo storage on moto's S3, driven by a client we did not write (Python's urllib), as a
//! phone would: a presigned PUT with the signed type and length stores the photo, HEAD reports
//! its size, a presigned GET returns the bytes; the signature covers the content type and length
//! and carries no checksum a browser could not send.

use domain::ports::PhotoStorage;
use photos_s3::S3Photos;

#[tokio::test]
async fn a_photo_goes_up_and_comes_back_through_presigned_urls() {
    let Some(sdk) = aws_env::test_endpoint().await else {
        return;
    };
    let bucket = format!("photos-{}", ulid::Ulid::new().to_string().to_lowercase());
    let s3 = aws_sdk_s3::Client::new(&sdk);
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        )
        .send()
        .await
        .expect("bucket");
    let photos = S3Photos::new(&sdk, &bucket);
    let key = "photos/jada/01HZZZZZZZZZZZZZZZZZZZZZZ2/01HZZZZZZZZZZZZZZZZZZZZZZ1.jpg";
    let body: Vec<u8> = (0..2048u32).map(|i| (i % 251) as u8).collect();

    assert_eq!(
        photos.size(key).await.expect("head"),
        None,
        "nothing there yet"
    );
    let up = photos
        .upload_url(
            key,
            "image/jpeg",
            body.len() as u64,
            chrono::Duration::minutes(15),
        )
        .await
        .expect("signed");
    assert_eq!(up.method, "PUT");
    let signed = up
        .url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-SignedHeaders="))
        .expect("signed headers")
        .to_ascii_lowercase();
    assert_eq!(signed, "content-length%3bcontent-type%3bhost", "{}", up.url);
    assert!(
        !up.url.to_ascii_lowercase().contains("checksum"),
        "{}",
        up.url
    );
    assert_eq!(
        up.headers.get("content-type").map(String::as_str),
        Some("image/jpeg")
    );
    assert_eq!(
        up.headers.get("content-length").map(String::as_str),
        Some("2048")
    );

    let headers: Vec<(&str, &str)> = up
        .headers
        .iter()
        .filter(|(k, _)| k.as_str() != "content-length") // urllib sets it from the body
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let Some((status, _)) = test_support::python_http("PUT", &up.url, &headers, &body) else {
        return;
    };
    assert_eq!(status, 200);
    assert_eq!(photos.size(key).await.expect("head"), Some(2048));

    let down = photos
        .download_url(key, chrono::Duration::hours(1))
        .await
        .expect("signed");
    let (status, got) = test_support::python_http("GET", &down, &[], &[]).expect("get");
    assert_eq!(status, 200);
    assert_eq!(got, body, "the same bytes come back");
}
