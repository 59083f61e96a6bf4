//! The magic-link Lambda: builds its configuration and clients once, then serves `/auth/*` to
//! requests that came through CloudFront.

use std::sync::Arc;
use store_dynamodb::DynamoStore;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    web::init_tracing();
    let sdk = aws_env::load().await;
    let table = aws_env::env("DYNAMODB_TABLE")?;
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table));
    // The secrets are read concurrently: init waits for the slowest read, not their sum.
    let (auth, origin) = tokio::try_join!(
        magic_link::auth_from_env(&sdk, store),
        magic_link::origin_check_from_env(&sdk),
    )?;
    let app = magic_link::lambda_app(auth, aws_env::env_opt("CLIENT_IP_HEADER"), origin);
    lambda_http::run(app).await
}
