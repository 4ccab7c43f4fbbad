//! Observable signals: what another service can look for on its own side.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::platform::{AccountRef, AssetKind, Platform, parse_account};
use crate::refang::refang;
use crate::taxonomy::TechniqueRef;

/// The type of an indicator, as named in `crosswatch inspect --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorKind {
    /// A registrable domain or host name.
    Domain,
    /// A full URL.
    Url,
    /// An IP address or CIDR block.
    Ip,
    /// An account, page, group or channel on a social-media platform.
    SocialAccount,
    /// An email address.
    Email,
    /// A file or media hash (PDQ, MD5, SHA-1, SHA-256).
    Hash,
    /// A text snippet the operation posted.
    Text,
    /// A named fictitious outlet or brand.
    Outlet,
    /// Advertising spend, as disclosed.
    AdSpend,
    /// Follower counts, as disclosed.
    Followers,
}

impl IndicatorKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Domain => "domain",
            IndicatorKind::Url => "url",
            IndicatorKind::Ip => "ip",
            IndicatorKind::SocialAccount => "social-account",
            IndicatorKind::Email => "email",
            IndicatorKind::Hash => "hash",
            IndicatorKind::Text => "text",
            IndicatorKind::Outlet => "outlet",
            IndicatorKind::AdSpend => "ad-spend",
            IndicatorKind::Followers => "followers",
        }
    }

    /// Whether the value is a live network address that reports must defang.
    pub fn is_live_link(self) -> bool {
        matches!(
            self,
            IndicatorKind::Domain
                | IndicatorKind::Url
                | IndicatorKind::SocialAccount
                | IndicatorKind::Email
        )
    }

    /// Whether a service can match this kind against its own content.
    pub fn is_matchable(self) -> bool {
        !matches!(self, IndicatorKind::AdSpend | IndicatorKind::Followers)
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hash algorithm for [`IndicatorKind::Hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    /// Meta's 256-bit perceptual image hash.
    Pdq,
    Md5,
    Sha1,
    Sha256,
}

impl HashAlgorithm {
    /// The STIX hash-algorithm-ov name (`MD5`, `SHA-256`) or our custom name.
    pub fn stix_name(self) -> &'static str {
        match self {
            HashAlgorithm::Pdq => "PDQ",
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
        }
    }

    /// Hex digits a value of this algorithm has.
    pub fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 32,
            HashAlgorithm::Sha1 => 40,
            HashAlgorithm::Pdq | HashAlgorithm::Sha256 => 64,
        }
    }

    /// Parses `md5`, `SHA-256`, `sha256`, `pdq`.
    pub fn parse(name: &str) -> Option<HashAlgorithm> {
        match name
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "pdq" => Some(HashAlgorithm::Pdq),
            "md5" => Some(HashAlgorithm::Md5),
            "sha1" => Some(HashAlgorithm::Sha1),
            "sha256" => Some(HashAlgorithm::Sha256),
            _ => None,
        }
    }
}

/// One observable signal with its context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// What kind of signal it is.
    #[serde(rename = "type")]
    pub kind: IndicatorKind,
    /// The live (refanged), normalised value: `newwayforward.us`,
    /// `https://t.me/insider_md`, `10.0.0.0/8`. For social accounts, the
    /// canonical profile URL.
    pub value: String,
    /// For social accounts: the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// For social accounts: the normalised handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// For social accounts: account, page, group or channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_kind: Option<AssetKind>,
    /// For hashes: the algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_algorithm: Option<HashAlgorithm>,
    /// For ad spend and follower counts: the number disclosed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    /// For ad spend: the currency, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Context from the source: a comment or the indicator row's notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The techniques under which the source listed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<TechniqueRef>,
}

impl Indicator {
    fn bare(kind: IndicatorKind, value: String) -> Indicator {
        Indicator {
            kind,
            value,
            platform: None,
            handle: None,
            account_kind: None,
            hash_algorithm: None,
            quantity: None,
            currency: None,
            note: None,
            techniques: Vec::new(),
        }
    }

    /// A domain indicator; refangs, lower-cases and converts IDNs to ASCII.
    pub fn domain(raw: &str) -> Result<Indicator, ModelError> {
        Ok(Indicator::bare(
            IndicatorKind::Domain,
            normalise_domain(raw)?,
        ))
    }

    /// A URL indicator; refangs and adds `https://` when the scheme is missing.
    /// A URL that names a social-media account becomes a social-account indicator.
    pub fn url(raw: &str) -> Result<Indicator, ModelError> {
        let live = refang(raw);
        if let Some(account) = parse_account(&live) {
            return Ok(Indicator::account(account));
        }
        Ok(Indicator::bare(IndicatorKind::Url, normalise_url(&live)?))
    }

    /// An IP address or CIDR block.
    pub fn ip(raw: &str) -> Result<Indicator, ModelError> {
        Ok(Indicator::bare(IndicatorKind::Ip, normalise_ip(raw)?))
    }

    /// A social-media account.
    pub fn account(account: AccountRef) -> Indicator {
        let mut indicator = Indicator::bare(IndicatorKind::SocialAccount, account.url());
        indicator.platform = Some(account.platform);
        indicator.handle = Some(account.handle);
        indicator.account_kind = Some(account.kind);
        indicator
    }

    /// An email address.
    pub fn email(raw: &str) -> Result<Indicator, ModelError> {
        let live = refang(raw).to_lowercase();
        let (local, domain) = live
            .rsplit_once('@')
            .ok_or_else(|| ModelError::Invalid(format!("`{raw}` is not an email address")))?;
        if local.is_empty() || local.contains(char::is_whitespace) {
            return Err(ModelError::Invalid(format!(
                "`{raw}` is not an email address"
            )));
        }
        let domain = normalise_domain(domain)?;
        Ok(Indicator::bare(
            IndicatorKind::Email,
            format!("{local}@{domain}"),
        ))
    }

    /// A hash of the given algorithm, as lower-case hex.
    pub fn hash(algorithm: HashAlgorithm, hex: &str) -> Result<Indicator, ModelError> {
        let value = hex.trim().to_ascii_lowercase();
        if value.len() != algorithm.hex_len() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ModelError::Invalid(format!(
                "`{hex}` is not a {} hash ({} hex digits expected)",
                algorithm.stix_name(),
                algorithm.hex_len()
            )));
        }
        let mut indicator = Indicator::bare(IndicatorKind::Hash, value);
        indicator.hash_algorithm = Some(algorithm);
        Ok(indicator)
    }

    /// A text snippet.
    pub fn text(text: &str) -> Result<Indicator, ModelError> {
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ModelError::Invalid("text indicator is empty".into()));
        }
        Ok(Indicator::bare(IndicatorKind::Text, collapsed))
    }

    /// A named fictitious outlet or brand.
    pub fn outlet(name: &str) -> Result<Indicator, ModelError> {
        let collapsed = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ModelError::Invalid("outlet name is empty".into()));
        }
        Ok(Indicator::bare(IndicatorKind::Outlet, collapsed))
    }

    /// A disclosed quantity (ad spend, follower count) kept with its wording.
    pub fn quantity(kind: IndicatorKind, wording: &str, quantity: Option<u64>) -> Indicator {
        let mut indicator = Indicator::bare(
            kind,
            wording.split_whitespace().collect::<Vec<_>>().join(" "),
        );
        indicator.quantity = quantity;
        indicator
    }

    /// Classifies a raw observable by its shape: a social-media URL, an IP or
    /// CIDR, an email, a hash (32/40 hex digits; 64 taken as SHA-256), a URL
    /// (anything with a scheme or a path), or else a domain.
    pub fn from_observable(raw: &str) -> Result<Indicator, ModelError> {
        let live = refang(raw);
        let live = live.trim();
        if live.is_empty() {
            return Err(ModelError::Invalid("empty indicator value".into()));
        }
        if normalise_ip(live).is_ok() {
            return Indicator::ip(live);
        }
        if live.bytes().all(|b| b.is_ascii_hexdigit()) {
            let algorithm = match live.len() {
                32 => Some(HashAlgorithm::Md5),
                40 => Some(HashAlgorithm::Sha1),
                64 => Some(HashAlgorithm::Sha256),
                _ => None,
            };
            if let Some(algorithm) = algorithm {
                return Indicator::hash(algorithm, live);
            }
        }
        if !live.contains("://") && live.contains('@') && !live.contains('/') {
            return Indicator::email(live);
        }
        if let Some(account) = parse_account(live) {
            return Ok(Indicator::account(account));
        }
        if live.contains("://") || live.contains('/') {
            // Not an account (checked above): skip `Indicator::url`'s second
            // refang and account parse.
            return Ok(Indicator::bare(IndicatorKind::Url, normalise_url(live)?));
        }
        Indicator::domain(live)
    }

    /// Attaches context.
    pub fn with_note(mut self, note: Option<String>) -> Indicator {
        self.note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        self
    }

    /// Attaches the technique it was listed under.
    pub fn with_technique(mut self, technique: Option<TechniqueRef>) -> Indicator {
        if let Some(t) = technique
            && !self.techniques.contains(&t)
        {
            self.techniques.push(t);
        }
        self
    }

    /// A key equal for two indicators of the same signal: `domain:evil.com`,
    /// `social-account:x:name`, `hash:md5:…`.
    pub fn key(&self) -> String {
        match (self.kind, &self.platform, &self.handle, self.hash_algorithm) {
            (IndicatorKind::SocialAccount, Some(p), Some(h), _) => {
                format!("social-account:{}:{h}", p.as_str())
            }
            (IndicatorKind::Hash, _, _, Some(a)) => {
                format!("hash:{}:{}", a.stix_name(), self.value)
            }
            _ => format!("{}:{}", self.kind.as_str(), self.value),
        }
    }

    /// Whether two indicators denote the same signal.
    pub fn same_signal(&self, other: &Indicator) -> bool {
        self.key() == other.key()
    }

    /// The account this indicator names, for social accounts.
    pub fn account_ref(&self) -> Option<AccountRef> {
        Some(AccountRef {
            platform: self.platform.clone()?,
            handle: self.handle.clone()?,
            kind: self.account_kind.unwrap_or(AssetKind::Account),
        })
    }

    /// Re-checks the value against its kind (for values that arrived as JSON).
    pub fn validate(&self) -> Result<(), ModelError> {
        match self.kind {
            IndicatorKind::Domain => Indicator::domain(&self.value).map(|_| ()),
            IndicatorKind::Ip => Indicator::ip(&self.value).map(|_| ()),
            IndicatorKind::Email => Indicator::email(&self.value).map(|_| ()),
            IndicatorKind::Url => normalise_url(&self.value).map(|_| ()),
            IndicatorKind::Hash => match self.hash_algorithm {
                Some(a) => Indicator::hash(a, &self.value).map(|_| ()),
                None => Err(ModelError::Invalid(format!(
                    "hash `{}` has no hash_algorithm (pdq, md5, sha1 or sha256)",
                    self.value
                ))),
            },
            IndicatorKind::SocialAccount => {
                if self.platform.is_none() || self.handle.as_deref().is_none_or(str::is_empty) {
                    Err(ModelError::Invalid(format!(
                        "social-account `{}` needs a platform and a handle",
                        self.value
                    )))
                } else {
                    Ok(())
                }
            }
            IndicatorKind::Text | IndicatorKind::Outlet => {
                if self.value.trim().is_empty() {
                    Err(ModelError::Invalid(format!(
                        "{} indicator is empty",
                        self.kind
                    )))
                } else {
                    Ok(())
                }
            }
            IndicatorKind::AdSpend | IndicatorKind::Followers => Ok(()),
        }
    }
}

