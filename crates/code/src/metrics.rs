//! The measurements stored per blob. Smells and the health score are derived
//! from these at read time (see [`crate::health`]), so a methodology change
//! re-scores stored files without parsing them again.

use serde::{Deserialize, Serialize};

use crate::Language;

/// Bumped whenever a change to the parser tables or the walker changes what
/// is measured; stored metrics from another version are measured again.
pub const ANALYZER_VERSION: u32 = 4;

/// Files larger than this are counted for lines only and flagged `too-large`.
/// 2 MiB is about 50,000 lines of ordinary source: larger files are almost
/// always generated (amalgamations, tables, fixtures).
pub const MAX_PARSE_BYTES: usize = 2 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Parsed with the language's tree-sitter grammar.
    TreeSitter,
    /// The language-agnostic fallback: lines and indentation only.
    Fallback,
    /// Not measured (binary content).
    Skipped,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lines {
    pub total: u32,
    pub code: u32,
    pub comment: u32,
    pub blank: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionMetrics {
    pub name: String,
    pub qualified_name: String,
    /// 1-based, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    /// Lines of code (not blank, not comment-only) in the function's span.
    pub nloc: u32,
    /// McCabe cyclomatic complexity, counted the way lizard counts it.
    pub cyclomatic: u32,
    /// Cognitive complexity (G. Ann Campbell, SonarSource, 2017).
    pub cognitive: u32,
    /// Deepest nesting of control structures (0 = straight-line code).
    pub max_nesting: u32,
    pub parameters: u32,
    /// Explicit exits: `return`, `throw`/`raise` (the end of the body is not counted).
    pub exits: u32,
    /// Top-level blocks of nested conditional logic (nesting depth ≥ 2): the
    /// "bumps" of CodeScene's Bumpy Road.
    pub bumps: u32,
    /// The most boolean operators in one expression.
    pub max_condition_operators: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplication {
    /// Runs of duplicated lines (a block and each of its copies count).
    pub blocks: u32,
    /// Code lines that are part of a block repeated elsewhere in the file.
    pub duplicated_lines: u32,
}

/// Something about a file a reader must know to trust its figures.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "kebab-case")]
pub enum Flag {
    /// NUL bytes in the first 8,000 bytes (git's heuristic): not measured.
    Binary,
    /// Larger than [`MAX_PARSE_BYTES`]: lines counted, not parsed.
    TooLarge { bytes: u64 },
    /// Very long lines on average: build output, lines counted, not parsed.
    Minified,
    /// Not valid UTF-8: decoded lossily for names.
    NonUtf8,
    /// tree-sitter recovered from syntax errors; what parsed is measured.
    SyntaxErrors { count: u32, first_line: u32 },
    /// Measured by the language-agnostic fallback (no grammar for the language).
    Fallback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMetrics {
    pub language: Language,
    pub method: Method,
    pub bytes: u64,
    pub lines: Lines,
    pub functions: Vec<FunctionMetrics>,
    pub duplication: Duplication,
    /// Deepest indentation level of a code line (all methods; the only
    /// nesting measure the fallback has).
    pub max_indent: u32,
    pub flags: Vec<Flag>,
    /// A "generated, do not edit" marker in the first lines. Set by the caller
    /// (the marker rules live with the exclusion rules); excluded files are
    /// measured but not ranked.
    #[serde(default)]
    pub generated_marker: bool,
    /// Cohesion of the classes whose members are measurable (see `cohesion.rs`).
    #[serde(default)]
    pub classes: Vec<ClassMetrics>,
}

/// LCOM4 of one class (or Rust `impl` block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub name: String,
    pub start_line: u32,
    /// Methods counted (constructors excluded).
    pub methods: u32,
    /// Distinct fields the methods use.
    pub fields: u32,
    /// Connected components of methods linked by shared fields or calls.
    pub lcom4: u32,
}

impl FileMetrics {
    pub fn cyclomatic_total(&self) -> u32 {
        self.functions.iter().map(|f| f.cyclomatic).sum()
    }
    pub fn cyclomatic_max(&self) -> u32 {
        self.functions
            .iter()
            .map(|f| f.cyclomatic)
            .max()
            .unwrap_or(0)
    }
    pub fn cyclomatic_mean(&self) -> f64 {
        if self.functions.is_empty() {
            0.0
        } else {
            f64::from(self.cyclomatic_total()) / self.functions.len() as f64
        }
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("metrics serialise")
    }
    pub fn from_bytes(bytes: &[u8]) -> Option<FileMetrics> {
        serde_json::from_slice(bytes).ok()
    }
}
