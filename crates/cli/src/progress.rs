//! The terminal's [`Progress`]: an `indicatif` bar on stderr, hidden when
//! stderr is not a terminal or the command runs quietly.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use friction_app::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A progress bar per phase; notes go to stderr unless quiet.
pub struct Bar {
    quiet: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new(quiet: bool) -> Self {
        Bar {
            quiet,
            current: Mutex::new(None),
        }
    }
}

/// A bar of `len` steps for `what` (hidden when quiet or not on a terminal).
pub fn progress_bar(quiet: bool, len: u64, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} {{bar:30}} {{pos}}/{{len}} · {{rate}} · ETA {{eta}}"
        ))
        .map(|style| {
            style.with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate(state.per_sec()));
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Steps per second as a person reads them: whole numbers from 10 a second,
/// one decimal below (indicatif's `{per_sec}` prints four: "122.6599/s").
fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        "–/s".to_owned()
    } else if per_sec >= 10.0 {
        format!("{per_sec:.0}/s")
    } else {
        format!("{per_sec:.1}/s")
    }
}

impl Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        if let Ok(mut c) = self.current.lock() {
            if let Some(old) = c.take() {
                old.finish_and_clear();
            }
            *c = Some(progress_bar(self.quiet, total, what));
        }
    }

    fn set_total(&self, total: u64) {
        let bar = self.current.lock().ok().and_then(|c| c.clone());
        if let Some(b) = bar {
            b.set_length(total);
        }
    }

    fn inc(&self, n: u64) {
        // The bar is a shared handle: clone it out so steps never wait on each other.
        let bar = self.current.lock().ok().and_then(|c| c.clone());
        if let Some(b) = bar {
            b.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut c) = self.current.lock()
            && let Some(b) = c.take()
        {
            b.finish_and_clear();
        }
    }

    fn phase(&self, name: &str) {
        crate::timing::phase(name);
    }

    fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn the_rate_is_rounded_for_people() {
        assert_eq!(rate(122.6599), "123/s");
        assert_eq!(rate(2.46), "2.5/s");
        assert_eq!(rate(0.0), "–/s");
        assert_eq!(rate(f64::NAN), "–/s");
    }
}