/// Indicators kept once each (by [`Indicator::key`]), in first-seen order;
/// a repeated signal adds its techniques to the first. Importers of large
/// files use this instead of [`crate::Incident::add_indicator`], which scans.
#[derive(Debug, Clone, Default)]
pub struct IndicatorSet {
    list: Vec<Indicator>,
    index: std::collections::HashMap<String, usize>,
}

impl IndicatorSet {
    /// A set holding `existing` (assumed distinct).
    pub fn from_vec(existing: Vec<Indicator>) -> IndicatorSet {
        let mut set = IndicatorSet::default();
        for indicator in existing {
            set.insert(indicator);
        }
        set
    }

    /// Adds an indicator, merging techniques into an earlier copy of the same signal.
    pub fn insert(&mut self, indicator: Indicator) {
        match self.index.entry(indicator.key()) {
            std::collections::hash_map::Entry::Occupied(slot) => {
                let existing = &mut self.list[*slot.get()];
                for t in indicator.techniques {
                    if !existing.techniques.contains(&t) {
                        existing.techniques.push(t);
                    }
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.list.len());
                self.list.push(indicator);
            }
        }
    }

    /// How many distinct signals there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The indicators in first-seen order.
    pub fn into_vec(self) -> Vec<Indicator> {
        self.list
    }
}

