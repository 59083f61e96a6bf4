//! Sign-in secrets and their keyed hashes. Only HMAC-SHA256(pepper, email ‖ secret) is stored;
//! the link token and the short code exist in plain text only in the email.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Email;
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::Sha256;
use std::fmt;

/// Random bytes in a link token: 256 bits (the product asks for at least 128).
const TOKEN_BYTES: usize = 32;
/// Crockford's base32: no I, L, O or U, so a code read aloud or typed from a phone is unambiguous.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_LEN: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("the pepper is shorter than 32 bytes")]
    ShortPepper,
}

/// The server-side key of every sign-in hash. Never logged, never stored beside the hashes.
#[derive(Clone)]
pub struct Pepper(Vec<u8>);

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(***)")
    }
}

impl Pepper {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let bytes = bytes.into();
        if bytes.len() < 32 {
            return Err(SecretError::ShortPepper);
        }
        Ok(Self(bytes))
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                // A separator no email or secret contains keeps the concatenation unambiguous.
                mac.update(&[0]);
            }
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA256(pepper, normalised email ‖ secret), hex: what the store keeps.
    pub fn secret_hash(&self, email: &Email, secret: &str) -> String {
        hex(&self.mac(&[email.as_str().as_bytes(), secret.as_bytes()]))
    }

    /// Where an email's sign-in record lives: a keyed hash, so the key names nobody.
    pub fn locator(&self, email: &Email) -> String {
        hex(&self.mac(&[b"signin-locator", email.as_str().as_bytes()])[..16])
    }

    /// A rate-limit bucket for some identifying value (an address, an IP): keyed, so the store
    /// holds no addresses for it.
    pub fn bucket(&self, kind: &str, value: &str) -> String {
        format!(
            "{kind}:{}",
            hex(&self.mac(&[b"rate", kind.as_bytes(), value.as_bytes()])[..16])
        )
    }

    /// What the store keeps of a calendar feed token: HMAC-SHA256(pepper, purpose ‖ token), hex.
    pub fn feed_hash(&self, token: &str) -> String {
        hex(&self.mac(&[b"calendar-feed", token.as_bytes()]))
    }

    /// A MAC for other signed values (unsubscribe tokens, cursors), domain-separated by `purpose`.
    pub fn sign(&self, purpose: &str, value: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(&[b"sign", purpose.as_bytes(), value.as_bytes()]))
    }

    /// Constant-time check of a value signed with [`Pepper::sign`].
    pub fn verify(&self, purpose: &str, value: &str, signature: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let expected = self.mac(&[b"sign", purpose.as_bytes(), value.as_bytes()]);
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut buf = [0u8; N];
    OsRng
        .try_fill_bytes(&mut buf)
        .map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(buf)
}

/// A fresh link secret and short code.
pub struct FreshSecrets {
    /// The secret half of the link token (base64url, 43 characters).
    pub link_secret: String,
    /// Eight Crockford base32 characters.
    pub code: String,
}

impl fmt::Debug for FreshSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FreshSecrets(***)")
    }
}

pub fn fresh_secrets() -> Result<FreshSecrets, SecretError> {
    let link_secret = URL_SAFE_NO_PAD.encode(random::<TOKEN_BYTES>()?);
    // 256 is a multiple of 32, so masking to five bits is unbiased.
    let code = random::<CODE_LEN>()?
        .iter()
        .map(|b| char::from(CROCKFORD[usize::from(b & 31)]))
        .collect();
    Ok(FreshSecrets { link_secret, code })
}

/// A fresh calendar feed token: 32 random bytes, base64url (43 characters).
pub fn fresh_feed_token() -> Result<String, SecretError> {
    Ok(URL_SAFE_NO_PAD.encode(random::<TOKEN_BYTES>()?))
}

/// The token a link carries: `<locator>.<secret>`.
pub fn link_token(locator: &str, secret: &str) -> String {
    format!("{locator}.{secret}")
}

/// Splits a link token; `None` if it cannot be one of ours.
pub fn parse_link_token(token: &str) -> Option<(&str, &str)> {
    let (locator, secret) = token.trim().split_once('.')?;
    let locator_ok = locator.len() == 32 && locator.bytes().all(|b| b.is_ascii_hexdigit());
    let secret_ok = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (locator_ok && secret_ok).then_some((locator, secret))
}

/// Normalises a typed code: case-insensitive, spaces and hyphens ignored, and the look-alikes
/// Crockford defines (I and L read as 1, O as 0). `None` if it cannot be a code.
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CROCKFORD.contains(&b))).then_some(code)
}

/// `ABCD-EFGH`, as the email shows it.
pub fn display_code(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pepper() -> Pepper {
        Pepper::new(vec![7u8; 32]).expect("long enough")
    }

    #[test]
    fn secrets_have_the_promised_shape() {
        let s = fresh_secrets().expect("random");
        assert_eq!(s.link_secret.len(), 43);
        assert_eq!(s.code.len(), CODE_LEN);
        assert!(s.code.bytes().all(|b| CROCKFORD.contains(&b)));
        let t = fresh_secrets().expect("random");
        assert_ne!(s.link_secret, t.link_secret);
        let token = link_token(
            &pepper().locator(&Email::parse("a@example.com").expect("valid")),
            &s.link_secret,
        );
        assert!(parse_link_token(&token).is_some());
    }

    #[test]
    fn codes_normalise_as_data() {
        let cases = [
            ("ABCD-EFGH", Some("ABCDEFGH")),
            ("abcd efgh", Some("ABCDEFGH")),
            ("0OIL-1234", Some("00111234")),
            ("OIL12345", Some("01112345")),
            ("ABCDEFG", None),
            ("ABCDEFGHJ", None),
            ("ABCDEFGU", None),
            ("ABCD_EFG", None),
            ("ÄBCDEFGH", None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_code(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn hashes_bind_the_email_and_the_pepper() {
        let a = Email::parse("a@example.com").expect("valid");
        let b = Email::parse("b@example.com").expect("valid");
        let p = pepper();
        assert_ne!(p.secret_hash(&a, "ABCDEFGH"), p.secret_hash(&b, "ABCDEFGH"));
        let other = Pepper::new(vec![8u8; 32]).expect("long");
        assert_ne!(
            p.secret_hash(&a, "ABCDEFGH"),
            other.secret_hash(&a, "ABCDEFGH")
        );
        assert!(!p.secret_hash(&a, "ABCDEFGH").contains("ABCDEFGH"));
        assert_eq!(p.locator(&a).len(), 32);
        assert!(Pepper::new(vec![1u8; 31]).is_err());
        let sig = p.sign("unsubscribe", "jada|crew|a@example.com");
        assert!(p.verify("unsubscribe", "jada|crew|a@example.com", &sig));
        assert!(!p.verify("unsubscribe", "jada|crew|b@example.com", &sig));
        assert!(!p.verify("cursor", "jada|crew|a@example.com", &sig));
        assert!(!p.verify("unsubscribe", "jada|crew|a@example.com", "garbage"));
    }

    #[test]
    fn tokens_parse_strictly() {
        let locator = "0123456789abcdef0123456789abcdef";
        let secret = "A".repeat(43);
        assert!(parse_link_token(&format!("{locator}.{secret}")).is_some());
        assert!(parse_link_token(&format!("{locator}.{}", "A".repeat(42))).is_none());
        assert!(parse_link_token(&format!("{locator}x.{secret}")).is_none());
        assert!(parse_link_token(&secret).is_none());
        assert!(parse_link_token(&format!("{locator}.{}!", "A".repeat(42))).is_none());
    }
}
