//! The attack list: every forged, tampered, expired or revoked token is the same 401.

mod common;

use auth::{Auth, AuthError, Proof};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use common::{CURRENT, PREVIOUS, email, t0, world};
use domain::org::OrgScope;
use domain::ports::MemberStore;
use domain::{OrgId, Role};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

fn claims() -> Value {
    let now = t0().timestamp();
    json!({
        "iss": "https://app.example.com", "aud": "shipcaptaincrew",
        "sub": "ann@example.com", "email": "ann@example.com",
        "iat": now, "nbf": now, "exp": now + 3600,
        "jti": "01J00000000000000000000000", "org_id": "alpha", "role": "crew"
    })
}

/// Signs with HMAC computed here (the `hmac` crate, not jsonwebtoken's provider under test), so a
/// forged HS384/HS512 token can be made although the product's provider refuses to sign one.
fn sign(alg: Algorithm, kid: Option<&str>, secret: &str, claims: &Value) -> String {
    use hmac::{Hmac, Mac};
    let name = match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        other => panic!("the tests only forge HMAC tokens, not {other:?}"),
    };
    let mut header = json!({"typ": "JWT", "alg": name});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    let input = format!("{}.{}", b64(&header), b64(claims));
    let key = secret.as_bytes();
    let tag = match alg {
        Algorithm::HS256 => mac::<Hmac<sha2::Sha256>>(key, &input),
        Algorithm::HS384 => mac::<Hmac<sha2::Sha384>>(key, &input),
        _ => mac::<Hmac<sha2::Sha512>>(key, &input),
    };
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], input: &str) -> Vec<u8> {
        let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
        m.update(input.as_bytes());
        m.finalize().into_bytes().to_vec()
    }
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag))
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

/// A token whose header and payload are whatever we say, with the given signature part.
fn raw(header: Value, payload: &Value, signature: &str) -> String {
    format!("{}.{}.{}", b64(&header), b64(payload), signature)
}

fn edit(mut c: Value, key: &str, value: Value) -> Value {
    c[key] = value;
    c
}

fn without(mut c: Value, key: &str) -> Value {
    c.as_object_mut().expect("object").remove(key);
    c
}

async fn assert_401(auth: &Auth, name: &str, token: &str) {
    match auth.authenticate(token).await {
        Err(AuthError::Unauthorized) => {}
        other => panic!("{name}: expected 401, got {other:?}"),
    }
}

/// Signs in for real and returns a valid token of ann in alpha.
async fn real_token(auth: &Auth, outbox: &mail::Outbox) -> String {
    auth.request_link("ann@example.com", "198.51.100.1")
        .await
        .expect("request");
    let (token, _) = common::last_secrets(outbox, "ann@example.com").await;
    auth.exchange(
        Proof::Link {
            token: token.expect("link"),
        },
        Some("alpha"),
        "198.51.100.1",
    )
    .await
    .expect("exchange")
    .token
}

#[tokio::test]
async fn forged_and_tampered_tokens_are_401() {
    let w = world().await;
    let good = real_token(&w.auth, &w.outbox).await;
    let session = w
        .auth
        .authenticate(&good)
        .await
        .expect("the real token works");
    assert_eq!(session.org().as_str(), "alpha");
    assert_eq!(session.role, Role::Crew);

    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    let signature = parts[2];
    let mut flipped = signature.to_string();
    let last = flipped.pop().expect("char");
    flipped.push(if last == 'A' { 'B' } else { 'A' });

    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            raw(json!({"alg":"none","typ":"JWT"}), &payload, ""),
        ),
        (
            "alg None",
            raw(json!({"alg":"None","typ":"JWT"}), &payload, ""),
        ),
        (
            "alg NONE",
            raw(json!({"alg":"NONE","typ":"JWT"}), &payload, ""),
        ),
        (
            "alg none with kid",
            raw(json!({"alg":"none","kid":"k2"}), &payload, ""),
        ),
        (
            "HS384",
            sign(Algorithm::HS384, Some("k2"), CURRENT, &payload),
        ),
        (
            "HS512",
            sign(Algorithm::HS512, Some("k2"), CURRENT, &payload),
        ),
        (
            "RS256 header, HMAC signature",
            raw(json!({"alg":"RS256","kid":"k2"}), &payload, signature),
        ),
        ("stripped signature", format!("{}.{}.", parts[0], parts[1])),
        ("no signature part", format!("{}.{}", parts[0], parts[1])),
        (
            "altered signature",
            format!("{}.{}.{}", parts[0], parts[1], flipped),
        ),
        (
            "edited org_id",
            raw(
                header.clone(),
                &edit(payload.clone(), "org_id", json!("bravo")),
                signature,
            ),
        ),
        (
            "edited role",
            raw(
                header.clone(),
                &edit(payload.clone(), "role", json!("admin")),
                signature,
            ),
        ),
        (
            "edited email",
            raw(
                header.clone(),
                &edit(payload.clone(), "email", json!("bob@example.com")),
                signature,
            ),
        ),
        (
            "expired",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(claims(), "exp", json!(t0().timestamp() - 31)),
            ),
        ),
        (
            "exp as a string",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(
                    claims(),
                    "exp",
                    json!(format!("{}", t0().timestamp() + 3600)),
                ),
            ),
        ),
        (
            "missing iss",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &without(claims(), "iss"),
            ),
        ),
        (
            "missing aud",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &without(claims(), "aud"),
            ),
        ),
        (
            "missing exp",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &without(claims(), "exp"),
            ),
        ),
        (
            "missing sub",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &without(claims(), "sub"),
            ),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(claims(), "iss", json!("https://evil.example.com")),
            ),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(claims(), "aud", json!("other")),
            ),
        ),
        (
            "nbf in the future",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(claims(), "nbf", json!(t0().timestamp() + 3600)),
            ),
        ),
        (
            "wrong key",
            sign(
                Algorithm::HS256,
                Some("k2"),
                "some-other-secret-0123456789abcdefghijkl",
                &claims(),
            ),
        ),
        (
            "unknown kid",
            sign(Algorithm::HS256, Some("k9"), CURRENT, &claims()),
        ),
        ("no kid", sign(Algorithm::HS256, None, CURRENT, &claims())),
        (
            "sub differs from email",
            sign(
                Algorithm::HS256,
                Some("k2"),
                CURRENT,
                &edit(claims(), "sub", json!("bob@example.com")),
            ),
        ),
        // Correctly signed but never issued: its jti is not on the allowlist.
        (
            "never issued",
            sign(Algorithm::HS256, Some("k2"), CURRENT, &claims()),
        ),
        ("garbage", "not.a.token".to_string()),
        ("empty", String::new()),
    ];
    for (name, token) in &cases {
        assert_401(&w.auth, name, token).await;
    }
    // Still fine after all that.
    assert!(w.auth.authenticate(&good).await.is_ok());
}

