//! The [`SessionStore`] port.

use super::*;

#[async_trait]
impl SessionStore for DynamoStore {
    async fn put_session(&self, scope: &OrgScope, session: &SessionRecord) -> StoreResult<()> {
        let mut item = key(
            scope.org().as_str(),
            &keys::session_sk(&session.email, &session.jti),
        );
        item.insert("issued_at".into(), av_s(session.issued_at.to_rfc3339()));
        item.insert(
            "expiration_epoch".into(),
            av_n(session.expires_at.timestamp()),
        );
        self.put(item).await
    }

    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &Email,
        jti: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let item = self
            .get_item(scope.org().as_str(), &keys::session_sk(email, jti))
            .await?;
        let expires = item.as_ref().and_then(|i| match i.get("expiration_epoch") {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        });
        Ok(expires.is_some_and(|exp| exp > now.timestamp()))
    }

    async fn revoke_session(&self, scope: &OrgScope, email: &Email, jti: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                scope.org().as_str(),
                &keys::session_sk(email, jti),
            )))
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(())
    }

    async fn revoke_sessions(&self, scope: &OrgScope, email: &Email) -> StoreResult<usize> {
        let items = self
            .query_prefix(scope.org().as_str(), &keys::session_prefix(email))
            .await?;
        for item in &items {
            let Some(AttributeValue::S(sk)) = item.get("sk") else {
                continue;
            };
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(scope.org().as_str(), sk)))
                .send()
                .await
                .map_err(sdk_err)?;
        }
        Ok(items.len())
    }
}
