//! One sweep per results directory on a machine: a lock file holding the owner's pid.
//!
//! A second `sweep run` on the same directory refuses, naming the owner, or waits for it
//! (`--wait`). A lock whose process is gone (a killed sweep) is stale and taken over.
//! Shards of a Slurm array take no lock: their records are atomic and never shared.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

pub const LOCK_FILE: &str = ".sweep.lock";

/// Held while a sweep writes a results directory; removed when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    pub fn acquire(out: &Path, wait: bool) -> Result<Lock> {
        let path = out.join(LOCK_FILE);
        let mut told = false;
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    writeln!(file, "{}", std::process::id()).map_err(|e| Error::io(&path, e))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
            let owner = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            match owner {
                Some(pid) if is_alive(pid) => {
                    if !wait {
                        return Err(Error::Usage(format!(
                            "{} is in use by another sweep (pid {pid}, lock file {}); wait for it \
                             to finish, or pass --wait to wait here",
                            out.display(),
                            path.display()
                        )));
                    }
                    if !told {
                        eprintln!(
                            "sweep: waiting for the sweep with pid {pid} to release {}",
                            out.display()
                        );
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                stale => {
                    // A dead owner (or a lock cut short while being written): take it over.
                    let who = stale.map_or("an unknown process".to_owned(), |p| format!("pid {p}"));
                    eprintln!(
                        "sweep: taking over the stale lock of {who}, which is no longer running"
                    );
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process with this pid runs on this machine (Linux's /proc; elsewhere assume so).
pub fn is_alive(pid: u32) -> bool {
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
}
