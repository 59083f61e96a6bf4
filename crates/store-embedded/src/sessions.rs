//! The [`SessionStore`] port.

use super::*;

#[async_trait]
impl SessionStore for EmbeddedStore {
    async fn put_session(&self, scope: &OrgScope, session: &SessionRecord) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::session_sk(&session.email, &session.jti);
        let item = SessionItem {
            issued_at: session.issued_at,
            expires_at: session.expires_at,
        };
        self.write(move |tx| put_item(tx, &pk, &sk, &item)).await
    }

    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &Email,
        jti: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let item: Option<SessionItem> = self
            .get(scope.org().to_string(), keys::session_sk(email, jti))
            .await?;
        Ok(item.is_some_and(|s| s.expires_at > now))
    }

    async fn revoke_session(&self, scope: &OrgScope, email: &Email, jti: &str) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::session_sk(email, jti);
        self.write(move |tx| delete_item(tx, &pk, &sk).map(|_| ()))
            .await
    }

    async fn revoke_sessions(&self, scope: &OrgScope, email: &Email) -> StoreResult<usize> {
        let pk = scope.org().to_string();
        let prefix = keys::session_prefix(email);
        self.write(move |tx| {
            let mut table = tx.open_table(ITEMS).map_err(backend)?;
            let keys: Vec<String> = table
                .range((pk.as_str(), prefix.as_str())..)
                .map_err(backend)?
                .map_while(|entry| {
                    let (key, _) = entry.ok()?;
                    let (p, sk) = key.value();
                    (p == pk && sk.starts_with(&prefix)).then(|| sk.to_string())
                })
                .collect();
            for sk in &keys {
                table.remove((pk.as_str(), sk.as_str())).map_err(backend)?;
            }
            Ok(keys.len())
        })
        .await
    }
}
