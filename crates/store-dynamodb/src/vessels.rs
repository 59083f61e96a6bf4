//! The [`VesselStore`] port: an org's vessels as `vessel#<id>` items in its partition; listing is
//! one Query by prefix.

use super::*;
use domain::ids::VesselId;
use domain::ports::VesselStore;
use domain::vessel::Vessel;

#[derive(serde::Serialize, serde::Deserialize)]
struct VesselItem {
    org_id: String,
    sk: String,
    vessel: Vessel,
}

#[async_trait]
impl VesselStore for DynamoStore {
    async fn put_vessel(&self, scope: &OrgScope, vessel: &Vessel) -> StoreResult<()> {
        let item = VesselItem {
            org_id: scope.org().to_string(),
            sk: keys::vessel_sk(&vessel.id),
            vessel: vessel.clone(),
        };
        self.put(serde_dynamo::to_item(&item).map_err(codec)?).await
    }

    async fn get_vessel(&self, scope: &OrgScope, id: &VesselId) -> StoreResult<Vessel> {
        let item = self
            .get_item(scope.org().as_str(), &keys::vessel_sk(id))
            .await?
            .ok_or(StoreError::NotFound)?;
        let item: VesselItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(item.vessel)
    }

    async fn list_vessels(&self, scope: &OrgScope) -> StoreResult<Vec<Vessel>> {
        let mut out = Vec::new();
        for item in self
            .query_prefix(scope.org().as_str(), keys::VESSEL_PREFIX)
            .await?
        {
            let item: VesselItem = serde_dynamo::from_item(item).map_err(codec)?;
            out.push(item.vessel);
        }
        out.sort_by(|a, b| {
            (a.fields.name.to_lowercase(), &a.id).cmp(&(b.fields.name.to_lowercase(), &b.id))
        });
        Ok(out)
    }

    async fn delete_vessel(&self, scope: &OrgScope, id: &VesselId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::vessel_sk(id))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
}
