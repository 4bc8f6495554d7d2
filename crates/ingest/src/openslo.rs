//! OpenSLO definitions (`openslo/v1`, `openslo/v1alpha`, and the
//! `openslo.com/v2alpha` draft): multi-document YAML whose documents are
//! objects or lists of objects. Every known kind is kept as a
//! [`ServiceLevel`]; an SLO with its service, strictest objective, time
//! window, budgeting method and alert policies. An object of another kind,
//! or without a name, is a counted skip; an object of another `apiVersion`
//! refuses the file (it is not OpenSLO).

use std::io::BufRead;

use friction_model::inputs::{InputRecord, ServiceLevel};
use serde_json::Value;

use crate::json::{text, text_at};
use crate::yaml::{self, Emitter};
use crate::{Error, Sink};

/// The kinds of the OpenSLO specification.
const KINDS: [&str; 7] = [
    "SLO",
    "SLI",
    "Service",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
    "DataSource",
];

const DAY: i64 = 86_400;

/// OpenSLO's duration shorthand units (`m` is a minute, `M` a month). A
/// calendar month, quarter or year is given its mean length in whole days
/// (friction's choice: budgets are compared per day).
const UNITS: [(&str, i64); 8] = [
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", DAY),
    ("w", 7 * DAY),
    ("M", 30 * DAY),
    ("Q", 91 * DAY),
    ("Y", 365 * DAY),
];

/// Whether an `apiVersion` is OpenSLO's.
pub(crate) fn is_api_version(v: &str) -> bool {
    v.starts_with("openslo/") || v.starts_with("openslo.com/")
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let documents = yaml::documents(reader)?;
    let mut out = Emitter::new(sink);
    for document in &documents {
        for object in yaml::objects(document) {
            let api = text(object, "apiVersion");
            if !is_api_version(&api) {
                return Err(Error::at(
                    out.next_position(),
                    format!(
                        "apiVersion {api:?} is not OpenSLO's (openslo/v1, openslo/v1alpha, openslo.com/v2alpha)"
                    ),
                ));
            }
            match service_level(object) {
                Ok(level) => out.record(InputRecord::ServiceLevel(level))?,
                Err(why) => out.skip(why)?,
            }
        }
    }
    out.finish("OpenSLO object")
}

fn service_level(object: &Value) -> Result<ServiceLevel, String> {
    let kind = text(object, "kind");
    if !KINDS.contains(&kind.as_str()) {
        return Err(format!("an object of unknown kind {kind:?}"));
    }
    let name = text_at(object, &["metadata", "name"]);
    if name.is_empty() {
        return Err(format!("a {kind} without `metadata.name`"));
    }
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let mut level = ServiceLevel {
        source: "openslo".into(),
        kind: kind.clone(),
        service: match kind.as_str() {
            "Service" => name.clone(),
            _ => text(spec, "service"),
        },
        name,
        ..ServiceLevel::default()
    };
    match kind.as_str() {
        "SLO" => {
            level.objective = objective(spec, &level.name)?;
            level.window = window(spec, &level.name)?;
            level.budgeting = text(spec, "budgetingMethod");
            level.alerts = names(spec.get("alertPolicies"), "alertPolicyRef");
        }
        "AlertPolicy" => level.alerts = names(spec.get("conditions"), "conditionRef"),
        _ => {}
    }
    Ok(level)
}

/// The strictest objective's target as a ratio: `target` (0–1) or
/// `targetPercent`.
fn objective(spec: &Value, name: &str) -> Result<Option<f64>, String> {
    let Some(objectives) = spec.get("objectives").and_then(Value::as_array) else {
        return Ok(None);
    };
    let mut best: Option<f64> = None;
    for o in objectives {
        let target = match (yaml::ratio(o, "target"), yaml::ratio(o, "targetPercent")) {
            (Some(t), _) => t,
            (None, Some(p)) => yaml::percent(p),
            (None, None) => continue,
        };
        if !(target > 0.0 && target <= 1.0) {
            return Err(format!(
                "SLO {name:?}: the objective's target {target} is not a ratio between 0 and 1"
            ));
        }
        best = Some(best.map_or(target, |b| b.max(target)));
    }
    Ok(best)
}

