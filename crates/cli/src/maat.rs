//! `friction maat ANALYSIS`: code-maat's analyses over the stored history, in
//! code-maat's CSV columns (parity mode).

use friction_analysis::maat::{self, ANALYSES, Row};
use friction_store::WalkMode;

use crate::MaatArgs;
use friction_app::Error;
use friction_app::calendar::MONTH;
use friction_app::calendar::date;
use friction_app::project::open_store;

pub fn run(args: &MaatArgs) -> Result<u8, Error> {
    if args.analysis != "all" && !ANALYSES.contains(&args.analysis.as_str()) {
        return Err(Error::input(
            format!("unknown analysis `{}`", args.analysis),
            Some(&format!(
                "choose one of: {}, or `all` with `--out DIR`",
                ANALYSES.join(", ")
            )),
        ));
    }
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
    let since = if args.months == 0 {
        i64::MIN
    } else {
        last - i64::from(args.months) * MONTH
    };
    // Every change, as code-maat reads it: paths, authors, author-local dates.
    // Authors are pseudonyms unless `--names` (code-maat prints names).
    let salt = store.first_commit_id().map_err(err)?.unwrap_or_default();
    let names = args.names;
    let rows: Vec<Row> = store
        .activity_with(since, WalkMode::Full, true)
        .map_err(err)?
        .into_iter()
        .map(|r| Row {
            date: date(r.time + r.offset),
            entity: r.path,
            rev: r.commit,
            author: if names {
                r.author_name
            } else {
                friction_analysis::knowledge::pseudonym(&salt, &r.author)
            },
            added: r.lines_added,
            deleted: r.lines_deleted,
        })
        .collect();
    let now = args.age_time_now.clone().unwrap_or_else(|| date(last));
    if args.analysis == "all" {
        // Every analysis from one read of the store, one CSV file each.
        let Some(dir) = &args.out else {
            return Err(Error::input(
                "`friction maat all` writes one CSV per analysis",
                Some("give the directory with `--out DIR`"),
            ));
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display()), None))?;
        let prepared = maat::Prepared::new(&rows);
        for name in ANALYSES {
            let table = prepared
                .analyse(name, args.min_revs, &now)
                .expect("every listed analysis exists");
            let path = dir.join(format!("{name}.csv"));
            std::fs::write(&path, friction_report::csv_text(&table.header, &table.rows))
                .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display()), None))?;
        }
        return Ok(0);
    }
    let table = maat::analyse(&args.analysis, &rows, args.min_revs, &now)
        .expect("analysis names checked above");
    print!("{}", friction_report::csv_text(&table.header, &table.rows));
    Ok(0)
}
