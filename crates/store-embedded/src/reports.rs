//! The [`ReportStore`] port.

use super::*;

#[derive(Serialize, Deserialize)]
struct SendItem {
    state: NudgeState,
    at: DateTime<Utc>,
}

#[async_trait]
impl ReportStore for EmbeddedStore {
    async fn claim_report(
        &self,
        key: &ReportKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let (pk, sk) = (key.audience.partition(), key.sort_key());
        self.write(move |tx| {
            let claim = match get_item::<SendItem>(tx, &pk, &sk)? {
                Some(i) if i.state == NudgeState::Sent => return Ok(SendClaim::AlreadySent),
                Some(i) if i.state == NudgeState::Sending && i.at > now - stale_after => {
                    return Ok(SendClaim::InProgress);
                }
                _ => SendItem {
                    state: NudgeState::Sending,
                    at: now,
                },
            };
            put_item(tx, &pk, &sk, &claim)?;
            Ok(SendClaim::Claimed)
        })
        .await
    }

    async fn finish_report(
        &self,
        key: &ReportKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (pk, sk) = (key.audience.partition(), key.sort_key());
        self.write(move |tx| {
            if get_item::<SendItem>(tx, &pk, &sk)?.is_none() {
                return Err(StoreError::NotFound);
            }
            put_item(tx, &pk, &sk, &SendItem { state, at: now })
        })
        .await
    }

    async fn unsubscribe(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let pk = audience.partition();
        let sk = keys::unsub_sk(perspective, email);
        self.write(move |tx| put_item(tx, &pk, &sk, &now)).await
    }

    async fn unsubscribed(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
    ) -> StoreResult<Vec<Email>> {
        let prefix = keys::unsub_prefix(perspective);
        let items: Vec<(String, DateTime<Utc>)> = self
            .query_prefix(audience.partition(), prefix.clone())
            .await?;
        items
            .into_iter()
            .map(|(sk, _)| Email::parse(sk.trim_start_matches(&prefix)).map_err(backend))
            .collect()
    }
}
