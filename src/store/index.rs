//! Where each run's record is among the logs of `runs/` ([`super::log`]): built by reading
//! every log once and kept up to date by reading only what was appended since, so a
//! million records are found without a million files and without holding a million
//! records (an entry is an offset).
//!
//! Every record is checked as it is read ([`RunRecord::check`]): the index holds sound
//! records only, and lists the rest, and the bytes that are no frame, as problems of their
//! log. Two records of one run (a run stopped by successive halving, then trained on; a
//! resumed shard that trained a run again) are one run: the further-trained one counts, and
//! of equals the first read, so nothing is counted twice.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::codec::{self, CONTEXT, Context, RUN, Reader};
use super::log::{self, LOG_SUFFIX};
use super::record::RunRecord;
use super::safe;
use crate::error::{Error, Result};

/// The most contexts (configurations) one log may name.
const MAX_CONTEXTS: u64 = 1 << 24;

/// Where a sound record is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    log: usize,
    offset: u64,
    len: u32,
    /// Not stopped by halving, then epochs: the record that counts is the greatest.
    rank: (bool, usize),
}

/// One log, as far as it was read.
#[derive(Debug)]
pub(crate) struct LogState {
    pub path: PathBuf,
    /// Its inode: a log rewritten (repaired, cleaned) by another process is another file.
    ino: u64,
    /// The end of the last whole frame read; bytes from here to `len` are the tail.
    pub end: u64,
    pub len: u64,
    contexts: Vec<Option<Context>>,
    file: Option<File>,
    pub bad: Vec<(u64, u64, String)>,
    /// Frames whose record is not sound, set aside when the log is repaired.
    pub rejected: usize,
}

impl LogState {
    /// Whether anything in it is not a sound record, counting a tail cut short.
    pub(crate) fn has_problems(&self) -> bool {
        !self.bad.is_empty() || self.rejected > 0 || self.end < self.len
    }
}

/// Every log of a `runs/` folder and the sound records in them.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub logs: Vec<LogState>,
    pub runs: HashMap<String, Entry>,
}

impl Index {
    /// Reads what was appended to the logs of `dir` since the last refresh, and any new
    /// log. A log replaced by another process (its inode changed) starts the index anew.
    pub(crate) fn refresh(&mut self, dir: &Path) -> Result<()> {
        for path in log_paths(dir)? {
            if !self.logs.iter().any(|l| l.path == path) {
                self.logs.push(LogState {
                    path,
                    ino: 0,
                    end: 0,
                    len: 0,
                    contexts: Vec::new(),
                    file: None,
                    bad: Vec::new(),
                    rejected: 0,
                });
            }
        }
        for i in 0..self.logs.len() {
            if !self.read_on(i)? {
                *self = Index::default();
                return self.refresh(dir);
            }
        }
        Ok(())
    }

    /// Reads log `i` from where it was left; `false` if it was replaced meanwhile.
    fn read_on(&mut self, i: usize) -> Result<bool> {
        let Index { logs, runs } = self;
        let state = &mut logs[i];
        let meta = match std::fs::metadata(&state.path) {
            Ok(meta) => meta,
            // Removed by `clean` in another process.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(state.end == 0),
            Err(e) => return Err(Error::io(&state.path, e)),
        };
        let ino = inode(&meta);
        if state.end > 0 && (ino != state.ino || meta.len() < state.end) {
            return Ok(false);
        }
        state.ino = ino;
        if state.end > 0 && meta.len() == state.len {
            return Ok(true);
        }
        let scan = log::scan(&state.path, state.end)?;
        state.end = scan.end;
        state.len = scan.len;
        state.bad.extend(scan.bad);
        for (offset, payload) in scan.frames {
            match read_payload(&payload, &mut state.contexts) {
                Ok(None) => {}
                Ok(Some(record)) => {
                    let entry = Entry {
                        log: i,
                        offset,
                        len: payload.len() as u32,
                        rank: rank(&record),
                    };
                    let kept = runs.entry(record.run_id).or_insert(entry);
                    if entry.rank > kept.rank {
                        *kept = entry;
                    }
                }
                Err(_) => state.rejected += 1,
            }
        }
        Ok(true)
    }

    /// The record at `entry`.
    pub(crate) fn read(&mut self, entry: Entry) -> Result<RunRecord> {
        let state = &mut self.logs[entry.log];
        if state.file.is_none() {
            let file = safe::open_read(&state.path).map_err(|e| Error::io(&state.path, e))?;
            state.file = Some(file);
        }
        let Some(file) = &state.file else {
            return Err(Error::io(&state.path, std::io::Error::other("not open")));
        };
        let payload = log::read_frame(file, &state.path, entry.offset, entry.len)?;
        codec::decode_run(&payload, &state.contexts).map_err(|why| {
            Error::io(
                &state.path,
                std::io::Error::other(format!("the record at byte {} {why}", entry.offset)),
            )
        })
    }
}

/// A frame's record, `None` for a context (kept in `contexts`), or what it is and why it
/// cannot be used.
fn read_payload(
    payload: &[u8],
    contexts: &mut Vec<Option<Context>>,
) -> std::result::Result<Option<RunRecord>, (String, String)> {
    match payload.first() {
        Some(&CONTEXT) => {
            let what = || "a configuration's context".to_owned();
            let mut r = Reader::new(&payload[1..]);
            let n = r.varint().map_err(|why| (what(), why))?;
            if n >= MAX_CONTEXTS {
                return Err((what(), format!("its number {n} is too large")));
            }
            let context = Context::from_bytes(&payload[payload.len() - r.rest()..])
                .map_err(|why| (what(), why))?;
            let n = n as usize;
            if contexts.len() <= n {
                contexts.resize(n + 1, None);
            }
            contexts[n] = Some(context);
            Ok(None)
        }
        Some(&RUN) => {
            let record = codec::decode_run(payload, contexts)
                .map_err(|why| ("a run's record".to_owned(), why))?;
            match record.check(&record.run_id) {
                Ok(()) => Ok(Some(record)),
                Err(why) => Err((format!("the record of run {}", record.run_id), why)),
            }
        }
        _ => Err((
            "a frame".into(),
            "it is of no kind this sweep writes".into(),
        )),
    }
}

