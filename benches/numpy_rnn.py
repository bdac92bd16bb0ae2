#!/usr/bin/env python3
"""The project's own numpy implementation of the article's RNN training, for checking sweep.

What it is for:
- the many-seed comparison: the same algorithm as sweep, seeded with numpy's legacy
  `RandomState(seed)` (`randn` for the initial weights, `permutation` for each epoch's
  shuffle) instead of sweep's ChaCha8, so its distribution over seeds can be compared with
  sweep's (`--seeds A:B --runs-csv FILE`, rows in sweep's runs.csv columns; see
  benches/compare_numpy.md);
- exact replay: `--trace DIR` trains from the initial weights and shuffles that
  `sweep trace` wrote (benches/replay.py compares the losses epoch by epoch);
- the numpy side of the speed comparison (benches/vs_numpy.py).

The algorithm is the article's (see ../shared/ARTICLE.md and docs/fidelity.md),
written to do sweep's arithmetic in sweep's order wherever numpy allows it
cheaply (pre-activation `(W_hh h + column) + b_h`, the loss as `log_sum_exp - y_c` with the
maximum subtracted, sums of the BPTT terms in sweep's order, `w - lr * clip(g)`): one-hot
inputs as a column lookup of W_xh, tanh recurrence, many-to-one softmax output,
cross-entropy, BPTT with the article's `dL/dh_{t-1} = W_hh @ temp` (`--gradient article`)
or the exact `W_hh.T @ temp` (`exact`), elementwise clip (`--clip inf`: none), per-example
SGD, init W_hh, W_xh, W_hy drawn in that order from N(0, 1) * init_scale, biases zero,
a fresh shuffle every epoch, train metrics accumulated during the epoch, test metrics every
`--eval-every` epochs and after the last. A non-finite loss stops the run: diverged in that
epoch. What numpy cannot do like sweep: sweep's dot products are fused multiply-adds in a
fixed lane order and its tanh/exp/ln are its own, so results agree to rounding (about
1e-16 relative at first), not bit for bit.

Data as sweep reads it (src/data/): `.tsv`/`.csv` with a header naming `text` and
`label`, or the tutorial's `data.py` (its `train_data`/`test_data` dict literals read with
`ast.literal_eval`, never executed); labels 0/1, true/false, integers or class names;
words are the Unicode-lowercased runs of letters and digits (Rust's tables, from
benches/rust_unicode.py); sorted vocabulary; unknown test words are a zero input.

usage:
  python3 benches/numpy_rnn.py --train F --test F [--seed S | --seeds A:B] [--gradient
      article|exact|both] [--hidden-size 64] [--learning-rate 0.02] [--clip 1|inf]
      [--epochs 1000] [--eval-every 100] [--init-scale 0.001] [--jobs N]
      [--runs-csv FILE] [--curves-csv FILE] [--quiet]
  python3 benches/numpy_rnn.py --trace DIR [--runs-csv FILE] [--curves-csv FILE] [--quiet]
  python3 benches/numpy_rnn.py --train F --test F --print-data
One run (`--seed`, the default seed 0) prints the article's table to stdout, as
`sweep train` does; several runs print one table each under a `=== run_id` line, sorted by
seed. `--runs-csv` and `--curves-csv` append (or create) rows in sweep's runs.csv and
curves.csv columns; a row whose run_id is already in the file replaces it. `--print-data`
prints the data set's sizes, vocabulary, classes and sweep's data fingerprint (the one in a
run record's `data.fingerprint`), to check that both read a file alike.
Needs numpy only. Exit status: 0 done (diverged runs are results), 2 bad input.
"""
import argparse
import ast
import csv
import hashlib
import io
import json
import math
import os
import re
import struct
import sys
import time
from bisect import bisect_right
from decimal import Decimal

# One thread per process: the matrices are tiny, and --jobs runs processes side by side.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rust_unicode  # noqa: E402


class InputError(Exception):
    """Bad data, trace or flags: reported in one line, exit status 2."""


# ---------------------------------------------------------------------------------------
# Tokenizer: src/data/tokenize.rs, `text.to_lowercase()` split on `!char::is_alphanumeric()`.

def _parse_ranges(text):
    starts, ends = [], []
    for pair in text.split():
        a, b = pair.split("-")
        starts.append(int(a, 16))
        ends.append(int(b, 16))
    return starts, ends


_ALNUM_STARTS, _ALNUM_ENDS = _parse_ranges(rust_unicode.ALNUM_RANGES)
_ALNUM_CACHE = {}
_OVERRIDE_RE = (
    re.compile("([" + "".join(re.escape(chr(cp)) for cp in rust_unicode.LOWER_OVERRIDES) + "])")
    if rust_unicode.LOWER_OVERRIDES else None
)


def rust_is_alphanumeric(ch):
    """Rust's `char::is_alphanumeric()` (Alphabetic or Numeric, Rust's Unicode version)."""
    hit = _ALNUM_CACHE.get(ch)
    if hit is None:
        cp = ord(ch)
        i = bisect_right(_ALNUM_STARTS, cp) - 1
        hit = i >= 0 and cp <= _ALNUM_ENDS[i]
        _ALNUM_CACHE[ch] = hit
    return hit


