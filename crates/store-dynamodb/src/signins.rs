//! The [`SigninStore`] port.

use super::*;
use subtle::ConstantTimeEq;

#[async_trait]
impl SigninStore for DynamoStore {
    async fn put_signin(&self, record: &SigninRecord) -> StoreResult<()> {
        let item = SigninItem::new(record);
        self.put(serde_dynamo::to_item(&item).map_err(codec)?).await
    }

    async fn signin_email(&self, key_: &str) -> StoreResult<Option<Email>> {
        let Some(item) = self
            .get_item(&SigninItem::partition(key_), SigninItem::SK)
            .await?
        else {
            return Ok(None);
        };
        let item: SigninItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(Some(item.email))
    }

    async fn spend_signin(
        &self,
        key_: &str,
        proof: &SigninProof,
        now: DateTime<Utc>,
    ) -> Result<Email, SpendError> {
        let pk = SigninItem::partition(key_);
        let (is_link, presented) = match proof {
            SigninProof::Link(h) => (true, h),
            SigninProof::Code(h) => (false, h),
        };
        // Count first, then compare: one conditional write takes one of the record's attempts
        // (refused once they are used up, spent or expired), and only a caller holding an attempt
        // compares its proof. Parallel wrong guesses cannot all be compared before any is counted:
        // at most MAX_SIGNIN_ATTEMPTS proofs are ever looked at, whatever the concurrency.
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&pk, SigninItem::SK)))
            .update_expression("ADD attempts :one")
            .condition_expression(
                "attribute_exists(sk) AND spent = :false AND attempts < :max \
                 AND expires_epoch > :now",
            )
            .expression_attribute_values(":one", av_n(1))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":max", av_n(MAX_SIGNIN_ATTEMPTS))
            .expression_attribute_values(":now", av_n(now.timestamp()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let item: SigninItem = match counted {
            Ok(out) => {
                serde_dynamo::from_item(out.attributes.unwrap_or_default()).map_err(codec)?
            }
            Err(e) if is_condition_failure(&e) => {
                // Unknown, spent, burned or expired: one read on this path tells expired apart.
                let Some(item) = self.get_item(&pk, SigninItem::SK).await? else {
                    return Err(SpendError::Invalid);
                };
                let item: SigninItem = serde_dynamo::from_item(item).map_err(codec)?;
                let live = !item.spent && item.attempts < MAX_SIGNIN_ATTEMPTS;
                return Err(if live && item.expires_epoch <= now.timestamp() {
                    SpendError::Expired
                } else {
                    SpendError::Invalid
                });
            }
            Err(e) => return Err(SpendError::Store(sdk_err(e))),
        };
        let stored = if is_link {
            &item.link_hash
        } else {
            &item.code_hash
        };
        if !bool::from(stored.as_bytes().ct_eq(presented.as_bytes())) {
            return Err(SpendError::Invalid);
        }
        // The proof is right: spend it, unless a parallel right proof did a moment ago.
        let spent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&pk, SigninItem::SK)))
            .update_expression("SET spent = :true")
            .condition_expression("attribute_exists(sk) AND spent = :false")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .send()
            .await;
        match spent {
            Ok(_) => Ok(item.email),
            Err(e) if is_condition_failure(&e) => Err(SpendError::Invalid),
            Err(e) => Err(SpendError::Store(sdk_err(e))),
        }
    }

    async fn hit_rate_limit(
        &self,
        bucket: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<RateDecision> {
        let (start, end) = keys::rate_window(now, window);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                &keys::rate_partition(bucket),
                &keys::rate_window_sk(start),
            )))
            .update_expression("ADD #count :one SET expiration_epoch = :end")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", av_n(1))
            .expression_attribute_values(":end", av_n(end))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk_err)?;
        let count = match out.attributes.as_ref().and_then(|a| a.get("count")) {
            Some(AttributeValue::N(n)) => n.parse::<u64>().unwrap_or(u64::MAX),
            _ => u64::MAX,
        };
        if count > u64::from(limit) {
            Ok(RateDecision::Limited {
                retry_after_secs: u64::try_from((end - now.timestamp()).max(1)).unwrap_or(1),
            })
        } else {
            Ok(RateDecision::Allowed)
        }
    }
}
