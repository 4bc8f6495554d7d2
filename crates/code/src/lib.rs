//! Static code metrics: per-function complexity with tree-sitter, per-file
//! line counts and duplication, a smell catalogue and a 1–10 code-health
//! score that says which smells cost a file which points.
//!
//! Measurements ([`FileMetrics`]) are pure functions of a file's bytes and
//! language, so callers store them by blob id and never parse an unchanged
//! file twice. Smells and scores ([`health`]) are derived from measurements
//! under a versioned methodology.

mod cohesion;
mod fallback;
pub mod health;
mod lang;
mod measure;
mod metrics;
mod spec;

pub use lang::Language;
pub use measure::{DUP_WINDOW, Measurer, is_binary};
pub use metrics::{
    ANALYZER_VERSION, ClassMetrics, Duplication, FileMetrics, Flag, FunctionMetrics, Lines,
    MAX_PARSE_BYTES, Method,
};
