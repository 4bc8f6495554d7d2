//! Files a probe writes: `spec.json`, `catalogue.md` and `cases/B01.toml` … (one
//! characterisation file per behaviour class, its exemplars with the expected output,
//! the measured noise and the class's invariants).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Error;
use crate::spec::{Case, Spec};

#[derive(Serialize)]
struct CaseFile<'a> {
    version: &'a str,
    kind: &'a str,
    behaviour: &'a str,
    family: &'a str,
    invariants: Vec<&'a str>,
    cases: Vec<&'a Case>,
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|e| Error::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Writes the spec, the catalogue and the cases into `dir`; returns the paths
/// written. Case files of an earlier probe in `dir/cases` are replaced.
pub fn write_probe(spec: &Spec, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).map_err(|e| Error::File {
        path: cases.display().to_string(),
        message: e.to_string(),
    })?;
    if let Ok(entries) = std::fs::read_dir(&cases) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('B') && name.ends_with(".toml") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut written = Vec::new();
    let spec_path = dir.join("spec.json");
    write(&spec_path, &spec.to_json())?;
    written.push(spec_path);
    let md = dir.join("catalogue.md");
    write(&md, &crate::catalogue::render(spec))?;
    written.push(md);
    for b in &spec.behaviours {
        let file = CaseFile {
            version: crate::spec::SPEC_VERSION,
            kind: &spec.target.adapter,
            behaviour: &b.id,
            family: &b.family,
            invariants: b.invariants.iter().map(|i| i.expr.as_str()).collect(),
            cases: spec.corpus.iter().filter(|c| c.behaviour == b.id).collect(),
        };
        let text = toml::to_string(&file)
            .map_err(|e| Error::Input(format!("cannot write the cases of {}: {e}", b.id)))?;
        let path = cases.join(format!("{}.toml", b.id));
        write(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Reads a spec file.
pub fn read_spec(path: &Path) -> Result<(Spec, String), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let spec = Spec::parse(&text, &path.display().to_string())?;
    Ok((spec, text))
}

/// A scratch directory for the runs' working directories (removed when dropped).
pub fn scratch() -> Result<crate::scratch::ScratchDir, Error> {
    crate::scratch::ScratchDir::new_in(&std::env::temp_dir(), "friction-probe")
        .map_err(|e| Error::Input(format!("cannot create a scratch directory: {e}")))
}
