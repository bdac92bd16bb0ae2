#!/usr/bin/env python3
"""Time `sweep train` against the numpy reference on the same data, side by side.

The numpy side is the project's own benches/numpy_rnn.py (the same algorithm, seeded with
numpy's RandomState). Each round runs it once and `sweep train` once (same data, settings
and gradient variant, seed 0, 1000 epochs), so both see the same machine state; the ratio
is computed pair by pair and the median reported.

usage: python3 benches/vs_numpy.py [--rounds N] [--variant exact|article] [--train F --test F]
                                   [--reference PATH]
Needs numpy; without it, installs numpy into a temporary venv and re-runs itself there.
Builds `sweep` in release mode first (into $CARGO_TARGET_DIR if set, else target/).
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "benches", "numpy_rnn.py")


def ensure_numpy():
    try:
        import numpy  # noqa: F401
    except ImportError:
        venv = tempfile.mkdtemp(prefix="sweep-bench-venv-")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        subprocess.run([py, "-m", "pip", "install", "-q", "numpy"], check=True)
        os.execv(py, [py] + sys.argv)


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--variant", default="exact")
    ap.add_argument("--train", default=os.path.join(ROOT, "data/en/train.tsv"))
    ap.add_argument("--test", default=os.path.join(ROOT, "data/en/test.tsv"))
    ap.add_argument("--reference", default=REFERENCE)
    args = ap.parse_args()
    ensure_numpy()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    sweep = os.path.join(os.path.abspath(os.path.join(ROOT, target)), "release", "sweep")
    numpy_cmd = [sys.executable, args.reference, "--train", args.train, "--test", args.test,
                 "--gradient", args.variant, "--seed", "0"]
    sweep_cmd = [sweep, "train", "--train", args.train, "--test", args.test,
                 "--gradient", args.variant, "--seed", "0"]
    # OpenBLAS settings that slow a current numpy (see the machine notes) are unset for it.
    env_note = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    rows = []
    for r in range(args.rounds):
        t_np = timed(numpy_cmd)
        t_sw = timed(sweep_cmd)
        rows.append((t_np, t_sw, t_np / t_sw))
        print(f"round {r + 1}: numpy {t_np:.3f} s, sweep {t_sw:.4f} s, ratio {t_np / t_sw:.1f}x", flush=True)
    med = lambda i: statistics.median(x[i] for x in rows)
    print(f"median of {args.rounds}: numpy {med(0):.3f} s, sweep {med(1):.4f} s, "
          f"ratio {med(2):.1f}x (pair by pair), variant {args.variant}, H=64, 1000 epochs")
    if env_note:
        print(f"(unset for both: {', '.join(env_note)})")


if __name__ == "__main__":
    main()
