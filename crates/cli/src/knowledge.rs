//! `friction knowledge`: ownership, knowledge islands, truck factor, former
//! contributors and the off-boarding simulation, from the stored history.

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::knowledge::{self, Change, File, Knowledge, pseudonym};
use friction_analysis::teams::{self, CodeOwners, Coordination, TeamMap, TeamOverlap, UNMAPPED};
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_store::WalkMode;
use serde::Serialize;

use crate::KnowledgeArgs;
use crate::render::clean;
use friction_app::Error;
use friction_app::calendar::MONTH;
use friction_app::calendar::date;
use friction_app::project::open_store;

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    /// Authors are pseudonymous unless `--names` was given.
    pseudonymous: bool,
    active_months: u32,
    active_since: String,
    /// Authors of the history's counted changes (bots and excluded files
    /// left out): the population the team table divides. `authors` and
    /// `active_authors` are those who wrote code still at HEAD.
    history_authors: u64,
    /// Of `history_authors`, those active (less `--without`).
    history_active_authors: u64,
    #[serde(flatten)]
    knowledge: &'a Knowledge,
    /// Hotspots (12 months) with no active author left.
    hotspots_at_risk: Vec<String>,
    /// Per team, when `[teams]` or `teams_csv` maps authors to teams.
    teams: Vec<TeamSummary>,
    /// Authors no team rule maps (counted under "(unmapped)").
    unmapped_authors: u64,
    /// Authors that rules of several teams match, and the team chosen.
    team_overlaps: Vec<TeamOverlap>,
    /// Code several teams changed in the activity window.
    coordination: Option<Coordination>,
    codeowners: Option<CodeOwnersSummary>,
}

#[derive(Serialize)]
struct TeamSummary {
    team: String,
    authors: u64,
    active_authors: u64,
    /// Files whose main author is in the team, and their share of the code.
    files_owned: u64,
    code_owned_pct: f64,
    /// Of those, files no active author knows.
    orphaned_files: u64,
}

#[derive(Serialize)]
struct CodeOwnersSummary {
    file: String,
    files_without_owner: u64,
    code_without_owner_pct: f64,
    /// Lines that could not be used: (line, reason).
    invalid_lines: Vec<(usize, String)>,
}

