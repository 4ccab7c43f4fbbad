//! Look-alike domains of protected outlets.
//!
//! Influence operations such as "Doppelganger" cloned news sites on domains
//! that read like the real one: `spiegel.ltd` (another public suffix),
//! `theguardian.co.com` (a fake second-level suffix), `t-onlinr.com` (a typo),
//! `fazz.lol` (a doubled letter), `bild-d.beauty` (an appended token), or a
//! Cyrillic `е` in place of a Latin `e`. [`LookalikeIndex`] flags these for a
//! list of protected registrable domains.
//!
//! Every rule lives in one classifier ([`classify`]); the index only generates
//! candidates (exact label, hyphen-free label, UTS #39 skeleton, and the
//! symmetric-delete neighbourhood of each label) so a check costs a handful of
//! hash look-ups instead of a comparison with every protected name.

use std::fmt;

use rustc_hash::FxHashMap;

use crate::canon::{CanonError, canonical_domain};

/// How the observed label differs from the protected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelChange {
    /// Same label (`spiegel.ltd` for `spiegel.de`): only the suffix changed.
    Identical,
    /// Visually confusable characters (UTS #39 skeleton), e.g. Cyrillic `е`,
    /// `rn` for `m`, `0` for `o`.
    Homoglyph,
    /// Hyphens added or removed (`tonline` for `t-online`).
    Hyphenation,
    /// A letter doubled (`fazz` for `faz`).
    DoubledLetter,
    /// One of a doubled letter dropped (`bilt` is not; `dailymai` is not;
    /// `comercio` for `commercio` is).
    DroppedLetter,
    /// Two neighbouring letters swapped (`spigeel` for `spiegel`).
    Transposition,
    /// One letter replaced (`t-onlinr` for `t-online`).
    Substitution {
        /// The two letters are neighbours on a QWERTY/QWERTZ keyboard.
        adjacent_key: bool,
    },
    /// One letter inserted (`spiegeli` for `spiegel`).
    Insertion,
    /// One letter deleted (`20minuts` for `20minutes`).
    Deletion,
    /// A short token appended or prepended (`bild-d` for `bild`).
    AppendedToken,
}

impl LabelChange {
    fn name(self) -> &'static str {
        match self {
            LabelChange::Identical => "same-label",
            LabelChange::Homoglyph => "homoglyph",
            LabelChange::Hyphenation => "hyphenation",
            LabelChange::DoubledLetter => "doubled-letter",
            LabelChange::DroppedLetter => "dropped-letter",
            LabelChange::Transposition => "transposition",
            LabelChange::Substitution { adjacent_key: true } => "substitution-adjacent-key",
            LabelChange::Substitution {
                adjacent_key: false,
            } => "substitution",
            LabelChange::Insertion => "insertion",
            LabelChange::Deletion => "deletion",
            LabelChange::AppendedToken => "appended-token",
        }
    }

    fn score(self) -> f32 {
        match self {
            LabelChange::Identical => 1.0,
            LabelChange::Homoglyph => 0.95,
            LabelChange::Hyphenation => 0.9,
            LabelChange::DoubledLetter
            | LabelChange::DroppedLetter
            | LabelChange::Transposition
            | LabelChange::Substitution { adjacent_key: true } => 0.85,
            LabelChange::AppendedToken => 0.8,
            LabelChange::Substitution {
                adjacent_key: false,
            }
            | LabelChange::Insertion
            | LabelChange::Deletion => 0.75,
        }
    }
}

/// How the observed public suffix differs from the protected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuffixChange {
    /// Same public suffix.
    Same,
    /// Another public suffix (`spiegel.ltd` for `spiegel.de`).
    Swapped,
    /// A privately run second-level suffix that mimics a real one
    /// (`theguardian.co.com`, `bild.eu.com`).
    FakeSecondLevel,
}

/// Why an observed domain looks like a protected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LookalikeReason {
    /// Change to the label left of the public suffix.
    pub label: LabelChange,
    /// Change to the public suffix.
    pub suffix: SuffixChange,
}

impl fmt::Display for LookalikeReason {
    /// `tld-swap`, `fake-second-level-suffix`, `substitution-adjacent-key`,
    /// or a combination such as `doubled-letter+tld-swap`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = match self.suffix {
            SuffixChange::Same => None,
            SuffixChange::Swapped => Some("tld-swap"),
            SuffixChange::FakeSecondLevel => Some("fake-second-level-suffix"),
        };
        match (self.label, suffix) {
            (LabelChange::Identical, Some(suffix)) => f.write_str(suffix),
            (label, Some(suffix)) => write!(f, "{}+{}", label.name(), suffix),
            (label, None) => f.write_str(label.name()),
        }
    }
}

