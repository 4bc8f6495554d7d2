//! The optional LLM helper: an OpenAI-compatible chat endpoint the caller configures
//! proposes seed inputs from the help text and names behaviour classes. Nothing it
//! says is trusted: a proposed input is executed and kept only when it shows a
//! behaviour not seen before (the exploration's novelty rule); a name is a label,
//! never used to match. Every exchange is recorded in a cassette (JSON Lines keyed by
//! the SHA-256 of the request) and a recorded reply is replayed without asking, so a
//! probe with a cassette needs no endpoint and is repeatable offline. With neither an
//! endpoint nor a recorded reply the hook is skipped: the probe works fully without.
//!
//! The endpoint is reached with this crate's HTTP client: plain HTTP, loopback only
//! unless the caller allows remote addresses (a local model server, or a proxy).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::http::{Endpoint, HttpTarget};
use crate::spec::Spec;
use crate::{Error, Input, Termination};

/// Suggestions kept from one reply at most.
pub const MAX_SUGGESTIONS: usize = 50;

/// How the helper is reached.
#[derive(Debug, Clone, Default)]
pub struct LlmConfig {
    /// Base URL of the OpenAI-compatible API (`http://127.0.0.1:8080/v1`); requests
    /// go to `{endpoint}/chat/completions`.
    pub endpoint: Option<String>,
    pub model: String,
    pub api_key: Option<String>,
    /// Where exchanges are recorded and replayed from.
    pub cassette: Option<PathBuf>,
    pub allow_remote: bool,
    pub timeout_ms: u64,
}

/// The helper, with the cassette loaded.
#[derive(Debug)]
pub struct Llm {
    config: LlmConfig,
    endpoint: Option<(HttpTarget, Endpoint)>,
    recorded: BTreeMap<String, String>,
    /// Whether any reply (asked or replayed) was used.
    pub used: bool,
    /// What went wrong asking (the probe goes on without the reply).
    pub notes: Vec<String>,
}

impl Llm {
    /// Loads the cassette (a missing file is empty) and checks the endpoint's address.
    pub fn new(config: LlmConfig) -> Result<Llm, Error> {
        let mut recorded = BTreeMap::new();
        if let Some(path) = &config.cassette
            && path.exists()
        {
            let text = std::fs::read_to_string(path).map_err(|e| Error::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let entry: Value = serde_json::from_str(line).map_err(|e| {
                    Error::Input(format!(
                        "{} line {}: not a cassette entry ({e})",
                        path.display(),
                        n + 1
                    ))
                })?;
                let (Some(key), Some(reply)) = (entry["key"].as_str(), entry["reply"].as_str())
                else {
                    return Err(Error::Input(format!(
                        "{} line {}: a cassette entry needs `key` and `reply` strings",
                        path.display(),
                        n + 1
                    )));
                };
                recorded.insert(key.to_owned(), reply.to_owned());
            }
        }
        let endpoint = match &config.endpoint {
            Some(url) => {
                let target = HttpTarget {
                    base_url: url.trim_end_matches('/').to_owned(),
                    timeout_ms: config.timeout_ms,
                    output_cap: 4 << 20,
                };
                let endpoint = target
                    .endpoint(config.allow_remote)
                    .map_err(|e| Error::Input(format!("the LLM endpoint: {e}")))?;
                Some((target, endpoint))
            }
            None => None,
        };
        Ok(Llm {
            config,
            endpoint,
            recorded,
            used: false,
            notes: Vec::new(),
        })
    }

