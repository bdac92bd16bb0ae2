//! Append-only record logs: one file per writing process (`runs/<writer>.log`), so a sweep
//! leaves as many files as it had writers (a local sweep, each shard, each Slurm task), not
//! one per run, and no two processes ever append to one file (NFS and Lustre do not make
//! that safe).
//!
//! A log opens with [`LOG_MAGIC`]; then frames, each `FRAME_MAGIC | length u32 | crc32 u32 |
//! payload`, the checksum over the length and the payload. A frame whose bytes do not add
//! up (a torn tail after kill -9 or a full disk, a flipped bit) is found by its checksum;
//! reading resumes at the next frame magic whose frame checks out, so one bad frame costs
//! only its own run. The writer holds a `flock` on its log for its lifetime: a log nobody
//! holds is finished, and a frame cut short at its end is torn, not still being written.
//!
//! Appends go straight to the file (a killed process loses nothing it wrote) and are
//! synced at most [`SYNC_EVERY`] apart, so a machine that loses power loses at most that
//! long of finished runs, which the next `sweep run` trains again, to the same bits.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::safe;
use crate::error::{Error, Result};

pub(crate) const LOG_MAGIC: &[u8; 8] = b"SWEEPLG1";
const FRAME_MAGIC: &[u8; 4] = b"\xa7RUN";
pub(crate) const HEADER: usize = 12;
/// Frames above this are not frames: a garbled length.
const MAX_FRAME: u32 = 64 << 20;
/// The longest a finished run waits for its fsync.
pub(crate) const SYNC_EVERY: Duration = Duration::from_secs(1);
pub(crate) const LOG_SUFFIX: &str = ".log";

