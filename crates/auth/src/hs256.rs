//! The only JWT algorithm this product signs or accepts, HS256, as jsonwebtoken's crypto provider.
//!
//! jsonwebtoken's bundled RustCrypto provider links RSA, P-256, P-384 and Ed25519 to support every
//! algorithm, and every Lambda carried that code for tokens it never sees. This provider answers
//! HS256 with the `hmac`/`sha2` crates the AWS SDK links anyway and refuses every other
//! algorithm, so a token claiming another one fails verification (it is refused earlier too, by
//! [`crate::TokenService::verify`]'s header check).
//!
//! Invariant: [`install`] runs before jsonwebtoken signs or verifies anything in the process;
//! [`crate::TokenService::new`] calls it, and it is idempotent.

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HS256 only; key utilities (JWK thumbprints, RSA/EC components) are not offered.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory,
    verifier_factory,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes [`PROVIDER`] jsonwebtoken's provider for this process. A second call (or a provider
/// installed earlier by the same process) is not an error: the first one installed stays.
pub fn install() {
    let _ = PROVIDER.install_default();
}

struct Hs256(HmacSha256);

fn keyed(secret: &[u8]) -> Result<Hs256> {
    HmacSha256::new_from_slice(secret)
        .map(Hs256)
        .map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

fn signer_factory(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if *alg != Algorithm::HS256 || key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(keyed(key.as_bytes())?))
}

fn verifier_factory(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *alg != Algorithm::HS256 || key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(keyed(key.try_get_as_bytes()?)?))
}

impl signature::Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl signature::Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, msg: &[u8], tag: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        // `verify_slice` compares in constant time.
        mac.verify_slice(tag).map_err(|_| signature::Error::new())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// RFC 7515, appendix A.1: the HS256 example JWS, its key (a JWK `k`) and its signature.
    const RFC7515_KEY: &str =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    const RFC7515_SIGNING_INPUT: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const RFC7515_SIGNATURE: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn signs_the_rfc_7515_example_to_its_published_signature() {
        install();
        let key = URL_SAFE_NO_PAD.decode(RFC7515_KEY).expect("key");
        let sig = jsonwebtoken::crypto::sign(
            RFC7515_SIGNING_INPUT.as_bytes(),
            &EncodingKey::from_secret(&key),
            Algorithm::HS256,
        )
        .expect("sign");
        assert_eq!(sig, RFC7515_SIGNATURE);
        let ok = jsonwebtoken::crypto::verify(
            RFC7515_SIGNATURE,
            RFC7515_SIGNING_INPUT.as_bytes(),
            &DecodingKey::from_secret(&key),
            Algorithm::HS256,
        )
        .expect("verify");
        assert!(ok);
    }

    #[test]
    fn a_changed_byte_or_another_key_does_not_verify() {
        install();
        let key = URL_SAFE_NO_PAD.decode(RFC7515_KEY).expect("key");
        let mut input = RFC7515_SIGNING_INPUT.as_bytes().to_vec();
        input[10] ^= 1;
        let changed = jsonwebtoken::crypto::verify(
            RFC7515_SIGNATURE,
            &input,
            &DecodingKey::from_secret(&key),
            Algorithm::HS256,
        )
        .expect("verify runs");
        assert!(!changed);
        let other = jsonwebtoken::crypto::verify(
            RFC7515_SIGNATURE,
            RFC7515_SIGNING_INPUT.as_bytes(),
            &DecodingKey::from_secret(b"another key, another signature"),
            Algorithm::HS256,
        )
        .expect("verify runs");
        assert!(!other);
    }

    #[test]
    fn every_other_algorithm_is_refused() {
        install();
        for alg in [
            Algorithm::HS384,
            Algorithm::HS512,
            Algorithm::RS256,
            Algorithm::ES256,
        ] {
            let err = jsonwebtoken::crypto::sign(b"x", &EncodingKey::from_secret(b"k"), alg)
                .expect_err("only HS256 is signed");
            assert!(
                matches!(err.kind(), ErrorKind::InvalidAlgorithm),
                "{alg:?}: {err:?}"
            );
            let err =
                jsonwebtoken::crypto::verify("AA", b"x", &DecodingKey::from_secret(b"k"), alg)
                    .expect_err("only HS256 is verified");
            assert!(
                matches!(err.kind(), ErrorKind::InvalidAlgorithm),
                "{alg:?}: {err:?}"
            );
        }
    }
}
