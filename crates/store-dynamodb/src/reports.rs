//! The [`ReportStore`] port.

use super::*;

#[async_trait]
impl ReportStore for DynamoStore {
    async fn claim_report(
        &self,
        key_: &ReportKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let (pk, sk) = (key_.audience.partition(), key_.sort_key());
        let mut item = key(&pk, &sk);
        item.insert("state".into(), av_s("sending"));
        item.insert("at_ms".into(), av_n(now.timestamp_millis()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(sk) OR #state = :failed OR (#state = :sending AND at_ms < :stale_before)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":failed", av_s("failed"))
            .expression_attribute_values(":sending", av_s("sending"))
            .expression_attribute_values(":stale_before", av_n((now - stale_after).timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(SendClaim::Claimed),
            Err(e) if is_condition_failure(&e) => {
                let state = self
                    .get_item(&pk, &sk)
                    .await?
                    .and_then(|i| match i.get("state") {
                        Some(AttributeValue::S(s)) => Some(s.clone()),
                        _ => None,
                    });
                Ok(if state.as_deref() == Some("sent") {
                    SendClaim::AlreadySent
                } else {
                    SendClaim::InProgress
                })
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn finish_report(
        &self,
        key_: &ReportKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (pk, sk) = (key_.audience.partition(), key_.sort_key());
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&pk, &sk)))
            .update_expression("SET #state = :state, at_ms = :at")
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", enc(&state)?)
            .expression_attribute_values(":at", av_n(now.timestamp_millis()))
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn unsubscribe(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut item = key(&audience.partition(), &keys::unsub_sk(perspective, email));
        item.insert("at".into(), av_s(now.to_rfc3339()));
        self.put(item).await
    }

    async fn unsubscribed(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
    ) -> StoreResult<Vec<Email>> {
        let prefix = keys::unsub_prefix(perspective);
        self.query_prefix(&audience.partition(), &prefix)
            .await?
            .into_iter()
            .filter_map(|i| match i.get("sk") {
                Some(AttributeValue::S(sk)) => Some(sk.clone()),
                _ => None,
            })
            .map(|sk| {
                Email::parse(sk.trim_start_matches(&prefix))
                    .map_err(|e| StoreError::Backend(e.to_string()))
            })
            .collect()
    }
}
