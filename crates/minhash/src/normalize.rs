//! Text normalisation before shingling.
//!
//! Copy-pasted narratives are re-posted with cosmetic changes: different
//! case, full-width or stylised letters, extra punctuation and emoji,
//! tracking links. Normalising those away first makes near-duplicates share
//! shingles without depending on any particular language.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{UnicodeNormalization, is_nfc};

/// What [`normalize`] removes besides case, punctuation and symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Drop URLs (`scheme://…` and `www.…` up to the next whitespace), which
    /// differ between copies through tracking parameters and shorteners.
    pub strip_urls: bool,
    /// Drop combining marks (accents, Arabic harakat, stacked "Zalgo" marks)
    /// so that `café` and `cafe` match. Off by default because in Thai and
    /// Indic scripts vowel signs are marks too, and dropping them merges
    /// distinct words.
    pub strip_marks: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self {
            strip_urls: true,
            strip_marks: false,
        }
    }
}

/// Normalises `text` for shingling: Unicode NFKC, case folding, punctuation
/// and symbols turned into word breaks, whitespace collapsed to single
/// spaces, and (per `options`) URLs and combining marks dropped.
///
/// ```
/// use crosswatch_minhash::{normalize, NormalizeOptions};
/// let text = "  ＢＲＥＡＫＩＮＧ!!  The ELECTION was rigged… https://t.co/x?ref=1 🔥";
/// assert_eq!(normalize(text, &NormalizeOptions::default()), "breaking the election was rigged");
/// ```
pub fn normalize(text: &str, options: &NormalizeOptions) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, options, &mut out);
    out
}

/// Like [`normalize`] but writes into `out` (cleared first), so that batch
/// callers can reuse one buffer.
pub fn normalize_into(text: &str, options: &NormalizeOptions, out: &mut String) {
    out.clear();
    let composed: Cow<'_, str> = if text.is_ascii() {
        // NFKC leaves ASCII unchanged; skipping it is the common fast path.
        Cow::Borrowed(text)
    } else if options.strip_marks {
        Cow::Owned(
            text.nfkd()
                .filter(|&ch| !is_combining_mark(ch))
                .nfc()
                .collect(),
        )
    } else {
        Cow::Owned(text.nfkc().collect())
    };
    let mut pending_break = false;
    for token in composed.split_whitespace() {
        let kept = if options.strip_urls {
            match url_start(token) {
                Some(start) => &token[..start],
                None => token,
            }
        } else {
            token
        };
        for ch in kept.chars() {
            push_folded(ch, out, &mut pending_break);
        }
        pending_break = true;
    }
    if !out.is_ascii() && !is_nfc(out) {
        // Folding can leave a base letter before a combining mark that NFC
        // composes (`ẞ` + U+0301 → `ss` + U+0301 → `sś`); recompose so that
        // normalising twice changes nothing.
        *out = out.nfc().collect();
    }
}

/// Appends the case-folded form of `ch`, or records a word break for
/// punctuation and symbols.
#[inline]
fn push_folded(ch: char, out: &mut String, pending_break: &mut bool) {
    if ch.is_ascii() {
        if ch.is_ascii_alphanumeric() {
            push_break_if_pending(out, pending_break);
            out.push(ch.to_ascii_lowercase());
        } else {
            *pending_break = true;
        }
        return;
    }
    if is_invisible(ch) {
        return;
    }
    if !(ch.is_alphanumeric() || is_combining_mark(ch)) {
        *pending_break = true;
        return;
    }
    push_break_if_pending(out, pending_break);
    match ch {
        // Full case folding: final sigma and sharp s fold like their
        // ordinary forms so that casing differences do not split words.
        'ς' => out.push('σ'),
        'ß' | 'ẞ' => out.push_str("ss"),
        _ => out.extend(ch.to_lowercase()),
    }
}

#[inline]
fn push_break_if_pending(out: &mut String, pending_break: &mut bool) {
    if *pending_break && !out.is_empty() {
        out.push(' ');
    }
    *pending_break = false;
}

