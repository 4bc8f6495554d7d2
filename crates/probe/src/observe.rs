//! From a raw run to an observation: normalised text, a Drain template per line, a
//! JSON type-shape, and the fingerprint whose equality defines a behaviour class.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Termination;
use crate::drain::Drain;
use crate::http::{Response, VOLATILE_HEADERS};
use crate::normalise::normalise;
use crate::target::RawRun;

/// Characters of normalised text kept per stream as the expected output.
pub const KEPT_TEXT: usize = 64 * 1024;

/// One output stream (stdout, stderr or an HTTP body), normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// `empty`, `text`, `json` or `binary`.
    pub kind: &'static str,
    /// Normalised text (cut at [`KEPT_TEXT`]); for JSON its canonical form.
    pub text: String,
    /// The template id of each line, in order.
    pub templates: Vec<String>,
    /// JSON type-shape: sorted `path:type` pairs.
    pub shape: Vec<String>,
    pub json: Option<Value>,
    pub bytes: usize,
    pub lines: usize,
}

/// A run, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub termination: Termination,
    pub stdout: Stream,
    pub stderr: Stream,
    pub files: Vec<String>,
    /// Header names that are not volatile, and the media type.
    pub headers: Vec<String>,
    pub orphans: bool,
    pub duration_ms: f64,
}

/// The behaviour-class key: equal fingerprints, same class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub termination: String,
    pub stdout: String,
    pub stderr: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stdout_templates: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stderr_templates: Vec<String>,
    /// ⌊log2(lines + 1)⌋ of stdout.
    pub stdout_lines_bucket: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_shape: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub orphans: bool,
}

impl Fingerprint {
    /// The behaviour family: termination and the kinds of the two streams.
    pub fn family(&self) -> String {
        format!(
            "{}/stdout={}/stderr={}",
            self.termination, self.stdout, self.stderr
        )
    }
}

impl Stream {
    /// A stream with no text to template: `binary` or `empty`.
    fn opaque(kind: &'static str, bytes: usize) -> Stream {
        Stream {
            kind,
            text: String::new(),
            templates: Vec::new(),
            shape: Vec::new(),
            json: None,
            bytes,
            lines: 0,
        }
    }
}

