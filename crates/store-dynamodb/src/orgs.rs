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

    async fn update_org(&self, scope: &OrgScope, org: &Org) -> StoreResult<()> {
        let mut org = org.clone();
        org.id = scope.org().clone();
        let sk = keys::org_sk(&org.id);
        let mut item: Item = serde_dynamo::to_item(&org).map_err(codec)?;
        item.extend(key(org.id.as_str(), &sk));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
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
