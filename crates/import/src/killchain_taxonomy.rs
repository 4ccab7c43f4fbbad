//! Meta's Online Operations Kill Chain taxonomy, loaded from the CSV Meta
//! publishes (`Tactic,Technique,Procedure`). The project ships no copy; a
//! user loads it, and without it ids are checked by shape only.

use std::collections::BTreeMap;

use crosswatch_model::taxonomy::{TechniqueLevel, split_kill_chain_label};

use crate::error::{ImportError, Problem, Problems};
use crate::read_records;

/// One tactic, technique or procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KillChainEntry {
    /// `0`, `0.9` or `0.9.1`.
    pub id: String,
    /// `Acquiring Facebook assets`.
    pub name: String,
    /// Its level.
    pub level: TechniqueLevel,
}

/// The loaded taxonomy, keyed by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KillChainCatalogue {
    entries: BTreeMap<String, KillChainEntry>,
}

impl KillChainCatalogue {
    /// Reads the taxonomy CSV; rows whose labels lack an id are reported.
    pub fn from_csv(
        source_name: &str,
        text: &str,
    ) -> Result<(KillChainCatalogue, Vec<Problem>), ImportError> {
        let mut problems = Problems::new(source_name);
        let records = read_records(text, &mut problems);
        let mut catalogue = KillChainCatalogue::default();
        let levels = [
            TechniqueLevel::Tactic,
            TechniqueLevel::Technique,
            TechniqueLevel::Procedure,
        ];
        const FIELDS: [&str; 3] = ["Tactic", "Technique", "Procedure"];
        for (line, cells) in records.into_iter().skip(1) {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            for ((cell, level), field) in cells.iter().zip(levels).zip(FIELDS) {
                if cell.trim().is_empty() {
                    continue;
                }
                match split_kill_chain_label(cell) {
                    Some((id, name)) => {
                        catalogue
                            .entries
                            .entry(id.clone())
                            .or_insert(KillChainEntry { id, name, level });
                    }
                    None => problems.push(
                        Some(line),
                        Some(field),
                        format!(
                            "`{}` does not start with a kill-chain id such as 0.9.1",
                            cell.trim()
                        ),
                    ),
                }
            }
        }
        if catalogue.entries.is_empty() {
            problems.push(None, None, "no kill-chain entries found");
        }
        problems.finish((catalogue, Vec::new()))
    }

    /// The entry for an id.
    pub fn get(&self, id: &str) -> Option<&KillChainEntry> {
        self.entries.get(id)
    }

    /// How many entries of a level there are.
    pub fn count(&self, level: TechniqueLevel) -> usize {
        self.entries.values().filter(|e| e.level == level).count()
    }

    /// All entries in id order.
    pub fn entries(&self) -> impl Iterator<Item = &KillChainEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_levels() {
        let csv = "Tactic,Technique,Procedure\n\
            0. Acquiring assets,0.1 Acquiring IP addresses,0.1.1 Acquiring proxy IP addresses\n\
            0. Acquiring assets,0.1 Acquiring IP addresses,0.1.2 Acquiring VPN\n\
            0. Acquiring assets,0.3 Acquiring phone ,0.3.1 Acquiring mobile phone\n";
        let (catalogue, _) = KillChainCatalogue::from_csv("t.csv", csv).unwrap();
        assert_eq!(catalogue.count(TechniqueLevel::Tactic), 1);
        assert_eq!(catalogue.count(TechniqueLevel::Technique), 2);
        assert_eq!(catalogue.count(TechniqueLevel::Procedure), 3);
        assert_eq!(catalogue.get("0.3").unwrap().name, "Acquiring phone");
    }

    #[test]
    fn reports_bad_labels_with_line() {
        let csv = "Tactic,Technique,Procedure\nAcquiring,0.1 X,0.1.1 Y\n";
        let err = KillChainCatalogue::from_csv("t.csv", csv).unwrap_err();
        assert!(
            err.to_string().contains("t.csv:2 (field `Tactic`)"),
            "{err}"
        );
    }
}
