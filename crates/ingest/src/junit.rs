//! JUnit XML in the dialects producers write: Maven Surefire (with
//! `flakyFailure`/`flakyError`/`rerunFailure`/`rerunError`), Gradle (a retried
//! test repeated as several `<testcase>`s), pytest, jest-junit,
//! go-junit-report, cargo-nextest/quick-junit, Bazel, mocha, ScalaTest. Suites
//! may nest; each `<testcase>` is one record.

use std::io::BufRead;

use friction_model::inputs::{InputRecord, TestOutcome, TestResult};

use crate::xml::{Node, Xml};
use crate::{Error, Sink};

struct Open {
    result: TestResult,
    line: u64,
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut xml = Xml::new(reader);
    // Names and timestamps of the enclosing suites.
    let mut suites: Vec<(String, Option<i64>)> = Vec::new();
    let mut case: Option<Open> = None;
    let mut records = 0u64;
    loop {
        match xml.next()? {
            Node::End => break,
            Node::Open { name, empty } => {
                xml.check_root(&name, &["testsuites", "testsuite"], "a JUnit report")?;
                match name.as_slice() {
                    b"testsuite" => {
                        let stamp = xml.attr("timestamp").and_then(crate::time::parse);
                        if !empty {
                            suites.push((xml.attr("name").unwrap_or("").to_owned(), stamp));
                        }
                    }
                    b"testcase" if case.is_none() => {
                        let suite_names: Vec<&str> = suites
                            .iter()
                            .map(|(n, _)| n.as_str())
                            .filter(|n| !n.is_empty())
                            .collect();
                        let timestamp = xml
                            .attr("timestamp")
                            .and_then(crate::time::parse)
                            .or_else(|| suites.iter().rev().find_map(|(_, t)| *t));
                        let result = TestResult {
                            suite: suite_names.join(" / "),
                            classname: xml.attr("classname").unwrap_or("").to_owned(),
                            name: xml.attr("name").unwrap_or("").to_owned(),
                            file: xml.attr("file").unwrap_or("").to_owned(),
                            outcome: TestOutcome::Passed,
                            duration: xml
                                .attr("time")
                                .and_then(|t| t.trim().replace(',', "").parse().ok()),
                            flaky_attempts: 0,
                            reruns: 0,
                            timestamp,
                        };
                        let open = Open {
                            result,
                            line: xml.line(),
                        };
                        if empty {
                            records += 1;
                            emit(sink, open, records)?;
                        } else {
                            case = Some(open);
                        }
                    }
                    b"testcase" => {
                        return Err(Error::at(
                            xml.position(records + 1),
                            "a <testcase> inside a <testcase>",
                        ));
                    }
                    element => {
                        if let Some(open) = case.as_mut() {
                            mark(&mut open.result, element);
                        }
                    }
                }
            }
            Node::Close { name } => match name.as_slice() {
                b"testsuite" => {
                    suites.pop();
                }
                b"testcase" => {
                    if let Some(open) = case.take() {
                        records += 1;
                        emit(sink, open, records)?;
                    }
                }
                _ => {}
            },
        }
    }
    xml.check_end("a JUnit report")?;
    Ok(())
}

/// What an element directly inside a `<testcase>` says about it. An error
/// outranks a failure, which outranks a skip.
fn mark(result: &mut TestResult, element: &[u8]) {
    let outcome = match element {
        b"failure" => TestOutcome::Failed,
        b"error" => TestOutcome::Error,
        b"skipped" => TestOutcome::Skipped,
        b"flakyFailure" | b"flakyError" => {
            result.flaky_attempts += 1;
            return;
        }
        b"rerunFailure" | b"rerunError" => {
            result.reruns += 1;
            return;
        }
        _ => return,
    };
    let rank = |o: TestOutcome| match o {
        TestOutcome::Passed => 0,
        TestOutcome::Skipped => 1,
        TestOutcome::Failed => 2,
        TestOutcome::Error => 3,
    };
    if rank(outcome) > rank(result.outcome) {
        result.outcome = outcome;
    }
}

fn emit(sink: &mut Sink<'_>, open: Open, record: u64) -> Result<(), Error> {
    sink(
        InputRecord::TestResult(open.result),
        friction_model::inputs::Position {
            record,
            line: Some(open.line),
        },
    )
}
