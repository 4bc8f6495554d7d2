//! The input model: the option grammar read from `--help`, value classes at the
//! boundaries (Schemathesis's coverage phase, category partitioning), HTTP paths from
//! an OpenAPI document or seed requests, and the features an input is described by in
//! the spec's rules. Generation is deterministic from a seed.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rng::Rng;
use crate::target::{FIXTURE_DIR, FIXTURE_FILE, FIXTURE_UNREADABLE};
use crate::{Error, Input};

/// An option read from the help text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// Spellings, the long one last (`-r`, `--range`).
    pub names: Vec<String>,
    pub takes_value: bool,
    /// Values the help text enumerates ("one of: major, minor, …").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    pub source: String,
}

impl OptionSpec {
    pub fn name(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }
}

/// What inputs are made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputModel {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionSpec>,
    /// Positional slots generated (at most 2).
    pub positionals: usize,
    /// Value classes: name → value.
    pub value_classes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stdin_classes: Vec<String>,
    /// HTTP: `METHOD /path/{param}` templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

/// Value classes at the boundaries; the path classes name the fixtures every run's
/// working directory holds.
pub fn value_classes() -> BTreeMap<String, String> {
    let list: [(&str, String); 20] = [
        ("empty", String::new()),
        ("space", " ".into()),
        ("zero", "0".into()),
        ("one", "1".into()),
        ("negative", "-1".into()),
        ("int_max", "2147483647".into()),
        ("overflow", "9223372036854775808".into()),
        ("float", "3.14".into()),
        ("dotted", "1.2.3".into()),
        ("word", "abc".into()),
        ("long", "a".repeat(4096)),
        ("unicode", "ünïcødé ✓ 日本".into()),
        ("control", "a\u{1}\u{7}\tb\u{1b}[0m".into()),
        ("path_exists", FIXTURE_FILE.into()),
        ("path_missing", "missing.txt".into()),
        ("path_dir", FIXTURE_DIR.into()),
        ("path_unreadable", FIXTURE_UNREADABLE.into()),
        ("dash", "-".into()),
        ("double_dash", "--".into()),
        ("option_like", "--no-such-option".into()),
    ];
    list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Stdin classes: name → content (`none` is a closed stdin).
pub fn stdin_classes() -> Vec<(String, Option<String>)> {
    vec![
        ("none".into(), None),
        ("empty".into(), Some(String::new())),
        ("text".into(), Some("hello world\n".into())),
        (
            "json".into(),
            Some("{\"a\": 1, \"b\": [true, null]}\n".into()),
        ),
        ("invalid_json".into(), Some("{\"a\": \n".into())),
    ]
}

/// Reads options from help text: lines starting with `-`, their spellings, whether
/// a value follows (`<x>`, `[<x>]`, `=X`, an upper-case word) and enumerated values.
pub fn parse_help(help: &str) -> Vec<OptionSpec> {
    let enum_re = Regex::new(r"(?i)one of:?\s*([a-z0-9_, \-]+(?:,\s*(?:or\s+)?[a-z0-9_\-]+)*)")
        .expect("static pattern");
    let mut out: Vec<OptionSpec> = Vec::new();
    let mut current: Option<usize> = None;
    let mut description = String::new();
    let flush = |out: &mut Vec<OptionSpec>, current: Option<usize>, description: &str| {
        if let Some(i) = current
            && let Some(c) = enum_re.captures(&description.replace('\n', " "))
        {
            let values: Vec<String> = c[1]
                .split(',')
                .map(|v| v.trim().trim_start_matches("or ").trim().to_owned())
                .filter(|v| !v.is_empty() && !v.contains(' '))
                .collect();
            if values.len() >= 2 && out[i].takes_value {
                out[i].values = values;
            }
        }
    };
    for line in help.lines() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('-') || trimmed.starts_with("--- ") {
            if current.is_some() {
                description.push_str(line);
                description.push('\n');
            }
            continue;
        }
        flush(&mut out, current, &description);
        description.clear();
        let mut names = Vec::new();
        let mut takes_value = false;
        let mut rest_start = None;
        for (i, tok) in trimmed.split_whitespace().enumerate() {
            let tok = tok.trim_end_matches(',');
            if tok.starts_with('-') && tok.len() > 1 && tok != "--" {
                let (name, value) = match tok.split_once('=') {
                    Some((n, _)) => (n, true),
                    None => (tok, false),
                };
                let name = name.trim_end_matches(['[', ']']);
                if name
                    .chars()
                    .skip_while(|c| *c == '-')
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                    && name.chars().any(char::is_alphanumeric)
                {
                    names.push(name.to_owned());
                }
                takes_value |= value;
            } else if tok.starts_with('<')
                || tok.starts_with("[<")
                || tok.starts_with("[=")
                || (tok.len() > 1 && tok.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            {
                takes_value = true;
            } else {
                rest_start = Some(i);
                break;
            }
        }
        if names.is_empty() {
            current = None;
            continue;
        }
        names.sort_by_key(|n| (n.starts_with("--"), n.len()));
        if out.iter().any(|o| o.names == names) {
            current = None;
            continue;
        }
        out.push(OptionSpec {
            names,
            takes_value,
            values: Vec::new(),
            source: "help".into(),
        });
        current = Some(out.len() - 1);
        if let Some(i) = rest_start {
            description = trimmed
                .split_whitespace()
                .skip(i)
                .collect::<Vec<_>>()
                .join(" ");
            description.push('\n');
        }
    }
    flush(&mut out, current, &description);
    out
}

/// The class of one argument value, for the rules (`empty`, `dotted`, …, `other`).
pub fn classify(value: &str, classes: &BTreeMap<String, String>) -> String {
    if let Some((name, _)) = classes.iter().find(|(_, v)| v.as_str() == value) {
        return name.clone();
    }
    if value.chars().any(char::is_control) {
        return "control".into();
    }
    if !value.is_ascii() {
        return "unicode".into();
    }
    if value.len() > 256 {
        return "long".into();
    }
    if value.parse::<i64>().is_ok() {
        return if value.starts_with('-') {
            "negative".into()
        } else {
            "integer".into()
        };
    }
    if value.starts_with('-') {
        return "option_like".into();
    }
    if value.chars().any(|c| c.is_ascii_digit()) {
        return "numeric_text".into();
    }
    "text".into()
}

/// Features of an input: `argc=N`, `opt:NAME`, `NAME=class`, `argK.class=class`,
/// `stdin=class`, or for HTTP `route=…`, `param.class=…`.
pub fn features(input: &Input, model: &InputModel) -> Vec<String> {
    let mut out = BTreeSet::new();
    match input {
        Input::Cli { argv, stdin } => {
            let mut positional = 0;
            let mut i = 0;
            while i < argv.len() {
                let a = &argv[i];
                let spelled = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
                match model
                    .options
                    .iter()
                    .find(|o| o.names.iter().any(|n| n == spelled))
                {
                    Some(opt) => {
                        out.insert(format!("opt:{}", opt.name()));
                        if opt.takes_value {
                            let value = match a.split_once('=') {
                                Some((_, v)) => Some(v.to_owned()),
                                None => {
                                    i += 1;
                                    argv.get(i).cloned()
                                }
                            };
                            if let Some(v) = value {
                                let class = if opt.values.contains(&v) {
                                    "listed".to_owned()
                                } else {
                                    classify(&v, &model.value_classes)
                                };
                                out.insert(format!("{}={class}", opt.name()));
                            }
                        }
                    }
                    None => {
                        positional += 1;
                        if positional <= 3 {
                            out.insert(format!(
                                "arg{positional}.class={}",
                                classify(a, &model.value_classes)
                            ));
                        }
                    }
                }
                i += 1;
            }
            out.insert(format!("argc={positional}"));
            let stdin_class = match stdin {
                None => "none",
                Some(s) if s.is_empty() => "empty",
                Some(s) if serde_json::from_str::<Value>(s).is_ok() => "json",
                Some(s) if s.trim_start().starts_with('{') => "invalid_json",
                Some(_) => "text",
            };
            out.insert(format!("stdin={stdin_class}"));
        }
        Input::Http { method, path, .. } => {
            let (route, params) = route_of(path, &model.paths, method);
            out.insert(format!("route={route}"));
            for (name, value) in params {
                out.insert(format!(
                    "{name}.class={}",
                    classify(&value, &model.value_classes)
                ));
            }
            if path.contains('?') {
                out.insert("query".into());
            }
        }
    }
    out.into_iter().collect()
}

/// The template an HTTP path matches and its parameter values.
fn route_of(path: &str, templates: &[String], method: &str) -> (String, Vec<(String, String)>) {
    let bare = path.split('?').next().unwrap_or(path);
    let segs: Vec<&str> = bare.split('/').collect();
    for t in templates {
        let Some((m, tpath)) = t.split_once(' ') else {
            continue;
        };
        if m != method {
            continue;
        }
        let tsegs: Vec<&str> = tpath.split('/').collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut params = Vec::new();
        let fits = tsegs.iter().zip(&segs).all(|(t, s)| {
            if t.starts_with('{') && t.ends_with('}') {
                params.push((t.trim_matches(['{', '}']).to_owned(), decode(s)));
                true
            } else {
                t == s
            }
        });
        if fits {
            return (t.clone(), params);
        }
    }
    (format!("{method} (unlisted)"), Vec::new())
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// HTTP routes from an OpenAPI 3 or Swagger 2 document (JSON or YAML): `GET`
/// operations only (probing never changes the service's state).
pub fn openapi_routes(text: &str, origin: &str) -> Result<Vec<String>, Error> {
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(json) if text.trim_start().starts_with(['{', '[']) => {
            return Err(Error::Input(format!(
                "{origin} is not an OpenAPI document: its JSON is malformed ({json})"
            )));
        }
        Err(_) => yaml_to_json(text).map_err(|e| {
            Error::Input(format!(
                "{origin} is not an OpenAPI document: neither JSON nor YAML ({e})"
            ))
        })?,
    };
    if doc.get("openapi").is_none() && doc.get("swagger").is_none() {
        return Err(Error::Input(format!(
            "{origin} has neither an `openapi` nor a `swagger` version field"
        )));
    }
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Err(Error::Input(format!("{origin} has no `paths` object")));
    };
    let mut out = Vec::new();
    for (path, ops) in paths {
        if !path.starts_with('/') {
            return Err(Error::Input(format!(
                "{origin}: path `{path}` does not start with `/`"
            )));
        }
        if ops.get("get").is_some() {
            out.push(format!("GET {path}"));
        }
    }
    out.sort();
    Ok(out)
}