/// Refangs, lower-cases, strips a trailing dot and converts an IDN to ASCII.
pub fn normalise_domain(raw: &str) -> Result<String, ModelError> {
    let live = refang(raw);
    let trimmed = live.trim().trim_end_matches('.');
    let invalid = || ModelError::Invalid(format!("`{raw}` is not a domain name"));
    if trimmed.is_empty() || trimmed.contains(['/', ':', '@', ' ']) {
        return Err(invalid());
    }
    match url::Host::parse(trimmed) {
        Ok(url::Host::Domain(domain)) => {
            let valid = domain.contains('.')
                && domain.len() <= 253
                && domain.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
                && domain.rsplit('.').next().is_some_and(|tld| {
                    tld.starts_with("xn--") || tld.bytes().all(|b| b.is_ascii_alphabetic())
                });
            if valid { Ok(domain) } else { Err(invalid()) }
        }
        _ => Err(invalid()),
    }
}

/// Refangs and parses a URL, adding `https://` when the scheme is missing.
pub fn normalise_url(raw: &str) -> Result<String, ModelError> {
    let live = refang(raw);
    let live = live.trim();
    let with_scheme = if live.contains("://") {
        live.to_string()
    } else {
        format!("https://{live}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| ModelError::Invalid(format!("`{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https" | "ftp") || url.host_str().is_none() {
        return Err(ModelError::Invalid(format!(
            "`{raw}` is not a web URL (http, https or ftp with a host)"
        )));
    }
    Ok(url.to_string())
}

/// Parses an IP address or a CIDR block into its canonical text form.
pub fn normalise_ip(raw: &str) -> Result<String, ModelError> {
    let live = refang(raw);
    let live = live.trim();
    let invalid = || ModelError::Invalid(format!("`{raw}` is not an IP address or CIDR block"));
    match live.split_once('/') {
        None => live
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| invalid()),
        Some((addr, prefix)) => {
            let ip: IpAddr = addr.parse().map_err(|_| invalid())?;
            let prefix: u8 = prefix.parse().map_err(|_| invalid())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            if prefix > max {
                return Err(invalid());
            }
            Ok(format!("{ip}/{prefix}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn classifies_observables() {
        let cases = [
            (
                "newwayforward[.]us",
                IndicatorKind::Domain,
                "newwayforward.us",
            ),
            (
                "x[.]com/newwayforwardus",
                IndicatorKind::SocialAccount,
                "https://x.com/newwayforwardus",
            ),
            (
                "https://t[.]me/insider_md",
                IndicatorKind::SocialAccount,
                "https://t.me/insider_md",
            ),
            ("10.1.2.0/24", IndicatorKind::Ip, "10.1.2.0/24"),
            ("2001:db8::1", IndicatorKind::Ip, "2001:db8::1"),
            (
                "Info[@]Example[.]ORG",
                IndicatorKind::Email,
                "info@example.org",
            ),
            (
                "d41d8cd98f00b204e9800998ecf8427e",
                IndicatorKind::Hash,
                "d41d8cd98f00b204e9800998ecf8427e",
            ),
            (
                "https://www.petice[.]com/poadavek?x=1",
                IndicatorKind::Url,
                "https://www.petice.com/poadavek?x=1",
            ),
            (
                "Bücher.example",
                IndicatorKind::Domain,
                "xn--bcher-kva.example",
            ),
        ];
        for (raw, kind, value) in cases {
            let indicator = Indicator::from_observable(raw).unwrap();
            assert_eq!(indicator.kind, kind, "{raw}");
            assert_eq!(indicator.value, value, "{raw}");
        }
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Indicator::domain("not a domain").is_err());
        assert!(Indicator::domain("localhost").is_err());
        assert!(Indicator::ip("10.0.0.0/33").is_err());
        assert!(Indicator::hash(HashAlgorithm::Md5, "abc").is_err());
        assert!(Indicator::email("nobody").is_err());
        assert!(Indicator::from_observable("  ").is_err());
    }

    #[test]
    fn keys_identify_signals() {
        let a = Indicator::from_observable("https://twitter.com/NewWayForwardUS").unwrap();
        let b = Indicator::from_observable("x[.]com/newwayforwardus").unwrap();
        assert!(a.same_signal(&b));
        assert_eq!(a.key(), "social-account:x:newwayforwardus");
        assert_eq!(a.account_ref().unwrap().key(), "x:newwayforwardus");
    }

    proptest! {
        #[test]
        fn classification_never_panics(s in "\\PC*") {
            if let Ok(indicator) = Indicator::from_observable(&s) {
                prop_assert!(indicator.validate().is_ok(), "{:?}", indicator);
            }
        }
    }
}
