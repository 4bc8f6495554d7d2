//! Snapshots: an assessment frozen with the manifest of what it read.
//!
//! Every scan records one; `friction backfill` records them at past dates
//! from history alone; `friction rescore` records a new one from an old
//! one's stored inputs under today's methodology. Snapshots are immutable
//! (the store refuses updates and deletes), so a trend can always be traced
//! back to the exact facts, configuration and methodology behind each point.

use std::collections::BTreeMap;
use std::path::Path;

use friction_assess::{Assessment, Options};
use friction_store::{NewSnapshot, SnapshotRow, Store, WalkMode};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::UserError;
use crate::assess::{History, Inputs, Loaded};

/// The JSON contract of a stored assessment.
pub(crate) const ASSESSMENT_SCHEMA: &str = "friction.assessment/1";

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn store_err(e: friction_store::StoreError) -> UserError {
    UserError::new(
        format!("reading the store: {e}"),
        Some("if the store is damaged, move it away and run `friction scan` again"),
    )
}

/// A hasher over the facts the assessment read: every commit, change and
/// file, in the order the assessment sees them. Text fields are written
/// quoted and escaped (`{:?}`), so no two fact sets share an encoding.
fn facts_digest(loaded: &Loaded) -> String {
    let d = &loaded.data;
    let mut h = Sha256::new();
    h.update(format!("window {} {} {}\n", d.from, d.to, d.months));
    for c in &d.commits {
        h.update(format!(
            "c {:?} {} {:?} {}\n",
            c.id, c.time, c.author, c.fix
        ));
    }
    for c in &d.changes {
        h.update(format!(
            "x {} {:?} {} {} {}\n",
            c.commit, c.file_id, c.added, c.deleted, c.created
        ));
    }
    for f in &d.files {
        h.update(format!(
            "f {:?} {:?} {:?} {} {} {:?} {:?}\n",
            f.path, f.file_id, f.component, f.test, f.code_lines, f.health, f.owned
        ));
    }
    if let Some(teams) = &d.teams {
        for (a, t) in teams {
            h.update(format!("t {a:?} {t:?}\n"));
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest: what went in, each input with its SHA-256.
pub(crate) fn manifest(
    loaded: &Loaded,
    inputs: &Inputs,
    options: &Options,
    mode: WalkMode,
) -> Value {
    let file = |f: &Option<(String, String)>| match f {
        Some((path, text)) => json!({"path": path, "sha256": sha256(text.as_bytes())}),
        None => Value::Null,
    };
    json!({
        "commit": loaded.snapshot_commit(),
        "code_commit": loaded.code_commit,
        "as_of": loaded.as_of,
        "window_months": loaded.data.months,
        "mode": mode.as_str(),
        "methodology": friction_signals::METHODOLOGY_VERSION,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "store_schema": friction_store::SCHEMA_VERSION,
        "code_analyzer": friction_code::ANALYZER_VERSION,
        "target_share": options.target_share,
        "budget_days": options.budget_days,
        "inputs": {
            "facts": {
                "commits": loaded.data.commits.len(),
                "changes": loaded.data.changes.len(),
                "files": loaded.data.files.len(),
                "sha256": loaded.facts_sha256.get_or_init(|| facts_digest(loaded)),
            },
            "config": file(&inputs.config),
            "codeowners": file(&inputs.codeowners),
            "teams_csv": file(&inputs.teams_csv),
        }
    })
}

/// A recorded (or found) snapshot.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Recorded {
    pub id: i64,
    /// False when an identical snapshot (same digest) already existed.
    pub new: bool,
    pub digest: String,
}

/// How a snapshot came to be.
pub(crate) struct Origin<'a> {
    pub kind: &'a str,
    pub scope: &'a str,
    pub rescored_from: Option<i64>,
    /// What the scan behind it could not read (`None`: everything was read).
    pub partial: Option<String>,
}

/// Stores the snapshot unless one with the same digest exists.
pub(crate) fn record(
    store: &mut Store,
    origin: &Origin<'_>,
    loaded: &Loaded,
    a: &Assessment,
    inputs: &Inputs,
    options: &Options,
    mode: WalkMode,
) -> Result<Recorded, UserError> {
    let manifest = manifest(loaded, inputs, options, mode);
    let manifest_text = serde_json::to_string(&manifest).unwrap_or_default();
    let digest = sha256(manifest_text.as_bytes());
    if origin.rescored_from.is_none()
        && let Some(id) = store
            .snapshot_with_digest(origin.scope, &digest)
            .map_err(store_err)?
    {
        return Ok(Recorded {
            id,
            new: false,
            digest,
        });
    }
    let id = store
        .put_snapshot(&NewSnapshot {
            kind: origin.kind.to_owned(),
            scope: origin.scope.to_owned(),
            rescored_from: origin.rescored_from,
            commit_id: loaded.snapshot_commit().to_owned(),
            as_of: loaded.as_of,
            mode: mode.as_str().to_owned(),
            methodology: a.methodology.to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema: ASSESSMENT_SCHEMA.to_owned(),
            index_score: a.index.score,
            coverage: a.index.coverage,
            inputs: serde_json::to_string(inputs).unwrap_or_default(),
            manifest: manifest_text,
            digest: digest.clone(),
            assessment: crate::assess::json(loaded, a),
            point: Some(trend_figures_of(a)),
            partial: origin.partial.clone(),
        })
        .map_err(|e| UserError::new(format!("writing the snapshot: {e}"), None))?;
    Ok(Recorded {
        id,
        new: true,
        digest,
    })
}

/// The assessment of HEAD after a scan, recorded as a snapshot (`None`: no
/// history).
pub(crate) fn scan_snapshot(
    store: &mut Store,
    history: &mut History,
    path: &Path,
    repo: &friction_history::Repo,
    mode: WalkMode,
    partial: Option<String>,
) -> Result<Option<(Assessment, Recorded)>, UserError> {
    let inputs = Inputs::read(path, None)?;
    let options = crate::assess::options(
        &inputs,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?;
    // HEAD when it is stored (a scan of other refs may not reach it).
    let head = repo
        .head_commit()
        .ok()
        .map(|c| c.to_string())
        .filter(|c| history.time_of(c).is_some());
    let Some((loaded, a)) = assess_at(store, history, &inputs, &options, 12, head.as_deref())?
    else {
        return Ok(None);
    };
    let origin = Origin {
        kind: "scan",
        scope: "",
        rescored_from: None,
        partial,
    };
    let rec = record(store, &origin, &loaded, &a, &inputs, &options, mode)?;
    crate::timing::phase("  record");
    Ok(Some((a, rec)))
}

/// Loads and assesses the state as of `at` (default: everything stored).
pub(crate) fn assess_at(
    store: &Store,
    history: &mut History,
    inputs: &Inputs,
    options: &Options,
    months: u32,
    at: Option<&str>,
) -> Result<Option<(Loaded, Assessment)>, UserError> {
    assess_at_with(store, history, inputs, options, months, at, true)
}

/// As [`assess_at`]; `code: false` leaves code health out.
pub(crate) fn assess_at_with(
    store: &Store,
    history: &mut History,
    inputs: &Inputs,
    options: &Options,
    months: u32,
    at: Option<&str>,
    code: bool,
) -> Result<Option<(Loaded, Assessment)>, UserError> {
    let Some(loaded) = crate::assess::load_with(store, history, inputs, months, at, code)? else {
        return Ok(None);
    };
    crate::timing::phase("  load");
    // The facts' digest (for the snapshot) on another thread meanwhile.
    let a = std::thread::scope(|s| {
        s.spawn(|| {
            loaded
                .facts_sha256
                .get_or_init(|| facts_digest(&loaded))
                .len()
        });
        friction_assess::assess(&loaded.data, options)
    });
    crate::timing::phase("  assess");
    Ok(Some((loaded, a)))
}

/// The snapshots a trend shows: those not superseded by a re-scoring, of
/// `scope`, oldest first.
pub(crate) fn current_view(store: &Store, scope: &str) -> Result<Vec<SnapshotRow>, UserError> {
    let all = store.snapshots().map_err(store_err)?;
    let superseded: std::collections::HashSet<i64> =
        all.iter().filter_map(|s| s.rescored_from).collect();
    Ok(all
        .into_iter()
        .filter(|s| s.scope == scope && !superseded.contains(&s.id))
        .collect())
}

/// Chooses a snapshot: `latest`, `previous`, `first`, an id (`12` or `#12`),
/// a date (`YYYY-MM-DD`: the newest snapshot as of the end of that day) or
/// a commit prefix (at least 4 hex digits).
pub(crate) fn select<'a>(view: &'a [SnapshotRow], spec: &str) -> Option<&'a SnapshotRow> {
    let spec = spec.trim();
    match spec {
        "latest" => return view.last(),
        "previous" => return view.len().checked_sub(2).map(|i| &view[i]),
        "first" => return view.first(),
        _ => {}
    }
    if let Ok(id) = spec.trim_start_matches('#').parse::<i64>()
        && (spec.starts_with('#') || spec.len() < 4 || !spec.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return view.iter().find(|s| s.id == id);
    }
    if let Some(day) = crate::backtest::parse_date(spec) {
        return view.iter().rev().find(|s| s.as_of < day + 86_400);
    }
    if spec.len() >= 4 && spec.bytes().all(|b| b.is_ascii_hexdigit()) {
        let lower = spec.to_ascii_lowercase();
        let hit = view.iter().rev().find(|s| s.commit_id.starts_with(&lower));
        if hit.is_some() {
            return hit;
        }
        // A short number like `1234` may still be an id.
        if let Ok(id) = spec.parse::<i64>() {
            return view.iter().find(|s| s.id == id);
        }
    }
    None
}

