//! Executions per second of a command-line target, three ways on the same workers:
//! a bare spawn loop (`std::process::Command`, stdout and stderr piped, nothing
//! else: the bound for that program), `CliTarget::run` (what one probe execution
//! costs: fresh working directory, capture, effects) and a whole `explore` with that
//! budget (adds generation, normalisation, fingerprints, shrinking and repeats).
//!
//! ```sh
//! cargo run --release -p friction-probe --example spawn_rate -- [PROGRAM] [RUNS] [WORKERS]
//! ```
//!
//! PROGRAM defaults to `/bin/echo`, RUNS to 3000, WORKERS to the number of cores.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use friction_probe::explore::{Settings, Target, explore};
use friction_probe::scratch::ScratchDir;
use friction_probe::target::CliTarget;

/// Runs `job` `runs` times on `workers` threads; returns runs per second.
fn rate(runs: usize, workers: usize, job: impl Fn(usize) + Sync) -> f64 {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= runs {
                        break;
                    }
                    job(i);
                }
            });
        }
    });
    runs as f64 / started.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let program = args.first().cloned().unwrap_or_else(|| "/bin/echo".into());
    let runs: usize = args.get(1).map_or(Ok(3000), |s| s.parse())?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers: usize = args.get(2).map_or(Ok(cores), |s| s.parse())?;
    let root = ScratchDir::new_in(&std::env::temp_dir(), "spawn-rate")?;

    let bare = rate(runs, workers, |i| {
        let _ = Command::new(&program)
            .arg(i.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output();
    });
    let target = CliTarget {
        command: vec![program.clone()],
        env: Default::default(),
        timeout_ms: 10_000,
        output_cap: 1 << 20,
    };
    let run = rate(runs, workers, |i| {
        let _ = target.run(root.path(), &[i.to_string()], None);
    });
    let settings = Settings {
        seed: 1,
        budget: runs,
        time_limit: None,
        repeats: 3,
        saturation: runs,
        workers,
        suggested: Vec::new(),
        http_seeds: Vec::new(),
        http_routes: Vec::new(),
    };
    let ex = explore(&Target::cli(target)?, &settings, root.path())?;
    let probe = ex.executions as f64 / ex.elapsed.as_secs_f64().max(1e-9);
    println!("program {program}, {runs} runs, {workers} workers on {cores} cores");
    println!("bare spawn loop:      {bare:>7.0}/s");
    println!(
        "CliTarget::run:       {run:>7.0}/s  (ratio {:.2})",
        run / bare
    );
    println!(
        "explore (probe):      {probe:>7.0}/s  (ratio {:.2}; {} executions in {:.2} s, stopped: {})",
        probe / bare,
        ex.executions,
        ex.elapsed.as_secs_f64(),
        ex.stopped
    );
    Ok(())
}
