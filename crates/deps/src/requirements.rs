//! pip requirements files: one requirement a line (`name[extras]==1.2 ;
//! markers --hash=…`), `\` continuations, comments, and `-r`/`-c` includes,
//! which are returned for the caller to read. Editable installs, URLs, VCS
//! and local paths are not PyPI packages; other pip options are ignored. A
//! requirement is pinned when it is one exact version (`==1.2.3`, `===…`);
//! every requirement of the file is direct.

use crate::{Ecosystem, Failure, Package};

pub(crate) fn parse(text: &str) -> Result<(Vec<Package>, Vec<String>), Failure> {
    let mut packages = Vec::new();
    let mut includes = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (n, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = n + 1;
        }
        let line = strip_comment(raw);
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            logical.push_str(head);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let requirement = std::mem::take(&mut logical);
        read_line(requirement.trim(), start, &mut packages, &mut includes)?;
    }
    if !logical.trim().is_empty() {
        read_line(logical.trim(), start, &mut packages, &mut includes)?;
    }
    Ok((packages, includes))
}

fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

fn read_line(
    line: &str,
    number: usize,
    packages: &mut Vec<Package>,
    includes: &mut Vec<String>,
) -> Result<(), Failure> {
    if line.is_empty() {
        return Ok(());
    }
    if line.starts_with('-') {
        let (option, value) = match line.split_once(['=', ' ', '\t']) {
            Some((o, v)) => (o, v.trim()),
            None => (line, ""),
        };
        if matches!(option, "-r" | "--requirement" | "-c" | "--constraint") {
            if value.is_empty() {
                return Err(Failure::at(number, format!("`{option}` names no file")));
            }
            includes.push(value.to_owned());
        }
        return Ok(());
    }
    if line.contains("://") || line.starts_with(['.', '/']) || line.contains(" @ ") {
        return Ok(()); // a URL, VCS or local requirement: not from PyPI
    }
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() {
        return Err(Failure::at(
            number,
            format!("cannot read requirement `{line}`"),
        ));
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let close = after
            .find(']')
            .ok_or_else(|| Failure::at(number, format!("unclosed extras in `{line}`")))?;
        rest = after[close + 1..].trim_start();
    }
    let specifier = rest
        .split(';')
        .next()
        .unwrap_or_default()
        .split(" --")
        .next()
        .unwrap_or_default()
        .trim();
    let exact = specifier
        .strip_prefix("===")
        .or_else(|| specifier.strip_prefix("=="))
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains([',', '*', ' ']));
    packages.push(Package {
        ecosystem: Ecosystem::PyPI,
        name: name.to_owned(),
        version: exact.unwrap_or(specifier).to_owned(),
        pinned: exact.is_some(),
        direct: Some(true),
        line: number,
    });
    Ok(())
}
