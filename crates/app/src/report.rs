//! The report of a snapshot (`friction report`, and the page `friction scan`
//! writes): the snapshot, its trend and the code-health findings of its files
//! assembled into `friction_report::Report`, and written in every format of
//! `crates/report` into one directory (`report/` beside the store unless the
//! caller names another).

use std::path::{Path, PathBuf};

use friction_report::{CodeFinding, Meta, Report, Rule, TrendPoint};
use friction_store::{SnapshotRow, Store};
use serde::{Deserialize, Serialize};

use crate::calendar::date;
use crate::snapshot::{current_view, document_of, readable, select};
use crate::{Error, Session};

/// What `friction report` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The snapshot: latest, previous, an id (#12), a date or a commit prefix.
    pub snapshot: String,
    /// Directory for the files (default: [`default_dir`] of the store).
    pub out: Option<PathBuf>,
    /// The generation time the report states (the caller's clock, or
    /// `SOURCE_DATE_EPOCH` for byte-identical reports).
    pub generated_at: String,
}

/// The one field of a snapshot's manifest the findings need.
#[derive(Deserialize)]
struct ManifestCode {
    code_commit: Option<String>,
}

/// The name a report shows for the repository at `path`.
pub fn repository_name(path: &Path) -> String {
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| full.display().to_string());
    match name.strip_suffix(".git") {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

/// Builds the report of snapshot `row`.
pub fn build(
    store: &Store,
    row: &SnapshotRow,
    name: &str,
    generated_at: &str,
) -> Result<Report, Error> {
    readable(row)?;
    let assessment = document_of(store, row)?;
    let view: Vec<SnapshotRow> = current_view(store, &row.scope)?
        .into_iter()
        .filter(|s| s.mode == row.mode && s.methodology == row.methodology && s.as_of <= row.as_of)
        .collect();
    let trend = crate::timeline::trend_points(store, &view)?
        .into_iter()
        .map(|p| TrendPoint {
            snapshot: p.snapshot,
            as_of: p.as_of,
            index: p.index,
            ci: p.ci,
            coverage: p.coverage,
            drivers: p.drivers,
            ai_share: p.beside.get("ai-assisted-change").copied(),
            partial: p.partial,
        })
        .collect();
    Ok(Report {
        meta: Meta {
            repository: name.to_owned(),
            snapshot: row.id,
            kind: row.kind.clone(),
            commit: row.commit_id.clone(),
            as_of: date(row.as_of),
            methodology: row.methodology.clone(),
            tool_version: row.tool_version.clone(),
            digest: row.digest.clone(),
            manifest: serde_json::from_str(&row.manifest).unwrap_or_default(),
            generated_at: generated_at.to_owned(),
        },
        assessment,
        trend,
    })
}

/// The code-health findings of the snapshot's files that cost friction, for
/// SARIF: each smell at its function's lines.
pub fn code_findings(
    store: &Store,
    report: &Report,
) -> Result<(Vec<Rule>, Vec<CodeFinding>), Error> {
    use friction_code::health;
    let rules: Vec<Rule> = health::CATALOGUE
        .iter()
        .map(|smell| Rule {
            id: format!("code-health/{}", smell.id),
            name: smell.name.to_owned(),
            description: format!(
                "{} above {} ({}). {} Source: {}",
                smell.measure, smell.threshold, smell.name, smell.rationale, smell.source
            ),
        })
        .collect();
    let code = serde_json::from_value::<ManifestCode>(report.meta.manifest.clone()).ok();
    let Some(commit) = code.as_ref().and_then(|c| c.code_commit.as_deref()) else {
        return Ok((rules, Vec::new()));
    };
    let wanted: std::collections::BTreeSet<&str> = report
        .assessment
        .assessment
        .cost
        .files
        .iter()
        .filter(|f| {
            f.health
                .is_some_and(|h| health::Band::of(h) != health::Band::Healthy)
        })
        .map(|f| f.path.as_str())
        .collect();
    let mut findings = Vec::new();
    for row in store
        .code_tree(commit)
        .map_err(crate::snapshot::store_err)?
    {
        if !wanted.contains(row.path.as_str()) {
            continue;
        }
        let Some(m) = store
            .code_metrics(&row.blob, &row.language, friction_code::ANALYZER_VERSION)
            .map_err(crate::snapshot::store_err)?
            .and_then(|d| friction_code::FileMetrics::from_bytes(&d))
        else {
            continue;
        };
        let h = health::assess(&m);
        let level = match h.score.map(health::Band::of) {
            Some(health::Band::Alert) => "error",
            Some(health::Band::Warning) => "warning",
            Some(health::Band::Healthy) | None => "note",
        };
        for f in &h.findings {
            let end = f
                .function
                .as_ref()
                .and_then(|name| {
                    m.functions
                        .iter()
                        .find(|x| x.start_line == f.line && &x.name == name)
                })
                .map_or(f.line, |x| x.end_line);
            let smell = health::CATALOGUE.iter().find(|c| c.id == f.smell);
            findings.push(CodeFinding {
                path: row.path.clone(),
                start_line: f.line,
                end_line: end,
                rule: format!("code-health/{}", f.smell),
                level,
                message: format!(
                    "{}{}: {} {} (threshold {}); costs the file {:.2} of its {} health points lost.",
                    smell.map_or(f.smell, |c| c.name),
                    f.function
                        .as_ref()
                        .map_or(String::new(), |n| format!(" in `{n}`")),
                    smell.map_or("value", |c| c.measure),
                    f.value,
                    f.threshold,
                    f.points,
                    h.score.map_or_else(|| "–".into(), |s| format!("{:.2}", 10.0 - s)),
                ),
            });
        }
    }
    Ok((rules, findings))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> Result<PathBuf, Error> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| {
        Error::input(
            format!("cannot write {}: {e}", path.display()),
            Some("choose a writable directory with `--out DIR`"),
        )
    })?;
    Ok(path)
}

