//! The [`PushStore`] port: a person's devices (`push#<id>`, with a TTL at their expiry) and nudge
//! preference (`prefs`) in their partition, `_person#<email>`; listing is one Query by prefix.

use super::*;
use domain::ports::{NotifyPreference, PushDevice, PushStore};

#[derive(serde::Serialize, serde::Deserialize)]
struct DeviceItem {
    org_id: String,
    sk: String,
    id: String,
    endpoint: String,
    p256dh: String,
    auth: String,
    label: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// DynamoDB's TTL attribute: the device is deleted (late) after it expires.
    expiration_epoch: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PrefsItem {
    org_id: String,
    sk: String,
    preference: NotifyPreference,
}

#[async_trait]
impl PushStore for DynamoStore {
    async fn put_push_device(&self, email: &Email, d: &PushDevice) -> StoreResult<()> {
        let item = DeviceItem {
            org_id: keys::person_partition(email),
            sk: keys::push_sk(&d.id),
            id: d.id.clone(),
            endpoint: d.endpoint.clone(),
            p256dh: d.p256dh.clone(),
            auth: d.auth.clone(),
            label: d.label.clone(),
            created_at: d.created_at,
            expires_at: d.expires_at,
            expiration_epoch: d.expires_at.timestamp(),
        };
        self.put(serde_dynamo::to_item(&item).map_err(codec)?).await
    }

    async fn push_devices(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<PushDevice>> {
        let items = self
            .query_prefix(&keys::person_partition(email), keys::PUSH_PREFIX)
            .await?;
        let mut out = Vec::new();
        for item in items {
            let i: DeviceItem = serde_dynamo::from_item(item).map_err(codec)?;
            // TTL deletes late: an expired device is absent on read.
            if i.expires_at > now {
                out.push(PushDevice {
                    id: i.id,
                    endpoint: i.endpoint,
                    p256dh: i.p256dh,
                    auth: i.auth,
                    label: i.label,
                    created_at: i.created_at,
                    expires_at: i.expires_at,
                });
            }
        }
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    async fn remove_push_device(&self, email: &Email, id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                &keys::person_partition(email),
                &keys::push_sk(id),
            )))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn notify_preference(&self, email: &Email) -> StoreResult<NotifyPreference> {
        let Some(item) = self
            .get_item(&keys::person_partition(email), keys::PREFS_SK)
            .await?
        else {
            return Ok(NotifyPreference::default());
        };
        let item: PrefsItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(item.preference)
    }

    async fn set_notify_preference(
        &self,
        email: &Email,
        preference: NotifyPreference,
    ) -> StoreResult<()> {
        let item = PrefsItem {
            org_id: keys::person_partition(email),
            sk: keys::PREFS_SK.into(),
            preference,
        };
        self.put(serde_dynamo::to_item(&item).map_err(codec)?).await
    }
}
