//! `friction explain SIGNAL`: what a signal measures, how, its thresholds and
//! sources, and — when the repository has been scanned — its current value,
//! score and evidence.

use friction_assess::index::SignalResult;
use friction_signals::{Family, Signal};
use serde::Serialize;

use crate::{AssessRequest, Assessed, Error, Project, Result, Session};

/// A signal's documentation and its current measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub schema: &'static str,
    pub signal: &'static str,
    pub title: &'static str,
    pub family: Family,
    /// Share of its family the signal stands for.
    pub weight: f64,
    pub unit: &'static str,
    /// The inputs it needs.
    pub needs: Vec<&'static str>,
    pub measures: &'static str,
    pub why: &'static str,
    /// The formula: how the value is computed.
    pub how: &'static str,
    /// The curve from value to score, in words, and where its anchors come from.
    pub thresholds: String,
    /// The curve's anchor points (value, score).
    pub curve: &'static [(f64, f64)],
    pub sources: &'static [&'static str],
    /// The current measurement, when the repository has been scanned.
    pub current: Option<Current>,
    /// Why there is no current measurement.
    pub no_current: Option<String>,
}

/// A signal's measurement over the current window.
#[derive(Debug, Clone, Serialize)]
pub struct Current {
    /// Window bounds (the window ends at the newest stored commit).
    pub from: String,
    pub to: String,
    /// Value, score, band, interval, coverage, figures and evidence.
    pub measurement: SignalResult,
}

/// The registered signal `id`; an error lists the signals there are.
pub fn signal(id: &str) -> Result<&'static dyn Signal> {
    friction_signals::find(id).ok_or_else(|| {
        let ids: Vec<&str> = friction_signals::REGISTRY.iter().map(|s| s.id()).collect();
        Error::input(
            format!("no signal `{id}`"),
            Some(&format!("signals: {}", ids.join(", "))),
        )
    })
}

/// Explains signal `id`, with its current measurement from the store of
/// `project` (a project that cannot be opened gives the documentation with
/// the reason there is no measurement).
pub fn explain(id: &str, project: Result<Project>) -> Result<Explanation> {
    let s = signal(id)?;
    let d = s.doc();
    let mut explanation = Explanation {
        schema: "friction.explain/1",
        signal: s.id(),
        title: d.title,
        family: s.family(),
        weight: s.weight(),
        unit: s.unit(),
        needs: s.needs().iter().map(|i| i.as_str()).collect(),
        measures: d.measures,
        why: d.why,
        how: d.how,
        thresholds: friction_signals::calibration::thresholds(s),
        curve: friction_signals::scoring_curve(s).points,
        sources: d.sources,
        current: None,
        no_current: None,
    };
    let session = match project.and_then(Session::open) {
        Ok(session) => session,
        Err(e) => {
            explanation.no_current = Some(e.to_string());
            return Ok(explanation);
        }
    };
    let Some(Assessed {
        loaded,
        assessment: a,
        ..
    }) = session.assess(&AssessRequest::default())?
    else {
        explanation.no_current = Some("the store has no history yet".into());
        return Ok(explanation);
    };
    explanation.current = a
        .index
        .drivers
        .iter()
        .flat_map(|d| d.signals.iter())
        .find(|r| r.id == s.id())
        .map(|r| Current {
            from: loaded.from.clone(),
            to: loaded.to.clone(),
            measurement: r.clone(),
        });
    Ok(explanation)
}