impl LookalikeReason {
    /// A score in (0, 1]: how confidently the domain imitates the protected one.
    pub fn score(&self) -> f32 {
        let suffix = match self.suffix {
            SuffixChange::Same | SuffixChange::FakeSecondLevel => 1.0,
            SuffixChange::Swapped => 0.9,
        };
        self.label.score() * suffix
    }
}

/// One protected domain that an observed domain imitates.
#[derive(Debug, Clone, PartialEq)]
pub struct LookalikeHit {
    /// The protected registrable domain (`spiegel.de`).
    pub protected: String,
    /// What was changed.
    pub reason: LookalikeReason,
    /// [`LookalikeReason::score`], kept here for sorting and printing.
    pub score: f32,
}

/// A protected registrable domain split for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProtectedEntry {
    domain: String,
    label: String,
    suffix: String,
    unhyphenated: String,
    skeleton: String,
}

/// An observed host split like a protected entry (borrowing from the host).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed<'a> {
    registrable: &'a str,
    label: &'a str,
    skeleton: std::borrow::Cow<'a, str>,
    suffix: &'a str,
    suffix_is_fake_second_level: bool,
}

/// Shortest label for which any one-character edit counts; shorter labels
/// (`faz`, `bild`, `welt`) collide with too many ordinary words, so for them
/// only doubled letters and dropped doubles are reported.
const MIN_LABEL_FOR_EDITS: usize = 5;
/// Longest token that may be appended to a protected label with a hyphen.
const MAX_APPENDED_TOKEN: usize = 6;
/// Shortest protected label that may have a token glued on without a hyphen.
const MIN_LABEL_FOR_GLUED_TOKEN: usize = 7;
/// Longest token glued on without a hyphen.
const MAX_GLUED_TOKEN: usize = 4;

/// Split a registrable domain (ASCII) into label and public suffix.
fn split_registrable(registrable: &str) -> Option<(&str, &str)> {
    let suffix = psl::suffix_str(registrable)?;
    let label = registrable
        .strip_suffix(suffix)
        .and_then(|head| head.strip_suffix('.'))?;
    if label.is_empty() || label.contains('.') {
        return None;
    }
    Some((label, suffix))
}

/// A privately run two-label suffix ending in a generic TLD (`co.com`,
/// `eu.com`, `uk.net`), as sold to look like a country registry.
fn is_fake_second_level(suffix: &str, typ: Option<psl::Type>) -> bool {
    let Some((first, last)) = suffix.split_once('.') else {
        return false;
    };
    typ == Some(psl::Type::Private)
        && !last.contains('.')
        && first.len() <= 3
        && matches!(last, "com" | "net" | "org")
}

fn parse_observed(host: &str) -> Option<Observed<'_>> {
    let suffix_info = psl::suffix(host.as_bytes())?.trim();
    let suffix = std::str::from_utf8(suffix_info.as_bytes()).ok()?;
    let head = host.strip_suffix(suffix)?.strip_suffix('.')?;
    let label = head.rsplit('.').next()?;
    if label.is_empty() {
        return None;
    }
    let registrable = host.get(host.len() - suffix.len() - 1 - label.len()..)?;
    Some(Observed {
        registrable,
        label,
        skeleton: skeleton_key_cow(label),
        suffix,
        suffix_is_fake_second_level: is_fake_second_level(suffix, suffix_info.typ()),
    })
}

fn unhyphenate(label: &str) -> String {
    label.replace('-', "")
}

/// The UTS #39 skeleton of a label (decoded from punycode), lowercased so
/// that `0`, `O` and `o` meet.
fn skeleton_key(ascii_label: &str) -> String {
    if !ascii_label.starts_with("xn--") && ascii_label.is_ascii() {
        // For ASCII, the skeleton is the concatenation of per-character
        // prototypes (NFD changes nothing), so a table lookup suffices.
        let table = ascii_skeleton_table();
        let mut key = String::with_capacity(ascii_label.len() + 4);
        for byte in ascii_label.bytes() {
            match table.get(usize::from(byte)) {
                Some(prototype) => key.push_str(prototype),
                None => key.push(char::from(byte)),
            }
        }
        return key;
    }
    let unicode;
    let label = match ascii_label.strip_prefix("xn--") {
        Some(encoded) => match idna::punycode::decode_to_string(encoded) {
            Some(decoded) => {
                unicode = decoded;
                unicode.as_str()
            }
            None => ascii_label,
        },
        None => ascii_label,
    };
    let mut key = String::with_capacity(label.len() + 4);
    for c in unicode_security::skeleton(label) {
        for lower in c.to_lowercase() {
            key.push(lower);
        }
    }
    key
}

