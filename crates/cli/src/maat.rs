//! `friction maat ANALYSIS`: code-maat's analyses over the stored history, in
//! code-maat's CSV columns (parity mode).

use friction_app::maat::MaatRequest;
use friction_app::{Error, Project, Session};

use crate::MaatArgs;

pub fn run(args: &MaatArgs) -> Result<u8, Error> {
    let request = MaatRequest {
        analysis: args.analysis.clone(),
        months: args.months,
        min_revs: args.min_revs,
        age_time_now: args.age_time_now.clone(),
        names: args.names,
    };
    request.check()?;
    let out = match (&args.out, args.analysis == "all") {
        (Some(dir), true) => Some(dir),
        (None, true) => {
            return Err(Error::input(
                "`friction maat all` writes one CSV per analysis",
                Some("give the directory with `--out DIR`"),
            ));
        }
        (_, false) => None,
    };
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let tables = session.maat(&request)?;
    let Some(dir) = out else {
        for (_, table) in &tables {
            print!("{}", friction_report::csv_text(&table.header, &table.rows));
        }
        return Ok(0);
    };
    // Every analysis from one read of the store, one CSV file each.
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display()), None))?;
    for (name, table) in &tables {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, friction_report::csv_text(&table.header, &table.rows))
            .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display()), None))?;
    }
    Ok(0)
}
