//! What both operator test files need: a fixed "now" and a fresh table on the moto server.

use chrono::{DateTime, TimeZone, Utc};
use store_dynamodb::DynamoStore;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("valid")
}

/// A DynamoDB store on a table of its own, or `None` outside `make test` (never under CI=true).
pub async fn fresh_dynamo(prefix: &str) -> Option<DynamoStore> {
    let config = aws_env::test_endpoint().await?;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("{prefix}-{}", ulid::Ulid::new());
    store_dynamodb::table::create_table(&client, &table)
        .await
        .expect("create table");
    Some(DynamoStore::new(client, table))
}
