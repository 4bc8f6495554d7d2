//! `friction probe`, `friction spec` and `friction drift`: argument wiring and
//! rendering for the behavioural-dismantling crate (`friction_probe`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use friction_app::Error;
use friction_probe::drift::{DriftSettings, Risk};
use friction_probe::explore::{Settings, Target};
use friction_probe::http::HttpTarget;
use friction_probe::llm::{Llm, LlmConfig};
use friction_probe::target::CliTarget;
use friction_probe::{model, output};

use crate::{DriftArgs, ProbeArgs, SpecArgs, TargetArgs};

fn err(e: friction_probe::Error) -> Error {
    Error::input(e.to_string(), None)
}

fn workers(n: usize) -> usize {
    if n == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        n
    }
}

fn env_pairs(list: &[String]) -> Result<BTreeMap<String, String>, Error> {
    list.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Error::input(format!("`--env {kv}` is not NAME=VALUE"), None))
        })
        .collect()
}

/// The target the arguments name (`--http URL` or a program after `--`), else the
/// spec's own.
fn target(
    args: &TargetArgs,
    spec: Option<&friction_probe::spec::TargetSpec>,
) -> Result<Target, Error> {
    let env = env_pairs(&args.env)?;
    if let Some(url) = &args.http {
        if !args.command.is_empty() {
            return Err(Error::input(
                "give either `--http URL` or a program after `--`, not both",
                None,
            ));
        }
        return Target::http(
            HttpTarget {
                base_url: url.clone(),
                timeout_ms: args.timeout_ms,
                output_cap: args.output_cap,
            },
            args.allow_remote,
        )
        .map_err(err);
    }
    if !args.command.is_empty() {
        let program = CliTarget {
            command: args.command.clone(),
            env,
            timeout_ms: args.timeout_ms,
            output_cap: args.output_cap,
        };
        return if args.stdio {
            Target::stdio(program)
        } else {
            Target::cli(program)
        }
        .map_err(err);
    }
    if args.stdio {
        return Err(Error::input(
            "`--stdio` needs the harness program after `--`",
            None,
        ));
    }
    match spec {
        Some(s) if s.adapter == "http" => Target::http(
            HttpTarget {
                base_url: s.base_url.clone().unwrap_or_default(),
                timeout_ms: s.timeout_ms,
                output_cap: s.output_cap,
            },
            args.allow_remote,
        )
        .map_err(err),
        Some(s) => {
            let program = CliTarget {
                command: s.command.clone().unwrap_or_default(),
                env: s.env.clone(),
                timeout_ms: s.timeout_ms,
                output_cap: s.output_cap,
            };
            if s.adapter == "stdio" {
                Target::stdio(program)
            } else {
                Target::cli(program)
            }
            .map_err(err)
        }
        None => Err(Error::input(
            "nothing to probe",
            Some(
                "give a program after `--` (`friction probe -- semver`) or `--http http://127.0.0.1:PORT`",
            ),
        )),
    }
}

