//! Canonical platform names and social-media account references.
//!
//! The same account appears in reports as `x.com/name`, `twitter.com/Name`,
//! `@name` or `hxxps://mobile.twitter[.]com/name/status/1`; sharing and
//! matching need one key for all of them. [`parse_account`] gives that key.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::refang::refang;

/// A service on which influence-operation assets live.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    Facebook,
    Instagram,
    Threads,
    WhatsApp,
    X,
    TikTok,
    Telegram,
    YouTube,
    Vk,
    OkRu,
    LinkedIn,
    Reddit,
    Pinterest,
    Twitch,
    Rumble,
    Bluesky,
    Discord,
    Medium,
    /// Any other service, by its lower-case canonical name or host.
    Other(String),
}

/// Hosts (after dropping `www.`, `m.` and `mobile.`) and the platform they belong to.
const HOSTS: &[(&str, Platform)] = &[
    ("facebook.com", Platform::Facebook),
    ("fb.com", Platform::Facebook),
    ("fb.me", Platform::Facebook),
    ("web.facebook.com", Platform::Facebook),
    ("instagram.com", Platform::Instagram),
    ("instagr.am", Platform::Instagram),
    ("threads.net", Platform::Threads),
    ("threads.com", Platform::Threads),
    ("wa.me", Platform::WhatsApp),
    ("whatsapp.com", Platform::WhatsApp),
    ("chat.whatsapp.com", Platform::WhatsApp),
    ("x.com", Platform::X),
    ("twitter.com", Platform::X),
    ("tiktok.com", Platform::TikTok),
    ("vm.tiktok.com", Platform::TikTok),
    ("t.me", Platform::Telegram),
    ("telegram.me", Platform::Telegram),
    ("telegram.dog", Platform::Telegram),
    ("youtube.com", Platform::YouTube),
    ("youtu.be", Platform::YouTube),
    ("vk.com", Platform::Vk),
    ("vk.ru", Platform::Vk),
    ("vkontakte.ru", Platform::Vk),
    ("ok.ru", Platform::OkRu),
    ("odnoklassniki.ru", Platform::OkRu),
    ("linkedin.com", Platform::LinkedIn),
    ("reddit.com", Platform::Reddit),
    ("old.reddit.com", Platform::Reddit),
    ("pinterest.com", Platform::Pinterest),
    ("twitch.tv", Platform::Twitch),
    ("rumble.com", Platform::Rumble),
    ("bsky.app", Platform::Bluesky),
    ("discord.gg", Platform::Discord),
    ("discord.com", Platform::Discord),
    ("medium.com", Platform::Medium),
];

impl Platform {
    /// The canonical lower-case name used in JSON, STIX and reports.
    pub fn as_str(&self) -> &str {
        match self {
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Threads => "threads",
            Platform::WhatsApp => "whatsapp",
            Platform::X => "x",
            Platform::TikTok => "tiktok",
            Platform::Telegram => "telegram",
            Platform::YouTube => "youtube",
            Platform::Vk => "vk",
            Platform::OkRu => "ok.ru",
            Platform::LinkedIn => "linkedin",
            Platform::Reddit => "reddit",
            Platform::Pinterest => "pinterest",
            Platform::Twitch => "twitch",
            Platform::Rumble => "rumble",
            Platform::Bluesky => "bluesky",
            Platform::Discord => "discord",
            Platform::Medium => "medium",
            Platform::Other(name) => name,
        }
    }

    /// The name reports print: `Facebook`, `X`, `OK.ru`.
    pub fn display_name(&self) -> &str {
        match self {
            Platform::Facebook => "Facebook",
            Platform::Instagram => "Instagram",
            Platform::Threads => "Threads",
            Platform::WhatsApp => "WhatsApp",
            Platform::X => "X",
            Platform::TikTok => "TikTok",
            Platform::Telegram => "Telegram",
            Platform::YouTube => "YouTube",
            Platform::Vk => "VK",
            Platform::OkRu => "OK.ru",
            Platform::LinkedIn => "LinkedIn",
            Platform::Reddit => "Reddit",
            Platform::Pinterest => "Pinterest",
            Platform::Twitch => "Twitch",
            Platform::Rumble => "Rumble",
            Platform::Bluesky => "Bluesky",
            Platform::Discord => "Discord",
            Platform::Medium => "Medium",
            Platform::Other(name) => name,
        }
    }

