//! JSON as API clients write it: one document, several concatenated documents
//! (`gh api --paginate`), or an array of items or pages (`--slurp`). Top-level
//! arrays are read one element at a time; each object (an item, a page or a
//! webhook payload) is handed to its provider's module.

use std::fmt;
use std::io::{BufRead, Read};

use friction_model::inputs::{InputRecord, Position};
use serde::Deserialize;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{Error, Sink, github, gitlab};

/// Which API's items a JSON file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    Github,
    Gitlab,
    Pagerduty,
    Opsgenie,
    Jira,
}

/// What the container of an item knows and the item may not say itself:
/// the repository (DevLake's `params`, a webhook's `repository`) and the
/// pull request's number (DevLake's `input`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Hint {
    pub scope: Option<String>,
    pub number: Option<u64>,
}

/// The records of one object of `provider`'s API.
pub(crate) fn records(
    provider: Provider,
    item: &Value,
    hint: &Hint,
) -> Result<Vec<InputRecord>, String> {
    match provider {
        Provider::Github => github::records(item, hint),
        Provider::Gitlab => gitlab::records(item, hint),
        Provider::Pagerduty => crate::incidents::pagerduty(item),
        Provider::Opsgenie => crate::incidents::opsgenie(item),
        Provider::Jira => crate::workitems::jira(item),
    }
}

/// Files up to this size are parsed from memory, which serde_json reads
/// several times faster than a stream; larger ones are streamed, so memory
/// stays bounded whatever the size of an export.
const IN_MEMORY: u64 = 256 << 20;

pub(crate) fn extract(
    reader: &mut dyn BufRead,
    provider: Provider,
    sink: &mut Sink<'_>,
) -> Result<(), Error> {
    extract_within(reader, provider, sink, IN_MEMORY)
}

fn extract_within(
    reader: &mut dyn BufRead,
    provider: Provider,
    sink: &mut Sink<'_>,
    in_memory: u64,
) -> Result<(), Error> {
    let mut state = State {
        provider,
        opened: false,
        objects: 0,
        sink,
        failed: None,
    };
    let mut head = Vec::new();
    reader.take(in_memory + 1).read_to_end(&mut head)?;
    if head.len() as u64 <= in_memory {
        documents(&mut serde_json::Deserializer::from_slice(&head), &mut state)?;
    } else {
        let rest = std::io::Cursor::new(head).chain(reader);
        documents(&mut serde_json::Deserializer::from_reader(rest), &mut state)?;
    }
    if state.objects == 0 {
        return Err(Error::whole("no JSON document"));
    }
    Ok(())
}

/// Reads every top-level document. The end is where only whitespace is left:
/// the next document then fails with an end-of-file error before it opens
/// (`serde_json`'s own `end()` check would count the lines of everything read
/// so far at every document).
fn documents<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    state: &mut State<'_, '_>,
) -> Result<(), Error> {
    loop {
        state.opened = false;
        if let Err(e) = TopLevel(&mut *state).deserialize(&mut *de) {
            if !state.opened && state.failed.is_none() && e.is_eof() {
                return Ok(());
            }
            return Err(state.failed.take().unwrap_or_else(|| {
                Error::at(
                    Position {
                        record: state.objects + 1,
                        line: Some(e.line() as u64),
                    },
                    format!("invalid JSON: {e}"),
                )
            }));
        }
    }
}

struct State<'s, 'a> {
    provider: Provider,
    /// A document has begun (its first bracket was read).
    opened: bool,
    /// Objects read so far (the position of a record).
    objects: u64,
    sink: &'s mut Sink<'a>,
    failed: Option<Error>,
}

impl State<'_, '_> {
    fn object(&mut self, item: Value) -> Result<(), Error> {
        self.objects += 1;
        let position = Position {
            record: self.objects,
            line: None,
        };
        let records =
            records(self.provider, &item, &Hint::default()).map_err(|m| Error::at(position, m))?;
        for record in records {
            (self.sink)(record, position)?;
        }
        Ok(())
    }

    fn stop<E: serde::de::Error>(&mut self, e: Error) -> E {
        self.failed = Some(e);
        E::custom("stopped")
    }
}

struct TopLevel<'r, 's, 'a>(&'r mut State<'s, 'a>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.opened = true;
        // Elements are items, pages or arrays of them (`--slurp`), read alike.
        while seq.next_element_seed(TopLevel(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        state.opened = true;
        let mut rest = serde_json::Map::new();
        let mut paged = false;
        while let Some(key) = map.next_key::<String>()? {
            let page = match (state.provider, key.as_str()) {
                (Provider::Github, "workflow_runs") => Some(github::Page::Runs),
                (Provider::Github, "jobs") => Some(github::Page::Jobs),
                _ => None,
            };
            match page {
                // A page's items are read straight into their types, one
                // at a time, never as a tree of values.
                Some(page) => {
                    map.next_value_seed(PageSeed {
                        state: &mut *state,
                        page,
                    })?;
                    paged = true;
                }
                None => {
                    let value: Value = map.next_value()?;
                    rest.insert(key, value);
                }
            }
        }
        if paged {
            return Ok(());
        }
        state.object(Value::Object(rest)).map_err(|e| state.stop(e))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        let e = Error::at(
            Position {
                record: self.0.objects + 1,
                line: None,
            },
            "expected a JSON object or array, found null",
        );
        Err(self.0.stop(e))
    }
}

