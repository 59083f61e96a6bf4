//! Magic links and codes: single use, expiry, burning, replacement, and sameness for unknown
//! addresses. Run on the embedded store; the magic-link crate runs the HTTP side against moto.

mod common;

use auth::{AuthError, Proof};
use chrono::Duration;
use common::{last_secrets, world};
use domain::ports::MemberStore;
use std::sync::Arc;

const IP: &str = "198.51.100.7";

#[tokio::test]
async fn a_link_signs_in_once_and_lists_memberships() {
    let w = world().await;
    w.auth
        .request_link("  ANN@example.com ", IP)
        .await
        .expect("request");
    let (link, code) = last_secrets(&w.outbox, "ann@example.com").await;
    let link = link.expect("a link");
    assert!(code.is_some_and(|c| c.len() == 9), "ABCD-EFGH");
    let grant = w
        .auth
        .exchange(
            Proof::Link {
                token: link.clone(),
            },
            None,
            IP,
        )
        .await
        .expect("exchange");
    assert_eq!(grant.email, "ann@example.com");
    assert_eq!(
        grant.org.id, "alpha",
        "first org by id without a preference"
    );
    assert_eq!(grant.memberships.len(), 2);
    assert!(grant.expires_at > common::t0() + Duration::days(29));
    assert!(matches!(
        w.auth.exchange(Proof::Link { token: link }, None, IP).await,
        Err(AuthError::Unauthorized)
    ));
}

#[tokio::test]
async fn codes_work_once_and_only_for_their_address() {
    let w = world().await;
    w.auth
        .request_link("ann@example.com", IP)
        .await
        .expect("request");
    let (_, code) = last_secrets(&w.outbox, "ann@example.com").await;
    let code = code.expect("code");
    // Code for A fails for B.
    assert!(matches!(
        w.auth
            .exchange(
                Proof::Code {
                    email: "bob@example.com".into(),
                    code: code.clone()
                },
                None,
                IP
            )
            .await,
        Err(AuthError::Unauthorized)
    ));
    let grant = w
        .auth
        .exchange(
            Proof::Code {
                email: "Ann@Example.com".into(),
                code: code.to_lowercase(),
            },
            Some("bravo"),
            IP,
        )
        .await
        .expect("code works, case-insensitive");
    assert_eq!(grant.org.id, "bravo");
    assert_eq!(grant.role, domain::Role::Admin);
    assert!(matches!(
        w.auth
            .exchange(
                Proof::Code {
                    email: "ann@example.com".into(),
                    code
                },
                None,
                IP
            )
            .await,
        Err(AuthError::Unauthorized)
    ));
}

