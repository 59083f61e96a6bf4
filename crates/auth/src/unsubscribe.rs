//! One-click unsubscribe tokens (RFC 8058): which audience, perspective and address, signed with
//! the pepper so nobody can unsubscribe someone else.

use crate::secrets::Pepper;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Email;
use domain::org::Perspective;
use domain::ports::ReportAudience;

const PURPOSE: &str = "unsubscribe";

/// `<payload>.<signature>`, both base64url; the payload is `audience|perspective|email`.
pub fn token(
    pepper: &Pepper,
    audience: &ReportAudience,
    perspective: Perspective,
    email: &Email,
) -> String {
    let payload = format!("{}|{}|{}", audience.as_str(), perspective.as_str(), email);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        pepper.sign(PURPOSE, &payload)
    )
}

/// The token's contents if it is one of ours, unaltered.
pub fn verify(pepper: &Pepper, token: &str) -> Option<(ReportAudience, Perspective, Email)> {
    let (encoded, signature) = token.trim().split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    if !pepper.verify(PURPOSE, &payload, signature) {
        return None;
    }
    let mut parts = payload.splitn(3, '|');
    let audience = ReportAudience::parse(parts.next()?)?;
    let perspective = Perspective::parse(parts.next()?)?;
    let email = Email::parse(parts.next()?).ok()?;
    Some((audience, perspective, email))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_resist_tampering() {
        let pepper = Pepper::new(vec![3u8; 32]).expect("pepper");
        let ann = Email::parse("ann@example.com").expect("valid");
        let jada = ReportAudience::parse("jada").expect("org");
        let t = token(&pepper, &jada, Perspective::Safety, &ann);
        assert_eq!(
            verify(&pepper, &t),
            Some((jada.clone(), Perspective::Safety, ann.clone()))
        );
        let portfolio = token(
            &pepper,
            &ReportAudience::Portfolio,
            Perspective::ExecutiveSummary,
            &ann,
        );
        assert_eq!(
            verify(&pepper, &portfolio).map(|v| v.0),
            Some(ReportAudience::Portfolio)
        );
        // Another address under the same signature fails.
        let (_, sig) = t.split_once('.').expect("dot");
        let forged = format!(
            "{}.{sig}",
            URL_SAFE_NO_PAD.encode("jada|safety|eve@example.com")
        );
        assert_eq!(verify(&pepper, &forged), None);
        let other = Pepper::new(vec![4u8; 32]).expect("pepper");
        assert_eq!(verify(&other, &t), None);
        for junk in ["", ".", "abc", "abc.def", "!!!.???"] {
            assert_eq!(verify(&pepper, junk), None);
        }
    }
}
