//! Scratch directories, removed when dropped: the probe's root in the system's
//! temporary directory and each run's working directory inside it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A directory this process created and removes when dropped.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

static NEXT: AtomicU64 = AtomicU64::new(0);

impl ScratchDir {
    /// A new, empty directory `PREFIX-PID-N` under `parent`.
    pub fn new_in(parent: &Path, prefix: &str) -> std::io::Result<ScratchDir> {
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!("{prefix}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(ScratchDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The path, no longer removed when dropped (the caller owns the directory).
    pub fn into_path(self) -> PathBuf {
        let mut me = std::mem::ManuallyDrop::new(self);
        std::mem::take(&mut me.0)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        crate::target::forget_clean(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