fn stream(bytes: &[u8], cwd: Option<&str>, drain: &mut Drain, parse_json: bool) -> Stream {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) if !t.contains('\0') => t,
        _ => return Stream::opaque("binary", bytes.len()),
    };
    let normal = normalise(text, cwd);
    let trimmed = normal.trim();
    if trimmed.is_empty() {
        return Stream::opaque("empty", bytes.len());
    }
    if parse_json
        && (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(value) = serde_json::from_str::<Value>(trimmed)
    {
        let mut shape = BTreeSet::new();
        type_shape(&value, "$", &mut shape);
        return Stream {
            kind: "json",
            text: cut(&value.to_string()),
            templates: Vec::new(),
            shape: shape.into_iter().collect(),
            json: Some(value),
            bytes: bytes.len(),
            lines: normal.lines().count(),
        };
    }
    let templates: Vec<String> = normal
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| drain.template_of(l))
        .collect();
    Stream {
        kind: "text",
        text: cut(&normal),
        lines: templates.len(),
        templates,
        shape: Vec::new(),
        json: None,
        bytes: bytes.len(),
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(KEPT_TEXT) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// JSON type name: integers apart from other numbers.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `path:type` for every node, arrays collapsed to `[]`.
pub fn type_shape(v: &Value, path: &str, out: &mut BTreeSet<String>) {
    out.insert(format!("{path}:{}", json_type(v)));
    match v {
        Value::Array(items) => {
            for item in items {
                type_shape(item, &format!("{path}[]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                type_shape(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

impl Observation {
    /// A command-line run, normalised; line templates are learnt into `drain`.
    pub fn of_run(run: &RawRun, drain: &mut Drain) -> Self {
        let cwd = Some(run.cwd.as_str());
        Observation {
            termination: run.termination.clone(),
            stdout: stream(&run.stdout, cwd, drain, true),
            stderr: stream(&run.stderr, cwd, drain, true),
            files: run.files.clone(),
            headers: Vec::new(),
            orphans: run.orphans,
            duration_ms: run.duration.as_secs_f64() * 1000.0,
        }
    }

    /// An HTTP response: the body is the first stream, the second is empty.
    pub fn of_response(r: &Response, drain: &mut Drain) -> Self {
        let mut headers: Vec<String> = r
            .headers
            .keys()
            .filter(|k| !VOLATILE_HEADERS.contains(&k.as_str()))
            .cloned()
            .collect();
        if let Some(ct) = r.headers.get("content-type").and_then(|v| v.first()) {
            let media = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            headers.push(format!("media={media}"));
        }
        headers.sort();
        Observation {
            termination: r.termination.clone(),
            stdout: stream(&r.body, None, drain, true),
            stderr: stream(&[], None, drain, false),
            files: Vec::new(),
            headers,
            orphans: false,
            duration_ms: r.duration.as_secs_f64() * 1000.0,
        }
    }

    /// What a case of the spec expects, as an observation (templates from `drain`).
    pub fn expected(expect: &crate::spec::Expect, drain: &mut Drain) -> Self {
        Observation {
            termination: expect.termination.clone(),
            stdout: stream(expect.stdout.as_bytes(), None, drain, true),
            stderr: stream(expect.stderr.as_bytes(), None, drain, true),
            files: expect.files.clone(),
            headers: expect.headers.clone(),
            orphans: expect.orphans,
            duration_ms: 0.0,
        }
    }

    /// Line templates again, from `drain` (frozen after exploration, so every
    /// comparison uses the same final templates whatever order lines arrived in).
    pub fn retemplate(&mut self, drain: &mut Drain) {
        for s in [&mut self.stdout, &mut self.stderr] {
            if s.kind == "text" {
                s.templates = s
                    .text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| drain.template_of(l))
                    .collect();
                s.lines = s.templates.len();
            }
        }
    }

    /// Whether the streams were cut short (timeout, flood): only the termination
    /// of such a run is comparable.
    pub fn cut_short(&self) -> bool {
        matches!(self.termination, Termination::Timeout | Termination::Flood)
    }

    pub fn fingerprint(&self) -> Fingerprint {
        let set = |v: &[String]| {
            v.iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        Fingerprint {
            termination: self.termination.label(),
            stdout: self.stdout.kind.into(),
            stderr: self.stderr.kind.into(),
            stdout_templates: set(&self.stdout.templates),
            stderr_templates: set(&self.stderr.templates),
            stdout_lines_bucket: (self.stdout.lines as u32 + 1).ilog2(),
            json_shape: self.stdout.shape.clone(),
            files: self.files.clone(),
            headers: self.headers.clone(),
            orphans: self.orphans,
        }
    }

    /// The numeric variables invariants are inferred over.
    pub fn variables(&self) -> BTreeMap<String, f64> {
        let mut v = BTreeMap::new();
        v.insert("stdout.bytes".into(), self.stdout.bytes as f64);
        v.insert("stdout.lines".into(), self.stdout.lines as f64);
        v.insert("stderr.bytes".into(), self.stderr.bytes as f64);
        v.insert("stderr.lines".into(), self.stderr.lines as f64);
        if let Some(json) = &self.stdout.json {
            json_numbers(json, "stdout.json", &mut v);
        }
        v
    }
}

/// Numeric leaves and array sizes of a JSON value (the first element stands for an
/// array's items).
fn json_numbers(v: &Value, path: &str, out: &mut BTreeMap<String, f64>) {
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                out.insert(path.to_owned(), x);
            }
        }
        Value::Array(items) => {
            out.insert(format!("size({path}[])"), items.len() as f64);
            if let Some(first) = items.first() {
                json_numbers(first, &format!("{path}[0]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                json_numbers(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}
