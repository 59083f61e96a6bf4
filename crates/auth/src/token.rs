//! Session tokens: HS256 JWTs with a `kid`, signed with the current key and verified with the
//! current or the previous one, so keys can rotate without signing everyone out.

use chrono::{DateTime, Duration, Utc};
use domain::{Email, OrgId, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The `aud` of every session token: this product's API.
pub const AUDIENCE: &str = "shipcaptaincrew";
/// How long a session token lives.
pub const TOKEN_TTL: Duration = Duration::days(30);
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: i64 = 30;
/// The shortest signing secret accepted (bytes).
pub const MIN_KEY_LEN: usize = 32;

/// One signing key and its id.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    secret: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, ***)", self.kid)
    }
}

impl SigningKey {
    pub fn new(kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let kid = kid.into();
        let secret = secret.into();
        if kid.is_empty() || kid.len() > 64 {
            return Err(KeyError::Invalid("a key id is 1 to 64 characters".into()));
        }
        if secret.len() < MIN_KEY_LEN {
            return Err(KeyError::Invalid(format!(
                "signing key {kid} is shorter than {MIN_KEY_LEN} bytes"
            )));
        }
        Ok(Self { kid, secret })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("invalid signing keys: {0}")]
    Invalid(String),
}

/// The current key (signs and verifies) and optionally the previous one (verifies only).
#[derive(Clone, Debug)]
pub struct KeyRing {
    pub current: SigningKey,
    pub previous: Option<SigningKey>,
}

/// The secret's JSON form, as Secrets Manager holds it:
/// `{"current_kid":"k2","current":"…","previous_kid":"k1","previous":"…"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRingJson {
    current_kid: String,
    current: String,
    previous_kid: Option<String>,
    previous: Option<String>,
}

impl KeyRing {
    pub fn from_json(raw: &str) -> Result<Self, KeyError> {
        let parsed: KeyRingJson = serde_json::from_str(raw)
            .map_err(|e| KeyError::Invalid(format!("not the expected JSON: {e}")))?;
        let current = SigningKey::new(parsed.current_kid, parsed.current.into_bytes())?;
        let previous = match (parsed.previous_kid, parsed.previous) {
            (Some(kid), Some(secret)) => Some(SigningKey::new(kid, secret.into_bytes())?),
            (None, None) => None,
            _ => {
                return Err(KeyError::Invalid(
                    "previous_kid and previous come together".into(),
                ));
            }
        };
        if previous.as_ref().is_some_and(|p| p.kid == current.kid) {
            return Err(KeyError::Invalid("previous and current share a kid".into()));
        }
        Ok(Self { current, previous })
    }

    fn find(&self, kid: &str) -> Option<&SigningKey> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|k| k.kid == kid)
    }
}

/// The claims of a session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The person: their email address (the product's identity).
    pub sub: String,
    pub iat: i64,
    /// When it was issued, in milliseconds (`iat` is whole seconds): revocation stamps compare at
    /// this precision, so a sign-in a moment after a logout-everywhere is not refused with the
    /// tokens it revoked. Absent from tokens issued before it existed (then `iat` counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub org_id: String,
    pub role: Role,
    pub email: String,
}

impl Claims {
    /// When the token was issued, as precisely as it says: `iat_ms` when present and consistent
    /// with `iat`, else `iat`'s second.
    pub fn issued_at(&self) -> Option<DateTime<Utc>> {
        match self.iat_ms {
            Some(ms) if ms.div_euclid(1000) == self.iat => DateTime::from_timestamp_millis(ms),
            Some(_) => None,
            None => DateTime::from_timestamp(self.iat, 0),
        }
    }
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub claims: Claims,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Every verification failure is this one error: callers answer one 401 for all of them.
    #[error("invalid token")]
    Invalid,
    #[error("cannot sign a token: {0}")]
    Signing(String),
}

/// Issues and verifies session tokens for one deployment (`iss`, `aud`).
#[derive(Clone, Debug)]
pub struct TokenService {
    keys: KeyRing,
    issuer: String,
    audience: String,
}

impl TokenService {
    /// Also installs [`crate::hs256::PROVIDER`] as jsonwebtoken's crypto provider.
    pub fn new(keys: KeyRing, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        crate::hs256::install();
        Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    pub fn issue(
        &self,
        email: &Email,
        org: &OrgId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, TokenError> {
        let expires_at = now + TOKEN_TTL;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: email.to_string(),
            iat: now.timestamp(),
            iat_ms: Some(now.timestamp_millis()),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: ulid::Ulid::new().to_string(),
            org_id: org.to_string(),
            role,
            email: email.to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.keys.current.kid.clone());
        let token = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(&self.keys.current.secret),
        )
        .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedToken {
            token,
            claims,
            expires_at,
        })
    }

    /// Verifies signature (HS256 only, key chosen by `kid`), issuer, audience, the presence and
    /// types of every claim, and `nbf`/`exp` against `now` with [`LEEWAY_SECS`].
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.find(kid))
            .ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        // Time is checked below against the injected clock, so tests and the library agree.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&key.secret),
            &validation,
        )
        .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        let t = now.timestamp();
        if claims.exp <= t - LEEWAY_SECS || claims.nbf > t + LEEWAY_SECS {
            return Err(TokenError::Invalid);
        }
        if claims.sub != claims.email {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }
}
