//! The [`MemberStore`] port.

use super::*;

#[async_trait]
impl MemberStore for EmbeddedStore {
    async fn add_member(
        &self,
        scope: &OrgScope,
        org_name: &str,
        member: &Member,
    ) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let item = MemberItem {
            member: member.clone(),
            org_name: org_name.to_string(),
        };
        self.write(move |tx| {
            let sk = keys::member_sk(&item.member.email);
            if get_item::<MemberItem>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &item)?;
            let mut index = tx.open_table(BY_EMAIL).map_err(backend)?;
            index
                .insert((item.member.email.as_str(), pk.as_str()), ())
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn get_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<Member>> {
        let item: Option<MemberItem> = self
            .get(scope.org().to_string(), keys::member_sk(email))
            .await?;
        Ok(item.map(|i| i.member))
    }

    async fn list_members(&self, scope: &OrgScope) -> StoreResult<Vec<Member>> {
        let items: Vec<(String, MemberItem)> = self
            .query_prefix(scope.org().to_string(), keys::MEMBER_PREFIX.into())
            .await?;
        Ok(items.into_iter().map(|(_, i)| i.member).collect())
    }

    async fn update_member(
        &self,
        scope: &OrgScope,
        email: &Email,
        role: Role,
        name: &str,
        sessions_valid_from: Option<DateTime<Utc>>,
    ) -> StoreResult<Member> {
        let pk = scope.org().to_string();
        let sk = keys::member_sk(email);
        let name = name.to_string();
        self.write(move |tx| {
            let mut item: MemberItem = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            item.member.role = role;
            item.member.name = name;
            if sessions_valid_from.is_some() {
                item.member.sessions_valid_from = sessions_valid_from;
            }
            put_item(tx, &pk, &sk, &item)?;
            Ok(item.member)
        })
        .await
    }

    async fn revoke_member_tokens(
        &self,
        scope: &OrgScope,
        email: &Email,
        from: DateTime<Utc>,
    ) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::member_sk(email);
        self.write(move |tx| {
            let mut item: MemberItem = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            item.member.sessions_valid_from = Some(from);
            put_item(tx, &pk, &sk, &item)
        })
        .await
    }

    async fn remove_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let email = email.clone();
        self.write(move |tx| {
            if !delete_item(tx, &pk, &keys::member_sk(&email))? {
                return Err(StoreError::NotFound);
            }
            let mut index = tx.open_table(BY_EMAIL).map_err(backend)?;
            index
                .remove((email.as_str(), pk.as_str()))
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn memberships(&self, email: &Email) -> StoreResult<Vec<Membership>> {
        let email = email.clone();
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let index = tx.open_table(BY_EMAIL).map_err(backend)?;
            let items = tx.open_table(ITEMS).map_err(backend)?;
            let mut out = Vec::new();
            for entry in index.range((email.as_str(), "")..).map_err(backend)? {
                let (key, _) = entry.map_err(backend)?;
                let (e, org) = key.value();
                if e != email.as_str() {
                    break;
                }
                let sk = keys::member_sk(&email);
                if let Some(guard) = items.get((org, sk.as_str())).map_err(backend)? {
                    let item: MemberItem = from_json(guard.value())?;
                    let org_id = OrgId::parse(org).map_err(backend)?;
                    out.push(Membership {
                        org_id,
                        org_name: item.org_name,
                        role: item.member.role,
                    });
                }
            }
            Ok(out)
        })
        .await
    }
}
