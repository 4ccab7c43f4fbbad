//! STIX patterns for indicators: building them with correct escaping, and
//! reading back the simple comparison patterns other producers emit
//! (`[domain-name:value = 'x']`, `[file:hashes.'SHA-256' = '…']`, a
//! conjunction of equalities on one object).

/// Quotes a string for a STIX pattern: `'` and `\` are escaped with `\`.
pub fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('\'');
    quoted
}

/// Builds `[object:path = 'value' AND …]` from equality comparisons.
pub fn equalities(comparisons: &[(&str, &str)]) -> String {
    let parts: Vec<String> = comparisons
        .iter()
        .map(|(path, value)| format!("{path} = {}", quote(value)))
        .collect();
    format!("[{}]", parts.join(" AND "))
}

/// One `object-type:property.path = 'value'` comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The object type, e.g. `file`.
    pub object_type: String,
    /// The property path with quotes removed, e.g. `hashes.SHA-256`.
    pub path: String,
    /// The unescaped string value.
    pub value: String,
}

/// Parses a pattern made of one observation expression holding only string
/// equalities joined by `AND` on a single object type. Anything richer
/// (`OR`, qualifiers, several observations, other operators) returns `None`.
pub fn parse_simple(pattern: &str) -> Option<Vec<Comparison>> {
    let inner = pattern.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut comparisons = Vec::new();
    let mut rest = inner.trim_start();
    loop {
        let (comparison, after) = parse_comparison(rest)?;
        comparisons.push(comparison);
        rest = after.trim_start();
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix("AND")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        rest = rest.trim_start();
    }
    let first_type = comparisons.first()?.object_type.clone();
    comparisons
        .iter()
        .all(|c| c.object_type == first_type)
        .then_some(comparisons)
}

/// Parses `type:path = 'value'` at the start of `text`; returns the rest.
fn parse_comparison(text: &str) -> Option<(Comparison, &str)> {
    let (object_type, rest) = text.split_once(':')?;
    if object_type.is_empty()
        || !object_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    // The path runs to the first whitespace or `=` outside quotes.
    let mut path = String::new();
    let mut chars = rest.char_indices();
    let mut in_quotes = false;
    let mut end = rest.len();
    for (i, c) in chars.by_ref() {
        match c {
            '\'' => in_quotes = !in_quotes,
            c if !in_quotes && (c.is_whitespace() || c == '=') => {
                end = i;
                break;
            }
            c => path.push(c),
        }
    }
    if in_quotes || path.is_empty() {
        return None;
    }
    let rest = rest
        .get(end..)?
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let body = rest.strip_prefix('\'')?;
    let mut value = String::new();
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            if c != '\'' && c != '\\' {
                return None;
            }
            value.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '\'' {
            let after = body.get(i + 1..)?;
            return Some((
                Comparison {
                    object_type: object_type.to_string(),
                    path,
                    value,
                },
                after,
            ));
        } else {
            value.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_quotes_and_backslashes() {
        assert_eq!(quote(r"it's a \ test"), r"'it\'s a \\ test'");
        assert_eq!(
            equalities(&[
                ("user-account:account_login", "o'neil"),
                ("user-account:account_type", "x")
            ]),
            r"[user-account:account_login = 'o\'neil' AND user-account:account_type = 'x']"
        );
    }

    #[test]
    fn parses_simple_patterns() {
        let parsed = parse_simple("[file:hashes.'SHA-256' = 'ab']").unwrap();
        assert_eq!(parsed[0].object_type, "file");
        assert_eq!(parsed[0].path, "hashes.SHA-256");
        assert_eq!(parsed[0].value, "ab");
        let parsed = parse_simple(r"[domain-name:value='a\\b\'c']").unwrap();
        assert_eq!(parsed[0].value, r"a\b'c");
        for rich in [
            "[domain-name:value = 'a'] OR [domain-name:value = 'b']",
            "[domain-name:value = 'a' OR domain-name:value = 'b']",
            "[domain-name:value = 'a'] WITHIN 5 SECONDS",
            "[domain-name:value LIKE 'a%']",
            "[domain-name:value = 'a' AND url:value = 'b']",
            "[ipv4-addr:value = 'a' ANDipv4-addr:value = 'b']",
            "[domain-name:value = 'a]",
            "[]",
        ] {
            assert_eq!(parse_simple(rich), None, "{rich}");
        }
    }

    proptest! {
        #[test]
        fn quoted_values_parse_back(value in "\\PC*", login in "[\\\\' a-z]*") {
            let pattern = equalities(&[("url:value", &value)]);
            let parsed = parse_simple(&pattern).unwrap();
            prop_assert_eq!(&parsed[0].value, &value);
            let pattern = equalities(&[("user-account:account_login", &login), ("user-account:account_type", "x")]);
            let parsed = parse_simple(&pattern).unwrap();
            prop_assert_eq!(&parsed[0].value, &login);
            prop_assert_eq!(&parsed[1].value, "x");
        }

        #[test]
        fn parse_never_panics(text in "\\PC*") {
            let _ = parse_simple(&text);
        }
    }
}
