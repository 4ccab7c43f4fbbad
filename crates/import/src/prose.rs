//! Reading the numbers and places that indicator files write as prose:
//! `23 Pages`, `About $1,300 in spending`, `originating in and targeting
//! Moldova`, file names such as `Q4_2024_BENIN_BASED_CIB_NETWORK.csv`.

use crosswatch_model::country::countries_named_in;
use crosswatch_model::{AssetKind, CountryCode, Platform};

const NUMBER_WORDS: [&str; 11] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// Parses a number written as digits with thousands separators (`18,000`)
/// or as a small English word (`one`).
pub fn parse_number(token: &str) -> Option<u64> {
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    if let Some(n) = NUMBER_WORDS
        .iter()
        .position(|w| w.eq_ignore_ascii_case(token))
    {
        return Some(n as u64);
    }
    if token.is_empty() || !token.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = token.chars().filter(|c| *c != ',').collect();
    digits.parse().ok()
}

/// A cell such as `7 accounts `, `23 Pages`, `1 Groups`: the count and the
/// kind of asset. `None` when the cell is not a bare count of assets.
pub fn asset_count_cell(cell: &str) -> Option<(u64, AssetKind)> {
    let mut words = cell.split_whitespace();
    let count = parse_number(words.next()?)?;
    let noun: Vec<&str> = words.collect();
    if noun.is_empty() || noun.len() > 2 {
        return None;
    }
    AssetKind::from_noun(&noun.join(" ")).map(|kind| (count, kind))
}

/// Finds the platform a kill-chain procedure names: `0.9.2 Acquiring
/// Instagram accounts` → Instagram, `0.9.4 Acquiring X / Twitter accounts` → X.
pub fn platform_in(text: &str) -> Option<Platform> {
    let lower = text.to_lowercase();
    const NAMES: &[(&str, Platform)] = &[
        ("facebook", Platform::Facebook),
        ("instagram", Platform::Instagram),
        ("threads", Platform::Threads),
        ("whatsapp", Platform::WhatsApp),
        ("twitter", Platform::X),
        ("x /", Platform::X),
        ("tiktok", Platform::TikTok),
        ("telegram", Platform::Telegram),
        ("youtube", Platform::YouTube),
        ("vkontakte", Platform::Vk),
        ("odnoklassniki", Platform::OkRu),
        ("ok.ru", Platform::OkRu),
        ("linkedin", Platform::LinkedIn),
        ("reddit", Platform::Reddit),
        ("pinterest", Platform::Pinterest),
        ("twitch", Platform::Twitch),
        ("rumble", Platform::Rumble),
        ("bluesky", Platform::Bluesky),
        ("discord", Platform::Discord),
        ("medium", Platform::Medium),
    ];
    NAMES
        .iter()
        .find(|(name, _)| lower.contains(name))
        .map(|(_, p)| p.clone())
        .or_else(|| {
            lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "vk")
                .then_some(Platform::Vk)
        })
}

