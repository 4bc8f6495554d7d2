//! Error budgets: how much of each SLO's allowed bad time the incidents of
//! its service used in the SLO's last window.

use friction_model::services::normalise;

use crate::incidents::Incident;
use crate::service_levels::{ServiceLevels, Slo};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample};

pub struct ErrorBudget;

/// One SLO's consumption above this counts as this much in the value, so a
/// single exhausted SLO cannot hide the others (friction's choice: twice
/// the budget already scores 0).
const CONSUMED_CAP: f64 = 200.0;

static DOC: Doc = Doc {
    title: "Error budget consumed",
    measures: "The mean share of their error budget the SLOs used in their last window: the \
        bad time of the SLO's service (its incidents' impact, open or resolved) over the bad \
        time the objective allows.",
    why: "An SLO states how much unreliability the service may spend; the error budget is that \
        allowance. A spent budget is the signal, in the SRE practice, to stop shipping features \
        and pay reliability back; a budget that is routinely exhausted means the objective is \
        not being met whatever the dashboards say.",
    how: "For every stored SLO with an objective and a time window (OpenSLO `objectives` and \
        `timeWindow`, Sloth's `objective` with its 30-day window), the window is the last one \
        ending at the assessment's end. The allowed bad time is (1 − objective) × window. The \
        bad time is the union of the impact intervals — start to resolution, or to the \
        assessment's end while still open — of the incidents whose service is named like the \
        SLO's service (letters and digits, case ignored), clipped to the window: overlapping \
        incidents and one incident in several exports count once (incidents are combined across \
        exports and merges first; times are UTC). Consumed = bad / allowed, in percent. \
        Incident impact is a time-based proxy: an event-based (`Occurrences`) SLO is judged by \
        the time its service was in an incident, and the evidence says so. Value = the mean over \
        SLOs of the consumed share, each capped at 200 %. SLOs whose service no stored incident \
        names are counted at 0 % and lower the coverage (their incidents may be filed under \
        another name). Repository scope; needs incidents mapped to the repository and SLOs.",
    thresholds: "Linear, friction's choice anchored on the budget itself: 0 % → 100, 50 % → 75 \
        (half the budget gone with the window: on track to spend it), 100 % → 25 (the budget \
        spent: the workbook's policy freezes releases), 200 % or more → 0.",
    sources: &[
        "Beyer et al., The Site Reliability Workbook (O'Reilly 2018), ch. 2 \"Implementing SLOs\" and appendix B \"Example Error Budget Policy\": allowed bad time, and releases stopped when the budget is spent (sre.google/workbook/error-budget-policy)",
        "Beyer et al., Site Reliability Engineering (O'Reilly 2016), ch. 3 \"Embracing Risk\": the error budget as 1 − SLO",
        "OpenSLO v1 specification: objectives, timeWindow, budgetingMethod (github.com/OpenSLO/OpenSLO)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (50.0, 75.0), (100.0, 25.0), (200.0, 0.0)]);

/// One SLO's budget in its last window.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// `service/name`.
    pub slo: String,
    pub objective: f64,
    /// Seconds.
    pub window: i64,
    /// Seconds of bad time the objective allows in the window.
    pub allowed: f64,
    /// Seconds of bad time (union of incident impact) in the window.
    pub bad: i64,
    /// Incidents of the service overlapping the window, and how many of
    /// them were still open at the end.
    pub incidents: usize,
    pub open: usize,
    /// Whether any stored incident names the SLO's service.
    pub service_seen: bool,
}

impl Budget {
    /// Percent of the budget used.
    pub fn consumed(&self) -> f64 {
        100.0 * self.bad as f64 / self.allowed
    }
}

/// The budget of every SLO with an objective below 1 and a window, against
/// `incidents`, for the windows ending at `end`; sorted as the SLOs are.
pub fn budgets(slos: &[Slo], incidents: &[Incident], end: i64) -> Vec<Budget> {
    let mut out = Vec::new();
    for slo in slos {
        let (Some(objective), Some(window)) = (slo.objective, slo.window) else {
            continue;
        };
        if !(objective > 0.0 && objective < 1.0) || window <= 0 {
            continue;
        }
        let start = end - window;
        let service = normalise(&slo.service);
        let of_service: Vec<&Incident> = incidents
            .iter()
            .filter(|i| !service.is_empty() && normalise(&i.service) == service)
            .collect();
        let mut spans: Vec<(i64, i64)> = Vec::new();
        let mut open = 0;
        for i in &of_service {
            let stop = i.resolved.unwrap_or(end).min(end);
            let (a, b) = (i.started.max(start), stop);
            if b > a {
                spans.push((a, b));
                open += usize::from(i.resolved.is_none_or(|r| r > end));
            }
        }
        spans.sort_unstable();
        let mut bad = 0;
        let mut reach = i64::MIN;
        for &(a, b) in &spans {
            let a = a.max(reach);
            if b > a {
                bad += b - a;
            }
            reach = reach.max(b);
        }
        out.push(Budget {
            slo: format!("{}/{}", slo.service, slo.name),
            objective,
            window,
            allowed: (1.0 - objective) * window as f64,
            bad,
            incidents: spans.len(),
            open,
            service_seen: !of_service.is_empty(),
        });
    }
    out
}

fn days(seconds: i64) -> String {
    let d = seconds as f64 / 86_400.0;
    if d.fract() == 0.0 {
        format!("{d:.0}d")
    } else {
        format!("{:.1}h", seconds as f64 / 3600.0)
    }
}

impl crate::Signal for ErrorBudget {
    fn id(&self) -> &'static str {
        "error-budget"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "% of budget (mean over SLOs)"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::ServiceLevels, Input::Incidents]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if ctx.scope.kind != crate::ScopeKind::Repository {
            return Outcome::NotMeasured(crate::ci::REPOSITORY_ONLY.into());
        }
        let stored = ctx.data.service_levels.as_ref();
        let Some(levels) = stored.filter(|s: &&ServiceLevels| !s.slos.is_empty()) else {
            return Outcome::NotMeasured(format!(
                "no SLO definitions of this repository stored{}; {}",
                stored.map(ServiceLevels::left_out_note).unwrap_or_default(),
                crate::reliability_debt::INGEST
            ));
        };
        let d = match crate::incidents::repository_incidents(ctx, self.id()) {
            Ok(d) => d,
            Err(outcome) => return *outcome,
        };
        let all = budgets(&levels.slos, &d.incidents, ctx.data.to);
        if all.is_empty() {
            return Outcome::NotMeasured(format!(
                "none of the {} SLOs states an objective below 100 % and a time window",
                levels.slos.len()
            ));
        }
        let num: Vec<f64> = all.iter().map(|b| b.consumed().min(CONSUMED_CAP)).collect();
        let den = vec![1.0; all.len()];
        let sample = Sample::Ratio { num, den };
        let value = sample.value(None).unwrap_or(0.0);
        let seen = all.iter().filter(|b| b.service_seen).count();
        let f = crate::dora::figure;
        let figures = vec![
            f("SLOs budgeted", all.len() as f64, "SLOs"),
            f(
                "SLOs without an objective or window",
                (levels.slos.len() - all.len()) as f64,
                "SLOs",
            ),
            f(
                "SLOs whose service no incident names",
                (all.len() - seen) as f64,
                "SLOs",
            ),
            f(
                crate::service_levels::LEFT_OUT,
                levels.left_out() as f64,
                "definitions",
            ),
            f(
                "SLOs with the budget spent",
                all.iter().filter(|b| b.consumed() >= 100.0).count() as f64,
                "SLOs",
            ),
            f(
                "incident hours against budgets",
                all.iter().map(|b| b.bad).sum::<i64>() as f64 / 3600.0,
                "hours",
            ),
            f(
                "incidents still open, cut at the assessment's end",
                all.iter().map(|b| b.open).sum::<usize>() as f64,
                "incidents",
            ),
        ];
        let evidence: Vec<Evidence> = all
            .iter()
            .map(|b| {
                let label = format!(
                    "objective {:.3} % over {}: {:.1} h bad of {:.1} h allowed, source: {} \
                     incident{} of the service{} (impact time)",
                    b.objective * 100.0,
                    days(b.window),
                    b.bad as f64 / 3600.0,
                    b.allowed / 3600.0,
                    b.incidents,
                    if b.incidents == 1 { "" } else { "s" },
                    if b.open > 0 {
                        format!(", {} open, cut at the assessment's end", b.open)
                    } else {
                        String::new()
                    },
                );
                let cite = levels
                    .slos
                    .iter()
                    .find(|s| format!("{}/{}", s.service, s.name) == b.slo)
                    .map(|s| levels.cite(s.cite));
                crate::dora::evidence("slo", b.slo.clone(), b.consumed(), &label, cite)
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage: seen as f64 / all.len() as f64,
            figures,
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Cite;
    use crate::dora::fixture::FROM;
    use crate::incidents::fixture::{incident, measure, measured, with_incidents};

    const H: i64 = 3600;
    const DAY: i64 = 86_400;

    fn slo(service: &str, objective: f64, window_days: i64) -> Slo {
        Slo {
            source: "openslo".into(),
            name: "availability".into(),
            service: service.into(),
            objective: Some(objective),
            window: Some(window_days * DAY),
            alerts: Vec::new(),
            cite: Cite::default(),
        }
    }

    /// An incident of `service` from `start` to `end` seconds before `t`.
    fn at(id: &str, service: &str, t: i64, start: i64, end: Option<i64>) -> Incident {
        let mut i = incident(id, service, "down", "", 0);
        i.started = t - start;
        i.resolved = end.map(|e| t - e);
        i
    }

    #[test]
    fn overlapping_incidents_count_once_and_an_open_one_is_cut_at_the_end() {
        let t = FROM + 300 * DAY;
        // 99.9 % over 30 days allows 43.2 minutes × 60 = 2592 s; here:
        // 10:00–11:00 and 10:30–12:00 overlap (2 h of bad time, not 2.5 h),
        // one still open began 30 minutes before the end, one of another
        // service and one before the window do not count.
        let incidents = vec![
            at("1", "Checkout API", t, 5 * DAY, Some(5 * DAY - H)),
            at(
                "2",
                "checkout-api",
                t,
                5 * DAY - H / 2,
                Some(5 * DAY - 2 * H),
            ),
            at("3", "checkout_api", t, H / 2, None),
            at("4", "search", t, 2 * DAY, Some(DAY)),
            at("5", "checkout-api", t, 40 * DAY, Some(39 * DAY)),
        ];
        let b = budgets(&[slo("checkout-api", 0.999, 30)], &incidents, t);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].bad, 2 * H + H / 2);
        assert_eq!(b[0].incidents, 3);
        assert_eq!(b[0].open, 1);
        assert!((b[0].allowed - 2592.0).abs() < 1e-6);
        assert!((b[0].consumed() - 100.0 * 9000.0 / 2592.0).abs() < 1e-9);
    }

    #[test]
    fn an_incident_straddling_the_window_start_counts_its_part_inside() {
        let t = FROM + 300 * DAY;
        // Began 29 days + 2 h before the end, resolved 29 days before: 2 h,
        // of which the 28-day window holds none; a 29-day-and-1-hour window
        // would hold 1 h. 99 % over 28 days allows 6.72 h.
        let incidents = vec![at("1", "shop", t, 29 * DAY + 2 * H, Some(29 * DAY))];
        let b = budgets(&[slo("shop", 0.99, 28)], &incidents, t);
        assert_eq!(b[0].bad, 0);
        assert_eq!(b[0].incidents, 0);
        let mut long = slo("shop", 0.99, 29);
        long.window = Some(29 * DAY + H);
        let b = budgets(&[long], &incidents, t);
        assert_eq!(b[0].bad, H);
    }

    #[test]
    fn the_value_is_the_mean_consumed_share_with_evidence_per_slo() {
        let mut data = with_incidents(Vec::new());
        let t = data.to;
        // shop: 99 % over 10 days allows 2.4 h; 1.2 h bad → 50 %. search:
        // no incident names it → 0 %, and half the coverage.
        let incidents = vec![at("1", "shop", t, DAY, Some(DAY - 72 * 60))];
        data.delivery.as_mut().unwrap().incidents = incidents;
        data.service_levels = Some(ServiceLevels {
            slos: vec![slo("shop", 0.99, 10), slo("search", 0.995, 10)],
            ..ServiceLevels::default()
        });
        let m = measured(measure(&ErrorBudget, &data));
        assert!((m.value - 25.0).abs() < 1e-9, "{}", m.value);
        assert!((m.coverage - 0.5).abs() < 1e-9);
        assert_eq!(m.evidence[0].id, "shop/availability");
        assert_eq!(m.evidence[0].value, 50.0);
        assert!(
            m.evidence[0]
                .label
                .starts_with("objective 99.000 % over 10d: 1.2 h bad of 2.4 h allowed"),
            "{}",
            m.evidence[0].label
        );
    }
}
