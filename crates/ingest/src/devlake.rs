//! Apache DevLake raw tables (`_raw_github_api_runs`, `_raw_gitlab_api_pipeline`,
//! …) exported as CSV: `id,params,data,url,input,created_at`, one API item
//! per row in the `data` column. `params` names the repository the row was
//! collected for, `input` the pull request of per-PR tables, and `url` the
//! API the row came from.

use std::io::BufRead;

use serde_json::Value;

use crate::json::{Hint, Provider, records};
use crate::{Error, Sink, github, gitlab};

const HEADER: [&str; 6] = ["id", "params", "data", "url", "input", "created_at"];

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let header = csv
        .headers()
        .map_err(|e| Error::whole(format!("not a DevLake raw table: {e}")))?
        .clone();
    let names: Vec<&str> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}'))
        .collect();
    if names != HEADER {
        return Err(Error::whole(format!(
            "not a DevLake raw table: the header is `{}`, expected `{}`",
            names.join(","),
            HEADER.join(",")
        )));
    }
    let mut row = csv::StringRecord::new();
    let mut ordinal = 0u64;
    while let Some(position) = crate::next_csv_row(&mut csv, &mut row, ordinal)? {
        ordinal = position.record;
        let field = |i: usize| row.get(i).unwrap_or("");
        let data: Value = serde_json::from_str(field(2))
            .map_err(|e| Error::at(position, format!("the `data` cell is not JSON: {e}")))?;
        // `params` is DevLake's own bookkeeping; a hand-edited, unreadable one
        // (seen in DevLake's fixtures) only loses the repository hint.
        let params: Value = serde_json::from_str(field(1)).unwrap_or(Value::Null);
        let input: Value = serde_json::from_str(field(4)).unwrap_or(Value::Null);
        let url = field(3);
        let provider = provider(url, &params, &data).ok_or_else(|| {
            Error::at(
                position,
                "cannot tell which API the row holds: neither `url`, `params` nor the item names it",
            )
        })?;
        let hint = hint(provider, url, &params, &input);
        for record in records(provider, &data, &hint).map_err(|m| Error::at(position, m))? {
            sink(record, position)?;
        }
    }
    Ok(())
}

fn provider(url: &str, params: &Value, data: &Value) -> Option<Provider> {
    if url.contains("pagerduty.com") || data.get("incident_number").is_some() {
        Some(Provider::Pagerduty)
    } else if url.contains("opsgenie.com")
        || data.get("impactedServices").is_some()
        || data.get("tinyId").is_some()
    {
        Some(Provider::Opsgenie)
    } else if url.contains("atlassian.net")
        || url.contains("/rest/agile/")
        || url.contains("/rest/api/2/")
        || url.contains("/rest/api/3/")
        || params.get("BoardId").is_some()
    {
        Some(Provider::Jira)
    } else if url.contains("api.github.com") || url.contains("/repos/") {
        Some(Provider::Github)
    } else if url.contains("/api/v4/") || params.get("ProjectId").is_some() {
        Some(Provider::Gitlab)
    } else if params.get("Name").is_some() || params.get("Owner").is_some() {
        Some(Provider::Github)
    } else {
        None
    }
}

fn hint(provider: Provider, url: &str, params: &Value, input: &Value) -> Hint {
    let param = |k: &str| match params.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let scope = match provider {
        Provider::Github => github::scope_from_url(url)
            .or_else(|| param("Name").map(|n| github::scope_of(&n)))
            .or_else(|| {
                Some(github::scope_of(&format!(
                    "{}/{}",
                    param("Owner")?,
                    param("Repo")?
                )))
            }),
        Provider::Gitlab => param("ProjectId").map(|p| gitlab::scope_of(&p)),
        Provider::Pagerduty | Provider::Opsgenie | Provider::Jira => None,
    };
    let number = ["Number", "Iid"]
        .iter()
        .find_map(|k| input.get(k).and_then(Value::as_u64));
    Hint { scope, number }
}
