#!/usr/bin/env python3
"""The store at scale: wall time, files, bytes on disk, bytes per run-epoch, peak memory and
report time of large sweeps of tiny runs (H = 4), where per-run file overhead, not training,
is the cost.

  20,000 runs x 100 epochs     (10 learning rates x 2 gradients x 1,000 seeds)
  100,000 runs x 10 epochs     (10 x 2 x 5,000 seeds)
  1,000,000 runs x 10 epochs   (10 x 2 x 50,000 seeds)

For each: `sweep run` into a fresh directory (which also writes the tables and the report),
then `sweep report` on it again, each timed, with the peak resident memory of that process
(from wait4). The store is the record logs (`runs/*.log`); "per run-epoch" is their bytes
over the run-epochs trained. The weights files are those the report names (at most 1000).

usage: python3 benches/store_scale.py [--only 20k,100k,1m] [--jobs N] [--keep DIR]
Builds `sweep` in release mode first; needs only the Python standard library.
"""
import argparse, os, shutil, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = os.path.join(ROOT, "target", "release", "sweep")

SWEEPS = {
    "20k": (100, 1000),
    "100k": (10, 5000),
    "1m": (10, 50000),
}

EXPERIMENT = """name = "{name}"
[data]
train = "{root}/data/en/train.tsv"
test = "{root}/data/en/test.tsv"
[train]
epochs = {epochs}
eval_every = {eval_every}
hidden_size = 4
[grid]
learning_rate = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3]
gradient = ["article", "exact"]
seed = {{ start = 0, count = {seeds} }}
"""


def timed(cmd):
    """Runs `cmd`; returns (wall seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def footprint(path):
    """(files, bytes on disk, apparent bytes) under `path`."""
    files, disk, apparent = 0, 0, 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            st = os.lstat(os.path.join(dirpath, n))
            files += 1
            disk += st.st_blocks * 512
            apparent += st.st_size
    return files, disk, apparent


def mb(n):
    return f"{n / 1e6:.1f} MB"


def bench(name, work, jobs):
    epochs, seeds = SWEEPS[name]
    runs = 20 * seeds
    exp = os.path.join(work, f"{name}.toml")
    with open(exp, "w") as f:
        f.write(EXPERIMENT.format(name=name, root=ROOT, epochs=epochs,
                                  eval_every=max(epochs // 10, 1), seeds=seeds))
    out = os.path.join(work, f"out-{name}")
    shutil.rmtree(out, ignore_errors=True)
    wall, rss = timed([SWEEP, "run", exp, "--out", out, "--jobs", str(jobs), "--quiet", "--yes"])
    files, disk, apparent = footprint(out)
    logs = [os.path.join(out, "runs", n) for n in os.listdir(os.path.join(out, "runs"))
            if n.endswith(".log")]
    s_files, s_apparent = len(logs), sum(os.path.getsize(p) for p in logs)
    s_disk = sum(os.stat(p).st_blocks * 512 for p in logs)
    w_files, w_disk, _ = footprint(os.path.join(out, "runs"))
    w_files, w_disk = w_files - s_files, w_disk - s_disk
    report, report_rss = timed([SWEEP, "report", out])
    run_epochs = runs * epochs
    tables = {f: os.path.getsize(os.path.join(out, f))
              for f in ("runs.csv", "curves.parquet", "curves.csv", "summary.csv")
              if os.path.exists(os.path.join(out, f))}
    print(f"| {runs:,} runs x {epochs} epochs | {wall:.0f} s | {files} ({s_files} logs, "
          f"{w_files} weights) | {mb(disk)} (logs {mb(s_disk)}, weights {mb(w_disk)}) "
          f"| {s_apparent / run_epochs:.1f} B "
          f"| {rss:.0f} MB | {report:.1f} s ({report_rss:.0f} MB) |", flush=True)
    print("    tables: " + ", ".join(f"{k} {mb(v)}" for k, v in tables.items()), flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="20k,100k,1m")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep", help="keep the results directories here")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    work = args.keep or tempfile.mkdtemp(prefix="sweep-store-")
    os.makedirs(work, exist_ok=True)
    print("| sweep | wall (run) | files | on disk | log bytes per run-epoch | peak memory (run) "
          "| `sweep report` (peak memory) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    try:
        for name in args.only.split(","):
            out = bench(name, work, args.jobs)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