/// Asset counts in a takedown sentence: "we removed 15 Facebook accounts, 6
/// Pages, 7 Groups, and 4 Instagram accounts". Only sentences that say
/// something was removed count, so follower numbers are not mistaken for
/// assets. A platform named before a noun carries forward; Pages and Groups
/// with no platform named are Facebook's.
pub fn asset_counts_in_prose(text: &str) -> Vec<(Platform, AssetKind, u64)> {
    let mut out: Vec<(Platform, AssetKind, u64)> = Vec::new();
    for sentence in sentences(text) {
        let lower = sentence.to_lowercase();
        if ![
            "removed",
            "actioned",
            "took down",
            "taken down",
            "disrupted",
        ]
        .iter()
        .any(|verb| lower.contains(verb))
        {
            continue;
        }
        let words: Vec<&str> = sentence.split_whitespace().collect();
        let mut platform: Option<Platform> = None;
        let mut i = 0;
        while i < words.len() {
            let Some(count) = parse_number(words[i]) else {
                i += 1;
                continue;
            };
            // Skip numbers that are part of money or years.
            if words[i].starts_with('$') {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if let Some(next) = words.get(j)
                && let Some(p) = platform_in(next)
            {
                platform = Some(p);
                j += 1;
            }
            if let Some(noun) = words.get(j)
                && let Some(kind) =
                    AssetKind::from_noun(noun.trim_matches(|c: char| !c.is_alphanumeric()))
            {
                let p = platform.clone().unwrap_or(Platform::Facebook);
                match out.iter_mut().find(|(op, ok, _)| *op == p && *ok == kind) {
                    Some(row) => row.2 += count,
                    None => out.push((p, kind, count)),
                }
                i = j + 1;
                continue;
            }
            i += 1;
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The first dollar amount in a text: `About $1,300 in spending` → 1300.
pub fn money_in(text: &str) -> Option<(u64, &'static str)> {
    text.split_whitespace().find_map(|w| {
        w.strip_prefix('$')
            .and_then(parse_number)
            .map(|n| (n, "USD"))
    })
}

/// The first number in a text: `About 18,000 accounts followed` → 18000.
pub fn first_number_in(text: &str) -> Option<u64> {
    text.split_whitespace().find_map(parse_number)
}

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', '\n']).filter(|s| !s.trim().is_empty())
}

/// Origin and target countries stated in prose: "originating in and
/// targeting Moldova", "originated in Iran and targeted Israel",
/// "This effort targeted primarily France".
pub fn origins_and_targets_in_prose(text: &str) -> (Vec<CountryCode>, Vec<CountryCode>) {
    let mut origins = Vec::new();
    let mut targets = Vec::new();
    for sentence in text.split(['.', '\n']) {
        let lower = sentence.to_lowercase();
        let origin_at = ["originat", "based in", "operated from", "run from"]
            .iter()
            .filter_map(|k| lower.find(k))
            .min();
        let target_at = lower.find("target");
        if let Some(t) = target_at {
            let end = origin_at.filter(|o| *o > t).unwrap_or(lower.len());
            extend_unique(&mut targets, countries_named_in(&lower[t..end]));
        }
        if let Some(o) = origin_at {
            let end = target_at.filter(|t| *t > o).unwrap_or(lower.len());
            let mut found = countries_named_in(&lower[o..end]);
            if found.is_empty() && end < lower.len() && lower[o..end].trim_end().ends_with("and") {
                // "originating in and targeting Moldova": the same place.
                found = countries_named_in(&lower[end..]);
            }
            extend_unique(&mut origins, found);
        }
    }
    (origins, targets)
}

fn extend_unique(into: &mut Vec<CountryCode>, from: Vec<CountryCode>) {
    for c in from {
        if !into.contains(&c) {
            into.push(c);
        }
    }
}

/// What a file name or title says about an operation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NameFacts {
    /// A readable name: `Benin-based CIB network (Q4 2024)`.
    pub name: String,
    /// `Q4 2024`, `H2 2025`, `2022-09`.
    pub period: Option<String>,
    /// Countries the name says it originated in ("X based").
    pub origins: Vec<CountryCode>,
    /// Countries the name says it targeted ("targeting X", "X targeting").
    pub targets: Vec<CountryCode>,
    /// Every country the name mentions.
    pub mentioned: Vec<CountryCode>,
}

/// Reads `Q4_2024_BENIN_BASED_CIB_NETWORK.csv`,
/// `meta-h2-2025-moldova-based-cib-network.md` or a Markdown title.
pub fn facts_from_name(raw: &str) -> NameFacts {
    let file = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let stem = file
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 4 && !ext.contains(' '))
        .map(|(s, _)| s)
        .unwrap_or(file);
    let mut words: Vec<String> = stem
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace() || c == ':')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut period = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let is_half = (w.starts_with('q') || w.starts_with('h'))
            && w.len() == 2
            && w[1..].chars().all(|c| c.is_ascii_digit());
        let year_next = words
            .get(i + 1)
            .is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()));
        if is_half && year_next {
            period = Some(format!("{} {}", w.to_uppercase(), words[i + 1]));
            words.drain(i..i + 2);
            continue;
        }
        if w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) && period.is_none() {
            let month = words
                .get(i + 1)
                .filter(|m| m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()));
            period = Some(match month {
                Some(m) => format!("{w}-{m}"),
                None => w.clone(),
            });
            let n = if month.is_some() { 2 } else { 1 };
            words.drain(i..i + n);
            continue;
        }
        i += 1;
    }
    words.retain(|w| !matches!(w.as_str(), "meta" | "indicators" | "of" | "compromise"));
    let text = words.join(" ");

    let mut facts = NameFacts {
        mentioned: countries_named_in(&text),
        period: period.clone(),
        ..NameFacts::default()
    };
    if let Some(pos) = text.find(" based") {
        facts.origins = countries_named_in(&text[..pos]);
    }
    if let Some(pos) = text.find("targeting") {
        let after = countries_named_in(&text[pos..]);
        if after.is_empty() {
            let start = text.find(" based").map(|p| p + " based".len()).unwrap_or(0);
            facts.targets = countries_named_in(&text[start.min(pos)..pos]);
        } else {
            facts.targets = after;
        }
    }

    let mut name_words: Vec<String> = Vec::new();
    for w in &words {
        match w.as_str() {
            "based" if !name_words.is_empty() => {
                if let Some(last) = name_words.last_mut() {
                    last.push_str("-based");
                }
            }
            "cib" | "ioc" | "iocs" => name_words.push(w.to_uppercase()),
            "and" | "targeting" | "network" | "operation" | "influence" | "removing"
            | "coordinated" | "inauthentic" | "behavior" | "from" => name_words.push(w.clone()),
            _ => {
                let mut c = w.chars();
                let cap = c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
                name_words.push(cap);
            }
        }
    }
    let mut name = name_words.join(" ");
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + name.get(1..).unwrap_or("");
    }
    if let Some(p) = period {
        name = format!("{name} ({p})");
    }
    facts.name = name;
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(code: &str) -> CountryCode {
        code.parse().unwrap()
    }

    #[test]
    fn reads_count_cells() {
        assert_eq!(
            asset_count_cell("7 accounts "),
            Some((7, AssetKind::Account))
        );
        assert_eq!(asset_count_cell("23 Pages"), Some((23, AssetKind::Page)));
        assert_eq!(asset_count_cell("1 Groups "), Some((1, AssetKind::Group)));
        assert_eq!(
            asset_count_cell("1,326 accounts"),
            Some((1326, AssetKind::Account))
        );
        assert_eq!(asset_count_cell("https://t.me/x"), None);
        assert_eq!(asset_count_cell("About 18,000 accounts followed"), None);
    }

    #[test]
    fn reads_takedown_prose() {
        let text = "The operation maintained a cross-platform presence, and we removed 15 Facebook accounts, \
            6 Pages, 7 Groups, and 4 Instagram accounts for violating our policy. About 6,300 accounts followed one or more of these Pages.";
        assert_eq!(
            asset_counts_in_prose(text),
            vec![
                (Platform::Facebook, AssetKind::Account, 15),
                (Platform::Facebook, AssetKind::Page, 6),
                (Platform::Facebook, AssetKind::Group, 7),
                (Platform::Instagram, AssetKind::Account, 4),
            ]
        );
        assert_eq!(
            asset_counts_in_prose(
                "We actioned 55 Facebook accounts, 36 Pages, 23 Groups, and 1 Instagram account for"
            ),
            vec![
                (Platform::Facebook, AssetKind::Account, 55),
                (Platform::Facebook, AssetKind::Page, 36),
                (Platform::Facebook, AssetKind::Group, 23),
                (Platform::Instagram, AssetKind::Account, 1),
            ]
        );
        assert!(
            asset_counts_in_prose("About 6,300 accounts followed one or more of these Pages")
                .is_empty()
        );
    }

    #[test]
    fn reads_money_and_followers() {
        assert_eq!(
            money_in("About $1,300 in spending for ads"),
            Some((1300, "USD"))
        );
        assert_eq!(money_in("no money"), None);
        assert_eq!(
            first_number_in("About 18,000 accounts followed"),
            Some(18000)
        );
    }

    #[test]
    fn reads_places_in_prose() {
        let (o, t) = origins_and_targets_in_prose(
            "a domestic network originating in and targeting Moldova.",
        );
        assert_eq!((o, t), (vec![cc("MD")], vec![cc("MD")]));
        let (o, t) =
            origins_and_targets_in_prose("This network originated in Iran and targeted Israel.");
        assert_eq!((o, t), (vec![cc("IR")], vec![cc("IL")]));
        let (o, t) = origins_and_targets_in_prose(
            "This effort targeted primarily France with posts in French",
        );
        assert_eq!((o, t), (vec![], vec![cc("FR")]));
    }

    #[test]
    fn reads_file_names() {
        let f = facts_from_name("../data/Q4_2024_BENIN_BASED_CIB_NETWORK.csv");
        assert_eq!(f.name, "Benin-based CIB network (Q4 2024)");
        assert_eq!(f.origins, vec![cc("BJ")]);
        assert!(f.targets.is_empty());
        let f = facts_from_name("Q1_2024_MOLDOVA_AND_MADAGASCAR_TARGETING_CIB_NETWORK.csv");
        assert_eq!(f.targets, vec![cc("MD"), cc("MG")]);
        assert!(f.origins.is_empty());
        let f = facts_from_name("meta-h2-2025-moldova-based-cib-network.md");
        assert_eq!(f.name, "Moldova-based CIB network (H2 2025)");
        assert_eq!(f.origins, vec![cc("MD")]);
        let f = facts_from_name("Moldova-Based Influence Operation Network Targeting Moldova");
        assert_eq!((f.origins, f.targets), (vec![cc("MD")], vec![cc("MD")]));
        let f = facts_from_name(
            "2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv",
        );
        assert_eq!(f.period.as_deref(), Some("2022-09"));
        assert_eq!(f.mentioned, vec![cc("CN"), cc("RU")]);
    }
}
