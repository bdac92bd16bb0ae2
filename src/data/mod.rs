//! Data sets: files of labelled phrases become encoded examples over one vocabulary.
//!
//! [`load`] reads a train and a test file (TSV, CSV or the tutorial's `.py` module), maps the
//! labels to classes, builds the vocabulary from the training phrases and encodes both sets
//! as word indices. Everything a run needs from its data is in the returned [`Dataset`],
//! including a fingerprint of its content that goes into run ids.

mod delimited;
mod lines;
mod pyliteral;
mod raw;
mod source;
mod tokenize;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

pub use raw::{Loaded, RawExample, Role};
pub use source::parse;
pub use tokenize::tokenize;

use crate::error::{Error, Location, Result, listed, quoted};

/// One encoded phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The phrase as written in its file.
    pub text: String,
    /// Vocabulary index of each word; `None` for a test word the training set lacks, which
    /// the model reads as a zero input vector.
    pub words: Vec<Option<u32>>,
    /// Class index into [`Dataset::classes`].
    pub label: usize,
}

/// A train and a test set over one vocabulary and one list of classes.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub train: Vec<Example>,
    pub test: Vec<Example>,
    /// The training set's words in sorted order; a word's index is its input position.
    pub vocab: Vec<String>,
    /// Class names in output order (`0`/`false` first for binary labels).
    pub classes: Vec<String>,
    /// Things worth telling the user that do not stop a run (unknown test words, ...).
    pub warnings: Vec<String>,
    /// SHA-256 (hex) of the encoded content: classes, vocabulary, and every example's words
    /// and label. Equal data in another file format gives the same fingerprint.
    pub fingerprint: String,
}

impl Dataset {
    /// Index of `word` in the vocabulary.
    pub fn word_index(&self, word: &str) -> Option<u32> {
        self.vocab
            .binary_search_by(|w| w.as_str().cmp(word))
            .ok()
            .map(|i| i as u32)
    }

    /// Encodes a free phrase (for prediction), unknown words as `None`.
    pub fn encode(&self, text: &str) -> Vec<Option<u32>> {
        tokenize(text).iter().map(|w| self.word_index(w)).collect()
    }

    /// Total number of word positions in the training set.
    pub fn train_tokens(&self) -> usize {
        self.train.iter().map(|e| e.words.len()).sum()
    }
}

/// Loads the train and test files and builds the data set; the loaders' warnings come
/// first among its warnings.
pub fn load(train: &Path, test: &Path) -> Result<Dataset> {
    let train_raw = source::load(train, Role::Train)?;
    let test_raw = source::load(test, Role::Test)?;
    let mut data = build(train, &train_raw.examples, test, &test_raw.examples)?;
    let loaders = train_raw.warnings.into_iter().chain(test_raw.warnings);
    data.warnings.splice(0..0, loaders);
    Ok(data)
}

/// Builds a data set from raw examples; the paths are for messages.
pub fn build(
    train_path: &Path,
    train_raw: &[RawExample],
    test_path: &Path,
    test_raw: &[RawExample],
) -> Result<Dataset> {
    let train_tokens = tokenize_all(train_path, train_raw)?;
    let test_tokens = tokenize_all(test_path, test_raw)?;
    let classes = Classes::from_labels(train_path, train_raw)?;
    // The distinct words, then sorted: collecting every occurrence into an ordered set sorts
    // them all, O(tokens log tokens).
    let mut vocab: Vec<String> = train_tokens
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<HashSet<&str>>()
        .into_iter()
        .map(str::to_owned)
        .collect();
    vocab.sort_unstable();
    let index: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i as u32))
        .collect();
    let encode = |path: &Path, raw: &[RawExample], tokens: &[Vec<String>]| {
        raw.iter()
            .zip(tokens)
            .map(|(ex, words)| {
                Ok(Example {
                    text: ex.text.clone(),
                    words: words
                        .iter()
                        .map(|w| index.get(w.as_str()).copied())
                        .collect(),
                    label: classes.index(path, ex)?,
                })
            })
            .collect::<Result<Vec<_>>>()
    };
    let train = encode(train_path, train_raw, &train_tokens)?;
    let test = encode(test_path, test_raw, &test_tokens)?;

    let mut warnings = Vec::new();
    warnings.extend(conflicting_duplicates(
        train_path,
        train_raw,
        &train_tokens,
        &train,
    ));
    warnings.extend(conflicting_duplicates(
        test_path,
        test_raw,
        &test_tokens,
        &test,
    ));
    warnings.extend(unknown_words(test_path, &test_tokens, &index));
    let fingerprint = fingerprint(&classes.names, &vocab, &train, &test);
    Ok(Dataset {
        train,
        test,
        vocab,
        classes: classes.names,
        warnings,
        fingerprint,
    })
}