/// A YAML document as JSON (the first document of the stream): mappings with
/// scalar keys, sequences and scalars; aliases are resolved by the loader.
fn yaml_to_json(text: &str) -> Result<Value, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    fn convert(y: &Yaml) -> Result<Value, String> {
        Ok(match y {
            Yaml::Null => Value::Null,
            Yaml::Boolean(b) => Value::Bool(*b),
            Yaml::Integer(i) => Value::from(*i),
            Yaml::Real(r) => r
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Value::String(r.clone()), Value::Number),
            Yaml::String(s) => Value::String(s.clone()),
            Yaml::Array(items) => {
                Value::Array(items.iter().map(convert).collect::<Result<_, _>>()?)
            }
            Yaml::Hash(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Real(r) => r.clone(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => {
                            return Err(format!("a mapping key that is not a scalar: {other:?}"));
                        }
                    };
                    out.insert(key, convert(v)?);
                }
                Value::Object(out)
            }
            Yaml::Alias(_) | Yaml::BadValue => {
                return Err("an unresolved alias or a bad value".into());
            }
        })
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let first = docs.first().ok_or("the document is empty")?;
    match convert(first)? {
        v @ Value::Object(_) => Ok(v),
        _ => Err("the document is not a mapping".into()),
    }
}

/// Seed requests (`METHOD /path?query`) from a HAR file (a browser's or a proxy's
/// recording): the `GET` and `HEAD` requests, their URLs made relative to the
/// origin and to `prefix` (the base URL's path); returns them with the number of
/// other requests left out (probing never changes the service's state).
pub fn har_seeds(text: &str, origin: &str, prefix: &str) -> Result<(Vec<String>, usize), Error> {
    let bad = |what: String| Error::Input(format!("{origin} is not a HAR file: {what}"));
    let doc: Value = serde_json::from_str(text).map_err(|e| bad(format!("{e}")))?;
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("it has no `log.entries` list".into()))?;
    let mut seeds = Vec::new();
    let mut skipped = 0;
    for (i, entry) in entries.iter().enumerate() {
        let field = |name: &str| {
            entry
                .pointer(&format!("/request/{name}"))
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("entry {} has no `request.{name}`", i + 1)))
        };
        let method = field("method")?.to_ascii_uppercase();
        let url = field("url")?;
        if !matches!(method.as_str(), "GET" | "HEAD") {
            skipped += 1;
            continue;
        }
        let path = url
            .split_once("://")
            .map(|(_, rest)| rest.find('/').map_or("/", |at| &rest[at..]))
            .unwrap_or(url);
        if !path.starts_with('/') {
            return Err(bad(format!(
                "entry {} has the URL `{url}`, not an absolute one",
                i + 1
            )));
        }
        let path = path.split('#').next().unwrap_or(path);
        let path = match path.strip_prefix(prefix) {
            Some(rest)
                if !prefix.is_empty() && (rest.is_empty() || rest.starts_with(['/', '?'])) =>
            {
                if rest.starts_with('/') {
                    rest.to_owned()
                } else {
                    format!("/{rest}")
                }
            }
            _ => path.to_owned(),
        };
        seeds.push(format!("{method} {path}"));
    }
    if seeds.is_empty() {
        return Err(Error::Input(format!(
            "{origin} holds no GET or HEAD request to replay ({skipped} others left out: probing never changes the service's state)"
        )));
    }
    seeds.sort();
    seeds.dedup();
    Ok((seeds, skipped))
}

