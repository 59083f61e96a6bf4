//! The nudge Lambda: EventBridge Scheduler invokes it with a nudge schedule's JSON input, and every
//! hour with the reconciliation's input (`{"reconcile":{}}`), which re-plans the nudges.

use lambda_runtime::{LambdaEvent, service_fn};
use nudge::Nudger;
use std::sync::Arc;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    web::init_tracing();
    let sdk = aws_env::load().await;
    let store = Arc::new(store_dynamodb::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        aws_env::env("DYNAMODB_TABLE")?,
    ));
    let vapid = push::VapidKey::derive(
        &aws_env::secret(&sdk, "VAPID_SECRET_ARN").await?,
        &aws_env::env("VAPID_CONTACT")?,
    )?;
    let nudger = Nudger {
        events: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        vessels: store.clone(),
        mailer: Arc::new(mail_ses::SesMailer::new(
            aws_sdk_sesv2::Client::new(&sdk),
            aws_env::env("SES_SENDER_ADDRESS")?,
            aws_env::env_opt("SES_CONFIGURATION_SET"),
        )),
        publisher: Arc::new(eventbus_aws::EventBridgePublisher::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            aws_env::env("EVENT_BUS_NAME")?,
        )),
        clock: Arc::new(domain::ports::SystemClock),
        app_url: aws_env::env("APP_URL")?,
        push: Some(nudge::PushPorts {
            store,
            pusher: Arc::new(push::WebPusher::new(
                push::Client::new()?,
                vapid,
                push::Endpoints::HttpsOnly,
            )),
        }),
    };
    // The same schedule settings the api writes nudges with, so a re-plan writes what it would.
    let scheduler = scheduler_aws::EventBridgeScheduler::new(
        aws_sdk_scheduler::Client::new(&sdk),
        scheduler_aws::SchedulerConfig {
            group: aws_env::env("SCHEDULER_GROUP")?,
            target_arn: aws_env::env("NUDGE_FUNCTION_ARN")?,
            role_arn: aws_env::env("SCHEDULER_ROLE_ARN")?,
            dead_letter_arn: aws_env::env_opt("NUDGE_DLQ_ARN"),
        },
    );
    let (nudger, scheduler) = (&nudger, &scheduler);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            if nudge::is_reconcile(&event.payload) {
                nudge::reconcile(nudger, scheduler).await
            } else {
                let done = nudge::handle(nudger, &event.payload).await;
                // An overdue step schedules the next one (a reminder's schedule is gone for good).
                if done.is_ok()
                    && let Ok(input) = nudge::parse_input(&event.payload)
                {
                    nudge::replan(nudger, scheduler, &input).await;
                }
                done
            }
        },
    ))
    .await
}
