//! Turning raw field values into the object keys that are compared.
//!
//! Two shares only count as "the same object" after canonicalisation, so that
//! `HTTP://Example.com/a#top` and `http://example.com/a` meet. The URL and
//! domain rules are pluggable ([`Canonicalisers`]) so a fuller implementation
//! (public-suffix aware) can be injected without touching the data path; the
//! built-in fallbacks here are deliberately simple and documented as such.

use crate::NetworkKind;

/// A canonicalisation rule: raw value in, comparison key out (`None` drops
/// the value as unusable).
pub type Canonicaliser = fn(&str) -> Option<String>;

/// The pluggable rules used for URL-based networks.
#[derive(Clone, Copy, Debug)]
pub struct Canonicalisers {
    /// Canonical form of a URL (co-link).
    pub url: Canonicaliser,
    /// Registrable domain of a URL (co-domain).
    pub domain: Canonicaliser,
}

impl Default for Canonicalisers {
    fn default() -> Self {
        Self {
            url: simple_canonical_url,
            domain: simple_registrable_domain,
        }
    }
}

impl Canonicalisers {
    /// Rules that keep values exactly as written (trimmed), as the
    /// coordination-network-toolkit does; useful for side-by-side checks.
    pub fn verbatim() -> Self {
        Self {
            url: verbatim,
            domain: simple_registrable_domain,
        }
    }
}

fn verbatim(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Splits a field that may hold several values (URLs, hashtags) into parts.
pub(crate) fn split_values(kind: NetworkKind, value: &str) -> Vec<&str> {
    match kind {
        NetworkKind::CoLink | NetworkKind::CoDomain => split_on(value, b"|"),
        NetworkKind::CoHashtag => split_on(value, b",|;"),
        _ => vec![value],
    }
}

/// Splits on whitespace (as `char::is_whitespace`) and on the ASCII
/// `separators`, dropping empty parts. ASCII text, the usual case, is split
/// byte by byte; other text char by char, for its non-ASCII spaces.
fn split_on<'a>(value: &'a str, separators: &[u8]) -> Vec<&'a str> {
    if value.is_ascii() {
        // ASCII whitespace as `char::is_whitespace` sees it: \t \n \v \f \r and space.
        let splits = |byte: &u8| matches!(byte, b'\t'..=b'\r' | b' ') || separators.contains(byte);
        value
            .as_bytes()
            .split(splits)
            .filter(|part| !part.is_empty())
            // Splitting ASCII text at ASCII bytes leaves valid UTF-8.
            .filter_map(|part| std::str::from_utf8(part).ok())
            .collect()
    } else {
        value
            .split(|c: char| c.is_whitespace() || (c.is_ascii() && separators.contains(&(c as u8))))
            .filter(|part| !part.is_empty())
            .collect()
    }
}

/// The comparison key for one value of `kind`, or `None` when the value is
/// unusable (empty, not a URL, ...).
pub(crate) fn object_key(kind: NetworkKind, value: &str, rules: &Canonicalisers) -> Option<String> {
    match kind {
        NetworkKind::CoLink => (rules.url)(value),
        NetworkKind::CoDomain => (rules.domain)(value),
        NetworkKind::CoShare | NetworkKind::CoReply => verbatim(value),
        NetworkKind::CoHashtag => hashtag_key(value),
        NetworkKind::CoImage => image_key(value),
        NetworkKind::CoText => normalise_text(value),
        NetworkKind::CoPost => Some(String::new()),
    }
}

/// Case-folded hashtag without its `#`.
pub fn hashtag_key(value: &str) -> Option<String> {
    let tag = value.trim().trim_start_matches(['#', '＃']);
    (!tag.is_empty()).then(|| tag.to_lowercase())
}

/// Image hashes (PDQ hex or any other) compared exactly, case-insensitively.
pub fn image_key(value: &str) -> Option<String> {
    let hash = value.trim();
    (!hash.is_empty()).then(|| hash.to_ascii_lowercase())
}