/// Where the report of the store at `db` goes unless `--out` says otherwise:
/// `report/` beside it (`.friction/report/` in a repository). `friction scan`
/// and `friction report` both write there.
pub fn default_dir(db: &Path) -> PathBuf {
    db.parent()
        .map_or_else(|| PathBuf::from("report"), |d| d.join("report"))
}

fn create_dir(out: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|e| {
        Error::input(
            format!("cannot create {}: {e}", out.display()),
            Some("choose a writable directory with `--out DIR`"),
        )
    })
}

/// Writes the HTML report of the newest snapshot into the report directory
/// beside the store (for `scan`).
pub fn write_scan_report(
    store: &Store,
    db: &Path,
    path: &Path,
    snapshot: i64,
    generated_at: &str,
) -> Result<PathBuf, Error> {
    let row = store
        .snapshot_header(snapshot)
        .map_err(crate::snapshot::store_err)?
        .ok_or_else(|| Error::input("the scan's snapshot is missing", None))?;
    let report = build(store, &row, &repository_name(path), generated_at)?;
    let dir = default_dir(db);
    create_dir(&dir)?;
    write(&dir, "report.html", friction_report::html(&report))
}

/// What `friction report` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub schema: &'static str,
    pub snapshot: i64,
    pub kind: String,
    pub as_of: String,
    pub dir: String,
    pub files: Vec<WrittenFile>,
}

/// One file of a report.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenFile {
    pub file: String,
    /// HTML, PDF, Markdown, SARIF or CSV.
    pub format: &'static str,
    pub path: String,
    pub bytes: u64,
}

/// The format of a report file, by its extension.
fn format_of(name: &str) -> &'static str {
    match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" => "HTML",
        "pdf" => "PDF",
        "md" => "Markdown",
        "sarif" => "SARIF",
        "csv" => "CSV",
        _ => "other",
    }
}

impl Session {
    /// Writes the report of the selected snapshot in every format: HTML,
    /// Markdown, PDF, SARIF and the CSV tables.
    pub fn write_report(&self, request: &ReportRequest) -> Result<Written, Error> {
        let store = self.store();
        let view = current_view(store, "")?;
        let row = select(&view, &request.snapshot).ok_or_else(|| {
            Error::input(
                if view.is_empty() {
                    "the store has no snapshot yet".to_owned()
                } else {
                    format!("no snapshot `{}`", request.snapshot)
                },
                Some("`friction scan` records one; `friction trend` lists them"),
            )
        })?;
        let report = build(
            store,
            row,
            &repository_name(&self.project().path),
            &request.generated_at,
        )?;
        let out = request
            .out
            .clone()
            .unwrap_or_else(|| default_dir(&self.project().db));
        create_dir(&out)?;
        let mut written = vec![
            write(&out, "report.html", friction_report::html(&report))?,
            write(&out, "summary.md", friction_report::markdown(&report))?,
            write(&out, "board-pack.pdf", friction_report::pdf(&report))?,
        ];
        let (rules, findings) = code_findings(store, &report)?;
        written.push(write(
            &out,
            "report.sarif",
            friction_report::sarif(&report, &rules, &findings),
        )?);
        for (name, text) in friction_report::csv_files(&report) {
            written.push(write(&out, &name, &text)?);
        }
        let files = written
            .iter()
            .map(|p| {
                let file = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                WrittenFile {
                    format: format_of(&file),
                    file,
                    path: p.display().to_string(),
                    bytes: std::fs::metadata(p).map_or(0, |m| m.len()),
                }
            })
            .collect();
        Ok(Written {
            schema: "friction.report-files/1",
            snapshot: row.id,
            kind: row.kind.clone(),
            as_of: date(row.as_of),
            dir: out.display().to_string(),
            files,
        })
    }
}
