//! References to tactics, techniques and procedures in the two taxonomies
//! influence-operation reports use: DISARM (`TA01`, `T0002`, `T0015.001`) and
//! Meta's Online Operations Kill Chain (`0`, `0.9`, `0.9.1`).
//!
//! Without a loaded catalogue IDs are validated by their shape; a loaded
//! catalogue (see the import crate) adds names and existence checks.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which taxonomy an id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Taxonomy {
    /// The DISARM framework (red framework: tactics `TA..`, techniques `T....`).
    Disarm,
    /// Meta's Online Operations Kill Chain (`tactic.technique.procedure`).
    KillChain,
}

impl Taxonomy {
    /// The short name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Taxonomy::Disarm => "disarm",
            Taxonomy::KillChain => "kill-chain",
        }
    }
}

impl fmt::Display for Taxonomy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The granularity of a taxonomy entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TechniqueLevel {
    /// DISARM `TA01`; kill-chain `0`.
    Tactic,
    /// DISARM `T0002`; kill-chain `0.9`.
    Technique,
    /// DISARM `T0015.001`.
    SubTechnique,
    /// Kill-chain `0.9.1`.
    Procedure,
}

/// A reference to a tactic, technique or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TechniqueRef {
    /// The taxonomy the id belongs to.
    pub taxonomy: Taxonomy,
    /// The id, e.g. `T0015.001` or `0.9.1`.
    pub id: String,
    /// The entry's name where known, e.g. `Acquiring Facebook assets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A technique id that does not have the shape its taxonomy uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{id}` is not a valid {taxonomy} id ({hint})")]
pub struct InvalidTechnique {
    /// The taxonomy it was checked against.
    pub taxonomy: Taxonomy,
    /// The offending id.
    pub id: String,
    /// What a valid id looks like.
    pub hint: &'static str,
}

impl TechniqueRef {
    /// Validates `id` by shape and builds a reference.
    pub fn new(
        taxonomy: Taxonomy,
        id: &str,
        name: Option<String>,
    ) -> Result<Self, InvalidTechnique> {
        let id = id.trim();
        let id = match taxonomy {
            Taxonomy::Disarm => id.to_ascii_uppercase(),
            Taxonomy::KillChain => id.to_string(),
        };
        level_of(taxonomy, &id).ok_or_else(|| InvalidTechnique {
            taxonomy,
            hint: match taxonomy {
                Taxonomy::Disarm => "expected TA01, T0002 or T0015.001",
                Taxonomy::KillChain => "expected 0, 0.9 or 0.9.1",
            },
            id: id.clone(),
        })?;
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        Ok(TechniqueRef { taxonomy, id, name })
    }

    /// Parses a bare id and guesses its taxonomy from its shape.
    pub fn parse_any(id: &str) -> Result<Self, InvalidTechnique> {
        let trimmed = id.trim();
        if trimmed.starts_with(['T', 't']) {
            TechniqueRef::new(Taxonomy::Disarm, trimmed, None)
        } else {
            TechniqueRef::new(Taxonomy::KillChain, trimmed, None)
        }
    }

    /// The level of this entry in its taxonomy.
    pub fn level(&self) -> TechniqueLevel {
        level_of(self.taxonomy, &self.id).unwrap_or(TechniqueLevel::Technique)
    }

    /// The id of the parent entry (`T0015.001` → `T0015`, `0.9.1` → `0.9`).
    pub fn parent_id(&self) -> Option<&str> {
        match self.taxonomy {
            Taxonomy::Disarm => self.id.split_once('.').map(|(parent, _)| parent),
            Taxonomy::KillChain => self.id.rsplit_once('.').map(|(parent, _)| parent),
        }
    }
}

impl fmt::Display for TechniqueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} {}", self.id, name),
            None => f.write_str(&self.id),
        }
    }
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// The level an id denotes, or `None` when it has no valid shape.
pub fn level_of(taxonomy: Taxonomy, id: &str) -> Option<TechniqueLevel> {
    match taxonomy {
        Taxonomy::Disarm => {
            if let Some(num) = id.strip_prefix("TA") {
                return all_digits(num, 2).then_some(TechniqueLevel::Tactic);
            }
            let num = id.strip_prefix('T')?;
            match num.split_once('.') {
                None => all_digits(num, 4).then_some(TechniqueLevel::Technique),
                Some((main, sub)) => (all_digits(main, 4) && all_digits(sub, 3))
                    .then_some(TechniqueLevel::SubTechnique),
            }
        }
        Taxonomy::KillChain => {
            // Counted without collecting: importers call this for every cell.
            let mut parts = 0;
            for part in id.split('.') {
                if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                parts += 1;
            }
            match parts {
                1 => Some(TechniqueLevel::Tactic),
                2 => Some(TechniqueLevel::Technique),
                3 => Some(TechniqueLevel::Procedure),
                _ => None,
            }
        }
    }
}