fn tokenize_all(path: &Path, raw: &[RawExample]) -> Result<Vec<Vec<String>>> {
    raw.iter()
        .map(|ex| {
            let words = tokenize(&ex.text);
            if words.is_empty() {
                Err(Error::data(
                    path,
                    Location::Line(ex.line),
                    format!("the phrase {} has no words", quoted(&ex.text)),
                ))
            } else {
                Ok(words)
            }
        })
        .collect()
}

/// The mapping from label strings to class indices.
struct Classes {
    names: Vec<String>,
    /// Normalised label -> class index.
    index: HashMap<String, usize>,
}

impl Classes {
    /// Binary labels (`0`/`1`, `false`/`true`, any case) give the article's two classes with
    /// negative first; integers sort numerically; any other names sort as text.
    fn from_labels(path: &Path, raw: &[RawExample]) -> Result<Classes> {
        let normalised: BTreeSet<String> = raw.iter().map(|e| normalise(&e.label)).collect();
        if let Some(empty) = raw.iter().find(|e| e.label.is_empty()) {
            return Err(Error::data(
                path,
                Location::Line(empty.line),
                "the label is empty",
            ));
        }
        // An integer label out of range would otherwise read as a class name, "a mix".
        if let Some(big) = raw.iter().find(|e| {
            let l = normalise(&e.label);
            let digits = l.strip_prefix(['-', '+']).unwrap_or(&l);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && l.parse::<i64>().is_err()
        }) {
            return Err(Error::data(
                path,
                Location::Line(big.line),
                format!(
                    "bad label {}: too large for an integer label (allowed: from {} to {})",
                    quoted(&big.label),
                    i64::MIN,
                    i64::MAX
                ),
            ));
        }
        if let Some(odd) = mixed_kind(raw) {
            return Err(Error::data(
                path,
                Location::Line(odd.line),
                format!(
                    "bad label {}: labels are either 0/1 or true/false, or integers, or \
                     class names, not a mix (the first label is {})",
                    quoted(&odd.label),
                    quoted(&raw[0].label)
                ),
            ));
        }
        let classes = if normalised.iter().all(|l| is_binary(l)) {
            let numeric = normalised.iter().any(|l| l == "0" || l == "1");
            let names = if numeric {
                ["0", "1"]
            } else {
                ["false", "true"]
            };
            let index = [("0", 0), ("false", 0), ("1", 1), ("true", 1)]
                .into_iter()
                .map(|(l, i)| (l.to_owned(), i))
                .collect();
            Classes {
                names: names.map(str::to_owned).to_vec(),
                index,
            }
        } else {
            let mut names: Vec<String> = normalised.into_iter().collect();
            if names.iter().all(|l| l.parse::<i64>().is_ok()) {
                names.sort_by_key(|l| l.parse::<i64>().unwrap_or(0));
            }
            let index = names.iter().cloned().zip(0..).collect();
            Classes { names, index }
        };
        let distinct: BTreeSet<usize> = raw
            .iter()
            .filter_map(|e| classes.index.get(&normalise(&e.label)).copied())
            .collect();
        if distinct.len() < 2 {
            return Err(Error::data(
                path,
                Location::File,
                format!(
                    "every training example has the label {}; a classifier needs at least two \
                     classes",
                    quoted(&raw[0].label)
                ),
            ));
        }
        Ok(classes)
    }

