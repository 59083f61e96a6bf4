//! A short-lived in-process copy of each org's settings, member names and vessels, so a crew
//! screen costs one store read for the event rather than four. Entries live [`DIRECTORY_TTL_SECS`]; changes
//! made through this process drop the entry at once, changes made elsewhere show within the TTL.

use domain::OrgId;
use domain::org::{Org, OrgScope};
use domain::ports::{MemberStore, OrgStore, StoreResult, VesselStore};
use domain::vessel::Vessel;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub const DIRECTORY_TTL_SECS: u64 = 30;

#[derive(Clone)]
pub struct Entry {
    pub org: Org,
    /// email → display name
    pub names: Arc<BTreeMap<String, String>>,
    /// The org's vessel records, for what an event shows of its vessel (minimum crew, COI).
    /// Validation reads them from the store, never from here.
    pub vessels: Arc<Vec<Vessel>>,
}

impl Entry {
    /// The record an event names, if it names one.
    pub fn vessel(&self, event: &domain::Event) -> Option<&Vessel> {
        let id = event.vessel_id.as_ref()?;
        self.vessels.iter().find(|v| &v.id == id)
    }
}

#[derive(Default)]
pub struct Directory {
    entries: Mutex<HashMap<OrgId, (Instant, Entry)>>,
}

impl Directory {
    pub async fn get(
        &self,
        orgs: &dyn OrgStore,
        members: &dyn MemberStore,
        vessels: &dyn VesselStore,
        scope: &OrgScope,
    ) -> StoreResult<Entry> {
        let cached = self
            .entries
            .lock()
            .ok()
            .and_then(|e| e.get(scope.org()).cloned())
            .filter(|(at, _)| at.elapsed().as_secs() < DIRECTORY_TTL_SECS)
            .map(|(_, entry)| entry);
        if let Some(entry) = cached {
            return Ok(entry);
        }
        let org = orgs.get_org(scope).await?;
        let names = crate::views::names(&members.list_members(scope).await?);
        let vessels = vessels.list_vessels(scope).await?;
        let entry = Entry {
            org,
            names: Arc::new(names),
            vessels: Arc::new(vessels),
        };
        if let Ok(mut e) = self.entries.lock() {
            e.insert(scope.org().clone(), (Instant::now(), entry.clone()));
        }
        Ok(entry)
    }

    /// Drops an org's entry after a change made here.
    pub fn forget(&self, org: &OrgId) {
        if let Ok(mut e) = self.entries.lock() {
            e.remove(org);
        }
    }
}
