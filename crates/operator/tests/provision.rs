//! Provisioning from the portfolio file, on both stores: a first apply creates the orgs and first
//! people, a second changes nothing, drift is repaired, --prune removes and signs out; and the
//! binary refuses a broken file with its line and writes nothing.

mod common;

use chrono::Duration;
use common::now;
use domain::org::{Member, OrgScope};
use domain::portfolio::Portfolio;
use domain::ports::{SessionRecord, Store};
use domain::{Email, OrgId, Role};
use std::process::Command;

const REPO_FILE: &str = include_str!("../../../config/portfolio.toml");

fn portfolio() -> Portfolio {
    Portfolio::parse(REPO_FILE, "config/portfolio.toml").expect("valid")
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid")
}

async fn provisions_and_repairs(store: &dyn Store) {
    let p = portfolio();
    let first = operator::plan_for(store, &p, false, now())
        .await
        .expect("plan");
    assert_eq!(first.summary(), "8 to add, 0 to change, 0 to remove");
    assert_eq!(operator::apply(store, &first).await.expect("apply"), 8);
    let orgs = store.list_orgs().await.expect("orgs");
    assert_eq!(orgs.len(), 4);
    for org in &orgs {
        assert_eq!(org.report_recipients.len(), 5);
    }

    let again = operator::plan_for(store, &p, false, now() + Duration::hours(1))
        .await
        .expect("plan");
    assert!(again.is_empty(), "{again:?}");
    let shown = operator::render_plan(&again, "config/portfolio.toml");
    assert!(shown.starts_with("No changes"), "{shown}");

    // Drift made in the app: a rename, the first admin demoted, a deckhand invited with a session.
    let jada = OrgScope::trusted(OrgId::parse("jada").expect("valid"));
    let mut org = store.get_org(&jada).await.expect("jada");
    org.name = "Jada Yachts".into();
    store
        .update_org(&jada, &org, org.version)
        .await
        .expect("rename");
    let office = email("admin@queenofsandiego.com");
    store
        .update_member(&jada, &office, Role::Crew, "Portfolio office", None)
        .await
        .expect("demote");
    let deck = email("deck@example.com");
    store
        .add_member(
            &jada,
            "JADA",
            &Member {
                email: deck.clone(),
                name: "Deck".into(),
                role: Role::Crew,
                added_at: now(),
                sessions_valid_from: None,
            },
        )
        .await
        .expect("invite");
    for (who, jti) in [(&office, "office-1"), (&deck, "deck-1")] {
        store
            .put_session(
                &jada,
                &SessionRecord {
                    jti: jti.into(),
                    email: who.clone(),
                    issued_at: now(),
                    expires_at: now() + Duration::days(30),
                },
            )
            .await
            .expect("session");
    }

    let drift = operator::plan_for(store, &p, false, now())
        .await
        .expect("plan");
    assert_eq!(drift.summary(), "0 to add, 2 to change, 0 to remove");
    assert!(
        drift.kept.iter().any(|k| k.contains("--prune")),
        "{drift:?}"
    );
    operator::apply(store, &drift).await.expect("repair");
    assert_eq!(store.get_org(&jada).await.expect("jada").name, "JADA");
    let restored = store.get_member(&jada, &office).await.expect("read");
    assert_eq!(restored.map(|m| m.role), Some(Role::Admin));
    assert!(
        !store
            .session_active(&jada, &office, "office-1", now())
            .await
            .expect("read"),
        "a role change signs the person out"
    );
    assert!(
        store
            .get_member(&jada, &deck)
            .await
            .expect("read")
            .is_some(),
        "no prune: the invited deckhand stays"
    );

    let pruned = operator::plan_for(store, &p, true, now())
        .await
        .expect("plan");
    assert_eq!(pruned.summary(), "0 to add, 0 to change, 1 to remove");
    operator::apply(store, &pruned).await.expect("prune");
    assert!(
        store
            .get_member(&jada, &deck)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        !store
            .session_active(&jada, &deck, "deck-1", now())
            .await
            .expect("read"),
        "a removed member is signed out"
    );
    let settled = operator::plan_for(store, &p, true, now())
        .await
        .expect("plan");
    assert!(settled.is_empty(), "{settled:?}");
}

