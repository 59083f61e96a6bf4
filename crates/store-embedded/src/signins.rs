//! The [`SigninStore`] port.

use super::*;

#[async_trait]
impl SigninStore for EmbeddedStore {
    async fn put_signin(&self, record: &SigninRecord) -> StoreResult<()> {
        let pk = keys::signin_partition(&record.key);
        let item = SigninItem {
            email: record.email.clone(),
            link_hash: record.link_hash.clone(),
            code_hash: record.code_hash.clone(),
            issued_at: record.issued_at,
            expires_at: record.expires_at,
            attempts: 0,
            spent: false,
        };
        self.write(move |tx| put_item(tx, &pk, keys::SIGNIN_SK, &item))
            .await
    }

    async fn signin_email(&self, key: &str) -> StoreResult<Option<Email>> {
        let item: Option<SigninItem> = self
            .get(keys::signin_partition(key), keys::SIGNIN_SK.into())
            .await?;
        Ok(item.map(|i| i.email))
    }

    async fn spend_signin(
        &self,
        key: &str,
        proof: &SigninProof,
        now: DateTime<Utc>,
    ) -> Result<Email, SpendError> {
        let pk = keys::signin_partition(key);
        let proof = proof.clone();
        self.write(move |tx| {
            let Some(mut item) = get_item::<SigninItem>(tx, &pk, keys::SIGNIN_SK)? else {
                return Ok(Err(SpendError::Invalid));
            };
            if item.spent || item.attempts >= MAX_SIGNIN_ATTEMPTS {
                return Ok(Err(SpendError::Invalid));
            }
            if item.expires_at <= now {
                return Ok(Err(SpendError::Expired));
            }
            let matches = match &proof {
                SigninProof::Link(h) => *h == item.link_hash,
                SigninProof::Code(h) => *h == item.code_hash,
            };
            if matches {
                item.spent = true;
                put_item(tx, &pk, keys::SIGNIN_SK, &item)?;
                Ok(Ok(item.email))
            } else {
                item.attempts += 1;
                put_item(tx, &pk, keys::SIGNIN_SK, &item)?;
                Ok(Err(SpendError::Invalid))
            }
        })
        .await?
    }

    async fn hit_rate_limit(
        &self,
        bucket: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<RateDecision> {
        let (start, end) = keys::rate_window(now, window);
        let pk = keys::rate_partition(bucket);
        let sk = keys::rate_window_sk(start);
        let expires_at = DateTime::from_timestamp(end, 0).unwrap_or(now + window);
        self.write(move |tx| {
            let mut item = get_item::<RateItem>(tx, &pk, &sk)?
                .filter(|i| i.expires_at > now)
                .unwrap_or(RateItem {
                    count: 0,
                    expires_at,
                });
            item.count = item.count.saturating_add(1);
            put_item(tx, &pk, &sk, &item)?;
            if item.count > limit {
                let retry = (item.expires_at - now).num_seconds().max(1);
                Ok(RateDecision::Limited {
                    retry_after_secs: u64::try_from(retry).unwrap_or(1),
                })
            } else {
                Ok(RateDecision::Allowed)
            }
        })
        .await
    }
}