/// A seed request `METHOD /path`: numeric segments become parameters.
pub fn seed_route(seed: &str) -> Result<(String, String), Error> {
    let (method, path) = seed
        .trim()
        .split_once(' ')
        .ok_or_else(|| Error::Input(format!("seed request `{seed}` is not `METHOD /path`")))?;
    let method = method.to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "HEAD") {
        return Err(Error::Input(format!(
            "seed request `{seed}`: only GET and HEAD are probed (the service's state must not change)"
        )));
    }
    let path = path.trim();
    if !path.starts_with('/') {
        return Err(Error::Input(format!(
            "seed request `{seed}`: the path must start with `/`"
        )));
    }
    let bare = path.split('?').next().unwrap_or(path);
    let mut n = 0;
    let template: Vec<String> = bare
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                n += 1;
                format!("{{p{n}}}")
            } else {
                s.to_owned()
            }
        })
        .collect();
    Ok((
        format!("{method} {}", template.join("/")),
        format!("{method} {path}"),
    ))
}

/// A factor of the pairwise design: its levels are argument fragments.
#[derive(Debug, Clone)]
struct Factor {
    levels: Vec<Vec<String>>,
    /// Set for the stdin factor: level → content.
    stdin: Option<Vec<Option<String>>>,
}

/// Generates inputs for a model, deterministic from a seed.
#[derive(Debug)]
pub struct Generator {
    factors: Vec<Factor>,
    http_seeds: Vec<String>,
    model: InputModel,
    rng: Rng,
    uncovered: HashSet<(u16, u16, u16, u16)>,
    pub pairs_total: usize,
}