    /// The platform a host belongs to (`mobile.twitter.com` → X).
    pub fn from_host(host: &str) -> Option<Platform> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut candidate = host.as_str();
        loop {
            if let Some((_, platform)) = HOSTS.iter().find(|(h, _)| *h == candidate) {
                return Some(platform.clone());
            }
            // Try the parent domain: www.x.com → x.com, de-de.facebook.com → facebook.com.
            match candidate.split_once('.') {
                Some((_, rest)) if rest.contains('.') => candidate = rest,
                _ => return None,
            }
        }
    }

    /// Whether handles on this platform compare case-insensitively.
    fn handles_fold_case(&self) -> bool {
        !matches!(self, Platform::OkRu | Platform::Other(_))
    }
}

impl FromStr for Platform {
    type Err = std::convert::Infallible;

    /// Accepts canonical names, display names, common aliases and hosts.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let platform = match lower.as_str() {
            "facebook" | "fb" => Platform::Facebook,
            "instagram" | "ig" => Platform::Instagram,
            "threads" => Platform::Threads,
            "whatsapp" => Platform::WhatsApp,
            "x" | "twitter" | "x / twitter" | "x/twitter" | "twitter / x" => Platform::X,
            "tiktok" => Platform::TikTok,
            "telegram" => Platform::Telegram,
            "youtube" => Platform::YouTube,
            "vk" | "vkontakte" => Platform::Vk,
            "ok" | "ok.ru" | "odnoklassniki" => Platform::OkRu,
            "linkedin" => Platform::LinkedIn,
            "reddit" => Platform::Reddit,
            "pinterest" => Platform::Pinterest,
            "twitch" => Platform::Twitch,
            "rumble" => Platform::Rumble,
            "bluesky" | "bsky" => Platform::Bluesky,
            "discord" => Platform::Discord,
            "medium" => Platform::Medium,
            other => {
                Platform::from_host(other).unwrap_or_else(|| Platform::Other(other.to_string()))
            }
        };
        Ok(platform)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        match s.parse() {
            Ok(platform) => Ok(platform),
            Err(never) => match never {},
        }
    }
}

/// What kind of asset an account reference or a removal count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    Account,
    Page,
    Group,
    Channel,
    Event,
    AdAccount,
    /// An individual post, video or other piece of content.
    Content,
}