def rust_lowercase(text):
    """Rust's `str::to_lowercase()`: Python's `str.lower()` (same rules, final sigma
    included) with Rust's mapping for the characters Python's Unicode tables lack."""
    if _OVERRIDE_RE is None or not _OVERRIDE_RE.search(text):
        return text.lower()
    parts = _OVERRIDE_RE.split(text)
    return "".join(rust_unicode.LOWER_OVERRIDES[ord(p)] if i % 2 else p.lower()
                   for i, p in enumerate(parts))


def tokenize(text):
    """Lowercase words: the runs of letters and digits, exactly as sweep splits them."""
    words, word = [], []
    for ch in rust_lowercase(text):
        if rust_is_alphanumeric(ch):
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words


# ---------------------------------------------------------------------------------------
# Data files: src/data/source.rs, table.rs, pyliteral.rs and mod.rs.

# Rust's `str::trim` (the White_Space property); Python's `str.strip()` also strips \x1c-\x1f.
RUST_WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def rust_trim(s):
    return s.strip(RUST_WHITESPACE)


def _decode(path, data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if all(b in b" \t\n\r\x0c" for b in data):
        raise InputError(f"{path}: the file is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = 1 + data[:e.start].count(b"\n")
        raise InputError(f"{path}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02X}); "
                         "data files must be UTF-8 text") from None


def _ascii_eq_ignore_case(a, b):
    return len(a) == len(b) and all(
        x == y or (x.isascii() and y.isascii() and x.lower() == y.lower()) for x, y in zip(a, b))


def _parse_table(path, text, delimiter):
    """(text, label, line) rows of a TSV/CSV file with a `text` and a `label` column."""
    csv.field_size_limit(sys.maxsize)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    header = None
    rows = []
    for row in reader:
        if not row:
            continue  # blank lines are skipped, as the csv crate does
        if header is None:
            header = row
            cols = []
            for name in ("text", "label"):
                pos = [i for i, h in enumerate(header)
                       if _ascii_eq_ignore_case(rust_trim(h), name)]
                if not pos:
                    raise InputError(f"{path}:1: the header has no `{name}` column "
                                     "(the header must name a `text` and a `label` column)")
                cols.append(pos[0])
            continue
        if len(row) != len(header):
            raise InputError(f"{path}:{reader.line_num}: this line has {len(row)} fields but "
                             f"the header has {len(header)}")
        rows.append((rust_trim(row[cols[0]]), rust_trim(row[cols[1]]), reader.line_num))
    if not rows:
        raise InputError(f"{path}: only a header line, no examples")
    return rows, []


def _parse_pymodule(path, text, variable):
    """The entries of the last `variable = {...}` of a tutorial-style data module, parsed
    with `ast` and read with `ast.literal_eval` (never executed): a key given twice holds
    its last value at its first place, as Python builds the dict."""
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as e:
        raise InputError(f"{path}:{e.lineno}: not a Python data module: {e.msg}") from None
    found = []
    chosen = []
    for stmt in tree.body:
        ok = (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
              and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Dict))
        if not ok:
            raise InputError(f"{path}:{stmt.lineno}: only assignments of dict literals "
                             "(`train_data = { 'text': True, ... }`) are allowed")
        name = stmt.targets[0].id
        try:
            value = ast.literal_eval(stmt.value)
        except ValueError as e:
            raise InputError(f"{path}:{stmt.lineno}: `{name}` is not a dict literal: {e}") from None
        entries = []
        for key, label in value.items():
            if not isinstance(key, str):
                raise InputError(f"{path}:{stmt.lineno}: a key of `{name}` is not a quoted phrase")
            if isinstance(label, bool):
                label = "true" if label else "false"
            elif isinstance(label, int):
                label = str(label)
            else:
                raise InputError(f"{path}:{stmt.lineno}: the label of {key!r} is not "
                                 "`True`, `False` or an integer")
            entries.append((key, label, stmt.lineno))
        repeated = len(entries) < len(stmt.value.keys)
        if name == variable:
            chosen.append((stmt.lineno, entries, repeated))
        if name not in found:
            found.append(name)
    if not chosen:
        names = ", ".join(found) if found else "none"
        raise InputError(f"{path}: no `{variable} = {{...}}` in this Python data module "
                         f"(it assigns: {names})")
    warnings = []
    if len(chosen) > 1:
        warnings.append(f"{path}: `{variable}` is assigned {len(chosen)} times; as in Python, "
                        f"the last one (line {chosen[-1][0]}) is used")
    if chosen[-1][2]:
        warnings.append(f"{path}: keys of `{variable}` are given more than once; as in "
                        "Python, the last value is used, in the first one's place")
    return chosen[-1][1], warnings


def load_raw(path, role):
    """(text, label, line) examples of a data file for role `train` or `test`."""
    ext = os.path.splitext(str(path))[1].lower().lstrip(".")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read the file: {e.strerror}") from None
    if ext not in ("tsv", "tab", "csv", "py"):
        found = f"`.{ext}`" if ext else "no extension"
        raise InputError(f"{path}: unknown data format ({found}); allowed: .tsv, .csv, .py")
    text = _decode(path, data)
    if ext == "py":
        rows, warnings = _parse_pymodule(path, text, f"{role}_data")
    else:
        rows, warnings = _parse_table(path, text, "," if ext == "csv" else "\t")
    if not rows:
        raise InputError(f"{path}: no examples in the file")
    return rows, warnings


_INT_RE = re.compile(r"[+-]?[0-9]+\Z")


def _rust_i64(s):
    """Rust's `s.parse::<i64>()`: the value, or None."""
    if not _INT_RE.match(s):
        return None
    v = int(s)
    return v if -2**63 <= v < 2**63 else None


def _normalise(label):
    lower = rust_trim(label).lower()
    return lower if lower in ("0", "1", "true", "false") else rust_trim(label)


def _classes(path, raw):
    """(class names, normalised label -> class index), as sweep's `Classes::from_labels`."""
    normalised = sorted({_normalise(lab) for _, lab, _ in raw})
    for _, lab, line in raw:
        if not lab:
            raise InputError(f"{path}:{line}: the label is empty")
    binary, integer, name = 1, 2, 4
    possible = binary | integer | name
    for _, lab, line in raw:
        n = _normalise(lab)
        kind = (binary if n in ("true", "false") else binary | integer if n in ("0", "1")
                else integer if _rust_i64(n) is not None else name)
        possible &= kind
        if possible == 0:
            raise InputError(f"{path}:{line}: bad label `{lab}`: labels are either 0/1 or "
                             "true/false, or integers, or class names, not a mix")
    if all(n in ("0", "1", "true", "false") for n in normalised):
        names = ["0", "1"] if any(n in ("0", "1") for n in normalised) else ["false", "true"]
        index = {"0": 0, "false": 0, "1": 1, "true": 1}
    else:
        names = normalised
        if all(_rust_i64(n) is not None for n in names):
            names = sorted(names, key=_rust_i64)
        index = {n: i for i, n in enumerate(names)}
    if len({index[_normalise(lab)] for _, lab, _ in raw if _normalise(lab) in index}) < 2:
        raise InputError(f"{path}: every training example has the label `{raw[0][1]}`; a "
                         "classifier needs at least two classes")
    return names, index


class Dataset:
    """Encoded examples over one vocabulary: `train`/`test` are lists of (word ids with
    None for an unknown word, class index)."""

    def __init__(self, vocab, classes, train, test, warnings=()):
        self.vocab = list(vocab)
        self.classes = list(classes)
        self.train = train
        self.test = test
        self.warnings = list(warnings)

    def fingerprint(self):
        """sweep's data fingerprint (src/data/mod.rs `fingerprint`)."""
        h = hashlib.sha256()

        def put(s):
            b = s.encode("utf-8")
            h.update(struct.pack("<Q", len(b)))
            h.update(b)

        put("sweep-data-v1")
        for lst in (self.classes, self.vocab):
            put(str(len(lst)))
            for s in lst:
                put(s)
        for examples in (self.train, self.test):
            put(str(len(examples)))
            for words, label in examples:
                put(f"{label} " + " ".join("-" if w is None else str(w) for w in words))
        return h.hexdigest()


def load_data(train_path, test_path):
    """Reads a train and a test file as sweep does (`data::load`)."""
    train_raw, w1 = load_raw(train_path, "train")
    test_raw, w2 = load_raw(test_path, "test")
    warnings = w1 + w2

    def tokens_of(path, raw):
        out = []
        for text, _, line in raw:
            words = tokenize(text)
            if not words:
                raise InputError(f"{path}:{line}: the phrase `{text}` has no words")
            out.append(words)
        return out

    train_tokens, test_tokens = tokens_of(train_path, train_raw), tokens_of(test_path, test_raw)
    names, index = _classes(train_path, train_raw)
    vocab = sorted({w for words in train_tokens for w in words})
    word_id = {w: i for i, w in enumerate(vocab)}

    def encode(path, raw, tokens):
        out = []
        for (text, label, line), words in zip(raw, tokens):
            c = index.get(_normalise(label))
            if c is None:
                raise InputError(f"{path}:{line}: unknown label `{label}`; the training set's "
                                 f"classes are: {', '.join(names)}")
            out.append(([word_id.get(w) for w in words], c))
        return out

    train = encode(train_path, train_raw, train_tokens)
    test = encode(test_path, test_raw, test_tokens)
    unknown = sorted({w for words in test_tokens for w in words if w not in word_id})
    if unknown:
        warnings.append(f"{test_path}: {len(unknown)} word(s) are not in the training "
                        f"vocabulary and read as a zero input vector: {', '.join(unknown[:10])}"
                        + (", ..." if len(unknown) > 10 else ""))
    return Dataset(vocab, names, train, test, warnings)


# ---------------------------------------------------------------------------------------
# Settings, labels and number formats as sweep writes them.

DEFAULTS = {"hidden_size": 64, "learning_rate": 0.02, "clip": 1.0, "epochs": 1000,
            "eval_every": 100, "init_scale": 0.001, "gradient": "article"}
SHORT = {"hidden_size": "h", "learning_rate": "lr", "clip": "clip", "epochs": "epochs",
         "eval_every": "eval", "init_scale": "init"}


def check_settings(s):
    """sweep's `SettingsParams::check`; returns `s` or raises InputError."""
    def bad(field, allowed):
        v = s[field]
        shown = fmt_f64(v) if isinstance(v, float) else v
        raise InputError(f"`{field}` = {shown} is not allowed: {allowed}")
    if not (isinstance(s["hidden_size"], int) and 1 <= s["hidden_size"] <= 1 << 20):
        bad("hidden_size", "an integer from 1 to 1048576")
    if not (math.isfinite(s["learning_rate"]) and s["learning_rate"] > 0):
        bad("learning_rate", "a finite number > 0")
    if math.isnan(s["clip"]) or s["clip"] <= 0:
        bad("clip", "a number > 0, or inf for no clipping")
    if not (isinstance(s["epochs"], int) and 1 <= s["epochs"] <= 1_000_000):
        bad("epochs", "an integer from 1 to 1000000")
    if not (isinstance(s["eval_every"], int) and 1 <= s["eval_every"] <= s["epochs"]):
        bad("eval_every", f"an integer from 1 to epochs ({s['epochs']})")
    if not (math.isfinite(s["init_scale"]) and s["init_scale"] >= 0):
        bad("init_scale", "a finite number >= 0")
    if s["gradient"] not in ("article", "exact"):
        bad("gradient", "article or exact")
    return s


def fmt_f64(x):
    """sweep's `fmt_f64` (src/number.rs): `0.02`, `1`, `inf`, `1e-6`, `1e16`: the
    shortest round-trip digits (Python's repr has the same), in Rust's notation."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    sign, digits, exp = Decimal(repr(float(x))).as_tuple()
    s = "-" if sign else ""
    ds = "".join(map(str, digits)).lstrip("0")
    if not ds:
        return s + "0"
    stripped = ds.rstrip("0")
    exp += len(ds) - len(stripped)
    ds = stripped
    point = len(ds) + exp  # x = 0.ds * 10**point
    if abs(x) >= 1e16 or abs(x) < 1e-5:
        return f"{s}{ds[0]}{'.' + ds[1:] if len(ds) > 1 else ''}e{point - 1}"
    if exp >= 0:
        return s + ds + "0" * exp
    if point > 0:
        return f"{s}{ds[:point]}.{ds[point:]}"
    return f"{s}0.{'0' * -point}{ds}"


def short(x):
    """sweep's `Value::short`: floats to four significant digits."""
    if isinstance(x, float) and math.isfinite(x) and x != 0:
        return fmt_f64(float(f"{x:.3e}"))
    return fmt_f64(x) if isinstance(x, float) else str(x)


def config_label(s):
    """`numpy h=64 lr=0.02 clip=1 article`, plus any other setting that is not the
    article's (sweep adds those when they vary in its grid)."""
    parts = [f"h={s['hidden_size']}", f"lr={short(s['learning_rate'])}",
             f"clip={short(s['clip'])}", s["gradient"]]
    for key in ("epochs", "eval_every", "init_scale"):
        if s[key] != DEFAULTS[key]:
            parts.append(f"{SHORT[key]}={short(s[key])}")
    return "numpy " + " ".join(parts)


def run_id_of(s, seed):
    """`numpy-s<seed>-<gradient>`, with the settings that are not the article's before the
    seed (`numpy-h16-lr0.05-s3-exact`)."""
    extra = [f"{SHORT[k]}{short(s[k])}" for k in
             ("hidden_size", "learning_rate", "clip", "epochs", "eval_every", "init_scale")
             if s[k] != DEFAULTS[k]]
    return "-".join(["numpy"] + extra + [f"s{seed}", s["gradient"]])


# ---------------------------------------------------------------------------------------
# The model and its training.

class Params:
    """The five parameters. `W_x` is W_xh transposed (V x H), so that a word's column is a
    contiguous row; `W_xh()` gives the H x V matrix."""

    def __init__(self, W_xh, W_hh, W_hy, b_h, b_y):
        f = lambda a: np.array(a, dtype=np.float64, order="C", copy=True)  # noqa: E731
        self.W_x = f(np.asarray(W_xh).T)
        self.W_hh = f(W_hh)
        self.W_hy = f(W_hy)
        self.b_h = f(b_h)
        self.b_y = f(b_y)
        self.H = self.W_hh.shape[0]

    def W_xh(self):
        return np.ascontiguousarray(self.W_x.T)

    @staticmethod
    def init(rng, vocab, hidden, classes, scale):
        """The article's init: W_hh, W_xh, W_hy drawn in that order (row-major, as
        `randn(rows, cols)`) from N(0, 1) times `scale`; biases zero."""
        W_hh = rng.randn(hidden, hidden) * scale
        W_xh = rng.randn(hidden, vocab) * scale
        W_hy = rng.randn(classes, hidden) * scale
        return Params(W_xh, W_hh, W_hy, np.zeros(hidden), np.zeros(classes))


def forward(P, words, label):
    """Runs a phrase through the net: (hidden states h_0..h_n, probabilities, loss,
    correct). The output layer is scalar Python arithmetic in sweep's order."""
    H = P.H
    W_hh, W_x, b_h = P.W_hh, P.W_x, P.b_h
    hs = [None] * (len(words) + 1)
    hs[0] = np.zeros(H)
    h = hs[0]
    for t, w in enumerate(words):
        # (W_hh h_{t-1} + column) + b_h; W_hh h_0 = 0 is not computed, as in sweep.
        pre = np.zeros(H) if t == 0 else W_hh @ h
        if w is not None:
            pre += W_x[w]
        pre += b_h
        h = np.tanh(pre, out=pre)
        hs[t + 1] = h
    y = P.W_hy @ h
    y += P.b_y
    ys = y.tolist()
    mx = -math.inf
    for v in ys:  # f64::max folded from -inf: a NaN is passed over
        if v > mx:
            mx = v
    es = [math.exp(v - mx) for v in ys]
    total = 0.0
    for e in es:
        total += e
    probs = [e / total for e in es]
    loss = (mx + math.log(total)) - ys[label]
    best = 0
    for i, p in enumerate(probs):  # ties go to the first class
        if p > probs[best]:
            best = i
    return hs, probs, loss, best == label


def train_example(P, words, label, lr, clip, exact):
    """Forward, BPTT and one SGD step on one example; returns (loss, correct)."""
    hs, probs, loss, correct = forward(P, words, label)
    n = len(words)
    W_hh = P.W_hh
    dy = probs[:]
    dy[label] -= 1.0
    dy = np.array(dy)
    h_n = hs[n]
    d_hy = np.multiply.outer(dy, h_n)
    dh = dy @ P.W_hy  # W_hy^T dL/dy
    d_bh = np.zeros(P.H)
    d_x = {}
    temps = [None] * n
    for t in range(n - 1, -1, -1):
        h_t = hs[t + 1]
        temp = (1.0 - h_t * h_t) * dh
        d_bh += temp
        w = words[t]
        if w is not None:
            col = d_x.get(w)
            if col is None:
                d_x[w] = 0.0 + temp
            else:
                col += temp
        temps[t] = temp
        if t > 0:
            dh = temp @ W_hh if exact else W_hh @ temp
    clipping = clip != math.inf

    def update(W, G):
        if clipping:
            np.clip(G, -clip, clip, out=G)
        G *= lr
        W -= G

    if n > 1:
        # dL/dW_hh = sum over t = n..2 of temp_t h_{t-1}^T, in that order (h_0 = 0 adds
        # nothing); a one-word phrase leaves W_hh as it is.
        G = np.multiply.outer(temps[n - 1], hs[n - 1])
        for t in range(n - 2, 0, -1):
            G += np.multiply.outer(temps[t], hs[t])
        update(W_hh, G)
    update(P.W_hy, d_hy)
    update(P.b_h, d_bh)
    update(P.b_y, dy)
    W_x = P.W_x
    for w, col in d_x.items():
        update(W_x[w], col)
    return loss, correct


def evaluate(P, examples):
    """Mean loss and accuracy without updates."""
    loss, correct = 0.0, 0
    with np.errstate(all="ignore"):  # a diverging run's overflows are results, not warnings
        for words, label in examples:
            _, _, l, c = forward(P, words, label)
            loss += l
            correct += c
    n = len(examples)
    return loss / n, correct / n


def train(P, data, settings, orders, on_epoch=None):
    """Trains `P` in place. `orders(epoch)` gives that epoch's order of the training set
    (None: no more epochs available). Returns (metrics, status, diverged_epoch), metrics a
    list of (epoch, train_loss, train_acc, test_loss or None, test_acc or None)."""
    with np.errstate(all="ignore"):  # a diverging run's overflows are results, not warnings
        return _train(P, data, settings, orders, on_epoch)


def _train(P, data, settings, orders, on_epoch):
    lr, clip = settings["learning_rate"], settings["clip"]
    exact = settings["gradient"] == "exact"
    epochs, every = settings["epochs"], settings["eval_every"]
    examples = data.train
    n = len(examples)
    metrics = []
    for epoch in range(1, epochs + 1):
        order = orders(epoch)
        if order is None:
            return metrics, "stopped", None
        loss, correct = 0.0, 0
        for i in order:
            words, label = examples[i]
            l, c = train_example(P, words, label, lr, clip, exact)
            if not math.isfinite(l):
                return metrics, "diverged", epoch
            loss += l
            correct += c
        test = evaluate(P, data.test) if (epoch % every == 0 or epoch == epochs) else None
        if not math.isfinite(loss) or (test is not None and not math.isfinite(test[0])):
            return metrics, "diverged", epoch
        m = (epoch, loss / n, correct / n) + (test if test else (None, None))
        metrics.append(m)
        if on_epoch:
            on_epoch(m)
    return metrics, "ok", None


def seeded_run(data, settings, seed):
    """One run seeded with numpy's legacy RandomState: init, then a permutation per epoch."""
    rng = np.random.RandomState(seed)
    P = Params.init(rng, len(data.vocab), settings["hidden_size"], len(data.classes),
                    settings["init_scale"])
    n = len(data.train)
    return train(P, data, settings, lambda epoch: rng.permutation(n).tolist())


# ---------------------------------------------------------------------------------------
# safetensors (float64 only), read and written by hand so that only numpy is needed.

def read_safetensors(path):
    """{name: float64 array} and the metadata dict of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise InputError(f"{path}: not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise InputError(f"{path}: not a safetensors file (header length {n})")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: bad safetensors header: {e}") from None
    body = memoryview(data)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info.get("dtype") != "F64":
            raise InputError(f"{path}: tensor `{name}` is {info.get('dtype')}, expected F64")
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        if end - begin != 8 * count or end > len(body) or begin < 0:
            raise InputError(f"{path}: tensor `{name}` has bad data offsets {begin}..{end}")
        values = np.frombuffer(body[begin:end], dtype="<f8")
        tensors[name] = values.reshape(shape).astype(np.float64)
    return tensors, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes float64 arrays as sweep does (little-endian, row-major, header padded with
    spaces to a multiple of 8 bytes)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f8")
        b = a.tobytes()
        header[name] = {"dtype": "F64", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---------------------------------------------------------------------------------------
# Traces written by `sweep trace`.

class Trace:
    """A run as `sweep trace` records it: settings, encoded data, shuffles and initial
    weights (format 1; see benches/replay.py)."""

    def __init__(self, directory):
        path = os.path.join(directory, "trace.json")
        try:
            with open(path, encoding="utf-8") as f:
                t = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: cannot read the trace: {e}") from None
        if not isinstance(t, dict) or t.get("format") != 1:
            raise InputError(f"{path}: not a trace of format 1 (format {t.get('format')!r})")
        try:
            s = dict(t["settings"])
            self.run_id = str(t["run_id"])
            self.seed = t.get("seed")
            self.vocab = list(t["vocab"])
            self.classes = list(t["classes"])
            train, test, shuffles = t["train"], t["test"], t["shuffles"]
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(f"{path}: missing or bad field: {e}") from None
        s = {k: s.get(k, DEFAULTS[k]) for k in DEFAULTS}
        for k in ("learning_rate", "clip", "init_scale"):
            s[k] = float(s[k])  # "inf" as a string too
        for k in ("hidden_size", "epochs", "eval_every"):
            if not isinstance(s[k], int):
                raise InputError(f"{path}: settings.{k} is not an integer")
        self.settings = check_settings(s)
        V, K = len(self.vocab), len(self.classes)

        def examples(name, rows):
            out = []
            for i, row in enumerate(rows):
                try:
                    words, label = row
                    words = [None if w is None else int(w) for w in words]
                except (TypeError, ValueError):
                    raise InputError(f"{path}: {name}[{i}] is not [[word ids], class]") from None
                if not words or any(w is not None and not 0 <= w < V for w in words):
                    raise InputError(f"{path}: {name}[{i}] has no words or a word id out of range")
                if not (isinstance(label, int) and 0 <= label < K):
                    raise InputError(f"{path}: {name}[{i}] has class {label!r}, not 0..{K - 1}")
                out.append((words, label))
            if not out:
                raise InputError(f"{path}: `{name}` is empty")
            return out

        self.data = Dataset(self.vocab, self.classes, examples("train", train),
                            examples("test", test))
        n = len(self.data.train)
        self.shuffles = []
        for e, order in enumerate(shuffles):
            if sorted(order) != list(range(n)):
                raise InputError(f"{path}: shuffles[{e}] (epoch {e + 1}) is not a permutation "
                                 f"of 0..{n - 1}")
            self.shuffles.append([int(i) for i in order])
        wpath = os.path.join(directory, "initial.safetensors")
        try:
            w, _ = read_safetensors(wpath)
        except OSError as e:
            raise InputError(f"{wpath}: cannot read: {e.strerror}") from None
        H = s["hidden_size"]
        want = {"W_xh": (H, V), "W_hh": (H, H), "W_hy": (K, H), "b_h": (H,), "b_y": (K,)}
        for name, shape in want.items():
            if name not in w:
                raise InputError(f"{wpath}: no tensor `{name}`")
            if w[name].shape != shape:
                raise InputError(f"{wpath}: `{name}` has shape {w[name].shape}, expected {shape}")
        self.weights = w

    def params(self):
        w = self.weights
        return Params(w["W_xh"], w["W_hh"], w["W_hy"], w["b_h"], w["b_y"])

    def run(self, on_epoch=None):
        shuffles = self.shuffles
        return train(self.params(), self.data, self.settings,
                     lambda e: shuffles[e - 1] if e <= len(shuffles) else None, on_epoch)


# ---------------------------------------------------------------------------------------
# Output.

RUNS_HEADER = ["run_id", "config", "hidden_size", "learning_rate", "clip", "gradient",
               "epochs", "eval_every", "init_scale", "seed", "status", "diverged_epoch",
               "final_train_loss", "final_train_acc", "final_test_loss", "final_test_acc",
               "best_test_acc", "first_epoch_train_acc_1", "epochs_run"]
CURVES_HEADER = ["run_id", "epoch", "train_loss", "train_acc", "test_loss", "test_acc"]


def num(x):
    return "" if x is None else repr(float(x))


def epoch_block(m):
    """The article's block of an evaluated epoch, as `sweep train` prints it."""
    epoch, tl, ta, vl, va = m
    return (f"--- Epoch {epoch}\nTrain:\tLoss {tl:.3f} | Accuracy: {ta:.3f}\n"
            f"Test:\tLoss {vl:.3f} | Accuracy: {va:.3f}\n")


def table_text(metrics, status, diverged):
    out = "".join(epoch_block(m) for m in metrics if m[3] is not None)
    if status == "diverged":
        out += f"--- Diverged in epoch {diverged}: the loss is no longer finite\n"
    elif status == "stopped":
        out += f"--- Stopped after epoch {len(metrics)}: the trace has no more shuffles\n"
    return out


def runs_row(run_id, settings, seed, metrics, status, diverged):
    """One runs.csv row with sweep's meanings (docs/results.md); settings written as sweep
    writes them, metrics as Python repr."""
    s = settings
    tests = [m for m in metrics if m[3] is not None]
    final_train = metrics[-1] if metrics else None
    final_test = tests[-1] if tests else None
    best = max((m[4] for m in tests), default=None)
    first = next((m[0] for m in metrics if m[2] == 1.0), None)
    return [run_id, config_label(s), str(s["hidden_size"]), fmt_f64(s["learning_rate"]),
            fmt_f64(s["clip"]), s["gradient"], str(s["epochs"]), str(s["eval_every"]),
            fmt_f64(s["init_scale"]), "" if seed is None else str(seed),
            "diverged" if status == "diverged" else "ok",
            "" if diverged is None else str(diverged),
            num(final_train and final_train[1]), num(final_train and final_train[2]),
            num(final_test and final_test[3]), num(final_test and final_test[4]),
            num(best), "" if first is None else str(first), str(len(metrics))]


def curve_rows(run_id, metrics):
    return [[run_id, str(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4])] for m in metrics]


