//! Behavioural dismantling of a program or an HTTP service that has no specification:
//! controlled inputs go in, every output is observed (passing or failing), outputs are
//! grouped into behaviour classes by a deterministic fingerprint, and a versioned
//! specification, a Markdown behaviour catalogue and characterisation cases are
//! derived from them; `drift` replays the cases against another version.
//!
//! The pipeline (`docs/probe.md` has the methodology): [`model`] (the input model
//! from `--help`, value classes, OpenAPI paths) → [`explore`] (seeded generation,
//! execution, novelty, shrinking, repeats) → [`observe`] (normalisation, Drain
//! templates, JSON shapes, fingerprints) → [`spec`] (classes, invariants, rules) →
//! [`catalogue`] and [`drift`].
//!
//! This crate knows nothing of git, the store or the index.

pub mod catalogue;
pub mod drain;
pub mod drift;
pub mod explore;
pub mod harness;
pub mod http;
pub mod llm;
pub mod model;
pub mod normalise;
pub mod observe;
pub mod output;
pub mod rng;
pub mod scratch;
pub mod spec;
pub mod target;

use serde::{Deserialize, Serialize};

/// What went wrong, in the user's words.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a missing program, a refused address, a malformed document.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// One input given to a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Input {
    Cli {
        argv: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stdin: Option<String>,
    },
    Http {
        method: String,
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
}

impl Input {
    /// The input as one line for people (`semver -r '^1' 1.2.3`, `GET /posts/1`).
    pub fn display(&self) -> String {
        match self {
            Input::Cli { argv, stdin } => {
                let mut s = argv
                    .iter()
                    .map(|a| shell_word(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(text) = stdin {
                    s.push_str(&format!(" < {}", shell_word(text)));
                }
                if s.is_empty() {
                    "(no arguments)".into()
                } else {
                    s
                }
            }
            Input::Http { method, path, body } => match body {
                Some(b) => format!("{method} {path} {b}"),
                None => format!("{method} {path}"),
            },
        }
    }

    /// A size for shrinking: shorter inputs are preferred.
    pub fn size(&self) -> usize {
        match self {
            Input::Cli { argv, stdin } => {
                argv.iter().map(|a| a.len() + 1).sum::<usize>()
                    + stdin.as_ref().map_or(0, |s| s.len() + 1)
            }
            Input::Http { path, body, .. } => path.len() + body.as_ref().map_or(0, String::len),
        }
    }
}

fn shell_word(s: &str) -> String {
    let shown: String = s
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    let shown = if s.chars().count() > 40 {
        format!("{shown}…({} chars)", s.chars().count())
    } else {
        shown
    };
    if !shown.is_empty()
        && shown
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:^~<>@+,".contains(c))
    {
        shown
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Termination {
    Exit {
        code: i32,
    },
    /// Killed by a signal (a crash: SIGSEGV, SIGABRT, …).
    Signal {
        signal: i32,
    },
    /// Did not end within the timeout (killed with its process group).
    Timeout,
    /// Wrote more than the output cap (killed with its process group).
    Flood,
    /// Could not be started or reached.
    SpawnError {
        message: String,
    },
    Http {
        status: u16,
    },
}

impl Termination {
    /// `exit=2`, `signal=11`, `timeout`, `flood`, `spawn_error`, `status=404`.
    pub fn label(&self) -> String {
        match self {
            Termination::Exit { code } => format!("exit={code}"),
            Termination::Signal { signal } => format!("signal={signal}"),
            Termination::Timeout => "timeout".into(),
            Termination::Flood => "flood".into(),
            Termination::SpawnError { .. } => "spawn_error".into(),
            Termination::Http { status } => format!("status={status}"),
        }
    }

    /// An error or worse: non-zero exit, signal, timeout, flood, unreachable, 5xx/4xx.
    pub fn is_failure(&self) -> bool {
        match self {
            Termination::Exit { code } => *code != 0,
            Termination::Http { status } => *status >= 400,
            _ => true,
        }
    }
}
