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
        // The version check and the write share one redb write transaction, and redb runs one
        // write transaction at a time: of two updates from the same version, the second sees the
        // first's version and loses.
        self.write(move |tx| {
            let pk = org.id.to_string();
            let sk = keys::org_sk(&org.id);
            let stored: Org = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            if stored.version != expected_version {
                return Err(StoreError::Conflict);
            }
            put_item(tx, &pk, &sk, &org)?;
            Ok(org)
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
