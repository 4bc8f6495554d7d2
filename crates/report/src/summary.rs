//! The executive summary: the four questions a leader asks, in plain words,
//! each sentence built only from figures in the assessment.

use friction_assess::cost::{Cost, FileCost};

use crate::{Report, costliest, fmt1, range_of, range1_of};

/// Answers, one paragraph each.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The index in one line.
    pub headline: String,
    /// What friction costs.
    pub cost: String,
    /// Where it blocks delivery.
    pub blocks: String,
    /// The risk it carries.
    pub risk: String,
    /// What to do first.
    pub first: String,
}

fn money_or_hours(c: &Cost, currency: &str) -> String {
    match &c.money {
        Some(m) => format!(
            "{} ({})",
            range_of(m, currency),
            range_of(&c.hours, "engineer-hours")
        ),
        None => range_of(&c.hours, "engineer-hours"),
    }
}

/// The summary of a report.
pub fn summary(r: &Report) -> Summary {
    let a = &r.assessment.assessment;
    let idx = &a.index;
    let headline = match idx.score {
        Some(v) => format!(
            "Execution Capacity Index {v:.0} of 100 ({}), 90 % interval {}, measured on {:.0} % of the methodology's weight.",
            idx.band.as_deref().unwrap_or_default(),
            match idx.ci {
                Some([lo, hi]) => format!("{}–{}", fmt1(Some(lo)), fmt1(Some(hi))),
                None => "not available".into(),
            },
            idx.coverage * 100.0
        ),
        None => "The index could not be computed: no signal had data.".into(),
    };

    let cost = &a.cost;
    let total = &cost.total;
    let share = if cost.development_hours.high > 0.0 {
        format!(
            ", up to {:.0} % of the {} of development a year",
            100.0 * total.hours.high / cost.development_hours.high,
            range_of(&cost.development_hours, "hours")
        )
    } else {
        String::new()
    };
    let cost_text = format!(
        "Friction costs an estimated {} a year{share}, for {} engineers ({}). This is an estimate with its range, not a measurement.",
        money_or_hours(total, &cost.currency),
        range1_of(&cost.engineers, "").trim_end(),
        cost.engineers_source
    );

    // The driver losing most points and its weakest measured signal.
    let drivers = &idx.drivers;
    let worst = drivers
        .iter()
        .filter(|d| d.score.is_some())
        .max_by(|x, y| x.points_lost.total_cmp(&y.points_lost));
    let hot: Vec<&FileCost> = costliest(a).into_iter().take(3).collect();
    let blocks = match worst {
        Some(d) => {
            let weakest = d
                .signals
                .iter()
                .filter_map(|x| Some((x, x.score?)))
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .map(|(x, _)| x);
            let mut t = format!(
                "{} loses the most: {:.1} index points (score {}).",
                d.title,
                d.points_lost,
                fmt1(d.score)
            );
            if let Some(w) = weakest {
                t.push_str(&format!(
                    " Its weakest signal is {} at {} {}.",
                    w.title.to_lowercase(),
                    fmt1(w.value),
                    w.unit
                ));
            }
            if !hot.is_empty() {
                let names: Vec<String> = hot
                    .iter()
                    .map(|f| format!("{} (health {})", f.path, fmt1(f.health)))
                    .collect();
                t.push_str(&format!(
                    " The costliest files to change are {}.",
                    names.join(", ")
                ));
            }
            t
        }
        None => "No driver could be measured.".into(),
    };

    let value = |id: &str| {
        drivers
            .iter()
            .flat_map(|d| &d.signals)
            .find(|x| x.id == id)
            .and_then(|x| x.value)
    };
    let mut risk = Vec::new();
    if let Some(v) = value("defect-prone-code") {
        risk.push(format!(
            "{v:.0} % of the code sits in files that needed two or more fixes in the window"
        ));
    }
    if let Some(v) = value("truck-factor") {
        risk.push(format!(
            "the truck factor is {v:.0}: that few departures would leave most of the code without an active expert"
        ));
    }
    if let Some(v) = value("knowledge-islands") {
        risk.push(format!(
            "{v:.0} % of the code is known by a single active author"
        ));
    }
    let not_measured: Vec<&str> = drivers
        .iter()
        .filter(|d| d.score.is_none())
        .map(|d| d.title.as_str())
        .collect();
    let mut risk_text = if risk.is_empty() {
        "No risk signal had data.".to_owned()
    } else {
        let mut t = risk.join("; ");
        t.push('.');
        let mut c = t.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    if !not_measured.is_empty() {
        risk_text.push_str(&format!(
            " Not measured (no data, not scored): {}.",
            not_measured.join(", ")
        ));
    }

    let steps = &a.roadmap.steps;
    let first = if steps.is_empty() {
        "The roadmap proposes no move: nothing costs enough to be worth one.".to_owned()
    } else {
        let moves: Vec<String> = steps
            .iter()
            .take(3)
            .map(|st| format!("{} ({})", st.title, range1_of(&st.effort_days, "days")))
            .collect();
        let projected = steps
            .iter()
            .take(3)
            .filter_map(|st| st.projected_index)
            .next_back();
        format!(
            "Start with {}{}. The whole roadmap has {} step{} and captures {:.0} % of the addressable cost.",
            moves.join("; then "),
            projected.map_or(String::new(), |p| format!(
                ", which projects the index to {p:.0}"
            )),
            steps.len(),
            if steps.len() == 1 { "" } else { "s" },
            a.roadmap.captured_share * 100.0
        )
    };
    Summary {
        headline,
        cost: cost_text,
        blocks,
        risk: risk_text,
        first,
    }
}
