//! The one way anything in a results directory is written: under a temporary name in the
//! same folder, synced, then renamed into place, so a reader (or a resumed sweep) sees a
//! file whole or not at all, even after kill -9.
//!
//! Temporaries are named `.<file>.<host>.<pid>.tmp` after their writer, so that a later
//! process can tell whether the writer is gone ([`remove_stale`]). Every file of a results
//! directory, tables, records, weights, figures and the report alike, goes through here.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::safe;
use crate::error::{Error, Result};

/// A file being written; [`AtomicFile::commit`] puts it in place, dropping it uncommitted
/// removes the temporary.
pub(crate) struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    /// Taken by `commit`.
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `path` (under its temporary name). The temporary is a new file, never
    /// one opened through a link planted at its name; a directory at `path` is refused
    /// here, and a link there is replaced by the rename, its target untouched.
    pub(crate) fn create(path: &Path) -> Result<AtomicFile> {
        safe::replaceable(path)?;
        let tmp = temporary_path(path);
        let file = safe::create_new(&tmp)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            writer: Some(BufWriter::new(file)),
        })
    }

    /// Flushes, syncs and renames the file into place; returns its path.
    #[allow(clippy::expect_used, reason = "commit takes self, so it runs once")]
    pub(crate) fn commit(mut self) -> Result<PathBuf> {
        let writer = self.writer.take().expect("commit is called once");
        let path = self.path.clone();
        let fail = |e: std::io::Error| Error::io(&path, e);
        let put = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&self.tmp, &path));
        if let Err(e) = put {
            let _ = std::fs::remove_file(&self.tmp);
            // A directory made at `path` meanwhile is named as such.
            safe::replaceable(&path)?;
            return Err(fail(e));
        }
        Ok(path)
    }
}

#[allow(
    clippy::expect_used,
    reason = "the writer is taken only by commit, which consumes the file"
)]
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer
            .as_mut()
            .expect("writes come before commit")
            .write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer
            .as_mut()
            .expect("writes come before commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // After a commit the temporary is already renamed away; after an error on the way
        // this leaves none behind.
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.commit().map(|_| ())
}

/// Who may be writing a results directory besides this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// This process holds the directory's lock: a temporary of this host whose pid is not
    /// running here was left by a killed process.
    Locked,
    /// Shards (on any node, maybe in other pid namespaces) write here too: only age tells
    /// an abandoned temporary.
    Shared,
}

/// A temporary file untouched for this long was abandoned: a file is written and synced in
/// well under a second, even on a slow shared filesystem.
pub(crate) const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes the temporaries in `dir` whose writers are gone, and only those: a temporary may
/// belong to a live writer on another node (Slurm shards share a results directory), whose
/// pid means nothing here. A temporary is abandoned if it is older than [`ABANDONED_AFTER`]
/// (no write takes that long), or, under [`Sharing::Locked`], if its name carries this host
/// and a pid not running here. A missing `dir` has none. Returns how many were removed.
pub(crate) fn remove_stale(dir: &Path, sharing: Sharing) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(writer) = temporary_writer(&name) else {
            continue;
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > ABANDONED_AFTER);
        let dead_here = sharing == Sharing::Locked
            && this_host().is_some_and(|h| writer.host == h)
            && writer.pid.is_some_and(|p| !super::lock::is_alive(p));
        if (old || dead_here) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// The writer a temporary's name records: `.<file>.<host>.<pid>.tmp`.
#[derive(Debug, PartialEq, Eq)]
struct Writer<'a> {
    host: &'a str,
    pid: Option<u32>,
}

/// The writer of temporary file `name`, or `None` if `name` is not a temporary. (Older
/// versions wrote `.<file>.<pid>.tmp`; their "host" then reads as the file's extension,
/// which no host is called, so only their age can make them abandoned.)
fn temporary_writer(name: &str) -> Option<Writer<'_>> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = rest.rsplitn(3, '.');
    let pid = parts.next()?.parse().ok();
    let host = parts.next().unwrap_or("");
    Some(Writer { host, pid })
}

/// This machine's host name as temporary names carry it (dots and other punctuation as
/// `_`), or `None` if it cannot be found, in which case no temporary counts as this host's.
fn this_host() -> Option<&'static str> {
    static HOST: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())?;
        let host: String = raw
            .trim()
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        (!host.is_empty()).then_some(host)
    })
    .as_deref()
}

/// The temporary name `path` is written under: this host and pid, so that another process
/// can tell whether its writer is gone.
/// This machine's name, for the names of temporaries and record logs.
pub(crate) fn host_name() -> &'static str {
    this_host().unwrap_or("unknown-host")
}

