//! JaCoCo XML: `<package name="org/acme">` holding `<sourcefile name="A.java">`
//! elements whose direct `<counter type="LINE|BRANCH|METHOD" missed covered>`
//! children give the file's totals. One record per source file.

use std::io::BufRead;

use friction_model::inputs::{FileCoverage, InputRecord, Position};

use crate::xml::{Node, Xml};
use crate::{Error, Sink};

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut xml = Xml::new(reader);
    let mut package = String::new();
    let mut file: Option<(FileCoverage, u64)> = None;
    // Depth inside the open <sourcefile>: its counters are at depth 1.
    let mut depth = 0usize;
    let mut records = 0u64;
    loop {
        match xml.next()? {
            Node::End => break,
            Node::Open { name, empty } => {
                xml.check_root(&name, &["report"], "a JaCoCo report")?;
                if let Some((coverage, _)) = file.as_mut() {
                    if depth == 0 && name == b"counter" {
                        let number = |k: &str| -> Result<u64, Error> {
                            xml.attr(k)
                                .and_then(|v| v.trim().parse().ok())
                                .ok_or_else(|| {
                                    Error::at(
                                        xml.position(records + 1),
                                        format!("a <counter> without a whole `{k}`"),
                                    )
                                })
                        };
                        let (missed, covered) = (number("missed")?, number("covered")?);
                        let slot = match xml.attr("type") {
                            Some("LINE") => {
                                Some((&mut coverage.lines_found, &mut coverage.lines_hit))
                            }
                            Some("BRANCH") => {
                                Some((&mut coverage.branches_found, &mut coverage.branches_hit))
                            }
                            Some("METHOD") => {
                                Some((&mut coverage.functions_found, &mut coverage.functions_hit))
                            }
                            _ => None,
                        };
                        if let Some((found, hit)) = slot {
                            *found = missed + covered;
                            *hit = covered;
                        }
                    }
                    if !empty {
                        depth += 1;
                    }
                    continue;
                }
                match name.as_slice() {
                    b"package" if !empty => package = xml.attr("name").unwrap_or("").to_owned(),
                    b"sourcefile" => {
                        let name = xml.attr("name").unwrap_or("");
                        let path = if package.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{package}/{name}")
                        };
                        let started = (
                            FileCoverage {
                                path,
                                ..FileCoverage::default()
                            },
                            xml.line(),
                        );
                        if empty {
                            records += 1;
                            emit(sink, started, records)?;
                        } else {
                            file = Some(started);
                            depth = 0;
                        }
                    }
                    _ => {}
                }
            }
            Node::Close { name } => {
                if file.is_some() {
                    if depth == 0 && name == b"sourcefile" {
                        records += 1;
                        if let Some(done) = file.take() {
                            emit(sink, done, records)?;
                        }
                    } else {
                        depth = depth.saturating_sub(1);
                    }
                } else if name == b"package" {
                    package.clear();
                }
            }
        }
    }
    xml.check_end("a JaCoCo report")?;
    Ok(())
}

fn emit(
    sink: &mut Sink<'_>,
    (coverage, line): (FileCoverage, u64),
    record: u64,
) -> Result<(), Error> {
    sink(
        InputRecord::Coverage(coverage),
        Position {
            record,
            line: Some(line),
        },
    )
}
