//! Email rendering and the local outbox.
//!
//! - [`to_mime`]: one `OutgoingEmail` as an RFC 5322 message with text and HTML alternatives and
//!   its extra headers (the SES adapter sends exactly these bytes).
//! - [`layout`] and [`escape`]: the phone-friendly HTML frame every email uses.
//! - [`Outbox`]: the `Mailer` for `make dev` and tests; writes each message to a folder, where the
//!   local server's `/dev/outbox` page lists it.
//!
//! Invariant: no I/O but the outbox folder; nothing logged from a message body.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{MailError, Mailer, OutgoingEmail};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Wraps a body fragment (already escaped HTML) in the layout every email shares: one column,
/// at most 600 px, system fonts, inline styles only (mail clients drop `<style>` and classes).
pub fn layout(title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title></head>\
<body style=\"margin:0;padding:0;background:#f2f4f7;\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f2f4f7;\"><tr><td align=\"center\" style=\"padding:16px 8px;\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:600px;background:#ffffff;border-radius:8px;\">\
<tr><td style=\"padding:20px 20px 8px 20px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#0b1a2b;\">\
<p style=\"margin:0 0 4px 0;font-size:13px;color:#46566b;letter-spacing:.04em;text-transform:uppercase;\">Ship Captain Crew</p>\
<h1 style=\"margin:0 0 12px 0;font-size:22px;line-height:1.25;\">{title}</h1></td></tr>\
<tr><td style=\"padding:0 20px 20px 20px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#0b1a2b;\">{body_html}</td></tr>\
</table></td></tr></table></body></html>",
        title = escape(title),
    )
}

/// A prominent link, as a button that survives mail clients.
pub fn button(href: &str, label: &str) -> String {
    format!(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:16px 0;\"><tr>\
<td style=\"background:#0b4f8a;border-radius:6px;\"><a href=\"{href}\" style=\"display:inline-block;padding:14px 22px;\
color:#ffffff;font-weight:bold;text-decoration:none;font-size:17px;\">{label}</a></td></tr></table>",
        href = escape(href),
        label = escape(label),
    )
}

/// Renders the message as MIME: `multipart/alternative` with the text part first (clients show
/// the last part they understand), plus the message's extra headers.
pub fn to_mime(email: &OutgoingEmail, from: &str) -> Result<Vec<u8>, MailError> {
    let mut builder = MessageBuilder::new()
        .from(("Ship Captain Crew", from))
        .to(email.to.as_str())
        .subject(email.subject.as_str())
        .text_body(email.text.as_str())
        .html_body(email.html.as_str());
    for (name, value) in &email.headers {
        if name.contains([':', '\r', '\n']) || value.contains(['\r', '\n']) {
            return Err(MailError::Rejected(format!("header {name} is malformed")));
        }
        builder = builder.header(name.as_str(), Raw::new(value.as_str()));
    }
    builder
        .write_to_vec()
        .map_err(|e| MailError::Rejected(format!("cannot render the message: {e}")))
}

/// One message in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub category: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
}

/// The local `Mailer`: each message becomes `<id>.json` (and its MIME rendering `<id>.eml`) in a
/// folder. Nothing leaves the machine.
#[derive(Debug, Clone)]
pub struct Outbox {
    folder: PathBuf,
    from: String,
}

impl Outbox {
    pub fn new(folder: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self {
            folder: folder.into(),
            from: from.into(),
        }
    }

    pub fn folder(&self) -> &std::path::Path {
        &self.folder
    }

    /// Every message, newest first.
    pub async fn list(&self) -> std::io::Result<Vec<OutboxEntry>> {
        let mut entries = Vec::new();
        let mut dir = match tokio::fs::read_dir(&self.folder).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(entries),
            Err(e) => return Err(e),
        };
        while let Some(file) = dir.next_entry().await? {
            let path = file.path();
            if path.extension().is_some_and(|x| x == "json") {
                let bytes = tokio::fs::read(&path).await?;
                if let Ok(entry) = serde_json::from_slice::<OutboxEntry>(&bytes) {
                    entries.push(entry);
                }
            }
        }
        entries.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(entries)
    }

    /// One message by id (ids are ULIDs; anything else is refused before touching the disk).
    pub async fn get(&self, id: &str) -> std::io::Result<Option<OutboxEntry>> {
        if ulid::Ulid::from_string(id).is_err() {
            return Ok(None);
        }
        match tokio::fs::read(self.folder.join(format!("{id}.json"))).await {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let id = ulid::Ulid::new().to_string();
        let mime = to_mime(email, &self.from)?;
        let entry = OutboxEntry {
            id: id.clone(),
            at: Utc::now(),
            to: email.to.to_string(),
            subject: email.subject.clone(),
            category: email.category.to_string(),
            text: email.text.clone(),
            html: email.html.clone(),
            headers: email.headers.clone(),
        };
        let json =
            serde_json::to_vec_pretty(&entry).map_err(|e| MailError::Rejected(e.to_string()))?;
        let io = |e: std::io::Error| MailError::Unavailable(format!("outbox: {e}"));
        tokio::fs::create_dir_all(&self.folder).await.map_err(io)?;
        tokio::fs::write(self.folder.join(format!("{id}.eml")), mime)
            .await
            .map_err(io)?;
        // The JSON last: a listed message always has its .eml beside it.
        let tmp = self.folder.join(format!("{id}.json.tmp"));
        tokio::fs::write(&tmp, json).await.map_err(io)?;
        tokio::fs::rename(&tmp, self.folder.join(format!("{id}.json")))
            .await
            .map_err(io)?;
        Ok(id)
    }
}

