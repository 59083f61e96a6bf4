//! The [`CalendarStore`] port: the person's item (`_person#<email>`, sk `calendar`) names the
//! current token hash, the token's item (`_calfeed#<hash>`) names the person. A change writes both
//! (and deletes the old token's item) in one transaction, conditioned on the person's item being
//! as it was read, so two concurrent regenerations cannot leave a second live token behind.

use super::*;
use aws_sdk_dynamodb::types::Delete;
use domain::ports::{CalendarFeed, CalendarStore};

#[derive(serde::Serialize, serde::Deserialize)]
struct PersonFeedItem {
    org_id: String,
    sk: String,
    token_hash: String,
    created_at: DateTime<Utc>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FeedOwnerItem {
    org_id: String,
    sk: String,
    email: Email,
}

impl DynamoStore {
    async fn person_feed(&self, email: &Email) -> StoreResult<Option<PersonFeedItem>> {
        let item = self
            .get_item(&keys::person_partition(email), keys::CALENDAR_SK)
            .await?;
        item.map(|i| serde_dynamo::from_item(i).map_err(codec))
            .transpose()
    }

    fn delete_token(&self, hash: &str) -> StoreResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                &keys::calendar_token_partition(hash),
                keys::CALENDAR_SK,
            )))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The person's item as read: still holding `old`'s hash, or still absent.
    fn person_unchanged(old: Option<&PersonFeedItem>) -> (String, Option<AttributeValue>) {
        match old {
            Some(o) => ("token_hash = :old".into(), Some(av_s(o.token_hash.clone()))),
            None => ("attribute_not_exists(sk)".into(), None),
        }
    }
}

#[async_trait]
impl CalendarStore for DynamoStore {
    async fn put_calendar_feed(&self, feed: &CalendarFeed) -> StoreResult<()> {
        let person = keys::person_partition(&feed.email);
        let old = self.person_feed(&feed.email).await?;
        let (condition, old_value) = Self::person_unchanged(old.as_ref());
        let person_item = PersonFeedItem {
            org_id: person,
            sk: keys::CALENDAR_SK.into(),
            token_hash: feed.token_hash.clone(),
            created_at: feed.created_at,
        };
        let put_person = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&person_item).map_err(codec)?))
            .condition_expression(condition)
            .set_expression_attribute_values(old_value.map(|v| HashMap::from([(":old".into(), v)])))
            .build()
            .map_err(build_err)?;
        let owner = FeedOwnerItem {
            org_id: keys::calendar_token_partition(&feed.token_hash),
            sk: keys::CALENDAR_SK.into(),
            email: feed.email.clone(),
        };
        let put_owner = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&owner).map_err(codec)?))
            .condition_expression("attribute_not_exists(sk)")
            .build()
            .map_err(build_err)?;
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_person).build())
            .transact_items(TransactWriteItem::builder().put(put_owner).build());
        if let Some(old) = old.filter(|o| o.token_hash != feed.token_hash) {
            request = request.transact_items(self.delete_token(&old.token_hash)?);
        }
        conditional(request.send().await, StoreError::Conflict)?;
        Ok(())
    }

    async fn calendar_feed(&self, email: &Email) -> StoreResult<Option<CalendarFeed>> {
        Ok(self.person_feed(email).await?.map(|i| CalendarFeed {
            email: email.clone(),
            token_hash: i.token_hash,
            created_at: i.created_at,
        }))
    }

    async fn calendar_feed_owner(&self, token_hash: &str) -> StoreResult<Option<Email>> {
        let item = self
            .get_item(
                &keys::calendar_token_partition(token_hash),
                keys::CALENDAR_SK,
            )
            .await?;
        let Some(item) = item else { return Ok(None) };
        let owner: FeedOwnerItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(Some(owner.email))
    }

    async fn revoke_calendar_feed(&self, email: &Email) -> StoreResult<bool> {
        let Some(old) = self.person_feed(email).await? else {
            return Ok(false);
        };
        let delete_person = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(&keys::person_partition(email), keys::CALENDAR_SK)))
            .condition_expression("token_hash = :old")
            .expression_attribute_values(":old", av_s(old.token_hash.clone()))
            .build()
            .map_err(build_err)?;
        let request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete_person).build())
            .transact_items(self.delete_token(&old.token_hash)?);
        conditional(request.send().await, StoreError::Conflict)?;
        Ok(true)
    }
}