#[tokio::test]
async fn the_previous_key_verifies_during_rotation() {
    let w = world().await;
    let good = real_token(&w.auth, &w.outbox).await;
    let jti = w.auth.authenticate(&good).await.expect("valid").jti;
    // Same claims, signed with the previous key: accepted (jti is allowlisted).
    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    let old = sign(Algorithm::HS256, Some("k1"), PREVIOUS, &payload);
    let session = w
        .auth
        .authenticate(&old)
        .await
        .expect("previous key still verifies");
    assert_eq!(session.jti, jti);
    // But the previous kid with the current secret is a forgery.
    assert_401(
        &w.auth,
        "kid/secret mismatch",
        &sign(Algorithm::HS256, Some("k1"), CURRENT, &payload),
    )
    .await;
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let w = world().await;
    // logout
    let t1 = real_token(&w.auth, &w.outbox).await;
    let s1 = w.auth.authenticate(&t1).await.expect("valid");
    w.auth.logout(&s1).await.expect("logout");
    assert_401(&w.auth, "after logout", &t1).await;

    // logout-all, across orgs
    let t2 = real_token(&w.auth, &w.outbox).await;
    let s2 = w.auth.authenticate(&t2).await.expect("valid");
    let in_bravo = w.auth.switch(&s2, "bravo").await.expect("switch").token;
    assert!(w.auth.authenticate(&in_bravo).await.is_ok());
    let revoked = w.auth.logout_all(&s2).await.expect("logout all");
    assert_eq!(revoked, 2);
    assert_401(&w.auth, "after logout-all", &t2).await;
    assert_401(&w.auth, "other org after logout-all", &in_bravo).await;

    // removal from the org (signing in again a moment after logout-all works: the stamp is to the
    // millisecond)
    w.clock.advance(Duration::milliseconds(1));
    let t3 = real_token(&w.auth, &w.outbox).await;
    assert!(w.auth.authenticate(&t3).await.is_ok());
    let alpha = OrgScope::trusted(OrgId::parse("alpha").expect("valid"));
    w.store
        .remove_member(&alpha, &email("ann@example.com"))
        .await
        .expect("remove");
    // No allowlist clean-up: the member record alone refuses the token.
    assert_401(&w.auth, "after removal", &t3).await;

    // role change
    w.auth
        .request_link("bob@example.com", "198.51.100.2")
        .await
        .expect("request");
    let (link, _) = common::last_secrets(&w.outbox, "bob@example.com").await;
    let t4 = w
        .auth
        .exchange(
            Proof::Link {
                token: link.expect("link"),
            },
            None,
            "198.51.100.2",
        )
        .await
        .expect("exchange")
        .token;
    assert!(w.auth.authenticate(&t4).await.is_ok());
    w.store
        .update_member(
            &alpha,
            &email("bob@example.com"),
            Role::Admin,
            "bob@example.com",
            None,
        )
        .await
        .expect("role");
    // Even without a stamp or clean-up, a token whose role is not the member's is refused.
    assert_401(&w.auth, "after role change", &t4).await;

    // expiry, by the clock
    let t5 = {
        w.auth
            .request_link("bob@example.com", "198.51.100.2")
            .await
            .expect("request");
        let (link, _) = common::last_secrets(&w.outbox, "bob@example.com").await;
        w.auth
            .exchange(
                Proof::Link {
                    token: link.expect("link"),
                },
                None,
                "198.51.100.2",
            )
            .await
            .expect("exchange")
            .token
    };
    w.clock.advance(Duration::days(30) + Duration::seconds(31));
    assert_401(&w.auth, "thirty days later", &t5).await;
}
