//! Snapshots: an assessment frozen with the manifest of what it read.
//!
//! Every scan records one; `friction backfill` records them at past dates
//! from history alone; `friction rescore` records a new one from an old
//! one's stored inputs under today's methodology. Snapshots are immutable
//! (the store refuses updates and deletes), so a trend can always be traced
//! back to the exact facts, configuration and methodology behind each point.

use std::collections::BTreeMap;
use std::path::Path;

use friction_assess::{Assessment, IndexResult, Options};
use friction_store::{NewSnapshot, SnapshotRow, Store, WalkMode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::assess::{History, Inputs, Loaded};
use crate::cache::HealthCache;
use crate::error::Error;

/// The JSON contract of a stored assessment.
pub const ASSESSMENT_SCHEMA: &str = "friction.assessment/1";

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A store that could not be read.
pub fn store_err(e: friction_store::StoreError) -> Error {
    Error::store(
        format!("reading the store: {e}"),
        Some("if the store is damaged, move it away and run `friction scan` again"),
    )
}

/// A field of the facts' digest, in a length-prefixed binary encoding:
/// integers little-endian at their width, text as its byte length then its
/// bytes, an option as a tag byte then the value. Unlike `Debug` output
/// (whose format Rust does not promise), the encoding cannot change with the
/// compiler, and no two fact sets share one.
trait Encode {
    fn encode(&self, h: &mut Sha256);
}

impl Encode for str {
    fn encode(&self, h: &mut Sha256) {
        (self.len() as u64).encode(h);
        h.update(self.as_bytes());
    }
}

impl Encode for String {
    fn encode(&self, h: &mut Sha256) {
        self.as_str().encode(h);
    }
}

impl Encode for u64 {
    fn encode(&self, h: &mut Sha256) {
        h.update(self.to_le_bytes());
    }
}

impl Encode for i64 {
    fn encode(&self, h: &mut Sha256) {
        h.update(self.to_le_bytes());
    }
}

impl Encode for u32 {
    fn encode(&self, h: &mut Sha256) {
        h.update(self.to_le_bytes());
    }
}

impl Encode for bool {
    fn encode(&self, h: &mut Sha256) {
        h.update([u8::from(*self)]);
    }
}

impl Encode for f64 {
    fn encode(&self, h: &mut Sha256) {
        h.update(self.to_bits().to_le_bytes());
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, h: &mut Sha256) {
        match self {
            None => h.update([0]),
            Some(v) => {
                h.update([1]);
                v.encode(h);
            }
        }
    }
}

/// The digest of the facts the assessment read: every commit, change and
/// file, in the order the assessment sees them, each record tagged by its
/// kind and encoded field by field ([`Encode`]).
///
/// Digests written by earlier versions hashed `Debug` output instead. A
/// stored digest is only ever compared with a new one to skip recording a
/// snapshot identical to a stored one, so old rows keep their digests and
/// stay valid; the first recording of an unchanged state after the upgrade
/// adds one snapshot (as any new tool version does, the version being part
/// of the manifest), and identical states are skipped again from then on.
fn facts_digest(loaded: &Loaded) -> String {
    let d = &loaded.data;
    let mut h = Sha256::new();
    h.update(b"friction.facts/2");
    d.from.encode(&mut h);
    d.to.encode(&mut h);
    d.months.encode(&mut h);
    (d.commits.len() as u64).encode(&mut h);
    for c in &d.commits {
        c.id.encode(&mut h);
        c.time.encode(&mut h);
        c.author.encode(&mut h);
        c.fix.encode(&mut h);
    }
    (d.changes.len() as u64).encode(&mut h);
    for c in &d.changes {
        c.commit.encode(&mut h);
        c.file_id.encode(&mut h);
        c.added.encode(&mut h);
        c.deleted.encode(&mut h);
        c.created.encode(&mut h);
    }
    (d.files.len() as u64).encode(&mut h);
    for f in &d.files {
        f.path.encode(&mut h);
        f.file_id.encode(&mut h);
        f.component.encode(&mut h);
        f.test.encode(&mut h);
        f.code_lines.encode(&mut h);
        f.health.encode(&mut h);
        f.owned.encode(&mut h);
    }
    match &d.teams {
        None => h.update([0]),
        Some(teams) => {
            h.update([1]);
            (teams.len() as u64).encode(&mut h);
            for (author, team) in teams {
                author.encode(&mut h);
                team.encode(&mut h);
            }
        }
    }
    // Only when exports were read, so a git-only digest stays what it was.
    if let Some(delivery) = &d.delivery {
        h.update(b"delivery/1");
        // Every field, in a fixed order (the derived Debug form is stable).
        format!("{delivery:?}").encode(&mut h);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest: what went in, each input with its SHA-256.
pub fn manifest(loaded: &Loaded, inputs: &Inputs, options: &Options, mode: WalkMode) -> Value {
    let file = |f: &Option<(String, String)>| match f {
        Some((path, text)) => json!({"path": path, "sha256": sha256(text.as_bytes())}),
        None => Value::Null,
    };
    let mut listed = json!({
        "facts": {
            "commits": loaded.data.commits.len(),
            "changes": loaded.data.changes.len(),
            "files": loaded.data.files.len(),
            "sha256": loaded.facts_sha256.get_or_init(|| facts_digest(loaded)),
        },
        "config": file(&inputs.config),
        "codeowners": file(&inputs.codeowners),
        "teams_csv": file(&inputs.teams_csv),
    });
    // The workflows and compliance files of the tree, each with its hash.
    if let (true, Some(map)) = (inputs.practice.read, listed.as_object_mut()) {
        let p = &inputs.practice;
        let hashed = |files: &[(String, String)]| -> Vec<Value> {
            files
                .iter()
                .map(|(path, text)| json!({"path": path, "sha256": sha256(text.as_bytes())}))
                .collect()
        };
        map.insert(
            "practice".into(),
            json!({"workflows": hashed(&p.workflows), "configs": hashed(&p.texts), "paths": p.paths}),
        );
    }
    // Exports beyond git, each with its hash (only when there are any, so a
    // git-only manifest is unchanged).
    if let (Some(d), Some(map)) = (&loaded.data.delivery, listed.as_object_mut()) {
        for (i, s) in d.sources.iter().enumerate() {
            map.insert(
                format!("export {:03}", i + 1),
                json!({"path": s.path, "format": s.format, "sha256": s.sha256}),
            );
        }
    }
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
        "inputs": listed,
    })
}

/// A recorded (or found) snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub id: i64,
    /// False when an identical snapshot (same digest) already existed.
    pub new: bool,
    pub digest: String,
}

