//! Escaping of repository content (paths, messages, author pseudonyms) for
//! every output format. Repository content is hostile by default: a file
//! name can hold `<script>`, quotes, Markdown syntax or Unicode bidi
//! controls that reorder what a reader sees ("Trojan Source", CVE-2021-42574).

/// Bidi and other invisible formatting controls, shown as `<U+202E>` so a
/// reader sees that they are there instead of being misled by them.
fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2069}' // word joiner … LRI, RLI, FSI, PDI
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}')             // BOM / zero-width no-break space
        || (c.is_control() && c != '\n' && c != '\t')
}

/// Replaces invisible controls by a visible `<U+XXXX>` marker.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hidden_control(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// One line of repository content for a terminal: [`visible`], and line
/// breaks and tabs shown as `<U+000A>` and `<U+0009>` too, so a crafted name
/// can neither hide characters nor break a table's rows.
pub fn terminal(s: &str) -> String {
    visible(s)
        .replace('\n', "<U+000A>")
        .replace('\t', "<U+0009>")
}

/// Text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML id / fragment built from arbitrary text: only `[a-z0-9-]`, with a
/// short hash so distinct inputs stay distinct.
pub fn anchor(prefix: &str, s: &str) -> String {
    let h = friction_model::fnv::fnv1a64(s.bytes());
    let slug: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    format!("{prefix}-{slug}-{:08x}", h as u32)
}

/// Text for Markdown (inline, including table cells): every character with
/// a Markdown or HTML meaning is backslash-escaped, line breaks become spaces.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            // No @-mention of real people or teams from a file name.
            '@' => out.push_str("&#64;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A CSV cell: visible controls, and no formula injection — a cell a
/// spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab or carriage return
/// first) gets a leading `'` unless it is a plain decimal number, so `-3.5`
/// stays a number (OWASP "CSV Injection").
pub fn csv_cell(s: &str) -> String {
    let v = visible(s);
    let risky = v.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(&v) {
        format!("'{v}")
    } else {
        v
    }
}

/// `[+-]digits[.digits][e[+-]digits]`: what a spreadsheet reads as a number
/// and nothing else (Rust's float syntax also takes `inf` and `NaN`).
fn is_plain_number(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => (digits(i) && (f.is_empty() || digits(f))) || (i.is_empty() && digits(f)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_shows_bidi_controls() {
        assert_eq!(
            html("<script>alert(\"x\")</script>&'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
        assert_eq!(html("a\u{202E}b"), "a&lt;U+202E&gt;b");
        assert_eq!(visible("x\u{2066}y\u{0007}"), "x<U+2066>y<U+0007>");
    }

    #[test]
    fn markdown_escapes_syntax_and_flattens_lines() {
        assert_eq!(
            markdown("**bold** | [x](y)\n<b>"),
            "\\*\\*bold\\*\\* \\| \\[x\\]\\(y\\) &lt;b\\>"
        );
        assert_eq!(markdown("ping @org/team"), "ping &#64;org/team");
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("-3.5"), "-3.5");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("src/a.rs"), "src/a.rs");
        assert_eq!(csv_cell("+12"), "+12");
        assert_eq!(csv_cell("-1.5e-3"), "-1.5e-3");
        for formula in ["-inf", "+NaN", "-1+1", "+A1", "\t=1", "-", "-.5x"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"), "{formula}");
        }
    }

    #[test]
    fn anchors_are_safe_and_distinct() {
        let a = anchor("f", "src/<a>.rs");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        assert_ne!(a, anchor("f", "src/-a-.rs"));
    }
}
