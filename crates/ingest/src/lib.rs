//! Extraction of exports beyond git into facts: CI runs and jobs, pull and
//! merge requests with their reviews and commits, deployments, JUnit test
//! results, coverage reports, incidents, work items, SLO definitions (OpenSLO,
//! Sloth) and Prometheus alerting rules, SARIF findings. One module per format; [`detect`] recognises a format
//! from the first bytes of a file, and [`extract`] streams its records, each
//! with its position, to a sink.
//!
//! Extractors know their format and nothing else: no store, no scoring, no
//! file system (they read a `BufRead`). Parsers stream: JSON documents and
//! array elements one at a time, XML and CSV record by record, so a large
//! export never sits whole in memory. XML is read without DTD processing: a
//! declared entity is never expanded, so an entity bomb is refused.

mod cobertura;
mod detect;
mod devlake;
mod github;
mod gitlab;
mod incident_csv;
mod incidents;
mod jacoco;
mod json;
mod junit;
mod lcov;
mod openslo;
mod prometheus_rules;
mod sarif;
mod sloth;
mod time;
mod workitem_csv;
mod workitems;
mod xml;
mod yaml;

use std::io::BufRead;

use friction_model::inputs::{InputRecord, Position};

pub use detect::detect;
/// The scope of a GitHub repository's records: `github:owner/name`, lower-cased.
pub use github::scope_of as github_scope;

/// Bumped whenever what an extractor reads from a format changes, so that
/// stored inputs are read again although their bytes did not change.
pub const EXTRACTOR_VERSION: u32 = 3;

