//! The [`PushStore`] port: a person's devices (`push#<id>`) and nudge preference (`prefs`) in
//! their own partition.

use super::*;
use domain::ports::{NotifyPreference, PushDevice, PushStore};

#[derive(Serialize, Deserialize)]
struct DeviceItem {
    id: String,
    endpoint: String,
    p256dh: String,
    auth: String,
    label: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct PrefsItem {
    preference: NotifyPreference,
}

#[async_trait]
impl PushStore for EmbeddedStore {
    async fn put_push_device(&self, email: &Email, d: &PushDevice) -> StoreResult<()> {
        let pk = keys::person_partition(email);
        let sk = keys::push_sk(&d.id);
        let item = DeviceItem {
            id: d.id.clone(),
            endpoint: d.endpoint.clone(),
            p256dh: d.p256dh.clone(),
            auth: d.auth.clone(),
            label: d.label.clone(),
            created_at: d.created_at,
            expires_at: d.expires_at,
        };
        self.write(move |tx| put_item(tx, &pk, &sk, &item)).await
    }

    async fn push_devices(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<PushDevice>> {
        let items: Vec<(String, DeviceItem)> = self
            .query_prefix(keys::person_partition(email), keys::PUSH_PREFIX.into())
            .await?;
        let mut out: Vec<PushDevice> = items
            .into_iter()
            .map(|(_, i)| PushDevice {
                id: i.id,
                endpoint: i.endpoint,
                p256dh: i.p256dh,
                auth: i.auth,
                label: i.label,
                created_at: i.created_at,
                expires_at: i.expires_at,
            })
            .filter(|d| d.expires_at > now)
            .collect();
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    async fn remove_push_device(&self, email: &Email, id: &str) -> StoreResult<bool> {
        let pk = keys::person_partition(email);
        let sk = keys::push_sk(id);
        self.write(move |tx| delete_item(tx, &pk, &sk)).await
    }

    async fn notify_preference(&self, email: &Email) -> StoreResult<NotifyPreference> {
        let item: Option<PrefsItem> = self
            .get(keys::person_partition(email), keys::PREFS_SK.into())
            .await?;
        Ok(item.map(|i| i.preference).unwrap_or_default())
    }

    async fn set_notify_preference(
        &self,
        email: &Email,
        preference: NotifyPreference,
    ) -> StoreResult<()> {
        let pk = keys::person_partition(email);
        self.write(move |tx| put_item(tx, &pk, keys::PREFS_SK, &PrefsItem { preference }))
            .await
    }
}
