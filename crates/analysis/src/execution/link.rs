//! Work-item keys in text: Jira-style keys (`PROJ-123`), GitHub and GitLab
//! references (`#12`, `owner/name#12`) and GitHub's closing keywords
//! (`fixes #12`). A hand-written scanner: one pass over the bytes, no
//! regular expression (the benchmark links millions of messages).

/// A key found in a text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reference {
    /// `PROJ-123`, upper-case project key of two or more characters.
    Key(String),
    /// `#12` (`repository` empty: the assessed repository) or
    /// `owner/name#12`; `closing` when a closing keyword precedes it.
    Number {
        repository: String,
        number: u64,
        closing: bool,
    },
}

/// GitHub's closing keywords (docs: "Linking a pull request to an issue").
const CLOSING: [&str; 9] = [
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
];

/// Every reference in `text`, in order of appearance (repeats kept).
pub fn references(text: &str) -> Vec<Reference> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let word_after = j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_');
            if j > start && j - start <= 9 && !word_after {
                let number = text[start..j].parse().unwrap_or(0);
                let (repository, before) = repository_before(text, i);
                let closing = closing_before(&text[..before]);
                if number > 0 {
                    out.push(Reference::Number {
                        repository,
                        number,
                        closing,
                    });
                }
            }
            i = j.max(i + 1);
            continue;
        }
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if boundary && c.is_ascii_uppercase() {
            let mut j = i + 1;
            while j < b.len()
                && (b[j].is_ascii_uppercase() || b[j].is_ascii_digit() || b[j] == b'_')
            {
                j += 1;
            }
            if j - i >= 2 && j + 1 < b.len() && b[j] == b'-' && b[j + 1].is_ascii_digit() {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                let word_after = k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_');
                if !word_after && k - j - 1 <= 9 {
                    out.push(Reference::Key(text[i..k].to_owned()));
                }
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The `owner/name` written right before a `#` at `hash`, and where the
/// reference begins.
fn repository_before(text: &str, hash: usize) -> (String, usize) {
    let b = text.as_bytes();
    let mut s = hash;
    while s > 0
        && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'-' | b'_' | b'.' | b'/'))
    {
        s -= 1;
    }
    let name = &text[s..hash];
    match name.split_once('/') {
        Some((owner, repo)) if !owner.is_empty() && !repo.is_empty() && !repo.contains('/') => {
            (name.to_ascii_lowercase(), s)
        }
        _ => (String::new(), hash),
    }
}

fn closing_before(text: &str) -> bool {
    let trimmed = text.trim_end();
    let trimmed = trimmed.strip_suffix(':').unwrap_or(trimmed).trim_end();
    let word = trimmed
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    CLOSING.contains(&word.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        references(text)
            .into_iter()
            .map(|r| match r {
                Reference::Key(k) => k,
                Reference::Number {
                    repository,
                    number,
                    closing,
                } => format!("{repository}#{number}{}", if closing { "!" } else { "" }),
            })
            .collect()
    }

    #[test]
    fn keys_numbers_and_closing_keywords_are_found() {
        assert_eq!(
            keys("PAY-12: fix rounding (#40)\n\nFixes #7, refs acme/api#3 and EE-1"),
            ["PAY-12", "#40", "#7!", "acme/api#3", "EE-1"]
        );
        assert_eq!(keys("feature/PAY-9-login"), ["PAY-9"]);
        // A key after a dash counts (`fix-PAY-3` in a branch name); keys linking
        // to no stored item (`UTF-8`) are harmless.
        assert_eq!(
            keys("utf-8, A-1, fix-PAY-3, PAY-3x, UTF-8, #1a, ##"),
            ["PAY-3", "UTF-8"]
        );
        assert_eq!(keys("closes: #5 resolved #6"), ["#5!", "#6!"]);
    }
}