/// [`skeleton_key`], borrowing the label when it is its own skeleton (most
/// lowercase ASCII labels), to spare an allocation per check.
fn skeleton_key_cow(ascii_label: &str) -> std::borrow::Cow<'_, str> {
    let table = ascii_skeleton_table();
    let unchanged = !ascii_label.starts_with("xn--")
        && ascii_label.bytes().all(|byte| {
            table
                .get(usize::from(byte))
                .is_some_and(|prototype| prototype.as_bytes() == [byte])
        });
    if unchanged {
        std::borrow::Cow::Borrowed(ascii_label)
    } else {
        std::borrow::Cow::Owned(skeleton_key(ascii_label))
    }
}

/// Lowercased UTS #39 prototype of every ASCII character.
fn ascii_skeleton_table() -> &'static [String; 128] {
    static TABLE: std::sync::OnceLock<[String; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|code| {
            let c = char::from(u8::try_from(code).unwrap_or(b'?'));
            let mut prototype = String::new();
            for mapped in unicode_security::skeleton(c.encode_utf8(&mut [0; 4])) {
                prototype.extend(mapped.to_lowercase());
            }
            prototype
        })
    })
}

fn protected_entry(domain: &str) -> Result<ProtectedEntry, CanonError> {
    let host = canonical_domain(domain)?;
    let invalid = || CanonError::InvalidDomain {
        input: domain.to_owned(),
    };
    let registrable = psl::domain_str(&host).ok_or_else(invalid)?;
    let (label, suffix) = split_registrable(registrable).ok_or_else(invalid)?;
    Ok(ProtectedEntry {
        domain: registrable.to_owned(),
        label: label.to_owned(),
        suffix: suffix.to_owned(),
        unhyphenated: unhyphenate(label),
        skeleton: skeleton_key(label),
    })
}

/// Optimal-string-alignment distance, stopping early above `limit`.
fn osa_distance(a: &[u8], b: &[u8], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let width = b.len() + 1;
    let mut two_back = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            if i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca) {
                best = best.min(two_back[j - 1] + 1);
            }
            current[j + 1] = best;
            row_min = row_min.min(best);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut two_back, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

