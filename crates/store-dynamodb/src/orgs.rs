//! The [`OrgStore`] port.

use super::*;

#[async_trait]
impl OrgStore for DynamoStore {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        org.validate()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let sk = keys::org_sk(&org.id);
        let mut item: Item = serde_dynamo::to_item(org).map_err(codec)?;
        item.extend(key(org.id.as_str(), &sk));
        let registry = key(keys::REGISTRY, &sk);
        let put = |item: Item| -> StoreResult<TransactWriteItem> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(sk)")
                .build()
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(put(item)?)
            .transact_items(put(registry)?)
            .send()
            .await;
        conditional(result, StoreError::AlreadyExists).map(|_| ())
    }

    async fn get_org(&self, scope: &OrgScope) -> StoreResult<Org> {
        let org = scope.org();
        let item = self
            .get_item(org.as_str(), &keys::org_sk(org))
            .await?
            .ok_or(StoreError::NotFound)?;
        serde_dynamo::from_item(item).map_err(codec)
    }

    async fn update_org(
        &self,
        scope: &OrgScope,
        org: &Org,
        expected_version: u64,
    ) -> StoreResult<Org> {
        org.validate()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut org = org.clone();
        org.id = scope.org().clone();
        org.version = expected_version + 1;
        let sk = keys::org_sk(&org.id);
        let mut item: Item = serde_dynamo::to_item(&org).map_err(codec)?;
        item.extend(key(org.id.as_str(), &sk));
        // One conditional put: the version check and the write are atomic in DynamoDB. An org
        // written before orgs had versions has no `version` attribute and counts as version 1.
        let condition = if expected_version == Org::FIRST_VERSION {
            "attribute_exists(sk) AND (#version = :expected OR attribute_not_exists(#version))"
        } else {
            "attribute_exists(sk) AND #version = :expected"
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", av_n(expected_version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(org),
            Err(e) if is_condition_failure(&e) => {
                // Tell a missing org from a stale version; one extra read, on the failure path only.
                self.get_org(scope).await?;
                Err(StoreError::Conflict)
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let entries = self.query_prefix(keys::REGISTRY, keys::ORG_PREFIX).await?;
        let mut orgs = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(AttributeValue::S(sk)) = entry.get("sk") else {
                continue;
            };
            let id = OrgId::parse(sk.trim_start_matches(keys::ORG_PREFIX))
                .map_err(|e| StoreError::Backend(format!("registry entry {sk}: {e}")))?;
            orgs.push(self.get_org(&OrgScope::trusted(id)).await?);
        }
        Ok(orgs)
    }
}
