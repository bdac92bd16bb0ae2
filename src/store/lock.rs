//! One sweep per results directory on a machine: an exclusive `flock` on a lock file that
//! holds the owner's pid.
//!
//! A second `sweep run` on the same directory refuses, naming the owner, or waits for it
//! (`--wait`). The kernel drops the lock of a process that ends, however it ends, so a lock
//! file left by a killed sweep is simply locked again (and said to be taken over): there is
//! no check-then-remove step that two contenders could both pass. The owner removes the file
//! while still holding the lock, so a contender that locked the removed file sees that it
//! is no longer the one at the path and tries again. Shards of a Slurm array take no lock:
//! their records are atomic and never shared.

use std::fs::{File, TryLockError};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::safe;
use crate::error::{Error, Result};

pub(crate) const LOCK_FILE: &str = ".sweep.lock";

/// The lock files this process holds, for [`release_held`].
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every lock file this process holds: for a forced exit (a second Ctrl-C) that
/// skips the locks' `Drop`. The kernel releases the locks themselves with the process.
pub(crate) fn release_held() {
    if let Ok(held) = HELD.lock() {
        remove_all(&held);
    }
}

fn remove_all(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// Whether this process holds the lock file at `path`.
#[cfg(test)]
fn is_held(path: &Path) -> bool {
    HELD.lock().is_ok_and(|held| held.iter().any(|p| p == path))
}

/// Held while a sweep writes a results directory; removed and released when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// The locked file, or `None` where the filesystem has no file locks.
    file: Option<File>,
}

