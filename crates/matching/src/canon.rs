//! Canonical keys for shared indicator values.
//!
//! Two platforms that share `hxxps://www.Example[.]com/a/?utm_source=x` and
//! `example.com/a` mean the same object; matching and coordination detection
//! only work when both reduce to one key. Every function here is pure and
//! total: bad input gives a [`CanonError`], never a panic.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a value could not be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    /// The value was empty after trimming whitespace.
    #[error("empty value")]
    Empty,
    /// The URL could not be parsed.
    #[error("not a valid URL ({reason}): {input:?}")]
    InvalidUrl {
        /// The offending input, as given.
        input: String,
        /// What the parser objected to.
        reason: String,
    },
    /// Only web links are canonicalised; other schemes carry no shared object.
    #[error("unsupported URL scheme {scheme:?} (only http and https links are matched)")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// The URL has no host name.
    #[error("URL has no host: {input:?}")]
    MissingHost {
        /// The offending input.
        input: String,
    },
    /// The domain name is not valid.
    #[error("not a valid domain name: {input:?}")]
    InvalidDomain {
        /// The offending input.
        input: String,
    },
    /// The IP address or CIDR block is not valid.
    #[error(
        "not a valid IP address or CIDR block (expected e.g. 192.0.2.1 or 2001:db8::/32): {input:?}"
    )]
    InvalidIp {
        /// The offending input.
        input: String,
    },
    /// The e-mail address is not valid.
    #[error("not a valid e-mail address (expected local@domain): {input:?}")]
    InvalidEmail {
        /// The offending input.
        input: String,
    },
    /// The hash is not hex of a known length.
    #[error(
        "not a valid hash (expected 32, 40 or 64 hex digits for MD5, SHA-1 or SHA-256): {input:?}"
    )]
    InvalidHash {
        /// The offending input.
        input: String,
    },
    /// The account reference could not be understood.
    #[error("not a valid account reference: {input:?} ({reason})")]
    InvalidAccount {
        /// The offending input.
        input: String,
        /// What was wrong with it.
        reason: String,
    },
}

/// Undo the usual defanging of indicators (`hxxp`, `[.]`, `(.)`, `[:]`, `[at]` …)
/// with [`crosswatch_model::refang`], skipping the copy when there is
/// nothing to undo.
///
/// Repeated until nothing changes, so nested defanging such as `[[.]]`
/// cannot survive one pass and make canonicalisation non-idempotent.
pub fn refang(input: &str) -> Cow<'_, str> {
    if !needs_refang(input) {
        return Cow::Borrowed(input);
    }
    let mut current = crosswatch_model::refang(input);
    // A pass that changes anything makes the string shorter, so this ends.
    while needs_refang(&current) {
        let next = crosswatch_model::refang(&current);
        if next == current {
            break;
        }
        current = next;
    }
    Cow::Owned(current)
}

fn needs_refang(input: &str) -> bool {
    input
        .bytes()
        .any(|b| matches!(b, b'[' | b'(' | b'{' | b'`'))
        || starts_with_ignore_case(input.trim_start(), "hxxp")
        || starts_with_ignore_case(input.trim_start(), "fxp")
}

fn starts_with_ignore_case(haystack: &str, prefix: &str) -> bool {
    haystack
        .as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// A URL reduced to the key under which every variant of one link is stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CanonicalUrl {
    key: String,
    host: String,
    key_host_start: usize,
    registrable_domain: Option<String>,
    is_shortener: bool,
}

impl CanonicalUrl {
    /// The canonical key, e.g. `https://example.com/a?b=1`.
    ///
    /// `http` and `https` share one key because they name the same object.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The host as found (lowercase, ASCII/punycode), including any `www.`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The host used in the key (without `www.`, `m.` or `mobile.`).
    pub fn key_host(&self) -> &str {
        self.host.get(self.key_host_start..).unwrap_or(&self.host)
    }

