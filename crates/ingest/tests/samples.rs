//! Every sample of `tests/fixtures/{ci,junit,coverage}` (real exports; see
//! the READMEs there) is recognised and read with as many records as the
//! test counts in it by other means, or refused with an error that says where
//! (the truncated and the malformed samples).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use friction_ingest::{Format, detect, extract};
use friction_model::inputs::{InputRecord, Position};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn samples(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures().join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(
    path: &Path,
    format: Format,
) -> Result<Vec<(InputRecord, Position)>, friction_ingest::Error> {
    let bytes = std::fs::read(path).unwrap();
    let mut records = Vec::new();
    extract(format, &mut bytes.as_slice(), &mut |r, p| {
        records.push((r, p));
        Ok(())
    })?;
    Ok(records)
}

/// Records in a JSON sample, counted from its structure.
fn json_items(text: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    if let Some(items) = v.as_array() {
        return items.len();
    }
    for page in ["workflow_runs", "jobs"] {
        if let Some(items) = v.get(page).and_then(|p| p.as_array()) {
            return items.len();
        }
    }
    1
}

/// Rows of a CSV table, counted by the `csv` crate's plain reader.
fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

/// `<testcase` elements, counted in the text.
fn testcases(text: &str) -> usize {
    text.match_indices("<testcase")
        .filter(|(i, _)| {
            let next = text.as_bytes().get(i + "<testcase".len());
            matches!(next, Some(b' ' | b'\n' | b'\r' | b'\t' | b'>' | b'/'))
        })
        .count()
}

/// Distinct files named in a coverage report's text.
fn covered_files(text: &str, format: Format) -> usize {
    let names: BTreeSet<&str> = match format {
        Format::Lcov => text.lines().filter_map(|l| l.strip_prefix("SF:")).collect(),
        _ => text
            .split("filename=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect(),
    };
    names.len()
}

/// Samples a reader must refuse, with what the error must name.
const REFUSED: [(&str, &str); 2] = [
    ("junit/pytest/corrupt-xml.xml", "line"),
    (
        "coverage/lcov/MESSY-lcov-bad-counts.info",
        "line 7: DA: the hit count `-3`",
    ),
];

fn check(dir: &str) -> usize {
    let mut checked = 0;
    for path in samples(dir) {
        let name = path
            .strip_prefix(fixtures())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let format = detect(&bytes[..bytes.len().min(8192)])
            .unwrap_or_else(|| panic!("{name}: not recognised"));
        let result = read(&path, format);
        if let Some((_, says)) = REFUSED.iter().find(|(f, _)| *f == name) {
            let err = result.expect_err(&name).to_string();
            assert!(err.contains(says), "{name}: {err}");
            checked += 1;
            continue;
        }
        let records = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        let expected = match format {
            Format::Github | Format::Gitlab => json_items(&text),
            Format::DevlakeCsv => csv_rows(&path),
            Format::Junit => testcases(&text),
            Format::Lcov | Format::Cobertura | Format::Jacoco => covered_files(&text, format),
        };
        assert_eq!(records.len(), expected, "{name} ({})", format.name());
        // Positions count records from 1, in file order.
        let ordinals: Vec<u64> = records.iter().map(|(_, p)| p.record).collect();
        assert!(ordinals.windows(2).all(|w| w[0] <= w[1]), "{name}");
        assert!(ordinals.iter().all(|r| *r >= 1), "{name}");
        checked += 1;
    }
    checked
}

#[test]
fn every_ci_sample_is_read_with_its_record_count() {
    assert_eq!(check("ci"), 13);
}

#[test]
fn every_junit_sample_is_read_with_its_testcase_count_or_refused() {
    assert_eq!(check("junit"), 22);
}

#[test]
fn every_coverage_sample_is_read_with_its_file_count_or_refused() {
    assert_eq!(check("coverage"), 10);
}
