//! Traffic Light Protocol 2.0 markings (FIRST, 2022).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A TLP 2.0 level. Ordered from least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tlp {
    /// Disclosure is not limited.
    Clear,
    /// Limited to the community.
    Green,
    /// Limited to the recipient organisation and its clients.
    Amber,
    /// Limited to the recipient organisation only.
    AmberStrict,
    /// For the named recipients only.
    Red,
}

/// A string that is not a TLP 2.0 level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a TLP 2.0 marking (use CLEAR, GREEN, AMBER, AMBER+STRICT or RED)")]
pub struct InvalidTlp(pub String);

impl Tlp {
    /// All levels, least restrictive first.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The canonical label, e.g. `TLP:AMBER+STRICT`.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The level name without the `TLP:` prefix, as stored: `AMBER+STRICT`.
    pub fn name(self) -> &'static str {
        &self.label()[4..]
    }

    /// The fixed STIX id of the TLP 2.0 marking definition published by OASIS.
    pub fn stix_marking_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// Finds the level for a STIX marking id: TLP 2.0 ids, and the STIX 2.1
    /// built-in TLP 1.0 ids (WHITE maps to CLEAR).
    pub fn from_stix_marking_id(id: &str) -> Option<Tlp> {
        if let Some(tlp) = Tlp::ALL.into_iter().find(|t| t.stix_marking_id() == id) {
            return Some(tlp);
        }
        match id {
            "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" => Some(Tlp::Clear),
            "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" => Some(Tlp::Green),
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" => Some(Tlp::Amber),
            "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" => Some(Tlp::Red),
            _ => None,
        }
    }
}

impl FromStr for Tlp {
    type Err = InvalidTlp;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("TLP:").unwrap_or(&upper).trim();
        match bare {
            // TLP 1.0's WHITE became CLEAR in 2.0.
            "CLEAR" | "WHITE" => Ok(Tlp::Clear),
            "GREEN" => Ok(Tlp::Green),
            "AMBER" => Ok(Tlp::Amber),
            "AMBER+STRICT" | "AMBER_STRICT" | "AMBER-STRICT" => Ok(Tlp::AmberStrict),
            "RED" => Ok(Tlp::Red),
            _ => Err(InvalidTlp(s.trim().to_string())),
        }
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Tlp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Tlp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_and_aliases() {
        assert_eq!("TLP:AMBER+STRICT".parse::<Tlp>().unwrap(), Tlp::AmberStrict);
        assert_eq!("white".parse::<Tlp>().unwrap(), Tlp::Clear);
        assert_eq!(" red ".parse::<Tlp>().unwrap(), Tlp::Red);
        assert!("PURPLE".parse::<Tlp>().is_err());
        assert!("".parse::<Tlp>().is_err());
    }

    #[test]
    fn stix_ids_round_trip_and_order_is_restrictiveness() {
        for tlp in Tlp::ALL {
            assert_eq!(Tlp::from_stix_marking_id(tlp.stix_marking_id()), Some(tlp));
            assert_eq!(tlp.label().parse::<Tlp>().unwrap(), tlp);
        }
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
    }
}
