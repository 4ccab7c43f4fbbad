//! TAXII 2.1 query parameters (`added_after`, `limit`, `next`, `match[…]`).

use crosswatch_store::stix_check::normalize_timestamp;
use crosswatch_store::{ObjectQuery, Scope, VersionMatch};

use crate::error::ApiError;

/// Page size when the client does not ask for one.
pub const DEFAULT_LIMIT: u32 = 1000;

/// Parsed filters, before a collection scope is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Normalised `added_after`.
    pub added_after: Option<String>,
    /// `limit`.
    pub limit: Option<u32>,
    /// `next` cursor.
    pub next: Option<i64>,
    /// `match[type]`.
    pub types: Vec<String>,
    /// `match[id]`.
    pub ids: Vec<String>,
    /// `match[version]`; `None` means the endpoint's default.
    pub versions: Option<Vec<VersionMatch>>,
    /// `match[spec_version]`.
    pub spec_versions: Vec<String>,
}

fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl Filters {
    /// Parses a raw query string; unknown parameters are ignored.
    pub fn parse(raw: Option<&str>) -> Result<Filters, ApiError> {
        let mut filters = Filters::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "added_after" => {
                    filters.added_after = Some(normalize_timestamp(&value).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "added_after=`{value}` is not a timestamp (e.g. 2024-05-01T12:00:00.000Z)"
                        ))
                    })?);
                }
                "limit" => {
                    let limit: u32 = value.parse().ok().filter(|l| *l > 0).ok_or_else(|| {
                        ApiError::bad_request(format!("limit=`{value}` must be a positive integer"))
                    })?;
                    filters.limit = Some(limit);
                }
                "next" => {
                    let next: i64 = value.parse().map_err(|_| {
                        ApiError::bad_request(format!(
                            "next=`{value}` is not a cursor this server issued"
                        ))
                    })?;
                    filters.next = Some(next);
                }
                "match[type]" => filters.types.extend(split_list(&value)),
                "match[id]" => filters.ids.extend(split_list(&value)),
                "match[spec_version]" => filters.spec_versions.extend(split_list(&value)),
                "match[version]" => {
                    let versions = filters.versions.get_or_insert_with(Vec::new);
                    for term in split_list(&value) {
                        versions.push(match term.as_str() {
                            "last" => VersionMatch::Last,
                            "first" => VersionMatch::First,
                            "all" => VersionMatch::All,
                            other => VersionMatch::At(normalize_timestamp(other).ok_or_else(
                                || {
                                    ApiError::bad_request(format!(
                                        "match[version]=`{other}` must be last, first, all or a timestamp"
                                    ))
                                },
                            )?),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(filters)
    }

    /// The store query for `scope`, with `default_versions` when the
    /// client sent no `match[version]`.
    pub fn to_query(&self, scope: Scope, default_versions: Vec<VersionMatch>) -> ObjectQuery {
        ObjectQuery {
            scope,
            added_after: self.added_after.clone(),
            types: self.types.clone(),
            ids: self.ids.clone(),
            versions: self.versions.clone().unwrap_or(default_versions),
            spec_versions: self.spec_versions.clone(),
            after_seq: self.next,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_taxii_filters() {
        let filters = Filters::parse(Some(
            "added_after=2024-01-01T00:00:00Z&limit=5&next=42&match%5Btype%5D=indicator,malware\
             &match[version]=first,2024-02-01T00:00:00.000Z&match[spec_version]=2.1",
        ))
        .unwrap();
        assert_eq!(filters.limit, Some(5));
        assert_eq!(filters.next, Some(42));
        assert_eq!(filters.types, ["indicator", "malware"]);
        assert_eq!(filters.spec_versions, ["2.1"]);
        assert_eq!(
            filters.versions,
            Some(vec![
                VersionMatch::First,
                VersionMatch::At("2024-02-01T00:00:00.000000000Z".into())
            ])
        );
        assert_eq!(
            filters.added_after.as_deref(),
            Some("2024-01-01T00:00:00.000000000Z")
        );
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Filters::parse(Some("limit=0")).is_err());
        assert!(Filters::parse(Some("limit=abc")).is_err());
        assert!(Filters::parse(Some("next=xyz")).is_err());
        assert!(Filters::parse(Some("added_after=yesterday")).is_err());
        assert!(Filters::parse(Some("match[version]=newest")).is_err());
        assert!(Filters::parse(None).unwrap() == Filters::default());
    }

    proptest! {
        #[test]
        fn never_panics(query in ".{0,200}") {
            let _ = Filters::parse(Some(&query));
        }
    }
}
