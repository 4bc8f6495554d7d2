//! The terminal's [`Progress`]: an `indicatif` bar on stderr, hidden when
//! stderr is not a terminal or the command runs quietly.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use friction_app::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
            "{{spinner}} {what} {{bar:30}} {{pos}}/{{len}} · {{per_sec}} · ETA {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
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
