//! Progress as a parameter, as gitoxide does: operations report phases and
//! steps to a [`Progress`] the front-end implements (the CLI with a progress
//! bar on a terminal); they never draw anything themselves.

/// Receives the phases and steps of a long operation. Steps may be reported
/// from several threads at once.
pub trait Progress: Sync {
    /// A phase of `total` steps named `what` begins (it ends the previous one).
    fn start(&self, what: &str, total: u64);
    /// The current phase turned out to have `total` steps (a walk that finds
    /// its work as it goes).
    fn set_total(&self, total: u64);
    /// `n` more steps of the current phase are done.
    fn inc(&self, n: u64);
    /// The current phase ended.
    fn finish(&self);
    /// A note for the person waiting (for example: waiting for another writer).
    fn note(&self, text: &str);
    /// A named step of the operation ended (for timings); nothing by default.
    fn phase(&self, _name: &str) {}
}

/// Reports nothing: for tests, libraries and quiet runs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _what: &str, _total: u64) {}
    fn set_total(&self, _total: u64) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
    fn note(&self, _text: &str) {}
}