impl Generator {
    pub fn new(model: &InputModel, seed: u64, http_seeds: Vec<String>) -> Self {
        let classes: Vec<&String> = model.value_classes.values().collect();
        let mut factors = Vec::new();
        if model.paths.is_empty() {
            for opt in &model.options {
                let mut levels = vec![Vec::new()];
                if opt.takes_value {
                    for v in opt.values.iter().chain(classes.iter().copied()) {
                        levels.push(vec![opt.name().to_owned(), v.clone()]);
                    }
                } else {
                    levels.push(vec![opt.name().to_owned()]);
                }
                factors.push(Factor {
                    levels,
                    stdin: None,
                });
            }
            for _ in 0..model.positionals {
                let mut levels = vec![Vec::new()];
                levels.extend(classes.iter().map(|v| vec![(*v).clone()]));
                factors.push(Factor {
                    levels,
                    stdin: None,
                });
            }
            let stdin: Vec<Option<String>> = stdin_classes().into_iter().map(|(_, v)| v).collect();
            factors.push(Factor {
                levels: vec![Vec::new(); stdin.len()],
                stdin: Some(stdin),
            });
        } else {
            // One factor: the route; one per parameter slot, shared by routes.
            let mut levels = Vec::new();
            for r in &model.paths {
                levels.push(vec![r.clone()]);
            }
            factors.push(Factor {
                levels,
                stdin: None,
            });
            let mut values = vec![vec!["1".to_owned()]];
            values.extend(classes.iter().map(|v| vec![(*v).clone()]));
            factors.push(Factor {
                levels: values,
                stdin: None,
            });
        }
        let mut uncovered = HashSet::new();
        for a in 0..factors.len() {
            for b in a + 1..factors.len() {
                for la in 0..factors[a].levels.len() {
                    for lb in 0..factors[b].levels.len() {
                        uncovered.insert((a as u16, la as u16, b as u16, lb as u16));
                    }
                }
            }
        }
        let pairs_total = uncovered.len();
        Generator {
            factors,
            http_seeds,
            model: model.clone(),
            rng: Rng::new(seed),
            uncovered,
            pairs_total,
        }
    }

