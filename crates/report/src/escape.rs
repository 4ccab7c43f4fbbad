//! Escaping for every output format, so hostile incident names, indicators
//! and learnings can never break out of the markup they are placed in.

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for inline Markdown (table cells included): punctuation that
/// Markdown interprets is backslash-escaped, raw HTML is neutralised and
/// line breaks become spaces so one value stays on one line.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Block markers only matter at the start of a line.
    if text.starts_with(['#', '+', '-', '=']) {
        out.push('\\');
    }
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Quotes one CSV field when it needs it (RFC 4180), and defuses spreadsheet
/// formula injection by prefixing `'` to values starting with `= + - @`.
pub fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Escapes text for XML (SVG) content and attribute values; drops the
/// control characters XML 1.0 forbids.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn markdown_escapes_table_breakers() {
        assert_eq!(markdown("a|b\n*c*"), "a\\|b \\*c\\*");
        assert_eq!(markdown("<img>"), "&lt;img&gt;");
        assert_eq!(markdown("# not a heading (ok)"), "\\# not a heading (ok)");
    }

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-3"), "-3");
    }

    #[test]
    fn xml_drops_forbidden_controls() {
        assert_eq!(xml("a\u{1}<b>"), "a&lt;b&gt;");
    }
}
