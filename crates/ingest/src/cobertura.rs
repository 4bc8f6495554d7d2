//! Cobertura XML (Cobertura itself, coverage.py, istanbul): `<class
//! filename=…>` elements with `<lines><line number hits branch
//! condition-coverage="50% (1/2)">`. The lines listed again under a class's
//! `<methods>` are not counted twice; classes of the same file (inner
//! classes) are merged into one record per file, in order of appearance.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use friction_model::inputs::FileCoverage;

use crate::xml::{Node, Xml};
use crate::{Error, Sink};

#[derive(Default)]
struct File {
    line: u64,
    /// Line number → (hits, branches covered, branches).
    lines: BTreeMap<u64, (u64, u64, u64)>,
    methods: u64,
    methods_hit: u64,
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut xml = Xml::new(reader);
    let mut files: Vec<(String, File)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut class: Option<usize> = None;
    let mut method: Option<bool> = None;
    loop {
        match xml.next()? {
            Node::End => break,
            Node::Open { name, empty } => {
                xml.check_root(&name, &["coverage"], "a Cobertura report")?;
                match name.as_slice() {
                    b"class" => {
                        let path = xml.attr("filename").unwrap_or("").to_owned();
                        if path.is_empty() {
                            return Err(Error::at(
                                xml.position(0),
                                "a <class> without a `filename`",
                            ));
                        }
                        let line = xml.line();
                        let i = *index.entry(path.clone()).or_insert_with(|| {
                            files.push((
                                path,
                                File {
                                    line,
                                    ..File::default()
                                },
                            ));
                            files.len() - 1
                        });
                        class = (!empty).then_some(i);
                    }
                    b"method" if class.is_some() => {
                        let hits = xml.attr("hits").and_then(|h| h.parse::<f64>().ok());
                        if let Some(i) = class {
                            files[i].1.methods += 1;
                            if hits.is_some_and(|h| h > 0.0) {
                                files[i].1.methods_hit += 1;
                                method = if empty { None } else { Some(true) };
                            } else {
                                method = if empty { None } else { Some(false) };
                            }
                        }
                    }
                    b"line" => {
                        let Some(i) = class else { continue };
                        let number = xml
                            .attr("number")
                            .and_then(|n| n.trim().parse::<u64>().ok());
                        let hits = xml.attr("hits").map(|h| h.trim().parse::<f64>());
                        let (Some(number), Some(Ok(hits))) = (number, hits) else {
                            return Err(Error::at(
                                xml.position(0),
                                "a <line> without a whole `number` and a numeric `hits`",
                            ));
                        };
                        if hits < 0.0 {
                            return Err(Error::at(
                                xml.position(0),
                                format!("a <line> with negative hits ({hits})"),
                            ));
                        }
                        let hits = hits as u64;
                        if let Some(already_hit) = method.as_mut() {
                            // A method's own line list repeats the class's lines;
                            // it only tells whether the method ran.
                            if hits > 0 && !*already_hit {
                                *already_hit = true;
                                files[i].1.methods_hit += 1;
                            }
                            continue;
                        }
                        let (covered, total) = xml
                            .attr("condition-coverage")
                            .and_then(conditions)
                            .unwrap_or((0, 0));
                        let entry = files[i].1.lines.entry(number).or_default();
                        entry.0 += hits;
                        entry.1 = entry.1.max(covered);
                        entry.2 = entry.2.max(total);
                    }
                    _ => {}
                }
            }
            Node::Close { name } => match name.as_slice() {
                b"class" => class = None,
                b"method" => method = None,
                _ => {}
            },
        }
    }
    xml.check_end("a Cobertura report")?;
    let records = files.into_iter().map(|(path, file)| {
        let lines = file.lines.values();
        let coverage = FileCoverage {
            path,
            lines_found: file.lines.len() as u64,
            lines_hit: lines.clone().filter(|l| l.0 > 0).count() as u64,
            branches_found: lines.clone().map(|l| l.2).sum(),
            branches_hit: lines.map(|l| l.1).sum(),
            functions_found: file.methods,
            functions_hit: file.methods_hit,
        };
        (coverage, file.line)
    });
    crate::emit_coverage(sink, records)
}

/// `50% (1/2)` → (1, 2).
fn conditions(text: &str) -> Option<(u64, u64)> {
    let inner = text.split('(').nth(1)?.split(')').next()?;
    let (a, b) = inner.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}
