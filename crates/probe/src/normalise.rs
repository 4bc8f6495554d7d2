//! Normalisers: volatile values (paths of the run's working directory, timestamps,
//! UUIDs, long hex ids, durations) are replaced by placeholders before anything is
//! fingerprinted or compared. Each normaliser has an id recorded in the spec.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// A normaliser as the spec records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normaliser {
    pub id: String,
    /// `regex` (built in) or `template` (measured: a line template whose values
    /// differed across repeats of one input).
    pub kind: String,
    /// The regex, or the template id for measured noise.
    pub pattern: String,
    pub replace: String,
    /// `builtin` or `measured`.
    pub origin: String,
    /// For measured noise: inputs that showed the template, and those whose
    /// repeats disagreed on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<NoiseEvidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseEvidence {
    pub inputs: usize,
    pub differing: usize,
}

/// The built-in normalisers, in the order they apply (after the run's own
/// directory is replaced by `[CWD]`).
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "N1",
        r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b",
        "[TIMESTAMP]",
    ),
    (
        "N2",
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +\d{1,2} +[A-Z][a-z]{2} +\d{4} +\d{2}:\d{2}:\d{2}( +[A-Z+-][A-Z0-9]+)?\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +[A-Z][a-z]{2} +\d{1,2} +\d{2}:\d{2}:\d{2}( +[A-Z]{3,4})? +\d{4}\b",
        "[TIMESTAMP]",
    ),
    (
        "N3",
        r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        "[UUID]",
    ),
    ("N4", r"\b[0-9a-fA-F]{16,}\b", "[HEX]"),
    ("N5", r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b", "[DURATION]"),
];

/// The `[CWD]` normaliser's id: the run's fresh working directory.
pub const CWD_ID: &str = "N0";

fn compiled() -> &'static [(Regex, &'static str)] {
    static RE: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    RE.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|(_, p, r)| (Regex::new(p).expect("built-in pattern"), *r))
            .collect()
    })
}

/// The built-in normalisers as the spec lists them.
pub fn builtin() -> Vec<Normaliser> {
    let mut out = vec![Normaliser {
        id: CWD_ID.into(),
        kind: "regex".into(),
        pattern: "<the run's working directory>".into(),
        replace: "[CWD]".into(),
        origin: "builtin".into(),
        evidence: None,
    }];
    out.extend(BUILTIN.iter().map(|(id, p, r)| Normaliser {
        id: (*id).into(),
        kind: "regex".into(),
        pattern: (*p).into(),
        replace: (*r).into(),
        origin: "builtin".into(),
        evidence: None,
    }));
    out
}

/// Text with the run's directory and every built-in volatile value replaced.
pub fn normalise(text: &str, cwd: Option<&str>) -> String {
    let mut s = match cwd {
        Some(dir) if !dir.is_empty() => text.replace(dir, "[CWD]"),
        _ => text.to_owned(),
    };
    for (re, rep) in compiled() {
        if re.is_match(&s) {
            s = re.replace_all(&s, *rep).into_owned();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_values_become_placeholders() {
        let t = "at 2026-12-03T06:50:01.123Z id 123e4567-e89b-12d3-a456-426614174000 \
                 commit 0123456789abcdef0123 took 12.5ms in /tmp/x/run";
        assert_eq!(
            normalise(t, Some("/tmp/x")),
            "at [TIMESTAMP] id [UUID] commit [HEX] took [DURATION] in [CWD]/run"
        );
    }

    #[test]
    fn ordinary_text_and_versions_are_kept() {
        assert_eq!(normalise("1.2.3 and 10", None), "1.2.3 and 10");
    }
}
