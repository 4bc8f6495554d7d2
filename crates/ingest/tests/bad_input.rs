//! Bad input gets an error that says where, never a panic and never a
//! silently wrong record.

use friction_ingest::{Format, detect, extract};
use friction_model::inputs::InputRecord;

fn read(format: Format, bytes: &[u8]) -> Result<Vec<InputRecord>, String> {
    let mut out = Vec::new();
    extract(format, &mut &bytes[..], &mut |r, _| {
        out.push(r);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(out)
}

const RUN: &str = r#"{"id":7,"run_number":3,"workflow_id":1,"run_attempt":2,"name":"CI","event":"push","head_branch":"main","head_sha":"abc","status":"completed","conclusion":"success","created_at":"2024-01-01T10:00:00Z","run_started_at":"2024-01-01T10:00:05Z","updated_at":"2024-01-01T10:05:00Z","repository":{"full_name":"Acme/App"}}"#;

#[test]
fn truncated_json_is_refused_naming_the_record_and_line() {
    // Three runs are read whole; the file breaks off in the fourth record.
    let page = format!(
        "{{\"total_count\":2,\"workflow_runs\":[{RUN},\n{RUN}]}}\n{{\"total_count\":1,\"workflow_runs\":[{RUN}"
    );
    let err = read(Format::Github, page.as_bytes()).unwrap_err();
    assert!(
        err.starts_with("record 4 (line 3): invalid JSON: EOF while parsing"),
        "{err}"
    );
}

#[test]
fn concatenated_pages_slurped_arrays_and_single_items_read_alike() {
    let one = format!("{{\"total_count\":1,\"workflow_runs\":[{RUN}]}}");
    let concatenated = format!("{one}\n{one}\n");
    let slurped = format!("[{one},{one}]");
    let items = format!("[{RUN},{RUN}]");
    let webhook = format!(
        "{{\"action\":\"completed\",\"workflow_run\":{RUN},\"repository\":{{\"full_name\":\"acme/app\"}}}}"
    );
    for (text, n) in [
        (&one, 1),
        (&concatenated, 2),
        (&slurped, 2),
        (&items, 2),
        (&RUN.to_owned(), 1),
        (&webhook, 1),
    ] {
        let records = read(Format::Github, text.as_bytes()).unwrap();
        assert_eq!(records.len(), n, "{text}");
        let InputRecord::CiRun(run) = &records[0] else {
            panic!("{records:?}")
        };
        assert_eq!(
            (run.scope.as_str(), run.id.as_str(), run.attempt),
            ("github:acme/app", "7", 2)
        );
        assert_eq!(run.finished_at, Some(1_704_103_500));
    }
}

#[test]
fn a_file_of_another_format_is_refused_not_misread() {
    let junit = b"<?xml version=\"1.0\"?><testsuite name=\"s\"><testcase name=\"t\"/></testsuite>";
    let err = read(Format::Cobertura, junit).unwrap_err();
    assert!(
        err.contains("not a Cobertura report: the root element is <testsuite>"),
        "{err}"
    );
    let err = read(Format::Github, b"[{\"name\":\"x\"}]").unwrap_err();
    assert!(
        err.starts_with("record 1: not a GitHub workflow run"),
        "{err}"
    );
    let err = read(Format::DevlakeCsv, b"a,b\n1,2\n").unwrap_err();
    assert!(err.contains("not a DevLake raw table"), "{err}");
    assert_eq!(detect(b"PK\x03\x04 zip bytes"), None);
}

#[test]
fn an_xml_entity_bomb_is_refused_without_expansion() {
    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<testsuites><testsuite name="&lol2;"><testcase name="t">&lol2;</testcase></testsuite></testsuites>"#;
    assert_eq!(detect(bomb), Some(Format::Junit));
    let err = read(Format::Junit, bomb).unwrap_err();
    assert!(err.contains("declares XML entities"), "{err}");
    // Without the declaration, the reference is to an undeclared entity.
    let undeclared =
        b"<testsuites><testsuite><testcase name=\"t\">&lol2;</testcase></testsuite></testsuites>";
    let err = read(Format::Junit, undeclared).unwrap_err();
    assert!(err.contains("undeclared entity &lol2;"), "{err}");
}

#[test]
fn non_utf8_bytes_are_refused_naming_where() {
    let mut lcov = b"SF:a.c\nDA:1,1\n".to_vec();
    lcov.extend_from_slice(b"DA:2,\xff\xfe\nend_of_record\n");
    let err = read(Format::Lcov, &lcov).unwrap_err();
    assert_eq!(err, "line 3: not UTF-8 text");
    let json = b"{\"id\":1,\"run_number\":1,\"workflow_id\":1,\"name\":\"\xff\"}";
    let err = read(Format::Github, json).unwrap_err();
    assert!(err.contains("record 1") && err.contains("line 1"), "{err}");
    let xml = b"<testsuites><testsuite name=\"\xff\"><testcase/></testsuite></testsuites>";
    assert!(read(Format::Junit, xml).unwrap_err().contains("line 1"));
    let csv = b"id,params,data,url,input,created_at\n1,{},\"{\"\"id\"\":\"\"\xff\"\"}\",u,,x\n";
    let err = read(Format::DevlakeCsv, csv).unwrap_err();
    assert!(err.contains("record 1"), "{err}");
}

#[test]
fn records_of_two_repositories_keep_their_own_scope() {
    let other = RUN.replace("Acme/App", "someone/else");
    let text = format!("[{RUN},{other}]");
    let scopes: Vec<String> = read(Format::Github, text.as_bytes())
        .unwrap()
        .iter()
        .map(|r| r.scope().to_owned())
        .collect();
    assert_eq!(scopes, ["github:acme/app", "github:someone/else"]);
}

#[test]
fn junit_outcomes_follow_the_strongest_element_and_count_flaky_attempts() {
    let xml = br#"<testsuites><testsuite name="outer"><testsuite name="inner" timestamp="2024-01-01T00:00:00">
<testcase name="a" time="1.5"><flakyFailure message="x"><stackTrace>s</stackTrace></flakyFailure><flakyError/></testcase>
<testcase name="b"><failure/><rerunFailure/><rerunError/></testcase>
<testcase name="c"><skipped/></testcase>
<testcase name="d"><failure/><error/></testcase>
</testsuite></testsuite></testsuites>"#;
    let records = read(Format::Junit, xml).unwrap();
    let got: Vec<(String, &str, u32, u32)> = records
        .iter()
        .map(|r| match r {
            InputRecord::TestResult(t) => (
                t.suite.clone() + ":" + &t.name,
                t.outcome.as_str(),
                t.flaky_attempts,
                t.reruns,
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            ("outer / inner:a".to_owned(), "passed", 2, 0),
            ("outer / inner:b".to_owned(), "failed", 0, 2),
            ("outer / inner:c".to_owned(), "skipped", 0, 0),
            ("outer / inner:d".to_owned(), "error", 0, 0),
        ]
    );
    let InputRecord::TestResult(a) = &records[0] else {
        unreachable!()
    };
    assert_eq!((a.duration, a.timestamp), (Some(1.5), Some(1_704_067_200)));
}

#[test]
fn lcov_sections_of_one_file_merge_and_old_and_new_function_records_agree() {
    let old = b"TN:a\nSF:x.c\nFN:1,f\nFN:5,g\nFNDA:3,f\nFNDA:0,g\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nend_of_record\nTN:b\nSF:x.c\nFN:1,f\nFN:5,g\nFNDA:0,f\nFNDA:0,g\nDA:1,0\nDA:2,4\nend_of_record\n";
    let new = b"SF:x.c\nFNL:0,1,4\nFNL:1,5,9\nFNA:0,3,f\nFNA:1,0,g\nDA:1,1\nDA:2,4\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nend_of_record\n";
    for text in [&old[..], &new[..]] {
        let records = read(Format::Lcov, text).unwrap();
        let [InputRecord::Coverage(c)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!(
            (
                c.lines_found,
                c.lines_hit,
                c.branches_found,
                c.branches_hit,
                c.functions_found,
                c.functions_hit
            ),
            (2, 2, 2, 1, 2, 1)
        );
    }
    let truncated = b"SF:x.c\nDA:1,1\n";
    assert!(
        read(Format::Lcov, truncated)
            .unwrap_err()
            .contains("no end_of_record")
    );
}

#[test]
fn jacoco_reports_give_one_record_per_source_file() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="demo"><sessioninfo id="s" start="1" dump="2"/><package name="org/acme"><class name="org/acme/A" sourcefilename="A.java"><method name="f" desc="()V" line="3"><counter type="LINE" missed="9" covered="9"/></method><counter type="LINE" missed="9" covered="9"/></class><sourcefile name="A.java"><line nr="3" mi="0" ci="3" mb="1" cb="1"/><counter type="INSTRUCTION" missed="2" covered="8"/><counter type="BRANCH" missed="1" covered="1"/><counter type="LINE" missed="1" covered="3"/><counter type="METHOD" missed="0" covered="2"/></sourcefile><counter type="LINE" missed="1" covered="3"/></package><counter type="LINE" missed="1" covered="3"/></report>"#;
    assert_eq!(detect(xml), Some(Format::Jacoco));
    let records = read(Format::Jacoco, xml).unwrap();
    let [InputRecord::Coverage(c)] = records.as_slice() else {
        panic!("{records:?}")
    };
    assert_eq!(c.path, "org/acme/A.java");
    assert_eq!(
        (
            c.lines_found,
            c.lines_hit,
            c.branches_found,
            c.branches_hit,
            c.functions_found,
            c.functions_hit
        ),
        (4, 3, 2, 1, 2, 2)
    );
}

/// Deployments, their statuses and releases as GitHub's REST API lists them
/// (`repos/OWNER/REPO/deployments`, `…/deployments/ID/statuses`, `…/releases`;
/// shapes from GitHub's documented examples, trimmed to the fields read and
/// a few beside them).
#[test]
fn deployments_statuses_and_releases_are_read_with_their_repository() {
    let deployments = br#"[{"url":"https://api.github.com/repos/octocat/example/deployments/1","id":1,"node_id":"MDEwOkRlcGxveW1lbnQx","sha":"a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d","ref":"topic-branch","task":"deploy","payload":{},"original_environment":"staging","environment":"production","description":"Deploy request from hubot","creator":{"login":"octocat"},"created_at":"2012-07-20T01:19:13Z","updated_at":"2012-07-20T01:19:13Z","statuses_url":"https://api.github.com/repos/octocat/example/deployments/1/statuses","repository_url":"https://api.github.com/repos/octocat/example","transient_environment":false,"production_environment":true}]"#;
    let statuses = br#"[{"url":"https://api.github.com/repos/octocat/example/deployments/42/statuses/1","id":1,"node_id":"MDE2OkRlcGxveW1lbnRTdGF0dXMx","state":"success","creator":{"login":"octocat"},"description":"Deployment finished successfully.","environment":"production","target_url":"https://example.com/deployment/42/output","created_at":"2012-07-20T01:19:13Z","updated_at":"2012-07-20T01:19:13Z","deployment_url":"https://api.github.com/repos/octocat/example/deployments/42","repository_url":"https://api.github.com/repos/octocat/example"}]"#;
    let releases = br#"[{"url":"https://api.github.com/repos/octocat/Hello-World/releases/1","html_url":"https://github.com/octocat/Hello-World/releases/v1.0.0","id":1,"node_id":"MDc6UmVsZWFzZTE=","tag_name":"v1.0.0","target_commitish":"master","name":"v1.0.0","body":"Description of the release","draft":false,"prerelease":false,"created_at":"2013-02-27T19:35:32Z","published_at":"2013-02-27T19:35:32Z","author":{"login":"octocat"},"assets":[]}]"#;
    for text in [&deployments[..], &statuses[..], &releases[..]] {
        assert_eq!(detect(text), Some(Format::Github));
    }
    let deployments_read = read(Format::Github, deployments).unwrap();
    let [InputRecord::Deployment(d)] = deployments_read.as_slice() else {
        panic!("{deployments_read:?}")
    };
    assert_eq!(
        (
            d.scope.as_str(),
            d.id.as_str(),
            d.environment.as_str(),
            d.production,
            d.created_at
        ),
        (
            "github:octocat/example",
            "1",
            "production",
            Some(true),
            Some(1_342_747_153)
        )
    );
    let statuses_read = read(Format::Github, statuses).unwrap();
    let [InputRecord::DeploymentStatus(s)] = statuses_read.as_slice() else {
        panic!("{statuses_read:?}")
    };
    assert_eq!(
        (s.deployment_id.as_str(), s.state.as_str()),
        ("42", "success")
    );
    let releases_read = read(Format::Github, releases).unwrap();
    let [InputRecord::Release(r)] = releases_read.as_slice() else {
        panic!("{releases_read:?}")
    };
    assert_eq!(
        (
            r.scope.as_str(),
            r.tag.as_str(),
            r.target.as_str(),
            r.published_at
        ),
        (
            "github:octocat/hello-world",
            "v1.0.0",
            "master",
            Some(1_361_993_732)
        )
    );
}
