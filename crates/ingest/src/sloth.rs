//! Sloth SLO specifications: the `prometheus/v1` file (`version:
//! "prometheus/v1"`), the Kubernetes `PrometheusServiceLevel` resource
//! (`sloth.slok.dev/v1`), and `AlertWindows` (the burn-rate windows for an
//! SLO period). Each SLO becomes a [`ServiceLevel`] of kind `SLO` with its
//! objective as a ratio, Sloth's period (30 days unless `AlertWindows` says
//! otherwise: Sloth's default `--default-slo-period`) and its page and
//! ticket alerts, which Sloth generates as multiwindow, multi-burn-rate
//! alerts unless disabled.

use std::io::BufRead;

use friction_model::inputs::{InputRecord, ServiceLevel};
use serde_json::Value;

use crate::json::{text, text_at};
use crate::yaml::{self, Emitter};
use crate::{Error, Sink};

/// Sloth's default SLO period.
const DEFAULT_PERIOD: i64 = 30 * 86_400;

const UNITS: [(&str, i64); 5] = [
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", 86_400),
    ("w", 7 * 86_400),
];

/// Whether a document's header is Sloth's.
pub(crate) fn is_sloth(version: &str, api_version: &str) -> bool {
    version == "prometheus/v1" || api_version.starts_with("sloth.slok.dev/")
}

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let documents = yaml::documents(reader)?;
    let mut out = Emitter::new(sink);
    for document in &documents {
        for object in yaml::objects(document) {
            let (version, api) = (text(object, "version"), text(object, "apiVersion"));
            if !is_sloth(&version, &api) {
                return Err(Error::at(
                    out.next_position(),
                    format!(
                        "not a Sloth specification (`version: prometheus/v1` or apiVersion sloth.slok.dev/v1; found {:?})",
                        if api.is_empty() { &version } else { &api }
                    ),
                ));
            }
            let kind = text(object, "kind");
            let spec = match kind.as_str() {
                "" => object,
                "PrometheusServiceLevel" | "AlertWindows" => {
                    object.get("spec").unwrap_or(&Value::Null)
                }
                other => {
                    out.skip(format!("a Sloth object of unknown kind {other:?}"))?;
                    continue;
                }
            };
            if kind == "AlertWindows" {
                let period = text(spec, "sloPeriod");
                let window = yaml::duration(&period, &UNITS);
                if window.is_none() {
                    out.skip(format!(
                        "AlertWindows: `sloPeriod` {period:?} is not a duration"
                    ))?;
                    continue;
                }
                out.record(InputRecord::ServiceLevel(ServiceLevel {
                    source: "sloth".into(),
                    kind,
                    name: text_at(object, &["metadata", "name"]),
                    window,
                    ..ServiceLevel::default()
                }))?;
                continue;
            }
            let service = text(spec, "service");
            let Some(slos) = spec.get("slos").and_then(Value::as_array) else {
                out.skip(format!("service {service:?} lists no `slos`"))?;
                continue;
            };
            for slo in slos {
                match level(&service, slo) {
                    Ok(level) => out.record(InputRecord::ServiceLevel(level))?,
                    Err(why) => out.skip(why)?,
                }
            }
        }
    }
    out.finish("Sloth SLO")
}

fn level(service: &str, slo: &Value) -> Result<ServiceLevel, String> {
    let name = text(slo, "name");
    if name.is_empty() {
        return Err(format!("an SLO of {service:?} without a `name`"));
    }
    let objective = yaml::ratio(slo, "objective")
        .filter(|o| *o > 0.0 && *o <= 100.0)
        .ok_or_else(|| format!("SLO {name:?}: `objective` is not a percentage above 0"))?;
    let alerting = slo.get("alerting").unwrap_or(&Value::Null);
    let alert_name = match text(alerting, "name") {
        n if n.is_empty() => name.clone(),
        n => n,
    };
    let mut alerts = Vec::new();
    for (keys, severity) in [
        (["page_alert", "pageAlert"], "page"),
        (["ticket_alert", "ticketAlert"], "ticket"),
    ] {
        let alert = keys.iter().find_map(|k| alerting.get(*k));
        let disabled = alert
            .and_then(|a| a.get("disable"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !alerting.is_null() && !disabled {
            alerts.push(format!("{alert_name}:{severity}"));
        }
    }
    alerts.sort();
    Ok(ServiceLevel {
        source: "sloth".into(),
        kind: "SLO".into(),
        name,
        service: service.to_owned(),
        objective: Some(yaml::percent(objective)),
        window: Some(DEFAULT_PERIOD),
        budgeting: "Occurrences".into(),
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<InputRecord>, String> {
        crate::read_all(crate::Format::Sloth, text)
    }

    fn levels(records: &[InputRecord]) -> Vec<&ServiceLevel> {
        records
            .iter()
            .filter_map(|r| match r {
                InputRecord::ServiceLevel(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn disabled_alerts_are_left_out_and_objectives_become_ratios() {
        let records = read(
            "version: prometheus/v1\nservice: app\nslos:\n\
             - name: a\n  objective: 99.9\n  alerting: {name: A, page_alert: {disable: true}}\n\
             - name: b\n  objective: \"99\"\n  alerting: {pageAlert: {}, ticketAlert: {}}\n\
             - name: c\n  objective: 99.5\n",
        )
        .unwrap();
        let l = levels(&records);
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].alerts, ["A:ticket"]);
        assert_eq!(l[0].objective, Some(0.999));
        assert_eq!(l[1].alerts, ["b:page", "b:ticket"]);
        assert!(l[2].alerts.is_empty());
        assert_eq!(l[2].window, Some(30 * 86_400));
    }

    #[test]
    fn an_slo_without_an_objective_is_a_counted_skip() {
        let records = read(
            "version: prometheus/v1\nservice: app\nslos: [{name: a}, {name: b, objective: 99}]\n",
        )
        .unwrap();
        assert_eq!(records.len(), 2);
        assert!(
            matches!(&records[0], InputRecord::Skipped(w) if w.contains("`objective` is not a percentage"))
        );
    }
}
