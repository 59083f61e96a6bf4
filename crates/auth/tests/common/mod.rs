//! A real `Auth` on the embedded store, a file outbox and a hand-moved clock.
#![allow(dead_code)] // each test file uses part of this module

use auth::{Auth, AuthPorts, KeyRing, Pepper, TokenService};
use chrono::{DateTime, TimeZone, Utc};
use domain::org::{Member, OrgScope};
use domain::ports::{ManualClock, MemberStore, OrgStore};
use domain::{Email, Role};
use mail::Outbox;
use std::sync::Arc;
use store_embedded::EmbeddedStore;

pub const CURRENT: &str = "current-secret-0123456789abcdef-0123456789";
pub const PREVIOUS: &str = "previous-secret-0123456789abcdef-012345678";

pub struct World {
    pub auth: Arc<Auth>,
    pub store: Arc<EmbeddedStore>,
    pub outbox: Outbox,
    pub clock: Arc<ManualClock>,
    pub dir: std::path::PathBuf,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 16, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).expect("test email")
}

pub fn keys() -> KeyRing {
    KeyRing::from_json(&format!(
        r#"{{"current_kid":"k2","current":"{CURRENT}","previous_kid":"k1","previous":"{PREVIOUS}"}}"#
    ))
    .expect("keys")
}

pub async fn world() -> World {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("auth-{}", ulid::Ulid::new()));
    let store = Arc::new(EmbeddedStore::open(&dir.join("store")).expect("store"));
    let outbox = Outbox::new(dir.join("outbox"), "crew@example.com");
    let clock = Arc::new(ManualClock::new(t0()));
    let auth = Arc::new(Auth::new(
        TokenService::new(keys(), "https://app.example.com", "shipcaptaincrew"),
        Pepper::new(b"pepper-pepper-pepper-pepper-pepper".to_vec()).expect("pepper"),
        "https://app.example.com/",
        AuthPorts {
            members: store.clone(),
            orgs: store.clone(),
            signins: store.clone(),
            sessions: store.clone(),
            mailer: Arc::new(outbox.clone()),
            clock: clock.clone(),
        },
    ));
    for (org, name) in [("alpha", "Alpha Charters"), ("bravo", "Bravo Hauling")] {
        let mut o = store_conformance_org(org);
        o.name = name.into();
        store.create_org(&o).await.expect("org");
    }
    let add = |org: &'static str, who: &'static str, role: Role| {
        let store = store.clone();
        async move {
            let name = store
                .get_org(&OrgScope::trusted(org.parse_org()))
                .await
                .expect("org")
                .name;
            store
                .add_member(
                    &OrgScope::trusted(org.parse_org()),
                    &name,
                    &Member {
                        email: email(who),
                        name: who.into(),
                        role,
                        added_at: t0(),
                        sessions_valid_from: None,
                    },
                )
                .await
                .expect("member");
        }
    };
    add("alpha", "ann@example.com", Role::Crew).await;
    add("bravo", "ann@example.com", Role::Admin).await;
    add("alpha", "bob@example.com", Role::Captain).await;
    World {
        auth,
        store,
        outbox,
        clock,
        dir,
    }
}

trait ParseOrg {
    fn parse_org(&self) -> domain::OrgId;
}

impl ParseOrg for &str {
    fn parse_org(&self) -> domain::OrgId {
        domain::OrgId::parse(self).expect("org id")
    }
}

fn store_conformance_org(id: &str) -> domain::org::Org {
    domain::org::Org {
        id: id.parse_org(),
        name: id.into(),
        zone: chrono_tz::America::Los_Angeles,
        home_port: domain::seed::san_diego(),
        enabled_kinds: domain::EventKind::ALL.to_vec(),
        report_recipients: Default::default(),
        created_at: t0(),
        safety: Default::default(),
        version: 1,
    }
}

/// The link token and the code from the newest email to `to`.
pub async fn last_secrets(outbox: &Outbox, to: &str) -> (Option<String>, Option<String>) {
    let mail = outbox
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.to == to)
        .expect("an email");
    let token = mail.text.split("#token=").nth(1).map(|rest| {
        rest.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let code = mail
        .text
        .split("Enter this code instead: ")
        .nth(1)
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        });
    (token, code)
}