impl Lock {
    pub fn acquire(out: &Path, wait: bool) -> Result<Lock> {
        let path = out.join(LOCK_FILE);
        let mut told = false;
        loop {
            // Never opened through a link, nor a directory or FIFO taken for a lock file.
            let file = safe::open_own(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let pid = owner(&path);
                    if !wait {
                        return Err(in_use(out, &path, pid));
                    }
                    if !told {
                        note!(
                            "sweep: waiting for the sweep with {} to release {}",
                            describe(pid),
                            out.display()
                        );
                        told = true;
                    }
                    file.lock().map_err(|e| Error::io(&path, e))?;
                }
                Err(TryLockError::Error(e)) => return Ok(Lock::unlocked(path, &e)),
            }
            // The owner we waited for removed the file we locked: lock the new one.
            if is_at(&file, &path) {
                return Lock::claim(path, file);
            }
        }
    }

    /// Writes our pid into the lock file we hold, saying whose lock it was if a process
    /// ended without removing it.
    fn claim(path: PathBuf, mut file: File) -> Result<Lock> {
        // Read once, from the file we locked: an empty file is a new one, not one being
        // written (we hold the lock).
        let mut previous = String::new();
        let _ = std::io::Read::read_to_string(&mut file, &mut previous);
        if let Some(pid) = previous
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|&p| p != std::process::id())
        {
            note!("sweep: taking over the stale lock of pid {pid}, which is no longer running");
        }
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        written.map_err(|e| Error::io(&path, e))?;
        if let Ok(mut held) = HELD.lock() {
            held.push(path.clone());
        }
        Ok(Lock {
            path,
            file: Some(file),
        })
    }

    /// No lock where the filesystem cannot lock files: a concurrent sweep would do the same
    /// work twice (records are atomic and deterministic), which is said once, here.
    fn unlocked(path: PathBuf, why: &std::io::Error) -> Lock {
        note!(
            "sweep: warning: cannot lock {} ({why}); this filesystem has no file locks, so \
             another sweep on the same directory would not be noticed",
            path.display()
        );
        Lock { path, file: None }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so that nobody locks a file that is about to vanish
        // without noticing (see `is_at`); the lock itself goes with the file handle.
        if self.file.is_some() {
            if let Ok(mut held) = HELD.lock() {
                held.retain(|p| p != &self.path);
            }
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The pid of the lock's live owner, if the file names one. A new owner writes its pid just
/// after locking, so an empty file, or one still naming the dead owner it replaces, is read
/// again a few times.
/// Whether a sweep holds a results directory's lock, as a reader sees it without taking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// No lock file: no sweep (a Slurm shard takes none).
    No,
    /// A lock file whose owner runs.
    By(u32),
    /// A lock file whose owner is gone (killed before it could remove it).
    Left,
}

/// Who holds the lock of the results directory `out`, read from its lock file (never
/// locking it: a reader must not make a starting sweep think the directory is in use).
pub fn held(out: &Path) -> Held {
    let path = out.join(LOCK_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Held::No;
    }
    match owner(&path) {
        Some(pid) => Held::By(pid),
        None => Held::Left,
    }
}

fn owner(path: &Path) -> Option<u32> {
    for _ in 0..5 {
        let text = safe::read_own(path).unwrap_or_default();
        if let Some(pid) = text.trim().parse().ok().filter(|&p| is_alive(p)) {
            return Some(pid);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn describe(pid: Option<u32>) -> String {
    pid.map_or("an unknown pid".to_owned(), |p| format!("pid {p}"))
}

fn in_use(out: &Path, path: &Path, pid: Option<u32>) -> Error {
    Error::Usage(format!(
        "{} is in use by another sweep ({}, lock file {}); wait for it to finish, or pass \
         --wait to wait here",
        out.display(),
        describe(pid),
        path.display()
    ))
}

/// Whether `file` is still the file at `path` (not removed, nor replaced, meanwhile).
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Elsewhere an open file cannot be removed, so it is still the one at its path.
#[cfg(not(unix))]
fn is_at(_file: &File, _path: &Path) -> bool {
    true
}

/// Whether a process with this pid runs on this machine (Linux's /proc; elsewhere assume so).
pub(crate) fn is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return true;
    }
    // A zombie still has a /proc entry but will never release the lock.
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forced_exit_removes_the_lock_files_this_process_holds() {
        // The registry is the process's, shared by the tests running beside this one: this
        // test removes only its own file (`release_held` would remove theirs too).
        let dir = tempfile::tempdir().unwrap();
        let lock = Lock::acquire(dir.path(), false).unwrap();
        let path = dir.path().join(LOCK_FILE);
        assert!(path.is_file() && is_held(&path));
        // What the second Ctrl-C does before `process::exit`, which skips `Drop`.
        remove_all(std::slice::from_ref(&path));
        assert!(!path.exists());
        drop(lock);
        // Dropped: no longer held, so a later forced exit leaves a new owner's file alone.
        assert!(!is_held(&path));
    }

    #[test]
    fn second_lock_refuses_and_a_stale_one_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), false).unwrap();
        let err = Lock::acquire(dir.path(), false).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        // A pid that cannot be running (above the kernel's pid_max).
        std::fs::write(dir.path().join(LOCK_FILE), "4294967\n").unwrap();
        let taken = Lock::acquire(dir.path(), false).unwrap();
        let held = std::fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert_eq!(held.trim(), std::process::id().to_string());
        drop(taken);
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_path_that_is_a_link_a_directory_or_a_second_name_is_refused() {
        // Regression (issue #22): a symbolic link at `.sweep.lock` was followed and its
        // target truncated and filled with a pid; a directory there was an os error, exit 1.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let path = out.join(LOCK_FILE);
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let err = Lock::acquire(&out, false).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(&format!(
                "{} is a symbolic link; sweep only writes regular files it creates",
                path.display()
            )),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
        std::fs::remove_file(&path).unwrap();

        std::fs::create_dir(&path).unwrap();
        let err = Lock::acquire(&out, true).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .contains(&format!("{} is a directory;", path.display())),
            "{err}"
        );
        std::fs::remove_dir(&path).unwrap();

        std::fs::hard_link(&victim, &path).unwrap();
        let err = Lock::acquire(&out, false).unwrap_err();
        assert!(
            err.to_string().contains("other names (hard links)"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    /// Two threads race for one lock `rounds` times; each round exactly one must get it.
    /// (flock, like the lock file, is per open file, so threads contend like processes.)
    fn race(rounds: usize, stale: bool) {
        for round in 0..rounds {
            let dir = tempfile::tempdir().unwrap();
            if stale {
                std::fs::write(dir.path().join(LOCK_FILE), "4294967\n").unwrap();
            }
            let barrier = std::sync::Barrier::new(2);
            let results: Vec<Result<Lock>> = std::thread::scope(|s| {
                let contenders: Vec<_> = (0..2)
                    .map(|_| {
                        s.spawn(|| {
                            barrier.wait();
                            Lock::acquire(dir.path(), false)
                        })
                    })
                    .collect();
                contenders.into_iter().map(|c| c.join().unwrap()).collect()
            });
            let held = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(held, 1, "round {round} (stale: {stale}): {results:?}");
            let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
            assert!(
                refused.to_string().contains("is in use by another sweep"),
                "{refused}"
            );
        }
    }

    #[test]
    fn two_contenders_for_a_stale_lock_never_both_take_it_over() {
        // Regression: both could find the lock stale, and the second removed the lock the
        // first had just taken over.
        race(300, true);
    }

    #[test]
    fn two_contenders_for_a_free_directory_never_both_lock_it() {
        // Regression: the second could read the first's lock before its pid was written,
        // take the empty file for stale and remove it.
        race(300, false);
    }
}
