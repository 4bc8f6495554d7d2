//! Exploration: seeds, boundary values one at a time, a pairwise design, then random
//! and mutated inputs kept only when they show a behaviour not seen before (novelty
//! feedback on the fingerprint, as LibAFL's `NewHashFeedback`), within a budget of
//! executions or time. Each class's first input is shrunk to the smallest input
//! showing the class, and every kept input is repeated to measure nondeterminism.
//! Runs execute in parallel; observations are processed in input order, so the result
//! is the same for the same seed whatever the scheduling.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::drain::Drain;
use crate::harness::Harness;
use crate::http::{Endpoint, HttpTarget, Response};
use crate::model::{self, Generator, InputModel};
use crate::observe::{Fingerprint, Observation};
use crate::target::{CliTarget, RawRun};
use crate::{Error, Input};

/// Exemplars kept per class (Diffy's `requestsPerField`).
pub const EXEMPLARS: usize = 5;

/// A probed target.
#[derive(Debug, Clone)]
pub enum Target {
    Cli(CliTarget),
    /// A JSON-over-stdio harness around a library function ([`crate::harness`]).
    Stdio(std::sync::Arc<Harness>),
    Http {
        target: HttpTarget,
        endpoint: Endpoint,
    },
}

enum Raw {
    Run(RawRun),
    Response(Response),
}

impl Target {
    fn execute(&self, root: &Path, input: &Input) -> Raw {
        match (self, input) {
            (Target::Cli(t), Input::Cli { argv, stdin }) => {
                Raw::Run(t.run(root, argv, stdin.as_deref()))
            }
            (Target::Stdio(h), Input::Cli { argv, stdin }) => {
                Raw::Run(h.call(root, argv, stdin.as_deref()))
            }
            (Target::Http { target, endpoint }, Input::Http { method, path, body }) => {
                Raw::Response(endpoint.send(target, method, path, body.as_deref()))
            }
            (Target::Cli(_) | Target::Stdio(_), Input::Http { .. })
            | (Target::Http { .. }, Input::Cli { .. }) => Raw::Run(crate::target::spawn_error(
                "the input does not fit the target's kind".into(),
            )),
        }
    }

    /// Runs inputs on `workers` threads; results in input order.
    fn run_batch(&self, root: &Path, inputs: &[Input], workers: usize) -> Vec<Raw> {
        let next = AtomicUsize::new(0);
        let mut slots: Vec<Option<Raw>> = (0..inputs.len()).map(|_| None).collect();
        let results = std::sync::Mutex::new(&mut slots);
        std::thread::scope(|s| {
            for _ in 0..workers.clamp(1, inputs.len().max(1)) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        let raw = self.execute(root, input);
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(raw);
                        }
                    }
                });
            }
        });
        slots.into_iter().flatten().collect()
    }

    /// Runs inputs and observes them with `drain` (learning, or frozen for replay).
    pub fn observe_all(
        &self,
        root: &Path,
        inputs: &[Input],
        workers: usize,
        drain: &mut Drain,
    ) -> Vec<Observation> {
        self.run_batch(root, inputs, workers)
            .iter()
            .map(|raw| match raw {
                Raw::Run(r) => Observation::of_run(r, drain),
                Raw::Response(r) => Observation::of_response(r, drain),
            })
            .collect()
    }

    /// The help text (CLI): `--help`'s output, else `-h`'s.
    pub fn help_text(&self, root: &Path) -> String {
        for flag in ["--help", "-h"] {
            let argv = [flag.to_owned()];
            let r = match self {
                Target::Cli(t) => t.run(root, &argv, None),
                Target::Stdio(h) => h.call(root, &argv, None),
                Target::Http { .. } => return String::new(),
            };
            let text = format!(
                "{}\n{}",
                String::from_utf8_lossy(&r.stdout),
                String::from_utf8_lossy(&r.stderr)
            );
            if text.lines().any(|l| l.trim_start().starts_with('-')) {
                return text;
            }
        }
        String::new()
    }
}

