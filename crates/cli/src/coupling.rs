//! `friction coupling`: files that change together, from the stored history.

use std::collections::BTreeMap;

use friction_analysis::components::{self, ComponentCoupling, Overlap};
use friction_analysis::coupling::{self, Commit, Coupling, Grouping, Options};
use friction_store::WalkMode;
use serde::Serialize;

use crate::CouplingArgs;
use crate::render::clean;
use friction_app::Error;
use friction_app::calendar::MONTH;
use friction_app::calendar::date;
use friction_app::project::open_store;

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: &'static str,
    /// `code-maat` (parity) or `friction`.
    mode: &'static str,
    /// 0 = the whole stored history.
    months: u32,
    from: Option<String>,
    to: Option<String>,
    grouping: Grouping,
    options: Options,
    commits: u64,
    /// Whether `pairs` lists every pair or only the first `--limit`.
    complete: bool,
    /// Pairs whose files belong to different components.
    structural_pairs: u64,
    /// Structural coupling summed per component pair.
    component_coupling: Vec<ComponentCoupling>,
    component_overlaps: Vec<Overlap>,
    #[serde(flatten)]
    coupling: &'a Coupling,
}

pub fn run(args: &CouplingArgs) -> Result<u8, Error> {
    let (store, db) = open_store(args.path.clone(), args.db.clone())?;
    let err = |e: friction_store::StoreError| {
        Error::input(format!("reading {}: {e}", db.display()), None)
    };
    let Some(last) = store.last_commit_time().map_err(err)? else {
        return Err(Error::input(
            "the store holds no history",
            Some("run `friction scan` on the repository first"),
        ));
    };
    let months = args.months.unwrap_or(if args.parity { 0 } else { 12 });
    let since = if months == 0 {
        i64::MIN
    } else {
        last - i64::from(months) * MONTH
    };
    let mode = if args.first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    };
    friction_app::project::require_view(&store, &db, mode)?;
    let rows = store.activity_with(since, mode, args.parity).map_err(err)?;
    let messages = if args.by == "ticket" {
        store.commit_messages(since).map_err(err)?
    } else {
        BTreeMap::new()
    };
    // Rows come ordered by time and commit: fold them into commits.
    let mut commits: Vec<Commit> = Vec::new();
    for r in rows {
        let entity = if args.parity { r.path } else { r.file_id };
        match commits.last_mut() {
            Some(c) if c.id == r.commit => c.entities.push(entity),
            _ => commits.push(Commit {
                message: messages
                    .get(&r.commit)
                    .map(|m| m.2.clone())
                    .unwrap_or_default(),
                id: r.commit,
                author: r.author,
                time: r.time,
                entities: vec![entity],
            }),
        }
    }
    let grouping = match args.by.as_str() {
        "commit" => Grouping::Commit,
        "ticket" => Grouping::Ticket,
        "author" => Grouping::Author {
            seconds: i64::from(args.author_window_hours) * 3600,
        },
        other => {
            return Err(Error::input(
                format!("unknown grouping `{other}`"),
                Some("use `--by commit`, `--by ticket` or `--by author`"),
            ));
        }
    };
    let options = Options {
        min_revs: args.min_revs,
        min_shared_revs: args.min_shared_revs,
        min_coupling: args.min_coupling,
        max_coupling: args.max_coupling,
        max_changeset_size: args.max_changeset_size,
        parity: args.parity,
    };
    let sets = coupling::group(&commits, grouping);
    // Identities are named by the newest path of their chain, so a file that
    // exists at HEAD already shows where it lives now.
    let mut result = coupling::coupling(&sets, &options);
    let map =
        friction_app::project::component_map(&friction_app::project::project_config(&args.path)?)?;
    let component_coupling = components::annotate(&mut result, &map);
    let structural_pairs = result.pairs.iter().filter(|p| p.structural).count() as u64;
    let mut component_overlaps = map.overlaps(
        result
            .pairs
            .iter()
            .flat_map(|p| [p.entity.as_str(), p.coupled.as_str()]),
    );
    component_overlaps.sort_by(|a, b| a.path.cmp(&b.path));
    component_overlaps.dedup();
    let limit = if args.all { usize::MAX } else { args.limit };
    let complete = result.pairs.len() <= limit;
    result.pairs.truncate(limit);
    result.sum_of_coupling.truncate(limit);
    let report = Report {
        schema: "friction.coupling/1",
        mode: if args.parity { "code-maat" } else { "friction" },
        months,
        from: (months > 0).then(|| date(since)),
        to: (months > 0).then(|| date(last)),
        grouping,
        options,
        commits: commits.len() as u64,
        complete,
        structural_pairs,
        component_coupling,
        component_overlaps,
        coupling: &result,
    };
    if args.json {
        let v = serde_json::to_value(&report).unwrap_or_default();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if args.csv {
        print!("{}", csv(&result, args.parity));
    } else {
        print!("{}", text(&report));
    }
    Ok(0)
}