/// An admin's settings edit made between `plan` and `apply` must not be overwritten unseen by the
/// file's older settings: the apply stops at that org, and a new plan shows the difference.
async fn apply_does_not_overwrite_an_edit_made_after_the_plan(store: &dyn Store) {
    let p = portfolio();
    let first = operator::plan_for(store, &p, false, now())
        .await
        .expect("plan");
    operator::apply(store, &first).await.expect("apply");
    let jada = OrgScope::trusted(OrgId::parse("jada").expect("valid"));
    let mut org = store.get_org(&jada).await.expect("jada");
    org.name = "Jada Yachts".into();
    let renamed = store
        .update_org(&jada, &org, org.version)
        .await
        .expect("rename");
    let repair = operator::plan_for(store, &p, false, now())
        .await
        .expect("plan");
    assert_eq!(repair.summary(), "0 to add, 1 to change, 0 to remove");

    // The admin edits again after the plan was made.
    let mut edited = renamed.clone();
    edited.home_port.name = "Shelter Island".into();
    let edited = store
        .update_org(&jada, &edited, renamed.version)
        .await
        .expect("edit after the plan");

    let err = operator::apply(store, &repair)
        .await
        .expect_err("a stale plan must not overwrite");
    assert!(
        matches!(
            err,
            operator::OperatorError::Apply {
                done: 0,
                source: domain::ports::StoreError::Conflict,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        store.get_org(&jada).await.expect("jada"),
        edited,
        "the later edit is kept"
    );
    let replanned = operator::plan_for(store, &p, false, now())
        .await
        .expect("plan");
    operator::apply(store, &replanned).await.expect("apply");
    assert_eq!(store.get_org(&jada).await.expect("jada").name, "JADA");
}

#[tokio::test]
async fn apply_does_not_overwrite_an_edit_made_after_the_plan_embedded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_embedded::EmbeddedStore::open(dir.path()).expect("open");
    apply_does_not_overwrite_an_edit_made_after_the_plan(&store).await;
}

#[tokio::test]
async fn apply_does_not_overwrite_an_edit_made_after_the_plan_dynamodb() {
    let Some(store) = common::fresh_dynamo("stale-plan").await else {
        return;
    };
    apply_does_not_overwrite_an_edit_made_after_the_plan(&store).await;
}

#[tokio::test]
async fn provisions_the_embedded_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_embedded::EmbeddedStore::open(dir.path()).expect("open");
    provisions_and_repairs(&store).await;
}

#[tokio::test]
async fn provisions_dynamodb() {
    let Some(store) = common::fresh_dynamo("provision").await else {
        return;
    };
    provisions_and_repairs(&store).await;
}

fn operator(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_operator"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run operator")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The issue's "done when": make provision on a fresh embedded store creates the four orgs, a
/// second run changes nothing and says so, a broken file is refused with the line.
#[test]
fn regression_issue_12_the_binary_provisions_and_refuses_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");

    let broken = dir.path().join("broken.toml");
    let bad = REPO_FILE.replacen("latitude = 32.7157", "latitude = 132.7157", 1);
    std::fs::write(&broken, &bad).expect("write");
    let line = bad
        .lines()
        .position(|l| l.contains("132.7157"))
        .expect("present")
        + 1;
    let out = operator(&[
        "apply",
        "--file",
        broken.to_str().expect("utf-8"),
        "--data",
        data,
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("broken.toml:{line}: org[jada].home_port.latitude")),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");

    let first = operator(&["apply", "--data", data]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let said = text(&first.stdout);
    assert!(said.contains("+ org quickdumpnow"), "{said}");
    assert!(said.contains("Applied 8 changes."), "{said}");

    let second = operator(&["apply", "--data", data]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout),
        "No changes: the store matches config/portfolio.toml.\n"
    );

    let unknown = operator(&["plan", "--stage", "nowhere"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("--table"),
        "{}",
        text(&unknown.stderr)
    );
    let none = operator(&["plan"]);
    assert!(!none.status.success(), "a store must be named");
}