/// The float plan as a phone-readable HTML email body: the form's sections as headed tables of
/// label and value, an update marked as such at the top, and a link to the printable page.
pub fn float_plan_html(plan: &domain::float_plan::FloatPlan, link: &str) -> String {
    let mut body = String::new();
    if plan.update {
        body.push_str(
            "<p style=\"margin:0 0 12px 0;padding:10px 12px;background:#fff4d6;border-left:4px solid #b7791f;\">\
<strong>Update.</strong> This replaces the float plan sent before: the return time or the persons on board changed.</p>",
        );
    }
    body.push_str(&float_plan_sections(plan));
    body.push_str(&button(link, "Open the float plan"));
    layout(&plan.title, &body)
}

/// The float plan's sections as HTML (headed tables of label and value), for a body of its own or
/// inside another message (the overdue alert).
pub fn float_plan_sections(plan: &domain::float_plan::FloatPlan) -> String {
    let mut body = String::new();
    for section in &plan.sections {
        body.push_str(&format!(
            "<h2 style=\"margin:16px 0 6px 0;font-size:17px;\">{}</h2>\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;\">",
            escape(&section.title)
        ));
        for line in &section.lines {
            body.push_str(&format!(
                "<tr><th scope=\"row\" align=\"left\" style=\"padding:4px 8px 4px 0;vertical-align:top;font-weight:600;width:40%;color:#46566b;\">{}</th>\
<td style=\"padding:4px 0;vertical-align:top;\">{}</td></tr>",
                escape(&line.label),
                escape(&line.value)
            ));
        }
        body.push_str("</table>");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Email;

    fn message() -> OutgoingEmail {
        OutgoingEmail {
            to: Email::parse("ann@example.com").expect("valid"),
            subject: "Weekly report: 12 events".into(),
            html: layout("Hello <crew>", "<p>Body</p>"),
            text: "Body".into(),
            headers: vec![
                (
                    "List-Unsubscribe".into(),
                    "<https://app.example.com/u?t=x>".into(),
                ),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
            category: "report",
        }
    }

    #[test]
    fn mime_has_both_parts_and_the_headers() {
        let mime = String::from_utf8(to_mime(&message(), "crew@example.com").expect("mime"))
            .expect("utf8");
        assert!(mime.contains("multipart/alternative"));
        assert!(mime.contains("text/plain"));
        assert!(mime.contains("text/html"));
        assert!(mime.contains("List-Unsubscribe: <https://app.example.com/u?t=x>"));
        assert!(mime.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(mime.contains("Hello &lt;crew&gt;"));
    }

    #[test]
    fn header_injection_is_refused() {
        let mut m = message();
        m.headers
            .push(("X-Evil".into(), "a\r\nBcc: eve@example.com".into()));
        assert!(to_mime(&m, "crew@example.com").is_err());
    }

    #[tokio::test]
    async fn the_outbox_keeps_what_it_sends() {
        let folder = std::env::temp_dir().join(format!("outbox-{}", ulid::Ulid::new()));
        let outbox = Outbox::new(&folder, "crew@example.com");
        let id = outbox.send(&message()).await.expect("send");
        let listed = outbox.list().await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, id);
        assert_eq!(listed[0].subject, "Weekly report: 12 events");
        assert_eq!(
            outbox.get(&id).await.expect("get").map(|e| e.to),
            Some("ann@example.com".into())
        );
        assert_eq!(outbox.get("../../etc/passwd").await.expect("refused"), None);
        assert!(folder.join(format!("{id}.eml")).exists());
        let _ = std::fs::remove_dir_all(folder);
    }
}