    fn index(&self, path: &Path, ex: &RawExample) -> Result<usize> {
        self.index
            .get(&normalise(&ex.label))
            .copied()
            .ok_or_else(|| {
                Error::data(
                    path,
                    Location::Line(ex.line),
                    format!(
                        "unknown label {}; the training set's classes are: {}",
                        quoted(&ex.label),
                        listed(&self.names)
                    ),
                )
            })
    }
}

/// Labels compare case-insensitively for `true`/`false`; names otherwise keep their case.
fn normalise(label: &str) -> String {
    let lower = label.trim().to_lowercase();
    if is_binary(&lower) {
        lower
    } else {
        label.trim().to_owned()
    }
}

/// The first label that cannot share a kind with the labels before it. The kinds are
/// binary (`0`, `1`, `true`, `false`), integers, and names (anything else).
fn mixed_kind(raw: &[RawExample]) -> Option<&RawExample> {
    const BINARY: u8 = 1;
    const INTEGER: u8 = 2;
    const NAME: u8 = 4;
    let kinds = |label: &str| match normalise(label).as_str() {
        "true" | "false" => BINARY,
        "0" | "1" => BINARY | INTEGER,
        n if n.parse::<i64>().is_ok() => INTEGER,
        _ => NAME,
    };
    let mut possible = BINARY | INTEGER | NAME;
    raw.iter().find(|e| {
        possible &= kinds(&e.label);
        possible == 0
    })
}

fn is_binary(label: &str) -> bool {
    matches!(label, "0" | "1" | "true" | "false")
}

/// One warning when the same phrase (as words) carries different labels in one file.
fn conflicting_duplicates(
    path: &Path,
    raw: &[RawExample],
    tokens: &[Vec<String>],
    encoded: &[Example],
) -> Option<String> {
    // Hashed: an ordered map compared each phrase with log(n) whole phrases, the most costly
    // step of loading a large file after the vocabulary's sort; the conflicts are listed in
    // file order either way.
    let mut seen: HashMap<&[String], (usize, usize)> = HashMap::with_capacity(raw.len());
    let mut conflicts = Vec::new();
    for ((ex, words), enc) in raw.iter().zip(tokens).zip(encoded) {
        match seen.get(words.as_slice()) {
            Some(&(line, label)) if label != enc.label => {
                conflicts.push(format!("`{}` (lines {line} and {})", ex.text, ex.line));
            }
            Some(_) => {}
            None => {
                seen.insert(words, (ex.line, enc.label));
            }
        }
    }
    let first = conflicts.first()?;
    Some(format!(
        "{}: {} phrase(s) appear again with a different label, e.g. {first}; both are kept",
        path.display(),
        conflicts.len()
    ))
}

/// One warning listing the test words the training set lacks.
fn unknown_words(
    path: &Path,
    tokens: &[Vec<String>],
    index: &HashMap<&str, u32>,
) -> Option<String> {
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    for word in tokens.iter().flatten() {
        if !index.contains_key(word.as_str()) {
            *unknown.entry(word).or_default() += 1;
        }
    }
    if unknown.is_empty() {
        return None;
    }
    let occurrences: usize = unknown.values().sum();
    let mut listed: Vec<&str> = unknown.keys().copied().take(10).collect();
    if unknown.len() > listed.len() {
        listed.push("...");
    }
    Some(format!(
        "{}: {} word(s) ({occurrences} occurrence(s)) are not in the training vocabulary and \
         read as a zero input vector: {}",
        path.display(),
        unknown.len(),
        listed.join(", ")
    ))
}

fn fingerprint(
    classes: &[String],
    vocab: &[String],
    train: &[Example],
    test: &[Example],
) -> String {
    let mut hasher = Sha256::new();
    let mut put = |s: &str| {
        hasher.update((s.len() as u64).to_le_bytes());
        hasher.update(s.as_bytes());
    };
    put("sweep-data-v1");
    for list in [classes, vocab] {
        put(&list.len().to_string());
        list.iter().for_each(|s| put(s));
    }
    for set in [train, test] {
        put(&set.len().to_string());
        for ex in set {
            let words: Vec<String> = ex
                .words
                .iter()
                .map(|w| w.map_or("-".to_owned(), |i| i.to_string()))
                .collect();
            put(&format!("{} {}", ex.label, words.join(" ")));
        }
    }
    hex(&hasher.finalize())
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
