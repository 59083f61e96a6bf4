//! The [`EventStore`] port.

use super::*;
use aws_sdk_dynamodb::types::Update;
use domain::event::EventStatus;
use items::TaskItem;

/// DynamoDB's limit on the items of one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;
/// Tries of one tick: concurrent ticks on one event cancel each other's transactions, and each
/// retry waits a little longer (5, 10, 20, … ms plus jitter).
const TICK_ATTEMPTS: u32 = 8;

/// 0 to 9 ms, from the clock's low bits: spreads the retries of ticks that collided.
fn jitter_ms() -> u64 {
    u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 10)
}

#[async_trait]
impl EventStore for DynamoStore {
    async fn create_event(&self, scope: &OrgScope, event: &Event) -> StoreResult<()> {
        let item = EventItem::from_event(scope.org(), event);
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item).map_err(codec)?))
            .condition_expression("attribute_not_exists(sk)")
            .build()
            .map_err(build_err)?;
        // The event and the first of its audit entries in one transaction (at most 100 items);
        // an imported event's longer history follows in plain puts, idempotent by key.
        let (first, rest) = event
            .audit
            .split_at(event.audit.len().min(MAX_TRANSACTION_ITEMS - 1));
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build());
        for entry in first {
            request = request.transact_items(self.audit_put(scope.org(), &event.id, entry)?);
        }
        conditional(request.send().await, StoreError::AlreadyExists)?;
        for entry in rest {
            let item = items::AuditItem::new(scope.org(), &event.id, entry);
            self.put(serde_dynamo::to_item(item).map_err(codec)?)
                .await?;
        }
        Ok(())
    }

    async fn get_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        self.read_event(scope, id).await
    }

    async fn update_event(
        &self,
        scope: &OrgScope,
        event: &Event,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> StoreResult<Event> {
        let new = EventItem::from_event(scope.org(), event);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(&event.id))))
            .update_expression(
                "SET #kind = :kind, #title = :title, #vessel = :vessel, #vessel_id = :vessel_id, \
                 #passengers = :passengers, #departs_at = :departs_at, \
                 #returns_at = :returns_at, #crew = :crew, #notes = :notes, \
                 #revenue_cents = :revenue_cents, #status = :status, #departed_at = :departed_at, \
                 #returned_at = :returned_at, #overdue_acknowledged_at = :overdue_acknowledged_at, \
                 #departed_open_safety_tasks = :departed_open_safety_tasks, \
                 #signed_off = :signed_off, #updated_at = :updated_at, \
                 #updated_by = :updated_by, #version = :new_version \
                 ADD #revision :one",
            )
            .condition_expression("attribute_exists(sk) AND #version = :expected")
            .expression_attribute_values(":new_version", av_n(expected_version + 1))
            .expression_attribute_values(":expected", av_n(expected_version))
            .expression_attribute_values(":one", av_n(1));
        let fields: [(&str, AttributeValue); 18] = [
            ("kind", enc(&new.kind)?),
            ("title", av_s(&new.title)),
            ("vessel", av_s(&new.vessel)),
            ("vessel_id", enc(&new.vessel_id)?),
            ("passengers", enc(&new.passengers)?),
            ("departs_at", av_s(&new.departs_at)),
            ("returns_at", enc(&new.returns_at)?),
            ("crew", enc(&new.crew)?),
            ("notes", av_s(&new.notes)),
            ("revenue_cents", enc(&new.revenue_cents)?),
            ("status", enc(&new.status)?),
            ("departed_at", enc(&new.departed_at)?),
            ("returned_at", enc(&new.returned_at)?),
            (
                "overdue_acknowledged_at",
                enc(&new.overdue_acknowledged_at)?,
            ),
            (
                "departed_open_safety_tasks",
                enc(&new.departed_open_safety_tasks)?,
            ),
            ("signed_off", enc(&new.signed_off)?),
            ("updated_at", enc(&new.updated_at)?),
            ("updated_by", enc(&new.updated_by)?),
        ];
        for (name, value) in fields {
            update = update
                .expression_attribute_names(format!("#{name}"), name)
                .expression_attribute_values(format!(":{name}"), value);
        }
        for name in ["version", "revision"] {
            update = update.expression_attribute_names(format!("#{name}"), name);
        }
        let update = update.build().map_err(build_err)?;
        // The edit and its audit entry together, or neither.
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(self.audit_put(scope.org(), &event.id, audit)?)
            .send()
            .await;
        match result {
            Ok(_) => self.read_event(scope, &event.id).await,
            Err(e) if is_condition_failure(&e) => {
                // Tell a missing event from a stale version; one extra read, on the failure path only.
                self.read_event(scope, &event.id).await?;
                Err(StoreError::Conflict)
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn list_events(
        &self,
        scope: &OrgScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>> {
        let org = scope.org();
        let start = match &page.cursor {
            Some(cursor) => {
                let position = cursor.position_for(org)?;
                let (departs, sk) = position.split_once('|').ok_or(StoreError::BadCursor)?;
                let departs_ok = DateTime::parse_from_rfc3339(departs).is_ok();
                let id_ok = EventId::parse(sk.trim_start_matches(keys::EVENT_PREFIX)).is_ok();
                if !departs_ok || !id_ok || !sk.starts_with(keys::EVENT_PREFIX) {
                    return Err(StoreError::BadCursor);
                }
                let mut k = key(org.as_str(), sk);
                k.insert("departs_at".into(), av_s(departs));
                Some(k)
            }
            None => None,
        };
        // Key conditions allow one comparison on the sort key: BETWEEN is inclusive, and stored
        // departures are whole seconds, so `[from, to)` is `BETWEEN from AND to - 1s`.
        let last = to - Duration::seconds(1);
        if last < from {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(table::BY_DEPARTURE)
            .key_condition_expression("org_id = :org AND departs_at BETWEEN :from AND :to")
            .expression_attribute_values(":org", av_s(org.as_str()))
            .expression_attribute_values(":from", av_s(departure_key(from)))
            .expression_attribute_values(":to", av_s(departure_key(last)))
            .limit(i32::try_from(page.limit()).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_err)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                // A listing carries no history (the port's contract); the audit items are not in
                // the index anyway, and an old item's map is left out the same way.
                Self::decode_event(item).map(|mut e| {
                    e.audit.clear();
                    e
                })
            })
            .collect::<StoreResult<Vec<Event>>>()?;
        let next = match out.last_evaluated_key {
            Some(k) if !k.is_empty() => {
                let departs = match k.get("departs_at") {
                    Some(AttributeValue::S(s)) => s.clone(),
                    _ => return Err(StoreError::Backend("page key lacks departs_at".into())),
                };
                let sk = match k.get("sk") {
                    Some(AttributeValue::S(s)) => s.clone(),
                    _ => return Err(StoreError::Backend("page key lacks sk".into())),
                };
                Some(Cursor::encode(org, &format!("{departs}|{sk}")))
            }
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn record_task(
        &self,
        scope: &OrgScope,
        id: &EventId,
        tick: &TaskTick,
    ) -> StoreResult<TickOutcome> {
        let action = tick.audit_action();
        let audit = AuditEntry {
            op_id: tick.state.op_id.clone(),
            action,
            by: tick.state.by.clone(),
            at: tick.state.recorded_at,
        };
        let at_ns = tick
            .state
            .at
            .timestamp_nanos_opt()
            .ok_or_else(|| StoreError::Backend("tick time out of range".into()))?;
        let state = TaskItem::from_state(&tick.state);
        // One transaction: the op's audit entry (an item whose key is the op id, so a replay
        // fails its condition) and the change to this task's own attribute path (ticks of other
        // tasks untouched). The status and device-time rules are part of the condition, so no
        // read-then-write race can pass them. The first try assumes the tick is the newest (the
        // common case); a cancelled transaction is told apart by one read, and a superseded tick
        // is then recorded in the history alone. A transaction that lost to a concurrent one on
        // the same event is tried again after a short pause.
        let mut superseded = false;
        for attempt in 0..TICK_ATTEMPTS {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
                .expression_attribute_names("#audit", "audit")
                .expression_attribute_names("#op", tick.state.op_id.as_str())
                .expression_attribute_names("#revision", "revision")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#signed_off", "signed_off")
                .expression_attribute_values(":one", av_n(1))
                .expression_attribute_values(":cancelled", enc(&EventStatus::Cancelled)?)
                .expression_attribute_values(":null_type", av_s("NULL"));
            // `audit.<op>`: an op recorded in the item's map before audit items existed. A
            // signed-off checklist is closed: `signed_off` is absent or NULL until then.
            let open = "attribute_exists(sk) AND attribute_not_exists(#audit.#op) \
                        AND #status <> :cancelled \
                        AND (attribute_not_exists(#signed_off) \
                             OR attribute_type(#signed_off, :null_type))";
            update = if superseded {
                update
                    .update_expression("ADD #revision :one")
                    .condition_expression(open)
            } else {
                update
                    .update_expression("SET #tasks.#task = :state ADD #revision :one")
                    .condition_expression(format!(
                        "{open} AND (attribute_not_exists(#tasks.#task.#at_ns) \
                         OR #tasks.#task.#at_ns <= :at_ns)"
                    ))
                    .expression_attribute_names("#tasks", "tasks")
                    .expression_attribute_names("#task", tick.task.as_str())
                    .expression_attribute_names("#at_ns", "at_ns")
                    .expression_attribute_values(":state", enc(&state)?)
                    .expression_attribute_values(":at_ns", av_n(at_ns))
            };
            let update = update.build().map_err(build_err)?;
            let result = self
                .client
                .transact_write_items()
                .transact_items(self.audit_put(scope.org(), id, &audit)?)
                .transact_items(TransactWriteItem::builder().update(update).build())
                .send()
                .await;
            match result {
                Ok(_) => {
                    return Ok(TickOutcome {
                        applied: true,
                        superseded,
                        event: self.read_event(scope, id).await?,
                    });
                }
                Err(e) if is_condition_failure(&e) => {
                    // Missing (NotFound from the read), applied already, cancelled, newer, or a
                    // concurrent transaction on this event.
                    let event = self.read_event(scope, id).await?;
                    if event.audit.iter().any(|a| a.op_id == tick.state.op_id) {
                        return Ok(TickOutcome {
                            applied: false,
                            superseded: false,
                            event,
                        });
                    }
                    if !event.checklist_open() {
                        return Err(StoreError::Closed);
                    }
                    let was = superseded;
                    superseded = !tick.state.supersedes(event.tasks.get(&tick.task));
                    // Unexplained by the read: another transaction on this event won. Pause.
                    if superseded == was {
                        let pause = 5 * (1u64 << attempt.min(6)) + jitter_ms();
                        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    }
                }
                Err(e) => return Err(sdk_err(e)),
            }
        }
        Err(StoreError::Unavailable(
            "the event kept changing while the tick was recorded".into(),
        ))
    }

    async fn claim_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key_: &NudgeKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let map_key = nudge_map_key(key_);
        let claim = NudgeItem::new(key_, NudgeState::Sending, now);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
            .update_expression("SET #nudges.#k = :claim ADD #revision :one")
            .condition_expression(
                "attribute_exists(sk) AND (attribute_not_exists(#nudges.#k) \
                 OR #nudges.#k.#state = :failed \
                 OR (#nudges.#k.#state = :sending AND #nudges.#k.#at_ms < :stale_before))",
            )
            .expression_attribute_names("#nudges", "nudges")
            .expression_attribute_names("#k", &map_key)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#at_ms", "at_ms")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":claim", enc(&claim)?)
            .expression_attribute_values(":failed", av_s("failed"))
            .expression_attribute_values(":sending", av_s("sending"))
            .expression_attribute_values(
                ":stale_before",
                av_n((now - stale_after).timestamp_millis()),
            )
            .expression_attribute_values(":one", av_n(1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(SendClaim::Claimed),
            Err(e) if is_condition_failure(&e) => {
                let item = self
                    .get_item(scope.org().as_str(), &keys::event_sk(id))
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let stored: EventItem = serde_dynamo::from_item(item).map_err(codec)?;
                match stored.nudges.get(&map_key).map(|n| n.state) {
                    Some(NudgeState::Sent) => Ok(SendClaim::AlreadySent),
                    _ => Ok(SendClaim::InProgress),
                }
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn finish_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key_: &NudgeKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = NudgeItem::new(key_, state, now);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
            .update_expression("SET #nudges.#k = :done ADD #revision :one")
            .condition_expression("attribute_exists(#nudges.#k)")
            .expression_attribute_names("#nudges", "nudges")
            .expression_attribute_names("#k", nudge_map_key(key_))
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":done", enc(&done)?)
            .expression_attribute_values(":one", av_n(1))
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }
}
