//! The store conformance suite against DynamoDB (the moto server `make test` starts), each test on
//! a table of its own.

use std::sync::Arc;
use store_dynamodb::DynamoStore;

async fn fresh() -> Option<Arc<DynamoStore>> {
    let config = aws_env::test_endpoint().await?;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("conformance-{}", ulid::Ulid::new());
    store_dynamodb::table::create_table(&client, &table)
        .await
        .expect("create table");
    Some(Arc::new(DynamoStore::new(client, table)))
}

store_conformance::conformance_suite!(fresh());
