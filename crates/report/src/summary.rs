//! The executive summary: the four questions a leader asks, in plain words,
//! each sentence built only from figures in the assessment.

use serde_json::Value;

use crate::{Report, arr, fmt1, num, range, s, signals};

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

fn money_or_hours(c: &Value, currency: &str) -> String {
    match c["money"].is_object() {
        true => format!(
            "{} ({})",
            range(&c["money"], currency),
            range(&c["hours"], "engineer-hours")
        ),
        false => range(&c["hours"], "engineer-hours"),
    }
}

/// The summary of a report.
pub fn summary(r: &Report) -> Summary {
    let a = &r.assessment;
    let idx = &a["index"];
    let headline = match num(&idx["score"]) {
        Some(v) => format!(
            "Execution Capacity Index {v:.0} of 100 ({}), 90 % interval {}, measured on {:.0} % of the methodology's weight.",
            s(&idx["band"]),
            match arr(&idx["ci"]) {
                [lo, hi] => format!("{}–{}", fmt1(num(lo)), fmt1(num(hi))),
                _ => "not available".into(),
            },
            num(&idx["coverage"]).unwrap_or(0.0) * 100.0
        ),
        None => "The index could not be computed: no signal had data.".into(),
    };

    let cost = &a["cost"];
    let currency = s(&cost["currency"]);
    let total = &cost["total"];
    let share = match (
        num(&total["hours"]["high"]),
        num(&cost["development_hours"]["high"]),
    ) {
        (Some(f), Some(d)) if d > 0.0 => format!(
            ", up to {:.0} % of the {} of development a year",
            100.0 * f / d,
            range(&cost["development_hours"], "hours")
        ),
        _ => String::new(),
    };
    let cost_text = format!(
        "Friction costs an estimated {} a year{share}, for {} engineers ({}). This is an estimate with its range, not a measurement.",
        money_or_hours(total, currency),
        crate::range1(&cost["engineers"], "").trim_end(),
        s(&cost["engineers_source"])
    );

    // The driver losing most points and its weakest measured signal.
    let drivers = arr(&idx["drivers"]);
    let worst = drivers
        .iter()
        .filter(|d| num(&d["score"]).is_some())
        .max_by(|x, y| {
            num(&x["points_lost"])
                .unwrap_or(0.0)
                .total_cmp(&num(&y["points_lost"]).unwrap_or(0.0))
        });
    let hot: Vec<&Value> = crate::files_by_cost(a).into_iter().take(3).collect();
    let blocks = match worst {
        Some(d) => {
            let weakest = arr(&d["signals"])
                .iter()
                .filter(|x| num(&x["score"]).is_some())
                .min_by(|x, y| {
                    num(&x["score"])
                        .unwrap_or(0.0)
                        .total_cmp(&num(&y["score"]).unwrap_or(0.0))
                });
            let mut t = format!(
                "{} loses the most: {:.1} index points (score {}).",
                s(&d["title"]),
                num(&d["points_lost"]).unwrap_or(0.0),
                fmt1(num(&d["score"]))
            );
            if let Some(w) = weakest {
                t.push_str(&format!(
                    " Its weakest signal is {} at {} {}.",
                    s(&w["title"]).to_lowercase(),
                    fmt1(num(&w["value"])),
                    s(&w["unit"])
                ));
            }
            if !hot.is_empty() {
                let names: Vec<String> = hot
                    .iter()
                    .map(|f| format!("{} (health {})", s(&f["path"]), fmt1(num(&f["health"]))))
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

    let sig = |id: &str| {
        signals(a)
            .into_iter()
            .find(|(_, x)| s(&x["id"]) == id)
            .map(|(_, x)| x)
    };
    let mut risk = Vec::new();
    if let Some(x) = sig("defect-prone-code").filter(|x| num(&x["value"]).is_some()) {
        risk.push(format!(
            "{:.0} % of the code sits in files that needed two or more fixes in the window",
            num(&x["value"]).unwrap_or(0.0)
        ));
    }
    if let Some(x) = sig("truck-factor").filter(|x| num(&x["value"]).is_some()) {
        risk.push(format!(
            "the truck factor is {:.0}: that few departures would leave most of the code without an active expert",
            num(&x["value"]).unwrap_or(0.0)
        ));
    }
    if let Some(x) = sig("knowledge-islands").filter(|x| num(&x["value"]).is_some()) {
        risk.push(format!(
            "{:.0} % of the code is known by a single active author",
            num(&x["value"]).unwrap_or(0.0)
        ));
    }
    let not_measured: Vec<&str> = drivers
        .iter()
        .filter(|d| num(&d["score"]).is_none())
        .map(|d| s(&d["title"]))
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

    let steps = arr(&a["roadmap"]["steps"]);
    let first = if steps.is_empty() {
        "The roadmap proposes no move: nothing costs enough to be worth one.".to_owned()
    } else {
        let moves: Vec<String> = steps
            .iter()
            .take(3)
            .map(|st| {
                format!(
                    "{} ({})",
                    s(&st["title"]),
                    crate::range1(&st["effort_days"], "days")
                )
            })
            .collect();
        let projected = steps
            .iter()
            .take(3)
            .filter_map(|st| num(&st["projected_index"]))
            .next_back();
        format!(
            "Start with {}{}. The whole roadmap has {} step{} and captures {:.0} % of the addressable cost.",
            moves.join("; then "),
            projected.map_or(String::new(), |p| format!(
                ", which projects the index to {p:.0}"
            )),
            steps.len(),
            if steps.len() == 1 { "" } else { "s" },
            num(&a["roadmap"]["captured_share"]).unwrap_or(0.0) * 100.0
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