    /// The registrable domain (`news.example.co.uk` → `example.co.uk`);
    /// `None` for IP addresses and hosts under no public suffix rule.
    pub fn registrable_domain(&self) -> Option<&str> {
        self.registrable_domain.as_deref()
    }

    /// Whether the host is a known link shortener, whose target is unknown
    /// until the link is followed.
    pub fn is_shortener(&self) -> bool {
        self.is_shortener
    }
}

impl fmt::Display for CanonicalUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// Query parameters that only track the click and never change the object.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "igshid",
    "igsh",
    "si",
    "mc_cid",
    "mc_eid",
    "ref_src",
    "ref_url",
    "_ga",
    "_gl",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "s_cid",
    "cmpid",
    "feature",
    "share_id",
    "__tn__",
    "__cft__",
    "mibextid",
    "rdid",
    "sfnsn",
];

/// Prefixes of tracking parameter names (`utm_source`, `utm_medium` …).
const TRACKING_PREFIXES: &[&str] = &["utm_", "hsa_", "pk_", "mtm_"];

/// Host-name prefixes that are the same site on another device or alias.
const ALIAS_PREFIXES: &[&str] = &["www.", "m.", "mobile."];

/// Link shorteners: the registrable domain hides the real target.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "t.co",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "buff.ly",
    "is.gd",
    "v.gd",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "t.ly",
    "rb.gy",
    "bl.ink",
    "s.id",
    "lnkd.in",
    "dlvr.it",
    "fb.me",
    "trib.al",
    "soo.gd",
    "clck.ru",
    "vk.cc",
    "tg.dev",
    "shorte.st",
    "adf.ly",
    "youtu.be",
    "amzn.to",
    "wp.me",
    "qr.ae",
    "x.gd",
    "urlz.fr",
    "ift.tt",
];

/// Whether `host` (lowercase) belongs to a known link shortener.
pub fn is_shortener_host(host: &str) -> bool {
    SHORTENERS.iter().any(|short| {
        host == *short
            || host
                .strip_suffix(short)
                .is_some_and(|head| head.ends_with('.'))
    })
}

fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&name.as_str())
        || TRACKING_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// Canonicalise a link (see the module docs for the rules).
///
/// ```
/// use crosswatch_matching::canon::canonical_url;
/// let url = canonical_url("hxxps://WWW.Example[.]com:443/a/?utm_source=x&b=2&a=1#top").unwrap();
/// assert_eq!(url.key(), "https://example.com/a?a=1&b=2");
/// assert_eq!(url.registrable_domain(), Some("example.com"));
/// ```
pub fn canonical_url(input: &str) -> Result<CanonicalUrl, CanonError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let refanged = refang(trimmed);
    let refanged = refanged.trim();
    let with_scheme: Cow<'_, str> = if has_scheme(refanged) {
        Cow::Borrowed(refanged)
    } else {
        Cow::Owned(format!("https://{}", refanged.trim_start_matches('/')))
    };
    let parsed = url::Url::parse(&with_scheme).map_err(|err| CanonError::InvalidUrl {
        input: input.to_owned(),
        reason: err.to_string(),
    })?;
    let scheme = parsed.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(CanonError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        });
    }
    let host = match parsed.host() {
        Some(url::Host::Domain(domain)) => {
            // The URL parser lets through host characters that no DNS name
            // has (`a\`b`); such hosts name nothing and would not read back.
            if !domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
            {
                return Err(CanonError::InvalidDomain {
                    input: input.to_owned(),
                });
            }
            domain.trim_end_matches('.').to_owned()
        }
        Some(url::Host::Ipv4(addr)) => addr.to_string(),
        Some(url::Host::Ipv6(addr)) => format!("[{addr}]"),
        None => {
            return Err(CanonError::MissingHost {
                input: input.to_owned(),
            });
        }
    };
    if host.is_empty() || host.contains("..") || host.starts_with('.') {
        return Err(CanonError::MissingHost {
            input: input.to_owned(),
        });
    }
    let registrable = if host.starts_with('[') || host.parse::<Ipv4Addr>().is_ok() {
        None
    } else {
        registrable_domain_ascii(&host)
    };
    let key_host_start = alias_prefix_len(&host, registrable.as_deref());
    let key_host = host.get(key_host_start..).unwrap_or(&host);

    let mut key = String::with_capacity(with_scheme.len());
    key.push_str("https://");
    key.push_str(key_host);
    // Ports 80 and 443 are dropped by the parser for their own scheme; after
    // folding http into https, port 443 on http (and 80 on https) stays.
    if let Some(port) = parsed.port()
        && !(port == 443 || (port == 80 && scheme == "http"))
    {
        key.push(':');
        key.push_str(&port.to_string());
    }
    let path = parsed.path().trim_end_matches('/');
    key.push_str(&encode_backticks(path));
    if let Some(query) = parsed.query() {
        let mut pairs: Vec<Cow<'_, str>> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                !is_tracking_param(name)
            })
            .map(encode_backticks)
            .collect();
        if !pairs.is_empty() {
            pairs.sort_unstable();
            key.push('?');
            key.push_str(&pairs.join("&"));
        }
    }
    let is_shortener = is_shortener_host(key_host);
    Ok(CanonicalUrl {
        key,
        host,
        key_host_start,
        registrable_domain: registrable,
        is_shortener,
    })
}

