//! Defanged indicators (`hxxp://evil[.]com`) are how threat reports publish
//! links safely; everything we store and match is refanged first.

/// Turns a defanged indicator back into its live form.
///
/// Handles `hxxp`/`hxxps`/`fxp` schemes, `[.]`, `(.)`, `{.}`, `[dot]`, `[:]`,
/// `[://]`, `[at]`/`[@]` and stray surrounding backticks and whitespace.
///
/// ```
/// assert_eq!(crosswatch_model::refang("hxxps://t[.]me/insider_md"), "https://t.me/insider_md");
/// ```
///
/// Refanging a live value changes nothing, so a value may pass through it
/// more than once (`[[.]]` becomes `.`, not `[.]`).
pub fn refang(value: &str) -> String {
    // A pass can uncover another defanged form; passes repeat until one
    // changes nothing. Every changing pass but a scheme's (at most one, as
    // a live scheme is never rewritten) makes the value shorter.
    let mut current = refang_once(value);
    for _ in 0..=value.len() {
        let next = refang_once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// One left-to-right pass of [`refang`].
fn refang_once(value: &str) -> String {
    let trimmed = value.trim().trim_matches('`').trim();
    let mut out = String::with_capacity(trimmed.len());
    let mut rest = trimmed;
    // Scheme first: only at the start, case-insensitively.
    for (fanged, live) in [
        ("hxxps://", "https://"),
        ("hxxp://", "http://"),
        ("hxxps[:]//", "https://"),
        ("hxxp[:]//", "http://"),
        ("fxp://", "ftp://"),
    ] {
        if rest.len() >= fanged.len()
            && rest.is_char_boundary(fanged.len())
            && rest[..fanged.len()].eq_ignore_ascii_case(fanged)
        {
            out.push_str(live);
            rest = &rest[fanged.len()..];
            break;
        }
    }
    const REPLACEMENTS: [(&str, &str); 10] = [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[://]", "://"),
        ("[:]", ":"),
        ("[at]", "@"),
        ("[@]", "@"),
        ("(at)", "@"),
    ];
    'outer: while !rest.is_empty() {
        if rest.starts_with(['[', '(', '{']) {
            for (fanged, live) in REPLACEMENTS {
                if rest.len() >= fanged.len()
                    && rest.is_char_boundary(fanged.len())
                    && rest[..fanged.len()].eq_ignore_ascii_case(fanged)
                {
                    out.push_str(live);
                    rest = &rest[fanged.len()..];
                    continue 'outer;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// Makes a live indicator safe to print in a report: `https://t.me/x` becomes
/// `hxxps://t[.]me/x`.
pub fn defang(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, value),
    };
    let mut out = String::with_capacity(value.len() + 8);
    if let Some(scheme) = scheme {
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => "hxxp".to_string(),
            "https" => "hxxps".to_string(),
            other => other.to_string(),
        };
        out.push_str(&scheme);
        out.push_str("://");
    }
    // Only the host part needs defanging; paths stay readable.
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    out.push_str(&rest[..host_end].replace('.', "[.]"));
    out.push_str(&rest[host_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refangs_common_forms() {
        assert_eq!(
            refang("hxxp://x[.]com/gagauzinfomd"),
            "http://x.com/gagauzinfomd"
        );
        assert_eq!(
            refang("`hxxps://gagauzia24[.]info/`"),
            "https://gagauzia24.info/"
        );
        assert_eq!(refang("newwayforward[.]us"), "newwayforward.us");
        assert_eq!(refang("HXXPS://a(.)b[dot]c"), "https://a.b.c");
        assert_eq!(refang("user[at]mail[.]ru"), "user@mail.ru");
        assert_eq!(refang("plain.example"), "plain.example");
        assert_eq!(refang("[x]"), "[x]");
        assert_eq!(refang("x[[.]]com"), "x.com");
    }

    #[test]
    fn defang_then_refang_round_trips() {
        assert_eq!(
            defang("https://t.me/insider_md"),
            "hxxps://t[.]me/insider_md"
        );
        assert_eq!(defang("newwayforward.us"), "newwayforward[.]us");
        assert_eq!(
            refang(&defang("https://a.b.example/p.html?q=1")),
            "https://a.b.example/p.html?q=1"
        );
    }

    proptest! {
        #[test]
        fn refang_never_panics(s in "\\PC*") {
            let _ = refang(&s);
        }

        /// Refanging what is already live changes nothing, so a value
        /// that passes through two importers' refang is still the same.
        #[test]
        fn refang_is_idempotent(s in "(hxxps?://|fxp://|\\[\\.\\]|\\(\\.\\)|\\[dot\\]|\\[at\\]|\\[|\\]|[a-z.:/@ `]){0,24}") {
            let once = refang(&s);
            prop_assert_eq!(refang(&once), once);
        }

        #[test]
        fn refang_leaves_live_values_alone(s in "[a-z0-9./:@_-]{0,40}") {
            prop_assume!(!s.starts_with("hxxp") && !s.starts_with("fxp"));
            prop_assert_eq!(refang(&s), s.trim());
        }

        #[test]
        fn defang_round_trips_on_hosts(host in "[a-z]{1,10}(\\.[a-z]{2,6}){1,3}", path in "(/[a-z0-9.]{0,8}){0,3}") {
            let live = format!("https://{host}{path}");
            prop_assert_eq!(refang(&defang(&live)), live);
        }
    }
}
