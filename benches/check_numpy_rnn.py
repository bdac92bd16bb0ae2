#!/usr/bin/env python3
"""Self-checks of the numpy reference (benches/numpy_rnn.py, replay.py, make_fake_trace.py,
sweep_rng.py): tokenizer, data loading (sweep's data fingerprints), number formats, the
safetensors reader, sweep's random draws, seeded runs, fake traces replayed twice and
against the seeded run, replay.py's report, runs.csv rows of a diverged run, --jobs
determinism. A few seconds of CPU.

usage: python3 benches/check_numpy_rnn.py [--sweep BIN] [--results DIR]
  --sweep BIN: also check against sweep itself (BIN: a built `sweep`, e.g.
    target/release/sweep; about 15 s): it trains a small experiment (H = 16, 300 epochs,
    seeds 0 and 1, both gradients) in a temporary directory, then (a) numpy's forward pass
    on each run's saved final weights must give sweep's last recorded test loss, and (b)
    each run, rebuilt with sweep's own draws (make_fake_trace --rng sweep) and replayed by
    replay.py, must follow sweep's train loss within 1e-13 relative over epochs 1..200.
  --results DIR: (a) on an existing sweep results directory that kept its weights.
Exit status 0 if every check passes, 1 otherwise. Needs numpy only.
"""
import argparse
import csv
import glob
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402

import make_fake_trace  # noqa: E402
import numpy_rnn as nr  # noqa: E402
import sweep_rng  # noqa: E402

FAILED = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + str(detail)}")
    if not ok:
        FAILED.append(name)


# Data files and the fingerprints sweep gives them (taken from the records of
# `sweep run` on a one-epoch experiment over each pair, sweep at commit 7e232e9).
FIXTURES = {
    "t1.csv": "\ufeff id , Text ,LABEL\r\n1,\"Я плохой, а не хороший\",pos\r\n\r\n2,\"say \"\"hi\"\" "
              "ΣΟΦΟΣ ΟΔΟΣ.\",neg\r\n3,नमस्ते दुनिया  café x\u0301y,pos\r\n4,  İstanbul ǅemal ﬁx Ⅻ ½ ², "
              "neg\r\n5,Ꞌ\u1c89x \U00010d50z 𝔘𝔫𝔦,pos\n",
    "t2.csv": "text,label\nя плохой,neg\nΣΟΦΟΣ x,pos\nunknownword good,pos\n",
    "a.tsv": "label\ttext\n3\tgood \"x\n-1\tbad\n+3\tok\n10\tfine\n",
    "b.tsv": "text\tlabel\nbad good zzz\t10\n",
    "d.py": "# c\ntrain_data = {'a b': True}\ntest_data = {'c': False}\ntrain_data = {\n "
            "'good': True,\n \"bad\": False,\n 'good': False, # dup\n 'it\\'s ok': True,\n}\n",
    "tf.tsv": "text\tlabel\ngood\tTRUE\nbad\tfalse\n",
}
FINGERPRINTS = [
    ("data/en/train.tsv", "data/en/test.tsv",
     "3f0cf17390e0b376a10c6b97835dee2e7b8a6b042be2384fc89203f82f2bcda0"),
    ("data/ru/train.tsv", "data/ru/test.tsv",
     "847f468fa0449be8782b992692f39925314651239bc344c4c46b97d33f99ebfe"),
    ("t1.csv", "t2.csv", "1c1d76ae9377c21a21c93b0f94ef3fe0a4fb02e475cd55da82537c6aad8a081c"),
    ("a.tsv", "b.tsv", "44710a2608c51d8422f908fe385ef88194a17053c6106081ccd0e7b96d6963f3"),
    ("d.py", "d.py", "f4e603756a4bfe53be887ca9a18e91d5850b4d75458e8f08fab92fed925009c2"),
    ("tf.tsv", "tf.tsv", "d29747f33be0e68b6429d4d4cdc6b4db078c8f937f865c097b7938bf5e1a2029"),
]
# Outside the repository; checked when present.
TUTORIAL = [
    ("../shared/data/tutorial/data.py", "../shared/data/tutorial/data.py",
     "59a539ff04fc9dfc2fa961bf62b8b0ab1c08ed892b05f9eea567714bedad0715"),
    ("../shared/data/tutorial/train.tsv", "../shared/data/tutorial/test.tsv",
     "5d0e66d53530e3bb0570b0735cfde8e980eac6edc5148e62745a3f56da6c26f8"),
]


