#!/usr/bin/env python3
"""Time whole sweeps: `--jobs 2` against `--jobs 1`, and the peak memory of a large sweep.

1. A 64-run sweep of the article's run (H = 64, 1000 epochs, seeds 0..63) trained with
   `--jobs 1` and with `--jobs 2`, alternately, each into a fresh directory; the speed-up
   (runs/s at 2 jobs over runs/s at 1 job) is computed pair by pair, and the median reported.
2. A 1000-run sweep of the same run (seeds 0..999) with the peak resident memory of the
   `sweep` process (from wait4, so only that process is counted).

usage: python3 benches/sweep_scaling.py [--rounds N] [--big-runs N]
Builds `sweep` in release mode first; needs only the Python standard library.
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = os.path.join(ROOT, "target", "release", "sweep")

EXPERIMENT = """name = "{name}"
[data]
train = "{root}/data/en/train.tsv"
test = "{root}/data/en/test.tsv"
[train]
epochs = 1000
eval_every = 100
[grid]
hidden_size = [64]
learning_rate = [0.02]
clip = [1.0]
gradient = ["article"]
seed = {{ start = 0, count = {count} }}
"""


def sweep(workdir, count, jobs):
    """Runs a fresh sweep of `count` runs; returns (wall seconds, peak RSS in MB)."""
    exp = os.path.join(workdir, f"s{count}.toml")
    with open(exp, "w") as f:
        f.write(EXPERIMENT.format(name=f"s{count}", root=ROOT, count=count))
    out = os.path.join(workdir, f"out-{count}-{jobs}")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [SWEEP, "run", exp, "--out", out, "--jobs", str(jobs), "--quiet", "--no-weights"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sweep failed: {' '.join(cmd)}")
    shutil.rmtree(out, ignore_errors=True)
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--big-runs", type=int, default=1000)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as work:
        ratios = []
        for r in range(args.rounds):
            one, _ = sweep(work, 64, 1)
            two, _ = sweep(work, 64, 2)
            ratios.append(one / two)
            print(f"round {r + 1}: --jobs 1 {64 / one:.1f} runs/s ({one:.2f} s), "
                  f"--jobs 2 {64 / two:.1f} runs/s ({two:.2f} s), speed-up {one / two:.2f}x",
                  flush=True)
        print(f"median of {args.rounds}: --jobs 2 / --jobs 1 = {statistics.median(ratios):.2f}x "
              f"(64 runs, H=64, 1000 epochs, {os.cpu_count()} CPUs)")
        wall, rss = sweep(work, args.big_runs, os.cpu_count())
        print(f"{args.big_runs}-run sweep: {wall:.1f} s, peak RSS {rss:.1f} MB")


if __name__ == "__main__":
    main()