/// code-maat's columns first (`entity,coupled,degree,average-revs`), so a
/// parity run diffs directly against code-maat's CSV; friction's extra columns after.
fn csv(c: &Coupling, parity: bool) -> String {
    let mut header = vec!["entity", "coupled", "degree", "average-revs"];
    if !parity {
        header.extend([
            "shared-revs",
            "entity-revs",
            "coupled-revs",
            "confidence",
            "confidence-reverse",
            "support",
        ]);
    }
    let rows = c.pairs.iter().map(|p| {
        let mut row = vec![
            p.entity.clone(),
            p.coupled.clone(),
            p.degree.to_string(),
            p.average_revs.to_string(),
        ];
        if !parity {
            row.extend([
                p.shared_revs.to_string(),
                p.entity_revs.to_string(),
                p.coupled_revs.to_string(),
                format!("{:.1}", p.confidence),
                format!("{:.1}", p.confidence_reverse),
                format!("{:.1}", p.support),
            ]);
        }
        row
    });
    friction_report::csv_text(&header, rows)
}

fn text(r: &Report<'_>) -> String {
    let c = r.coupling;
    let window = match (&r.from, &r.to) {
        (Some(f), Some(t)) => format!("{} months, {f} to {t}", r.months),
        _ => "whole history".to_owned(),
    };
    let by = match r.grouping {
        Grouping::Commit => "per commit".to_owned(),
        Grouping::Ticket => "per ticket (commits sharing a ticket id form one change)".to_owned(),
        Grouping::Author { seconds } => format!("per author within {} h", seconds / 3600),
    };
    let mut out = format!(
        "friction coupling · {window} · {} change sets {by} from {} commits{}\n",
        c.change_sets,
        r.commits,
        if r.mode == "code-maat" {
            " · code-maat parity"
        } else {
            ""
        }
    );
    out.push_str(&format!(
        "  thresholds    revisions ≥ {} ({}), shared ≥ {}, degree {}–{} %, change sets over {} files left out ({} skipped)\n",
        r.options.min_revs,
        if r.options.parity { "mean of the pair" } else { "each file" },
        r.options.min_shared_revs,
        r.options.min_coupling,
        r.options.max_coupling,
        r.options.max_changeset_size,
        c.large_change_sets_skipped
    ));
    if c.pairs.is_empty() {
        out.push_str("\nNo pair passes the thresholds.\n");
        return out;
    }
    if !r.component_coupling.is_empty() {
        out.push_str(&format!(
            "  structural    {} of the pairs cross component boundaries:\n",
            r.structural_pairs
        ));
        for cc in r.component_coupling.iter().take(8) {
            out.push_str(&format!(
                "                {} ↔ {}: {} pairs, up to {} %, {} shared changes\n",
                clean(&cc.component),
                clean(&cc.coupled),
                cc.pairs,
                cc.max_degree,
                cc.shared_revs
            ));
        }
    }
    out.push_str(&format!(
        "\n  {:>6}  {:>5}  {:>6}  {:>7}  {:>7}  pair\n",
        "degree", "avg", "shared", "P(B|A)", "P(A|B)"
    ));
    for p in &c.pairs {
        out.push_str(&format!(
            "  {:>5}%  {:>5}  {:>6}  {:>6.0}%  {:>6.0}%  {}  ↔  {}{}\n",
            p.degree,
            p.average_revs,
            p.shared_revs,
            p.confidence,
            p.confidence_reverse,
            clean(&p.entity),
            clean(&p.coupled),
            if p.structural { "  (structural)" } else { "" }
        ));
    }
    out
}
