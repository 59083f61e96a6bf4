//! The report Lambda (the weekly schedule's target), and `report preview`, which renders one
//! org's week from the local embedded store to files:
//!
//!     cargo run -p report -- preview --org jada --week 2026-W47 --out target/report [--data .data]

use domain::report::Week;
use report::Reporter;
use std::path::PathBuf;
use std::sync::Arc;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("preview") {
        return preview(&args[1..]).await;
    }
    web::init_tracing();
    let sdk = aws_env::load().await;
    let store = Arc::new(store_dynamodb::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        aws_env::env("DYNAMODB_TABLE")?,
    ));
    let portfolio_recipients = aws_env::env_opt("PORTFOLIO_RECIPIENTS")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(domain::Email::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let reporter = Reporter {
        orgs: store.clone(),
        members: store.clone(),
        events: store.clone(),
        vessels: store.clone(),
        reports: store,
        mailer: Arc::new(mail_ses::SesMailer::new(
            aws_sdk_sesv2::Client::new(&sdk),
            aws_env::env("SES_SENDER_ADDRESS")?,
            aws_env::env_opt("SES_CONFIGURATION_SET"),
        )),
        clock: Arc::new(domain::ports::SystemClock),
        pepper: auth::Pepper::new(
            aws_env::secret(&sdk, "PEPPER_SECRET_ARN")
                .await?
                .into_bytes(),
        )?,
        app_url: aws_env::env("APP_URL")?,
        portfolio_recipients,
    };
    let reporter = &reporter;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            let trigger = match report::parse_trigger(&event.payload, chrono::Utc::now()) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(error = %e, "trigger not understood; nothing sent");
                    return Err(e);
                }
            };
            reporter
                .run(&trigger)
                .await
                .map(|s| serde_json::to_value(s).unwrap_or_default())
        },
    ))
    .await
}

/// Renders every perspective of one org's week to `<out>/<org>-<week>-<perspective>.{html,txt}`.
async fn preview(args: &[String]) -> Result<(), Error> {
    let mut org = None;
    let mut week = None;
    let mut out = PathBuf::from("target/report");
    let mut data = PathBuf::from(".data");
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--org" => org = Some(domain::OrgId::parse(value).map_err(|e| format!("--org: {e}"))?),
            "--week" => week = Some(Week::parse(value).ok_or("--week is like 2026-W47")?),
            "--out" => out = PathBuf::from(value),
            "--data" => data = PathBuf::from(value),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let org =
        org.ok_or("usage: report preview --org <id> [--week 2026-W47] [--out dir] [--data .data]")?;
    let store = Arc::new(store_embedded::EmbeddedStore::open(&data.join("store"))?);
    let week = week.unwrap_or_else(|| {
        Week::last_complete(chrono::Utc::now(), chrono_tz::America::Los_Angeles)
    });
    let reporter = Reporter {
        orgs: store.clone(),
        members: store.clone(),
        events: store.clone(),
        vessels: store.clone(),
        reports: store,
        mailer: Arc::new(mail::Outbox::new(
            out.join("outbox"),
            "preview@shipcaptaincrew.local",
        )),
        clock: Arc::new(domain::ports::SystemClock),
        pepper: auth::Pepper::new(b"preview-pepper-not-used-for-real-mail!!".to_vec())?,
        app_url: "http://localhost:3000".into(),
        portfolio_recipients: Vec::new(),
    };
    std::fs::create_dir_all(&out)?;
    for (perspective, rendered) in reporter.preview(&org, week).await? {
        let base = out.join(format!("{org}-{week}-{perspective}"));
        std::fs::write(base.with_extension("html"), &rendered.html)?;
        std::fs::write(base.with_extension("txt"), &rendered.text)?;
        println!(
            "{}  ({} bytes)  {}",
            base.with_extension("html").display(),
            rendered.html.len(),
            rendered.subject
        );
    }
    Ok(())
}
