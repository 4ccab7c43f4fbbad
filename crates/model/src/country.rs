//! ISO 3166-1 alpha-2 country codes and the EU reporting geographies.
//!
//! EU transparency reporting (Code of Practice SLIs, DSA) uses 30 codes: the
//! EU-27 plus Iceland, Liechtenstein and Norway, with Greece written `GR`
//! (the EU's own style is `EL`, which we accept and normalise).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// All officially assigned ISO 3166-1 alpha-2 codes, plus `XK` (Kosovo),
/// which reporting bodies use.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK";

/// The 27 EU Member States, in the order EU reports list them.
pub const EU_MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// The 30 codes used by EU transparency reporting: the EU-27 plus IS, LI, NO.
pub const EEA_REPORTING_CODES: [&str; 30] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// A validated ISO 3166-1 alpha-2 code, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

/// A string that is not an ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 3166-1 alpha-2 country code (use two letters such as FR, MD or GR)")]
pub struct InvalidCountry(pub String);

impl CountryCode {
    /// The code as text, e.g. `"FR"`.
    pub fn as_str(&self) -> &str {
        // Only ever built from two ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// True for the 27 EU Member States.
    pub fn is_eu_member(&self) -> bool {
        EU_MEMBER_STATES.contains(&self.as_str())
    }

    /// True for the 30 codes EU reporting uses (EU-27, IS, LI, NO).
    pub fn is_eea_reporting(&self) -> bool {
        EEA_REPORTING_CODES.contains(&self.as_str())
    }

    /// The English short name for the codes reports print most; the code otherwise.
    pub fn name(&self) -> &'static str {
        country_name(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = InvalidCountry;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let upper = trimmed.to_ascii_uppercase();
        // The EU writes Greece as EL; ISO and the reporting templates use GR.
        let upper = if upper == "EL" {
            "GR".to_string()
        } else {
            upper
        };
        let bytes = upper.as_bytes();
        if bytes.len() == 2
            && bytes.iter().all(u8::is_ascii_uppercase)
            && ISO_3166_ALPHA2.split(' ').any(|c| c == upper)
        {
            Ok(CountryCode([bytes[0], bytes[1]]))
        } else {
            Err(InvalidCountry(trimmed.to_string()))
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The 30 EU reporting codes as parsed values, in report order.
pub fn eea_reporting_countries() -> impl Iterator<Item = CountryCode> {
    EEA_REPORTING_CODES
        .iter()
        .filter_map(|code| code.parse().ok())
}

/// Finds a country named in free text ("targeted primarily France"), for
/// importers of prose-heavy indicator files. Returns codes in text order.
pub fn countries_named_in(text: &str) -> Vec<CountryCode> {
    let lower = text.to_lowercase();
    let mut found: Vec<(usize, CountryCode)> = Vec::new();
    for (code, name) in COUNTRY_NAMES {
        for (is_demonym, variant) in
            std::iter::once((false, *name)).chain(demonyms(code).map(|d| (true, d)))
        {
            let needle = variant.to_lowercase();
            // "Russian-speaking audiences in Moldova" names a language, not a country.
            let names_language = |pos: usize| {
                let after = &lower[pos + needle.len()..];
                ["-speaking", " speaking", "-language", " language"]
                    .iter()
                    .any(|s| after.starts_with(s))
            };
            if let Some(pos) = find_word(&lower, &needle)
                && !(is_demonym && names_language(pos))
                && let Ok(cc) = code.parse::<CountryCode>()
                && !found.iter().any(|(_, c)| *c == cc)
            {
                found.push((pos, cc));
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.into_iter().map(|(_, c)| c).collect()
}

fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(offset) = haystack[start..].find(needle) {
        let pos = start + offset;
        let before_ok = haystack[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = haystack[pos + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(pos);
        }
        start = pos + needle.len();
    }
    None
}

fn demonyms(code: &str) -> impl Iterator<Item = &'static str> {
    DEMONYMS
        .iter()
        .filter(move |(c, _)| *c == code)
        .map(|(_, d)| *d)
}

const DEMONYMS: &[(&str, &str)] = &[
    ("US", "US"),
    ("US", "United States"),
    ("GB", "UK"),
    ("GB", "Britain"),
    ("FR", "French"),
    ("DE", "German"),
    ("MD", "Moldovan"),
    ("RO", "Romanian"),
    ("PL", "Polish"),
    ("UA", "Ukrainian"),
    ("RU", "Russian"),
    ("CN", "Chinese"),
    ("IT", "Italian"),
    ("ES", "Spanish"),
    ("LV", "Latvian"),
    ("LT", "Lithuanian"),
    ("EE", "Estonian"),
];

const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("IS", "Iceland"),
    ("LI", "Liechtenstein"),
    ("NO", "Norway"),
    ("MD", "Moldova"),
    ("UA", "Ukraine"),
    ("RU", "Russia"),
    ("BY", "Belarus"),
    ("CN", "China"),
    ("IR", "Iran"),
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("BJ", "Benin"),
    ("MG", "Madagascar"),
    ("IL", "Israel"),
    ("IN", "India"),
    ("PK", "Pakistan"),
    ("TR", "Turkey"),
    ("GE", "Georgia"),
    ("AM", "Armenia"),
    ("AZ", "Azerbaijan"),
    ("RS", "Serbia"),
    ("CA", "Canada"),
    ("NG", "Nigeria"),
    ("VN", "Vietnam"),
    ("BD", "Bangladesh"),
    ("BR", "Brazil"),
    ("MX", "Mexico"),
];

fn country_name(code: &str) -> &'static str {
    COUNTRY_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let gr: CountryCode = "el".parse().unwrap();
        assert_eq!(gr.as_str(), "GR");
        assert!(gr.is_eu_member());
        let no: CountryCode = "NO".parse().unwrap();
        assert!(!no.is_eu_member());
        assert!(no.is_eea_reporting());
        let md: CountryCode = "md".parse().unwrap();
        assert!(!md.is_eea_reporting());
        assert!("ZZ".parse::<CountryCode>().is_err());
        assert!("FRA".parse::<CountryCode>().is_err());
        assert!("".parse::<CountryCode>().is_err());
    }

    #[test]
    fn reporting_lists_are_consistent() {
        assert_eq!(eea_reporting_countries().count(), 30);
        for code in EU_MEMBER_STATES {
            let cc: CountryCode = code.parse().unwrap();
            assert!(cc.is_eu_member() && cc.is_eea_reporting(), "{code}");
        }
    }

    #[test]
    fn finds_countries_in_prose() {
        let found =
            countries_named_in("This effort targeted primarily France with posts in French");
        assert_eq!(found, vec!["FR".parse().unwrap()]);
        let found = countries_named_in("originating in and targeting Moldova; not Moldovanish");
        assert_eq!(found, vec!["MD".parse().unwrap()]);
        assert!(countries_named_in("nothing here").is_empty());
        let found = countries_named_in("Targeting Russian-speaking audiences in Moldova");
        assert_eq!(found, vec!["MD".parse().unwrap()]);
    }
}
