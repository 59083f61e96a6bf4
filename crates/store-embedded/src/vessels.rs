//! The [`VesselStore`] port: an org's vessels as `vessel#<id>` in its partition.

use super::*;
use domain::ids::VesselId;
use domain::ports::VesselStore;
use domain::vessel::Vessel;

#[async_trait]
impl VesselStore for EmbeddedStore {
    async fn put_vessel(&self, scope: &OrgScope, vessel: &Vessel) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::vessel_sk(&vessel.id);
        let vessel = vessel.clone();
        self.write(move |tx| put_item(tx, &pk, &sk, &vessel)).await
    }

    async fn get_vessel(&self, scope: &OrgScope, id: &VesselId) -> StoreResult<Vessel> {
        self.get(scope.org().to_string(), keys::vessel_sk(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn list_vessels(&self, scope: &OrgScope) -> StoreResult<Vec<Vessel>> {
        let items: Vec<(String, Vessel)> = self
            .query_prefix(scope.org().to_string(), keys::VESSEL_PREFIX.into())
            .await?;
        let mut out: Vec<Vessel> = items.into_iter().map(|(_, v)| v).collect();
        out.sort_by(|a, b| {
            (a.fields.name.to_lowercase(), &a.id).cmp(&(b.fields.name.to_lowercase(), &b.id))
        });
        Ok(out)
    }

    async fn delete_vessel(&self, scope: &OrgScope, id: &VesselId) -> StoreResult<bool> {
        let pk = scope.org().to_string();
        let sk = keys::vessel_sk(id);
        self.write(move |tx| delete_item(tx, &pk, &sk)).await
    }
}