/// A stored assessment, parsed.
pub(crate) fn assessment_of(store: &Store, row: &SnapshotRow) -> Result<Value, UserError> {
    let (_, text) = store
        .snapshot(row.id)
        .map_err(store_err)?
        .ok_or_else(|| UserError::new(format!("snapshot #{} is gone", row.id), None))?;
    serde_json::from_str(&text).map_err(|e| {
        UserError::new(
            format!("snapshot #{} holds an unreadable assessment: {e}", row.id),
            Some("re-score it with `friction rescore`"),
        )
    })
}

/// Refuses snapshots this build cannot read.
pub(crate) fn readable(row: &SnapshotRow) -> Result<(), UserError> {
    if row.schema != ASSESSMENT_SCHEMA {
        return Err(UserError::new(
            format!(
                "snapshot #{} was written as `{}` by friction {}, which this friction ({}) cannot read",
                row.id,
                row.schema,
                row.tool_version,
                env!("CARGO_PKG_VERSION")
            ),
            Some("upgrade friction to read it; the snapshot is kept as it is"),
        ));
    }
    Ok(())
}

/// Short commit id.
pub(crate) fn short(c: &str) -> &str {
    &c[..c.len().min(10)]
}

/// `▁▂▃▄▅▆▇█` for a series; gaps for missing points.
pub(crate) fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (Some(lo), Some(hi)) = (
        present.iter().copied().reduce(f64::min),
        present.iter().copied().reduce(f64::max),
    ) else {
        return " ".repeat(values.len());
    };
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-9 => BARS[3],
            Some(v) => BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