/// Syncs directory `dir`, so that a file just created in it survives a crash (best
/// effort: some filesystems cannot open a directory for it).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let host = this_host().unwrap_or("unknown-host");
    path.with_file_name(format!(".{name}.{host}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A pid above the kernel's pid_max, so never running.
    const DEAD: u32 = 4_294_967;

    fn touch(dir: &Path, name: &str, age: std::time::Duration) {
        let file = File::create(dir.join(name)).unwrap();
        file.set_modified(std::time::SystemTime::now() - age)
            .unwrap();
    }

    fn names(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn temporary_names_carry_host_and_pid() {
        let host = this_host().unwrap_or("unknown-host");
        let tmp = temporary_path(Path::new("/x/runs/abc.json"));
        let name = tmp.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, format!(".abc.json.{host}.{}.tmp", std::process::id()));
        assert_eq!(
            temporary_writer(name),
            Some(Writer {
                host,
                pid: Some(std::process::id())
            })
        );
        assert_eq!(temporary_writer("abc.json"), None);
        assert_eq!(
            temporary_writer(".abc.json.7.tmp").map(|w| w.host),
            Some("json")
        );
    }

    #[test]
    fn only_temporaries_whose_writer_is_provably_gone_are_removed() {
        // Regression: any temporary whose pid was not running *here* was removed, including
        // the in-flight writes of shards on other nodes of a shared results directory.
        let Some(host) = this_host() else {
            crate::skip_or_fail(
                "only_temporaries_whose_writer_is_provably_gone_are_removed",
                "this machine's host name cannot be read",
            );
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let fresh = std::time::Duration::ZERO;
        let old = ABANDONED_AFTER + std::time::Duration::from_secs(60);
        let me = std::process::id();
        let dead_here = format!(".a.json.{host}.{DEAD}.tmp");
        let live_here = format!(".b.json.{host}.{me}.tmp");
        let other_node = format!(".c.json.{host}-other-node.{DEAD}.tmp");
        let old_other_node = format!(".d.json.{host}-other-node.{DEAD}.tmp");
        let old_legacy = format!(".e.json.{DEAD}.tmp");
        for (name, age) in [
            (&dead_here, fresh),
            (&live_here, fresh),
            (&other_node, fresh),
            (&old_other_node, old),
            (&old_legacy, old),
            (&"f.json".to_owned(), old),
        ] {
            touch(dir.path(), name, age);
        }
        // Shards: only age counts.
        assert_eq!(remove_stale(dir.path(), Sharing::Shared).unwrap(), 2);
        let left = names(dir.path());
        assert!(!left.contains(&old_other_node) && !left.contains(&old_legacy));
        assert!(left.contains(&dead_here) && left.contains(&other_node));
        // Under the lock, also this host's dead writers.
        assert_eq!(remove_stale(dir.path(), Sharing::Locked).unwrap(), 1);
        let want: BTreeSet<String> = [live_here, other_node, "f.json".to_owned()].into();
        assert_eq!(names(dir.path()), want);
        assert_eq!(
            remove_stale(&dir.path().join("none"), Sharing::Locked).unwrap(),
            0
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_temporarys_name_is_refused_and_one_at_the_files_name_replaced() {
        // Regression (issue #22): `File::create` opened a link planted at the temporary's
        // (predictable) name and truncated and filled its target.
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("runs.csv");
        let tmp = temporary_path(&path);
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        let err = write(&path, b"table").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(&format!(
                "{} is a symbolic link; sweep only writes regular files it creates",
                tmp.display()
            )),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!path.exists());
        std::fs::remove_file(&tmp).unwrap();
        // A leftover regular temporary of this name is a killed writer's: replaced.
        std::fs::write(&tmp, "half").unwrap();
        write(&path, b"table").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"table");
        assert!(!tmp.exists());
        // A link at the file's own name: the rename replaces the link, not its target.
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write(&path, b"table").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        // A directory there is refused before anything is written.
        let taken = dir.path().join("report.md");
        std::fs::create_dir(&taken).unwrap();
        let err = write(&taken, b"report").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("is a directory;"), "{err}");
        assert_eq!(names(dir.path()).len(), 3, "{:?}", names(dir.path()));
    }

    #[test]
    fn a_dropped_write_leaves_no_temporary_and_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write(&path, b"old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"half").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), BTreeSet::from(["t.csv".to_owned()]));
        write(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }
}
