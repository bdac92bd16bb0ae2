#!/usr/bin/env python3
"""Writes a trace directory in the format `sweep trace` will write (see benches/replay.py),
made with numpy instead of sweep: for testing benches/replay.py and `numpy_rnn.py --trace`
before sweep can write real traces.

With `--rng numpy` (the default) the initial weights and the shuffles are the draws of
benches/numpy_rnn.py's seeded mode (`RandomState(seed)`: `randn` for W_hh, W_xh, W_hy in
that order, times init_scale, then one `permutation` per epoch), so replaying the trace
must give exactly the numbers of `numpy_rnn.py --seed SEED` with the same data and
settings. With `--rng sweep` they are sweep's own draws for that seed (benches/sweep_rng.py:
ChaCha8, polar-method normals, rand's shuffle), so the trace is the one of
`sweep train --seed SEED` with the same data and settings, and `replay.py` can compare it
with that run's curves in a results directory (`--run-id` names the run there).
With --curves FILE it also writes the trace's run replayed in numpy, in sweep's
curves.csv columns under the trace's run_id (standing in for sweep's curves).

usage: python3 benches/make_fake_trace.py --train F --test F --out DIR [--seed 0]
           [--rng numpy|sweep] [--gradient article|exact] [--hidden-size 64] [--learning-rate 0.02]
           [--clip 1|inf] [--epochs 1000] [--eval-every 100] [--init-scale 0.001]
           [--run-id ID] [--curves FILE]
Needs numpy only.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import numpy_rnn  # noqa: E402
import sweep_rng  # noqa: E402


def write_trace(out, data, settings, seed, run_id, rng="numpy"):
    """Draws the weights and shuffles of numpy_rnn's seeded mode (`rng="numpy"`) or of
    sweep (`"sweep"`) and writes the trace."""
    V, H, K = len(data.vocab), settings["hidden_size"], len(data.classes)
    n, epochs = len(data.train), settings["epochs"]
    if rng == "sweep":
        draws = sweep_rng.SweepDraws(seed)
        P = numpy_rnn.Params(*draws.initial(V, H, K, settings["init_scale"]))
        shuffles = [draws.order(n) for _ in range(epochs)]
    else:
        state = np.random.RandomState(seed)
        P = numpy_rnn.Params.init(state, V, H, K, settings["init_scale"])
        shuffles = [state.permutation(n).tolist() for _ in range(epochs)]
    os.makedirs(out, exist_ok=True)
    s = dict(settings)
    if math.isinf(s["clip"]):
        s["clip"] = "inf"
    trace = {"format": 1, "run_id": run_id, "seed": seed, "settings": s,
             "vocab": data.vocab, "classes": data.classes,
             "train": [[w, c] for w, c in data.train], "test": [[w, c] for w, c in data.test],
             "shuffles": shuffles}
    with open(os.path.join(out, "trace.json"), "w", encoding="utf-8") as f:
        json.dump(trace, f, ensure_ascii=False)
    numpy_rnn.write_safetensors(
        os.path.join(out, "initial.safetensors"),
        {"W_xh": P.W_xh(), "W_hh": P.W_hh, "W_hy": P.W_hy, "b_h": P.b_h, "b_y": P.b_y},
        {"format": "sweep-rnn-v1", "vocab": json.dumps(data.vocab),
         "classes": json.dumps(data.classes)})


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a numpy-made trace for testing replay.")
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", required=True, metavar="DIR")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rng", default="numpy", choices=["numpy", "sweep"],
                    help="whose draws: numpy_rnn.py's seeded mode or sweep's")
    ap.add_argument("--gradient", default="article", choices=["article", "exact"])
    ap.add_argument("--hidden-size", type=int, default=64)
    ap.add_argument("--learning-rate", type=float, default=0.02)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--eval-every", type=int)
    ap.add_argument("--init-scale", type=float, default=0.001)
    ap.add_argument("--run-id", help="default: fake-s<seed>-<gradient>")
    ap.add_argument("--curves", metavar="FILE",
                    help="also write the seeded run's curves (sweep's columns) here")
    args = ap.parse_args(argv)
    try:
        data = numpy_rnn.load_data(args.train, args.test)
        settings = numpy_rnn.check_settings({
            "hidden_size": args.hidden_size, "learning_rate": args.learning_rate,
            "clip": args.clip, "epochs": args.epochs,
            "eval_every": args.eval_every if args.eval_every else min(100, args.epochs),
            "init_scale": args.init_scale, "gradient": args.gradient})
    except numpy_rnn.InputError as e:
        print(f"make_fake_trace: {e}", file=sys.stderr)
        return 2
    run_id = args.run_id or f"fake-{args.rng}-s{args.seed}-{args.gradient}"
    write_trace(args.out, data, settings, args.seed, run_id, args.rng)
    print(f"make_fake_trace: wrote {args.out} (run {run_id})", file=sys.stderr)
    if args.curves:
        metrics, _, _ = numpy_rnn.Trace(args.out).run()
        numpy_rnn.merge_csv(args.curves, numpy_rnn.CURVES_HEADER,
                            numpy_rnn.curve_rows(run_id, metrics))
        print(f"make_fake_trace: wrote its run's curves to {args.curves}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