/// What the caller asks of a probe.
#[derive(Debug, Clone)]
pub struct Settings {
    pub seed: u64,
    /// Executions at most (every run counts: exploration, shrinking, repeats).
    pub budget: usize,
    pub time_limit: Option<Duration>,
    /// Runs of each kept input (k ≥ 2: the repeats measure noise).
    pub repeats: usize,
    /// Stop exploring after this many executions in a row showed nothing new.
    pub saturation: usize,
    pub workers: usize,
    /// Inputs proposed from outside (the LLM helper): run after the boundaries and
    /// kept only when they show a behaviour not seen before.
    pub suggested: Vec<Input>,
    /// HTTP: seed requests and OpenAPI routes.
    pub http_seeds: Vec<String>,
    pub http_routes: Vec<String>,
}

/// One executed input.
#[derive(Debug, Clone)]
pub struct Record {
    pub input: Input,
    pub features: Vec<String>,
    pub class: usize,
    pub observation: Observation,
    pub phase: &'static str,
}

/// Noise measured on one kept input across its repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Noise {
    /// Classes the repeats landed in, when more than one (a flaky input).
    pub classes: BTreeSet<usize>,
    /// `template:T3`, `order:stdout`, `json:$.id`, `text:stdout`, …
    pub fields: BTreeSet<String>,
}

/// The result of exploring a target.
#[derive(Debug)]
pub struct Exploration {
    pub model: InputModel,
    pub drain: Drain,
    pub classes: Vec<Fingerprint>,
    pub records: Vec<Record>,
    /// Record indices kept as each class's exemplars (shrunk first).
    pub corpus: Vec<Vec<usize>>,
    /// Per corpus record: the noise its repeats showed.
    pub noise: BTreeMap<usize, Noise>,
    pub executions: usize,
    /// Why exploration stopped: `budget`, `time`, `saturated` or `exhausted`.
    pub stopped: &'static str,
    pub pairs_total: usize,
    pub pairs_covered: usize,
    pub elapsed: Duration,
}

impl Exploration {
    fn class_of(
        &mut self,
        fp: Fingerprint,
        index: &mut HashMap<Fingerprint, usize>,
    ) -> (usize, bool) {
        if let Some(&c) = index.get(&fp) {
            return (c, false);
        }
        self.classes.push(fp.clone());
        self.corpus.push(Vec::new());
        index.insert(fp, self.classes.len() - 1);
        (self.classes.len() - 1, true)
    }
}

/// Probes a target.
pub fn explore(target: &Target, settings: &Settings, root: &Path) -> Result<Exploration, Error> {
    let started = Instant::now();
    let help = target.help_text(root);
    explore_with_help(target, settings, root, &help, started)
}

