//! Helpers every text format shares: lines of byte offsets and of JSON keys.

use std::collections::HashMap;

/// The 1-based line of a byte offset.
pub(crate) fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The first line on which each JSON object key opens an object or array
/// (`"key": {`), for citing records of pretty-printed JSON, which serde does
/// not locate. Keys of one-line documents all get line 1.
pub(crate) fn json_key_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find("\":") else {
            continue;
        };
        lines.entry(&rest[..end]).or_insert(n + 1);
    }
    lines
}

/// The first line at or after `from` (1-based) that contains `needle`.
pub(crate) fn line_containing(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(n, _)| n + 1)
}

/// The 1-based lines that are exactly `header` (after trimming), in order:
/// where TOML lockfiles' `[[package]]` entries start.
pub(crate) fn header_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(n, _)| n + 1)
        .collect()
}