impl AssetKind {
    /// The JSON name, e.g. `page`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Account => "account",
            AssetKind::Page => "page",
            AssetKind::Group => "group",
            AssetKind::Channel => "channel",
            AssetKind::Event => "event",
            AssetKind::AdAccount => "ad-account",
            AssetKind::Content => "content",
        }
    }

    /// Plural noun for prose: `Pages`, `accounts`.
    pub fn plural(self) -> &'static str {
        match self {
            AssetKind::Account => "accounts",
            AssetKind::Page => "Pages",
            AssetKind::Group => "Groups",
            AssetKind::Channel => "channels",
            AssetKind::Event => "events",
            AssetKind::AdAccount => "ad accounts",
            AssetKind::Content => "items of content",
        }
    }

    /// Parses a noun as used in reports (`Pages`, `accounts `, `Group`).
    pub fn from_noun(noun: &str) -> Option<AssetKind> {
        let lower = noun.trim().to_lowercase();
        let singular = lower.strip_suffix('s').unwrap_or(&lower);
        match singular {
            "account" | "profile" | "user" => Some(AssetKind::Account),
            "page" => Some(AssetKind::Page),
            "group" => Some(AssetKind::Group),
            "channel" => Some(AssetKind::Channel),
            "event" => Some(AssetKind::Event),
            "ad account" => Some(AssetKind::AdAccount),
            "post" | "video" | "item" | "content" => Some(AssetKind::Content),
            _ => None,
        }
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One social-media account, page, group or channel, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountRef {
    /// The platform it lives on.
    pub platform: Platform,
    /// The normalised handle (no `@`, case-folded where the platform ignores
    /// case) or, when only a numeric id is known, that id.
    pub handle: String,
    /// What it is: an account, a page, a group, a channel.
    pub kind: AssetKind,
}

impl AccountRef {
    /// A reference from a platform and a raw handle (`@Name`, `name`).
    pub fn new(platform: Platform, handle: &str, kind: AssetKind) -> Option<AccountRef> {
        let handle = normalise_handle(&platform, handle)?;
        Some(AccountRef {
            platform,
            handle,
            kind,
        })
    }

    /// The key two references share exactly when they name the same asset:
    /// `x:newwayforwardus`, `telegram:insider_md`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.platform.as_str(), self.handle)
    }

    /// A canonical profile URL for this reference.
    pub fn url(&self) -> String {
        let h = &self.handle;
        match &self.platform {
            Platform::Facebook if h.bytes().all(|b| b.is_ascii_digit()) => {
                format!("https://www.facebook.com/profile.php?id={h}")
            }
            Platform::Facebook if self.kind == AssetKind::Group => {
                format!("https://www.facebook.com/groups/{h}")
            }
            Platform::Facebook => format!("https://www.facebook.com/{h}"),
            Platform::Instagram => format!("https://www.instagram.com/{h}"),
            Platform::Threads => format!("https://www.threads.net/@{h}"),
            Platform::X => format!("https://x.com/{h}"),
            Platform::TikTok => format!("https://www.tiktok.com/@{h}"),
            Platform::Telegram => format!("https://t.me/{h}"),
            Platform::YouTube if h.starts_with("channel/") => {
                format!("https://www.youtube.com/{h}")
            }
            Platform::YouTube => format!("https://www.youtube.com/@{h}"),
            Platform::Vk => format!("https://vk.com/{h}"),
            Platform::OkRu => format!("https://ok.ru/{h}"),
            Platform::LinkedIn => format!("https://www.linkedin.com/in/{h}"),
            Platform::Reddit => format!("https://www.reddit.com/user/{h}"),
            Platform::Bluesky => format!("https://bsky.app/profile/{h}"),
            Platform::Rumble => format!("https://rumble.com/c/{h}"),
            Platform::Twitch => format!("https://www.twitch.tv/{h}"),
            Platform::Pinterest => format!("https://www.pinterest.com/{h}"),
            Platform::Medium => format!("https://medium.com/@{h}"),
            Platform::WhatsApp | Platform::Discord | Platform::Other(_) => {
                format!("{}:{h}", self.platform.as_str())
            }
        }
    }
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.handle)
    }
}