struct PageSeed<'r, 's, 'a> {
    state: &'r mut State<'s, 'a>,
    page: github::Page,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let hint = Hint::default();
        loop {
            let record = match self.page {
                github::Page::Runs => seq
                    .next_element::<github::Run>()?
                    .map(|r| github::run_record(r, &hint)),
                github::Page::Jobs => seq
                    .next_element::<github::Job>()?
                    .map(|j| github::job_record(j, &hint)),
            };
            let Some(record) = record else { break };
            self.state.objects += 1;
            let position = Position {
                record: self.state.objects,
                line: None,
            };
            let sent = record
                .map_err(|m| Error::at(position, m))
                .and_then(|r| (self.state.sink)(r, position));
            if let Err(e) = sent {
                return Err(self.state.stop(e));
            }
        }
        Ok(())
    }
}

/// A scalar read as text whatever its JSON type (numbers as written; null
/// and absent as empty), as API exports mix them.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        Ok(Text(match Value::deserialize(d)? {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        }))
    }
}

impl Text {
    /// The value as a time: empty is `None`; anything else must be a time.
    pub(crate) fn time(&self, key: &str) -> Result<Option<i64>, String> {
        let s = self.0.trim();
        if s.is_empty() {
            return Ok(None);
        }
        crate::time::parse(s)
            .map(Some)
            .ok_or_else(|| format!("`{key}` is not a time: {s:?}"))
    }
}

// Accessors shared by the providers' modules: absent and null read as empty.

/// A string field (numbers written as text); empty when absent or null.
pub(crate) fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A nested string field (`user.login`).
pub(crate) fn text_at(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for key in &path[..path.len() - 1] {
        match cur.get(key) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    text(cur, path[path.len() - 1])
}

/// An array of strings, joined by commas (runner labels, tag lists).
pub(crate) fn joined(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// A whole number, written as a number or as text.
pub(crate) fn number(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number of seconds, possibly fractional.
pub(crate) fn seconds(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A timestamp field: absent, null or empty is `None`; anything else must
/// be a time.
pub(crate) fn time(v: &Value, key: &str) -> Result<Option<i64>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => crate::time::parse(s)
            .map(Some)
            .ok_or_else(|| format!("`{key}` is not a time: {s:?}")),
        Some(other) => Err(format!("`{key}` is not a time: {other}")),
    }
}

/// The identifier of an item: its `id` as text; an item without one is refused.
pub(crate) fn id(v: &Value, what: &str) -> Result<String, String> {
    let id = text(v, "id");
    if id.is_empty() {
        Err(format!("{what} without an `id`"))
    } else {
        Ok(id)
    }
}

/// The sorted keys of an object, for an error about an unknown item.
pub(crate) fn keys(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
            keys.sort_unstable();
            if map.len() > 8 {
                keys.push("…");
            }
            keys.join(", ")
        }
        other => format!("a JSON {}", kind(other)),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file larger than the in-memory limit is streamed, with the same
    /// records, positions and errors.
    #[test]
    fn streamed_and_in_memory_reading_agree() {
        let run = r#"{"id":7,"run_number":3,"workflow_id":1,"status":"queued","repository":{"full_name":"a/b"}}"#;
        let good = format!("{{\"workflow_runs\":[{run},{run}]}}\n[{run}]");
        let bad = format!("{{\"workflow_runs\":[{run},\n{run}");
        for text in [good, bad] {
            let read = |limit: u64| {
                let mut out = Vec::new();
                let result = extract_within(
                    &mut text.as_bytes(),
                    Provider::Github,
                    &mut |r, p| {
                        out.push((r, p));
                        Ok(())
                    },
                    limit,
                );
                (out, result.map_err(|e| e.to_string()))
            };
            assert_eq!(read(IN_MEMORY), read(10), "{text}");
        }
    }

    /// Only whitespace after the last document ends the file; a document cut
    /// anywhere, even where a value is due, is an error.
    #[test]
    fn the_end_is_whitespace_only() {
        let run = r#"{"id":7,"run_number":3,"workflow_id":1,"status":"queued","repository":{"full_name":"a/b"}}"#;
        let read = |text: &str| {
            extract(&mut text.as_bytes(), Provider::Github, &mut |_, _| Ok(()))
                .map_err(|e| e.to_string())
        };
        assert!(read(&format!("{run}\n \n")).is_ok());
        for cut in [r#"{"id":"#, r#"[{"id":7,"run_number":"#, "[", "x"] {
            let err = read(&format!("{run}\n{cut}")).unwrap_err();
            assert!(
                err.starts_with("record 2 (line 2): invalid JSON"),
                "{cut}: {err}"
            );
        }
        assert_eq!(read("  ").unwrap_err(), "no JSON document");
    }
}