/// A raw backtick at the end of a key would be trimmed as quoting when the
/// key is read back; encoding it keeps canonicalisation idempotent.
fn encode_backticks(part: &str) -> Cow<'_, str> {
    if part.contains('`') {
        Cow::Owned(part.replace('`', "%60"))
    } else {
        Cow::Borrowed(part)
    }
}

fn has_scheme(input: &str) -> bool {
    match input.find("://") {
        Some(pos) => input
            .get(..pos)
            .is_some_and(|scheme| !scheme.is_empty() && scheme.bytes().all(is_scheme_byte)),
        None => {
            // `mailto:`-like schemes without `//` are still schemes; `host:port`
            // is not (the part after the colon is a number).
            match input.split_once(':') {
                Some((scheme, rest)) => {
                    !scheme.is_empty()
                        && scheme.bytes().all(is_scheme_byte)
                        && scheme.contains(|c: char| c.is_ascii_alphabetic())
                        && !rest.starts_with(|c: char| c.is_ascii_digit())
                        && !scheme.contains('.')
                }
                None => false,
            }
        }
    }
}

fn is_scheme_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.')
}

/// Length of the alias prefixes (`www.`, `m.`, `mobile.`) to drop for the key,
/// never eating into the registrable domain itself (`m.me` stays).
fn alias_prefix_len(host: &str, registrable: Option<&str>) -> usize {
    let Some(registrable) = registrable else {
        return 0;
    };
    let mut start = 0;
    'strip: loop {
        let rest = host.get(start..).unwrap_or_default();
        for prefix in ALIAS_PREFIXES {
            if let Some(after) = rest.strip_prefix(prefix)
                && after.len() >= registrable.len()
                && after.ends_with(registrable)
            {
                start += prefix.len();
                continue 'strip;
            }
        }
        return start;
    }
}

/// The registrable domain of a host name or URL host (Public Suffix List).
///
/// Accepts Unicode or punycode, any case, defanged dots and a trailing dot.
/// Returns `None` for IP addresses, bare public suffixes and invalid names.
///
/// ```
/// use crosswatch_matching::canon::registrable_domain;
/// assert_eq!(registrable_domain("News.BBC.co.uk").as_deref(), Some("bbc.co.uk"));
/// assert_eq!(registrable_domain("co.uk"), None);
/// ```
pub fn registrable_domain(host: &str) -> Option<String> {
    let ascii = canonical_domain(host).ok()?;
    registrable_domain_ascii(&ascii)
}