/// [`explore`] with the help text already read (the caller showed it to the LLM
/// helper).
pub fn explore_with_help(
    target: &Target,
    settings: &Settings,
    root: &Path,
    help: &str,
    started: Instant,
) -> Result<Exploration, Error> {
    let model = InputModel {
        options: model::parse_help(help),
        positionals: if target.takes_argv() { 2 } else { 0 },
        value_classes: model::value_classes(),
        stdin_classes: if target.takes_argv() {
            model::stdin_classes().into_iter().map(|(n, _)| n).collect()
        } else {
            Vec::new()
        },
        paths: settings.http_routes.clone(),
    };
    let mut generator = Generator::new(&model, settings.seed, settings.http_seeds.clone());
    let mut ex = Exploration {
        model,
        drain: Drain::default(),
        classes: Vec::new(),
        records: Vec::new(),
        corpus: Vec::new(),
        noise: BTreeMap::new(),
        executions: 0,
        stopped: "exhausted",
        pairs_total: generator.pairs_total,
        pairs_covered: 0,
        elapsed: Duration::ZERO,
    };
    let mut index: HashMap<Fingerprint, usize> = HashMap::new();
    let mut seen_inputs: BTreeSet<Input> = BTreeSet::new();
    let repeats = settings.repeats.max(2);
    let batch_size = (settings.workers.max(1) * 8).max(16);
    // Executions held back for shrinking and repeats.
    let reserve = |ex: &Exploration| {
        let kept: usize = ex.corpus.iter().map(Vec::len).sum();
        kept * (repeats - 1) + ex.classes.len() * 4
    };
    let out_of_time = |started: &Instant| {
        settings
            .time_limit
            .is_some_and(|limit| started.elapsed() >= limit.mul_f64(0.8))
    };

    let mut phase_inputs: Vec<(&'static str, Vec<Input>)> = vec![
        ("seed", generator.seeds()),
        ("boundary", generator.boundaries()),
        ("suggested", settings.suggested.clone()),
    ];
    let mut since_new = 0usize;
    let mut phase_no = 0;
    loop {
        let (phase, batch): (&'static str, Vec<Input>) = if phase_no < phase_inputs.len() {
            let (p, list) = &mut phase_inputs[phase_no];
            let take: Vec<Input> = list.drain(..list.len().min(batch_size)).collect();
            if list.is_empty() {
                phase_no += 1;
            }
            (p, take)
        } else {
            let mut out = Vec::new();
            for _ in 0..batch_size * 4 {
                if out.len() == batch_size {
                    break;
                }
                let next = match generator.next_pairwise() {
                    Some(i) => ("pairwise", i),
                    None => {
                        let exemplars: Vec<Input> = ex
                            .corpus
                            .iter()
                            .flatten()
                            .map(|&r| ex.records[r].input.clone())
                            .collect();
                        ("mutation", generator.mutate(&exemplars))
                    }
                };
                if !seen_inputs.contains(&next.1) && !out.contains(&next.1) {
                    out.push(next.1);
                }
                if next.0 == "pairwise" && out.len() == batch_size {
                    break;
                }
            }
            let p = if generator.pairs_covered() < generator.pairs_total {
                "pairwise"
            } else {
                "mutation"
            };
            (p, out)
        };
        let batch: Vec<Input> = batch
            .into_iter()
            .filter(|i| seen_inputs.insert(i.clone()))
            .collect();
        let room = settings.budget.saturating_sub(ex.executions + reserve(&ex));
        if room == 0 {
            ex.stopped = "budget";
            break;
        }
        if out_of_time(&started) {
            ex.stopped = "time";
            break;
        }
        if phase == "mutation" && since_new >= settings.saturation {
            ex.stopped = "saturated";
            break;
        }
        if batch.is_empty() {
            if phase_no >= phase_inputs.len() && phase == "mutation" {
                since_new += batch_size;
            }
            continue;
        }
        let batch: Vec<Input> = batch.into_iter().take(room).collect();
        let observations = target.observe_all(root, &batch, settings.workers, &mut ex.drain);
        ex.executions += batch.len();
        for (input, observation) in batch.into_iter().zip(observations) {
            let (class, new) = ex.class_of(observation.fingerprint(), &mut index);
            since_new = if new { 0 } else { since_new + 1 };
            // Random, mutated and suggested inputs are kept only when they show
            // something new.
            if matches!(phase, "mutation" | "suggested") && !new {
                continue;
            }
            let features = model::features(&input, &ex.model);
            ex.records.push(Record {
                input,
                features,
                class,
                observation,
                phase,
            });
            let r = ex.records.len() - 1;
            if ex.corpus[class].len() < EXEMPLARS {
                ex.corpus[class].push(r);
            }
        }
    }
    shrink_exemplars(target, settings, root, &mut ex, &mut index);
    measure_noise(target, settings, root, &mut ex, &mut index, repeats);
    ex.pairs_covered = generator.pairs_covered();
    ex.elapsed = started.elapsed();
    Ok(ex)
}

