//! The api Lambda: builds its configuration and clients once, then serves `/api/*` to requests
//! that came through CloudFront.

use api::AppState;
use aws_env::{env, env_opt};
use domain::ports::SystemClock;
use eventbus_aws::EventBridgePublisher;
use scheduler_aws::{EventBridgeScheduler, SchedulerConfig};
use std::sync::Arc;
use store_dynamodb::DynamoStore;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    web::init_tracing();
    let sdk = aws_env::load().await;
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        env("DYNAMODB_TABLE")?,
    ));
    // The secrets are read concurrently: init waits for the slowest read, not their sum.
    let (auth, origin, vapid) = tokio::try_join!(
        magic_link::auth_from_env(&sdk, store.clone()),
        magic_link::origin_check_from_env(&sdk),
        async {
            aws_env::secret(&sdk, "VAPID_SECRET_ARN")
                .await
                .map_err(Error::from)
        },
    )?;
    // Phones subscribe to the public half; the nudge signs with the private half.
    let vapid = push::VapidKey::derive(&vapid, &env("VAPID_CONTACT")?)?;
    let scheduler = EventBridgeScheduler::new(
        aws_sdk_scheduler::Client::new(&sdk),
        SchedulerConfig {
            group: env("SCHEDULER_GROUP")?,
            target_arn: env("NUDGE_FUNCTION_ARN")?,
            role_arn: env("SCHEDULER_ROLE_ARN")?,
            dead_letter_arn: env_opt("NUDGE_DLQ_ARN"),
        },
    );
    let publisher = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&sdk),
        env("EVENT_BUS_NAME")?,
    );
    let mut state = AppState::new(
        auth,
        store,
        Arc::new(scheduler),
        Arc::new(publisher),
        Arc::new(SystemClock),
    );
    state.vapid_public_key = Some(vapid.public_key().to_string());
    // Photos are signed here and stored by the phone straight into the stage's bucket.
    let state = state.with_photos(Arc::new(photos_s3::S3Photos::new(
        &sdk,
        env("PHOTO_BUCKET")?,
    )));
    lambda_http::run(api::lambda_app(state, origin)).await
}