/// How a snapshot came to be.
pub struct Origin<'a> {
    pub kind: &'a str,
    pub scope: &'a str,
    pub rescored_from: Option<i64>,
    /// What the scan behind it could not read (`None`: everything was read).
    pub partial: Option<String>,
}

/// Stores the snapshot unless one with the same digest exists.
pub fn record(
    store: &mut Store,
    origin: &Origin<'_>,
    loaded: &Loaded,
    a: &Assessment,
    inputs: &Inputs,
    options: &Options,
    mode: WalkMode,
) -> Result<Recorded, Error> {
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
            point: Some(TrendFigures::of(&a.index).to_json()),
            partial: origin.partial.clone().or_else(|| loaded.truncated.clone()),
        })
        .map_err(|e| Error::store(format!("writing the snapshot: {e}"), None))?;
    Ok(Recorded {
        id,
        new: true,
        digest,
    })
}

/// The assessment of HEAD after a scan, recorded as a snapshot (`None`: no
/// history).
#[allow(clippy::too_many_arguments)]
pub fn scan_snapshot(
    store: &mut Store,
    cache: &HealthCache,
    history: &mut History,
    path: &Path,
    repo: &friction_history::Repo,
    mode: WalkMode,
    partial: Option<String>,
    progress: &dyn crate::Progress,
) -> Result<Option<(Assessment, Recorded)>, Error> {
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
    let Some(loaded) =
        crate::assess::load_with(store, cache, history, &inputs, 12, head.as_deref(), true)?
    else {
        return Ok(None);
    };
    progress.phase("  load");
    let a = assess_loaded(&loaded, &options);
    progress.phase("  assess");
    let origin = Origin {
        kind: "scan",
        scope: "",
        rescored_from: None,
        partial,
    };
    let rec = record(store, &origin, &loaded, &a, &inputs, &options, mode)?;
    progress.phase("  record");
    Ok(Some((a, rec)))
}

