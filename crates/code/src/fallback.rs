//! The language-agnostic fallback for source files without a grammar here
//! (and for files too large or too minified to parse): line classes by
//! common comment prefixes, and nesting by indentation.
//!
//! Written by hand because it is twenty lines of counting; no crate measures
//! indentation nesting.

use crate::Language;
use crate::measure::duplication;
use crate::metrics::{FileMetrics, Lines, Method};

/// Line-comment prefixes recognised by the fallback (shell, Perl, Python,
/// Ruby, R, Tcl: `#`; C family: `//`, `/*`, `*`; SQL, Lua, Haskell, Ada: `--`;
/// Lisp, assembly: `;`; Erlang, TeX, MATLAB: `%`).
const COMMENT_PREFIXES: &[&[u8]] = &[b"#", b"//", b"/*", b"*", b"--", b";", b"%"];

pub(crate) fn measure(language: Language, bytes: &[u8]) -> FileMetrics {
    let mut lines = Lines::default();
    let mut code_rows = Vec::new();
    for line in split_lines(bytes) {
        lines.total += 1;
        let t = trim(line);
        if t.is_empty() {
            lines.blank += 1;
            code_rows.push(false);
        } else if t.starts_with(b"#!") || COMMENT_PREFIXES.iter().any(|p| t.starts_with(p)) {
            lines.comment += 1;
            code_rows.push(false);
        } else {
            lines.code += 1;
            code_rows.push(true);
        }
    }
    FileMetrics {
        language,
        method: Method::Fallback,
        bytes: bytes.len() as u64,
        lines,
        functions: Vec::new(),
        duplication: duplication(bytes, Some(&code_rows)),
        max_indent: max_indent(bytes, Some(&code_rows)),
        flags: Vec::new(),
        generated_marker: false,
        classes: Vec::new(),
    }
}

fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|&b| b == b'\n').filter(move |_| !empty)
}

fn trim(line: &[u8]) -> &[u8] {
    let start = line.iter().position(|b| !b.is_ascii_whitespace());
    match start {
        None => &[],
        Some(s) => {
            let end = line
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .unwrap_or(s);
            &line[s..=end]
        }
    }
}

/// Deepest indentation level among code lines. A tab is one level; for
/// spaces the unit is the smallest indentation step seen in the file
/// (at least 2), so 4-space and 2-space code measure alike.
pub(crate) fn max_indent(bytes: &[u8], code_rows: Option<&[bool]>) -> u32 {
    let mut widths: Vec<(u32, u32)> = Vec::new(); // (tabs, spaces)
    for (row, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if let Some(rows) = code_rows
            && !rows.get(row).copied().unwrap_or(false)
        {
            continue;
        }
        let (mut tabs, mut spaces) = (0u32, 0u32);
        for &b in line {
            match b {
                b'\t' => tabs += 1,
                b' ' => spaces += 1,
                _ => break,
            }
        }
        if tabs + spaces < line.len() as u32 {
            widths.push((tabs, spaces));
        }
    }
    let mut unit = u32::MAX;
    let mut sorted: Vec<u32> = widths.iter().map(|w| w.1).filter(|&s| s > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut prev = 0;
    for s in sorted {
        unit = unit.min(s - prev);
        prev = s;
    }
    let unit = if unit == u32::MAX { 4 } else { unit.max(2) };
    widths.iter().map(|(t, s)| t + s / unit).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_lines_and_indentation() {
        let src = b"#!/bin/sh\n# comment\n\nfoo() {\n  if true; then\n    echo hi\n  fi\n}\n";
        let m = measure(Language::Other, src);
        assert_eq!(m.lines.total, 8);
        assert_eq!(m.lines.comment, 2);
        assert_eq!(m.lines.blank, 1);
        assert_eq!(m.lines.code, 5);
        assert_eq!(m.max_indent, 2);
        assert_eq!(m.method, Method::Fallback);
    }

    #[test]
    fn empty_file() {
        let m = measure(Language::Other, b"");
        assert_eq!(m.lines.total, 0);
        assert_eq!(m.max_indent, 0);
    }
}
