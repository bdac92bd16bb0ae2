//! A trained model on disk as safetensors, readable from numpy and PyTorch
//! (`safetensors.numpy.load_file`): the five parameters in float64, row-major, named
//! `W_xh` (H×V), `W_hh` (H×H), `W_hy` (K×H), `b_h` (H), `b_y` (K), with the vocabulary and
//! class names (JSON lists) in the metadata, and the id of the run they are the final weights
//! of (`run_id`; files written before it was recorded lack it, as do `sweep trace`'s initial
//! weights). [`SavedModel::check`] says whether a file is the run's own.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::model::Rnn;

const FORMAT: &str = "sweep-rnn-v1";
/// The metadata key of the run's id.
const RUN_ID: &str = "run_id";

/// A model with the names of its inputs and outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedModel {
    pub model: Rnn,
    /// Word of each input column, sorted.
    pub vocab: Vec<String>,
    /// Name of each output class.
    pub classes: Vec<String>,
    /// The run these are the final weights of (metadata `run_id`); `None` writes no such key,
    /// the layout of files written before it was recorded.
    pub run: Option<String>,
}

/// What a run's final weights must be: its id and hidden size, from its record, and, when
/// its data is at hand, the data's vocabulary and classes.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub run_id: &'a str,
    pub hidden_size: usize,
    /// The vocabulary and class names of the run's data, if loaded.
    pub data: Option<(&'a [String], &'a [String])>,
}