/// Characters that change nothing visible and are used to make copies look
/// different: zero-width spaces and joiners, soft hyphens, byte-order marks,
/// the Arabic tatweel (kashida) that only stretches a word.
fn is_invisible(ch: char) -> bool {
    matches!(
        ch,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{0640}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Byte offset where a URL starts inside a whitespace-free token, if any.
fn url_start(token: &str) -> Option<usize> {
    let bytes = token.as_bytes();
    if let Some(sep) = find_ascii_case_insensitive(bytes, b"://") {
        let mut start = sep;
        while start > 0 {
            let b = bytes[start - 1];
            if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.') {
                start -= 1;
            } else {
                break;
            }
        }
        if start < sep {
            return Some(start);
        }
    }
    let www = find_ascii_case_insensitive(bytes, b"www.")?;
    let at_word_start = www == 0 || !bytes[www - 1].is_ascii_alphanumeric();
    at_word_start.then_some(www)
}

fn find_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalize(text, &NormalizeOptions::default())
    }

    #[test]
    fn latin_with_diacritics_keeps_composed_letters() {
        // Decomposed "e + combining acute" composes to the same "é".
        assert_eq!(norm("Café CRÈME"), "café crème");
        assert_eq!(norm("Cafe\u{0301} cre\u{0300}me"), "café crème");
        assert_eq!(norm("Straße STRASSE"), "strasse strasse");
    }

    #[test]
    fn strip_marks_removes_accents_and_zalgo() {
        let options = NormalizeOptions {
            strip_marks: true,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize("Café crème", &options), "cafe creme");
        assert_eq!(
            normalize("Z\u{0351}\u{0357}a\u{036B}lgo", &options),
            "zalgo"
        );
        // Hangul syllables survive the decompose/recompose round trip.
        assert_eq!(normalize("한국어", &options), "한국어");
    }

    #[test]
    fn cyrillic_is_case_folded() {
        assert_eq!(
            norm("ВЫБОРЫ — Сфальсифицированы!"),
            "выборы сфальсифицированы"
        );
    }

    #[test]
    fn greek_final_sigma_folds() {
        assert_eq!(norm("ΟΔΟΣ οδος οδοσ"), "οδοσ οδοσ οδοσ");
    }

    #[test]
    fn arabic_drops_tatweel_and_punctuation() {
        assert_eq!(norm("الانتخابـــات مزورة؟!"), "الانتخابات مزورة");
    }

    #[test]
    fn cjk_without_spaces_keeps_characters_and_breaks_at_punctuation() {
        assert_eq!(
            norm("选举被操纵了！真相在这里。"),
            "选举被操纵了 真相在这里"
        );
        // Full-width forms and the ideographic space fold through NFKC.
        assert_eq!(norm("ＡＢＣ　１２３"), "abc 123");
        assert_eq!(norm("東京タワー、ﾃｽﾄ"), "東京タワー テスト");
    }

    #[test]
    fn thai_keeps_vowel_marks() {
        assert_eq!(norm("การเลือกตั้ง"), "การเลือกตั้ง");
    }

    #[test]
    fn urls_are_dropped_only_when_asked() {
        assert_eq!(norm("read (https://example.com/a?b=1) now"), "read now");
        assert_eq!(norm("see:HTTP://x.y/z and www.example.org"), "see and");
        assert_eq!(norm("awww.cute"), "awww cute");
        let keep = NormalizeOptions {
            strip_urls: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize("go https://a.b/c", &keep), "go https a b c");
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        assert_eq!(norm("elec\u{200B}tion rig\u{00AD}ged"), "election rigged");
    }

    #[test]
    fn symbols_and_emoji_become_breaks_and_whitespace_collapses() {
        assert_eq!(norm("🔥🔥WAKE\tUP🔥 \n\n people  "), "wake up people");
        assert_eq!(norm("!!!"), "");
        assert_eq!(norm(""), "");
    }

    #[test]
    fn normalize_into_reuses_buffer() {
        let mut buffer = String::from("stale");
        normalize_into("Fresh Text", &NormalizeOptions::default(), &mut buffer);
        assert_eq!(buffer, "fresh text");
    }
}
