//! Notes and photos on checklist tasks: what a crew member adds to a tick (fuel gauge, damage
//! found). Photos go from the phone straight to storage with presigned uploads (S3 in AWS, a
//! local folder locally), a full image and a phone-sized thumbnail each; the tick then names them.
//! This module holds the rules and the storage keys; the [`crate::ports::PhotoStorage`] port signs
//! the URLs.

use crate::error::ValidationErrors;
pub use crate::ids::PhotoId;
use crate::ids::{EventId, OrgId};
use serde::{Deserialize, Serialize};

/// Photos one tick may carry.
pub const MAX_PHOTOS_PER_TASK: usize = 3;
/// A full photo: the app scales to at most 1600 px; 5 MB leaves room for any phone's JPEG of that.
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;
/// A thumbnail: at most 320 px on its long side.
pub const MAX_THUMB_BYTES: u64 = 256 * 1024;
/// A note on a task: a line or two.
pub const MAX_NOTE: usize = 280;

/// The image formats a phone's camera and canvas give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PhotoType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
}

impl PhotoType {
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpg",
            PhotoType::Png => "png",
            PhotoType::Webp => "webp",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" => Ok(PhotoType::Jpeg),
            "image/png" => Ok(PhotoType::Png),
            "image/webp" => Ok(PhotoType::Webp),
            _ => Err(ValidationErrors::single(
                "",
                "unsupported_type",
                "a photo is a JPEG, PNG or WebP image",
            )),
        }
    }
}

/// A photo a tick names: its id and format (the storage key follows from them and the event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoRef {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: PhotoId,
    pub content_type: PhotoType,
}

/// The full image or its thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    Full,
    Thumb,
}

impl PhotoRef {
    /// The storage key: `photos/<org>/<event>/<id>.jpg` (`.thumb.jpg` for the thumbnail). Under
    /// the event's org, so a key made in one org's scope can never name another org's photo.
    pub fn key(&self, org: &OrgId, event: &EventId, size: PhotoSize) -> String {
        let thumb = match size {
            PhotoSize::Full => "",
            PhotoSize::Thumb => ".thumb",
        };
        format!(
            "photos/{org}/{event}/{}{thumb}.{}",
            self.id,
            self.content_type.extension()
        )
    }

    /// The most bytes the object may hold.
    pub fn max_bytes(size: PhotoSize) -> u64 {
        match size {
            PhotoSize::Full => MAX_PHOTO_BYTES,
            PhotoSize::Thumb => MAX_THUMB_BYTES,
        }
    }
}

/// Checks an upload request's sizes against the limits, naming the fields.
pub fn check_sizes(bytes: u64, thumb_bytes: u64) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if bytes == 0 || bytes > MAX_PHOTO_BYTES {
        errors.push(
            "bytes",
            "too_large",
            format!("a photo is 1 byte to {} MB", MAX_PHOTO_BYTES / 1024 / 1024),
        );
    }
    if thumb_bytes == 0 || thumb_bytes > MAX_THUMB_BYTES {
        errors.push(
            "thumb_bytes",
            "too_large",
            format!("a thumbnail is 1 byte to {} KB", MAX_THUMB_BYTES / 1024),
        );
    }
    errors.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_live_under_the_org_and_event() {
        let photo = PhotoRef {
            id: PhotoId::parse("01HZZZZZZZZZZZZZZZZZZZZZZ1").expect("id"),
            content_type: PhotoType::Jpeg,
        };
        let org = OrgId::parse("jada").expect("org");
        let event = EventId::parse("01HZZZZZZZZZZZZZZZZZZZZZZ2").expect("event");
        assert_eq!(
            photo.key(&org, &event, PhotoSize::Full),
            "photos/jada/01HZZZZZZZZZZZZZZZZZZZZZZ2/01HZZZZZZZZZZZZZZZZZZZZZZ1.jpg"
        );
        assert_eq!(
            photo.key(&org, &event, PhotoSize::Thumb),
            "photos/jada/01HZZZZZZZZZZZZZZZZZZZZZZ2/01HZZZZZZZZZZZZZZZZZZZZZZ1.thumb.jpg"
        );
    }

    #[test]
    fn types_and_sizes_as_data() {
        for (raw, ok) in [
            ("image/jpeg", true),
            ("IMAGE/PNG", true),
            ("image/webp", true),
            ("image/gif", false),
            ("text/html", false),
            ("", false),
        ] {
            assert_eq!(PhotoType::parse(raw).is_ok(), ok, "{raw}");
        }
        for (bytes, thumb, ok) in [
            (1, 1, true),
            (MAX_PHOTO_BYTES, MAX_THUMB_BYTES, true),
            (0, 1, false),
            (MAX_PHOTO_BYTES + 1, 1, false),
            (1, MAX_THUMB_BYTES + 1, false),
        ] {
            assert_eq!(check_sizes(bytes, thumb).is_ok(), ok, "{bytes} {thumb}");
        }
    }
}
