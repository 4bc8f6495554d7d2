//! `friction backtest`: does the hotspot ranking predict where fixes land?

use friction_app::backtest::{BacktestReport, BacktestRequest};
use friction_app::{Error, Project};

use crate::BacktestArgs;

pub fn run(args: &BacktestArgs) -> Result<u8, Error> {
    let project = Project::locate(args.path.clone(), args.db.clone())?;
    let prior_csv = match &args.prior {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Error::input(format!("reading {}: {e}", path.display()), None))?,
        ),
        None => None,
    };
    let report = friction_app::backtest::run(
        &project,
        &BacktestRequest {
            cut: args.cut.clone(),
            window_months: args.window_months,
            horizon_months: args.horizon_months,
            threads: args.threads,
            include_tests: args.include_tests,
            origins: args.origins,
            origin_step_months: args.origin_step_months,
            prior_csv,
            shrinkage: args.shrinkage,
        },
        &crate::progress::Bar::new(args.quiet),
    )?;
    if let Some(path) = &args.scores_csv {
        let csv = report.ranking_csv(&args.scores_ranking).ok_or_else(|| {
            Error::input(
                format!("no ranking named `{}…`", args.scores_ranking),
                Some("name one of the rankings `friction backtest` prints"),
            )
        })?;
        std::fs::write(path, csv)
            .map_err(|e| Error::input(format!("writing {}: {e}", path.display()), None))?;
    }
    if args.json {
        println!("{}", crate::render::sorted_json(&report));
    } else {
        print!("{}", text(&report));
    }
    Ok(0)
}

fn fmt(x: Option<f64>) -> String {
    x.map_or("–".to_owned(), |v| format!("{v:.3}"))
}

pub fn text(r: &BacktestReport) -> String {
    let b = &r.result;
    let mut out = format!(
        "friction backtest · ranked at {} (commit {}, {} months of history), scored on fixes until {}\n",
        r.cut,
        &r.cut_commit[..r.cut_commit.len().min(10)],
        r.window_months,
        r.horizon_end
    );
    out.push_str(&format!(
        "  outcome       {} defect-fix commits touched {} of the {} {} that existed at the cut\n",
        b.fix_commits,
        b.fix_touched_files,
        b.files,
        if r.product_code_only {
            "product-code files"
        } else {
            "files"
        }
    ));
    if !r.left_out.is_empty() {
        let rules: Vec<String> = r.left_out.iter().map(|(k, n)| format!("{k} {n}")).collect();
        out.push_str(&format!("  left out      {}\n", rules.join(", ")));
    }
    if r.horizon_incomplete {
        out.push_str("  note          the horizon reaches past the newest commit: fewer fixes can have happened yet\n");
    }
    out.push_str(&format!(
        "\n  {:<42}  {:>15}  {:>12}  {:>6}  {:>17}\n",
        "ranking", "ROC AUC (95 %)", "AUC by size", "Popt", "fixes in top 20 %"
    ));
    for k in &b.rankings {
        let interval = k
            .auc_interval
            .map_or(String::new(), |[lo, hi]| format!(" {lo:.2}–{hi:.2}"));
        out.push_str(&format!(
            "  {:<42}  {:>15}  {:>12}  {:>6}  {:>16.1}%\n",
            k.name,
            format!("{}{interval}", fmt(k.auc)),
            fmt(k.strata_auc),
            fmt(k.popt),
            k.top20_fix_share
        ));
    }
    if r.origins.len() > 1 {
        out.push_str(&format!(
            "\n  over {} cut dates ({} to {}), mean ± sd:\n",
            r.origins.len(),
            r.origins.last().map_or("", |o| o.cut.as_str()),
            r.cut
        ));
        let ms = |s: &Option<friction_app::backtest::Spread>| {
            s.map_or("–".to_owned(), |s| format!("{:.3} ± {:.3}", s.mean, s.sd))
        };
        out.push_str(&format!(
            "  {:<42}  {:>15}  {:>15}  {:>15}  {:>15}\n",
            "ranking", "ROC AUC", "AUC by size", "Popt", "top 20 % (%)"
        ));
        for s in &r.summary {
            let share = s
                .top20_fix_share
                .map_or("–".to_owned(), |v| format!("{:.1} ± {:.1}", v.mean, v.sd));
            out.push_str(&format!(
                "  {:<42}  {:>15}  {:>15}  {:>15}  {:>15}\n",
                s.name,
                ms(&s.auc),
                ms(&s.strata_auc),
                ms(&s.popt),
                share
            ));
        }
    }
    if let Some(m) = r.origins.first().map(|o| &o.model) {
        out.push_str(&format!(
            "\n  defect model  fitted on the history from {} to the cut: {} fix commits, {} file-periods; shrunk toward the pooled prior (weight {})\n",
            m.training_cut, m.training_fix_commits, m.training_files, m.shrinkage
        ));
    }
    for s in &r.skipped_origins {
        out.push_str(&format!("  not scored    {s}\n"));
    }
    out.push_str(
        "\n  ROC AUC: chance that a fix-touched file ranks above one no fix touched (0.5 = chance), with its 95 % interval (Hanley & McNeil).\n  AUC by size: the same among files of similar size (quintiles of code lines).\n  Popt: later fixes found against code read in the ranking's order, 0 = worst order, 1 = optimal (Mende & Koschke).\n",
    );
    out
}
