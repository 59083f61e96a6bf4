//! The table's key schema, read from `table.json`: the one definition the Rust table-creation
//! helper (tests, tooling) and the CDK stack both use.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use serde::Deserialize;

pub const BY_EMAIL: &str = "by_email";
pub const BY_DEPARTURE: &str = "by_departure";

/// The file CDK reads too.
pub const TABLE_JSON: &str = include_str!("../table.json");

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TableSpec {
    pub partition_key: KeySpec,
    pub sort_key: KeySpec,
    pub ttl_attribute: String,
    pub global_secondary_indexes: Vec<IndexSpec>,
    pub local_secondary_indexes: Vec<IndexSpec>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct KeySpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IndexSpec {
    pub name: String,
    pub partition_key: Option<KeySpec>,
    pub sort_key: KeySpec,
    pub projection: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("table.json is invalid: {0}")]
    Spec(String),
    #[error("cannot create the table: {0}")]
    Create(String),
}

pub fn spec() -> Result<TableSpec, TableError> {
    serde_json::from_str(TABLE_JSON).map_err(|e| TableError::Spec(e.to_string()))
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, TableError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| TableError::Spec(e.to_string()))
}

fn attr(k: &KeySpec) -> Result<AttributeDefinition, TableError> {
    let kind = match k.kind.as_str() {
        "S" => ScalarAttributeType::S,
        "N" => ScalarAttributeType::N,
        other => return Err(TableError::Spec(format!("unsupported key type {other}"))),
    };
    AttributeDefinition::builder()
        .attribute_name(&k.name)
        .attribute_type(kind)
        .build()
        .map_err(|e| TableError::Spec(e.to_string()))
}

fn projection(p: &str) -> Result<Projection, TableError> {
    match p {
        "ALL" => Ok(Projection::builder()
            .projection_type(ProjectionType::All)
            .build()),
        other => Err(TableError::Spec(format!("unsupported projection {other}"))),
    }
}

/// Creates the table (on-demand) with its indexes and TTL, as table.json says. For tests and
/// local tooling; in AWS the CDK stack owns the table.
pub async fn create_table(client: &Client, name: &str) -> Result<(), TableError> {
    let spec = spec()?;
    let mut attrs = vec![attr(&spec.partition_key)?, attr(&spec.sort_key)?];
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(&spec.partition_key.name, KeyType::Hash)?)
        .key_schema(key(&spec.sort_key.name, KeyType::Range)?);
    for index in &spec.global_secondary_indexes {
        let pk = index
            .partition_key
            .as_ref()
            .ok_or_else(|| TableError::Spec(format!("GSI {} lacks a partition key", index.name)))?;
        attrs.push(attr(pk)?);
        attrs.push(attr(&index.sort_key)?);
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(&index.name)
            .key_schema(key(&pk.name, KeyType::Hash)?)
            .key_schema(key(&index.sort_key.name, KeyType::Range)?)
            .projection(projection(&index.projection)?)
            .build()
            .map_err(|e| TableError::Spec(e.to_string()))?;
        request = request.global_secondary_indexes(gsi);
    }
    for index in &spec.local_secondary_indexes {
        attrs.push(attr(&index.sort_key)?);
        let lsi = LocalSecondaryIndex::builder()
            .index_name(&index.name)
            .key_schema(key(&spec.partition_key.name, KeyType::Hash)?)
            .key_schema(key(&index.sort_key.name, KeyType::Range)?)
            .projection(projection(&index.projection)?)
            .build()
            .map_err(|e| TableError::Spec(e.to_string()))?;
        request = request.local_secondary_indexes(lsi);
    }
    attrs.sort_by(|a, b| a.attribute_name().cmp(b.attribute_name()));
    attrs.dedup_by(|a, b| a.attribute_name() == b.attribute_name());
    request
        .set_attribute_definitions(Some(attrs))
        .send()
        .await
        .map_err(|e| {
            TableError::Create(
                aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
            )
        })?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&spec.ttl_attribute)
                .enabled(true)
                .build()
                .map_err(|e| TableError::Spec(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| {
            TableError::Create(
                aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
            )
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the adapter's code uses are the ones table.json declares.
    #[test]
    fn the_code_and_table_json_agree() {
        let spec = spec().expect("table.json parses");
        assert_eq!(spec.partition_key.name, "org_id");
        assert_eq!(spec.sort_key.name, "sk");
        assert_eq!(spec.ttl_attribute, "expiration_epoch");
        let gsi = &spec.global_secondary_indexes;
        assert_eq!(gsi.len(), 1);
        assert_eq!(gsi[0].name, BY_EMAIL);
        assert_eq!(
            gsi[0].partition_key.as_ref().map(|k| k.name.as_str()),
            Some("user_email")
        );
        let lsi = &spec.local_secondary_indexes;
        assert_eq!(lsi.len(), 1);
        assert_eq!(lsi[0].name, BY_DEPARTURE);
        assert_eq!(lsi[0].sort_key.name, "departs_at");
    }
}