def merge_csv(path, header, rows):
    """Appends `rows` to the CSV at `path` (created with `header` if absent); an existing
    row with the same run_id is replaced in place. Written to a temporary and renamed."""
    old = []
    if os.path.exists(path):
        with open(path, newline="", encoding="utf-8") as f:
            existing = list(csv.reader(f))
        if existing:
            if existing[0] != header:
                raise InputError(f"{path}: its header is not {','.join(header)}")
            old = existing[1:]
    new_ids = {}
    for r in rows:
        new_ids.setdefault(r[0], []).append(r)
    out, placed = [], set()
    for r in old:
        if r[0] in new_ids:
            if r[0] not in placed:
                out.extend(new_ids[r[0]])
                placed.add(r[0])
        else:
            out.append(r)
    for r in rows:
        if r[0] not in placed:
            out.append(r)
    replaced = len(placed)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(out)
    os.replace(tmp, path)
    return replaced


# ---------------------------------------------------------------------------------------
# Command line.

_WORKER = {}


def _init_worker(data):
    _WORKER["data"] = data


def _run_task(task):
    seed, settings = task
    start = time.perf_counter()
    metrics, status, diverged = seeded_run(_WORKER["data"], settings, seed)
    return seed, settings["gradient"], metrics, status, diverged, time.perf_counter() - start