#[tokio::test]
async fn expired_burned_and_replaced_codes_fail() {
    let w = world().await;
    w.auth
        .request_link("ann@example.com", IP)
        .await
        .expect("request");
    let (_, code) = last_secrets(&w.outbox, "ann@example.com").await;
    w.clock.advance(Duration::minutes(10));
    assert!(
        matches!(
            w.auth
                .exchange(
                    Proof::Code {
                        email: "ann@example.com".into(),
                        code: code.expect("code")
                    },
                    None,
                    IP
                )
                .await,
            Err(AuthError::Unauthorized)
        ),
        "expired though the record still exists"
    );

    w.auth
        .request_link("ann@example.com", IP)
        .await
        .expect("request");
    let (_, code) = last_secrets(&w.outbox, "ann@example.com").await;
    for wrong in [
        "AAAA-AAAA",
        "BBBB-BBBB",
        "CCCC-CCCC",
        "DDDD-DDDD",
        "EEEE-EEEE",
    ] {
        assert!(
            w.auth
                .exchange(
                    Proof::Code {
                        email: "ann@example.com".into(),
                        code: wrong.into()
                    },
                    None,
                    IP
                )
                .await
                .is_err()
        );
    }
    assert!(
        matches!(
            w.auth
                .exchange(
                    Proof::Code {
                        email: "ann@example.com".into(),
                        code: code.expect("code")
                    },
                    None,
                    IP
                )
                .await,
            Err(AuthError::Unauthorized)
        ),
        "five wrong, then right, fails"
    );

    w.auth
        .request_link("bob@example.com", IP)
        .await
        .expect("request");
    let (old_link, old_code) = last_secrets(&w.outbox, "bob@example.com").await;
    w.auth
        .request_link("bob@example.com", IP)
        .await
        .expect("request again");
    assert!(
        w.auth
            .exchange(
                Proof::Code {
                    email: "bob@example.com".into(),
                    code: old_code.expect("code")
                },
                None,
                IP
            )
            .await
            .is_err()
    );
    assert!(
        w.auth
            .exchange(
                Proof::Link {
                    token: old_link.expect("link")
                },
                None,
                IP
            )
            .await
            .is_err(),
        "a newer request replaces older links"
    );
    let (new_link, _) = last_secrets(&w.outbox, "bob@example.com").await;
    assert!(
        w.auth
            .exchange(
                Proof::Link {
                    token: new_link.expect("link")
                },
                None,
                IP
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn twenty_parallel_exchanges_one_success() {
    let w = world().await;
    w.auth
        .request_link("ann@example.com", IP)
        .await
        .expect("request");
    let (_, code) = last_secrets(&w.outbox, "ann@example.com").await;
    let code = code.expect("code");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let auth = Arc::clone(&w.auth);
        let code = code.clone();
        set.spawn(async move {
            auth.exchange(
                Proof::Code {
                    email: "ann@example.com".into(),
                    code,
                },
                None,
                IP,
            )
            .await
            .is_ok()
        });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        if r.expect("join") {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn unknown_addresses_get_mail_without_a_secret() {
    let w = world().await;
    w.auth
        .request_link("stranger@example.com", IP)
        .await
        .expect("same answer as a known address");
    let (link, code) = last_secrets(&w.outbox, "stranger@example.com").await;
    assert!(
        link.is_none() && code.is_none(),
        "no secret for an address with no membership"
    );
}

#[tokio::test]
async fn no_secret_in_the_store_or_the_outbox_metadata() {
    let w = world().await;
    w.auth
        .request_link("ann@example.com", IP)
        .await
        .expect("request");
    let (link, code) = last_secrets(&w.outbox, "ann@example.com").await;
    let (link, code) = (link.expect("link"), code.expect("code"));
    let secret = link.split('.').nth(1).expect("secret half").to_string();
    // Read every byte of the database file: neither secret may appear.
    let bytes = std::fs::read(w.dir.join("store").join("store.redb")).expect("read");
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(
        !haystack.contains(&secret),
        "link secret stored in plain text"
    );
    assert!(
        !haystack.contains(&code.replace('-', "")),
        "code stored in plain text"
    );
}

#[tokio::test]
async fn rate_limits_per_address_and_per_ip() {
    let w = world().await;
    for _ in 0..5 {
        w.auth
            .request_link("ann@example.com", "203.0.113.1")
            .await
            .expect("allowed");
    }
    match w.auth.request_link("ann@example.com", "203.0.113.2").await {
        Err(AuthError::RateLimited { retry_after_secs }) => {
            assert!(retry_after_secs > 0 && retry_after_secs <= 900)
        }
        other => panic!("expected 429, got {other:?}"),
    }
    for i in 0..25 {
        w.auth
            .request_link(&format!("p{i}@example.com"), "203.0.113.1")
            .await
            .expect("allowed");
    }
    assert!(
        matches!(
            w.auth
                .request_link("fresh@example.com", "203.0.113.1")
                .await,
            Err(AuthError::RateLimited { .. })
        ),
        "thirty per IP"
    );
    assert!(matches!(
        w.auth.request_link("not an email", "203.0.113.9").await,
        Err(AuthError::Invalid(_))
    ));
}

#[tokio::test]
async fn an_apostrophe_address_signs_in_by_link_and_by_code() {
    let w = world().await;
    let alpha = domain::org::OrgScope::trusted(domain::OrgId::parse("alpha").expect("id"));
    w.store
        .add_member(
            &alpha,
            "Alpha Charters",
            &domain::org::Member {
                email: common::email("d'angelo@example.com"),
                name: "Dee D'Angelo".into(),
                role: domain::Role::Crew,
                added_at: common::t0(),
                sessions_valid_from: None,
            },
        )
        .await
        .expect("member");
    // As typed on a phone: capitals and a typographic apostrophe.
    w.auth
        .request_link("D\u{2019}Angelo@Example.com", IP)
        .await
        .expect("request");
    let (link, code) = last_secrets(&w.outbox, "d'angelo@example.com").await;
    let grant = w
        .auth
        .exchange(
            Proof::Link {
                token: link.expect("a link"),
            },
            None,
            IP,
        )
        .await
        .expect("exchange by link");
    assert_eq!(grant.email, "d'angelo@example.com");
    let session = w.auth.authenticate(&grant.token).await.expect("session");
    assert_eq!(session.email.as_str(), "d'angelo@example.com");
    w.auth
        .request_link("d'angelo@example.com", IP)
        .await
        .expect("request");
    let (_, code_again) = last_secrets(&w.outbox, "d'angelo@example.com").await;
    assert_ne!(code, code_again, "a fresh code");
    let by_code = w
        .auth
        .exchange(
            Proof::Code {
                email: "D'ANGELO@example.com".into(),
                code: code_again.expect("code"),
            },
            None,
            IP,
        )
        .await
        .expect("exchange by code");
    assert_eq!(by_code.email, "d'angelo@example.com");
}
