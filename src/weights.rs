//! A trained model on disk as safetensors, readable from numpy and PyTorch
//! (`safetensors.numpy.load_file`): the five parameters in float64, row-major, named
//! `W_xh` (H×V), `W_hh` (H×H), `W_hy` (K×H), `b_h` (H), `b_y` (K), with the vocabulary and
//! class names (JSON lists) in the metadata.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::model::Rnn;

const FORMAT: &str = "sweep-rnn-v1";

/// A model with the names of its inputs and outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedModel {
    pub model: Rnn,
    /// Word of each input column, sorted.
    pub vocab: Vec<String>,
    /// Name of each output class.
    pub classes: Vec<String>,
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
        let metadata = HashMap::from([
            ("format".to_owned(), FORMAT.to_owned()),
            ("vocab".to_owned(), json(&self.vocab)),
            ("classes".to_owned(), json(&self.classes)),
        ]);
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
        })
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
}