fn rank(record: &RunRecord) -> (bool, usize) {
    (!record.status.pruned(), record.metrics.len())
}

/// The logs of `dir`, by name (oldest writer first: names start with the writer's start):
/// regular files only; anything else named like a log is [`planted`].
pub(crate) fn log_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(log_entries(dir)?
        .into_iter()
        .filter_map(|(path, regular)| regular.then_some(path))
        .collect())
}

/// Whatever is named like a log in `dir` but is no regular file (a FIFO, a link, a
/// folder): never read, set aside.
pub(crate) fn planted(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(log_entries(dir)?
        .into_iter()
        .filter_map(|(path, regular)| (!regular).then_some(path))
        .collect())
}

/// The entries of `dir` named like logs, and whether each is a regular file (not
/// following a link).
fn log_entries(dir: &Path) -> Result<Vec<(PathBuf, bool)>> {
    let mut paths = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(paths),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if let Some(name) = name.to_str()
            && name.ends_with(LOG_SUFFIX)
            && !name.starts_with('.')
        {
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            paths.push((entry.path(), regular));
        }
    }
    paths.sort();
    Ok(paths)
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// What repairing a finished log set aside.
pub(crate) struct SetAside {
    pub what: String,
    pub why: String,
    pub to: PathBuf,
}

/// Rewrites the finished log `path` with its sound frames only, after copying every byte
/// range that is not one (bad bytes, a torn tail, records that fail their check) into the
/// folder `damaged`, never overwriting a file there. A log left with no record is removed.
pub(crate) fn repair(path: &Path, damaged: &Path) -> Result<Vec<SetAside>> {
    let bytes = safe::read_regular(path).map_err(|e| Error::io(path, e))?;
    let scan = log::scan(path, 0)?;
    let mut contexts = Vec::new();
    let mut keep = Vec::new();
    let mut aside: Vec<(u64, u64, String, String)> = Vec::new();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
    for (offset, payload) in scan.frames {
        match read_payload(&payload, &mut contexts) {
            Ok(_) => keep.push(payload),
            Err((what, why)) => {
                let end = offset + (log::HEADER + payload.len()) as u64;
                aside.push((
                    offset,
                    end,
                    format!("{what} at byte {offset} of {name}"),
                    why,
                ));
            }
        }
    }
    for (from, to, why) in scan.bad {
        aside.push((from, to, format!("bytes {from}..{to} of {name}"), why));
    }
    if scan.end < scan.len {
        let (from, to) = (scan.end, scan.len);
        let why = "a frame cut short at its end, by a writer that is gone".to_owned();
        aside.push((from, to, format!("bytes {from}..{to} of {name}"), why));
    }
    let mut set_aside = Vec::new();
    for (from, to, what, why) in aside {
        let range = &bytes[(from as usize).min(bytes.len())..(to as usize).min(bytes.len())];
        let to = keep_aside(damaged, &format!("{name}.{from}"), range)?;
        set_aside.push(SetAside { what, why, to });
    }
    replace(path, &keep)?;
    Ok(set_aside)
}

/// Writes `bytes` into `damaged` as `<stem>.bad`, or `<stem>.<n>.bad` for the first name not
/// taken (a new file each time: never one another process set aside).
fn keep_aside(damaged: &Path, stem: &str, bytes: &[u8]) -> Result<PathBuf> {
    use std::io::Write;
    safe::dir(damaged)?;
    for n in 0.. {
        let name = match n {
            0 => format!("{stem}.bad"),
            n => format!("{stem}.{n}.bad"),
        };
        let path = damaged.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(bytes).map_err(|e| Error::io(&path, e))?;
                file.sync_all().map_err(|e| Error::io(&path, e))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Err(Error::io(damaged, std::io::Error::other("no free name")))
}

/// Rewrites log `path` without the records of `ids`, if it has any; a log some process is
/// appending to is refused (a sweep is running on the directory).
pub(crate) fn rewrite_without(path: &Path, ids: &std::collections::BTreeSet<String>) -> Result<()> {
    let scan = log::scan(path, 0)?;
    let mut contexts = Vec::new();
    let mut keep = Vec::new();
    let mut dropped = false;
    for (_, payload) in scan.frames {
        let drop =
            matches!(read_payload(&payload, &mut contexts), Ok(Some(r)) if ids.contains(&r.run_id));
        dropped |= drop;
        if !drop {
            keep.push(payload);
        }
    }
    if !dropped {
        return Ok(());
    }
    if log::is_live(path) {
        return Err(Error::Usage(format!(
            "{} is being written by a running sweep; stop it first",
            path.display()
        )));
    }
    replace(path, &keep)
}

/// Rewrites the finished log `path` with the frames `keep` only, or removes it when they
/// hold no run (contexts alone are no record).
fn replace(path: &Path, keep: &[Vec<u8>]) -> Result<()> {
    if keep.iter().any(|p| p.first() == Some(&RUN)) {
        log::rewrite(path, keep)
    } else {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))
    }
}
