//! Phase timings on stderr when `FRICTION_TIMINGS` is set: where a command spends
//! its time, for benchmarks and bug reports. Silent (and nearly free) otherwise.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::Instant;

fn last() -> Option<&'static Mutex<Instant>> {
    static LAST: OnceLock<Option<Mutex<Instant>>> = OnceLock::new();
    LAST.get_or_init(|| std::env::var_os("FRICTION_TIMINGS").map(|_| Mutex::new(Instant::now())))
        .as_ref()
}

/// Starts the clock (with `FRICTION_TIMINGS`): the first phase reported then
/// counts from the process's start, not from itself.
pub(crate) fn start() {
    let _ = last();
}

/// Reports the time since the previous phase ended, naming the phase that just
/// finished.
pub(crate) fn phase(name: &str) {
    if let Some(m) = last()
        && let Ok(mut at) = m.lock()
    {
        let now = Instant::now();
        eprintln!(
            "timing: {name:<28} {:>8.1} ms",
            (now - *at).as_secs_f64() * 1e3
        );
        *at = now;
    }
}
