//! `friction coupling`: files that change together, from the stored history.

use friction_analysis::coupling::{Coupling, Grouping, Options};
use friction_app::coupling::{CouplingReport, CouplingRequest};
use friction_app::{Error, Project, Session};

use crate::CouplingArgs;
use crate::render::clean;

/// `--by`: how commits form change sets.
fn grouping(args: &CouplingArgs) -> Result<Grouping, Error> {
    match args.by.as_str() {
        "commit" => Ok(Grouping::Commit),
        "ticket" => Ok(Grouping::Ticket),
        "author" => Ok(Grouping::Author {
            seconds: i64::from(args.author_window_hours) * friction_app::calendar::HOUR,
        }),
        other => Err(Error::input(
            format!("unknown grouping `{other}`"),
            Some("use `--by commit`, `--by ticket` or `--by author`"),
        )),
    }
}

pub fn run(args: &CouplingArgs) -> Result<u8, Error> {
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let request = CouplingRequest {
        months: args.months.unwrap_or(if args.parity { 0 } else { 12 }),
        grouping: grouping(args)?,
        options: Options {
            min_revs: args.min_revs,
            min_shared_revs: args.min_shared_revs,
            min_coupling: args.min_coupling,
            max_coupling: args.max_coupling,
            max_changeset_size: args.max_changeset_size,
            parity: args.parity,
        },
        mode: crate::walk_mode(args.first_parent),
        limit: (!args.all).then_some(args.limit),
    };
    let report = session.coupling(&request)?;
    if args.json {
        println!("{}", crate::render::sorted_json(&report));
    } else if args.csv {
        print!("{}", csv(&report.coupling, args.parity));
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

fn text(r: &CouplingReport) -> String {
    let c = &r.coupling;
    let window = match (&r.from, &r.to) {
        (Some(f), Some(t)) => format!("{} months, {f} to {t}", r.months),
        _ => "whole history".to_owned(),
    };
    let by = match r.grouping {
        Grouping::Commit => "per commit".to_owned(),
        Grouping::Ticket => "per ticket (commits sharing a ticket id form one change)".to_owned(),
        Grouping::Author { seconds } => format!(
            "per author within {} h",
            seconds / friction_app::calendar::HOUR
        ),
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
