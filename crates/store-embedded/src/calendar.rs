//! The [`CalendarStore`] port: the person's record (`_person#<email>`) names the current token
//! hash, the token's record (`_calfeed#<hash>`) names the person; both change in one transaction.

use super::*;
use domain::ports::{CalendarFeed, CalendarStore};

#[derive(Serialize, Deserialize)]
struct PersonFeedItem {
    token_hash: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct FeedOwnerItem {
    email: Email,
}

#[async_trait]
impl CalendarStore for EmbeddedStore {
    async fn put_calendar_feed(&self, feed: &CalendarFeed) -> StoreResult<()> {
        let person = keys::person_partition(&feed.email);
        let owner = FeedOwnerItem {
            email: feed.email.clone(),
        };
        let item = PersonFeedItem {
            token_hash: feed.token_hash.clone(),
            created_at: feed.created_at,
        };
        self.write(move |tx| {
            if let Some(old) = get_item::<PersonFeedItem>(tx, &person, keys::CALENDAR_SK)? {
                delete_item(
                    tx,
                    &keys::calendar_token_partition(&old.token_hash),
                    keys::CALENDAR_SK,
                )?;
            }
            put_item(
                tx,
                &keys::calendar_token_partition(&item.token_hash),
                keys::CALENDAR_SK,
                &owner,
            )?;
            put_item(tx, &person, keys::CALENDAR_SK, &item)
        })
        .await
    }

    async fn calendar_feed(&self, email: &Email) -> StoreResult<Option<CalendarFeed>> {
        let item: Option<PersonFeedItem> = self
            .get(keys::person_partition(email), keys::CALENDAR_SK.into())
            .await?;
        Ok(item.map(|i| CalendarFeed {
            email: email.clone(),
            token_hash: i.token_hash,
            created_at: i.created_at,
        }))
    }

    async fn calendar_feed_owner(&self, token_hash: &str) -> StoreResult<Option<Email>> {
        let item: Option<FeedOwnerItem> = self
            .get(
                keys::calendar_token_partition(token_hash),
                keys::CALENDAR_SK.into(),
            )
            .await?;
        Ok(item.map(|i| i.email))
    }

    async fn revoke_calendar_feed(&self, email: &Email) -> StoreResult<bool> {
        let person = keys::person_partition(email);
        self.write(move |tx| {
            let Some(old) = get_item::<PersonFeedItem>(tx, &person, keys::CALENDAR_SK)? else {
                return Ok(false);
            };
            delete_item(
                tx,
                &keys::calendar_token_partition(&old.token_hash),
                keys::CALENDAR_SK,
            )?;
            delete_item(tx, &person, keys::CALENDAR_SK)?;
            Ok(true)
        })
        .await
    }
}
