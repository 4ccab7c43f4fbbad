//! The platform's content items, read as JSON Lines.
//!
//! One object per post or account:
//!
//! ```json
//! {"id": "post-1", "account": "@someone", "platform": "x",
//!  "urls": ["https://t.me/insider_md"], "text": "…",
//!  "media": [{"pdq": "…", "quality": 90}, {"sha256": "…"}, "d41d8cd98f00b204e9800998ecf8427e"],
//!  "ips": ["192.0.2.7"], "emails": [], "timestamp": "2026-11-28T10:00:00Z", "country": "FR"}
//! ```
//!
//! Only `id` is required. A media entry is an object with any of `pdq`,
//! `quality`, `md5`, `sha1`, `sha256`, or a bare hex string (32 hex digits:
//! MD5, 40: SHA-1, 64: SHA-256 *and* PDQ, since the two look alike).

use std::io::BufRead;

use serde::Deserialize;

/// One post or account of the platform.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContentItem {
    /// The platform's own id (becomes the action's item id).
    pub id: String,
    /// The author: a handle (`@name`) or a profile URL.
    #[serde(default)]
    pub account: Option<String>,
    /// The platform the account lives on (`x`, `telegram`, …).
    #[serde(default)]
    pub platform: Option<String>,
    /// Links in the item.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Its text.
    #[serde(default)]
    pub text: Option<String>,
    /// Attached media, by hash.
    #[serde(default)]
    pub media: Vec<Media>,
    /// IP addresses seen with it.
    #[serde(default)]
    pub ips: Vec<String>,
    /// E-mail addresses seen with it.
    #[serde(default)]
    pub emails: Vec<String>,
    /// When it was posted (kept as given).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The country it was seen in (ISO code, kept as given).
    #[serde(default)]
    pub country: Option<String>,
}

/// One media attachment's hashes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Media {
    /// A bare hex digest.
    Hex(String),
    /// Named hashes.
    Hashes {
        /// PDQ hash, 64 hex digits.
        #[serde(default)]
        pdq: Option<String>,
        /// PDQ quality (0–100), when known.
        #[serde(default)]
        quality: Option<u32>,
        /// MD5 digest.
        #[serde(default)]
        md5: Option<String>,
        /// SHA-1 digest.
        #[serde(default)]
        sha1: Option<String>,
        /// SHA-256 digest.
        #[serde(default)]
        sha256: Option<String>,
    },
}

impl Media {
    /// Cryptographic digests to look up exactly.
    pub fn digests(&self) -> Vec<&str> {
        match self {
            Media::Hex(hex) => vec![hex.as_str()],
            Media::Hashes {
                md5, sha1, sha256, ..
            } => [md5, sha1, sha256]
                .into_iter()
                .filter_map(|d| d.as_deref())
                .collect(),
        }
    }

    /// The PDQ hash, if any (a bare 64-digit hex string is tried as PDQ too).
    pub fn pdq(&self) -> Option<&str> {
        match self {
            Media::Hex(hex) if hex.trim().len() == 64 => Some(hex.trim()),
            Media::Hex(_) => None,
            Media::Hashes { pdq, .. } => pdq.as_deref(),
        }
    }

    /// The PDQ quality, when given.
    pub fn quality(&self) -> Option<u32> {
        match self {
            Media::Hashes { quality, .. } => *quality,
            Media::Hex(_) => None,
        }
    }
}

impl ContentItem {
    /// The author as a `platform:handle` key or profile URL that
    /// [`crosswatch_matching::canon::canonical_account`] understands.
    pub fn account_key(&self) -> Option<String> {
        let account = self.account.as_deref()?.trim();
        if account.is_empty() {
            return None;
        }
        if account.contains('/') {
            return Some(account.to_string());
        }
        let platform = self.platform.as_deref()?.trim();
        if platform.is_empty() {
            return None;
        }
        Some(format!("{platform}:{account}"))
    }
}

/// A line that is not a valid item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads items one line at a time, calling `on_item` for each valid item and
/// `on_malformed` for each bad line; blank lines are skipped. Only a read
/// error of the input itself stops the run.
pub fn read_items(
    input: impl BufRead,
    mut on_item: impl FnMut(usize, ContentItem),
    mut on_malformed: impl FnMut(MalformedLine),
) -> std::io::Result<()> {
    for (index, line) in input.split(b'\n').enumerate() {
        let line_number = index + 1;
        let bytes = line?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text.trim(),
            Err(e) => {
                on_malformed(MalformedLine {
                    line: line_number,
                    message: format!("not UTF-8: {e}"),
                });
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<ContentItem>(text) {
            Ok(item) if item.id.trim().is_empty() => on_malformed(MalformedLine {
                line: line_number,
                message: "`id` is empty".into(),
            }),
            Ok(item) => on_item(line_number, item),
            Err(e) => on_malformed(MalformedLine {
                line: line_number,
                message: format!("not a content item ({e}); expected an object with an `id`"),
            }),
        }
    }
    Ok(())
}
