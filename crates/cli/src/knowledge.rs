//! `friction knowledge`: ownership, knowledge islands, truck factor, former
//! contributors and the off-boarding simulation, from the stored history.

use friction_analysis::knowledge::Knowledge;
use friction_analysis::teams::UNMAPPED;
use friction_app::knowledge::{KnowledgeReport, KnowledgeRequest};
use friction_app::{Error, Project, Session};

use crate::KnowledgeArgs;
use crate::render::clean;

pub fn run(args: &KnowledgeArgs) -> Result<u8, Error> {
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let mut report = session.knowledge(&KnowledgeRequest {
        active_months: args.active_months,
        without: args.without.clone(),
        names: args.names,
        mode: crate::walk_mode(args.first_parent),
    })?;
    let limit = if args.all { usize::MAX } else { args.limit };
    if args.json {
        report.knowledge.files.truncate(limit);
        println!("{}", crate::render::sorted_json(&report));
    } else if args.csv {
        print!("{}", csv(&report.knowledge, limit));
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

fn text(r: &KnowledgeReport, limit: usize) -> String {
    let k = &r.knowledge;
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
        "  orphaned      {:.1} % of the code ({} files) has no active author who knows it (degree of authorship ≥ 3.293 or creator)\n",
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
        out.push_str(&format!(
            "                owners: {} named, {} stale (no commit within the activity window), {} never committed, {} teams (not measurable offline)\n",
            co.owners.len(),
            co.stale_owners,
            co.never_committed_owners,
            co.team_owners
        ));
        if !co.rules_matching_nothing.is_empty() {
            let (line, pattern) = &co.rules_matching_nothing[0];
            out.push_str(&format!(
                "                {} rules match no file (line {line}: {})\n",
                co.rules_matching_nothing.len(),
                clean(pattern)
            ));
        }
        if !co.hotspots_without_owner.is_empty() {
            out.push_str(&format!(
                "                {} hotspots have no owner: {}\n",
                co.hotspots_without_owner.len(),
                co.hotspots_without_owner
                    .iter()
                    .take(3)
                    .map(|p| clean(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
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
