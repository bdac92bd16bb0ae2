//! The records of a results directory, in its `runs/` folder: appended to one log per
//! writing process ([`super::log`], [`super::codec`]), found through an [`Index`] that reads
//! each log once, and checked as they are read. A sweep of a million runs leaves a few logs,
//! not a million files.
//!
//! Results directories written before the logs hold one `runs/<id>.json` file per run; they
//! are read as they are, and `sweep run` converts them into its log once (saying so). The
//! final weights of a run, when kept ([`super::WEIGHTS_KEPT_UP_TO`]), are a file of their own,
//! `runs/<id>.safetensors`, beside the logs.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::codec::{CONTEXT, Context, encode_run, put_varint};
use super::index::{self, Index};
use super::log::{self, LogWriter};
use super::record::RunRecord;
use super::{atomic, safe};
use crate::error::{Error, Result};
use crate::search::halving::{Saved, SavedRun};
use crate::weights::{Expected, SavedModel};

/// Why a run's weights file cannot serve as its final weights.
#[derive(Debug, Clone, PartialEq)]
pub enum BadWeights {
    /// No file at its path.
    Missing,
    /// A file that cannot be read as a sweep model, or is not this run's (why, in words).
    Unusable(String),
}

/// The folder of `runs/` that damaged records are moved into.
pub(crate) const DAMAGED: &str = "damaged";

/// A record, or bytes of a log, that could not be read, and where they were moved.
#[derive(Debug)]
pub struct Damaged {
    /// "the record of run X", "bytes A..B of <log>".
    pub what: String,
    pub why: String,
    pub to: PathBuf,
}

/// The `runs/` folder of a results directory. Clones share one index and one log writer.
#[derive(Debug, Clone)]
pub struct RecordStore {
    dir: PathBuf,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    index: Mutex<Index>,
    writer: Mutex<Option<Writer>>,
}

/// This process's log and the contexts already in it (by their bytes).
#[derive(Debug)]
struct Writer {
    log: LogWriter,
    contexts: HashMap<Vec<u8>, u32>,
}

impl Saved for RecordStore {
    fn saved_ids(&self) -> Result<BTreeSet<String>> {
        self.ids()
    }

    fn saved_run(&self, id: &str) -> Result<SavedRun> {
        let record = self.load(id)?;
        Ok(SavedRun {
            status: record.status,
            metrics: record.metrics,
        })
    }
}

impl RecordStore {
    fn new(dir: PathBuf) -> RecordStore {
        RecordStore {
            dir,
            shared: Arc::default(),
        }
    }

