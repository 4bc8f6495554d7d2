//! `friction maat ANALYSIS`: code-maat's analyses over the stored history, in
//! code-maat's CSV columns (parity mode).

use friction_analysis::maat::{self, ANALYSES, Row};
use friction_store::WalkMode;

use crate::hotspots::{MONTH, open_store};
use crate::render::date;
use crate::{MaatArgs, UserError};

pub fn run(args: &MaatArgs) -> Result<u8, UserError> {
    if !ANALYSES.contains(&args.analysis.as_str()) {
        return Err(UserError::new(
            format!("unknown analysis `{}`", args.analysis),
            Some(&format!("choose one of: {}", ANALYSES.join(", "))),
        ));
    }
    let (store, db) = open_store(args.path.clone(), args.db.clone())?;
    let err = |e: friction_store::StoreError| {
        UserError::new(format!("reading {}: {e}", db.display()), None)
    };
    let Some(last) = store.last_commit_time().map_err(err)? else {
        return Err(UserError::new(
            "the store holds no history",
            Some("run `friction scan` on the repository first"),
        ));
    };
    let since = if args.months == 0 {
        i64::MIN
    } else {
        last - i64::from(args.months) * MONTH
    };
    // Every change, as code-maat reads it: paths, author names, author-local dates.
    let rows: Vec<Row> = store
        .activity_with(since, WalkMode::Full, true)
        .map_err(err)?
        .into_iter()
        .map(|r| Row {
            date: date(r.time + r.offset),
            entity: r.path,
            rev: r.commit,
            author: r.author_name,
            added: r.lines_added,
            deleted: r.lines_deleted,
        })
        .collect();
    let now = args.age_time_now.clone().unwrap_or_else(|| date(last));
    let table = maat::analyse(&args.analysis, &rows, args.min_revs, &now)
        .expect("analysis names checked above");
    print!("{}", table.to_csv());
    Ok(0)
}