    /// Fixed seeds: no arguments, help, version; HTTP seed requests.
    pub fn seeds(&self) -> Vec<Input> {
        if !self.model.paths.is_empty() {
            let mut out: Vec<Input> = self
                .http_seeds
                .iter()
                .filter_map(|s| s.split_once(' '))
                .map(|(m, p)| Input::Http {
                    method: m.to_owned(),
                    path: p.to_owned(),
                    body: None,
                })
                .collect();
            out.push(Input::Http {
                method: "GET".into(),
                path: "/__friction_missing__".into(),
                body: None,
            });
            return out;
        }
        [vec![], vec!["--help"], vec!["-h"], vec!["--version"]]
            .into_iter()
            .map(|a| Input::Cli {
                argv: a.into_iter().map(str::to_owned).collect(),
                stdin: None,
            })
            .collect()
    }

    /// One factor at a time, the others at their first level: each boundary value
    /// alone (Schemathesis's coverage phase).
    pub fn boundaries(&self) -> Vec<Input> {
        let mut out = Vec::new();
        for f in 0..self.factors.len() {
            for l in 1..self.factors[f].levels.len() {
                let mut a = vec![0; self.factors.len()];
                a[f] = l;
                out.push(self.input_of(&a));
            }
        }
        out
    }

    pub fn pairs_covered(&self) -> usize {
        self.pairs_total - self.uncovered.len()
    }

    fn covers(&self, a: &[usize]) -> usize {
        let mut n = 0;
        for x in 0..a.len() {
            for y in x + 1..a.len() {
                if self
                    .uncovered
                    .contains(&(x as u16, a[x] as u16, y as u16, a[y] as u16))
                {
                    n += 1;
                }
            }
        }
        n
    }