/// Text normalised the way coordination-network-toolkit does for co-tweet:
/// lower-cased, `@mentions` removed, whitespace collapsed.
pub fn normalise_text(value: &str) -> Option<String> {
    let lowered = value.to_lowercase();
    let words: Vec<&str> = lowered
        .split_whitespace()
        .map(|word| match word.find('@') {
            Some(at) => &word[..at],
            None => word,
        })
        .filter(|word| !word.is_empty())
        .collect();
    let text = words.join(" ");
    (!text.is_empty()).then_some(text)
}

/// Word tokens of a text for co-text similarity, as coordination-network-
/// toolkit's co-similar-tweet tokeniser produces them: the Unicode (UAX #29)
/// word-boundary segments — words (with inner apostrophes and dots, as in
/// `don't`, `u.s.a`, `3.14`), each punctuation mark, each emoji, each
/// ideograph — without whitespace and without lone apostrophes. Give it the
/// output of [`normalise_text`] (lower-cased, mentions removed).
pub fn similarity_tokens(normalised: &str) -> impl Iterator<Item = &str> {
    use unicode_segmentation::UnicodeSegmentation;
    normalised
        .split_word_bounds()
        .filter(|segment| *segment != "'")
        .flat_map(|segment| segment.split(is_python_space))
        .filter(|token| !token.is_empty())
}

/// Whitespace as Python's `str.split()` sees it (the toolkit splits its
/// token string that way): Unicode white space plus the ASCII information
/// separators.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Splits `scheme://host/rest` into lower-cased scheme, host and the rest.
fn split_url(value: &str) -> Option<(String, String, &str)> {
    let value = value.trim();
    let (scheme, after_scheme) = match value.find("://") {
        Some(at) => (value[..at].to_ascii_lowercase(), &value[at + 3..]),
        None => ("http".to_owned(), value),
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let host_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..host_end];
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let mut host = host_port.to_ascii_lowercase();
    if let Some(port) = host.strip_suffix(":80").filter(|_| scheme == "http") {
        host = port.to_owned();
    } else if let Some(port) = host.strip_suffix(":443").filter(|_| scheme == "https") {
        host = port.to_owned();
    }
    let host = host.trim_end_matches('.').to_owned();
    if host.is_empty() || !host.contains('.') || host.contains(char::is_whitespace) {
        return None;
    }
    Some((scheme, host, &after_scheme[host_end..]))
}

/// Built-in URL canonicaliser: lower-cases scheme and host, drops default
/// ports, `www.`, the fragment, `utm_*` tracking parameters and a lone
/// trailing `/`. Values without a dotted host are rejected.
pub fn simple_canonical_url(value: &str) -> Option<String> {
    let (scheme, host, rest) = split_url(value)?;
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let scheme = if scheme == "https" {
        "http"
    } else {
        scheme.as_str()
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let path = path.trim_end_matches('/');
    let mut out = format!("{scheme}://{host}{path}");
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.to_ascii_lowercase().starts_with("utm_"))
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    Some(out)
}

