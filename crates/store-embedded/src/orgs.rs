//! The [`OrgStore`] port.

use super::*;

#[async_trait]
impl OrgStore for EmbeddedStore {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        org.validate()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let org = org.clone();
        self.write(move |tx| {
            let pk = org.id.to_string();
            let sk = keys::org_sk(&org.id);
            if get_item::<Org>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &org)?;
            put_item(tx, keys::REGISTRY, &sk, &org.id)?;
            Ok(())
        })
        .await
    }

    async fn get_org(&self, scope: &OrgScope) -> StoreResult<Org> {
        let org = scope.org();
        self.get(org.to_string(), keys::org_sk(org))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn update_org(&self, scope: &OrgScope, org: &Org) -> StoreResult<()> {
        let mut org = org.clone();
        org.id = scope.org().clone();
        self.write(move |tx| {
            let pk = org.id.to_string();
            let sk = keys::org_sk(&org.id);
            if get_item::<Org>(tx, &pk, &sk)?.is_none() {
                return Err(StoreError::NotFound);
            }
            put_item(tx, &pk, &sk, &org)
        })
        .await
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let ids: Vec<(String, OrgId)> = self
            .query_prefix(keys::REGISTRY.into(), keys::ORG_PREFIX.into())
            .await?;
        let mut orgs = Vec::with_capacity(ids.len());
        for (_, id) in ids {
            orgs.push(self.get_org(&OrgScope::trusted(id)).await?);
        }
        Ok(orgs)
    }
}