/// Loads and assesses the state as of `at` (default: everything stored).
pub fn assess_at(
    store: &Store,
    cache: &HealthCache,
    history: &mut History,
    inputs: &Inputs,
    options: &Options,
    months: u32,
    at: Option<&str>,
) -> Result<Option<(Loaded, Assessment)>, Error> {
    assess_at_with(store, cache, history, inputs, options, months, at, true)
}

/// As [`assess_at`]; `code: false` leaves code health out.
#[allow(clippy::too_many_arguments)]
pub fn assess_at_with(
    store: &Store,
    cache: &HealthCache,
    history: &mut History,
    inputs: &Inputs,
    options: &Options,
    months: u32,
    at: Option<&str>,
    code: bool,
) -> Result<Option<(Loaded, Assessment)>, Error> {
    let Some(loaded) = crate::assess::load_with(store, cache, history, inputs, months, at, code)?
    else {
        return Ok(None);
    };
    let a = assess_loaded(&loaded, options);
    Ok(Some((loaded, a)))
}

/// Assesses loaded facts, computing the facts' digest (for the snapshot) on
/// another thread meanwhile.
fn assess_loaded(loaded: &Loaded, options: &Options) -> Assessment {
    std::thread::scope(|s| {
        s.spawn(|| {
            loaded
                .facts_sha256
                .get_or_init(|| facts_digest(loaded))
                .len()
        });
        friction_assess::assess(&loaded.data, options)
    })
}