/// Built-in registrable-domain fallback: the last two host labels, or three
/// under common two-level country suffixes (`co.uk`, `com.au`, ...). Not
/// public-suffix-list exact.
pub fn simple_registrable_domain(value: &str) -> Option<String> {
    let (_, host, _) = split_url(value)?;
    let labels: Vec<&str> = host.split('.').filter(|label| !label.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let n = labels.len();
    let second = labels[n - 2];
    let two_level = labels[n - 1].len() == 2
        && matches!(
            second,
            "co" | "com" | "org" | "net" | "gov" | "ac" | "edu" | "ne" | "or"
        );
    let take = if two_level && n >= 3 { 3 } else { 2 };
    Some(labels[n - take..].join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn urls_meet_after_canonicalisation() {
        let a = simple_canonical_url("HTTPS://WWW.Example.com:443/a/?utm_source=x#top");
        let b = simple_canonical_url("http://example.com/a");
        assert_eq!(a.as_deref(), Some("http://example.com/a"));
        assert_eq!(a, b);
        assert_eq!(
            simple_canonical_url("example.com/p?id=3&utm_medium=y").as_deref(),
            Some("http://example.com/p?id=3")
        );
        assert_eq!(simple_canonical_url("not a url"), None);
        assert_eq!(simple_canonical_url(""), None);
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(
            simple_registrable_domain("https://news.bbc.co.uk/x").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            simple_registrable_domain("http://a.b.example.org").as_deref(),
            Some("example.org")
        );
        assert_eq!(simple_registrable_domain("localhost"), None);
    }

    #[test]
    fn hashtags_text_and_images() {
        assert_eq!(hashtag_key("#Vote").as_deref(), Some("vote"));
        assert_eq!(hashtag_key("#"), None);
        assert_eq!(
            normalise_text("  Hello @bob   WORLD ").as_deref(),
            Some("hello world")
        );
        assert_eq!(image_key(" ABcd ").as_deref(), Some("abcd"));
        assert_eq!(
            split_values(NetworkKind::CoHashtag, "#a, #b  c"),
            vec!["#a", "#b", "c"]
        );
    }

    /// Expected token sets computed with coordination-network-toolkit 1.5.2
    /// (`similarity.tokenize`), which sorts and joins them with spaces.
    #[test]
    fn similarity_tokens_match_the_toolkit() {
        let cases = [
            ("hello, world!", "! , hello world"),
            ("'orange' is good", "good is orange"),
            ("don't stop", "don't stop"),
            ("a  b\tc\nd", "a b c d"),
            ("Hello @bob WORLD", "hello world"),
            (
                "e-mail foo.bar 3.14 1,000 U.S.A.",
                "- . 1,000 3.14 e foo.bar mail u.s.a",
            ),
            ("rock'n'roll 'tis", "rock'n'roll tis"),
            ("x '  y", "x y"),
            ("hi!!! ??", "! ? hi"),
            (
                "http://t.co/abc?x=1 #tag $5 50% a_b",
                "# $ % / 1 5 50 : = ? a_b abc http t.co tag x",
            ),
            ("日本語のテキスト", "の テキスト 日 本 語"),
            ("émoji 🔥🔥 done 👍🏽", "done émoji 👍🏽 🔥"),
            ("can't'", "can't"),
            ("''a", "a"),
            ("foo@bar.com x", "foo x"),
            ("a\u{3000}b", "a b"),
        ];
        for (text, expected) in cases {
            let normalised = normalise_text(text).unwrap_or_default();
            let mut tokens: Vec<&str> = similarity_tokens(&normalised).collect();
            tokens.sort_unstable();
            tokens.dedup();
            assert_eq!(tokens.join(" "), expected, "{text:?}");
        }
    }

    proptest! {
        /// The byte-wise fast path splits exactly as the char-wise rule.
        #[test]
        fn splitting_equals_the_char_rule(value in "[a#| ,;\t\u{b}\u{a0}\u{3000}\u{e9}x]{0,24}") {
            for (kind, separators) in [(NetworkKind::CoLink, "|"), (NetworkKind::CoHashtag, ",|;")] {
                let naive: Vec<&str> = value
                    .split(|c: char| c.is_whitespace() || separators.contains(c))
                    .filter(|part| !part.is_empty())
                    .collect();
                prop_assert_eq!(split_values(kind, &value), naive);
            }
        }

        #[test]
        fn canonicalisers_never_panic(value in any::<String>()) {
            let _ = simple_canonical_url(&value);
            let _ = simple_registrable_domain(&value);
            let _ = normalise_text(&value);
            let _ = hashtag_key(&value);
        }

        #[test]
        fn canonical_url_is_idempotent(host in "[a-z]{1,8}\\.[a-z]{2,3}", path in "(/[a-z0-9]{0,5}){0,3}") {
            let once = simple_canonical_url(&format!("https://{host}{path}"));
            prop_assert!(once.is_some());
            let twice = simple_canonical_url(once.as_deref().unwrap_or_default());
            prop_assert_eq!(once, twice);
        }
    }
}