def parse_seeds(text):
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", text)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"`{text}` is not a range A:B of seeds with A < B "
                                         "(B excluded)")
    return range(int(m.group(1)), int(m.group(2)))


def parse_float(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number") from None


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="The article's RNN training in numpy (see the module docstring).")
    src = ap.add_argument_group("input")
    src.add_argument("--train", help="training data (.tsv, .csv or the tutorial's data.py)")
    src.add_argument("--test", help="test data (same formats)")
    src.add_argument("--trace", metavar="DIR", help="replay a trace written by `sweep trace`")
    src.add_argument("--print-data", action="store_true",
                     help="print the data set's sizes, vocabulary, classes and fingerprint")
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--seed", type=int, help="one run with RandomState(SEED) (default 0)")
    sel.add_argument("--seeds", type=parse_seeds, metavar="A:B", help="seeds A..B-1")
    ap.add_argument("--gradient", default="article", choices=["article", "exact", "both"])
    ap.add_argument("--hidden-size", type=int, default=DEFAULTS["hidden_size"])
    ap.add_argument("--learning-rate", type=parse_float, default=DEFAULTS["learning_rate"])
    ap.add_argument("--clip", type=parse_float, default=DEFAULTS["clip"],
                    help="elementwise gradient clip; inf = none")
    ap.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    ap.add_argument("--eval-every", type=int,
                    help="test metrics every N epochs and after the last (default 100, or "
                         "--epochs if fewer)")
    ap.add_argument("--init-scale", type=parse_float, default=DEFAULTS["init_scale"])
    ap.add_argument("--jobs", type=int, default=1, help="processes for --seeds (default 1)")
    ap.add_argument("--runs-csv", metavar="FILE", help="append rows in sweep's runs.csv columns")
    ap.add_argument("--curves-csv", metavar="FILE",
                    help="append rows in sweep's curves.csv columns")
    ap.add_argument("--quiet", action="store_true", help="no tables on stdout")
    args = ap.parse_args(argv)
    try:
        return _main(args, ap)
    except InputError as e:
        print(f"numpy_rnn: {e}", file=sys.stderr)
        return 2


