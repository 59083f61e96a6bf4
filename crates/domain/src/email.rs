//! A person is an email address. `Email` holds one normalised address, or nothing.

use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// A normalised email address: trimmed, NFKC-folded (so a fullwidth `＠` becomes `@`), lower-cased,
/// ASCII, one `@`, a conservative local part (`a-z 0-9 . _ % + - '`) and a dotted DNS domain.
/// The apostrophe is RFC 5321 atext and common in names (`o'brien@…`); a typographic apostrophe
/// (`’`, what a phone's smart punctuation types) is read as `'`. Control characters (CR/LF among
/// them), zero-width and other format characters, double quotes, backticks and anything longer
/// than 254 characters are refused rather than cleaned, because an address that needed them is not
/// one we should mail. Every place an address lands escapes it for that place: HTML (`&#39;`),
/// MIME headers (atext needs no quoting), JSON (serde), DynamoDB keys (any UTF-8).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let invalid = |why: &str| ValidationErrors::single("", "invalid_email", why);
        // Surrounding white space (a pasted newline included) is trimmed; anything inside is judged.
        let trimmed = raw.trim();
        if trimmed.chars().any(is_forbidden_char) {
            return Err(invalid(
                "an email address may not contain control, zero-width, double quote or backtick characters",
            ));
        }
        let folded: String = trimmed
            .nfkc()
            .map(|c| {
                if matches!(c, '\u{2018}' | '\u{2019}') {
                    '\''
                } else {
                    c
                }
            })
            .collect::<String>()
            .to_lowercase();
        // NFKC can produce new characters (e.g. a fullwidth quote becomes a quote): check again.
        if folded.chars().any(is_forbidden_char) {
            return Err(invalid(
                "an email address may not contain control, zero-width, double quote or backtick characters",
            ));
        }
        if folded.is_empty() {
            return Err(ValidationErrors::single(
                "",
                "required",
                "an email address is required",
            ));
        }
        if folded.len() > MAX_EMAIL_LEN {
            return Err(invalid("an email address is at most 254 characters"));
        }
        if !folded.is_ascii() {
            return Err(invalid("an email address must be plain ASCII"));
        }
        let mut parts = folded.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid("an email address has exactly one '@'"));
        };
        if local.is_empty()
            || local.len() > MAX_LOCAL_LEN
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || !local.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
            })
        {
            return Err(invalid("the part before '@' is not a usable mailbox name"));
        }
        if !valid_domain(domain) {
            return Err(invalid("the part after '@' is not a domain name"));
        }
        Ok(Self(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, for display and metrics that must not hold the whole address.
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }
}

fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '"' | '`' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        )
        || ('\u{200B}'..='\u{200F}').contains(&c)
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{206F}').contains(&c)
        || c == '\u{FEFF}'
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug never prints the address: emails must not reach logs, and `{:?}` is how they usually do.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email(***@{})", self.domain())
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationErrors;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs and what they must become (`None`: refused).
    const CASES: &[(&str, Option<&str>)] = &[
        ("ann@example.com", Some("ann@example.com")),
        (
            "  Ann.Lee+crew@Example.COM \t",
            Some("ann.lee+crew@example.com"),
        ),
        ("ann\u{FF20}example.com", Some("ann@example.com")),
        ("\u{FF41}nn@example.com", Some("ann@example.com")),
        (
            "ann@sub-domain.example.co",
            Some("ann@sub-domain.example.co"),
        ),
        ("ann@example.com\r\nBcc: eve@evil.com", None),
        ("ann@example.com\n", Some("ann@example.com")),
        ("ann\n@example.com", None),
        ("a\u{200B}nn@example.com", None),
        ("ann@exa\u{200D}mple.com", None),
        ("\u{FEFF}ann@example.com", None),
        ("\"ann\"@example.com", None),
        ("\"ann@x\"@example.com", None),
        ("o'brien@example.com", Some("o'brien@example.com")),
        ("D'Angelo@Example.com", Some("d'angelo@example.com")),
        ("o\u{2019}brien@example.com", Some("o'brien@example.com")),
        ("o\u{FF07}brien@example.com", Some("o'brien@example.com")),
        ("'obrien@example.com", Some("'obrien@example.com")),
        ("o'brien@exam'ple.com", None),
        ("`ann`@example.com", None),
        ("ann\u{FF40}@example.com", None),
        ("o\u{2019}\u{200B}brien@example.com", None),
        ("ann@@example.com", None),
        ("ann@b@example.com", None),
        ("ann", None),
        ("@example.com", None),
        ("ann@", None),
        ("ann@localhost", None),
        ("ann@example.c", None),
        ("ann@example.123", None),
        ("ann@-example.com", None),
        (".ann@example.com", None),
        ("an..n@example.com", None),
        ("ann@exam_ple.com", None),
        ("ann@ex ample.com", None),
        ("ånn@example.com", None),
        ("ann@例え.jp", None),
        ("", None),
        ("   ", None),
        ("ann\u{0000}@example.com", None),
        ("ann\u{202E}@example.com", None),
        ("ann\u{FF02}@example.com", None),
    ];

    #[test]
    fn email_normalisation_as_data() {
        for (raw, expected) in CASES {
            let got = Email::parse(raw).ok().map(|e| e.as_str().to_string());
            assert_eq!(got.as_deref(), *expected, "input {raw:?}");
        }
    }

    #[test]
    fn length_limits() {
        let local = "a".repeat(64);
        let ok = format!("{local}@example.com");
        assert!(Email::parse(&ok).is_ok());
        let too_long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&too_long_local).is_err());
        let long_domain = format!("a@{}.com", vec!["b".repeat(60); 5].join("."));
        assert!(long_domain.len() > MAX_EMAIL_LEN);
        assert!(Email::parse(&long_domain).is_err());
    }

    #[test]
    fn debug_hides_the_address() {
        let email = Email::parse("ann@example.com").expect("valid");
        let shown = format!("{email:?}");
        assert!(!shown.contains("ann"), "{shown}");
        assert!(shown.contains("example.com"));
    }

    #[test]
    fn same_person_whatever_the_spelling() {
        let a = Email::parse("ANN@EXAMPLE.COM").expect("valid");
        let b = Email::parse("ann\u{FF20}example.com").expect("valid");
        assert_eq!(a, b);
    }
}