pub fn run(args: &KnowledgeArgs) -> Result<u8, Error> {
    let (store, db) = open_store(args.path.clone(), args.db.clone())?;
    let err = |e: friction_store::StoreError| {
        Error::input(format!("reading {}: {e}", db.display()), None)
    };
    let (Some(last), Some(code_head)) = (
        store.last_commit_time().map_err(err)?,
        store.meta("code_head").map_err(err)?,
    ) else {
        return Err(Error::input(
            "the store has no history or no code measurements yet",
            Some("run `friction scan` (without `--no-code`) on the repository first"),
        ));
    };
    if args.active_months == 0 {
        return Err(Error::input("--active-months must be at least 1", None));
    }
    let salt = store.first_commit_id().map_err(err)?.unwrap_or_default();
    let mode = if args.first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    };
    friction_app::project::require_view(&store, &db, mode)?;
    let active_since = last - i64::from(args.active_months) * MONTH;
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
    let config = friction_app::project::project_config(&args.path)?;
    // Configuration, teams CSV and CODEOWNERS come from HEAD's tree, as the
    // assessment reads them (uncommitted files do not count).
    let repo = friction_history::open(&args.path).ok();
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
    for w in &args.without {
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
            let c = owned.get(t).copied().unwrap_or(0);
            e.code_owned_pct = if total_code == 0 {
                0.0
            } else {
                (c as f64 * 1000.0 / total_code as f64).round() / 10.0
            };
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
            .map(|(id, t)| (at_head[id].0.to_owned(), at_head[id].1, t))
            .collect();
        coordination = Some(teams::coordination(&triples));
    }
    let codeowners = repo
        .as_ref()
        .and_then(|r| friction_app::assess::committed_codeowners(r, None))
        .map(|(file, text)| (file, CodeOwners::parse(&text)));
    let codeowners = codeowners.map(|(file, co)| {
        let total: u64 = k.files.iter().map(|f| u64::from(f.code_lines)).sum();
        let without_owner: Vec<&knowledge::FileKnowledge> = k
            .files
            .iter()
            .filter(|f| co.owners_of(&f.path).is_none())
            .collect();
        let code: u64 = without_owner.iter().map(|f| u64::from(f.code_lines)).sum();
        CodeOwnersSummary {
            file,
            files_without_owner: without_owner.len() as u64,
            code_without_owner_pct: if total == 0 {
                0.0
            } else {
                (code as f64 * 1000.0 / total as f64).round() / 10.0
            },
            invalid_lines: co.invalid.clone(),
        }
    });

    let map =
        friction_app::project::component_map(&friction_app::project::project_config(&args.path)?)?;
    let hot: BTreeSet<String> = crate::hotspots::compute(
        &store,
        &friction_app::HealthCache::default(),
        12,
        mode,
        &map,
    )
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
    let hotspots_at_risk: Vec<String> = k
        .files
        .iter()
        .filter(|f| f.orphaned && hot.contains(&f.path))
        .map(|f| f.path.clone())
        .collect();
    if !args.names {
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
    let limit = if args.all { usize::MAX } else { args.limit };
    let report = Report {
        schema: "friction.knowledge/1",
        pseudonymous: !args.names,
        active_months: args.active_months,
        active_since: date(active_since),
        history_authors: everyone.len() as u64,
        history_active_authors: everyone
            .iter()
            .filter(|a| active.contains(**a) && !without.contains(**a))
            .count() as u64,
        knowledge: &k,
        hotspots_at_risk,
        teams: team_rows,
        unmapped_authors,
        team_overlaps,
        coordination,
        codeowners,
    };
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(files) = v.get_mut("files").and_then(|f| f.as_array_mut()) {
            files.truncate(limit);
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if args.csv {
        print!("{}", csv(&k, limit));
    } else {
        print!("{}", text(&report, limit));
    }
    Ok(0)
}

fn csv(k: &Knowledge, limit: usize) -> String {
    let rows = k.files.iter().take(limit).map(|f| {
        [
            f.path.clone(),
            f.code_lines.to_string(),
            f.main_author.clone(),
            format!("{:.1}", f.main_share),
            format!("{:.1}", f.active_share),
            f.doa_authors.join(";"),
            f.island.to_string(),
            f.orphaned.to_string(),
        ]
    });
    friction_report::csv_text(
        &[
            "path",
            "code_lines",
            "main_author",
            "main_share",
            "active_share",
            "authors",
            "island",
            "orphaned",
        ],
        rows,
    )
}

fn text(r: &Report<'_>, limit: usize) -> String {
    let k = r.knowledge;
    let mut out = format!(
        "friction knowledge · {} files at HEAD · {} authors (of counted changes: bots and excluded files left out), {} active (committed since {}){}\n",
        k.files.len(),
        r.history_authors,
        r.history_active_authors,
        r.active_since,
        if r.pseudonymous {
            " · authors pseudonymous"
        } else {
            ""
        }
    );
    out.push_str(&format!(
        "  at HEAD       {} of these authors wrote code still at HEAD, {} of them active\n",
        k.authors, k.active_authors
    ));
    if !k.without.is_empty() {
        out.push_str(&format!(
            "  simulation    without {}: what their departure leaves\n",
            k.without.join(", ")
        ));
    }
    out.push_str(&format!(
        "  truck factor  {}{} (removing them leaves over half of the files without an author; Avelino et al. 2016)\n",
        k.truck_factor,
        if k.truck_factor_authors.is_empty() {
            String::new()
        } else {
            format!(": {}", k.truck_factor_authors.join(", "))
        }
    ));
    out.push_str(&format!(
        "  familiarity   {:.1} % of the code was written by active authors; {:.1} % by former contributors\n",
        k.familiarity_pct, k.former_contributors_pct
    ));
    out.push_str(&format!(
        "  islands       {:.1} % of the code ({} files) is at least 95 % written by one active author\n",
        k.island_code_pct, k.island_files
    ));
    out.push_str(&format!(
        "  orphaned      {:.1} % of the code ({} files) has no active author left\n",
        k.orphaned_code_pct, k.orphaned_files
    ));
    if !r.hotspots_at_risk.is_empty() {
        let shown: Vec<String> = r
            .hotspots_at_risk
            .iter()
            .take(5)
            .map(|p| clean(p))
            .collect();
        out.push_str(&format!(
            "  at risk       {} hotspots have no active author: {}\n",
            r.hotspots_at_risk.len(),
            shown.join(", ")
        ));
    }
    if !r.teams.is_empty() {
        out.push_str(&format!(
            "\n  {:<20}  {:>7}  {:>6}  {:>11}  {:>10}  {:>8}\n",
            "team", "authors", "active", "files owned", "code owned", "orphaned"
        ));
        for t in &r.teams {
            out.push_str(&format!(
                "  {:<20}  {:>7}  {:>6}  {:>11}  {:>9.1}%  {:>8}\n",
                clean(&t.team),
                t.authors,
                t.active_authors,
                t.files_owned,
                t.code_owned_pct,
                t.orphaned_files
            ));
        }
        if r.unmapped_authors > 0 {
            out.push_str(&format!(
                "  note          {} authors match no team rule and count as {UNMAPPED}\n",
                r.unmapped_authors
            ));
        }
    }
    if let Some(o) = r.team_overlaps.first() {
        out.push_str(&format!(
            "  overlaps      {} authors match rules of several teams; the most specific rule decides (e.g. {}: {} → {})\n",
            r.team_overlaps.len(),
            clean(&o.author),
            clean(&o.teams.join(", ")),
            clean(&o.chosen)
        ));
    }
    if let Some(c) = &r.coordination {
        out.push_str(&format!(
            "  coordination  {} files ({:.1} % of the changed code) were changed by two or more teams",
            c.multi_team_files, c.multi_team_code_pct
        ));
        if let Some((a, b, n)) = c.team_pairs.first() {
            out.push_str(&format!(
                "; most between {} and {} ({n} files)",
                clean(a),
                clean(b)
            ));
        }
        out.push('\n');
    }
    if let Some(co) = &r.codeowners {
        out.push_str(&format!(
            "  codeowners    {}: {} files ({:.1} % of the code) have no owner",
            co.file, co.files_without_owner, co.code_without_owner_pct
        ));
        if !co.invalid_lines.is_empty() {
            out.push_str(&format!(
                "; {} lines ignored (line {}: {})",
                co.invalid_lines.len(),
                co.invalid_lines[0].0,
                clean(&co.invalid_lines[0].1)
            ));
        }
        out.push('\n');
    }
    let shown: Vec<_> = k
        .files
        .iter()
        .filter(|f| f.orphaned || f.island)
        .take(limit)
        .collect();
    if !shown.is_empty() {
        out.push_str(&format!(
            "\n  {:<8}  {:>6}  {:<14}  {:>6}  {:>7}  file\n",
            "risk", "code", "main author", "share", "active"
        ));
        for f in shown {
            out.push_str(&format!(
                "  {:<8}  {:>6}  {:<14}  {:>5.0}%  {:>6.0}%  {}\n",
                if f.orphaned { "orphaned" } else { "island" },
                f.code_lines,
                clean(&f.main_author),
                f.main_share,
                f.active_share,
                clean(&f.path)
            ));
        }
    }
    out
}