def check_text():
    cases = [  # src/data/tokenize.rs's tests
        ("i am not at all bad or sad right now",
         ["i", "am", "not", "at", "all", "bad", "or", "sad", "right", "now"]),
        ("Я плохой, а не хороший", ["я", "плохой", "а", "не", "хороший"]),
        ("Я чувствую себя неплохо, мне не грустно!",
         ["я", "чувствую", "себя", "неплохо", "мне", "не", "грустно"]),
        ("  Good...BAD\t\r\n 42 «ёлка»—x ", ["good", "bad", "42", "ёлка", "x"]),
        (" ,.!? ", []),
        ("नमस्ते", ["नमस", "ते"]),  # the vowel sign is alphabetic in Rust, the virama is not
        ("ΣΟΦΟΣ ΟΔΟΣ.", ["σοφος", "οδος"]),  # final sigma
    ]
    for text, want in cases:
        check(f"tokenize {text!r}", nr.tokenize(text) == want, nr.tokenize(text))
    formats = [(0.02, "0.02"), (1.0, "1"), (1e-5, "0.00001"), (1e-6, "1e-6"), (1e16, "1e16"),
               (1e15, "1000000000000000"), (float("inf"), "inf"), (1.5e-7, "1.5e-7")]
    for x, want in formats:
        check(f"fmt_f64 {x!r}", nr.fmt_f64(x) == want, nr.fmt_f64(x))
    check("short 0.0031622776601683794", nr.short(0.0031622776601683794) == "0.003162")
    check("config label", nr.config_label(dict(nr.DEFAULTS)) == "numpy h=64 lr=0.02 clip=1 article")