/// A frame's bytes: magic, length, checksum, payload.
pub(crate) fn frame(payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(FRAME_MAGIC);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&checksum(len, payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn checksum(len: u32, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&len.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// A name no other writer takes: host, process, start time.
pub(crate) fn writer_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let host = super::atomic::host_name();
    format!("{nanos:020}-{host}-{}{LOG_SUFFIX}", std::process::id())
}

/// This process's log, appended to.
#[derive(Debug)]
pub(crate) struct LogWriter {
    path: PathBuf,
    file: File,
    last_sync: Instant,
    unsynced: bool,
}

impl LogWriter {
    /// Creates a new log in `dir`, locked for as long as it is open.
    pub(crate) fn create(dir: &Path) -> Result<LogWriter> {
        let path = dir.join(writer_name());
        let mut file = safe::create_new(&path)?;
        // A log nobody holds is finished; where the filesystem has no locks, every log
        // reads as finished and a torn tail is set aside only by a later writer.
        let _ = file.try_lock();
        file.write_all(LOG_MAGIC).map_err(|e| Error::io(&path, e))?;
        file.sync_all().map_err(|e| Error::io(&path, e))?;
        super::atomic::sync_dir(dir);
        Ok(LogWriter {
            path,
            file,
            last_sync: Instant::now(),
            unsynced: false,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends whole frames in one write, syncing if the last sync is [`SYNC_EVERY`] old.
    pub(crate) fn append(&mut self, frames: &[u8]) -> Result<()> {
        self.file
            .write_all(frames)
            .map_err(|e| Error::io(&self.path, e))?;
        self.unsynced = true;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    /// Makes every appended frame durable.
    pub(crate) fn sync(&mut self) -> Result<()> {
        if self.unsynced {
            self.file
                .sync_data()
                .map_err(|e| Error::io(&self.path, e))?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

/// Whether some process holds log `path` (is appending to it).
pub(crate) fn is_live(path: &Path) -> bool {
    let Ok(file) = safe::open_read(path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    }
}

/// What reading a log found from some offset on.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Each good frame: its offset and its payload.
    pub frames: Vec<(u64, Vec<u8>)>,
    /// Byte ranges that are no frame, with why.
    pub bad: Vec<(u64, u64, String)>,
    /// Where reading stopped: the end of the last whole frame or bad range. Bytes past it
    /// are a frame cut short: still being written, or torn if the writer is gone.
    pub end: u64,
    /// The length of the file when read.
    pub len: u64,
}

/// Reads the frames of log `path` from `from` (the magic's end at first).
pub(crate) fn scan(path: &Path, from: u64) -> Result<Scan> {
    let mut file = safe::open_read(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut scan = Scan {
        end: from,
        len,
        ..Scan::default()
    };
    if from == 0 {
        let mut magic = [0u8; 8];
        if len < 8 {
            return Ok(scan);
        }
        file.read_exact(&mut magic)
            .map_err(|e| Error::io(path, e))?;
        if &magic != LOG_MAGIC {
            scan.bad
                .push((0, len, "it is not a sweep record log".into()));
            scan.end = len;
            return Ok(scan);
        }
        scan.end = 8;
    }
    file.seek(SeekFrom::Start(scan.end))
        .map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity((len - scan.end).min(64 << 20) as usize);
    file.take(len - scan.end)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    read_frames(&bytes, scan.end, &mut scan);
    Ok(scan)
}

/// The frames of `bytes`, which start at offset `base` of their log. Bytes that are no
/// frame but are followed by one are a bad range; at the end, they are the tail, which
/// [`Scan::end`] stops before (a frame still being written looks the same until it is
/// whole).
fn read_frames(bytes: &[u8], base: u64, scan: &mut Scan) {
    let mut at = 0usize;
    while at < bytes.len() {
        let why = match frame_at(bytes, at) {
            Found::Frame(end) => {
                scan.frames
                    .push((base + at as u64, bytes[at + HEADER..end].to_vec()));
                at = end;
                continue;
            }
            Found::Short => "its length runs past the next frame".to_owned(),
            Found::Bad(why) => why,
        };
        let Some(next) = next_frame(bytes, at + 1) else {
            break;
        };
        scan.bad.push((base + at as u64, base + next as u64, why));
        at = next;
    }
    scan.end = base + at as u64;
}

enum Found {
    Frame(usize),
    /// Fewer bytes than the frame says it has: the tail, being written or torn.
    Short,
    Bad(String),
}

fn frame_at(bytes: &[u8], at: usize) -> Found {
    let rest = &bytes[at..];
    if rest.len() < HEADER {
        return if FRAME_MAGIC.starts_with(&rest[..rest.len().min(4)]) {
            Found::Short
        } else {
            Found::Bad("it is no frame".into())
        };
    }
    if &rest[..4] != FRAME_MAGIC {
        return Found::Bad("it is no frame".into());
    }
    let len = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    let crc = u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]);
    if len > MAX_FRAME {
        return Found::Bad(format!("its length {len} is not a frame's"));
    }
    let end = HEADER + len as usize;
    if rest.len() < end {
        return Found::Short;
    }
    if checksum(len, &rest[HEADER..end]) != crc {
        return Found::Bad("its checksum does not match its bytes".into());
    }
    Found::Frame(at + end)
}

/// The first offset from `from` on where a whole, checked frame starts.
fn next_frame(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at + HEADER <= bytes.len() {
        let i = bytes[at..].windows(4).position(|w| w == FRAME_MAGIC)?;
        at += i;
        if let Found::Frame(_) = frame_at(bytes, at) {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Reads the frame at `offset` of `file` (`len` payload bytes), checking it again.
pub(crate) fn read_frame(file: &File, path: &Path, offset: u64, len: u32) -> Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = vec![0u8; HEADER + len as usize];
    file.read_exact_at(&mut bytes, offset)
        .map_err(|e| Error::io(path, e))?;
    match frame_at(&bytes, 0) {
        Found::Frame(_) => Ok(bytes.split_off(HEADER)),
        _ => Err(Error::io(
            path,
            std::io::Error::other(format!(
                "the frame at byte {offset} changed since it was read"
            )),
        )),
    }
}

/// Writes `frames` (payloads) as a new log at `path`, atomically: a finished log rewritten
/// without some of its frames.
pub(crate) fn rewrite(path: &Path, payloads: &[Vec<u8>]) -> Result<()> {
    let mut bytes = LOG_MAGIC.to_vec();
    for p in payloads {
        bytes.extend_from_slice(&frame(p));
    }
    super::atomic::write(path, &bytes)
}

/// Opens `path` for appending a frame by hand (tests and conversions).
#[cfg(test)]
pub(crate) fn append_raw(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(dir: &Path, payloads: &[&[u8]]) -> PathBuf {
        let mut w = LogWriter::create(dir).unwrap();
        for p in payloads {
            w.append(&frame(p)).unwrap();
        }
        w.path().to_path_buf()
    }

    #[test]
    fn frames_read_back_and_a_torn_tail_is_short_not_bad() {
        let tmp = tempfile::tempdir().unwrap();
        let path = log_of(tmp.path(), &[b"one", b"two!"]);
        let s = scan(&path, 0).unwrap();
        assert_eq!(s.frames, vec![(8, b"one".to_vec()), (23, b"two!".to_vec())]);
        assert!(s.bad.is_empty());
        assert_eq!((s.end, s.len), (39, 39));
        // Half a frame at the end: reading stops before it, nothing is called bad.
        append_raw(&path, &frame(b"three")[..10]);
        let s = scan(&path, 0).unwrap();
        assert_eq!((s.frames.len(), s.end, s.len), (2, 39, 49));
        assert!(s.bad.is_empty());
        // Reading on from where it stopped, once the frame is whole.
        append_raw(&path, &frame(b"three")[10..]);
        let s = scan(&path, 39).unwrap();
        assert_eq!(s.frames, vec![(39, b"three".to_vec())]);
    }

    #[test]
    fn a_garbled_frame_costs_itself_only() {
        let tmp = tempfile::tempdir().unwrap();
        let path = log_of(tmp.path(), &[b"aaaa", b"bbbb", b"cccc"]);
        let mut bytes = std::fs::read(&path).unwrap();
        // Flip a byte of the second frame's payload, then one of the third's length.
        bytes[8 + 16 + 13] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let s = scan(&path, 0).unwrap();
        assert_eq!(
            s.frames,
            vec![(8, b"aaaa".to_vec()), (40, b"cccc".to_vec())]
        );
        assert_eq!(
            s.bad,
            vec![(24, 40, "its checksum does not match its bytes".to_owned())]
        );
        bytes[8 + 16 + 13] ^= 1;
        // A garbled length in the middle is a bad range; at the end, the tail.
        bytes[24 + 5] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let s = scan(&path, 0).unwrap();
        assert_eq!(s.frames.len(), 2);
        assert_eq!(
            s.bad,
            vec![(24, 40, "its length runs past the next frame".to_owned())]
        );
        bytes[24 + 5] = 0;
        bytes[40 + 5] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let s = scan(&path, 0).unwrap();
        assert_eq!((s.frames.len(), s.bad.len(), s.end, s.len), (2, 0, 40, 56));
        // Not a log at all.
        std::fs::write(&path, b"hello, world").unwrap();
        assert_eq!(
            scan(&path, 0).unwrap().bad[0].2,
            "it is not a sweep record log"
        );
    }

    #[test]
    fn a_log_is_live_while_its_writer_holds_it() {
        let tmp = tempfile::tempdir().unwrap();
        let w = LogWriter::create(tmp.path()).unwrap();
        let path = w.path().to_path_buf();
        assert!(is_live(&path));
        drop(w);
        assert!(!is_live(&path));
    }
}
