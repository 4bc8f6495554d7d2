//! The Markdown behaviour catalogue: what the target does, class by class, with the
//! suspicious behaviours, the noise sources and how much of the input model the probe
//! covered — the artefact a team reads before changing a system nobody specified.

use std::fmt::Write;

use crate::spec::Spec;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn case_input(spec: &Spec, id: &str) -> String {
    spec.corpus
        .iter()
        .find(|c| c.id == id)
        .map_or_else(String::new, |c| c.input.display())
}

/// Renders the catalogue (deterministic: it reads the spec only).
pub fn render(spec: &Spec) -> String {
    let mut md = String::new();
    let target = match (&spec.target.command, &spec.target.base_url) {
        (Some(cmd), _) => cmd.join(" "),
        (None, Some(url)) => url.clone(),
        (None, None) => String::new(),
    };
    let p = &spec.provenance;
    let _ = writeln!(md, "# Behaviour catalogue: `{}`\n", cell(&target));
    let _ = writeln!(
        md,
        "{} behaviour classes from {} inputs ({} executions, each kept input run {} times; seed {}, budget {}, stopped: {}). Spec version {}.\n",
        spec.behaviours.len(),
        p.inputs,
        p.executions,
        p.repeats_per_input,
        p.seed,
        p.budget,
        p.stopped,
        spec.spec_version
    );
    let _ = writeln!(md, "## Behaviour classes\n");
    let _ = writeln!(md, "| class | family | inputs | when | smallest input |");
    let _ = writeln!(md, "|---|---|---:|---|---|");
    for b in &spec.behaviours {
        let when = b
            .when
            .first()
            .map(|r| format!("{} ({} of {})", r.all.join(" ∧ "), r.support, b.inputs))
            .unwrap_or_else(|| "—".into());
        let exemplar = b
            .exemplars
            .first()
            .map(|id| case_input(spec, id))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {} | `{}` |",
            b.id,
            cell(&b.family),
            b.inputs,
            cell(&when),
            cell(&exemplar)
        );
    }
    for b in &spec.behaviours {
        let _ = writeln!(md, "\n### {} — `{}`\n", b.id, cell(&b.family));
        if let Some(label) = &b.label {
            let _ = writeln!(md, "*{}* (named by the LLM helper)\n", cell(label));
        }
        let fp = &b.fingerprint;
        for (stream, list) in [
            ("stdout", &fp.stdout_templates),
            ("stderr", &fp.stderr_templates),
        ] {
            for t in list {
                let _ = writeln!(md, "- {stream} line: `{}`", cell(&spec.template_text(t)));
            }
        }
        for path in &fp.json_shape {
            let _ = writeln!(md, "- JSON: `{path}`");
        }
        for f in &fp.files {
            let _ = writeln!(md, "- file: `{f}`");
        }
        for h in &fp.headers {
            let _ = writeln!(md, "- header: `{h}`");
        }
        for r in &b.when {
            let _ = writeln!(
                md,
                "- when `{}`: support {}, confidence {}, P(chance) {}",
                r.all.join(" ∧ "),
                r.support,
                r.confidence,
                r.p_chance
            );
        }
        for i in &b.invariants {
            let _ = writeln!(
                md,
                "- invariant `{}` ({}, {} samples, confidence {})",
                i.expr, i.template, i.support, i.confidence
            );
        }
        let _ = writeln!(
            md,
            "- inputs: {}{}",
            b.exemplars
                .iter()
                .map(|id| format!("`{}`", cell(&case_input(spec, id))))
                .collect::<Vec<_>>()
                .join(", "),
            if b.flaky_inputs > 0 {
                format!(" ({} flaky)", b.flaky_inputs)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(md, "\n## Suspicious behaviours\n");
    if spec.suspicious.is_empty() {
        let _ = writeln!(md, "None found.");
    }
    for s in &spec.suspicious {
        let _ = writeln!(md, "- {}: {}", s.behaviour, s.reason);
    }
    let _ = writeln!(md, "\n## Noise sources\n");
    let measured: Vec<_> = spec
        .normalisers
        .iter()
        .filter(|n| n.origin == "measured")
        .collect();
    if measured.is_empty() {
        let _ = writeln!(
            md,
            "No field differed across the repeats of any kept input (after the built-in normalisers)."
        );
    }
    for n in &measured {
        let evidence = n
            .evidence
            .map(|e| {
                format!(
                    " — differed for {} of {} kept inputs",
                    e.differing, e.inputs
                )
            })
            .unwrap_or_default();
        let _ = writeln!(md, "- {} `{}`{evidence}", n.kind, cell(&n.pattern));
    }
    let _ = writeln!(
        md,
        "\nBuilt-in normalisers: {}.",
        spec.normalisers
            .iter()
            .filter(|n| n.origin == "builtin")
            .map(|n| n.replace.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let c = &spec.coverage;
    let _ = writeln!(md, "\n## Coverage of the input model\n");
    let _ = writeln!(
        md,
        "- options exercised: {} of {} (read from the help text)",
        c.options_exercised, c.options_total
    );
    let _ = writeln!(
        md,
        "- value classes exercised: {} of {}",
        c.value_classes_exercised, c.value_classes_total
    );
    let _ = writeln!(
        md,
        "- pairs of option × value covered: {} of {}",
        c.pairs_covered, c.pairs_total
    );
    let _ = writeln!(
        md,
        "- inputs no rule explains: {} of {}",
        spec.unexplained_inputs, p.inputs
    );
    md
}