def check_data(tmp):
    for name, text in FIXTURES.items():
        with open(os.path.join(tmp, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    pairs = FINGERPRINTS + [p for p in TUTORIAL if os.path.exists(os.path.join(ROOT, p[0]))]
    for train, test, want in pairs:
        where = lambda p: os.path.join(tmp if p in FIXTURES else ROOT, p)  # noqa: E731
        got = nr.load_data(where(train), where(test)).fingerprint()
        check(f"data fingerprint {train} / {test}", got == want, got)
    bad = {"x.tsv": "text\tlabel\ngood\t1\nbad\n", "y.tsv": "text\tlabel\n,.\t1\n",
           "z.py": "import os\ntrain_data = {'a': True}\n", "w.tsv": "text\tlabel\na\t1\nb\t1\n",
           "v.txt": "text\tlabel\na\t1\n"}
    for name, text in bad.items():
        p = os.path.join(tmp, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            nr.load_data(p, p)
            check(f"refuses {name}", False, "loaded")
        except nr.InputError:
            check(f"refuses {name}", True)


def check_sweep_rng():
    """sweep_rng's draws for seed 0, as they were when they matched sweep bit for bit
    (`--sweep` checks them against sweep itself)."""
    r = sweep_rng.ChaCha8(0)
    words = [r.next_u32() for _ in range(4)]
    check("ChaCha8Rng::seed_from_u64(0): first words",
          words == [2811902828, 3045455719, 3134767159, 2001118559], words)
    d = sweep_rng.SweepDraws(0)
    w = d.initial(18, 8, 2, 0.001)
    orders = [d.order(58) for _ in range(3)]
    blob = b"".join(np.ascontiguousarray(a).tobytes() for a in w) + json.dumps(orders).encode()
    check("sweep's initial weights and shuffles of seed 0 (H = 8, V = 18, n = 58)",
          hashlib.sha256(blob).hexdigest()
          == "0ce329b5fa5828f851b6fb5c1c75987e32bbd0f9e3dff224a9816c277a15e741",
          (w[1][0][:3], orders[0][:10]))
    check("sweep's ln (exactly rounded fma) near libm's",
          all(abs(sweep_rng.sweep_ln(x) - math.log(x)) <= 4e-16 * abs(math.log(x)) + 1e-300
              for x in (0.1, 0.5, 0.999, 1e-300, 3.7, 1e300)))


def run_cli(args):
    r = subprocess.run([sys.executable, os.path.join(HERE, args[0])] + args[1:],
                       capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def check_runs(tmp):
    data = nr.load_data(os.path.join(ROOT, "data/en/train.tsv"),
                        os.path.join(ROOT, "data/en/test.tsv"))
    s = nr.check_settings(dict(nr.DEFAULTS, hidden_size=16, epochs=30, eval_every=10,
                               learning_rate=0.05))
    # Safetensors round trip.
    P = nr.Params.init(np.random.RandomState(5), len(data.vocab), 16, 2, 0.001)
    path = os.path.join(tmp, "w.safetensors")
    tensors = {"W_xh": P.W_xh(), "W_hh": P.W_hh, "W_hy": P.W_hy, "b_h": P.b_h, "b_y": P.b_y}
    nr.write_safetensors(path, tensors, {"format": "sweep-rnn-v1"})
    back, meta = nr.read_safetensors(path)
    check("safetensors round trip", all(np.array_equal(back[k], v) for k, v in tensors.items())
          and meta == {"format": "sweep-rnn-v1"})
    # Fake traces: replayed twice alike, and alike to the seeded run they were drawn from.
    for gradient, clip in (("article", 1.0), ("exact", float("inf"))):
        st = dict(s, gradient=gradient, clip=clip)
        seeded = nr.seeded_run(data, st, 7)
        d = os.path.join(tmp, f"trace-{gradient}")
        make_fake_trace.write_trace(d, data, st, 7, f"fake-{gradient}", rng="numpy")
        a = nr.Trace(d).run()
        b = nr.Trace(d).run()
        check(f"trace replayed twice gives the same bits ({gradient}, clip {clip})", a == b)
        check(f"trace replay equals the seeded run ({gradient}, clip {clip})", a == seeded)
    # The CLI: trace mode prints the seeded mode's table.
    d = os.path.join(tmp, "trace-article")
    rc1, out1, _ = run_cli(["numpy_rnn.py", "--trace", d])
    rc2, out2, _ = run_cli(["numpy_rnn.py", "--train", os.path.join(ROOT, "data/en/train.tsv"),
                            "--test", os.path.join(ROOT, "data/en/test.tsv"), "--seed", "7",
                            "--hidden-size", "16", "--epochs", "30", "--eval-every", "10",
                            "--learning-rate", "0.05"])
    check("--trace prints the --seed table", rc1 == rc2 == 0 and out1 == out2 and
          out1.count("--- Epoch") == 3, (rc1, rc2, out1[:200], out2[:200]))
    # replay.py: no difference against its own curves; a perturbed epoch is found.
    metrics, _, _ = nr.seeded_run(data, s, 7)
    curves = os.path.join(tmp, "curves.csv")
    rows = nr.curve_rows("fake-article", metrics)
    nr.merge_csv(curves, nr.CURVES_HEADER, rows)
    rc, out, err = run_cli(["replay.py", d, "--curves", curves])
    check("replay.py: no difference against the same run", rc == 0 and
          "first epoch with rel diff > 1e-12: none" in out and
          "all epochs: 0.000e+00" in out, out[-600:] + err)
    rows[11][2] = repr(float(rows[11][2]) * (1 + 1e-9))
    nr.merge_csv(curves, nr.CURVES_HEADER, rows)
    rc, out, _ = run_cli(["replay.py", d, "--curves", curves, "--summary-only"])
    check("replay.py: finds a perturbed epoch", rc == 0 and
          "first epoch with rel diff > 1e-12: 12" in out, out)
    rc, _, err = run_cli(["replay.py", d, "--curves", curves, "--run-id", "nope"])
    check("replay.py: exit 2 for a run the curves lack", rc == 2, err)
    with open(os.path.join(d, "trace.json"), "r+", encoding="utf-8") as f:
        t = json.load(f)
        t["shuffles"][3] = t["shuffles"][3][:-1]
        f.seek(0)
        json.dump(t, f)
        f.truncate()
    rc, _, err = run_cli(["replay.py", d])
    check("replay.py: exit 2 for a broken trace", rc == 2 and "shuffles[3]" in err, err)
    # A diverged run's runs.csv row.
    sd = nr.check_settings(dict(s, learning_rate=1e308, clip=float("inf")))
    m, status, ep = nr.seeded_run(data, sd, 0)
    row = dict(zip(nr.RUNS_HEADER, nr.runs_row(nr.run_id_of(sd, 0), sd, 0, m, status, ep)))
    check("diverged run: status, epoch, empty finals", status == "diverged" and
          row["status"] == "diverged" and row["diverged_epoch"] == str(ep) and
          row["epochs_run"] == str(ep - 1) and
          (ep > 1 or (row["final_train_loss"] == "" and row["best_test_acc"] == "")), row)
    # --seeds with --jobs 2 writes what --jobs 1 writes.
    outs = []
    for jobs in ("1", "2"):
        csv_path = os.path.join(tmp, f"runs-{jobs}.csv")
        rc, out, err = run_cli(["numpy_rnn.py", "--train", os.path.join(ROOT, "data/en/train.tsv"),
                                "--test", os.path.join(ROOT, "data/en/test.tsv"), "--seeds", "0:3",
                                "--gradient", "both", "--hidden-size", "8", "--epochs", "20",
                                "--eval-every", "10", "--jobs", jobs, "--runs-csv", csv_path])
        with open(csv_path, encoding="utf-8") as f:
            outs.append((rc, out, f.read()))
    check("--seeds: --jobs 2 writes what --jobs 1 writes", outs[0] == outs[1] and outs[0][0] == 0
          and outs[0][2].count("\n") == 7, outs[0][2])
    # Running it again replaces its rows instead of repeating them.
    rc, _, _ = run_cli(["numpy_rnn.py", "--train", os.path.join(ROOT, "data/en/train.tsv"),
                        "--test", os.path.join(ROOT, "data/en/test.tsv"), "--seeds", "2:3",
                        "--gradient", "both", "--hidden-size", "8", "--epochs", "20",
                        "--eval-every", "10", "--quiet", "--runs-csv",
                        os.path.join(tmp, "runs-1.csv")])
    with open(os.path.join(tmp, "runs-1.csv"), encoding="utf-8") as f:
        again = f.read()
    check("--runs-csv replaces rows of the same run_id", rc == 0 and again == outs[0][2])


def check_results(results):
    """numpy's forward pass on sweep's saved final weights against sweep's last test loss."""
    records = sorted(glob.glob(os.path.join(results, "runs", "*.json")))
    worst, n, accuracy_ok = 0.0, 0, True
    cache = {}
    for rec in records:
        weights = rec[:-5] + ".safetensors"
        if not os.path.exists(weights):
            continue
        with open(rec, encoding="utf-8") as f:
            r = json.load(f)
        key = (r["data"]["train"], r["data"]["test"])
        if key not in cache:
            cache[key] = nr.load_data(*key)
        data = cache[key]
        w, meta = nr.read_safetensors(weights)
        if json.loads(meta["vocab"]) != data.vocab or json.loads(meta["classes"]) != data.classes:
            check(f"{rec}: vocabulary and classes", False)
            continue
        last = r["metrics"][-1] if r["metrics"] else None
        if r["status"]["status"] != "ok" or not last or not last.get("test"):
            continue
        P = nr.Params(w["W_xh"], w["W_hh"], w["W_hy"], w["b_h"], w["b_y"])
        loss, acc = nr.evaluate(P, data.test)
        worst = max(worst, abs(loss - last["test"]["loss"]) / abs(last["test"]["loss"]))
        accuracy_ok &= acc == last["test"]["accuracy"]
        n += 1
    check(f"forward pass on {n} runs' final weights of {results}: test loss within 1e-14 "
          f"relative (worst {worst:.2e}), same accuracy", n > 0 and worst < 1e-14 and accuracy_ok)


SWEEP_EXPERIMENT = """name = "numpy-check"
[data]
train = "{root}/data/en/train.tsv"
test = "{root}/data/en/test.tsv"
[train]
epochs = 300
eval_every = 100
[grid]
hidden_size = [16]
gradient = ["article", "exact"]
seed = [0, 1]
"""


def check_sweep(binary, tmp):
    """Forward pass and replay against runs that `binary` trains now."""
    exp = os.path.join(tmp, "exp.toml")
    with open(exp, "w", encoding="utf-8") as f:
        f.write(SWEEP_EXPERIMENT.format(root=ROOT))
    out = os.path.join(tmp, "results")
    r = subprocess.run([binary, "run", exp, "--out", out, "--quiet"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        check(f"{binary} run", False, r.stderr[-500:])
        return
    check_results(out)
    data = nr.load_data(os.path.join(ROOT, "data/en/train.tsv"),
                        os.path.join(ROOT, "data/en/test.tsv"))
    with open(os.path.join(out, "runs.csv"), encoding="utf-8") as f:
        runs = list(csv.DictReader(f))
    for run in runs:
        settings = nr.check_settings({
            "hidden_size": int(run["hidden_size"]), "learning_rate": float(run["learning_rate"]),
            "clip": float(run["clip"]), "epochs": int(run["epochs"]),
            "eval_every": int(run["eval_every"]), "init_scale": float(run["init_scale"]),
            "gradient": run["gradient"]})
        trace = os.path.join(tmp, f"trace-{run['run_id']}")
        make_fake_trace.write_trace(trace, data, settings, int(run["seed"]), run["run_id"],
                                    rng="sweep")
        rc, text, err = run_cli(["replay.py", trace, "--curves",
                                 os.path.join(out, "curves.csv"), "--summary-only"])
        line = next((ln for ln in text.splitlines() if "epochs 1..200" in ln), "")
        worst = float(line.rsplit(":", 1)[1]) if line else math.inf
        check(f"replay of sweep run {run['run_id']} ({run['gradient']}, seed {run['seed']}) "
              f"from sweep's draws: train loss within 1e-13 over epochs 1..200 "
              f"(worst {worst:.2e})", rc == 0 and worst < 1e-13, text[-400:] + err)


def main():
    ap = argparse.ArgumentParser(description="Self-checks of the numpy reference.")
    ap.add_argument("--sweep", metavar="BIN", help="a built sweep binary to check against")
    ap.add_argument("--results", help="a sweep results directory with weights")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="numpy-rnn-check-") as tmp:
        check_text()
        check_data(tmp)
        check_sweep_rng()
        check_runs(tmp)
        if args.sweep:
            check_sweep(os.path.abspath(args.sweep), tmp)
    if args.results:
        check_results(args.results)
    print(f"{len(FAILED)} check(s) failed" if FAILED else "all checks passed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