const KEYBOARD_ROWS: [&[u8]; 4] = [b"1234567890", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

fn key_position(key: u8) -> Option<(usize, usize)> {
    KEYBOARD_ROWS
        .iter()
        .enumerate()
        .find_map(|(row, keys)| keys.iter().position(|&k| k == key).map(|col| (row, col)))
}

/// Neighbours on a QWERTY keyboard, also counting `y`/`z` (QWERTZ swap).
fn keyboard_adjacent(a: u8, b: u8) -> bool {
    if matches!((a, b), (b'y', b'z') | (b'z', b'y')) {
        return true;
    }
    let (Some((row_a, col_a)), Some((row_b, col_b))) = (key_position(a), key_position(b)) else {
        return false;
    };
    // Rows are staggered: a key touches col and col+1 of the row below.
    match row_a.cmp(&row_b) {
        std::cmp::Ordering::Equal => col_a.abs_diff(col_b) == 1,
        std::cmp::Ordering::Less if row_b == row_a + 1 => col_b + 1 == col_a || col_b == col_a,
        std::cmp::Ordering::Greater if row_a == row_b + 1 => col_a + 1 == col_b || col_a == col_b,
        _ => false,
    }
}

/// ASCII characters that read as one another in most fonts.
fn ascii_confusable(a: u8, b: u8) -> bool {
    const GROUPS: [&[u8]; 4] = [b"0o", b"1li", b"5s", b"2z"];
    GROUPS
        .iter()
        .any(|group| group.contains(&a) && group.contains(&b))
}

/// Classify a one-edit difference between `observed` and `protected`, both
/// ASCII labels at OSA distance 1.
fn classify_single_edit(observed: &[u8], protected: &[u8]) -> LabelChange {
    let first_diff = observed
        .iter()
        .zip(protected)
        .position(|(a, b)| a != b)
        .unwrap_or(observed.len().min(protected.len()));
    match observed.len().cmp(&protected.len()) {
        std::cmp::Ordering::Greater => {
            let inserted = observed.get(first_diff).copied();
            let doubled = first_diff > 0 && observed.get(first_diff - 1).copied() == inserted
                || observed.get(first_diff + 1).copied() == inserted;
            if doubled {
                LabelChange::DoubledLetter
            } else {
                LabelChange::Insertion
            }
        }
        std::cmp::Ordering::Less => {
            let dropped = protected.get(first_diff).copied();
            let was_double = first_diff > 0 && protected.get(first_diff - 1).copied() == dropped
                || protected.get(first_diff + 1).copied() == dropped;
            if was_double {
                LabelChange::DroppedLetter
            } else {
                LabelChange::Deletion
            }
        }
        std::cmp::Ordering::Equal => {
            let (Some(&a), Some(&b)) = (observed.get(first_diff), protected.get(first_diff)) else {
                return LabelChange::Identical;
            };
            let swapped = observed.get(first_diff + 1) == Some(&b)
                && protected.get(first_diff + 1) == Some(&a)
                && observed.get(first_diff + 2..) == protected.get(first_diff + 2..);
            if swapped {
                LabelChange::Transposition
            } else if ascii_confusable(a, b) {
                LabelChange::Homoglyph
            } else {
                LabelChange::Substitution {
                    adjacent_key: keyboard_adjacent(a, b),
                }
            }
        }
    }
}

fn appended_token(observed: &str, protected: &str) -> bool {
    if observed.len() <= protected.len() {
        return false;
    }
    if observed.contains('-') {
        let mut found = false;
        let mut other_len = 0;
        for part in observed.split('-') {
            if !found && part == protected {
                found = true;
            } else {
                other_len += part.len();
            }
        }
        if found && other_len > 0 && other_len <= MAX_APPENDED_TOKEN {
            return true;
        }
    }
    protected.len() >= MIN_LABEL_FOR_GLUED_TOKEN
        && observed.len() - protected.len() <= MAX_GLUED_TOKEN
        && observed.starts_with(protected)
        && observed
            .get(protected.len()..)
            .is_some_and(|tail| tail.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The single source of truth for the look-alike rules: does `observed`
/// imitate `protected`, and how? (The index only narrows down which protected
/// entries to ask about.)
fn classify(observed: &Observed<'_>, protected: &ProtectedEntry) -> Option<LookalikeReason> {
    if observed.registrable == protected.domain {
        return None;
    }
    let suffix = if observed.suffix == protected.suffix {
        SuffixChange::Same
    } else if observed.suffix_is_fake_second_level {
        SuffixChange::FakeSecondLevel
    } else {
        SuffixChange::Swapped
    };
    let label = label_change(observed, protected)?;
    if label == LabelChange::Identical && suffix == SuffixChange::Same {
        return None;
    }
    Some(LookalikeReason { label, suffix })
}

fn label_change(observed_parts: &Observed<'_>, protected: &ProtectedEntry) -> Option<LabelChange> {
    let observed = observed_parts.label;
    if observed == protected.label {
        return Some(LabelChange::Identical);
    }
    if protected.label.len() >= 3 {
        let distance = osa_distance(observed.as_bytes(), protected.label.as_bytes(), 1);
        if distance == 1 {
            let change = classify_single_edit(observed.as_bytes(), protected.label.as_bytes());
            let allowed = protected.label.len() >= MIN_LABEL_FOR_EDITS
                || matches!(
                    change,
                    LabelChange::DoubledLetter
                        | LabelChange::DroppedLetter
                        | LabelChange::Homoglyph
                );
            // A hyphen edit is a hyphenation, whatever the length.
            let hyphen_edit = observed.len() != protected.label.len()
                && unhyphenate(observed) == protected.unhyphenated;
            if hyphen_edit {
                return Some(LabelChange::Hyphenation);
            }
            if allowed {
                return Some(change);
            }
        }
    }
    if unhyphenate(observed) == protected.unhyphenated {
        return Some(LabelChange::Hyphenation);
    }
    if *observed_parts.skeleton == *protected.skeleton {
        return Some(LabelChange::Homoglyph);
    }
    if appended_token(observed, &protected.label) {
        return Some(LabelChange::AppendedToken);
    }
    None
}

type Slot = u32;

/// Protected domains indexed for fast look-alike checks.
///
/// ```
/// use crosswatch_matching::lookalike::LookalikeIndex;
/// let index = LookalikeIndex::from_list("spiegel.de\nfaz.net\n").unwrap();
/// let hits = index.check("spiegel.ltd");
/// assert_eq!(hits[0].protected, "spiegel.de");
/// assert_eq!(hits[0].reason.to_string(), "tld-swap");
/// assert!(index.check("www.spiegel.de").is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct LookalikeIndex {
    entries: Vec<Option<ProtectedEntry>>,
    free_slots: Vec<Slot>,
    by_domain: FxHashMap<String, Slot>,
    by_label: FxHashMap<String, Vec<Slot>>,
    by_unhyphenated: FxHashMap<String, Vec<Slot>>,
    by_skeleton: FxHashMap<String, Vec<Slot>>,
    by_deletion: FxHashMap<String, Vec<Slot>>,
}

/// A line of a protected list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {source}")]
pub struct ProtectedListError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong with it.
    pub source: CanonError,
}

/// Parse a protected list: one registrable domain per line, `#` starts a
/// comment, blank lines are skipped.
pub fn parse_protected_list(text: &str) -> Result<Vec<String>, ProtectedListError> {
    let mut domains = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let entry = protected_entry(content).map_err(|source| ProtectedListError {
            line: number + 1,
            source,
        })?;
        domains.push(entry.domain);
    }
    Ok(domains)
}

