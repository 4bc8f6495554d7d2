//! YAML definition files (OpenSLO, Sloth, Prometheus rules): every document
//! of a multi-document file, each read into a JSON value so that the
//! formats' modules share the JSON readers' accessors.
//!
//! The YAML parser is `serde_norway`, the maintained fork of `serde_yaml`
//! (which its author deprecated in 2024): it deserialises straight into
//! `serde_json::Value` through serde, reads a stream of `---`-separated
//! documents, limits recursion depth and alias expansion (a "billion laughs"
//! file is an error, not an allocation). `serde_yml` was passed over (its
//! soundness and maintenance were questioned publicly, RUSTSEC-2025-0068),
//! and `yaml-rust2` would need a converter of its own node type.
//!
//! Definition files are small (a rule file of a whole platform is a few
//! hundred KiB), so a file is parsed from memory, bounded at
//! [`MAX_BYTES`]: a larger file is refused, not read.

use std::io::{BufRead, Read};

use friction_model::inputs::{InputRecord, Position};
use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Sink};

/// The largest definition file read (friction's choice: a hundred times the
/// largest real rule file seen, kube-prometheus' whole set at about 300 KiB).
pub(crate) const MAX_BYTES: u64 = 32 << 20;

/// The documents of a YAML stream, in order; empty documents are left out.
pub(crate) fn documents(reader: &mut dyn BufRead) -> Result<Vec<Value>, Error> {
    let mut bytes = Vec::new();
    reader.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::whole(format!(
            "larger than {} MiB: not a definition file friction reads",
            MAX_BYTES >> 20
        )));
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|e| Error::whole(format!("not UTF-8 text: {e}")))?;
    let mut out = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|e| {
            let line = e.location().map(|l| l.line() as u64);
            Error::Malformed {
                position: line.map(|line| Position {
                    record: 0,
                    line: Some(line),
                }),
                message: format!("invalid YAML: {e}"),
            }
        })?;
        if !value.is_null() {
            out.push(value);
        }
    }
    Ok(out)
}

/// The objects of a document: the items of a list, or the document itself.
pub(crate) fn objects(document: &Value) -> Vec<&Value> {
    match document {
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).collect(),
        other => vec![other],
    }
}

/// Counts records and hands them to the sink with their ordinals; a file
/// that yields nothing but skips is refused with the first reason.
pub(crate) struct Emitter<'s, 'a> {
    sink: &'s mut Sink<'a>,
    ordinal: u64,
    stored: u64,
    first_skip: Option<String>,
}

impl<'s, 'a> Emitter<'s, 'a> {
    pub(crate) fn new(sink: &'s mut Sink<'a>) -> Self {
        Emitter {
            sink,
            ordinal: 0,
            stored: 0,
            first_skip: None,
        }
    }

    /// The position the next record gets.
    pub(crate) fn next_position(&self) -> Position {
        Position {
            record: self.ordinal + 1,
            line: None,
        }
    }

    pub(crate) fn record(&mut self, record: InputRecord) -> Result<(), Error> {
        self.ordinal += 1;
        if let InputRecord::Skipped(why) = &record {
            self.first_skip.get_or_insert_with(|| why.clone());
        } else {
            self.stored += 1;
        }
        (self.sink)(
            record,
            Position {
                record: self.ordinal,
                line: None,
            },
        )
    }

    pub(crate) fn skip(&mut self, why: String) -> Result<(), Error> {
        self.record(InputRecord::Skipped(why))
    }

    /// Ends the file: an error when it held nothing to store.
    pub(crate) fn finish(self, what: &str) -> Result<(), Error> {
        match (self.stored, self.first_skip) {
            (0, Some(why)) => Err(Error::whole(format!("no {what} read: {why}"))),
            (0, None) => Err(Error::whole(format!("no {what} in the file"))),
            _ => Ok(()),
        }
    }
}

/// A `NUMBER UNIT` duration (`30d`, `2w`, `1h30m`) in seconds, with the
/// units' lengths given; `None` when it is not one.
pub(crate) fn duration(text: &str, units: &[(&str, i64)]) -> Option<i64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        // The longest unit that matches (`ms` before `m`).
        let (unit, len) = units
            .iter()
            .filter(|(u, _)| rest.starts_with(u))
            .max_by_key(|(u, _)| u.len())?;
        total = total.checked_add(n.checked_mul(*len)?)?;
        rest = &rest[unit.len()..];
    }
    Some(total)
}

/// A number written as a number or as text (`99.9`, `"99.9"`).
pub(crate) fn ratio(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A percentage as a ratio, rounded to twelve decimals so that `99.9`
/// reads as `0.999` (its binary quotient is `0.9990000000000001`).
pub(crate) fn percent(p: f64) -> f64 {
    (p * 1e10).round() / 1e12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_add_their_parts_and_refuse_what_is_not_one() {
        let units = [("ms", 0), ("s", 1), ("m", 60), ("h", 3600)];
        assert_eq!(duration("1h30m", &units), Some(5400));
        assert_eq!(duration("15m", &units), Some(900));
        assert_eq!(duration("100ms", &units), Some(0));
        assert_eq!(duration("5x", &units), None);
        assert_eq!(duration("m", &units), None);
        assert_eq!(duration("", &units), None);
    }

    #[test]
    fn malformed_yaml_is_an_error_with_its_line() {
        let text = "a: 1\nb: [unclosed\nc: 2\n";
        let e = documents(&mut text.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("invalid YAML"), "{e}");
        assert!(e.starts_with("line "), "{e}");
    }

    #[test]
    fn every_document_of_a_stream_is_read() {
        let text = "- a: 1\n- a: 2\n---\nb: 3\n---\n";
        let docs = documents(&mut text.as_bytes()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(objects(&docs[0]).len(), 2);
    }
}
