//! The [`MemberStore`] port.

use super::*;

#[async_trait]
impl MemberStore for DynamoStore {
    async fn add_member(
        &self,
        scope: &OrgScope,
        org_name: &str,
        member: &Member,
    ) -> StoreResult<()> {
        let item = MemberItem::new(scope.org(), org_name, member);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item).map_err(codec)?))
            .condition_expression("attribute_not_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::AlreadyExists).map(|_| ())
    }

    async fn get_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<Member>> {
        let Some(item) = self
            .get_item(scope.org().as_str(), &keys::member_sk(email))
            .await?
        else {
            return Ok(None);
        };
        let stored: MemberItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(Some(stored.into_member()))
    }

    async fn list_members(&self, scope: &OrgScope) -> StoreResult<Vec<Member>> {
        self.query_prefix(scope.org().as_str(), keys::MEMBER_PREFIX)
            .await?
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, MemberItem>(item)
                    .map_err(codec)
                    .map(MemberItem::into_member)
            })
            .collect()
    }

    async fn update_member(
        &self,
        scope: &OrgScope,
        email: &Email,
        role: Role,
        name: &str,
        sessions_valid_from: Option<DateTime<Utc>>,
    ) -> StoreResult<Member> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::member_sk(email))))
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":role", av_s(role.as_str()))
            .expression_attribute_values(":name", av_s(name))
            .return_values(ReturnValue::AllNew);
        update = match sessions_valid_from {
            Some(from) => update
                .update_expression("SET #role = :role, #name = :name, #from = :from")
                .expression_attribute_names("#from", "sessions_valid_from")
                .expression_attribute_values(":from", enc(&from)?),
            None => update.update_expression("SET #role = :role, #name = :name"),
        };
        let result = update.send().await;
        match result {
            Ok(out) => {
                let stored: MemberItem =
                    serde_dynamo::from_item(out.attributes.unwrap_or_default()).map_err(codec)?;
                Ok(stored.into_member())
            }
            Err(e) if is_condition_failure(&e) => Err(StoreError::NotFound),
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn revoke_member_tokens(
        &self,
        scope: &OrgScope,
        email: &Email,
        from: DateTime<Utc>,
    ) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::member_sk(email))))
            .update_expression("SET #from = :from")
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#from", "sessions_valid_from")
            .expression_attribute_values(":from", enc(&from)?)
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn remove_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::member_sk(email))))
            .condition_expression("attribute_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn memberships(&self, email: &Email) -> StoreResult<Vec<Membership>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(table::BY_EMAIL)
                .key_condition_expression("user_email = :email")
                .expression_attribute_values(":email", av_s(email.as_str()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_err)?;
            for item in page.items.unwrap_or_default() {
                let stored: MemberItem = serde_dynamo::from_item(item).map_err(codec)?;
                out.push(stored.into_membership()?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }
}
