//! Knowledge (`friction knowledge`): ownership, knowledge islands, truck
//! factor, former contributors and the off-boarding simulation, from the
//! stored history.

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::knowledge::{self, Change, File, Knowledge, pseudonym};
use friction_analysis::teams::{
    self, CodeOwners, Coordination, Identity, OwnerHealth, OwnerStatus, TeamMap, TeamOverlap,
    UNMAPPED,
};
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_store::WalkMode;
use serde::Serialize;

use crate::calendar::{MONTH, date};
use crate::{Error, Result, Session};

/// `friction knowledge`'s default: authors who committed within this many
/// months of the newest commit are active.
pub const ACTIVE_MONTHS: u32 = 12;

/// What `friction knowledge` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeRequest {
    /// Authors who committed within this many months of the newest commit are active.
    pub active_months: u32,
    /// Off-boarding simulation: these authors (e-mail or pseudonym) or teams
    /// count as gone.
    pub without: Vec<String>,
    /// Authors by e-mail instead of pseudonyms (local use only).
    pub names: bool,
    /// Which view of history.
    pub mode: WalkMode,
}

#[derive(Debug, Clone, Serialize)]
pub struct KnowledgeReport {
    pub schema: &'static str,
    /// Authors are pseudonymous unless `--names` was given.
    pub pseudonymous: bool,
    pub active_months: u32,
    pub active_since: String,
    /// Authors of the history's counted changes (bots and excluded files
    /// left out): the population the team table divides. `authors` and
    /// `active_authors` are those who wrote code still at HEAD.
    pub history_authors: u64,
    /// Of `history_authors`, those active (less `--without`).
    pub history_active_authors: u64,
    #[serde(flatten)]
    pub knowledge: Knowledge,
    /// Hotspots (12 months) with no active author left.
    pub hotspots_at_risk: Vec<String>,
    /// Per team, when `[teams]` or `teams_csv` maps authors to teams.
    pub teams: Vec<TeamSummary>,
    /// Authors no team rule maps (counted under "(unmapped)").
    pub unmapped_authors: u64,
    /// Authors that rules of several teams match, and the team chosen.
    pub team_overlaps: Vec<TeamOverlap>,
    /// Code several teams changed in the activity window.
    pub coordination: Option<Coordination>,
    pub codeowners: Option<CodeOwnersSummary>,
    /// With a CODEOWNERS file, the files of `files` without an active owner:
    /// no rule owns them, or every owner their rule names is an individual
    /// who is stale or never committed (an `@org/team` counts as an owner:
    /// its members are not measurable offline). Read by the risk
    /// concentration, not serialised.
    #[serde(skip)]
    pub without_active_owner: Option<BTreeSet<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamSummary {
    pub team: String,
    pub authors: u64,
    pub active_authors: u64,
    /// Files whose main author is in the team, and their share of the code.
    pub files_owned: u64,
    pub code_owned_pct: f64,
    /// Of those, files no active author knows.
    pub orphaned_files: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeOwnersSummary {
    pub file: String,
    pub files_without_owner: u64,
    pub code_without_owner_pct: f64,
    /// Lines that could not be used: (line, reason).
    pub invalid_lines: Vec<(usize, String)>,
    /// Every owner the file names, with what the history says of it
    /// (pseudonymised unless `--names`; teams are shown as written).
    pub owners: Vec<OwnerHealth>,
    /// Owners with a matching commit identity that has not committed
    /// within `--active-months`.
    pub stale_owners: u64,
    /// Individual owners no commit identity matches.
    pub never_committed_owners: u64,
    /// `@org/team` owners: not measurable offline.
    pub team_owners: u64,
    /// Rules whose pattern matches no file at `HEAD`: (line, pattern).
    pub rules_matching_nothing: Vec<(usize, String)>,
    /// Hotspots (12 months) no rule gives an owner.
    pub hotspots_without_owner: Vec<String>,
}

/// `part` of `total` in percent, to one decimal.
fn pct1(part: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

impl Session {
    /// Who knows the code at `HEAD` (`friction knowledge`).
    pub fn knowledge(&self, request: &KnowledgeRequest) -> Result<KnowledgeReport> {
        let store = self.store();
        let err = |e| self.read_error(e);
        let (Some(last), Some(code_head)) = (
            store.last_commit_time().map_err(err)?,
            store.meta("code_head").map_err(err)?,
        ) else {
            return Err(Error::input(
                "the store has no history or no code measurements yet",
                Some("run `friction scan` (without `--no-code`) on the repository first"),
            ));
        };
        if request.active_months == 0 {
            return Err(Error::input("--active-months must be at least 1", None));
        }
        let salt = store.first_commit_id().map_err(err)?.unwrap_or_default();
        let mode = request.mode;
        crate::project::require_view(store, &self.project().db, mode)?;
        let active_since = last - i64::from(request.active_months) * MONTH;
        let rows = store.activity_with(i64::MIN, mode, false).map_err(err)?;
        let mut active = BTreeSet::new();
        let mut changes = Vec::with_capacity(rows.len());
        let mut changes_names: BTreeMap<String, String> = BTreeMap::new();
        for r in &rows {
            changes_names
                .entry(r.author.clone())
                .or_insert_with(|| r.author_name.clone());
            if r.time >= active_since {
                active.insert(r.author.clone());
            }
            changes.push(Change {
                created: r.kind == "added" || r.kind == "copied",
                commit: &r.commit,
                author: &r.author,
                time: r.time,
                file_id: &r.file_id,
                lines_added: r.lines_added,
            });
        }
        // `--without` takes e-mails or pseudonyms.
        let everyone: BTreeSet<&str> = changes.iter().map(|c| c.author).collect();
        let by_pseudonym: BTreeMap<String, &str> =
            everyone.iter().map(|a| (pseudonym(&salt, a), *a)).collect();
        // Teams, coordination load and CODEOWNERS.
        let config = self.project().config()?;
        // Configuration, teams CSV and CODEOWNERS come from HEAD's tree, as the
        // assessment reads them (uncommitted files do not count).
        let repo = friction_history::open(&self.project().path).ok();
        let committed = |rel: &str| -> Option<String> {
            let repo = repo.as_ref()?;
            repo.file_at(repo.head_commit().ok()?, rel)
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let csv_text = match (&config.teams_csv, &repo) {
            (Some(rel), Some(_)) => Some(committed(rel).ok_or_else(|| {
                Error::input(
                    format!("teams_csv `{rel}` is not in HEAD's tree"),
                    Some("the path is relative to the repository root; commit the file"),
                )
            })?),
            (Some(rel), None) => {
                return Err(Error::input(
                    format!("teams_csv `{rel}` needs the repository"),
                    Some("run `friction knowledge` on the repository directory"),
                ));
            }
            _ => None,
        };
        let team_map = TeamMap::new(&config.teams, csv_text.as_deref())
            .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
        let names: BTreeMap<&str, &str> = changes_names
            .iter()
            .map(|(e, n)| (e.as_str(), n.as_str()))
            .collect();
        let team_of = |email: &str| -> String {
            team_map
                .team_of(names.get(email).copied().unwrap_or(""), email)
                .unwrap_or(UNMAPPED)
                .to_owned()
        };
        let mut without = BTreeSet::new();
        for w in &request.without {
            let w = w.trim();
            if let Some(a) = by_pseudonym.get(w) {
                without.insert((*a).to_owned());
            } else if let Some(a) = everyone.iter().find(|a| a.eq_ignore_ascii_case(w)) {
                without.insert((*a).to_owned());
            } else if !team_map.is_empty()
                && everyone.iter().any(|a| team_of(a).eq_ignore_ascii_case(w))
            {
                // A team: all its authors.
                for a in everyone
                    .iter()
                    .filter(|a| team_of(a).eq_ignore_ascii_case(w))
                {
                    without.insert((*a).to_owned());
                }
            } else {
                return Err(Error::input(
                    format!("`{w}` is neither an author of this history nor a team"),
                    Some(
                        "give an author's e-mail or pseudonym (`dev-…`) as `friction knowledge` prints it, or a team name",
                    ),
                ));
            }
        }
        let mut files = Vec::new();
        for (row, data) in store
            .measured_tree(&code_head, ANALYZER_VERSION)
            .map_err(err)?
        {
            if row.excluded.is_some() {
                continue;
            }
            let code_lines = data
                .and_then(|d| FileMetrics::from_bytes(&d))
                .map_or(0, |m| m.lines.code);
            files.push(File {
                file_id: store.file_id(&row.path).map_err(err)?,
                path: row.path,
                code_lines,
            });
        }
        let mut k = knowledge::knowledge(&changes, &files, &active, &without);
        let mut team_overlaps = team_map.overlaps(
            everyone
                .iter()
                .map(|e| (names.get(e).copied().unwrap_or(""), *e)),
        );

        let mut team_rows: Vec<TeamSummary> = Vec::new();
        let mut unmapped_authors = 0;
        let mut coordination = None;
        if !team_map.is_empty() {
            let mut by_team: BTreeMap<String, TeamSummary> = BTreeMap::new();
            for a in &everyone {
                let t = team_of(a);
                if t == UNMAPPED {
                    unmapped_authors += 1;
                }
                let e = by_team.entry(t.clone()).or_insert_with(|| TeamSummary {
                    team: t,
                    authors: 0,
                    active_authors: 0,
                    files_owned: 0,
                    code_owned_pct: 0.0,
                    orphaned_files: 0,
                });
                e.authors += 1;
                if active.contains(*a) && !without.contains(*a) {
                    e.active_authors += 1;
                }
            }
            let total_code: u64 = k.files.iter().map(|f| u64::from(f.code_lines)).sum();
            let mut owned: BTreeMap<String, u64> = BTreeMap::new();
            for f in &k.files {
                let t = team_of(&f.main_author);
                if let Some(e) = by_team.get_mut(&t) {
                    e.files_owned += 1;
                    e.orphaned_files += u64::from(f.orphaned);
                }
                *owned.entry(t).or_default() += u64::from(f.code_lines);
            }
            for (t, e) in &mut by_team {
                e.code_owned_pct = pct1(owned.get(t).copied().unwrap_or(0), total_code);
            }
            team_rows = by_team.into_values().collect();
            team_rows.sort_by(|a, b| b.files_owned.cmp(&a.files_owned).then(a.team.cmp(&b.team)));
            // Teams that changed each file at HEAD in the activity window.
            let at_head: BTreeMap<&str, (&str, u32)> = files
                .iter()
                .map(|f| (f.file_id.as_str(), (f.path.as_str(), f.code_lines)))
                .collect();
            let mut touched: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
            for c in &changes {
                if c.time >= active_since && at_head.contains_key(c.file_id) {
                    touched
                        .entry(c.file_id)
                        .or_default()
                        .insert(team_of(c.author));
                }
            }
            let triples: Vec<(String, u32, BTreeSet<String>)> = touched
                .into_iter()
                .filter_map(|(id, t)| {
                    let (path, lines) = at_head.get(id)?;
                    Some(((*path).to_owned(), *lines, t))
                })
                .collect();
            coordination = Some(teams::coordination(&triples));
        }
        let map = crate::project::component_map(&config)?;
        let hot: BTreeSet<String> =
            crate::hotspots::compute(store, self.health(), 12, mode, &map, None)
                .ok()
                .flatten()
                .map(|h| {
                    h.hotspots
                        .files
                        .into_iter()
                        .filter(|f| f.hotspot)
                        .map(|f| f.path)
                        .collect()
                })
                .unwrap_or_default();
        // The identities of the history: e-mail, name, last counted commit.
        let mut last_of: BTreeMap<&str, i64> = BTreeMap::new();
        for c in &changes {
            let t = last_of.entry(c.author).or_insert(c.time);
            *t = (*t).max(c.time);
        }
        let identities: Vec<Identity<'_>> = last_of
            .iter()
            .map(|(email, last)| Identity {
                email,
                name: names.get(email).copied().unwrap_or(""),
                last: *last,
            })
            .collect();
        let codeowners = repo
            .as_ref()
            .and_then(|r| crate::assess::committed_codeowners(r, None))
            .map(|(file, text)| (file, CodeOwners::parse(&text)));
        // Every file of HEAD's tree (not only measured code), for the rules
        // that match nothing.
        let tree: Vec<String> = repo
            .as_ref()
            .and_then(|r| r.paths_at(r.head_commit().ok()?, |_| true).ok())
            .unwrap_or_else(|| k.files.iter().map(|f| f.path.clone()).collect());
        let mut without_active_owner: Option<BTreeSet<String>> = None;
        let codeowners = codeowners.map(|(file, co)| {
            let total: u64 = k.files.iter().map(|f| u64::from(f.code_lines)).sum();
            let without_owner: Vec<&knowledge::FileKnowledge> = k
                .files
                .iter()
                .filter(|f| co.owners_of(&f.path).is_none())
                .collect();
            let code: u64 = without_owner.iter().map(|f| u64::from(f.code_lines)).sum();
            let listed = co.owners();
            let mut owners =
                teams::owner_health(listed.iter().map(String::as_str), &identities, active_since);
            let live: BTreeSet<&str> = owners
                .iter()
                .filter(|o| matches!(o.status, OwnerStatus::Active | OwnerStatus::Team))
                .map(|o| o.owner.as_str())
                .collect();
            without_active_owner = Some(
                k.files
                    .iter()
                    .filter(|f| {
                        co.owners_of(&f.path)
                            .is_none_or(|os| !os.iter().any(|o| live.contains(o.as_str())))
                    })
                    .map(|f| f.path.clone())
                    .collect(),
            );
            let count = |s: OwnerStatus| owners.iter().filter(|o| o.status == s).count() as u64;
            let (stale_owners, never_committed_owners, team_owners) = (
                count(OwnerStatus::Stale),
                count(OwnerStatus::NeverCommitted),
                count(OwnerStatus::Team),
            );
            if !request.names {
                for o in owners.iter_mut().filter(|o| o.status != OwnerStatus::Team) {
                    o.owner = pseudonym(&salt, &o.owner.to_lowercase());
                    o.identity = o.identity.as_ref().map(|i| pseudonym(&salt, i));
                }
                owners.sort_by(|a, b| a.owner.cmp(&b.owner));
            }
            CodeOwnersSummary {
                file,
                files_without_owner: without_owner.len() as u64,
                code_without_owner_pct: pct1(code, total),
                invalid_lines: co.invalid.clone(),
                owners,
                stale_owners,
                never_committed_owners,
                team_owners,
                rules_matching_nothing: co.rules_matching_nothing(tree.iter().map(String::as_str)),
                hotspots_without_owner: hot
                    .iter()
                    .filter(|p| co.owners_of(p).is_none())
                    .cloned()
                    .collect(),
            }
        });
        let hotspots_at_risk: Vec<String> = k
            .files
            .iter()
            .filter(|f| f.orphaned && hot.contains(&f.path))
            .map(|f| f.path.clone())
            .collect();
        if !request.names {
            let p = |a: &mut String| *a = pseudonym(&salt, a);
            k.truck_factor_authors.iter_mut().for_each(p);
            k.without.iter_mut().for_each(p);
            team_overlaps.iter_mut().for_each(|o| p(&mut o.author));
            team_overlaps.sort_by(|a, b| a.author.cmp(&b.author));
            for f in &mut k.files {
                p(&mut f.main_author);
                f.doa_authors.iter_mut().for_each(p);
            }
        }
        Ok(KnowledgeReport {
            schema: "friction.knowledge/1",
            pseudonymous: !request.names,
            active_months: request.active_months,
            active_since: date(active_since),
            history_authors: everyone.len() as u64,
            history_active_authors: everyone
                .iter()
                .filter(|a| active.contains(**a) && !without.contains(**a))
                .count() as u64,
            knowledge: k,
            hotspots_at_risk,
            teams: team_rows,
            unmapped_authors,
            team_overlaps,
            coordination,
            codeowners,
            without_active_owner,
        })
    }
}