fn registrable_domain_ascii(host: &str) -> Option<String> {
    psl::domain_str(host).map(str::to_owned)
}

/// Normalise a domain name: refang, trim, lowercase, IDNA to ASCII (punycode),
/// drop a trailing dot. Accepts a URL too and returns its host.
///
/// ```
/// use crosswatch_matching::canon::canonical_domain;
/// assert_eq!(canonical_domain("Bücher[.]example").unwrap(), "xn--bcher-kva.example");
/// ```
pub fn canonical_domain(input: &str) -> Result<String, CanonError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let refanged = refang(trimmed);
    let mut host: &str = refanged.trim();
    if host.contains('/') || host.contains('@') || host.contains('?') {
        return canonical_url(host).map(|url| url.host().to_owned());
    }
    host = host.trim_end_matches('.');
    if host.is_empty() {
        return Err(CanonError::InvalidDomain {
            input: input.to_owned(),
        });
    }
    let simple = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    let ascii = if simple && !host.contains("xn--") && !host.contains("XN--") {
        host.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(host).map_err(|_| CanonError::InvalidDomain {
            input: input.to_owned(),
        })?
    };
    if ascii.is_empty()
        || ascii.len() > 253
        || ascii.starts_with('.')
        || ascii.ends_with('.')
        || ascii.contains("..")
        || ascii.split('.').any(|label| label.len() > 63)
        || !ascii
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return Err(CanonError::InvalidDomain {
            input: input.to_owned(),
        });
    }
    Ok(ascii)
}

/// An IP address or CIDR block with the host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpNetwork {
    address: IpAddr,
    prefix_len: u8,
}

impl IpNetwork {
    /// A network from an address and prefix length; host bits are cleared.
    /// Returns `None` if the prefix is longer than the address.
    pub fn new(address: IpAddr, prefix_len: u8) -> Option<IpNetwork> {
        let address = match address {
            IpAddr::V4(v4) => {
                if prefix_len > 32 {
                    return None;
                }
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(prefix_len))
                    .unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
            }
            IpAddr::V6(v6) => {
                if prefix_len > 128 {
                    return None;
                }
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(prefix_len))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        };
        Some(IpNetwork {
            address,
            prefix_len,
        })
    }

    /// The first address of the block.
    pub fn address(&self) -> IpAddr {
        self.address
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// Whether `ip` lies inside this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        IpNetwork::new(ip, self.prefix_len).is_some_and(|net| net.address == self.address)
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

/// Parse an IP address (`192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`) or CIDR
/// block (`192.0.2.0/24`); defanged dots are accepted. A bare address becomes
/// a /32 or /128.
pub fn parse_ip_network(input: &str) -> Result<IpNetwork, CanonError> {
    let invalid = || CanonError::InvalidIp {
        input: input.to_owned(),
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let refanged = refang(trimmed);
    let (addr_part, prefix_part) = match refanged.split_once('/') {
        Some((addr, prefix)) => (addr.trim(), Some(prefix.trim())),
        None => (refanged.trim(), None),
    };
    let addr_part = addr_part
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(addr_part);
    let address: IpAddr = addr_part.parse().map_err(|_| invalid())?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix_len = match prefix_part {
        Some(prefix) => {
            if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            prefix.parse::<u8>().map_err(|_| invalid())?
        }
        None => max,
    };
    IpNetwork::new(address, prefix_len).ok_or_else(invalid)
}

/// Canonicalise an e-mail address: refang, trim, lowercase, IDNA domain.
///
/// ```
/// use crosswatch_matching::canon::canonical_email;
/// assert_eq!(canonical_email(" Press[at]Example[.]COM ").unwrap(), "press@example.com");
/// ```
pub fn canonical_email(input: &str) -> Result<String, CanonError> {
    let invalid = || CanonError::InvalidEmail {
        input: input.to_owned(),
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let refanged = refang(trimmed);
    let refanged = refanged.trim();
    let refanged = refanged
        .strip_prefix("mailto:")
        .or_else(|| refanged.strip_prefix("MAILTO:"))
        .unwrap_or(refanged);
    let (local, domain) = refanged.rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || local.chars().any(|c| c.is_whitespace() || c.is_control())
        || domain.contains(['/', '?', '#', ':'])
    {
        return Err(invalid());
    }
    let domain = canonical_domain(domain).map_err(|_| invalid())?;
    if !domain.contains('.') {
        return Err(invalid());
    }
    Ok(format!("{}@{}", local.to_lowercase(), domain))
}

/// Which digest a hash indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashKind {
    /// 128-bit MD5.
    Md5,
    /// 160-bit SHA-1.
    Sha1,
    /// 256-bit SHA-256.
    Sha256,
}

impl HashKind {
    /// The usual lowercase name (`md5`, `sha1`, `sha256`).
    pub fn name(self) -> &'static str {
        match self {
            HashKind::Md5 => "md5",
            HashKind::Sha1 => "sha1",
            HashKind::Sha256 => "sha256",
        }
    }
}

/// Canonicalise a hex digest: trim, lowercase, and tell the kind by length.
pub fn canonical_hash(input: &str) -> Result<(HashKind, String), CanonError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let kind = match trimmed.len() {
        32 => HashKind::Md5,
        40 => HashKind::Sha1,
        64 => HashKind::Sha256,
        _ => {
            return Err(CanonError::InvalidHash {
                input: input.to_owned(),
            });
        }
    };
    if !trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CanonError::InvalidHash {
            input: input.to_owned(),
        });
    }
    Ok((kind, trimmed.to_ascii_lowercase()))
}

