//! The member port and the by-email index of memberships.

use super::*;

pub async fn members_and_memberships<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    let ann = Member {
        email: email("ann@example.com"),
        name: "Ann".into(),
        role: Role::Crew,
        added_at: t0(),
        sessions_valid_from: None,
    };
    store.add_member(&a, "Org alpha", &ann).await.expect("add");
    let mut dup = ann.clone();
    dup.role = Role::Admin;
    assert_eq!(
        store.add_member(&a, "Org alpha", &dup).await,
        Err(StoreError::AlreadyExists)
    );
    assert_eq!(
        store
            .get_member(&a, &ann.email)
            .await
            .expect("get")
            .map(|m| m.role),
        Some(Role::Crew),
        "a duplicate add must not overwrite the role"
    );
    assert_eq!(store.get_member(&b, &ann.email).await.expect("get"), None);
    let mut ann_b = ann.clone();
    ann_b.role = Role::Captain;
    store
        .add_member(&b, "Org bravo", &ann_b)
        .await
        .expect("add to b");
    let bob = Member {
        email: email("bob@example.com"),
        name: "Bob".into(),
        role: Role::Admin,
        added_at: t0(),
        sessions_valid_from: None,
    };
    store
        .add_member(&a, "Org alpha", &bob)
        .await
        .expect("add bob");

    let mut list: Vec<String> = store
        .list_members(&a)
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.email.to_string())
        .collect();
    list.sort();
    assert_eq!(list, ["ann@example.com", "bob@example.com"]);
    assert_eq!(store.list_members(&b).await.expect("list b").len(), 1);

    let mut ms = store.memberships(&ann.email).await.expect("memberships");
    ms.sort_by(|x, y| x.org_id.cmp(&y.org_id));
    let got: Vec<(String, String, Role)> = ms
        .into_iter()
        .map(|m| (m.org_id.to_string(), m.org_name, m.role))
        .collect();
    assert_eq!(
        got,
        [
            ("alpha".to_string(), "Org alpha".to_string(), Role::Crew),
            ("bravo".to_string(), "Org bravo".to_string(), Role::Captain)
        ]
    );

    let updated = store
        .update_member(&a, &ann.email, Role::Captain, "Ann Lee", None)
        .await
        .expect("role");
    assert_eq!(updated.role, Role::Captain);
    assert_eq!(updated.name, "Ann Lee");
    assert_eq!(
        store
            .get_member(&a, &ann.email)
            .await
            .expect("get")
            .map(|m| m.name),
        Some("Ann Lee".to_string())
    );
    assert_eq!(
        store
            .update_member(
                &a,
                &email("nobody@example.com"),
                Role::Admin,
                "Nobody",
                None
            )
            .await,
        Err(StoreError::NotFound)
    );
    store.remove_member(&a, &ann.email).await.expect("remove");
    assert_eq!(
        store.remove_member(&a, &ann.email).await,
        Err(StoreError::NotFound)
    );
    let after: Vec<String> = store
        .memberships(&ann.email)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.org_id.to_string())
        .collect();
    assert_eq!(after, ["bravo"]);
    assert!(
        store
            .memberships(&email("ghost@example.com"))
            .await
            .expect("none")
            .is_empty()
    );
}

/// The revocation stamp is written with a role change (and only then), by logout-everywhere on
/// its own, survives later edits, and is refused for someone who is not a member.
pub async fn revocation_stamps_are_kept<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let ann = Member {
        email: email("o'brien@example.com"),
        name: "Ann O'Brien".into(),
        role: Role::Crew,
        added_at: t0(),
        sessions_valid_from: None,
    };
    store.add_member(&a, "Org alpha", &ann).await.expect("add");
    let stamp = |m: Option<Member>| m.and_then(|m| m.sessions_valid_from);
    let first = t0() + Duration::seconds(10);
    let got = store
        .update_member(&a, &ann.email, Role::Captain, "Ann", Some(first))
        .await
        .expect("role");
    assert_eq!(got.sessions_valid_from, Some(first));
    let renamed = store
        .update_member(&a, &ann.email, Role::Captain, "Ann O.", None)
        .await
        .expect("rename");
    assert_eq!(
        renamed.sessions_valid_from,
        Some(first),
        "a rename keeps it"
    );
    let later = first + Duration::minutes(5);
    store
        .revoke_member_tokens(&a, &ann.email, later)
        .await
        .expect("stamp");
    let read = store.get_member(&a, &ann.email).await.expect("get");
    assert_eq!(stamp(read.clone()), Some(later));
    assert_eq!(read.map(|m| m.role), Some(Role::Captain));
    assert_eq!(
        store
            .revoke_member_tokens(&a, &email("nobody@example.com"), later)
            .await,
        Err(StoreError::NotFound)
    );
    // Another org's member of the same address is untouched.
    let b = with_org(&*store, "bravo").await;
    store.add_member(&b, "Org bravo", &ann).await.expect("add");
    assert_eq!(
        stamp(store.get_member(&b, &ann.email).await.expect("get")),
        None
    );
}