/// Splits a kill-chain label such as `0.9.1 Acquiring Facebook assets ` into
/// its id and name. Returns `None` when the label does not start with an id.
pub fn split_kill_chain_label(label: &str) -> Option<(String, String)> {
    let trimmed = label.trim();
    let (id, name) = match trimmed.split_once(char::is_whitespace) {
        Some((id, name)) => (id, name.trim()),
        None => (trimmed, ""),
    };
    let mut id = id.trim_end_matches('.');
    // Meta's own taxonomy file writes a few procedures as `0.9.10.0`.
    while id.bytes().filter(|b| *b == b'.').count() >= 3 && id.ends_with(".0") {
        id = &id[..id.len() - 2];
    }
    level_of(Taxonomy::KillChain, id)?;
    let tidy = !name.contains(|c: char| c.is_whitespace() && c != ' ') && !name.contains("  ");
    let name = if tidy {
        name.to_string()
    } else {
        name.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    Some((id.to_string(), name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn validates_disarm_shapes() {
        assert_eq!(
            level_of(Taxonomy::Disarm, "TA01"),
            Some(TechniqueLevel::Tactic)
        );
        assert_eq!(
            level_of(Taxonomy::Disarm, "T0002"),
            Some(TechniqueLevel::Technique)
        );
        assert_eq!(
            level_of(Taxonomy::Disarm, "T0015.001"),
            Some(TechniqueLevel::SubTechnique)
        );
        for bad in ["T15", "TA1", "T0015.1", "X0002", "T0002.", "", "T00a2"] {
            assert_eq!(level_of(Taxonomy::Disarm, bad), None, "{bad}");
        }
        assert!(TechniqueRef::new(Taxonomy::Disarm, "t0002", None).is_ok());
        let err = TechniqueRef::new(Taxonomy::Disarm, "T2", None).unwrap_err();
        assert!(err.to_string().contains("T0015.001"));
    }

    #[test]
    fn validates_kill_chain_shapes_and_labels() {
        assert_eq!(
            level_of(Taxonomy::KillChain, "0.9.1"),
            Some(TechniqueLevel::Procedure)
        );
        assert_eq!(
            level_of(Taxonomy::KillChain, "7"),
            Some(TechniqueLevel::Tactic)
        );
        assert_eq!(level_of(Taxonomy::KillChain, "0..1"), None);
        assert_eq!(
            split_kill_chain_label("0.9.1 Acquiring Facebook assets "),
            Some(("0.9.1".into(), "Acquiring Facebook assets".into()))
        );
        assert_eq!(
            split_kill_chain_label("7.3.4  Utilising Language-Specific Campaigns"),
            Some((
                "7.3.4".into(),
                "Utilising Language-Specific Campaigns".into()
            ))
        );
        assert_eq!(
            split_kill_chain_label("0. Acquiring assets"),
            Some(("0".into(), "Acquiring assets".into()))
        );
        assert_eq!(split_kill_chain_label("Acquiring"), None);
        assert_eq!(
            split_kill_chain_label("0.9.10.0  Acquiring Pinterest accounts"),
            Some(("0.9.10".into(), "Acquiring Pinterest accounts".into()))
        );
        assert_eq!(split_kill_chain_label("0.9.10.1 x"), None);
        let r = TechniqueRef::new(Taxonomy::KillChain, "0.9.1", None).unwrap();
        assert_eq!(r.parent_id(), Some("0.9"));
        let d = TechniqueRef::new(Taxonomy::Disarm, "T0015.001", None).unwrap();
        assert_eq!(d.parent_id(), Some("T0015"));
    }

    proptest! {
        #[test]
        fn shape_check_never_panics(s in "\\PC*") {
            let _ = level_of(Taxonomy::Disarm, &s);
            let _ = level_of(Taxonomy::KillChain, &s);
            let _ = split_kill_chain_label(&s);
        }
    }
}
