//! `friction backtest`: does the hotspot ranking predict where fixes land?

use friction_app::backtest::{BacktestReport, BacktestRequest};
use friction_app::{Error, Project};

use crate::BacktestArgs;

pub fn run(args: &BacktestArgs) -> Result<u8, Error> {
    let project = Project::locate(args.path.clone(), args.db.clone())?;
    let report = friction_app::backtest::run(
        &project,
        &BacktestRequest {
            cut: args.cut.clone(),
            window_months: args.window_months,
            horizon_months: args.horizon_months,
            threads: args.threads,
            include_tests: args.include_tests,
        },
        &crate::progress::Bar::new(args.quiet),
    )?;
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
        "\n  {:<42}  {:>7}  {:>12}  {:>17}\n",
        "ranking", "ROC AUC", "AUC by size", "fixes in top 20 %"
    ));
    for k in &b.rankings {
        out.push_str(&format!(
            "  {:<42}  {:>7}  {:>12}  {:>16.1}%\n",
            k.name,
            fmt(k.auc),
            fmt(k.strata_auc),
            k.top20_fix_share
        ));
    }
    out.push_str(
        "\n  ROC AUC: chance that a fix-touched file ranks above one no fix touched (0.5 = chance).\n  AUC by size: the same among files of similar size (quintiles of code lines).\n",
    );
    out
}
