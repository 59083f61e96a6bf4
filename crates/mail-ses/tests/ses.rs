//! The SES adapter against moto: what arrives is the MIME we rendered, with both parts and the
//! extra headers.

use domain::Email;
use domain::ports::{MailError, Mailer, OutgoingEmail};
use mail_ses::SesMailer;

#[tokio::test]
async fn sends_raw_mime_with_both_parts_and_headers() {
    let Some(config) = aws_env::test_endpoint().await else {
        return;
    };
    let client = aws_sdk_sesv2::Client::new(&config);
    let sender = format!(
        "crew-{}@example.com",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    client
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("identity");
    let mailer = SesMailer::new(client, sender.clone(), None);
    let to = format!(
        "to-{}@example.com",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let message = OutgoingEmail {
        to: Email::parse(&to).expect("valid"),
        subject: "Weekly operations: 12 events".into(),
        html: mail::layout("Operations", "<p>Twelve events</p>"),
        text: "Twelve events".into(),
        headers: vec![
            (
                "List-Unsubscribe".into(),
                "<https://app.example.com/api/unsubscribe?t=abc>".into(),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
        category: "report",
    };
    let id = mailer.send(&message).await.expect("sent");
    assert!(!id.is_empty());
    let sent = test_support::sent_to(&to).await;
    assert_eq!(sent.len(), 1, "exactly one message to {to}");
    let raw = &sent[0];
    assert!(raw.contains("Subject: Weekly operations: 12 events"));
    assert!(raw.contains("text/plain") && raw.contains("text/html"));
    assert!(raw.contains("List-Unsubscribe: <https://app.example.com/api/unsubscribe?t=abc>"));
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(raw.contains(&format!("<{sender}>")));
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_not_retried() {
    let Some(config) = aws_env::test_endpoint().await else {
        return;
    };
    let mailer = SesMailer::new(
        aws_sdk_sesv2::Client::new(&config),
        "nobody-verified@example.org",
        None,
    );
    let message = OutgoingEmail {
        to: Email::parse("ann@example.com").expect("valid"),
        subject: "x".into(),
        html: "<p>x</p>".into(),
        text: "x".into(),
        headers: vec![],
        category: "test",
    };
    match mailer.send(&message).await {
        Err(e @ MailError::Rejected(_)) => assert!(!e.is_retryable()),
        other => panic!("expected a rejection, got {other:?}"),
    }
}