/// An example protected list of major EU and US news outlets.
pub const EXAMPLE_PROTECTED_NEWS_OUTLETS: &str = include_str!("../data/protected-news-outlets.txt");

impl LookalikeIndex {
    /// An empty index.
    pub fn new() -> LookalikeIndex {
        LookalikeIndex::default()
    }

    /// Build an index from a protected list (see [`parse_protected_list`]).
    pub fn from_list(text: &str) -> Result<LookalikeIndex, ProtectedListError> {
        let mut index = LookalikeIndex::new();
        for domain in parse_protected_list(text)? {
            // Already validated by the parser.
            let _ = index.insert(&domain);
        }
        Ok(index)
    }

    /// The index over [`EXAMPLE_PROTECTED_NEWS_OUTLETS`].
    pub fn example_news_outlets() -> LookalikeIndex {
        LookalikeIndex::from_list(EXAMPLE_PROTECTED_NEWS_OUTLETS).unwrap_or_default()
    }

    /// Number of protected domains.
    pub fn len(&self) -> usize {
        self.by_domain.len()
    }

    /// Whether no domain is protected.
    pub fn is_empty(&self) -> bool {
        self.by_domain.is_empty()
    }

    /// The protected registrable domains, in no particular order.
    pub fn protected_domains(&self) -> impl Iterator<Item = &str> {
        self.by_domain.keys().map(String::as_str)
    }