impl SavedModel {
    /// Encodes a phrase with the saved vocabulary (unknown words: `None`, a zero input).
    pub fn encode(&self, text: &str) -> Vec<Option<u32>> {
        crate::data::tokenize(text)
            .iter()
            .map(|w| self.vocab.binary_search(w).ok().map(|i| i as u32))
            .collect()
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let m = &self.model;
        let le =
            |values: Vec<f64>| -> Vec<u8> { values.iter().flat_map(|v| v.to_le_bytes()).collect() };
        // Logical row-major order whatever the memory layout.
        let tensors: Vec<(&str, Vec<usize>, Vec<u8>)> = vec![
            (
                "W_xh",
                m.w_xh().shape().to_vec(),
                le(m.w_xh().iter().copied().collect()),
            ),
            (
                "W_hh",
                m.w_hh().shape().to_vec(),
                le(m.w_hh().iter().copied().collect()),
            ),
            (
                "W_hy",
                m.w_hy().shape().to_vec(),
                le(m.w_hy().iter().copied().collect()),
            ),
            ("b_h", vec![m.hidden_size()], le(m.b_h().to_vec())),
            ("b_y", vec![m.classes()], le(m.b_y().to_vec())),
        ];
        let views = tensors
            .iter()
            .map(|(name, shape, bytes)| {
                Ok((
                    *name,
                    TensorView::new(Dtype::F64, shape.clone(), bytes).map_err(|e| e.to_string())?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let json = |v: &[String]| serde_json::to_string(v).unwrap_or_default();
        let mut metadata = HashMap::from([
            ("format".to_owned(), FORMAT.to_owned()),
            ("vocab".to_owned(), json(&self.vocab)),
            ("classes".to_owned(), json(&self.classes)),
        ]);
        if let Some(run) = &self.run {
            metadata.insert(RUN_ID.to_owned(), run.clone());
        }
        let bytes = safetensors::serialize(views, Some(metadata)).map_err(|e| e.to_string())?;
        metadata_sorted(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SavedModel, String> {
        let st =
            SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let meta = header.metadata().clone().unwrap_or_default();
        if meta.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(format!(
                "not a sweep model (metadata format is not {FORMAT})"
            ));
        }
        let list = |key: &str| -> Result<Vec<String>, String> {
            serde_json::from_str(meta.get(key).map_or("", String::as_str))
                .map_err(|e| format!("metadata `{key}`: {e}"))
        };
        let values = |name: &str| -> Result<(Vec<usize>, Vec<f64>), String> {
            let t = st
                .tensor(name)
                .map_err(|e| format!("tensor `{name}`: {e}"))?;
            if t.dtype() != Dtype::F64 {
                return Err(format!("tensor `{name}` is {:?}, expected F64", t.dtype()));
            }
            let v = t
                .data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            Ok((t.shape().to_vec(), v))
        };
        let matrix = |name: &str| -> Result<Array2<f64>, String> {
            let (shape, v) = values(name)?;
            let [r, c] = shape[..] else {
                return Err(format!("tensor `{name}` is not a matrix"));
            };
            Array2::from_shape_vec((r, c), v).map_err(|e| e.to_string())
        };
        let vector =
            |name: &str| -> Result<Array1<f64>, String> { Ok(Array1::from(values(name)?.1)) };
        let model = Rnn::from_parts(
            matrix("W_xh")?,
            matrix("W_hh")?,
            matrix("W_hy")?,
            vector("b_h")?,
            vector("b_y")?,
        )?;
        let (vocab, classes) = (list("vocab")?, list("classes")?);
        if vocab.len() != model.vocab_size() || classes.len() != model.classes() {
            return Err("the vocabulary or class list does not match the tensor shapes".into());
        }
        Ok(SavedModel {
            model,
            vocab,
            classes,
            run: meta.get(RUN_ID).cloned(),
        })
    }

    /// Whether these are the final weights `want` describes; why not, in words, if not: they
    /// name another run, or their shapes are not those of the run's hidden size and (when
    /// given) its data's vocabulary and classes. A file without a run id (written before
    /// ids were recorded) is judged by its shapes alone.
    pub fn check(&self, want: &Expected<'_>) -> Result<(), String> {
        if let Some(run) = &self.run
            && run != want.run_id
        {
            return Err(format!("they are the weights of run {run}"));
        }
        let hidden = self.model.hidden_size();
        if hidden != want.hidden_size {
            return Err(format!(
                "their hidden size is {hidden}, where the run's settings say {}",
                want.hidden_size
            ));
        }
        let Some((vocab, classes)) = want.data else {
            return Ok(());
        };
        if self.classes != classes {
            return Err(format!(
                "their classes are {} where the run's data has {}",
                self.classes.join(", "),
                classes.join(", ")
            ));
        }
        if self.vocab != vocab {
            return Err(format!(
                "their vocabulary ({} words) is not that of the run's data ({} words)",
                self.vocab.len(),
                vocab.len()
            ));
        }
        Ok(())
    }
}

/// `bytes`, a safetensors file, with the metadata keys of its header in sorted order. The
/// crate takes metadata only as a `HashMap` and writes it in the map's order, which differs
/// from one map to the next, so the same model made files that differed from run to run.
/// The header keeps its length (the same entries, reordered) and everything after it.
fn metadata_sorted(mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().map_err(|_| "no header")?);
    let header = &mut bytes[8..][..header_len as usize];
    let entries: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(header).map_err(|e| e.to_string())?;
    let (metadata, tensors): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(key, _)| key == "__metadata__");
    // `__metadata__` first, as the crate writes it, its keys sorted; the tensors in the
    // crate's order.
    let mut ordered = serde_json::Map::new();
    for (key, value) in metadata {
        let sorted: BTreeMap<String, serde_json::Value> =
            serde_json::from_value(value).map_err(|e| e.to_string())?;
        ordered.insert(
            key,
            serde_json::to_value(sorted).map_err(|e| e.to_string())?,
        );
    }
    ordered.extend(tensors);
    let mut json = serde_json::to_vec(&ordered).map_err(|e| e.to_string())?;
    if json.len() > header.len() {
        return Err("the reordered safetensors header grew".into());
    }
    // The crate pads its header with spaces to a multiple of 8 bytes; so does this.
    json.resize(header.len(), b' ');
    header.copy_from_slice(&json);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::Workspace;

    #[test]
    fn round_trip_keeps_every_bit_and_the_forward_pass() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let model = Rnn::init(3, 5, 2, 0.5, &mut rng);
        let saved = SavedModel {
            model: model.clone(),
            vocab: vec!["bad".into(), "good".into(), "not".into()],
            classes: vec!["0".into(), "1".into()],
            run: Some("0123456789ab".into()),
        };
        let back = SavedModel::from_bytes(&saved.to_bytes().unwrap()).unwrap();
        assert_eq!(back, saved);
        let words = back.encode("Not good!");
        assert_eq!(words, [Some(2), Some(1)]);
        let (mut a, mut b) = (Workspace::default(), Workspace::default());
        model.forward(&words, 0, &mut a);
        back.model.forward(&words, 0, &mut b);
        assert_eq!(a.probs(), b.probs());
        assert!(SavedModel::from_bytes(b"junk").is_err());
    }

    #[test]
    fn the_same_model_always_gives_the_same_bytes() {
        // Regression: the metadata went through a HashMap, whose order changes from one
        // map to the next, so reruns wrote weight files that differed in their header.
        let model = Rnn::init(4, 3, 2, 0.5, &mut rand_chacha::ChaCha8Rng::seed_from_u64(9));
        let saved = SavedModel {
            model,
            vocab: ["a", "b", "c", "d"].map(String::from).to_vec(),
            classes: vec!["neg".into(), "pos".into()],
            run: None,
        };
        let first = saved.to_bytes().unwrap();
        for _ in 0..20 {
            assert!(saved.to_bytes().unwrap() == first, "two writes differ");
        }
        // The header lists the metadata keys sorted, ahead of the tensors.
        let header_len = u64::from_le_bytes(first[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&first[8..8 + header_len]).unwrap();
        let want = [
            r#"{"__metadata__":{"classes":"[\"neg\",\"pos\"]","format":"sweep-rnn-v1","#,
            r#""vocab":"[\"a\",\"b\",\"c\",\"d\"]"},"#,
            r#""W_hh":{"dtype":"F64","shape":[3,3],"data_offsets":[0,72]},"#,
            r#""W_hy":{"dtype":"F64","shape":[2,3],"data_offsets":[72,120]},"#,
            r#""W_xh":{"dtype":"F64","shape":[3,4],"data_offsets":[120,216]},"#,
            r#""b_h":{"dtype":"F64","shape":[3],"data_offsets":[216,240]},"#,
            r#""b_y":{"dtype":"F64","shape":[2],"data_offsets":[240,256]}}"#,
        ];
        assert_eq!(header.trim_end(), want.concat());
        assert_eq!(SavedModel::from_bytes(&first).unwrap(), saved);
    }

    #[test]
    fn a_run_id_is_one_more_sorted_key_and_without_one_the_layout_is_unchanged() {
        // Files written before the run id was recorded (the header above) are still read,
        // with no id; a file with one lists it among the sorted metadata keys.
        let model = Rnn::init(2, 3, 2, 0.5, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
        let saved = SavedModel {
            model,
            vocab: vec!["a".into(), "b".into()],
            classes: vec!["0".into(), "1".into()],
            run: Some("4fc86d49f44c".into()),
        };
        let bytes = saved.to_bytes().unwrap();
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + header_len]).unwrap();
        assert!(
            header.starts_with(
                r#"{"__metadata__":{"classes":"[\"0\",\"1\"]","format":"sweep-rnn-v1","run_id":"4fc86d49f44c","vocab":"[\"a\",\"b\"]"},"#
            ),
            "{header}"
        );
        assert_eq!(SavedModel::from_bytes(&bytes).unwrap(), saved);
        let old = SavedModel { run: None, ..saved };
        assert_eq!(
            SavedModel::from_bytes(&old.to_bytes().unwrap())
                .unwrap()
                .run,
            None
        );
    }

    #[test]
    fn check_names_another_runs_weights_and_shapes_that_are_not_the_runs() {
        let model = Rnn::init(2, 3, 2, 0.5, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
        let (vocab, classes) = (
            vec!["a".to_owned(), "b".to_owned()],
            vec!["0".to_owned(), "1".to_owned()],
        );
        let saved = SavedModel {
            model,
            vocab: vocab.clone(),
            classes: classes.clone(),
            run: Some("aaaaaaaaaaaa".into()),
        };
        let want = Expected {
            run_id: "aaaaaaaaaaaa",
            hidden_size: 3,
            data: Some((&vocab, &classes)),
        };
        assert_eq!(saved.check(&want), Ok(()));
        let other = Expected {
            run_id: "bbbbbbbbbbbb",
            ..want
        };
        assert_eq!(
            saved.check(&other),
            Err("they are the weights of run aaaaaaaaaaaa".into())
        );
        // Without an id, the shapes decide.
        let old = SavedModel {
            run: None,
            ..saved.clone()
        };
        assert_eq!(old.check(&other), Ok(()));
        let wider = Expected {
            hidden_size: 8,
            ..other
        };
        assert_eq!(
            old.check(&wider),
            Err("their hidden size is 3, where the run's settings say 8".into())
        );
        let words = vec!["a".to_owned(), "c".to_owned()];
        assert_eq!(
            old.check(&Expected {
                data: Some((&words, &classes)),
                ..other
            }),
            Err("their vocabulary (2 words) is not that of the run's data (2 words)".into())
        );
        let named = vec!["neg".to_owned(), "pos".to_owned()];
        assert_eq!(
            old.check(&Expected {
                data: Some((&vocab, &named)),
                ..other
            }),
            Err("their classes are 0, 1 where the run's data has neg, pos".into())
        );
        // No data at hand: the hidden size alone.
        assert_eq!(
            old.check(&Expected {
                data: None,
                ..other
            }),
            Ok(())
        );
    }
}