/// Normalises a handle for a platform: strips `@` and whitespace,
/// percent-decodes, folds case where the platform ignores it.
/// Returns `None` for an empty handle.
pub fn normalise_handle(platform: &Platform, raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_start_matches('@').trim_end_matches('/');
    let decoded = percent_decode(trimmed);
    let handle = if platform.handles_fold_case() {
        decoded.to_lowercase()
    } else {
        decoded
    };
    if handle.is_empty() || handle.chars().any(char::is_whitespace) {
        None
    } else {
        Some(handle)
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// First path segments that are site features, never account names.
const RESERVED_SEGMENTS: &[&str] = &[
    "i",
    "intent",
    "share",
    "sharer",
    "sharer.php",
    "home",
    "search",
    "explore",
    "hashtag",
    "watch",
    "login",
    "signup",
    "settings",
    "about",
    "help",
    "privacy",
    "policies",
    "legal",
    "tos",
    "messages",
    "notifications",
    "results",
    "feed",
    "embed",
    "p",
    "reel",
    "reels",
    "stories",
    "tv",
    "video",
    "videos",
    "photo",
    "photos",
    "dialog",
    "plugins",
    "tr",
    "ads",
    "addlist",
    "joinchat",
    "proxy",
    "discover",
    "tag",
    "music",
    "status",
    "shorts",
    "playlist",
];

/// Recognises a social-media account in a URL or URL-like string (defanged
/// forms accepted): `https://t[.]me/insider_md`, `x.com/Name`,
/// `www.youtube.com/@name`, `https://ok.ru/group/70000005349948`.
///
/// Post URLs resolve to their author where the URL names one
/// (`x.com/name/status/1` → `x:name`). Returns `None` for URLs that do not
/// name an account (home pages, search, share dialogs) or unknown hosts.
///
/// ```
/// use crosswatch_model::platform::{parse_account, Platform};
/// let account = parse_account("hxxps://www.tiktok[.]com/@Kishinev24").unwrap();
/// assert_eq!(account.platform, Platform::TikTok);
/// assert_eq!(account.handle, "kishinev24");
/// ```
pub fn parse_account(raw: &str) -> Option<AccountRef> {
    let live = refang(raw);
    let with_scheme = if live.contains("://") {
        live
    } else {
        format!("https://{live}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    let platform = Platform::from_host(host)?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|seg| !seg.is_empty()).collect())
        .unwrap_or_default();
    let query_id = || {
        url.query_pairs()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
    };
    let first = segments.first().copied();
    let second = segments.get(1).copied();
    let account = |handle: &str, kind: AssetKind| AccountRef::new(platform.clone(), handle, kind);
    let is_reserved = |seg: &str| RESERVED_SEGMENTS.contains(&seg.to_ascii_lowercase().as_str());

    match &platform {
        Platform::Facebook => match (first, second) {
            (Some("profile.php"), _) => account(&query_id()?, AssetKind::Account),
            (Some("groups"), Some(g)) => account(g, AssetKind::Group),
            (Some("pages"), _) => {
                let id = segments
                    .iter()
                    .rev()
                    .find(|s| s.bytes().all(|b| b.is_ascii_digit()))?;
                account(id, AssetKind::Page)
            }
            (Some("people"), _) => {
                let id = segments
                    .iter()
                    .rev()
                    .find(|s| s.bytes().all(|b| b.is_ascii_digit()))?;
                account(id, AssetKind::Account)
            }
            (Some(name), _) if !is_reserved(name) => account(name, AssetKind::Account),
            _ => None,
        },
        Platform::TikTok | Platform::Threads | Platform::Medium => {
            let name = first?.strip_prefix('@')?;
            account(name, AssetKind::Account)
        }
        Platform::YouTube => match (first, second) {
            (Some(at), _) if at.starts_with('@') => account(at, AssetKind::Channel),
            (Some("channel"), Some(id)) => AccountRef::new(
                platform.clone(),
                &format!("channel/{id}"),
                AssetKind::Channel,
            )
            .map(|mut a| {
                // Channel ids are case-sensitive.
                a.handle = format!("channel/{id}");
                a
            }),
            (Some("c" | "user"), Some(name)) => account(name, AssetKind::Channel),
            _ => None,
        },
        Platform::Telegram => match (first, second) {
            (Some("s"), Some(name)) => account(name, AssetKind::Channel),
            (Some(name), _) if !is_reserved(name) && !name.starts_with('+') => {
                account(name, AssetKind::Channel)
            }
            _ => None,
        },
        Platform::OkRu => match (first, second) {
            (Some("group"), Some(id)) => account(&format!("group/{id}"), AssetKind::Group),
            (Some("profile"), Some(id)) => account(&format!("profile/{id}"), AssetKind::Account),
            (Some(name), None) if !is_reserved(name) => account(name, AssetKind::Group),
            _ => None,
        },
        Platform::Vk => {
            let name = first.filter(|n| !is_reserved(n))?;
            let kind = if name.starts_with("club") || name.starts_with("public") {
                AssetKind::Group
            } else {
                AssetKind::Account
            };
            account(name, kind)
        }
        Platform::LinkedIn => match (first, second) {
            (Some("in"), Some(name)) => account(name, AssetKind::Account),
            (Some("company"), Some(name)) => account(name, AssetKind::Page),
            _ => None,
        },
        Platform::Reddit => match (first, second) {
            (Some("user" | "u"), Some(name)) => account(name, AssetKind::Account),
            (Some("r"), Some(name)) => account(&format!("r/{name}"), AssetKind::Group),
            _ => None,
        },
        Platform::Bluesky => match (first, second) {
            (Some("profile"), Some(name)) => account(name, AssetKind::Account),
            _ => None,
        },
        Platform::Rumble => match (first, second) {
            (Some("c" | "user"), Some(name)) => account(name, AssetKind::Channel),
            _ => None,
        },
        Platform::WhatsApp | Platform::Discord => None,
        Platform::X
        | Platform::Instagram
        | Platform::Twitch
        | Platform::Pinterest
        | Platform::Other(_) => {
            let name = first.filter(|n| !is_reserved(n))?;
            account(name, AssetKind::Account)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(raw: &str) -> Option<String> {
        parse_account(raw).map(|a| a.key())
    }

    #[test]
    fn same_account_across_url_forms() {
        let forms = [
            "x.com/NewWayForwardUS",
            "https://twitter.com/newwayforwardus",
            "hxxp://mobile.twitter[.]com/newwayforwardus/status/123",
            "x[.]com/newwayforwardus/",
        ];
        for form in forms {
            assert_eq!(key(form).as_deref(), Some("x:newwayforwardus"), "{form}");
        }
        assert_eq!(
            key("https://telegram.me/insider_md").as_deref(),
            Some("telegram:insider_md")
        );
        assert_eq!(
            key("http://t[.]me/s/Insider_MD").as_deref(),
            Some("telegram:insider_md")
        );
        assert_eq!(
            key("www.tiktok[.]com/@emilmitreaa").as_deref(),
            Some("tiktok:emilmitreaa")
        );
        assert_eq!(
            key("www.youtube[.]com/@M%C4%83tu%C8%99adela%C8%9Bar%C4%83-r4y").as_deref(),
            Some("youtube:mătușadelațară-r4y")
        );
        assert_eq!(
            key("https://ok[.]ru/group/70000005349948").as_deref(),
            Some("ok.ru:group/70000005349948")
        );
        assert_eq!(
            key("hxxp://vk[.]com/id464508604").as_deref(),
            Some("vk:id464508604")
        );
        assert_eq!(
            key("https://www.facebook.com/profile.php?id=100012345").as_deref(),
            Some("facebook:100012345")
        );
    }

    #[test]
    fn rejects_non_account_urls() {
        for url in [
            "https://x.com/",
            "https://x.com/i/flow/login",
            "https://www.facebook.com/sharer.php?u=x",
            "https://t.me/joinchat/abc",
            "https://example.com/name",
            "https://www.tiktok.com/discover",
            "mailto:a@b.c",
            "",
        ] {
            assert_eq!(key(url), None, "{url}");
        }
    }

    #[test]
    fn kinds_follow_url_shape() {
        assert_eq!(
            parse_account("https://www.facebook.com/groups/abc")
                .unwrap()
                .kind,
            AssetKind::Group
        );
        assert_eq!(
            parse_account("https://t.me/md_krot").unwrap().kind,
            AssetKind::Channel
        );
        assert_eq!(
            parse_account("https://vk.com/club123").unwrap().kind,
            AssetKind::Group
        );
    }

    #[test]
    fn platform_names() {
        assert_eq!("Twitter".parse::<Platform>().unwrap(), Platform::X);
        assert_eq!("ok.ru".parse::<Platform>().unwrap(), Platform::OkRu);
        assert_eq!(
            "www.tiktok.com".parse::<Platform>().unwrap(),
            Platform::TikTok
        );
        assert_eq!(
            Platform::from_host("de-de.facebook.com"),
            Some(Platform::Facebook)
        );
        assert_eq!(AssetKind::from_noun("Pages "), Some(AssetKind::Page));
        assert_eq!(AssetKind::from_noun("accounts"), Some(AssetKind::Account));
    }

    proptest! {
        #[test]
        fn parse_account_never_panics(s in "\\PC*") {
            let _ = parse_account(&s);
        }

        #[test]
        fn account_url_parses_back_to_same_key(handle in "[a-z][a-z0-9_]{2,14}") {
            for platform in [Platform::X, Platform::TikTok, Platform::Telegram, Platform::Instagram, Platform::YouTube] {
                let a = AccountRef::new(platform, &handle, AssetKind::Account).unwrap();
                let back = parse_account(&a.url()).unwrap();
                prop_assert_eq!(back.key(), a.key());
            }
        }
    }
}
