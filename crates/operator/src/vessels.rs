//! The migration of issue 16: events made before vessel records name their vessel in free text.
//! `operator migrate-vessels` gives every such name a record in its org (a boat, or a truck when a
//! haul used it) and links the events to it, each link an audited edit. Idempotent: a second run
//! finds nothing to do.

use chrono::{DateTime, Utc};
use domain::event::{AFTER_LAST_TIME, AuditAction, AuditEntry, EventKind};
use domain::ids::{OpId, VesselId};
use domain::org::OrgScope;
use domain::ports::{PageRequest, Store, StoreError};
use domain::vessel::{Vessel, VesselFields, VesselKind};
use domain::{Email, Event};
use std::collections::BTreeMap;

/// Who the audit trail says made the link.
pub const MIGRATION_ACTOR: &str = "operator@shipcaptaincrew.invalid";

/// What one run did (or, with `dry_run`, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub orgs: usize,
    /// Vessel records created, as (org, name, kind).
    pub vessels_created: Vec<(String, String, VesselKind)>,
    /// Events linked to a record.
    pub events_linked: usize,
    /// Events another writer changed while this ran: left for the next run.
    pub events_skipped: usize,
}

fn first_instant() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap_or_default() // 2000-01-01, the first time an event may have
}

/// Every event of the org, by departure (one paged Query on the departure index).
async fn all_events<S: Store + ?Sized>(
    store: &S,
    scope: &OrgScope,
) -> Result<Vec<Event>, StoreError> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let got = store
            .list_events(scope, first_instant(), AFTER_LAST_TIME, &page)
            .await?;
        out.extend(got.items);
        match got.next {
            Some(c) => page = PageRequest::new(Some(100), Some(c)),
            None => return Ok(out),
        }
    }
}

/// Gives every free-text vessel name of every org a record and links its events.
pub async fn migrate_vessels<S: Store + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Migrated, StoreError> {
    let actor = Email::parse(MIGRATION_ACTOR)
        .map_err(|e| StoreError::Backend(format!("migration actor: {e}")))?;
    let mut done = Migrated::default();
    for org in store.list_orgs().await? {
        done.orgs += 1;
        // Trusted: the operator runs this over the whole store, as `apply` does.
        let scope = OrgScope::trusted(org.id.clone());
        let mut records: BTreeMap<String, Vessel> = store
            .list_vessels(&scope)
            .await?
            .into_iter()
            .map(|v| (v.fields.name.to_lowercase(), v))
            .collect();
        for event in all_events(store, &scope).await? {
            if event.vessel_id.is_some() || event.vessel.trim().is_empty() {
                continue;
            }
            let key = event.vessel.trim().to_lowercase();
            let record = match records.get(&key) {
                Some(v) => v.clone(),
                None => {
                    let kind = if event.kind == EventKind::Haul {
                        VesselKind::Truck
                    } else {
                        VesselKind::Boat
                    };
                    let fields = VesselFields {
                        name: event.vessel.clone(),
                        kind,
                        registration: String::new(),
                        length_ft: None,
                        description: String::new(),
                        coi_max_passengers: None,
                        min_crew: None,
                        call_sign: String::new(),
                        mmsi: String::new(),
                        safety_gear: String::new(),
                    }
                    .validate()
                    .map_err(|e| {
                        StoreError::Backend(format!("event {}: vessel name: {e}", event.id))
                    })?;
                    let vessel = Vessel {
                        id: VesselId::generate(),
                        fields,
                        created_at: now,
                        updated_at: now,
                    };
                    if !dry_run {
                        store.put_vessel(&scope, &vessel).await?;
                    }
                    done.vessels_created.push((
                        org.id.to_string(),
                        vessel.fields.name.clone(),
                        kind,
                    ));
                    records.insert(key, vessel.clone());
                    vessel
                }
            };
            if dry_run {
                done.events_linked += 1;
                continue;
            }
            let mut linked = event.clone();
            linked.vessel_id = Some(record.id.clone());
            linked.vessel = record.fields.name.clone();
            let audit = AuditEntry {
                op_id: OpId::parse(&format!("migrate-vessel-{}", event.id))
                    .map_err(|e| StoreError::Backend(format!("op id: {e}")))?,
                action: AuditAction::Edited {
                    fields: vec!["vessel_id".into()],
                },
                by: actor.clone(),
                at: now,
            };
            // The event's own version, as read: an edit made meanwhile wins, and the next run
            // links it. Not stamped as a user edit (`updated_by` stays the person's).
            match store
                .update_event(&scope, &linked, event.version, &audit)
                .await
            {
                Ok(_) => done.events_linked += 1,
                Err(StoreError::Conflict | StoreError::AlreadyExists) => done.events_skipped += 1,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(done)
}