/// Canonicalise a social-media account reference to the key two references
/// share exactly when they name the same account (`x:name`, `telegram:name`).
///
/// Accepts profile and post URLs (`https://twitter.com/Name/status/1`,
/// `t[.]me/name`, `tiktok.com/@name`) and `platform:handle` pairs
/// (`x:@Name`, `telegram:name`); platform names and handle rules come from
/// [`crosswatch_model::platform`].
///
/// ```
/// use crosswatch_matching::canon::canonical_account;
/// assert_eq!(canonical_account("https://twitter.com/SomeName/status/1").unwrap(), "x:somename");
/// assert_eq!(canonical_account("x:@somename").unwrap(), "x:somename");
/// ```
pub fn canonical_account(input: &str) -> Result<String, CanonError> {
    use crosswatch_model::platform::{AccountRef, AssetKind, Platform, parse_account};
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CanonError::Empty);
    }
    let invalid = |reason: &str| CanonError::InvalidAccount {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    // `platform:handle` keys come first: some handles contain a slash
    // (`ok.ru:group/70000005349948`), which is not a URL.
    if let Some((prefix, handle)) = trimmed.split_once(':')
        && !handle.starts_with("//")
        && !prefix.contains('/')
    {
        let platform: Platform = match prefix.parse() {
            Ok(platform) => platform,
            Err(never) => match never {},
        };
        if !matches!(platform, Platform::Other(_)) {
            return AccountRef::new(platform, handle, AssetKind::Account)
                .map(|account| account.key())
                .ok_or_else(|| invalid("empty handle"));
        }
    }
    let looks_like_url = trimmed.contains('/') || trimmed.contains("[.]");
    if looks_like_url {
        return parse_account(trimmed)
            .map(|account| account.key())
            .ok_or_else(|| invalid("not a profile or post URL of a known platform"));
    }
    let (platform, handle) = trimmed
        .split_once(':')
        .ok_or_else(|| invalid("expected a profile URL or platform:handle, e.g. x:@name"))?;
    let platform: Platform = match platform.parse() {
        Ok(platform) => platform,
        Err(never) => match never {},
    };
    if platform.as_str().is_empty() {
        return Err(invalid("empty platform name"));
    }
    AccountRef::new(platform, handle, AssetKind::Account)
        .map(|account| account.key())
        .ok_or_else(|| invalid("empty handle"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(input: &str) -> String {
        canonical_url(input).unwrap().key().to_owned()
    }

    #[test]
    fn account_keys_with_slashes_round_trip() {
        let key = canonical_account("https://ok.ru/group/70000005349948").unwrap();
        assert_eq!(key, "ok.ru:group/70000005349948");
        assert_eq!(canonical_account(&key).unwrap(), key);
        assert_eq!(canonical_account("x:@Name").unwrap(), "x:name");
    }

    #[test]
    fn refangs_before_parsing() {
        assert_eq!(key("hxxps://example[.]com/a"), "https://example.com/a");
        assert_eq!(key("hxxp://example(.)com/a"), "https://example.com/a");
        assert_eq!(key("https[:]//example[.]com"), "https://example.com");
        assert_eq!(refang("user[at]example[.]com"), "user@example.com");
        assert!(matches!(refang("plain.example"), Cow::Borrowed(_)));
    }

    #[test]
    fn adds_missing_scheme() {
        assert_eq!(key("x.com/foo"), "https://x.com/foo");
        assert_eq!(key("//x.com/foo"), "https://x.com/foo");
        assert_eq!(key("localhost:8080/a"), "https://localhost:8080/a");
    }

    #[test]
    fn lowercases_scheme_and_host_but_not_path() {
        assert_eq!(key("HTTPS://EXAMPLE.COM/Path"), "https://example.com/Path");
    }

    #[test]
    fn http_and_https_share_a_key() {
        assert_eq!(key("http://example.com/a"), key("https://example.com/a"));
    }

    #[test]
    fn converts_idn_to_punycode() {
        assert_eq!(
            key("https://bücher.example/"),
            "https://xn--bcher-kva.example"
        );
        assert_eq!(
            canonical_url("https://bücher.example/").unwrap().host(),
            "xn--bcher-kva.example"
        );
    }

    #[test]
    fn strips_default_ports_only() {
        assert_eq!(key("http://example.com:80/a"), "https://example.com/a");
        assert_eq!(key("https://example.com:443/a"), "https://example.com/a");
        assert_eq!(
            key("https://example.com:8443/a"),
            "https://example.com:8443/a"
        );
    }

    #[test]
    fn drops_fragment() {
        assert_eq!(
            key("https://example.com/a#section-2"),
            "https://example.com/a"
        );
    }

    #[test]
    fn removes_tracking_parameters_and_sorts_the_rest() {
        assert_eq!(
            key("https://example.com/a?utm_source=x&b=2&utm_MEDIUM=y&a=1&fbclid=z&gclid=q"),
            "https://example.com/a?a=1&b=2"
        );
        assert_eq!(
            key("https://youtu.be/abc?si=xyz&t=10"),
            "https://youtu.be/abc?t=10"
        );
        assert_eq!(
            key("https://instagram.com/p/x?igshid=1&mc_cid=2&mc_eid=3&ref_src=twsrc"),
            "https://instagram.com/p/x"
        );
        assert_eq!(key("https://example.com/?&&"), "https://example.com");
    }

    #[test]
    fn removes_trailing_slashes() {
        assert_eq!(key("https://example.com/a/"), "https://example.com/a");
        assert_eq!(key("https://example.com/a//"), "https://example.com/a");
        assert_eq!(key("https://example.com/"), "https://example.com");
    }

    #[test]
    fn drops_alias_prefixes_but_keeps_registrable_domain() {
        assert_eq!(key("https://www.example.com/a"), "https://example.com/a");
        assert_eq!(key("https://m.facebook.com/a"), "https://facebook.com/a");
        assert_eq!(key("https://mobile.twitter.com/a"), "https://twitter.com/a");
        assert_eq!(key("https://www.m.example.com"), "https://example.com");
        // `m.me` is itself a registrable domain, not an alias.
        assert_eq!(key("https://m.me/page"), "https://m.me/page");
        assert_eq!(key("https://www.co.uk/"), "https://www.co.uk");
        let url = canonical_url("https://www.example.com").unwrap();
        assert_eq!(url.host(), "www.example.com");
        assert_eq!(url.key_host(), "example.com");
    }

    #[test]
    fn exposes_registrable_domain() {
        let url = canonical_url("https://news.bbc.co.uk/x").unwrap();
        assert_eq!(url.registrable_domain(), Some("bbc.co.uk"));
        assert_eq!(
            canonical_url("http://192.0.2.1/x")
                .unwrap()
                .registrable_domain(),
            None
        );
        assert_eq!(
            registrable_domain("a.b.example.com").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            registrable_domain("example[.]co[.]uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(registrable_domain("co.uk"), None);
        assert_eq!(registrable_domain(""), None);
    }

    #[test]
    fn flags_shorteners() {
        for link in [
            "https://bit.ly/abc",
            "t.co/xyz",
            "https://www.tinyurl.com/x",
            "goo.gl/x",
            "ow.ly/x",
            "buff.ly/x",
            "is.gd/x",
            "cutt.ly/x",
            "rebrand.ly/x",
            "shorturl.at/x",
        ] {
            assert!(canonical_url(link).unwrap().is_shortener(), "{link}");
        }
        assert!(
            !canonical_url("https://example.com/bit.ly")
                .unwrap()
                .is_shortener()
        );
        assert!(!canonical_url("https://notbit.ly/x").unwrap().is_shortener());
    }

    #[test]
    fn rejects_non_web_and_broken_urls() {
        assert!(matches!(
            canonical_url("ftp://example.com/x"),
            Err(CanonError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            canonical_url("mailto:a@example.com"),
            Err(CanonError::UnsupportedScheme { .. })
        ));
        assert_eq!(canonical_url("   "), Err(CanonError::Empty));
        assert!(canonical_url("https://exa mple.com").is_err());
        assert!(canonical_url("https://").is_err());
    }

    #[test]
    fn parses_ip_addresses_and_blocks() {
        let net = parse_ip_network("192.0.2.77/24").unwrap();
        assert_eq!(net.to_string(), "192.0.2.0/24");
        assert!(net.contains("192.0.2.1".parse().unwrap()));
        assert!(!net.contains("192.0.3.1".parse().unwrap()));
        assert_eq!(
            parse_ip_network("192[.]0[.]2[.]1").unwrap().to_string(),
            "192.0.2.1/32"
        );
        assert_eq!(
            parse_ip_network("2001:DB8::1/32").unwrap().to_string(),
            "2001:db8::/32"
        );
        assert_eq!(parse_ip_network("[2001:db8::1]").unwrap().prefix_len(), 128);
        assert_eq!(parse_ip_network("0.0.0.0/0").unwrap().prefix_len(), 0);
        for bad in [
            "192.0.2.1/33",
            "2001:db8::/129",
            "192.0.2",
            "1.2.3.4/",
            "1.2.3.4/+1",
            "x",
        ] {
            assert!(parse_ip_network(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonicalises_emails() {
        assert_eq!(
            canonical_email("  Press@Example.COM ").unwrap(),
            "press@example.com"
        );
        assert_eq!(
            canonical_email("press[at]example[.]com").unwrap(),
            "press@example.com"
        );
        assert_eq!(
            canonical_email("mailto:a@bücher.example").unwrap(),
            "a@xn--bcher-kva.example"
        );
        for bad in [
            "",
            "a",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
        ] {
            assert!(canonical_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonicalises_hashes() {
        let md5 = "D41D8CD98F00B204E9800998ECF8427E";
        assert_eq!(
            canonical_hash(md5).unwrap(),
            (HashKind::Md5, md5.to_ascii_lowercase())
        );
        assert_eq!(canonical_hash(&"a".repeat(40)).unwrap().0, HashKind::Sha1);
        assert_eq!(canonical_hash(&"0".repeat(64)).unwrap().0, HashKind::Sha256);
        assert!(canonical_hash(&"g".repeat(32)).is_err());
        assert!(canonical_hash(&"a".repeat(33)).is_err());
        assert!(canonical_hash("").is_err());
    }

    #[test]
    fn canonicalises_domains() {
        assert_eq!(canonical_domain("Example.COM.").unwrap(), "example.com");
        assert_eq!(
            canonical_domain("https://www.Example.com/x").unwrap(),
            "www.example.com"
        );
        assert!(canonical_domain("a..b").is_err());
        assert!(canonical_domain("not a domain").is_err());
    }

    #[test]
    fn canonicalises_accounts_with_the_model_rules() {
        assert_eq!(
            canonical_account("https://twitter.com/SomeName").unwrap(),
            "x:somename"
        );
        assert_eq!(
            canonical_account("x.com/somename/status/123").unwrap(),
            "x:somename"
        );
        assert_eq!(
            canonical_account("hxxps://t[.]me/Insider_MD").unwrap(),
            "telegram:insider_md"
        );
        assert_eq!(
            canonical_account("telegram.me/insider_md").unwrap(),
            "telegram:insider_md"
        );
        assert_eq!(
            canonical_account("https://www.tiktok.com/@Name").unwrap(),
            "tiktok:name"
        );
        assert_eq!(
            canonical_account("twitter:@SomeName").unwrap(),
            "x:somename"
        );
        assert!(canonical_account("https://example.com/someone").is_err());
        assert!(canonical_account("x:").is_err());
        assert!(canonical_account("justaname").is_err());
    }

    proptest! {
        #[test]
        fn url_canonicalisation_never_panics(input in "\\PC{0,80}") {
            let _ = canonical_url(&input);
            let _ = canonical_domain(&input);
            let _ = canonical_email(&input);
            let _ = canonical_hash(&input);
            let _ = parse_ip_network(&input);
            let _ = canonical_account(&input);
            let _ = registrable_domain(&input);
        }

        #[test]
        fn url_canonicalisation_is_idempotent(input in "\\PC{0,80}") {
            if let Ok(first) = canonical_url(&input) {
                let second = canonical_url(first.key()).unwrap();
                prop_assert_eq!(first.key(), second.key());
            }
        }

        #[test]
        fn url_canonicalisation_is_idempotent_on_url_like_input(
            scheme in prop::sample::select(vec!["", "http://", "https://", "hxxps://", "HTTP://"]),
            host in "(www\\.|m\\.)?[a-zA-Z0-9-]{1,10}(\\.|\\[\\.\\])(com|de|co\\.uk|ru)",
            port in prop::option::of(prop::sample::select(vec![80u16, 443, 8080])),
            path in "(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,6}){0,4}/?",
            query in prop::option::of("[a-z_]{1,8}=[a-zA-Z0-9%]{0,5}(&[a-z_]{1,8}=[a-z0-9]{0,5}){0,3}"),
            fragment in prop::option::of("[a-z0-9]{0,5}"),
        ) {
            let mut input = format!("{scheme}{host}");
            if let Some(port) = port {
                input.push_str(&format!(":{port}"));
            }
            input.push_str(&path);
            if let Some(query) = query {
                input.push('?');
                input.push_str(&query);
            }
            if let Some(fragment) = fragment {
                input.push('#');
                input.push_str(&fragment);
            }
            let first = canonical_url(&input).unwrap();
            let second = canonical_url(first.key()).unwrap();
            prop_assert_eq!(first.key(), second.key());
            prop_assert!(!first.key().contains('#'));
            prop_assert!(!first.key().contains("utm_"));
        }
    }
}
