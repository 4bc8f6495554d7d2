//! Readers of the SLO definitions and Prometheus rules (migration 13): one
//! row per key, from the most recently ingested input that holds it, with
//! its input id and position. Definitions are few (hundreds), so keys are
//! compared as strings.

use std::collections::BTreeSet;

use friction_model::inputs::{AlertRule, Position, ServiceLevel};

use crate::{Store, StoreError, Stored, to_u64};

impl Store {
    /// Every SLO object, one per (source, kind, service, name), sorted by
    /// (kind, service, name).
    pub fn service_levels(&self) -> Result<Vec<Stored<ServiceLevel>>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT input, record, line, source, kind, name, service, objective, window_seconds,
                    budgeting, alerts
             FROM service_levels ORDER BY input DESC, record",
        )?;
        let rows = stmt.query_map([], |r| {
            let alerts: String = r.get(10)?;
            Ok(Stored {
                input: r.get(0)?,
                at: Position {
                    record: to_u64(r.get(1)?),
                    line: r.get::<_, Option<i64>>(2)?.map(to_u64),
                },
                fact: ServiceLevel {
                    source: r.get(3)?,
                    kind: r.get(4)?,
                    name: r.get(5)?,
                    service: r.get(6)?,
                    objective: r.get(7)?,
                    window: r.get(8)?,
                    budgeting: r.get(9)?,
                    alerts: alerts
                        .split(',')
                        .filter(|a| !a.is_empty())
                        .map(str::to_owned)
                        .collect(),
                },
            })
        })?;
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            let f = &row.fact;
            if seen.insert((
                f.source.clone(),
                f.kind.clone(),
                f.service.clone(),
                f.name.clone(),
            )) {
                out.push(row);
            }
        }
        out.sort_by(|a, b| {
            (&a.fact.kind, &a.fact.service, &a.fact.name, &a.fact.source).cmp(&(
                &b.fact.kind,
                &b.fact.service,
                &b.fact.name,
                &b.fact.source,
            ))
        });
        Ok(out)
    }

    /// Every alerting and recording rule, one per (group, name, labels),
    /// sorted by that key.
    pub fn alert_rules(&self) -> Result<Vec<Stored<AlertRule>>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT input, record, line, rule_key, grp, kind, name, expr, for_seconds, severity,
                    runbook_url, summary, labels
             FROM alert_rules ORDER BY input DESC, record",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(3)?,
                Stored {
                    input: r.get(0)?,
                    at: Position {
                        record: to_u64(r.get(1)?),
                        line: r.get::<_, Option<i64>>(2)?.map(to_u64),
                    },
                    fact: AlertRule {
                        group: r.get(4)?,
                        kind: r.get(5)?,
                        name: r.get(6)?,
                        expr: r.get(7)?,
                        for_seconds: r.get(8)?,
                        severity: r.get(9)?,
                        runbook_url: r.get(10)?,
                        summary: r.get(11)?,
                        labels: r.get(12)?,
                    },
                },
            ))
        })?;
        let mut out = std::collections::BTreeMap::new();
        for row in rows {
            let (key, stored) = row?;
            out.entry(key).or_insert(stored);
        }
        Ok(out.into_values().collect())
    }
}
