//! Loader tests over real files in a temp dir: every format, and each bad input.

use std::path::{Path, PathBuf};

use super::*;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Loads `bytes`, written to `<dir>/<name>`, as both the training and the test set.
fn load_alone(dir: &Path, name: &str, bytes: &[u8]) -> Dataset {
    let path = write(dir, name, bytes);
    load(&path, &path).unwrap()
}

fn load_err(train: &Path, test: &Path) -> String {
    let err = load(train, test).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    err.to_string()
}

const TRAIN_TSV: &str = "text\tlabel\ni am good\t1\nnot good\t0\nvery bad\tfalse\n";

#[test]
fn tsv_builds_sorted_vocabulary_and_binary_classes() {
    let dir = tempfile::tempdir().unwrap();
    let train = write(dir.path(), "train.tsv", TRAIN_TSV.as_bytes());
    let test = write(dir.path(), "test.tsv", b"text\tlabel\nam i bad\tTRUE\n");
    let data = load(&train, &test).unwrap();
    assert_eq!(data.vocab, ["am", "bad", "good", "i", "not", "very"]);
    assert_eq!(data.classes, ["0", "1"]);
    let labels: Vec<_> = data.train.iter().map(|e| e.label).collect();
    assert_eq!(labels, [1, 0, 0]);
    assert_eq!(data.train[0].words, [Some(3), Some(0), Some(2)]);
    assert_eq!(data.test[0].words, [Some(0), Some(3), Some(1)]);
    assert_eq!(data.test[0].label, 1);
    assert!(data.warnings.is_empty());
    assert_eq!(data.train_tokens(), 7);
}

#[test]
fn same_content_in_csv_and_py_gives_the_same_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(dir.path(), "a.tsv", TRAIN_TSV.as_bytes());
    let csv = write(
        dir.path(),
        "a.csv",
        "label,text\n1,i am good\n0,\"not good\"\n0,very bad\n".as_bytes(),
    );
    let py = write(
        dir.path(),
        "a.py",
        b"train_data = {'i am good': True, 'not good': False, 'very bad': False}\n\
          test_data = {'i am good': True}\n",
    );
    let test = write(dir.path(), "t.tsv", b"text\tlabel\ni am good\t1\n");
    let a = load(&tsv, &test).unwrap();
    let b = load(&csv, &test).unwrap();
    let c = load(&py, &py).unwrap();
    assert_eq!(a.fingerprint, b.fingerprint);
    // Same words and labels, class names `false`/`true` instead of `0`/`1`: different data.
    assert_ne!(a.fingerprint, c.fingerprint);
    assert_eq!(c.classes, ["false", "true"]);
    assert_eq!(c.test.len(), 1);
}

#[test]
fn russian_text_with_punctuation() {
    let dir = tempfile::tempdir().unwrap();
    let train = write(
        dir.path(),
        "ru.csv",
        "text,label\nЯ хороший,1\nЯ плохой,0\n\"Я плохой, а не хороший!\",0\n".as_bytes(),
    );
    let test = write(
        dir.path(),
        "t.tsv",
        "text\tlabel\nя не плохой.\t1\n".as_bytes(),
    );
    let data = load(&train, &test).unwrap();
    assert_eq!(data.vocab, ["а", "не", "плохой", "хороший", "я"]);
    assert_eq!(data.train[2].words.len(), 5);
    assert_eq!(data.test[0].words, [Some(4), Some(1), Some(2)]);
}

#[test]
fn class_names_and_integers_sort() {
    let dir = tempfile::tempdir().unwrap();
    let named = b"text\tlabel\na\tpos\nb\tneg\nc\tneutral\n";
    let data = load_alone(dir.path(), "n.tsv", named);
    assert_eq!(data.classes, ["neg", "neutral", "pos"]);
    let ints = b"text\tlabel\na\t10\nb\t2\nc\t0\nd\t1\n";
    let data = load_alone(dir.path(), "i.tsv", ints);
    assert_eq!(data.classes, ["0", "1", "2", "10"]);
    let labels: Vec<_> = data.train.iter().map(|e| e.label).collect();
    assert_eq!(labels, [3, 2, 0, 1]);
    let mixed = write(dir.path(), "m.tsv", b"text\tlabel\na\tpos\nb\t1\n");
    assert!(load_err(&mixed, &mixed).contains("m.tsv:3: bad label `1`"));
    let bools = write(dir.path(), "b.tsv", b"text\tlabel\na\t1\nb\tFalse\nc\t2\n");
    assert!(load_err(&bools, &bools).contains("b.tsv:4: bad label `2`"));
}

