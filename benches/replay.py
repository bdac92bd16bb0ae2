#!/usr/bin/env python3
"""Replays one sweep run in numpy from the trace `sweep trace` wrote, and compares the train
loss epoch by epoch with sweep's own curves: the exact cross-check of sweep's arithmetic
against an independent implementation (benches/numpy_rnn.py).

usage: python3 benches/replay.py TRACE_DIR [--curves RESULTS/curves.csv] [--run-id ID]
                                 [--summary-only]

TRACE_DIR holds (format 1):
- trace.json: {"format": 1, "run_id": "...", "seed": 0,
    "settings": {"hidden_size": 64, "learning_rate": 0.02, "clip": 1.0 (or "inf"),
                 "epochs": 1000, "eval_every": 100, "init_scale": 0.001,
                 "gradient": "article"},
    "vocab": ["all", "am", ...] (index = word id), "classes": ["0", "1"] (index = class id),
    "train": [[[word ids...], class], ...] (file order; an unknown word is null),
    "test": [...same...],
    "shuffles": [[indices into train for epoch 1], [epoch 2], ...]}
- initial.safetensors: the initial weights in float64, W_xh (H x V), W_hh (H x H),
  W_hy (K x H), b_h (H), b_y (K), as sweep saves weights (read here without the
  safetensors package).

It trains from those weights in those shuffles and prints, for every epoch, numpy's train
loss and, with --curves (sweep's curves.csv: run_id,epoch,train_loss,train_acc,test_loss,
test_acc; the rows of the trace's run_id, or of --run-id), sweep's and the relative
difference |numpy - sweep| / |sweep|. Then a summary: the largest relative difference over
epochs 1..200, the first epoch where it exceeds 1e-12, the largest over all epochs, the
same for the test loss at evaluated epochs, and how each side ended. The two agree to
rounding, not bit for bit (sweep's fused multiply-adds and its own tanh/exp/ln), so the
difference starts near 1e-16 and may grow where training is chaotic.

Exit status 0 whatever the differences; 2 if the trace or the curves cannot be read.
Needs numpy only.
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_rnn  # noqa: E402

THRESHOLD = 1e-12
EARLY = 200


def rel_diff(a, b):
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else math.inf
    return abs(a - b) / abs(b)


def read_curves(path, run_id):
    """{epoch: (train_loss, test_loss or None)} of `run_id` in a curves.csv."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            need = {"run_id", "epoch", "train_loss", "test_loss"}
            if not need <= set(reader.fieldnames or ()):
                raise numpy_rnn.InputError(f"{path}: not a curves.csv (columns "
                                           f"{', '.join(reader.fieldnames or ())})")
            out, ids = {}, set()
            for row in reader:
                ids.add(row["run_id"])
                if row["run_id"] != run_id:
                    continue
                test = row["test_loss"]
                out[int(row["epoch"])] = (float(row["train_loss"]), float(test) if test else None)
    except OSError as e:
        raise numpy_rnn.InputError(f"{path}: cannot read: {e.strerror}") from None
    except ValueError as e:
        raise numpy_rnn.InputError(f"{path}: bad number: {e}") from None
    if not out:
        some = ", ".join(sorted(ids)[:5]) + (", ..." if len(ids) > 5 else "")
        raise numpy_rnn.InputError(f"{path}: no rows of run {run_id} (it has: {some or 'none'})")
    return out


def fmt(x):
    return "-" if x is None else f"{x:.3e}"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Replay a sweep run from its trace in numpy.")
    ap.add_argument("trace", metavar="TRACE_DIR")
    ap.add_argument("--curves", metavar="CURVES_CSV", help="sweep's curves.csv to compare with")
    ap.add_argument("--run-id", help="the run's id in the curves (default: the trace's)")
    ap.add_argument("--summary-only", action="store_true", help="no per-epoch lines")
    args = ap.parse_args(argv)
    try:
        trace = numpy_rnn.Trace(args.trace)
        sweep = read_curves(args.curves, args.run_id or trace.run_id) if args.curves else None
    except numpy_rnn.InputError as e:
        print(f"replay: {e}", file=sys.stderr)
        return 2
    s = trace.settings
    print(f"# replay of run {trace.run_id} (seed {trace.seed}): {numpy_rnn.config_label(s)}, "
          f"{s['epochs']} epochs, {len(trace.data.train)} train / {len(trace.data.test)} test "
          f"phrases, {len(trace.shuffles)} shuffles")
    if sweep is None:
        print("epoch\tnumpy_train_loss")
    else:
        print("epoch\tnumpy_train_loss\tsweep_train_loss\trel_diff")

    rows = []

    def on_epoch(m):
        epoch, loss = m[0], m[1]
        if sweep is None:
            if not args.summary_only:
                print(f"{epoch}\t{loss!r}", flush=True)
            return
        theirs = sweep.get(epoch)
        d = rel_diff(loss, theirs[0] if theirs else None)
        dt = rel_diff(m[3], theirs[1] if theirs else None)
        rows.append((epoch, d, dt))
        if not args.summary_only:
            print(f"{epoch}\t{loss!r}\t{'-' if theirs is None else repr(theirs[0])}\t{fmt(d)}",
                  flush=True)

    metrics, status, diverged = trace.run(on_epoch)
    ended = {"ok": f"finished {len(metrics)} epochs",
             "diverged": f"diverged in epoch {diverged}",
             "stopped": f"stopped after epoch {len(metrics)} (no more shuffles in the trace)"}
    print(f"# numpy: {ended[status]}")
    if sweep is None:
        return 0
    last = max(sweep)
    print(f"# sweep: curves up to epoch {last}"
          + (f" (of {s['epochs']}: diverged in epoch {last + 1}, or cut short)"
             if last < s["epochs"] else ""))
    both = [(e, d, dt) for e, d, dt in rows if d is not None]
    missing = sorted(set(sweep) - {e for e, _, _ in rows})
    if missing:
        print(f"# epochs in sweep's curves that numpy did not reach: {missing[0]}..{missing[-1]}")
    early = [d for e, d, _ in both if e <= EARLY]
    first = next((e for e, d, _ in both if not d <= THRESHOLD), None)
    tests = [(e, dt) for e, _, dt in both if dt is not None]
    print(f"# epochs compared: {len(both)}")
    print(f"# max rel diff, train loss, epochs 1..{EARLY}: {fmt(max(early, default=None))}")
    print(f"# first epoch with rel diff > {THRESHOLD:g}: {first if first else 'none'}")
    worst_all = max((d for _, d, _ in both), default=None)
    print(f"# max rel diff, train loss, all epochs: {fmt(worst_all)}")
    if tests:
        worst = max(tests, key=lambda x: x[1])
        print(f"# max rel diff, test loss, {len(tests)} evaluated epochs: {fmt(worst[1])} "
              f"(epoch {worst[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