/// Smaller variants of an input: one argument dropped, one argument cut, stdin gone.
fn smaller(input: &Input) -> Vec<Input> {
    let mut out = Vec::new();
    match input {
        Input::Cli { argv, stdin } => {
            for i in 0..argv.len() {
                let mut a = argv.clone();
                a.remove(i);
                out.push(Input::Cli {
                    argv: a,
                    stdin: stdin.clone(),
                });
            }
            for (i, arg) in argv.iter().enumerate() {
                let chars: Vec<char> = arg.chars().collect();
                if chars.len() > 1 {
                    for keep in [chars.len() / 2, 1] {
                        let mut a = argv.clone();
                        a[i] = chars[..keep].iter().collect();
                        out.push(Input::Cli {
                            argv: a,
                            stdin: stdin.clone(),
                        });
                    }
                }
            }
            if stdin.is_some() {
                out.push(Input::Cli {
                    argv: argv.clone(),
                    stdin: None,
                });
            }
        }
        Input::Http { method, path, body } => {
            if let Some((head, last)) = path.rsplit_once('/')
                && last.chars().count() > 1
            {
                let half: String = last.chars().take(last.chars().count() / 2).collect();
                out.push(Input::Http {
                    method: method.clone(),
                    path: format!("{head}/{half}"),
                    body: body.clone(),
                });
            }
        }
    }
    out.sort_by_key(Input::size);
    out.dedup();
    out
}

fn shrink_exemplars(
    target: &Target,
    settings: &Settings,
    root: &Path,
    ex: &mut Exploration,
    index: &mut HashMap<Fingerprint, usize>,
) {
    for class in 0..ex.classes.len() {
        let Some(&first) = ex.corpus[class].first() else {
            continue;
        };
        let mut best = ex.records[first].input.clone();
        let mut best_obs: Option<Observation> = None;
        for _round in 0..6 {
            let candidates: Vec<Input> = smaller(&best).into_iter().take(16).collect();
            if candidates.is_empty() || ex.executions + candidates.len() > settings.budget {
                break;
            }
            let observations =
                target.observe_all(root, &candidates, settings.workers, &mut ex.drain);
            ex.executions += candidates.len();
            let found = candidates
                .into_iter()
                .zip(observations)
                .find(|(_, o)| index.get(&o.fingerprint()) == Some(&class));
            match found {
                Some((input, o)) => {
                    best = input;
                    best_obs = Some(o);
                }
                None => break,
            }
        }
        if let Some(observation) = best_obs {
            let features = model::features(&best, &ex.model);
            ex.records.push(Record {
                input: best,
                features,
                class,
                observation,
                phase: "shrunk",
            });
            let r = ex.records.len() - 1;
            let list = &mut ex.corpus[class];
            list.insert(0, r);
            list.truncate(EXEMPLARS);
        }
    }
}

fn measure_noise(
    target: &Target,
    settings: &Settings,
    root: &Path,
    ex: &mut Exploration,
    index: &mut HashMap<Fingerprint, usize>,
    repeats: usize,
) {
    // The budget is a hard limit: inputs that do not fit are not repeated.
    let fit = settings.budget.saturating_sub(ex.executions) / (repeats - 1);
    let kept: Vec<usize> = ex.corpus.iter().flatten().copied().take(fit).collect();
    let mut inputs = Vec::new();
    for &r in &kept {
        for _ in 1..repeats {
            inputs.push(ex.records[r].input.clone());
        }
    }
    // Repeats are compared under the final templates, frozen, as drift compares.
    let mut frozen = Drain::frozen(&ex.drain.templates());
    let observations = target.observe_all(root, &inputs, settings.workers, &mut frozen);
    ex.executions += inputs.len();
    for (k, &r) in kept.iter().enumerate() {
        let mut noise = Noise::default();
        let mut base = ex.records[r].observation.clone();
        base.retemplate(&mut frozen);
        let base_fp = base.fingerprint();
        for o in &observations[k * (repeats - 1)..(k + 1) * (repeats - 1)] {
            let fp = o.fingerprint();
            let same = fp == base_fp || (base.cut_short() && o.termination == base.termination);
            if !same {
                noise.classes.insert(ex.records[r].class);
                noise
                    .classes
                    .insert(index.get(&fp).copied().unwrap_or(usize::MAX));
            }
            noise.fields.extend(differences(&base, o));
        }
        if noise != Noise::default() {
            ex.noise.insert(r, noise);
        }
    }
}

