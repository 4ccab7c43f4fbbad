//! Import errors that point at the file, line and field to fix.

use std::fmt;

use crate::Format;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or source) name the caller gave.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// The column or field name, when known.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// Why an import failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The bytes are none of the formats we read.
    #[error("{file}: not a recognised indicator file (tried {}); pass --format to force one", tried.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
    NotRecognised {
        /// The file name.
        file: String,
        /// The formats that were tried.
        tried: Vec<Format>,
    },
    /// One or more rows could not be read; every problem is listed.
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// Each problem with its location.
        problems: Vec<Problem>,
    },
}

/// One problem in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Collects problems while a file is read, so a user sees all of them at once.
#[derive(Debug)]
pub(crate) struct Problems {
    file: String,
    list: Vec<Problem>,
}

impl Problems {
    pub(crate) fn new(file: &str) -> Problems {
        Problems {
            file: file.to_string(),
            list: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        line: Option<u64>,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(Problem {
            location: Location {
                file: self.file.clone(),
                line,
                field: field.map(str::to_string),
            },
            message: message.into(),
        });
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, ImportError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(ImportError::Invalid {
                problems: self.list,
            })
        }
    }
}