def _main(args, ap):
    if args.trace:
        if args.train or args.test or args.seed is not None or args.seeds:
            ap.error("--trace takes its data, settings and seed from the trace")
        trace = Trace(args.trace)
        if args.print_data:
            print_data(trace.data)
            return 0
        metrics, status, diverged = trace.run()
        run_id = f"numpy-replay-{trace.run_id}"
        if not args.quiet:
            sys.stdout.write(table_text(metrics, status, diverged))
        write_tables(args, [(run_id, trace.settings, trace.seed, metrics, status, diverged)])
        return 0
    if not (args.train and args.test):
        ap.error("give --train and --test (or --trace DIR)")
    data = load_data(args.train, args.test)
    for w in data.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.print_data:
        print_data(data)
        return 0
    base = {"hidden_size": args.hidden_size, "learning_rate": args.learning_rate,
            "clip": args.clip, "epochs": args.epochs,
            "eval_every": args.eval_every if args.eval_every is not None else min(100, args.epochs),
            "init_scale": args.init_scale}
    variants = ["article", "exact"] if args.gradient == "both" else [args.gradient]
    all_settings = [check_settings(dict(base, gradient=g)) for g in variants]
    seeds = args.seeds if args.seeds is not None else [args.seed if args.seed is not None else 0]
    tasks = [(seed, s) for seed in seeds for s in all_settings]
    print(f"numpy_rnn: {len(data.train)} train / {len(data.test)} test phrases, "
          f"{len(data.vocab)} words, {len(data.classes)} classes; {len(tasks)} run(s), "
          f"{', '.join(variants)} gradient, --jobs {args.jobs}", file=sys.stderr)
    start = time.perf_counter()
    results = []
    if args.jobs > 1 and len(tasks) > 1:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(args.jobs, _init_worker, (data,)) as pool:
            for r in pool.imap_unordered(_run_task, tasks):
                results.append(r)
                _progress(r, len(results), len(tasks))
    else:
        _init_worker(data)
        for task in tasks:
            r = _run_task(task)
            results.append(r)
            if len(tasks) > 1:
                _progress(r, len(results), len(tasks))
    order = {g: i for i, g in enumerate(variants)}
    results.sort(key=lambda r: (r[0], order[r[1]]))
    rows = []
    for seed, gradient, metrics, status, diverged, _ in results:
        s = all_settings[order[gradient]]
        run_id = run_id_of(s, seed)
        rows.append((run_id, s, seed, metrics, status, diverged))
        if not args.quiet:
            if len(tasks) > 1:
                sys.stdout.write(f"=== {run_id} ({config_label(s)}, seed {seed})\n")
            sys.stdout.write(table_text(metrics, status, diverged))
    sys.stdout.flush()
    write_tables(args, rows)
    print(f"numpy_rnn: {len(tasks)} run(s) in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    return 0


def _progress(r, done, total):
    seed, gradient, metrics, status, diverged, secs = r
    print(f"  [{done}/{total}] seed {seed} {gradient}: {status}"
          f"{f' in epoch {diverged}' if diverged else ''}, {secs:.1f} s", file=sys.stderr)


def write_tables(args, rows):
    if args.runs_csv:
        replaced = merge_csv(args.runs_csv, RUNS_HEADER, [runs_row(*r) for r in rows])
        print(f"numpy_rnn: {len(rows)} row(s) written to {args.runs_csv}"
              f"{f' ({replaced} replaced)' if replaced else ''}", file=sys.stderr)
    if args.curves_csv:
        curves = [c for r in rows for c in curve_rows(r[0], r[3])]
        merge_csv(args.curves_csv, CURVES_HEADER, curves)


def print_data(data):
    print(f"train {len(data.train)} test {len(data.test)} vocab {len(data.vocab)} "
          f"classes {len(data.classes)}")
    print("vocab: " + " ".join(data.vocab))
    print("classes: " + " ".join(data.classes))
    print(f"fingerprint: {data.fingerprint()}")


if __name__ == "__main__":
    sys.exit(main())
