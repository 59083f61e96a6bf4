//! The magic-link Lambda: builds its configuration and clients once, then serves `/auth/*`.

use auth::{Auth, AuthPorts, KeyRing, Pepper, TokenService};
use aws_env::{env, env_opt};
use domain::ports::SystemClock;
use mail_ses::SesMailer;
use std::sync::Arc;
use store_dynamodb::DynamoStore;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    web::init_tracing();
    let sdk = aws_env::load().await;
    let app_url = env("APP_URL")?;
    let keys = KeyRing::from_json(&aws_env::secret(&sdk, "JWT_KEYS_SECRET_ARN").await?)?;
    let pepper = Pepper::new(
        aws_env::secret(&sdk, "PEPPER_SECRET_ARN")
            .await?
            .into_bytes(),
    )?;
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        env("DYNAMODB_TABLE")?,
    ));
    let mailer = Arc::new(SesMailer::new(
        aws_sdk_sesv2::Client::new(&sdk),
        env("SES_SENDER_ADDRESS")?,
        env_opt("SES_CONFIGURATION_SET"),
    ));
    let auth = Arc::new(Auth::new(
        TokenService::new(keys, app_url.clone(), auth::token::AUDIENCE),
        pepper,
        app_url,
        AuthPorts::from_store(store, mailer, Arc::new(SystemClock)),
    ));
    let app = magic_link::lambda_app(auth, env_opt("CLIENT_IP_HEADER"));
    lambda_http::run(app).await
}