#[test]
fn unknown_test_words_are_zero_inputs_and_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let train = write(dir.path(), "train.tsv", TRAIN_TSV.as_bytes());
    let test = write(
        dir.path(),
        "test.tsv",
        b"text\tlabel\nyou are good\t1\nyou bad\t0\n",
    );
    let data = load(&train, &test).unwrap();
    assert_eq!(data.test[0].words, [None, None, Some(2)]);
    assert_eq!(data.warnings.len(), 1);
    assert!(
        data.warnings[0].ends_with(
            "2 word(s) (3 occurrence(s)) are not in the training vocabulary and read as a \
             zero input vector: are, you"
        ),
        "{}",
        data.warnings[0]
    );
}

#[test]
fn bom_crlf_and_conflicting_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"\xEF\xBB\xBFtext\tlabel\r\ngood\t1\r\nbad\t0\r\nGood!\t0\r\n";
    let data = load_alone(dir.path(), "train.tsv", bytes);
    assert_eq!(data.train.len(), 3);
    assert!(
        data.warnings[0].contains("`Good!` (lines 2 and 4)"),
        "{:?}",
        data.warnings
    );
}

#[test]
fn bad_inputs_name_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = write(d, "good.tsv", TRAIN_TSV.as_bytes());
    // (file name, contents, the message's words): every one of them must fail to load.
    let written: [(&str, &[u8], &str); 9] = [
        ("empty.tsv", b"", "empty.tsv: the file is empty"),
        (
            "header.tsv",
            b"text\tlabel\n",
            "header.tsv: only a header line, no examples",
        ),
        (
            "nolabel.tsv",
            b"text\nx\n",
            "nolabel.tsv:1: the header has no `label` column",
        ),
        (
            "badlabel.tsv",
            b"text\tlabel\ngood\t1\nbad\t0\nmeh\tnope\n",
            "badlabel.tsv:4: bad label `nope`",
        ),
        (
            "latin1.tsv",
            b"text\tlabel\ngood\t1\nna\xEFve\t0\n",
            "latin1.tsv:3: not valid UTF-8 (byte 0xEF)",
        ),
        (
            "code.py",
            b"import os\ntrain_data = {}\n",
            "code.py:1: only assignments of dict literals",
        ),
        (
            "data.txt",
            b"text\tlabel\n",
            "data.txt: unknown data format (`.txt`); allowed: .tsv, .csv, .py",
        ),
        (
            "nowords.tsv",
            b"text\tlabel\ngood\t1\n?!\t0\n",
            "nowords.tsv:3: the phrase `?!` has no words",
        ),
        (
            "oneclass.tsv",
            b"text\tlabel\ngood\t1\nhappy\ttrue\n",
            "oneclass.tsv: every training example has the label `1`",
        ),
    ];
    let mut cases: Vec<(PathBuf, &str)> = written
        .into_iter()
        .map(|(name, bytes, want)| (write(d, name, bytes), want))
        .collect();
    // A path with no file, and a directory where a file should be.
    cases.push((
        d.join("missing.tsv"),
        "missing.tsv: cannot read the file: No such file",
    ));
    std::fs::create_dir(d.join("dir.tsv")).unwrap();
    cases.push((d.join("dir.tsv"), "dir.tsv: cannot read the file"));
    for (train, want) in &cases {
        let msg = load_err(train, &good);
        assert!(msg.contains(want), "{msg:?} lacks {want:?}");
    }
    // A test label the training set does not have.
    let test = write(d, "test.tsv", b"text\tlabel\ngood\t1\nbad\tmaybe\n");
    let msg = load_err(&good, &test);
    assert!(
        msg.ends_with("test.tsv:3: unknown label `maybe`; the training set's classes are: 0, 1"),
        "{msg}"
    );
}

#[test]
fn an_integer_label_too_large_says_so() {
    // Regression (#22): it read as a class name, and the message said "not a mix".
    let dir = tempfile::tempdir().unwrap();
    let train = write(
        dir.path(),
        "t.tsv",
        b"text\tlabel\na\t1\nb\t2\nc\t99999999999999999999\n",
    );
    let msg = load_err(&train, &train);
    assert!(
        msg.ends_with(
            "t.tsv:4: bad label `99999999999999999999`: too large for an integer label \
             (allowed: from -9223372036854775808 to 9223372036854775807)"
        ),
        "{msg}"
    );
}