/// Where two observations of one input differ: the fields a drift check must mask.
pub fn differences(a: &Observation, b: &Observation) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (name, x, y) in [
        ("stdout", &a.stdout, &b.stdout),
        ("stderr", &a.stderr, &b.stderr),
    ] {
        if x.text == y.text {
            continue;
        }
        if let (Some(jx), Some(jy)) = (&x.json, &y.json) {
            let (fx, fy) = (flatten(jx), flatten(jy));
            for (path, v) in &fx {
                if fy.get(path) != Some(v) {
                    out.insert(format!("json:{path}"));
                }
            }
            for path in fy.keys() {
                if !fx.contains_key(path) {
                    out.insert(format!("json:{path}"));
                }
            }
            continue;
        }
        let (lx, ly): (Vec<&str>, Vec<&str>) = (
            x.text.lines().filter(|l| !l.trim().is_empty()).collect(),
            y.text.lines().filter(|l| !l.trim().is_empty()).collect(),
        );
        if x.templates == y.templates && lx.len() == ly.len() {
            for ((t, l1), l2) in x.templates.iter().zip(&lx).zip(&ly) {
                if l1 != l2 {
                    out.insert(format!("template:{t}"));
                }
            }
            continue;
        }
        let (mut sx, mut sy) = (lx.clone(), ly.clone());
        sx.sort_unstable();
        sy.sort_unstable();
        if sx == sy {
            out.insert(format!("order:{name}"));
        } else {
            out.insert(format!("text:{name}"));
        }
    }
    out
}

/// Leaf paths of a JSON value with array indices kept (`$.items[0].id`).
pub fn flatten(v: &Value) -> BTreeMap<String, Value> {
    fn walk(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
        match v {
            Value::Array(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{i}]"), out);
                }
            }
            Value::Object(map) if !map.is_empty() => {
                for (k, item) in map {
                    walk(item, format!("{path}.{k}"), out);
                }
            }
            _ => {
                out.insert(path, v.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(v, "$".into(), &mut out);
    out
}

impl Target {
    /// A command-line target, checked to exist.
    pub fn cli(target: CliTarget) -> Result<Target, Error> {
        target.check()?;
        Ok(Target::Cli(target))
    }

    /// A JSON-over-stdio harness (started on first use), checked to exist.
    pub fn stdio(target: CliTarget) -> Result<Target, Error> {
        target.check()?;
        Ok(Target::Stdio(std::sync::Arc::new(Harness::new(target))))
    }

    /// Whether inputs are argument lists (a program or a harness), not requests.
    fn takes_argv(&self) -> bool {
        !matches!(self, Target::Http { .. })
    }

    /// An HTTP target on loopback (or anywhere with `allow_remote`).
    pub fn http(target: HttpTarget, allow_remote: bool) -> Result<Target, Error> {
        let endpoint = target.endpoint(allow_remote)?;
        Ok(Target::Http { target, endpoint })
    }

    /// The target as the spec records it.
    pub fn spec(&self) -> crate::spec::TargetSpec {
        let program = |adapter: &str, t: &CliTarget| crate::spec::TargetSpec {
            adapter: adapter.into(),
            command: Some(t.command.clone()),
            base_url: None,
            env: t.env.clone(),
            timeout_ms: t.timeout_ms,
            output_cap: t.output_cap,
        };
        match self {
            Target::Cli(t) => program("cli", t),
            Target::Stdio(h) => program("stdio", &h.target),
            Target::Http { target, .. } => crate::spec::TargetSpec {
                adapter: "http".into(),
                command: None,
                base_url: Some(target.base_url.clone()),
                env: BTreeMap::new(),
                timeout_ms: target.timeout_ms,
                output_cap: target.output_cap,
            },
        }
    }
}
