//! lcov tracefiles: `SF:` … `end_of_record` sections with `DA:` line counts,
//! `BRDA:` branches and functions in the old (`FN:`/`FNDA:`) and the new lcov
//! 2.x (`FNL:`/`FNA:`) style. Sections of the same file (one per `TN:` test
//! name) are merged, as lcov merges them: a line is hit when any section hit
//! it. A section with no `DA:` lines (cargo-llvm-cov's summaries) counts by
//! its `LF`/`LH`, `BRF`/`BRH` and `FNF`/`FNH` totals. Text outside sections
//! (a build tool's chatter) is skipped; inside one, a count that is not a
//! non-negative whole number refuses the file.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use friction_model::inputs::{FileCoverage, Position};

use crate::{Error, Sink};

#[derive(Default)]
struct File {
    line: u64,
    lines: BTreeMap<u64, u64>,
    branches: BTreeMap<(u64, String, String), u64>,
    /// Function start line → hits.
    functions: BTreeMap<u64, u64>,
    /// Totals of sections without detail.
    totals: [u64; 6],
}

#[derive(Default)]
struct Section {
    path: String,
    /// Old style: function name → start line; new style: index → start line.
    fn_lines: HashMap<String, u64>,
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut files: Vec<File> = Vec::new();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    let mut paths: Vec<String> = Vec::new();
    let mut section: Option<Section> = None;
    let mut raw = Vec::new();
    let mut line_no = 0u64;
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        line_no += 1;
        let at = |m: String| {
            Error::at(
                Position {
                    record: 0,
                    line: Some(line_no),
                },
                m,
            )
        };
        let text = std::str::from_utf8(&raw).map_err(|_| at("not UTF-8 text".into()))?;
        let text = text.trim_end_matches(['\n', '\r']).trim();
        let Some(open) = section.as_mut() else {
            if let Some(path) = text.strip_prefix("SF:") {
                by_path.entry(path.to_owned()).or_insert_with(|| {
                    files.push(File {
                        line: line_no,
                        ..File::default()
                    });
                    paths.push(path.to_owned());
                    files.len() - 1
                });
                section = Some(Section {
                    path: path.to_owned(),
                    fn_lines: HashMap::new(),
                });
            }
            continue;
        };
        if text == "end_of_record" {
            section = None;
            continue;
        }
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let Some((key, value)) = text.split_once(':') else {
            return Err(at(format!("not an lcov record line: {text:?}")));
        };
        let file = &mut files[by_path[&open.path]];
        let fields: Vec<&str> = value.split(',').collect();
        let count = |s: &str, what: &str| -> Result<u64, Error> {
            if s == "-" {
                return Ok(0);
            }
            s.parse::<u64>().map_err(|_| {
                at(format!(
                    "{key}: the {what} `{s}` is not a non-negative whole number"
                ))
            })
        };
        match key {
            "DA" if fields.len() >= 2 => {
                let n = count(fields[0], "line number")?;
                *file.lines.entry(n).or_default() += count(fields[1], "hit count")?;
            }
            "BRDA" if fields.len() >= 4 => {
                let n = count(fields[0], "line number")?;
                let taken = count(fields[3], "taken count")?;
                *file
                    .branches
                    .entry((n, fields[1].to_owned(), fields[2].to_owned()))
                    .or_default() += taken;
            }
            "FN" if fields.len() >= 2 => {
                let n = count(fields[0], "line number")?;
                open.fn_lines.insert(fields[fields.len() - 1].to_owned(), n);
                file.functions.entry(n).or_default();
            }
            "FNDA" if fields.len() >= 2 => {
                let hits = count(fields[0], "hit count")?;
                if let Some(n) = open.fn_lines.get(fields[1]) {
                    *file.functions.entry(*n).or_default() += hits;
                }
            }
            "FNL" if fields.len() >= 2 => {
                let n = count(fields[1], "line number")?;
                open.fn_lines.insert(fields[0].to_owned(), n);
                file.functions.entry(n).or_default();
            }
            "FNA" if fields.len() >= 2 => {
                let hits = count(fields[1], "hit count")?;
                if let Some(n) = open.fn_lines.get(fields[0]) {
                    *file.functions.entry(*n).or_default() += hits;
                }
            }
            "LF" | "LH" | "BRF" | "BRH" | "FNF" | "FNH" => {
                let slot = ["LF", "LH", "BRF", "BRH", "FNF", "FNH"]
                    .iter()
                    .position(|k| *k == key)
                    .unwrap_or(0);
                file.totals[slot] += count(value, "total")?;
            }
            "DA" | "BRDA" | "FN" | "FNDA" | "FNL" | "FNA" => {
                return Err(at(format!("{key}: too few fields in {value:?}")));
            }
            // TN, MC/DC (MCDC, MCF, MCH), VER and records later lcov versions add.
            _ => {}
        }
    }
    if let Some(open) = section {
        return Err(Error::at(
            Position {
                record: 0,
                line: Some(line_no),
            },
            format!(
                "the file ends inside the section of {} (no end_of_record: truncated?)",
                open.path
            ),
        ));
    }
    if files.is_empty() {
        return Err(Error::whole("no `SF:` section: not an lcov tracefile"));
    }
    let records = files.into_iter().zip(paths).map(|(file, path)| {
        let coverage =
            if file.lines.is_empty() && file.functions.is_empty() && file.branches.is_empty() {
                let [lf, lh, brf, brh, fnf, fnh] = file.totals;
                FileCoverage {
                    path,
                    lines_found: lf,
                    lines_hit: lh,
                    branches_found: brf,
                    branches_hit: brh,
                    functions_found: fnf,
                    functions_hit: fnh,
                }
            } else {
                let hit = |m: &mut dyn Iterator<Item = &u64>| m.filter(|h| **h > 0).count() as u64;
                FileCoverage {
                    path,
                    lines_found: file.lines.len() as u64,
                    lines_hit: hit(&mut file.lines.values()),
                    branches_found: file.branches.len() as u64,
                    branches_hit: hit(&mut file.branches.values()),
                    functions_found: file.functions.len() as u64,
                    functions_hit: hit(&mut file.functions.values()),
                }
            };
        (coverage, file.line)
    });
    crate::emit_coverage(sink, records)
}
