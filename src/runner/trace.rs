//! `sweep trace`: what another implementation needs to replay a recorded run exactly, as
//! files: `trace.json` (settings, seed, vocabulary, classes, the encoded data in file order
//! and every epoch's shuffle as indices into it) and `initial.safetensors` (the initial
//! weights, in the layout of the saved final weights). `benches/replay.py` reads them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::data::{Dataset, Example};
use crate::error::{Error, Result};
use crate::settings::SettingsParams;
use crate::store::{ResultsDir, atomic};
use crate::train;
use crate::weights::SavedModel;

/// Version of the trace layout.
pub(crate) const TRACE_FORMAT: u32 = 1;

/// `trace.json`.
#[derive(Debug, Serialize)]
struct TraceFile<'a> {
    format: u32,
    run_id: &'a str,
    seed: u64,
    settings: &'a SettingsParams,
    vocab: &'a [String],
    classes: &'a [String],
    /// Each example as `[[word ids, null for unknown], class]`.
    train: Vec<(&'a [Option<u32>], usize)>,
    test: Vec<(&'a [Option<u32>], usize)>,
    shuffles: &'a [Vec<usize>],
}

/// Writes the trace of run `id` of `dir` into `out` (created); returns the files written.
pub(crate) fn write(dir: &ResultsDir, id: &str, out: &Path) -> Result<Vec<PathBuf>> {
    // Checked first, before the run's data is loaded and its draws made.
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(format!(
            "{} exists and is not a directory; trace writes trace.json and \
             initial.safetensors into a directory, a new one if --out names none (choose \
             another --out)",
            out.display()
        )));
    }
    let (record, data, settings) = super::rerun::recorded_run(dir, id)?;
    // Every epoch the run trained, and the one it diverged in.
    let epochs = record
        .status
        .stopped_epoch()
        .unwrap_or(settings.epoch_count());
    let draws = train::draws(&data, &settings, record.seed, epochs);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let json = TraceFile {
        format: TRACE_FORMAT,
        run_id: id,
        seed: record.seed,
        settings: &record.settings,
        vocab: &data.vocab,
        classes: &data.classes,
        train: encoded(&data.train),
        test: encoded(&data.test),
        shuffles: &draws.shuffles,
    };
    let trace = out.join("trace.json");
    let bytes =
        serde_json::to_vec(&json).map_err(|e| Error::io(&trace, std::io::Error::other(e)))?;
    atomic::write(&trace, &bytes)?;
    let weights = out.join("initial.safetensors");
    let saved = saved(&data, draws.initial);
    let bytes = saved
        .to_bytes()
        .map_err(|e| Error::io(&weights, std::io::Error::other(e)))?;
    atomic::write(&weights, &bytes)?;
    Ok(vec![trace, weights])
}

fn encoded(examples: &[Example]) -> Vec<(&[Option<u32>], usize)> {
    examples
        .iter()
        .map(|e| (e.words.as_slice(), e.label))
        .collect()
}

fn saved(data: &Dataset, model: crate::model::Rnn) -> SavedModel {
    SavedModel {
        model,
        vocab: data.vocab.clone(),
        classes: data.classes.clone(),
        // Initial weights, no run's final ones: no run id (the layout they always had).
        run: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::runner::{RunnerOptions, train_one};
    use crate::store::DataRef;
    use crate::train::{RunSpec, run_id};

    #[test]
    fn a_trace_read_back_replays_the_recorded_run_bit_for_bit() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/en");
        let (train, test) = (root.join("train.tsv"), root.join("test.tsv"));
        let data = crate::data::load(&train, &test).unwrap();
        let settings = SettingsParams {
            hidden_size: 8,
            epochs: 3,
            eval_every: 3,
            ..Default::default()
        }
        .check()
        .unwrap();
        let seed = 5;
        let spec = RunSpec {
            index: 0,
            id: run_id(&settings, seed, &data.fingerprint),
            settings: settings.clone(),
            seed,
        };
        let options = RunnerOptions {
            jobs: 1,
            progress: false,
            experiment: "t".into(),
            data: DataRef {
                train,
                test,
                fingerprint: data.fingerprint.clone(),
            },
            save_weights: false,
            until: None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let dir = ResultsDir::create(&tmp.path().join("r")).unwrap();
        let (record, _) = train_one(&spec, &data, &options, &AtomicBool::new(false)).unwrap();
        dir.records().save(&record).unwrap();
        let out = tmp.path().join("trace");
        write(&dir, &spec.id, &out).unwrap();

        // Shapes: one permutation of the training set per epoch, the data as encoded.
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("trace.json")).unwrap()).unwrap();
        let n = data.train.len();
        let shuffles: Vec<Vec<usize>> = serde_json::from_value(json["shuffles"].clone()).unwrap();
        assert_eq!(shuffles.len(), 3);
        for order in &shuffles {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(json["train"].as_array().unwrap().len(), n);
        assert_eq!(json["seed"], 5);
        assert_eq!(json["settings"]["hidden_size"], 8);
        let initial =
            SavedModel::from_bytes(&std::fs::read(out.join("initial.safetensors")).unwrap())
                .unwrap();
        assert_eq!(initial.vocab, data.vocab);
        assert_eq!(
            (initial.model.hidden_size(), initial.model.vocab_size()),
            (8, data.vocab.len())
        );

        // Re-read, they give the recorded epochs, bit for bit.
        let draws = train::Draws {
            initial: initial.model,
            shuffles,
        };
        let again = train::replay(&data, &settings, &draws);
        let bits = |m: &[crate::train::EpochMetrics]| -> Vec<u64> {
            m.iter()
                .flat_map(|e| [e.train.loss.to_bits(), e.train.accuracy.to_bits()])
                .collect()
        };
        assert_eq!(again.len(), 3);
        assert_eq!(bits(&again), bits(&record.metrics));
        assert_eq!(again, record.metrics);
    }
}
