//! The [`EventStore`] port.

use super::*;

#[async_trait]
impl EventStore for EmbeddedStore {
    async fn create_event(&self, scope: &OrgScope, event: &Event) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let mut event = event.clone();
        event.org_id = scope.org().clone();
        self.write(move |tx| {
            let sk = keys::event_sk(&event.id);
            if get_item::<Event>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &event)?;
            let mut index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
            index
                .insert((pk.as_str(), departure_key(&event).as_str()), ())
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn get_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        self.get(scope.org().to_string(), keys::event_sk(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn update_event(
        &self,
        scope: &OrgScope,
        event: &Event,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> StoreResult<Event> {
        let pk = scope.org().to_string();
        let new = event.clone();
        let audit = audit.clone();
        self.write(move |tx| {
            let sk = keys::event_sk(&new.id);
            let mut stored: Event = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            if stored.version != expected_version {
                return Err(StoreError::Conflict);
            }
            let old_key = departure_key(&stored);
            stored.kind = new.kind;
            stored.title = new.title;
            stored.vessel = new.vessel;
            stored.vessel_id = new.vessel_id;
            stored.passengers = new.passengers;
            stored.departs_at = new.departs_at;
            stored.returns_at = new.returns_at;
            stored.crew = new.crew;
            stored.notes = new.notes;
            stored.revenue_cents = new.revenue_cents;
            stored.status = new.status;
            stored.departed_at = new.departed_at;
            stored.returned_at = new.returned_at;
            stored.overdue_acknowledged_at = new.overdue_acknowledged_at;
            stored.departed_open_safety_tasks = new.departed_open_safety_tasks;
            stored.signed_off = new.signed_off;
            stored.updated_at = new.updated_at;
            stored.updated_by = new.updated_by;
            stored.version = expected_version + 1;
            stored.revision += 1;
            stored.audit.push(audit);
            put_item(tx, &pk, &sk, &stored)?;
            let new_key = departure_key(&stored);
            if new_key != old_key {
                let mut index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
                index
                    .remove((pk.as_str(), old_key.as_str()))
                    .map_err(backend)?;
                index
                    .insert((pk.as_str(), new_key.as_str()), ())
                    .map_err(backend)?;
            }
            Ok(stored)
        })
        .await
    }

    async fn list_events(
        &self,
        scope: &OrgScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>> {
        let org = scope.org().clone();
        let after = page
            .cursor
            .as_ref()
            .map(|c| c.position_for(&org))
            .transpose()?;
        let limit = page.limit() as usize;
        let start = from.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let end = to.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
            let items = tx.open_table(ITEMS).map_err(backend)?;
            let pk = org.as_str();
            let mut events = Vec::new();
            let mut last_key = None;
            let mut more = false;
            for entry in index
                .range((pk, start.as_str())..(pk, end.as_str()))
                .map_err(backend)?
            {
                let (key, _) = entry.map_err(backend)?;
                let (_, dep_key) = key.value();
                if after.as_deref().is_some_and(|a| dep_key <= a) {
                    continue;
                }
                if events.len() == limit {
                    more = true;
                    break;
                }
                let id = dep_key.rsplit('#').next().unwrap_or_default();
                let sk = format!("{}{id}", keys::EVENT_PREFIX);
                let guard = items
                    .get((pk, sk.as_str()))
                    .map_err(backend)?
                    .ok_or_else(|| {
                        StoreError::Backend(format!("index names a missing event {id}"))
                    })?;
                let mut event = from_json::<Event>(guard.value())?;
                // A listing carries no history (the port's contract, as on DynamoDB).
                event.audit.clear();
                events.push(event);
                last_key = Some(dep_key.to_string());
            }
            let next = match (more, last_key) {
                (true, Some(k)) => Some(Cursor::encode(&org, &k)),
                _ => None,
            };
            Ok(Page {
                items: events,
                next,
            })
        })
        .await
    }

    async fn record_task(
        &self,
        scope: &OrgScope,
        id: &EventId,
        tick: &TaskTick,
    ) -> StoreResult<TickOutcome> {
        let tick = tick.clone();
        let result = self
            .modify_event(scope, id, move |event| {
                if event.audit.iter().any(|a| a.op_id == tick.state.op_id) {
                    return Ok(None);
                }
                if !event.checklist_open() {
                    return Err(StoreError::Closed);
                }
                let action = tick.audit_action();
                event.audit.push(AuditEntry {
                    op_id: tick.state.op_id.clone(),
                    action,
                    by: tick.state.by.clone(),
                    at: tick.state.recorded_at,
                });
                let supersedes = tick.state.supersedes(event.tasks.get(&tick.task));
                if supersedes {
                    event.tasks.insert(tick.task, tick.state);
                }
                Ok(Some(!supersedes))
            })
            .await;
        match result {
            Ok((superseded, event)) => Ok(TickOutcome {
                applied: true,
                superseded,
                event,
            }),
            // `None` above means the op id was already applied.
            Err(StoreError::Conflict) => Ok(TickOutcome {
                applied: false,
                superseded: false,
                event: self.get_event(scope, id).await?,
            }),
            Err(e) => Err(e),
        }
    }

    async fn claim_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let key = key.clone();
        let outcome = self
            .modify_event(scope, id, move |event| {
                let existing = event.nudges.iter_mut().find(|n| key.matches(n));
                match existing {
                    None => {
                        event.nudges.push(NudgeRecord {
                            kind: key.kind,
                            anchor_at: key.anchor_at,
                            email: key.email,
                            state: NudgeState::Sending,
                            at: now,
                            channel: key.channel,
                        });
                        Ok(Some(SendClaim::Claimed))
                    }
                    Some(n) if n.state == NudgeState::Sent => Ok(Some(SendClaim::AlreadySent)),
                    Some(n) if n.state == NudgeState::Sending && n.at > now - stale_after => {
                        Ok(Some(SendClaim::InProgress))
                    }
                    Some(n) => {
                        n.state = NudgeState::Sending;
                        n.at = now;
                        Ok(Some(SendClaim::Claimed))
                    }
                }
            })
            .await?;
        Ok(outcome.0)
    }

    async fn finish_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let key = key.clone();
        self.modify_event(scope, id, move |event| {
            let n = event
                .nudges
                .iter_mut()
                .find(|n| key.matches(n))
                .ok_or(StoreError::NotFound)?;
            n.state = state;
            n.at = now;
            Ok(Some(()))
        })
        .await?;
        Ok(())
    }
}