/// The first time window in seconds: v1's `timeWindow: [{duration: 28d}]`,
/// v1alpha's `timeWindows: [{count: 28, unit: Day}]`.
fn window(spec: &Value, name: &str) -> Result<Option<i64>, String> {
    let first = |key: &str| {
        spec.get(key)
            .and_then(Value::as_array)
            .and_then(|w| w.first())
    };
    if let Some(w) = first("timeWindow") {
        let d = text(w, "duration");
        return yaml::duration(&d, &UNITS)
            .map(Some)
            .ok_or_else(|| format!("SLO {name:?}: the time window {d:?} is not a duration"));
    }
    if let Some(w) = first("timeWindows") {
        let unit = text(w, "unit");
        let len = match unit.to_ascii_lowercase().as_str() {
            "second" => 1,
            "minute" => 60,
            "hour" => 3600,
            "day" => DAY,
            "week" => 7 * DAY,
            "month" => 30 * DAY,
            "quarter" => 91 * DAY,
            "year" => 365 * DAY,
            _ => {
                return Err(format!(
                    "SLO {name:?}: the time window's unit {unit:?} is unknown"
                ));
            }
        };
        let count = crate::json::number(w, "count")
            .ok_or_else(|| format!("SLO {name:?}: the time window has no `count`"))?;
        return Ok(i64::try_from(count).ok().and_then(|c| c.checked_mul(len)));
    }
    Ok(None)
}

/// The names a list of references or inline objects gives: a string, an
/// inline object's `metadata.name`, or a reference's `REF` field; sorted.
fn names(list: Option<&Value>, reference: &str) -> Vec<String> {
    let mut out: Vec<String> = list
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(_) => [
                        text_at(item, &["metadata", "name"]),
                        text(item, reference),
                        text_at(item, &["targetRef", "name"]),
                    ]
                    .into_iter()
                    .find(|n| !n.is_empty()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<InputRecord>, String> {
        crate::read_all(crate::Format::Openslo, text)
    }

    #[test]
    fn an_slo_keeps_its_strictest_objective_window_and_policies() {
        let records = read(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: checkout}\nspec:\n  service: shop\n\
             \x20 timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n\
             \x20 objectives: [{target: 0.99}, {targetPercent: 99.9}]\n\
             \x20 alertPolicies: [fast-burn, {kind: AlertPolicy, metadata: {name: slow-burn}}]\n",
        )
        .unwrap();
        let [InputRecord::ServiceLevel(s)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!((s.name.as_str(), s.service.as_str()), ("checkout", "shop"));
        assert_eq!(s.objective, Some(0.999));
        assert_eq!(s.window, Some(28 * DAY));
        assert_eq!(s.alerts, ["fast-burn", "slow-burn"]);
    }

    #[test]
    fn v1alpha_windows_count_units() {
        let records = read(
            "apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: a}\n\
             spec: {service: s, timeWindows: [{count: 1, unit: Month}], objectives: [{target: 0.98}]}\n",
        )
        .unwrap();
        let [InputRecord::ServiceLevel(s)] = records.as_slice() else {
            panic!()
        };
        assert_eq!(s.window, Some(30 * DAY));
    }

    #[test]
    fn unknown_kinds_and_nameless_objects_are_counted_skips() {
        let records = read(
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n---\n\
             apiVersion: openslo/v1\nkind: Dashboard\nmetadata: {name: d}\n---\n\
             apiVersion: openslo/v1\nkind: SLI\nmetadata: {}\n",
        )
        .unwrap();
        let skipped: Vec<&String> = records
            .iter()
            .filter_map(|r| match r {
                InputRecord::Skipped(why) => Some(why),
                _ => None,
            })
            .collect();
        assert_eq!(records.len(), 3);
        assert_eq!(
            skipped,
            [
                "an object of unknown kind \"Dashboard\"",
                "a SLI without `metadata.name`"
            ]
        );
    }

    #[test]
    fn another_api_version_or_a_bad_target_is_refused() {
        let e = read("apiVersion: foo\nkind: Service\nmetadata: {name: x}\n").unwrap_err();
        assert!(
            e.starts_with("record 1: apiVersion \"foo\" is not OpenSLO's"),
            "{e}"
        );
        let e = read(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {objectives: [{target: 99}]}\n",
        )
        .unwrap_err();
        assert!(e.contains("target 99 is not a ratio"), "{e}");
    }
}