/// The formats friction reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// GitHub REST API output or webhook payloads (workflow runs and jobs,
    /// pull requests, reviews, pull-request commits): one object, a page,
    /// several concatenated pages (`gh api --paginate`) or an array (`--slurp`).
    Github,
    /// GitLab REST API output (pipelines, pipeline details, jobs, merge
    /// requests, merge-request commits).
    Gitlab,
    /// An Apache DevLake raw table (`id,params,data,url,input,created_at`)
    /// whose `data` column holds GitHub or GitLab items.
    DevlakeCsv,
    /// JUnit XML in any producer's dialect.
    Junit,
    /// lcov tracefiles (`.info`).
    Lcov,
    /// Cobertura XML (also coverage.py and istanbul).
    Cobertura,
    /// JaCoCo XML.
    Jacoco,
    /// PagerDuty REST output: incidents (lists, single responses, with
    /// embedded log entries) and incident log entries.
    Pagerduty,
    /// Opsgenie incident API output.
    Opsgenie,
    /// A generic incident CSV with documented columns.
    IncidentsCsv,
    /// Jira REST output: issues (search results or single issues, with
    /// `expand=changelog`).
    Jira,
    /// A work-item CSV: Jira's CSV export, Linear's CSV export, or the
    /// generic work-item (or changelog) CSV with documented columns.
    WorkItemsCsv,
    /// OpenSLO YAML (v1, v1alpha; SLOs, SLIs, services, alert policies…).
    Openslo,
    /// Sloth SLO specifications (`prometheus/v1`, `PrometheusServiceLevel`).
    Sloth,
    /// Prometheus rule files and `PrometheusRule` resources.
    PrometheusRules,
    /// SARIF 2.1.0 (CodeQL, Semgrep, Trivy, …): security and static-analysis findings.
    Sarif,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 16] = [
        Format::Github,
        Format::Gitlab,
        Format::DevlakeCsv,
        Format::Junit,
        Format::Lcov,
        Format::Cobertura,
        Format::Jacoco,
        Format::Pagerduty,
        Format::Opsgenie,
        Format::IncidentsCsv,
        Format::Jira,
        Format::WorkItemsCsv,
        Format::Openslo,
        Format::Sloth,
        Format::PrometheusRules,
        Format::Sarif,
    ];

    /// The name shown, stored and accepted by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::DevlakeCsv => "devlake-csv",
            Format::Junit => "junit",
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Jacoco => "jacoco",
            Format::Pagerduty => "pagerduty",
            Format::Opsgenie => "opsgenie",
            Format::IncidentsCsv => "incidents-csv",
            Format::Jira => "jira",
            Format::WorkItemsCsv => "workitems-csv",
            Format::Openslo => "openslo",
            Format::Sloth => "sloth",
            Format::PrometheusRules => "prometheus-rules",
            Format::Sarif => "sarif",
        }
    }

    /// The format of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Why a file could not be read; the caller adds the file's name.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The content is not what its format requires.
    #[error("{}{message}", where_(*.position))]
    Malformed {
        /// Where the problem was found (record, line), as far as known.
        position: Option<Position>,
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The sink refused a record (the store failed).
    #[error("{0}")]
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

fn where_(position: Option<Position>) -> String {
    match position {
        None => String::new(),
        Some(Position {
            record,
            line: Some(line),
        }) if record > 0 => format!("record {record} (line {line}): "),
        Some(Position {
            line: Some(line), ..
        }) => format!("line {line}: "),
        Some(Position { record, line: None }) if record > 0 => format!("record {record}: "),
        Some(_) => String::new(),
    }
}

impl Error {
    pub(crate) fn at(position: Position, message: impl Into<String>) -> Error {
        Error::Malformed {
            position: Some(position),
            message: message.into(),
        }
    }

    pub(crate) fn whole(message: impl Into<String>) -> Error {
        Error::Malformed {
            position: None,
            message: message.into(),
        }
    }
}

/// Hands `files`' coverage to `sink`, in order, each with the line of the
/// file's first section.
pub(crate) fn emit_coverage(
    sink: &mut Sink<'_>,
    files: impl IntoIterator<Item = (friction_model::inputs::FileCoverage, u64)>,
) -> Result<(), Error> {
    for (i, (coverage, line)) in files.into_iter().enumerate() {
        sink(
            InputRecord::Coverage(coverage),
            Position {
                record: i as u64 + 1,
                line: Some(line),
            },
        )?;
    }
    Ok(())
}

/// Reads the next CSV row into `row`: its position (the ordinal after
/// `ordinal`, the line it starts on), or `None` at the end; a malformed row
/// is an error naming them.
pub(crate) fn next_csv_row<R: std::io::Read>(
    csv: &mut csv::Reader<R>,
    row: &mut csv::StringRecord,
    ordinal: u64,
) -> Result<Option<Position>, Error> {
    let read = csv.read_record(row).map_err(|e| csv_error(&e, ordinal))?;
    Ok(read.then(|| Position {
        record: ordinal + 1,
        line: row.position().map(|p| p.line()),
    }))
}

/// A CSV error at the record after `ordinal`, naming its line.
pub(crate) fn csv_error(e: &csv::Error, ordinal: u64) -> Error {
    Error::at(
        Position {
            record: ordinal + 1,
            line: e.position().map(|p| p.line()),
        },
        format!("invalid CSV: {e}"),
    )
}

/// Receives each record with its position; an error stops the extraction.
pub type Sink<'a> = dyn FnMut(InputRecord, Position) -> Result<(), Error> + 'a;

/// Streams the records of `reader`, read as `format`, to `sink`, in file
/// order. Stops at the first malformed record: a caller that stores records
/// keeps them in a transaction it drops on error.
pub fn extract(format: Format, reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    match format {
        Format::Github => json::extract(reader, json::Provider::Github, sink),
        Format::Gitlab => json::extract(reader, json::Provider::Gitlab, sink),
        Format::DevlakeCsv => devlake::extract(reader, sink),
        Format::Junit => junit::extract(reader, sink),
        Format::Lcov => lcov::extract(reader, sink),
        Format::Cobertura => cobertura::extract(reader, sink),
        Format::Jacoco => jacoco::extract(reader, sink),
        Format::Pagerduty => json::extract(reader, json::Provider::Pagerduty, sink),
        Format::Opsgenie => json::extract(reader, json::Provider::Opsgenie, sink),
        Format::IncidentsCsv => incident_csv::extract(reader, sink),
        Format::Jira => json::extract(reader, json::Provider::Jira, sink),
        Format::WorkItemsCsv => workitem_csv::extract(reader, sink),
        Format::Openslo => openslo::extract(reader, sink),
        Format::Sloth => sloth::extract(reader, sink),
        Format::PrometheusRules => prometheus_rules::extract(reader, sink),
        Format::Sarif => sarif::extract(reader, sink),
    }
}

/// Every record `text` holds as `format`, or the error as shown (for the
/// extractors' unit tests).
#[cfg(test)]
pub(crate) fn read_all(format: Format, text: &str) -> Result<Vec<InputRecord>, String> {
    let mut out = Vec::new();
    extract(format, &mut text.as_bytes(), &mut |r, _| {
        out.push(r);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(out)
}