    /// Protect a domain (any host under it is reduced to its registrable
    /// domain). Returns `false` if it was already protected.
    pub fn insert(&mut self, domain: &str) -> Result<bool, CanonError> {
        let entry = protected_entry(domain)?;
        if self.by_domain.contains_key(&entry.domain) {
            return Ok(false);
        }
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                let slot =
                    Slot::try_from(self.entries.len()).map_err(|_| CanonError::InvalidDomain {
                        input: domain.to_owned(),
                    })?;
                self.entries.push(None);
                slot
            }
        };
        for (map, key) in self.keys_of(&entry) {
            map_of(self, map).entry(key).or_default().push(slot);
        }
        self.by_domain.insert(entry.domain.clone(), slot);
        if let Some(place) = self.entries.get_mut(slot as usize) {
            *place = Some(entry);
        }
        Ok(true)
    }

    /// Stop protecting a domain. Returns `false` if it was not protected.
    pub fn remove(&mut self, domain: &str) -> bool {
        let Ok(entry) = protected_entry(domain) else {
            return false;
        };
        let Some(slot) = self.by_domain.remove(&entry.domain) else {
            return false;
        };
        for (map, key) in self.keys_of(&entry) {
            let index_map = map_of(self, map);
            if let Some(slots) = index_map.get_mut(&key) {
                slots.retain(|&s| s != slot);
                if slots.is_empty() {
                    index_map.remove(&key);
                }
            }
        }
        if let Some(place) = self.entries.get_mut(slot as usize) {
            *place = None;
        }
        self.free_slots.push(slot);
        true
    }

    fn keys_of(&self, entry: &ProtectedEntry) -> Vec<(MapId, String)> {
        let mut keys = vec![
            (MapId::Label, entry.label.clone()),
            (MapId::Unhyphenated, entry.unhyphenated.clone()),
            (MapId::Skeleton, entry.skeleton.clone()),
        ];
        if entry.label.len() >= 3 {
            keys.push((MapId::Deletion, entry.label.clone()));
            let mut seen: Vec<String> = Vec::new();
            for deletion in single_deletions(&entry.label) {
                if !seen.contains(&deletion) {
                    seen.push(deletion.clone());
                    keys.push((MapId::Deletion, deletion));
                }
            }
        }
        keys
    }

    /// Look-alike hits for an observed domain, host or URL, best first.
    /// Invalid input gives no hits; use [`LookalikeIndex::try_check`] to see why.
    pub fn check(&self, observed: &str) -> Vec<LookalikeHit> {
        self.try_check(observed).unwrap_or_default()
    }

    /// Like [`LookalikeIndex::check`], but reports input that is not a domain.
    pub fn try_check(&self, observed: &str) -> Result<Vec<LookalikeHit>, CanonError> {
        let host = canonical_domain(observed)?;
        let Some(observed) = parse_observed(&host) else {
            return Ok(Vec::new());
        };
        if self.by_domain.contains_key(observed.registrable) {
            return Ok(Vec::new());
        }
        let mut candidates: Vec<Slot> = Vec::new();
        let mut add = |slots: Option<&Vec<Slot>>| {
            if let Some(slots) = slots {
                for &slot in slots {
                    if !candidates.contains(&slot) {
                        candidates.push(slot);
                    }
                }
            }
        };
        let label = observed.label;
        add(self.by_label.get(label));
        add(self.by_deletion.get(label));
        // Labels are ASCII (punycode) and at most 63 bytes: delete each byte
        // into a stack buffer instead of allocating a string per deletion.
        let bytes = label.as_bytes();
        let mut buffer = [0u8; 64];
        if bytes.len() <= buffer.len() {
            for position in 0..bytes.len() {
                let (head, rest) = bytes.split_at(position);
                let tail = rest.get(1..).unwrap_or_default();
                let Some(slot) = buffer.get_mut(..head.len() + tail.len()) else {
                    continue;
                };
                let (head_slot, tail_slot) = slot.split_at_mut(head.len());
                head_slot.copy_from_slice(head);
                tail_slot.copy_from_slice(tail);
                if let Ok(deleted) = std::str::from_utf8(slot) {
                    add(self.by_deletion.get(deleted));
                }
            }
        }
        if label.contains('-') {
            add(self.by_unhyphenated.get(unhyphenate(label).as_str()));
            for part in label.split('-') {
                add(self.by_label.get(part));
            }
        } else {
            add(self.by_unhyphenated.get(label));
        }
        for cut in label.len().saturating_sub(MAX_GLUED_TOKEN)..label.len() {
            if cut >= MIN_LABEL_FOR_GLUED_TOKEN
                && let Some(prefix) = label.get(..cut)
            {
                add(self.by_label.get(prefix));
            }
        }
        add(self.by_skeleton.get(&*observed.skeleton));

        let mut hits: Vec<LookalikeHit> = candidates
            .into_iter()
            .filter_map(|slot| self.entries.get(slot as usize)?.as_ref())
            .filter_map(|entry| {
                let reason = classify(&observed, entry)?;
                Some(LookalikeHit {
                    protected: entry.domain.clone(),
                    reason,
                    score: reason.score(),
                })
            })
            .collect();
        sort_hits(&mut hits);
        Ok(hits)
    }

    /// The same answer as [`LookalikeIndex::try_check`], computed by comparing
    /// with every protected domain. Slow; the reference for tests and for
    /// measuring what the index saves.
    pub fn check_exhaustive(&self, observed: &str) -> Result<Vec<LookalikeHit>, CanonError> {
        let host = canonical_domain(observed)?;
        let Some(observed) = parse_observed(&host) else {
            return Ok(Vec::new());
        };
        if self.by_domain.contains_key(observed.registrable) {
            return Ok(Vec::new());
        }
        let mut hits: Vec<LookalikeHit> = self
            .entries
            .iter()
            .flatten()
            .filter_map(|entry| {
                let reason = classify(&observed, entry)?;
                Some(LookalikeHit {
                    protected: entry.domain.clone(),
                    reason,
                    score: reason.score(),
                })
            })
            .collect();
        sort_hits(&mut hits);
        Ok(hits)
    }
}

fn sort_hits(hits: &mut [LookalikeHit]) {
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.protected.cmp(&b.protected))
    });
}

#[derive(Clone, Copy)]
enum MapId {
    Label,
    Unhyphenated,
    Skeleton,
    Deletion,
}

fn map_of(index: &mut LookalikeIndex, map: MapId) -> &mut FxHashMap<String, Vec<Slot>> {
    match map {
        MapId::Label => &mut index.by_label,
        MapId::Unhyphenated => &mut index.by_unhyphenated,
        MapId::Skeleton => &mut index.by_skeleton,
        MapId::Deletion => &mut index.by_deletion,
    }
}