    /// The next input of a greedy pairwise design (AETG-style: of 16 random
    /// candidates built around an uncovered pair, the one covering most new pairs),
    /// or `None` when every pair is covered.
    pub fn next_pairwise(&mut self) -> Option<Input> {
        if self.uncovered.is_empty() {
            return None;
        }
        let mut pending: Vec<&(u16, u16, u16, u16)> = self.uncovered.iter().collect();
        pending.sort_unstable();
        let anchor = *pending[self.rng.below(pending.len())];
        let mut best: Option<(usize, Vec<usize>)> = None;
        for _ in 0..16 {
            let mut a: Vec<usize> = self
                .factors
                .iter()
                .map(|f| {
                    // Most factors stay absent so inputs remain readable.
                    if self.rng.chance(1, 3) {
                        self.rng.below(f.levels.len())
                    } else {
                        0
                    }
                })
                .collect();
            a[anchor.0 as usize] = anchor.1 as usize;
            a[anchor.2 as usize] = anchor.3 as usize;
            let score = self.covers(&a);
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, a));
            }
        }
        let (_, a) = best?;
        for x in 0..a.len() {
            for y in x + 1..a.len() {
                self.uncovered
                    .remove(&(x as u16, a[x] as u16, y as u16, a[y] as u16));
            }
        }
        Some(self.input_of(&a))
    }

    fn input_of(&self, a: &[usize]) -> Input {
        if !self.model.paths.is_empty() {
            let route = &self.factors[0].levels[a[0]][0];
            let value = &self.factors[1].levels[a.get(1).copied().unwrap_or(0)][0];
            let (method, path) = route.split_once(' ').unwrap_or(("GET", route));
            let path: Vec<String> = path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        encode(value)
                    } else {
                        s.to_owned()
                    }
                })
                .collect();
            return Input::Http {
                method: method.to_owned(),
                path: path.join("/"),
                body: None,
            };
        }
        let mut argv = Vec::new();
        let mut stdin = None;
        for (f, &l) in self.factors.iter().zip(a) {
            match &f.stdin {
                Some(contents) => stdin = contents[l].clone(),
                None => argv.extend(f.levels[l].iter().cloned()),
            }
        }
        Input::Cli { argv, stdin }
    }

    /// A random input or a mutation of one in the corpus (havoc on one value, a
    /// splice of two inputs, a value replaced by a boundary class).
    pub fn mutate(&mut self, corpus: &[Input]) -> Input {
        if corpus.is_empty() || self.rng.chance(1, 4) {
            let a: Vec<usize> = self
                .factors
                .iter()
                .map(|f| {
                    if self.rng.chance(1, 2) {
                        self.rng.below(f.levels.len())
                    } else {
                        0
                    }
                })
                .collect();
            return self.input_of(&a);
        }
        let base = corpus[self.rng.below(corpus.len())].clone();
        match base {
            Input::Cli { mut argv, stdin } => {
                match self.rng.below(4) {
                    0 if !argv.is_empty() => {
                        let i = self.rng.below(argv.len());
                        argv[i] = havoc(&argv[i], &mut self.rng);
                    }
                    1 => {
                        if let Input::Cli { argv: other, .. } =
                            &corpus[self.rng.below(corpus.len())]
                        {
                            let cut = self.rng.below(argv.len() + 1);
                            let from = self.rng.below(other.len() + 1);
                            argv.truncate(cut);
                            argv.extend(other[from..].iter().cloned());
                        }
                    }
                    2 if !argv.is_empty() => {
                        let i = self.rng.below(argv.len());
                        argv.remove(i);
                    }
                    _ => {
                        let classes: Vec<&String> = self.model.value_classes.values().collect();
                        let v = classes[self.rng.below(classes.len())].clone();
                        let at = self.rng.below(argv.len() + 1);
                        argv.insert(at, v);
                    }
                }
                argv.truncate(12);
                Input::Cli { argv, stdin }
            }
            Input::Http { method, path, body } => {
                let mut segs: Vec<String> = path.split('/').map(str::to_owned).collect();
                let i = 1 + self.rng.below(segs.len().saturating_sub(1).max(1));
                if let Some(s) = segs.get_mut(i) {
                    *s = encode(&havoc(&decode(s), &mut self.rng));
                }
                Input::Http {
                    method,
                    path: segs.join("/"),
                    body,
                }
            }
        }
    }
}

