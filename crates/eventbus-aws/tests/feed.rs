//! PutEvents against moto, with a rule on the bus and an SQS queue as its target: what we publish
//! is what a subscriber receives.

use chrono::{TimeZone, Utc};
use domain::ports::{DomainEvent, DomainEvents};
use domain::{EventId, OrgId};
use eventbus_aws::EventBridgePublisher;

#[tokio::test]
async fn published_events_reach_a_rule_target() {
    let Some(sdk) = aws_env::test_endpoint().await else {
        return;
    };
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let bus = format!("scc-{suffix}");
    events
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .expect("bus");
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("feed-{suffix}"))
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url");
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("attrs")
        .attributes
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .expect("arn");
    events
        .put_rule()
        .name(format!("all-{suffix}"))
        .event_bus_name(&bus)
        .event_pattern(r#"{"source":["shipcaptaincrew"]}"#)
        .send()
        .await
        .expect("rule");
    events
        .put_targets()
        .rule(format!("all-{suffix}"))
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(&queue_arn)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("targets");

    let publisher = EventBridgePublisher::new(events, &bus);
    let id = EventId::generate();
    let published: Vec<DomainEvent> = ["event.created", "event.moved", "event.cancelled"]
        .iter()
        .map(|kind| DomainEvent {
            kind: kind.to_string(),
            org_id: OrgId::parse("jada").expect("valid"),
            event_id: id.clone(),
            at: Utc
                .with_ymd_and_hms(2026, 7, 1, 16, 0, 0)
                .single()
                .expect("time"),
            detail: serde_json::json!({"status": "scheduled"}),
        })
        .collect();
    publisher.publish(&published).await.expect("published");

    let mut received = Vec::new();
    for _ in 0..20 {
        let out = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        received.extend(
            out.messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.body),
        );
        if received.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(received.len(), 3, "{received:?}");
    let mut kinds: Vec<String> = received
        .iter()
        .map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).expect("JSON envelope");
            assert_eq!(v["source"], "shipcaptaincrew");
            assert_eq!(v["detail"]["event_id"], id.as_str());
            assert_eq!(v["detail"]["org_id"], "jada");
            v["detail-type"].as_str().expect("detail-type").to_string()
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["event.cancelled", "event.created", "event.moved"]);
}