/// The driver scores of a stored assessment, by family.
/// The figures a trend shows of an assessment (its JSON), as stored in
/// `snapshot_points`: index, interval, band, coverage and driver scores.
pub(crate) fn trend_figures(a: &Value) -> Value {
    serde_json::json!({
        "index": a["index"]["score"],
        "ci": a["index"]["ci"],
        "band": a["index"]["band"],
        "coverage": a["index"]["coverage"],
        "drivers": driver_scores(a),
    })
}

/// [`trend_figures`] of an assessment, from the same serialisation the
/// snapshot stores.
fn trend_figures_of(a: &Assessment) -> String {
    let index = serde_json::to_value(&a.index).unwrap_or_default();
    trend_figures(&serde_json::json!({ "index": index })).to_string()
}

pub(crate) fn driver_scores(a: &Value) -> BTreeMap<String, Option<f64>> {
    a["index"]["drivers"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| {
                    (
                        d["family"].as_str().unwrap_or_default().to_owned(),
                        d["score"].as_f64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, as_of: i64, commit: &str) -> SnapshotRow {
        SnapshotRow {
            id,
            created_at: 0,
            kind: "scan".into(),
            scope: String::new(),
            rescored_from: None,
            commit_id: commit.into(),
            as_of,
            mode: "full".into(),
            methodology: "eci/1".into(),
            tool_version: "0".into(),
            schema: ASSESSMENT_SCHEMA.into(),
            index_score: None,
            coverage: 0.0,
            inputs: String::new(),
            manifest: String::new(),
            digest: String::new(),
            partial: None,
        }
    }

    #[test]
    fn selectors_pick_by_position_id_date_and_commit() {
        let day = 86_400;
        let view = vec![
            row(3, 10 * day, "abcdef0123"),
            row(1, 20 * day + 5, "0123456789"),
            row(7, 30 * day, "fedcba9876"),
        ];
        assert_eq!(select(&view, "latest").unwrap().id, 7);
        assert_eq!(select(&view, "previous").unwrap().id, 1);
        assert_eq!(select(&view, "first").unwrap().id, 3);
        assert_eq!(select(&view, "#1").unwrap().id, 1);
        assert_eq!(select(&view, "3").unwrap().id, 3);
        assert_eq!(select(&view, "abcd").unwrap().id, 3);
        assert_eq!(select(&view, "FEDCBA").unwrap().id, 7);
        // 1970-01-21 ends after the second snapshot's as_of.
        assert_eq!(select(&view, "1970-01-21").unwrap().id, 1);
        assert_eq!(select(&view, "1970-01-02"), None);
        assert_eq!(select(&view, "#99"), None);
        assert_eq!(select(&view, "nonsense"), None);
    }

    #[test]
    fn sparklines_scale_between_the_extremes() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)]),
            "▁▅ █"
        );
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▄▄");
        assert_eq!(sparkline(&[None, None]), "  ");
    }
}
