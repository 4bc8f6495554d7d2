//! Recognising a format from the first bytes of a file: the first JSON keys,
//! the XML root element, the CSV header, lcov's record keys, the header keys
//! of a YAML definition (`apiVersion`, `kind`, `version`, `groups`).

use crate::Format;

/// The format of a file that starts with `head` (its first few KiB), if it
/// is one friction reads.
pub fn detect(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first()? {
        b'{' | b'[' => json_provider(trimmed),
        b'<' => xml_root(trimmed),
        _ if is_devlake_header(trimmed) => Some(Format::DevlakeCsv),
        _ if crate::incident_csv::is_header(trimmed.lines().next().unwrap_or("")) => {
            Some(Format::IncidentsCsv)
        }
        _ if crate::workitem_csv::is_header(trimmed.lines().next().unwrap_or("")) => {
            Some(Format::WorkItemsCsv)
        }
        _ if yaml_definition(trimmed).is_some() => yaml_definition(trimmed),
        _ if trimmed
            .lines()
            .any(|l| l.starts_with("SF:") || l.starts_with("TN:")) =>
        {
            Some(Format::Lcov)
        }
        _ => None,
    }
}

/// A YAML definition recognised by its top-level keys (at the start of a
/// line, or of a list item): OpenSLO's or Sloth's `apiVersion`, Sloth's
/// `version: prometheus/v1`, a `PrometheusRule` or a rule file's `groups:`.
fn yaml_definition(text: &str) -> Option<Format> {
    let mut groups = false;
    for line in text.lines() {
        let item = line.strip_prefix("- ").unwrap_or(line);
        if item.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((key, value)) = item.split_once(':') else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        match key.trim() {
            "apiVersion" if crate::openslo::is_api_version(value) => return Some(Format::Openslo),
            "apiVersion" | "version" if crate::sloth::is_sloth(value, value) => {
                return Some(Format::Sloth);
            }
            "kind" if value == "PrometheusRule" => return Some(Format::PrometheusRules),
            "groups" if value.is_empty() && !line.starts_with("- ") => groups = true,
            _ => {}
        }
    }
    groups.then_some(Format::PrometheusRules)
}

/// DevLake's header, quoted or not.
fn is_devlake_header(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.replace('"', "").trim_end() == "id,params,data,url,input,created_at"
}

fn json_provider(text: &str) -> Option<Format> {
    const PAGERDUTY: [&str; 5] = [
        "\"incident_number\"",
        "\"incident_key\"",
        "_log_entry\"",
        "\"escalation_policy\"",
        "api.pagerduty.com",
    ];
    const OPSGENIE: [&str; 4] = [
        "\"impactedServices\"",
        "\"tinyId\"",
        "\"ownerTeam\"",
        "api.opsgenie.com",
    ];
    if PAGERDUTY.iter().any(|n| text.contains(n)) {
        return Some(Format::Pagerduty);
    }
    if OPSGENIE.iter().any(|n| text.contains(n)) {
        return Some(Format::Opsgenie);
    }
    const JIRA: [&str; 4] = [
        "\"issuetype\"",
        "\"statusCategory\"",
        ".atlassian.net/rest/",
        "/rest/api/2/issue",
    ];
    if JIRA.iter().any(|n| text.contains(n)) {
        return Some(Format::Jira);
    }
    const GITLAB: [&str; 4] = ["\"project_id\"", "\"iid\"", "/api/v4/", "\"short_id\""];
    const GITHUB: [&str; 9] = [
        "\"node_id\"",
        "\"workflow_runs\"",
        "\"workflow_run\"",
        "\"workflow_job\"",
        "\"run_number\"",
        "\"run_attempt\"",
        "\"pull_request_url\"",
        "\"full_name\"",
        "api.github.com",
    ];
    let first = |needles: &[&str]| needles.iter().filter_map(|n| text.find(n)).min();
    match (first(&GITHUB), first(&GITLAB)) {
        (Some(a), Some(b)) => Some(if a <= b {
            Format::Github
        } else {
            Format::Gitlab
        }),
        (Some(_), None) => Some(Format::Github),
        (None, Some(_)) => Some(Format::Gitlab),
        (None, None) => None,
    }
}

/// The name of the first element that is not a declaration, comment or
/// processing instruction.
fn xml_root(text: &str) -> Option<Format> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            // A DOCTYPE, possibly with an internal subset in brackets.
            let end = match (r.find('['), r.find('>')) {
                (Some(open), Some(close)) if open < close => open + r[open..].find("]>")? + 1,
                (_, Some(close)) => close,
                _ => return None,
            };
            rest = &r[end + 1..];
        } else {
            let r = rest.strip_prefix('<')?;
            let name: String = r
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return match name.as_str() {
                "testsuites" | "testsuite" => Some(Format::Junit),
                "coverage" => Some(Format::Cobertura),
                "report" => Some(Format::Jacoco),
                _ => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_bytes() {
        assert_eq!(
            detect(b"{\"total_count\":1,\"workflow_runs\":[{\"id\":1,\"node_id\":\"x\"}]}"),
            Some(Format::Github)
        );
        assert_eq!(
            detect(b"[{\"id\":1,\"iid\":3,\"project_id\":4}]"),
            Some(Format::Gitlab)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBFid,params,data,url,input,created_at\n"),
            Some(Format::DevlakeCsv)
        );
        assert_eq!(
            detect(b"\"id\",\"params\",\"data\",\"url\",\"input\",\"created_at\"\r\n1,"),
            Some(Format::DevlakeCsv)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<!-- x -->\n<testsuites>"),
            Some(Format::Junit)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM \"x.dtd\">\n<coverage>"),
            Some(Format::Cobertura)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\">"),
            Some(Format::Jacoco)
        );
        assert_eq!(
            detect(b"make[1]: Entering\nSF:index.js\nDA:1,1\n"),
            Some(Format::Lcov)
        );
        assert_eq!(
            detect(b"{\"incidents\":[{\"id\":\"P1\",\"incident_number\":3}]}"),
            Some(Format::Pagerduty)
        );
        assert_eq!(
            detect(b"{\"data\":[{\"id\":\"x\",\"tinyId\":\"1\"}]}"),
            Some(Format::Opsgenie)
        );
        assert_eq!(
            detect(b"id,title,severity,created_at,resolved_at\nINC-1,x,1,2024-01-01T00:00:00Z,\n"),
            Some(Format::IncidentsCsv)
        );
        assert_eq!(
            detect(b"# SLOs\n- apiVersion: openslo/v1alpha\n  kind: Service\n"),
            Some(Format::Openslo)
        );
        assert_eq!(
            detect(b"version: \"prometheus/v1\"\nservice: x\n"),
            Some(Format::Sloth)
        );
        assert_eq!(
            detect(b"apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n"),
            Some(Format::Sloth)
        );
        assert_eq!(
            detect(b"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"),
            Some(Format::PrometheusRules)
        );
        assert_eq!(
            detect(b"---\n# generated\ngroups:\n- name: g\n"),
            Some(Format::PrometheusRules)
        );
        assert_eq!(detect(b"apiVersion: foo\nkind: Service\n"), None);
        assert_eq!(detect(b"<html><body>"), None);
        assert_eq!(detect(b"name,value\n"), None);
        assert_eq!(detect(b""), None);
    }
}