    /// The folder the records are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens (creating) `<out>/runs`, which must be a real directory (`out` may be a link).
    pub fn open(out: &Path) -> Result<RecordStore> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let dir = out.join("runs");
        safe::dir(&dir)?;
        Ok(RecordStore::new(dir))
    }

    /// The store of results directory `out`, whether or not it exists yet.
    pub fn at(out: &Path) -> RecordStore {
        RecordStore::new(out.join("runs"))
    }

    /// Opens an existing results directory without creating anything.
    pub fn existing(out: &Path) -> Result<RecordStore> {
        let dir = out.join("runs");
        // Not a link: `clean` removes records and damaged ones are moved, here.
        if safe::existing_dir(&dir)? {
            Ok(RecordStore::new(dir))
        } else {
            Err(Error::Usage(format!(
                "{} is not a results directory (it has no runs/ folder)",
                out.display()
            )))
        }
    }

    fn index(&self) -> MutexGuard<'_, Index> {
        self.shared.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn writer(&self) -> MutexGuard<'_, Option<Writer>> {
        self.shared.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ids of every sound record in the logs, and of every per-run file of an older store.
    pub fn ids(&self) -> Result<BTreeSet<String>> {
        let mut index = self.index();
        index.refresh(&self.dir)?;
        let mut ids: BTreeSet<String> = index.runs.keys().cloned().collect();
        ids.extend(self.json_ids()?);
        Ok(ids)
    }

    /// Reads one record.
    pub fn load(&self, run_id: &str) -> Result<RunRecord> {
        let mut index = self.index();
        let mut entry = index.runs.get(run_id).copied();
        if entry.is_none() {
            index.refresh(&self.dir)?;
            entry = index.runs.get(run_id).copied();
        }
        match entry {
            Some(entry) => match index.read(entry) {
                Ok(record) => Ok(record),
                // Its log was rewritten by another process since it was read: read anew.
                Err(_) => {
                    *index = Index::default();
                    index.refresh(&self.dir)?;
                    match index.runs.get(run_id).copied() {
                        Some(entry) => index.read(entry),
                        None => self.load_json(run_id),
                    }
                }
            },
            None => self.load_json(run_id),
        }
    }

    /// Lets go of the index (it is read again when next needed): memory a report of a
    /// million runs wants more.
    pub fn forget(&self) {
        *self.index() = Index::default();
    }

    /// Appends `record` to this process's log (creating it on the first record); returns
    /// the log's path. A write that fails leaves the log to be repaired and the next record
    /// starts a new one.
    pub fn save(&self, record: &RunRecord) -> Result<PathBuf> {
        let mut guard = self.writer();
        let writer = match &mut *guard {
            Some(writer) => writer,
            none => none.insert(Writer {
                log: LogWriter::create(&self.dir)?,
                contexts: HashMap::new(),
            }),
        };
        let path = writer.log.path().to_path_buf();
        let context = Context::of(record).to_bytes();
        let mut bytes = Vec::new();
        let known = writer.contexts.get(&context).copied();
        let number = known.unwrap_or(writer.contexts.len() as u32);
        if known.is_none() {
            let mut payload = vec![CONTEXT];
            put_varint(&mut payload, u64::from(number));
            payload.extend_from_slice(&context);
            bytes.extend_from_slice(&log::frame(&payload));
        }
        let payload = encode_run(record, number).map_err(|why| {
            Error::io(
                &path,
                std::io::Error::other(format!("run {}: {why}", record.run_id)),
            )
        })?;
        bytes.extend_from_slice(&log::frame(&payload));
        if let Err(e) = writer.log.append(&bytes) {
            *guard = None;
            return Err(e);
        }
        if known.is_none() {
            writer.contexts.insert(context, number);
        }
        Ok(path)
    }

    /// Makes every record this process saved durable (they are synced a second apart
    /// otherwise).
    pub fn sync(&self) -> Result<()> {
        match &mut *self.writer() {
            Some(writer) => writer.log.sync(),
            None => Ok(()),
        }
    }

    /// The log this process appends to, once it saved a record.
    fn own_log(&self) -> Option<PathBuf> {
        self.writer().as_ref().map(|w| w.log.path().to_path_buf())
    }

    pub fn weights_path(&self, run_id: &str) -> PathBuf {
        self.dir.join(format!("{run_id}.safetensors"))
    }

    /// Saves a run's final weights atomically.
    pub fn save_weights(&self, run_id: &str, weights: &SavedModel) -> Result<()> {
        let path = self.weights_path(run_id);
        let bytes = weights
            .to_bytes()
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        atomic::write(&path, &bytes)
    }

    /// Reads run `record`'s final weights and checks that they are its own ([`Expected`]):
    /// the id they name, their hidden size, and, given `data` (the vocabulary and classes of
    /// the run's data), their vocabulary and classes.
    pub fn load_weights(
        &self,
        record: &RunRecord,
        data: Option<(&[String], &[String])>,
    ) -> std::result::Result<SavedModel, BadWeights> {
        let hidden_size = usize::try_from(record.settings.hidden_size).unwrap_or(usize::MAX);
        self.load_weights_of(&record.run_id, hidden_size, data)
    }

    /// Run `id`'s weights file, checked against the run (its id, `hidden_size` and, given,
    /// its data's vocabulary and classes): what [`RecordStore::load_weights`] does without
    /// needing the record read.
    pub fn load_weights_of(
        &self,
        id: &str,
        hidden_size: usize,
        data: Option<(&[String], &[String])>,
    ) -> std::result::Result<SavedModel, BadWeights> {
        let path = self.weights_path(id);
        // Not waiting on a FIFO, nor reading a device without end, planted as weights.
        let bytes = match safe::read_regular(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(BadWeights::Missing),
            Err(e) => return Err(BadWeights::Unusable(e.to_string())),
            Ok(bytes) => bytes,
        };
        if bytes.is_empty() {
            return Err(BadWeights::Unusable("it is empty".into()));
        }
        let saved = SavedModel::from_bytes(&bytes).map_err(BadWeights::Unusable)?;
        let want = Expected {
            run_id: id,
            hidden_size,
            data,
        };
        saved.check(&want).map_err(BadWeights::Unusable)?;
        Ok(saved)
    }

    /// Moves run `id`'s weights file into `runs/damaged/`, under a name not taken there yet,
    /// never deleting it; returns where it went (`None`: another process moved it first).
    pub fn set_aside_weights(&self, id: &str) -> Result<Option<PathBuf>> {
        let damaged = self.dir.join(DAMAGED);
        safe::dir(&damaged)?;
        Ok(claim(&self.weights_path(id), &damaged, id, "safetensors")?.map(|(to, _)| to))
    }

    /// Moves every record that cannot be read into `runs/damaged/`, never deleting it, so
    /// that its run counts as missing and is trained again: in a finished log, its bytes
    /// (and any bytes that are no frame, and a tail cut short) are copied there and the log
    /// rewritten without them; an older per-run file is moved. A log some process still
    /// appends to is left for later. Returns what was set aside, each with why.
    pub fn set_aside_damaged(&self) -> Result<Vec<Damaged>> {
        let mut damaged = self.set_aside_damaged_files()?;
        for path in index::planted(&self.dir)? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
            let stem = name.strip_suffix(".log").unwrap_or(name).to_owned();
            let aside = self.dir.join(DAMAGED);
            safe::dir(&aside)?;
            if let Some((to, _)) = claim(&path, &aside, &stem, "log")? {
                damaged.push(Damaged {
                    what: path.display().to_string(),
                    why: "it is not a regular file".into(),
                    to,
                });
            }
        }
        let own = self.own_log();
        let mut index = self.index();
        index.refresh(&self.dir)?;
        let finished: Vec<PathBuf> = index
            .logs
            .iter()
            .filter(|l| l.has_problems() && own.as_ref() != Some(&l.path))
            .filter(|l| !log::is_live(&l.path))
            .map(|l| l.path.clone())
            .collect();
        for path in &finished {
            for s in index::repair(path, &self.dir.join(DAMAGED))? {
                damaged.push(Damaged {
                    what: s.what,
                    why: s.why,
                    to: s.to,
                });
            }
        }
        if !finished.is_empty() {
            *index = Index::default();
            index.refresh(&self.dir)?;
        }
        Ok(damaged)
    }

    /// Ids of the saved records that read back whole and consistent (what `sweep run` would
    /// keep), without moving the others: what `sweep plan` counts as saved.
    pub fn sound_ids(&self) -> Result<BTreeSet<String>> {
        let mut index = self.index();
        index.refresh(&self.dir)?;
        let mut ids: BTreeSet<String> = index.runs.keys().cloned().collect();
        drop(index);
        for id in self.json_ids()? {
            if self.check_json(&id).is_ok() {
                ids.insert(id);
            }
        }
        Ok(ids)
    }

    /// Removes the records of `ids` (every copy, in every log) and their weights. A log
    /// some process is appending to is not rewritten: an error says which.
    pub fn remove_all(&self, ids: &BTreeSet<String>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut index = self.index();
        for path in index::log_paths(&self.dir)? {
            index::rewrite_without(&path, ids)?;
        }
        *index = Index::default();
        drop(index);
        for id in ids {
            let json = self.json_path(id);
            match std::fs::remove_file(&json) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&json, e));
                }
                _ => {}
            }
            let weights = self.weights_path(id);
            match std::fs::remove_file(&weights) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&weights, e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Moves the records of an older store (one `runs/<id>.json` per run) into this
    /// process's log, then removes the files; returns how many. Call after
    /// [`RecordStore::set_aside_damaged`], under the directory's lock.
    pub fn convert_files(&self) -> Result<usize> {
        let files = self.json_ids()?;
        if files.is_empty() {
            return Ok(0);
        }
        let logged: BTreeSet<String> = {
            let mut index = self.index();
            index.refresh(&self.dir)?;
            index.runs.keys().cloned().collect()
        };
        for id in files.iter().filter(|id| !logged.contains(*id)) {
            self.save(&self.load_json(id)?)?;
        }
        self.sync()?;
        atomic::sync_dir(&self.dir);
        for id in &files {
            let path = self.json_path(id);
            match std::fs::remove_file(&path) {
                // A shard converting the same directory removed it first.
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&path, e));
                }
                _ => {}
            }
        }
        Ok(files.len())
    }

    // The per-run files of an older store.

    fn json_path(&self, run_id: &str) -> PathBuf {
        self.dir.join(format!("{run_id}.json"))
    }

    fn json_ids(&self) -> Result<BTreeSet<String>> {
        let mut ids = BTreeSet::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let name = entry.file_name();
            // Temporary files start with a dot and are never records.
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json"))
                && !id.starts_with('.')
            {
                ids.insert(id.to_owned());
            }
        }
        Ok(ids)
    }

    fn load_json(&self, run_id: &str) -> Result<RunRecord> {
        let path = self.json_path(run_id);
        let bytes = safe::read_regular(&path).map_err(|e| Error::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::io(
                &path,
                std::io::Error::other(format!(
                    "not a readable run record ({e}); move it away to retrain the run"
                )),
            )
        })
    }

    /// Whether the file of record `id` reads back as a record of run `id`; why not, if not.
    fn check_json(&self, id: &str) -> std::result::Result<(), String> {
        let path = self.json_path(id);
        // Not waiting on a FIFO, nor reading a device without end, planted as a record.
        let bytes = safe::read_regular(&path).map_err(|e| e.to_string())?;
        if bytes.is_empty() {
            return Err("it is empty".into());
        }
        let record: RunRecord =
            serde_json::from_slice(&bytes).map_err(|e| format!("not a run record ({e})"))?;
        record.check(id)
    }

    fn set_aside_damaged_files(&self) -> Result<Vec<Damaged>> {
        let mut damaged = Vec::new();
        for id in self.json_ids()? {
            let Err(why) = self.check_json(&id) else {
                continue;
            };
            let to = self.set_aside_file(&id)?;
            damaged.push(Damaged {
                what: format!("the record of run {id}"),
                why,
                to,
            });
        }
        Ok(damaged)
    }

    /// Moves record file `id` (and its weights) into `runs/damaged/`, under a name not taken
    /// there yet; returns where the record went. Shards sharing the directory may set aside
    /// the same record at once: a name is claimed by a hard link, which fails rather than
    /// replace a file, and a record another process moved first is left to it.
    fn set_aside_file(&self, id: &str) -> Result<PathBuf> {
        let damaged = self.dir.join(DAMAGED);
        safe::dir(&damaged)?;
        let Some((to, free)) = claim(&self.json_path(id), &damaged, id, "json")? else {
            return Ok(damaged.join(format!("{id}.json")));
        };
        let weights = self.weights_path(id);
        let moved = damaged.join(format!("{free}.safetensors"));
        if std::fs::hard_link(&weights, &moved).is_ok() {
            let _ = std::fs::remove_file(&weights);
        }
        Ok(to)
    }
}