    /// The reply to a chat of a system and a user message: recorded, else asked and
    /// recorded; `None` when neither is possible.
    fn ask(&mut self, system: &str, user: &str) -> Option<String> {
        let request = json!({
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
        });
        let body = request.to_string();
        let key: String = Sha256::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if let Some(reply) = self.recorded.get(&key) {
            self.used = true;
            return Some(reply.clone());
        }
        let (target, endpoint) = self.endpoint.as_ref()?;
        let mut headers = Vec::new();
        if let Some(k) = &self.config.api_key {
            let clean: String = k.chars().filter(|c| !c.is_control()).collect();
            headers.push(("Authorization", format!("Bearer {clean}")));
        }
        let response =
            endpoint.send_with(target, "POST", "/chat/completions", Some(&body), &headers);
        let content = match &response.termination {
            Termination::Http { status: 200 } => serde_json::from_slice::<Value>(&response.body)
                .ok()
                .and_then(|v| {
                    v.pointer("/choices/0/message/content")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }),
            other => {
                self.notes
                    .push(format!("the LLM endpoint answered {}", other.label()));
                return None;
            }
        };
        let Some(content) = content else {
            self.notes
                .push("the LLM endpoint's reply has no choices[0].message.content".into());
            return None;
        };
        self.used = true;
        self.recorded.insert(key.clone(), content.clone());
        if let Some(path) = &self.config.cassette {
            let line = json!({"key": key, "request": request, "reply": content});
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                self.notes
                    .push(format!("cannot record into {}: {e}", path.display()));
            }
        }
        Some(content)
    }

    /// Inputs proposed from the help text (argument lists, optionally with stdin).
    pub fn suggest_inputs(&mut self, program: &str, help: &str) -> Vec<Input> {
        let system = "You help characterise an undocumented command-line program by proposing inputs that exercise distinct behaviours: valid uses of each option, edge cases and errors. Reply with only a JSON array; each element is an array of argument strings, or an object {\"argv\": [..], \"stdin\": \"..\"}.";
        let user = format!(
            "Program: {program}\nIts help text:\n{}\nPropose at most {MAX_SUGGESTIONS} inputs.",
            help.chars().take(8000).collect::<String>()
        );
        let Some(reply) = self.ask(system, &user) else {
            return Vec::new();
        };
        let Some(Value::Array(items)) = json_in(&reply, '[', ']') else {
            self.notes
                .push("the LLM's input suggestions are not a JSON array".into());
            return Vec::new();
        };
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|a| a.as_str().map(str::to_owned))
                .collect()
        };
        items
            .iter()
            .filter_map(|item| match item {
                Value::Array(_) => Some(Input::Cli {
                    argv: strings(item)?,
                    stdin: None,
                }),
                Value::Object(o) => Some(Input::Cli {
                    argv: strings(o.get("argv")?)?,
                    stdin: o.get("stdin").and_then(Value::as_str).map(str::to_owned),
                }),
                _ => None,
            })
            .take(MAX_SUGGESTIONS)
            .collect()
    }

    /// Short names for the spec's classes (id → label), for people only.
    pub fn name_classes(&mut self, spec: &Spec) -> BTreeMap<String, String> {
        let system = "You name behaviour classes observed while probing a program. Reply with only a JSON object mapping each class id to a short name (at most six words).";
        let mut user = String::from("Classes:\n");
        for b in &spec.behaviours {
            let templates: Vec<String> = b
                .fingerprint
                .stdout_templates
                .iter()
                .chain(&b.fingerprint.stderr_templates)
                .take(3)
                .map(|t| spec.template_text(t))
                .collect();
            let example = b
                .exemplars
                .first()
                .and_then(|id| spec.corpus.iter().find(|c| &c.id == id))
                .map(|c| c.input.display())
                .unwrap_or_default();
            user.push_str(&format!(
                "- {}: {}; lines {:?}; e.g. `{example}`\n",
                b.id, b.family, templates
            ));
        }
        let Some(reply) = self.ask(system, &user) else {
            return BTreeMap::new();
        };
        let Some(Value::Object(map)) = json_in(&reply, '{', '}') else {
            self.notes
                .push("the LLM's class names are not a JSON object".into());
            return BTreeMap::new();
        };
        map.into_iter()
            .filter(|(id, _)| spec.behaviour(id).is_some())
            .filter_map(|(id, v)| {
                let label: String = v
                    .as_str()?
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(60)
                    .collect();
                (!label.trim().is_empty()).then(|| (id, label.trim().to_owned()))
            })
            .collect()
    }
}

/// The JSON value between the first `open` and the last `close` of a reply (models
/// wrap JSON in prose or code fences).
fn json_in(reply: &str, open: char, close: char) -> Option<Value> {
    let start = reply.find(open)?;
    let end = reply.rfind(close)?;
    (end > start)
        .then(|| serde_json::from_str(&reply[start..=end]).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_inside_prose_and_fences() {
        let reply = "Sure:\n```json\n[[\"--a\"], {\"argv\": [\"x\"], \"stdin\": \"y\"}]\n```";
        assert_eq!(
            json_in(reply, '[', ']'),
            Some(json!([["--a"], {"argv": ["x"], "stdin": "y"}]))
        );
        assert_eq!(json_in("no json here", '{', '}'), None);
    }

    #[test]
    fn a_malformed_cassette_is_a_clear_error() {
        let dir = crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "t-cassette").unwrap();
        let path = dir.path().join("llm.jsonl");
        std::fs::write(&path, "{\"key\": \"a\", \"reply\": \"b\"}\nnot json\n").unwrap();
        let e = Llm::new(LlmConfig {
            cassette: Some(path),
            ..LlmConfig::default()
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("llm.jsonl line 2: not a cassette entry"),
            "{e}"
        );
    }

    #[test]
    fn a_remote_endpoint_is_refused_unless_allowed() {
        let config = LlmConfig {
            endpoint: Some("http://192.0.2.1:8080/v1".into()),
            ..LlmConfig::default()
        };
        let e = Llm::new(config.clone()).unwrap_err();
        assert!(e.to_string().contains("not a loopback address"), "{e}");
        assert!(
            Llm::new(LlmConfig {
                allow_remote: true,
                ..config
            })
            .is_ok()
        );
    }
}