fn single_deletions(label: &str) -> impl Iterator<Item = String> + '_ {
    label.char_indices().map(move |(position, c)| {
        let mut deleted = String::with_capacity(label.len());
        deleted.push_str(label.get(..position).unwrap_or_default());
        deleted.push_str(label.get(position + c.len_utf8()..).unwrap_or_default());
        deleted
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static OUTLETS: LazyLock<LookalikeIndex> = LazyLock::new(LookalikeIndex::example_news_outlets);

    fn index(domains: &[&str]) -> LookalikeIndex {
        let mut index = LookalikeIndex::new();
        for domain in domains {
            assert!(index.insert(domain).unwrap(), "{domain} inserted twice");
        }
        index
    }

    /// The best hit for `observed` against the example outlets, as
    /// (protected, reason).
    fn best(observed: &str) -> Option<(String, String)> {
        OUTLETS
            .check(observed)
            .first()
            .map(|hit| (hit.protected.clone(), hit.reason.to_string()))
    }

    fn assert_best(observed: &str, protected: &str, reason: &str) {
        assert_eq!(
            best(observed),
            Some((protected.to_owned(), reason.to_owned())),
            "{observed}"
        );
    }

    #[test]
    fn doppelganger_tld_swaps() {
        assert_best("spiegel.ltd", "spiegel.de", "tld-swap");
        assert_best("washingtonpost.pm", "washingtonpost.com", "tld-swap");
        assert_best("bild.pics", "bild.de", "tld-swap");
        assert_best("welt.tours", "welt.de", "tld-swap");
        assert_best("repubblica.life", "repubblica.it", "tld-swap");
    }

    #[test]
    fn same_label_under_another_registry_of_the_same_country_is_a_swap() {
        // dailymail.co.uk → dailymail.top: label kept, suffix swapped.
        assert_best("dailymail.top", "dailymail.co.uk", "tld-swap");
    }

    #[test]
    fn doppelganger_fake_second_level_suffix() {
        assert_best(
            "theguardian.co.com",
            "theguardian.com",
            "fake-second-level-suffix",
        );
        assert_best("bild.eu.com", "bild.de", "fake-second-level-suffix");
    }

    #[test]
    fn doppelganger_doubled_letter_on_a_short_label() {
        assert_best("fazz.lol", "faz.net", "doubled-letter+tld-swap");
    }

    #[test]
    fn doppelganger_adjacent_key_substitution() {
        assert_best(
            "t-onlinr.com",
            "t-online.de",
            "substitution-adjacent-key+tld-swap",
        );
    }

    #[test]
    fn doppelganger_deletion() {
        assert_best("20minuts.com", "20minutes.fr", "deletion+tld-swap");
    }

    #[test]
    fn doppelganger_appended_token() {
        assert_best("bild-d.beauty", "bild.de", "appended-token+tld-swap");
    }

    #[test]
    fn insertion_and_transposition_and_plain_substitution() {
        assert_best("spiegeli.life", "spiegel.de", "insertion+tld-swap");
        assert_best("spigeel.de", "spiegel.de", "transposition");
        assert_best("spiegal.de", "spiegel.de", "substitution");
    }

    #[test]
    fn dropped_double_letter() {
        assert_best("blomberg.com", "bloomberg.com", "dropped-letter");
        assert_best("dailymail.com", "dailymail.co.uk", "tld-swap");
    }

    #[test]
    fn hyphenation() {
        assert_best("tonline.cfd", "t-online.de", "hyphenation+tld-swap");
        assert_best("nd-aktuell.net", "nd-aktuell.de", "tld-swap");
        assert_best("ndaktuell.de", "nd-aktuell.de", "hyphenation");
    }

    #[test]
    fn homoglyphs_unicode_and_ascii() {
        // Cyrillic е (U+0435) in place of Latin e.
        assert_best("wеlt.de", "welt.de", "homoglyph");
        assert_best("bloornberg.com", "bloomberg.com", "homoglyph");
        assert_best("sp1egel.de", "spiegel.de", "homoglyph");
        // Cyrillic і (U+0456) in place of Latin i, given as punycode.
        let punycode = idna::domain_to_ascii("sp\u{0456}egel.de").unwrap();
        assert!(punycode.starts_with("xn--"), "{punycode}");
        assert_best(&punycode, "spiegel.de", "homoglyph");
    }

    #[test]
    fn protected_domains_and_their_subdomains_are_not_hits() {
        assert_eq!(best("spiegel.de"), None);
        assert_eq!(best("www.spiegel.de"), None);
        assert_eq!(best("https://m.bild.de/politik"), None);
        assert_eq!(best("edition.cnn.com"), None);
    }

    #[test]
    fn short_labels_do_not_match_ordinary_words() {
        // bild (4 letters): `build`, `bold`, `wild` are not typos of it.
        assert_eq!(best("build.com"), None);
        assert_eq!(best("bold.com"), None);
        assert_eq!(best("wild.org"), None);
        assert_eq!(best("google.com"), None);
        assert_eq!(best("wikipedia.org"), None);
    }

    #[test]
    fn urls_and_defanged_input_are_accepted() {
        assert_best(
            "hxxps://www.spiegel[.]ltd/politik/",
            "spiegel.de",
            "tld-swap",
        );
    }

    #[test]
    fn invalid_input_is_reported_not_panicked() {
        assert!(OUTLETS.try_check("").is_err());
        assert!(OUTLETS.try_check("not a domain").is_err());
        assert!(OUTLETS.check("a..b").is_empty());
    }

    #[test]
    fn insert_and_remove_are_incremental() {
        let mut index = index(&["spiegel.de"]);
        assert_eq!(index.check("spiegel.ltd").len(), 1);
        assert!(!index.insert("www.spiegel.de").unwrap());
        assert!(index.remove("spiegel.de"));
        assert!(index.check("spiegel.ltd").is_empty());
        assert!(!index.remove("spiegel.de"));
        index.insert("welt.de").unwrap();
        index.insert("spiegel.de").unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index.check("spiegel.ltd")[0].protected, "spiegel.de");
        assert_eq!(index.check("welt.ltd")[0].protected, "welt.de");
    }

    #[test]
    fn protected_list_reports_bad_line_numbers() {
        let err = LookalikeIndex::from_list("# outlets\nspiegel.de\n\nnot a domain\n").unwrap_err();
        assert_eq!(err.line, 4);
        let index = LookalikeIndex::from_list("spiegel.de # Der Spiegel\n\n").unwrap();
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn example_list_loads_fully() {
        let listed = EXAMPLE_PROTECTED_NEWS_OUTLETS
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .count();
        assert!(listed > 150);
        assert_eq!(LookalikeIndex::example_news_outlets().len(), listed);
    }

    #[test]
    fn keyboard_adjacency() {
        assert!(keyboard_adjacent(b'e', b'r'));
        assert!(keyboard_adjacent(b'e', b'd'));
        assert!(keyboard_adjacent(b'z', b'y'));
        assert!(!keyboard_adjacent(b'e', b'p'));
    }

    #[test]
    fn osa_distance_matches_known_values() {
        assert_eq!(osa_distance(b"spiegel", b"spiegel", 2), 0);
        assert_eq!(osa_distance(b"spiegel", b"spigeel", 2), 1);
        assert_eq!(osa_distance(b"faz", b"fazz", 2), 1);
        assert_eq!(osa_distance(b"abc", b"xyz", 1), 2);
    }

    fn label_strategy() -> impl Strategy<Value = String> {
        // A small alphabet so that random labels often collide.
        // Cyrillic е and і make punycode labels that meet Latin ones only
        // through their skeletons.
        "[abe0ilmеі-]{1,8}".prop_filter("labels cannot start or end with a hyphen", |label| {
            !label.starts_with('-') && !label.ends_with('-')
        })
    }

    fn domain_strategy() -> impl Strategy<Value = String> {
        (
            label_strategy(),
            prop::sample::select(vec!["de", "com", "co.uk", "co.com", "ltd", "ru"]),
        )
            .prop_map(|(label, suffix)| format!("{label}.{suffix}"))
    }

    proptest! {
        #[test]
        fn index_agrees_with_exhaustive_reference(
            protected in prop::collection::vec(domain_strategy(), 0..20),
            removed in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
            observed in prop::collection::vec(domain_strategy(), 1..20),
        ) {
            let mut index = LookalikeIndex::new();
            for domain in &protected {
                // A few generated names are not valid IDNA; they are skipped.
                let _ = index.insert(domain);
            }
            if !protected.is_empty() {
                for pick in &removed {
                    let domain: &String = pick.get(&protected);
                    index.remove(domain);
                }
            }
            for domain in &observed {
                let fast = index.try_check(domain);
                let slow = index.check_exhaustive(domain);
                prop_assert_eq!(fast, slow, "{}", domain);
            }
        }

        #[test]
        fn check_never_panics(observed in "\\PC{0,40}") {
            let _ = OUTLETS.try_check(&observed);
        }
    }
}