/// The snapshots a trend shows: those not superseded by a re-scoring, of
/// `scope`, oldest first.
pub fn current_view(store: &Store, scope: &str) -> Result<Vec<SnapshotRow>, Error> {
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
pub fn select<'a>(view: &'a [SnapshotRow], spec: &str) -> Option<&'a SnapshotRow> {
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
    if let Some(day) = crate::calendar::parse_date(spec) {
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

/// A stored assessment, typed. Fields added to the assessment since a
/// snapshot was written take their serde defaults (`files` and `code_lines`
/// read as 0 from the first snapshots); a snapshot whose JSON the types
/// cannot read is refused with the `rescore` that re-assesses its commit with
/// this version ([`readable`] refuses other schemas first).
pub fn document_of(
    store: &Store,
    row: &SnapshotRow,
) -> Result<friction_assess::AssessmentDocument, Error> {
    let (_, text) = store
        .snapshot(row.id)
        .map_err(store_err)?
        .ok_or_else(|| Error::missing(format!("snapshot #{} is gone", row.id), None))?;
    friction_assess::AssessmentDocument::from_json(&text).map_err(|e| {
        Error::input(
            format!(
                "snapshot #{} holds an assessment this version cannot read: {e}",
                row.id
            ),
            Some("re-assess its commit with this version: `friction rescore`"),
        )
    })
}

/// Refuses snapshots this build cannot read.
pub fn readable(row: &SnapshotRow) -> Result<(), Error> {
    if row.schema != ASSESSMENT_SCHEMA {
        return Err(Error::input(
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
pub fn short(c: &str) -> &str {
    &c[..c.len().min(10)]
}

/// The figures a trend shows of an assessment, as stored in
/// `snapshot_points`: index, interval, band, coverage and driver scores.
/// (Fields in the order of their names, so the stored text keeps its bytes.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrendFigures {
    pub band: Option<String>,
    /// Values of the measured signals beside the index (weight 0: the
    /// AI-assisted-change signals), by id; absent when none was measured, so
    /// the stored text of other snapshots keeps its bytes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub beside: BTreeMap<String, f64>,
    pub ci: Option<[f64; 2]>,
    pub coverage: f64,
    pub drivers: BTreeMap<String, Option<f64>>,
    pub index: Option<f64>,
}

/// What a trend reads of a stored assessment when its figures were not
/// stored beside it (snapshots written before `snapshot_points`): the index
/// alone, each field optional, so an older assessment the full types cannot
/// read still has its point.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredIndex {
    score: Option<f64>,
    band: Option<String>,
    ci: Option<[f64; 2]>,
    coverage: f64,
    drivers: Vec<StoredDriver>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredDriver {
    family: String,
    score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredAssessment {
    index: StoredIndex,
}

impl TrendFigures {
    /// The figures of an index.
    pub fn of(index: &IndexResult) -> TrendFigures {
        TrendFigures {
            band: index.band.clone(),
            beside: index
                .drivers
                .iter()
                .flat_map(|d| &d.signals)
                .filter(|s| s.weight == 0.0)
                .filter_map(|s| s.value.map(|v| (s.id.clone(), v)))
                .collect(),
            ci: index.ci,
            coverage: index.coverage,
            drivers: driver_scores(index),
            index: index.score,
        }
    }

    /// The figures of a stored assessment's JSON text.
    pub fn of_assessment_json(text: &str) -> serde_json::Result<TrendFigures> {
        let a: StoredAssessment = serde_json::from_str(text)?;
        Ok(TrendFigures {
            band: a.index.band,
            // Snapshots whose figures were not stored predate these signals.
            beside: BTreeMap::new(),
            ci: a.index.ci,
            coverage: a.index.coverage,
            drivers: a
                .index
                .drivers
                .into_iter()
                .map(|d| (d.family, d.score))
                .collect(),
            index: a.index.score,
        })
    }

    /// The text stored in `snapshot_points`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The driver scores of an index, by family.
pub fn driver_scores(index: &IndexResult) -> BTreeMap<String, Option<f64>> {
    index
        .drivers
        .iter()
        .map(|d| (d.family.as_str().to_owned(), d.score))
        .collect()
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

    fn facts(author: &str, health: Option<f64>) -> Loaded {
        use friction_signals::{Change, Commit, Data, File};
        let data = Data::new(
            0,
            86_400,
            12,
            "salt".into(),
            vec![File {
                path: "src/a.rs".into(),
                file_id: "src/a.rs".into(),
                component: "src".into(),
                test: false,
                code_lines: 10,
                health,
                owned: None,
            }],
            vec![Commit {
                id: "c1".into(),
                time: 3_600,
                author: author.into(),
                fix: false,
                ai: false,
            }],
            vec![Change {
                commit: 0,
                created: true,
                file_id: "src/a.rs".into(),
                added: 10,
                deleted: 0,
                file: None,
                key: 0,
            }],
            None,
            None,
            true,
        );
        Loaded {
            data,
            code_commit: Some("c1".into()),
            tip: "c1".into(),
            as_of: 86_400,
            from: "1970-01-01".into(),
            to: "1970-01-02".into(),
            facts_sha256: std::sync::OnceLock::new(),
            team_overlaps: Vec::new(),
            truncated: None,
        }
    }

    #[test]
    fn the_facts_digest_is_a_stable_encoding_of_every_field() {
        let base = facts_digest(&facts("ada@example.com", Some(8.5)));
        // The encoding written out by hand: it must not change between
        // builds or compilers, or identical snapshots would stop being
        // recognised as identical.
        let text = |b: &mut Vec<u8>, s: &str| {
            b.extend((s.len() as u64).to_le_bytes());
            b.extend(s.as_bytes());
        };
        let mut b: Vec<u8> = b"friction.facts/2".to_vec();
        b.extend(0i64.to_le_bytes());
        b.extend(86_400i64.to_le_bytes());
        b.extend(12u32.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        text(&mut b, "c1");
        b.extend(3_600i64.to_le_bytes());
        text(&mut b, "ada@example.com");
        b.push(0);
        b.extend(1u64.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        text(&mut b, "src/a.rs");
        b.extend(10u64.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.push(1);
        b.extend(1u64.to_le_bytes());
        text(&mut b, "src/a.rs");
        text(&mut b, "src/a.rs");
        text(&mut b, "src");
        b.push(0);
        b.extend(10u32.to_le_bytes());
        b.push(1);
        b.extend(8.5f64.to_bits().to_le_bytes());
        b.push(0);
        b.push(0);
        assert_eq!(base, sha256(&b));
        assert_ne!(base, facts_digest(&facts("ada@example.org", Some(8.5))));
        assert_ne!(base, facts_digest(&facts("ada@example.com", Some(8.4))));
        assert_ne!(base, facts_digest(&facts("ada@example.com", None)));
    }
}