/// Moves `from` into the folder `damaged` as `<id>.<ext>`, or `<id>.<n>.<ext>` for the first
/// `n` not taken; returns where it went and the name it took (without `.<ext>`), or `None`
/// when `from` is gone (another process moved it first). A name is claimed by a hard link,
/// which fails rather than replace a file, so processes sharing the directory never
/// overwrite each other's.
fn claim(from: &Path, damaged: &Path, id: &str, ext: &str) -> Result<Option<(PathBuf, String)>> {
    let mut n = 0;
    let (to, free) = loop {
        let free = match n {
            0 => id.to_owned(),
            n => format!("{id}.{n}"),
        };
        let to = damaged.join(format!("{free}.{ext}"));
        match std::fs::hard_link(from, &to) {
            Ok(()) => break (to, free),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            // A filesystem without hard links: a plain rename, the name checked first.
            Err(_) if !to.exists() => {
                std::fs::rename(from, &to).map_err(|e| Error::io(from, e))?;
                return Ok(Some((to, free)));
            }
            Err(e) => return Err(Error::io(from, e)),
        }
    };
    // The link holds it now; another remover may have got there first.
    let _ = std::fs::remove_file(from);
    Ok(Some((to, free)))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::Rnn;
    use crate::settings::SettingsParams;
    use crate::store::record::{DataRef, RECORD_FORMAT};
    use crate::train::Status;

    fn record(id: &str, hidden_size: u64) -> RunRecord {
        RunRecord {
            format: RECORD_FORMAT,
            run_id: id.into(),
            experiment: "e".into(),
            seed: 0,
            settings: SettingsParams {
                hidden_size,
                ..Default::default()
            },
            data: DataRef {
                train: "train.tsv".into(),
                test: "test.tsv".into(),
                fingerprint: String::new(),
            },
            status: Status::Ok,
            metrics: Vec::new(),
            wall_ms: 0.0,
        }
    }

    fn weights(run: Option<&str>, hidden: usize) -> SavedModel {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        SavedModel {
            model: Rnn::init(2, hidden, 2, 0.5, &mut rng),
            vocab: vec!["a".into(), "b".into()],
            classes: vec!["0".into(), "1".into()],
            run: run.map(str::to_owned),
        }
    }

    #[test]
    fn weights_are_missing_unusable_or_the_runs_own_and_are_set_aside_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let store = RecordStore::open(tmp.path()).unwrap();
        let (a, b) = ("aaaaaaaaaaaa", "bbbbbbbbbbbb");
        let rec = record(a, 3);
        assert_eq!(store.load_weights(&rec, None), Err(BadWeights::Missing));
        store.save_weights(a, &weights(Some(a), 3)).unwrap();
        assert_eq!(store.load_weights(&rec, None), Ok(weights(Some(a), 3)));
        let unusable = |why: &str| Err(BadWeights::Unusable(why.into()));
        store.save_weights(a, &weights(Some(b), 3)).unwrap();
        assert_eq!(
            store.load_weights(&rec, None),
            unusable("they are the weights of run bbbbbbbbbbbb")
        );
        // A file without a run id: its shapes decide.
        store.save_weights(a, &weights(None, 3)).unwrap();
        assert_eq!(store.load_weights(&rec, None), Ok(weights(None, 3)));
        assert_eq!(
            store.load_weights(&record(a, 4), None),
            unusable("their hidden size is 3, where the run's settings say 4")
        );
        std::fs::write(store.weights_path(a), b"").unwrap();
        assert_eq!(store.load_weights(&rec, None), unusable("it is empty"));

        // Set aside twice: the second takes the next free name.
        let first = store.set_aside_weights(a).unwrap().unwrap();
        assert_eq!(first, store.dir().join("damaged/aaaaaaaaaaaa.safetensors"));
        assert_eq!(store.load_weights(&rec, None), Err(BadWeights::Missing));
        std::fs::write(store.weights_path(a), b"x").unwrap();
        let second = store.set_aside_weights(a).unwrap().unwrap();
        assert_eq!(
            second,
            store.dir().join("damaged/aaaaaaaaaaaa.1.safetensors")
        );
        assert_eq!(std::fs::read(&first).unwrap(), b"");
        assert_eq!(std::fs::read(&second).unwrap(), b"x");
        // Nothing to move: another process got there first.
        assert_eq!(store.set_aside_weights(a).unwrap(), None);
    }

    /// A sound record (its id its settings') of a 5-epoch run, as far as `epochs`.
    fn run(status: Status, epochs: u32) -> RunRecord {
        use crate::train::{EpochMetrics, Eval};
        let settings = SettingsParams {
            hidden_size: 3,
            epochs: 5,
            eval_every: 5,
            ..Default::default()
        };
        let id = crate::train::run_id(&settings.clone().check().unwrap(), 0, "");
        let eval = Eval {
            loss: 0.5,
            accuracy: 0.5,
        };
        let metrics = (1..=epochs)
            .map(|epoch| EpochMetrics {
                epoch,
                train: eval,
                test: (epoch == 5).then_some(eval),
            })
            .collect();
        RunRecord {
            status,
            metrics,
            settings,
            ..record(&id, 3)
        }
    }

    #[test]
    fn two_records_of_one_run_count_once_the_further_trained_one() {
        let tmp = tempfile::tempdir().unwrap();
        let store = RecordStore::open(tmp.path()).unwrap();
        let pruned = run(Status::Pruned { epoch: 2 }, 2);
        let whole = run(Status::Ok, 5);
        let id = whole.run_id.clone();
        store.save(&pruned).unwrap();
        store.save(&whole).unwrap();
        // A second writer (a resumed shard) saved the stopped one again, later.
        let other = RecordStore::at(tmp.path());
        other.save(&pruned).unwrap();
        drop(other);
        let reader = RecordStore::at(tmp.path());
        assert_eq!(reader.ids().unwrap().len(), 1);
        assert_eq!(reader.load(&id).unwrap(), whole);
    }

    #[test]
    fn a_live_writers_tail_is_left_alone_and_a_dead_ones_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let writer = RecordStore::open(tmp.path()).unwrap();
        let whole = run(Status::Ok, 5);
        writer.save(&whole).unwrap();
        let log = writer.own_log().unwrap();
        // Half a frame at the end of the live log: being written, as far as anyone knows.
        let frame = super::log::frame(b"\x02 half of it");
        super::log::append_raw(&log, &frame[..9]);
        let reader = RecordStore::at(tmp.path());
        assert!(reader.set_aside_damaged().unwrap().is_empty());
        assert_eq!(reader.ids().unwrap().len(), 1);
        // Its writer gone, the tail is torn: copied aside, the log rewritten without it.
        drop(writer);
        let damaged = reader.set_aside_damaged().unwrap();
        assert_eq!(damaged.len(), 1, "{damaged:?}");
        assert_eq!(std::fs::read(&damaged[0].to).unwrap(), &frame[..9]);
        assert_eq!(reader.load(&whole.run_id).unwrap(), whole);
        assert!(reader.set_aside_damaged().unwrap().is_empty());
    }
}
