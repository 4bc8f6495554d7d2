//! One writer per store: commands that write (scan, backfill, rescore,
//! check) hold an exclusive advisory lock on `<store>.lock` while they run.
//!
//! SQLite already serialises transactions, but a scan reads "what is stored"
//! and then writes what was missing; two scans interleaving those steps would
//! mine the same commits twice and race on the rename resolution. The lock
//! makes the second writer wait for the first (it says so through the caller's `Progress`) rather
//! than fail. The operating system releases it when the process ends, even by
//! `kill -9`, so a crash never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::progress::Progress;

/// Held while the command writes; released on drop.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// The lock file beside a store.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    db.with_file_name(name)
}

/// Takes the store's write lock, waiting for another writer if there is one.
pub fn lock(db: &Path, progress: &dyn Progress) -> Result<StoreLock, Error> {
    let path = lock_path(db);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            Error::store(
                format!("cannot create the lock file {}: {e}", path.display()),
                Some("make the store's directory writable, or choose another location with `--db PATH`"),
            )
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            progress.note(&format!(
                "waiting for another friction process writing {} …",
                db.display()
            ));
            file.lock()
                .map_err(|e| Error::store(format!("cannot lock {}: {e}", path.display()), None))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(Error::store(
                format!("cannot lock {}: {e}", path.display()),
                Some(
                    "the file system may not support locks; choose another location with `--db PATH`",
                ),
            ));
        }
    }
    Ok(StoreLock { _file: file })
}