/// One random edit of a string: insert, delete, duplicate, flip a digit, add an
/// operator prefix.
fn havoc(s: &str, rng: &mut Rng) -> String {
    const ALPHABET: &[char] = &[
        '0', '1', '9', '.', '-', '+', 'v', 'x', '*', '^', '~', '>', '<', '=', ' ', '|', 'a', 'Z',
    ];
    let mut chars: Vec<char> = s.chars().collect();
    match rng.below(5) {
        0 => {
            let at = rng.below(chars.len() + 1);
            chars.insert(at, ALPHABET[rng.below(ALPHABET.len())]);
        }
        1 if !chars.is_empty() => {
            let at = rng.below(chars.len());
            chars.remove(at);
        }
        2 => {
            let copy = chars.clone();
            chars.extend(copy);
        }
        3 => {
            for c in chars.iter_mut() {
                if c.is_ascii_digit() {
                    *c = char::from(b'0' + rng.below(10) as u8);
                    break;
                }
            }
        }
        _ => {
            const PREFIX: &[&str] = &["v", "=", "^", "~", ">=", "<", "x", "-"];
            let p = PREFIX[rng.below(PREFIX.len())];
            chars.splice(0..0, p.chars());
        }
    }
    chars.truncate(8192);
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "Usage: tool [options] <file>\n\nOptions:\n-r --range <range>\n        Print versions that match.\n\n-i --increment [<level>]\n        Level can be one of: major, minor, patch, or release.\n\n-l --loose\n        Loosely\n  -o, --output=FILE   write there\n  -v              verbose\n";

    #[test]
    fn options_and_their_values_are_read_from_help() {
        let opts = parse_help(HELP);
        let names: Vec<&str> = opts.iter().map(OptionSpec::name).collect();
        assert_eq!(
            names,
            ["--range", "--increment", "--loose", "--output", "-v"]
        );
        assert!(opts[0].takes_value && !opts[2].takes_value && opts[3].takes_value);
        assert_eq!(opts[1].values, ["major", "minor", "patch", "release"]);
    }

    #[test]
    fn features_name_options_value_classes_and_arity() {
        let model = InputModel {
            options: parse_help(HELP),
            positionals: 2,
            value_classes: value_classes(),
            stdin_classes: Vec::new(),
            paths: Vec::new(),
        };
        let input = Input::Cli {
            argv: vec!["-r".into(), "".into(), "1.2.3".into()],
            stdin: None,
        };
        assert_eq!(
            features(&input, &model),
            [
                "--range=empty",
                "arg1.class=dotted",
                "argc=1",
                "opt:--range",
                "stdin=none"
            ]
        );
    }

    #[test]
    fn the_pairwise_design_covers_every_pair_and_is_seeded() {
        let model = InputModel {
            options: parse_help(HELP),
            positionals: 1,
            value_classes: value_classes(),
            stdin_classes: Vec::new(),
            paths: Vec::new(),
        };
        let run = |seed| {
            let mut g = Generator::new(&model, seed, Vec::new());
            let mut out = Vec::new();
            while let Some(i) = g.next_pairwise() {
                out.push(i);
            }
            assert_eq!(g.pairs_covered(), g.pairs_total);
            out
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn a_malformed_openapi_document_is_a_clear_error() {
        let e = openapi_routes("paths: {}", "api.yaml").unwrap_err();
        assert!(e.to_string().contains("neither an `openapi`"), "{e}");
        let e = openapi_routes("openapi: 3.0.0\npaths: [\n", "api.yaml").unwrap_err();
        assert!(
            e.to_string()
                .contains("api.yaml is not an OpenAPI document: neither JSON nor YAML"),
            "{e}"
        );
        let e = openapi_routes("{\"openapi\": 3", "api.json").unwrap_err();
        assert!(e.to_string().contains("its JSON is malformed"), "{e}");
        let e = openapi_routes("- just\n- a list\n", "api.yaml").unwrap_err();
        assert!(e.to_string().contains("not a mapping"), "{e}");
        let e = openapi_routes("{\"openapi\":\"3.0.0\"}", "api.json").unwrap_err();
        assert!(e.to_string().contains("no `paths`"), "{e}");
        let ok = openapi_routes(
            "{\"openapi\":\"3.0.0\",\"paths\":{\"/a/{id}\":{\"get\":{}},\"/b\":{\"post\":{}}}}",
            "api.json",
        )
        .unwrap();
        assert_eq!(ok, ["GET /a/{id}"]);
    }

    #[test]
    fn a_yaml_openapi_document_gives_the_routes_its_json_form_gives() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200': {description: ok}\n  /b:\n    post: {}\n  /c:\n    get: &op {summary: x}\n  /d:\n    get: *op\n";
        let json = "{\"openapi\":\"3.0.3\",\"paths\":{\"/a/{id}\":{\"get\":{}},\"/b\":{\"post\":{}},\"/c\":{\"get\":{}},\"/d\":{\"get\":{}}}}";
        assert_eq!(
            openapi_routes(yaml, "api.yaml").unwrap(),
            openapi_routes(json, "api.json").unwrap()
        );
    }

    #[test]
    fn har_requests_become_seeds_relative_to_the_base_and_writes_are_left_out() {
        let har = r#"{"log": {"version": "1.2", "entries": [
            {"request": {"method": "GET", "url": "http://localhost:3000/api/posts/1?x=1#top"}},
            {"request": {"method": "post", "url": "http://localhost:3000/api/posts"}},
            {"request": {"method": "head", "url": "http://localhost:3000/api"}},
            {"request": {"method": "GET", "url": "http://localhost:3000/other"}}]}}"#;
        let (seeds, skipped) = har_seeds(har, "t.har", "/api").unwrap();
        assert_eq!(seeds, ["GET /other", "GET /posts/1?x=1", "HEAD /"]);
        assert_eq!(skipped, 1);
        for (text, needle) in [
            (
                "{\"log\": {}}",
                "t.har is not a HAR file: it has no `log.entries`",
            ),
            (
                "{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\"}}]}}",
                "entry 1 has no `request.url`",
            ),
            ("<html>", "t.har is not a HAR file"),
            (
                "{\"log\": {\"entries\": [{\"request\": {\"method\": \"PUT\", \"url\": \"http://h/x\"}}]}}",
                "no GET or HEAD request",
            ),
        ] {
            let e = har_seeds(text, "t.har", "").unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        }
    }
}