pub fn probe(args: &ProbeArgs) -> Result<u8, Error> {
    let target = target(&args.target, None)?;
    let mut routes = Vec::new();
    let mut seeds = Vec::new();
    if let Some(path) = &args.openapi {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display()), None))?;
        routes.extend(model::openapi_routes(&text, &path.display().to_string()).map_err(err)?);
    }
    let mut requests = args.request.clone();
    if let Some(path) = &args.har {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display()), None))?;
        let prefix = match &target {
            Target::Http { target, .. } => target.path_prefix().to_owned(),
            _ => String::new(),
        };
        let (seeds, left_out) =
            model::har_seeds(&text, &path.display().to_string(), &prefix).map_err(err)?;
        if left_out > 0 && !args.quiet {
            eprintln!(
                "note: {left_out} requests of {} are not GET or HEAD and are not replayed",
                path.display()
            );
        }
        requests.extend(seeds);
    }
    for r in &requests {
        let (route, seed) = model::seed_route(r).map_err(err)?;
        routes.push(route);
        seeds.push(seed);
    }
    routes.sort();
    routes.dedup();
    if !matches!(target, Target::Http { .. }) && !routes.is_empty() {
        return Err(Error::input(
            "`--openapi`, `--har` and `--request` describe an HTTP target",
            Some("give its base URL with `--http http://127.0.0.1:PORT`"),
        ));
    }
    if matches!(target, Target::Http { .. }) && routes.is_empty() {
        return Err(Error::input(
            "an HTTP target needs routes to probe",
            Some(
                "give `--openapi FILE` (JSON or YAML), `--har FILE` or seed requests: `--request 'GET /posts/1'`",
            ),
        ));
    }
    let mut llm = match (&args.llm_endpoint, &args.llm_cassette) {
        (None, None) => None,
        (endpoint, cassette) => Some(
            Llm::new(LlmConfig {
                endpoint: endpoint.clone(),
                model: args.llm_model.clone(),
                api_key: std::env::var("FRICTION_LLM_API_KEY")
                    .ok()
                    .filter(|k| !k.is_empty()),
                cassette: cassette.clone(),
                allow_remote: args.target.allow_remote,
                timeout_ms: 120_000,
            })
            .map_err(err)?,
        ),
    };
    let scratch = output::scratch().map_err(err)?;
    let started = Instant::now();
    let help = target.help_text(scratch.path());
    let suggested = match (&mut llm, &target) {
        (Some(llm), Target::Cli(_) | Target::Stdio(_)) => {
            llm.suggest_inputs(&args.target.command.join(" "), &help)
        }
        _ => Vec::new(),
    };
    let proposed = suggested.len();
    let settings = Settings {
        seed: args.seed,
        budget: args.budget,
        time_limit: args.time.map(Duration::from_secs_f64),
        repeats: args.repeats,
        saturation: args.saturation,
        workers: workers(args.target.workers),
        suggested,
        http_seeds: seeds,
        http_routes: routes,
    };
    let ex = friction_probe::explore::explore_with_help(
        &target,
        &settings,
        scratch.path(),
        &help,
        started,
    )
    .map_err(err)?;
    let mut spec = friction_probe::spec::Spec::derive(&ex, target.spec(), &settings);
    if let Some(llm) = &mut llm {
        let names = llm.name_classes(&spec);
        for b in &mut spec.behaviours {
            b.label = names.get(&b.id).cloned();
        }
        spec.provenance.llm_used = llm.used;
        if !args.quiet {
            let kept = ex.records.iter().filter(|r| r.phase == "suggested").count();
            eprintln!(
                "LLM helper: {proposed} inputs proposed, {kept} kept (new behaviour); {} classes named",
                names.len()
            );
        }
        for note in &llm.notes {
            eprintln!("warning: {note}; the probe went on without it");
        }
    }
    let written = output::write_probe(&spec, &args.out).map_err(err)?;
    if args.json {
        print!("{}", spec.to_json());
    } else {
        println!(
            "{} behaviour classes from {} inputs ({} executions; stopped: {}); {} suspicious",
            spec.behaviours.len(),
            spec.provenance.inputs,
            spec.provenance.executions,
            spec.provenance.stopped,
            spec.suspicious.len()
        );
        for b in &spec.behaviours {
            println!("  {}  {:>5} inputs  {}", b.id, b.inputs, b.family);
        }
        for s in &spec.suspicious {
            println!("  suspicious {}: {}", s.behaviour, s.reason);
        }
        println!("wrote {} files into {}", written.len(), args.out.display());
    }
    if !args.quiet {
        let secs = ex.elapsed.as_secs_f64().max(1e-9);
        eprintln!(
            "{} executions in {:.1} s ({:.0}/s)",
            ex.executions,
            secs,
            ex.executions as f64 / secs
        );
    }
    Ok(0)
}

pub fn spec(args: &SpecArgs) -> Result<u8, Error> {
    let (spec, _) = output::read_spec(&args.spec).map_err(err)?;
    if args.check {
        println!(
            "{}: valid behaviour spec (version {}): {} classes, {} cases",
            args.spec.display(),
            spec.spec_version,
            spec.behaviours.len(),
            spec.corpus.len()
        );
    } else {
        print!("{}", friction_probe::catalogue::render(&spec));
    }
    Ok(0)
}

pub fn drift(args: &DriftArgs) -> Result<u8, Error> {
    let (spec, text) = output::read_spec(&args.spec).map_err(err)?;
    let fail_on = Risk::parse(&args.fail_on).ok_or_else(|| {
        Error::input(
            format!("`--fail-on {}` is not a risk", args.fail_on),
            Some("use low, medium or high"),
        )
    })?;
    let target = target(&args.target, Some(&spec.target))?;
    let settings = DriftSettings {
        seed: args.seed.unwrap_or(spec.provenance.seed),
        fresh: args.fresh,
        confirmations: args.confirmations,
        workers: workers(args.target.workers),
    };
    let scratch = output::scratch().map_err(err)?;
    let report =
        friction_probe::drift::drift(&spec, &text, &target, &settings, fail_on, scratch.path());
    if let Some(dir) = &args.out {
        write_report(dir, &report)?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", friction_probe::drift::render(&report));
    }
    Ok(u8::from(report.summary.verdict == "drift"))
}

fn write_report(dir: &Path, report: &friction_probe::drift::DriftReport) -> Result<(), Error> {
    let io =
        |e: std::io::Error| Error::input(format!("cannot write into {}: {e}", dir.display()), None);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut json = serde_json::to_string_pretty(report).unwrap_or_default();
    json.push('\n');
    std::fs::write(dir.join("drift.json"), json).map_err(io)?;
    std::fs::write(dir.join("drift.md"), friction_probe::drift::render(report)).map_err(io)?;
    Ok(())
}
