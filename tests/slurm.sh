#!/usr/bin/env bash
# End-to-end test of `sweep slurm` on a real one-node Slurm cluster started on this machine
# (tests/slurm/start_slurm.sh): a local run of experiments/quick.toml, then the same sweep as a
# 4-task Slurm array plus its afterany report job; the tables must be byte-identical, every
# array task COMPLETED and each one trained exactly its shard. Then one array task is re-run
# by hand with the same environment (resume, then retraining its deleted records), and the
# tables rebuilt by `sweep report` must still be identical.
#
# Needs root and Debian's packages slurmctld slurmd slurm-client munge; installs them with
# apt-get when missing. When that cannot be done, prints `slurm test: SKIPPED: <why>` and
# exits 0, except in strict mode (SWEEP_STRICT_TESTS set to anything but empty or 0, as
# .ci/run does; or, with SWEEP_STRICT_TESTS unset, CI=true), where it prints
# `slurm test: FAILED: cannot run (strict mode): <why>` and exits 1.
# Usage: bash tests/slurm.sh   (SWEEP_SLURM_DIR: the cluster's state directory)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
t_begin=$EPOCHREALTIME
say() { echo "slurm test: $*"; }
if [ -n "${SWEEP_STRICT_TESTS+set}" ]; then
  case $SWEEP_STRICT_TESTS in "" | 0) strict= ;; *) strict=1 ;; esac
else
  strict=$([ "${CI:-}" = true ] && echo 1 || true)
fi
# A check that cannot run here: skipped, or in strict mode a failure.
skip() {
  if [ -n "$strict" ]; then
    say "FAILED: cannot run (strict mode): $*" >&2
    exit 1
  fi
  say "SKIPPED: $*"
  exit 0
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", b - a }'; }

# Run outside any Slurm job's environment (only the cluster below counts).
for v in $(compgen -e); do
  case $v in SLURM_* | SBATCH_* | SQUEUE_* | SINFO_* | SCONTROL_* | SCANCEL_*) unset "$v" ;; esac
done

# --- (a) Slurm and munge packages -------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (to start munged, slurmctld and slurmd)"
missing() {
  local c
  for c in munged munge unmunge mungekey slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
    command -v "$c" >/dev/null 2>&1 || { echo "$c"; return 0; }
  done
  return 1
}
if cmd=$(missing); then
  command -v apt-get >/dev/null 2>&1 || skip "$cmd not installed and no apt-get to install Slurm"
  say "installing slurmctld slurmd slurm-client munge with apt-get ($cmd is missing)"
  apt_log=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -q &&
         DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q --no-install-recommends \
           slurmctld slurmd slurm-client munge; } >"$apt_log" 2>&1; then
    why=$(grep -E '^(E:|W:|Err)' "$apt_log" | head -1)
    rm -f "$apt_log"
    skip "apt-get could not install the Slurm packages (${why:-see apt-get output})"
  fi
  rm -f "$apt_log"
  if cmd=$(missing); then skip "$cmd still missing after apt-get install"; fi
fi

# --- the sweep binary (built before the cluster starts; a no-op when up to date) ----------------
cargo build --release --quiet --bin sweep || { say "FAILED: cargo build --release failed" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target=$repo/$target ;; esac
sweep=$target/release/sweep
[ -x "$sweep" ] || { say "FAILED: no $sweep after cargo build" >&2; exit 1; }

# --- (b) the cluster, stopped on every exit path ----------------------------------------------
export SWEEP_SLURM_DIR=${SWEEP_SLURM_DIR:-/tmp/sweep-slurm}
export SLURM_CONF=$SWEEP_SLURM_DIR/slurm.conf
tmp=$(mktemp -d /tmp/sweep-slurm-test.XXXXXX)
passed=
cleanup() {
  local rc=$?
  bash "$repo/tests/slurm/stop_slurm.sh" >"$tmp/stop.log" 2>&1 || cat "$tmp/stop.log" >&2
  if [ -n "$passed" ]; then
    rm -rf "$tmp"
  else
    echo "slurm test: outputs kept in $tmp; cluster logs in $SWEEP_SLURM_DIR/log" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "FAILED: interrupted" >&2; exit 130' INT
trap 'say "FAILED: terminated" >&2; exit 143' TERM

array_id='' report_id=''
diagnose() {
  echo "--- squeue" >&2; timeout 10 squeue >&2 2>&1 || true
  for j in $array_id $report_id; do
    echo "--- scontrol show job $j" >&2
    timeout 10 scontrol -o show job "$j" 2>&1 | awk '{ l = ""
        for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|ArrayTaskId|JobState|Reason|ExitCode|StartTime|EndTime)=/) l = l " " $i
        print (l == "" ? $0 : l) }' >&2 || true
  done
  for f in "$tmp"/cluster/slurm/logs/*; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  for f in "$SWEEP_SLURM_DIR"/log/slurmctld.log "$SWEEP_SLURM_DIR"/log/slurmd.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 0
}
fail() { say "FAILED: $*" >&2; diagnose; exit 1; }

t0=$EPOCHREALTIME
bash tests/slurm/start_slurm.sh >"$tmp/start.log" 2>&1 || { cat "$tmp/start.log" >&2; fail "the cluster did not start"; }
t_cluster=$(secs "$t0" "$EPOCHREALTIME")
say "cluster up in $t_cluster ($SLURM_CONF)"
cpus=$(scontrol show node localhost | grep -o 'CPUTot=[0-9]*' | cut -d= -f2)
[ "$cpus" = "$(nproc)" ] || fail "the node has CPUTot=$cpus, expected nproc = $(nproc)"

# --- (c) local run, then the same sweep on the cluster ----------------------------------------
exp=experiments/quick.toml
tables="runs.csv curves.csv summary.csv"

"$sweep" run "$exp" --out "$tmp/local" --quiet >"$tmp/local.log" 2>&1 ||
  { cat "$tmp/local.log" >&2; fail "local sweep run failed"; }
nruns=$(($(wc -l <"$tmp/local/runs.csv") - 1))
[ "$nruns" = 16 ] || fail "local run has $nruns runs in runs.csv, expected 16"
nlogs=$(find "$tmp/local/runs" -name '*.log' | wc -l)
[ "$nlogs" = 1 ] || fail "local run wrote $nlogs record logs, expected 1"

out=$tmp/cluster
t_submit=$EPOCHREALTIME
"$sweep" slurm "$exp" --tasks 4 --submit --out "$out" >"$tmp/submit.out" 2>"$tmp/submit.err" ||
  { cat "$tmp/submit.out" "$tmp/submit.err" >&2; fail "sweep slurm --submit failed"; }
line=$(cat "$tmp/submit.out")
[[ $line =~ ^submitted\ array\ job\ ([0-9]+)\ and\ report\ job\ ([0-9]+)$ ]] ||
  { cat "$tmp/submit.err" >&2; fail "unexpected output of sweep slurm --submit: '$line'"; }
array_id=${BASH_REMATCH[1]} report_id=${BASH_REMATCH[2]}
say "$line"

# Wait (at most 300 s) until neither job is queued or running any more.
state_of() { timeout 10 scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' '; }
deadline=$((SECONDS + 300))
while :; do
  active=$(timeout 10 squeue -h -j "$array_id,$report_id" 2>/dev/null || true)
  rstate=$(state_of "$report_id")
  if [ -z "$active" ]; then
    case $rstate in "" | *PENDING* | *RUNNING* | *CONFIGURING* | *COMPLETING* | *SUSPENDED* | *REQUEUE*) ;; *) break ;; esac
  fi
  [ "$SECONDS" -lt "$deadline" ] || fail "jobs $array_id and $report_id not done after 300 s (report job: ${rstate:-unknown})"
  sleep 0.5
done
t_done=$(secs "$t_submit" "$EPOCHREALTIME")

# Every array task (0..3) ended COMPLETED with exit code 0, and so did the report job.
tasks=$(timeout 10 scontrol -o show job "$array_id" | awk '{
    t = s = e = "?"
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "ArrayTaskId") t = kv[2]
      if (kv[1] == "JobState") s = kv[2]
      if (kv[1] == "ExitCode") e = substr($i, 10)
    }
    print t, s, e
  }' | sort -n)
expected=$'0 COMPLETED 0:0\n1 COMPLETED 0:0\n2 COMPLETED 0:0\n3 COMPLETED 0:0'
[ "$tasks" = "$expected" ] || fail "array tasks did not all complete; task, state, exit code:"$'\n'"$tasks"
rline=$(timeout 10 scontrol -o show job "$report_id")
[[ $rline == *JobState=COMPLETED* && $rline == *ExitCode=0:0* ]] ||
  fail "report job $report_id did not complete: $(grep -o 'JobState=[^ ]*\|ExitCode=[^ ]*\|Reason=[^ ]*' <<<"$rline" | tr '\n' ' ')"

# Each task trained exactly its own shard: 4 runs, none saved before, with --jobs from
# SLURM_CPUS_PER_TASK (1).
for t in 0 1 2 3; do
  log=$out/slurm/logs/${array_id}_$t.out
  [ -f "$log" ] || fail "no log $log"
  grep -q "shard $((t + 1))/4: 4 runs, 0 already saved in .*, training 4 on 1 job(s)" "$log" ||
    fail "task $t did not train its shard as expected: $(cat "$log")"
done
[ -f "$out/slurm/logs/report_$report_id.out" ] || fail "no log of the report job"

# One record log per array task, not one file per run.
nlogs=$(find "$out/runs" -name '*.log' | wc -l)
[ "$nlogs" = 4 ] || fail "$out/runs holds $nlogs record logs, expected 4 (one per task)"
nrec=$(($(wc -l <"$out/runs.csv") - 1))
[ "$nrec" = 16 ] || fail "$out/runs.csv holds $nrec runs, expected 16"
same_tables() {
  local f
  for f in $tables; do
    cmp "$tmp/local/$f" "$out/$f" >&2 || fail "$1: $f differs from the local run's"
  done
}
same_tables "after the report job"
say "4 array tasks COMPLETED, report job COMPLETED, 4 record logs, 16 runs, $tables identical to the local run ($t_done from submit to report done)"

# --- (d) one array task again, by hand, with the environment Slurm gave it --------------------
task() {
  env SLURM_JOB_ID=$((array_id + 100)) SLURM_ARRAY_JOB_ID="$array_id" SLURM_ARRAY_TASK_ID=2 \
    SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 SLURM_CPUS_PER_TASK=1 \
    bash "$out/slurm/sweep.sbatch"
}
sums() { (cd "$out/runs" && md5sum -- *.log); }
before=$(sums)
task >"$tmp/rerun1.log" 2>&1 || { cat "$tmp/rerun1.log" >&2; fail "re-running array task 2 failed"; }
grep -q "shard 3/4: 4 runs, 4 already saved in .*, training 0" "$tmp/rerun1.log" ||
  fail "re-running array task 2 should train nothing: $(cat "$tmp/rerun1.log")"
[ "$(sums)" = "$before" ] || fail "re-running array task 2 changed saved records"

# Shard 3/4 = the runs at positions 2, 6, 10, 14 of the ids in sorted order, all in the log
# task 2 wrote (a run id is stored as its text): delete that log and the runs' weights, and
# retrain them by running the same task again.
mapfile -t ids < <(tail -n +2 "$out/runs.csv" | cut -d, -f1 | LC_ALL=C sort)
gone=()
for p in 2 6 10 14; do gone+=("${ids[$p]}"); rm -f "$out/runs/${ids[$p]}".safetensors; done
shard_log=$(grep -l -a "${ids[2]}" "$out"/runs/*.log)
[ "$(grep -c -a -e "${ids[6]}" -e "${ids[10]}" -e "${ids[14]}" "$shard_log")" -ge 1 ] ||
  fail "the runs of shard 3/4 are not in one log"
rm -f "$shard_log"
task >"$tmp/rerun2.log" 2>&1 || { cat "$tmp/rerun2.log" >&2; fail "re-running array task 2 (after deleting its records) failed"; }
grep -q "shard 3/4: 4 runs, 0 already saved in .*, training 4 on 1 job(s)" "$tmp/rerun2.log" ||
  fail "array task 2 did not retrain its 4 deleted runs: $(cat "$tmp/rerun2.log")"
for id in "${gone[@]}"; do
  grep -q -a "$id" "$out"/runs/*.log || fail "run $id was not retrained"
done
nlogs=$(find "$out/runs" -name '*.log' | wc -l)
[ "$nlogs" = 4 ] || fail "$out/runs holds $nlogs record logs after the re-run, expected 4"
"$sweep" report "$out" >"$tmp/report.log" 2>&1 || { cat "$tmp/report.log" >&2; fail "sweep report failed"; }
same_tables "after re-running array task 2 and sweep report"
say "array task 2 re-run by hand: resumed (trained 0), then retrained its 4 deleted runs; tables still identical"

# --- (e) a successive halving search: one array per stage, chained afterany -------------------
hexp=$tmp/halving.toml
cat >"$hexp" <<EOF
[data]
train = "$repo/data/en/train.tsv"
test = "$repo/data/en/test.tsv"
[train]
epochs = 60
eval_every = 20
gradient = "exact"
[grid]
learning_rate = { log = [0.01, 0.3] }
hidden_size = { log_int = [8, 24] }
seed = { start = 0, count = 2 }
[search]
method = "sobol"
samples = 9
seed = 3
[search.halving]
metric = "train_loss"
rungs = [10, 30]
reduction_factor = 3
EOF
"$sweep" run "$hexp" --out "$tmp/hlocal" --quiet >"$tmp/hlocal.log" 2>&1 ||
  { cat "$tmp/hlocal.log" >&2; fail "local halving run failed"; }
hout=$tmp/hcluster
t_hsubmit=$EPOCHREALTIME
"$sweep" slurm "$hexp" --tasks 2 --submit --out "$hout" >"$tmp/hsubmit.out" 2>"$tmp/hsubmit.err" ||
  { cat "$tmp/hsubmit.out" "$tmp/hsubmit.err" >&2; fail "sweep slurm --submit (halving) failed"; }
hline=$(cat "$tmp/hsubmit.out")
[[ $hline =~ ^submitted\ stage\ array\ jobs\ ([0-9]+),\ ([0-9]+),\ ([0-9]+)\ and\ report\ job\ ([0-9]+)$ ]] ||
  { cat "$tmp/hsubmit.err" >&2; fail "unexpected output of sweep slurm --submit (halving): '$hline'"; }
array_id="${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" report_id=${BASH_REMATCH[4]}
say "$hline"
deadline=$((SECONDS + 300))
while :; do
  active=$(timeout 10 squeue -h -j "${array_id// /,},$report_id" 2>/dev/null || true)
  rstate=$(state_of "$report_id")
  if [ -z "$active" ]; then
    case $rstate in "" | *PENDING* | *RUNNING* | *CONFIGURING* | *COMPLETING* | *SUSPENDED* | *REQUEUE*) ;; *) break ;; esac
  fi
  [ "$SECONDS" -lt "$deadline" ] || fail "halving jobs not done after 300 s (report job: ${rstate:-unknown})"
  sleep 0.5
done
for j in $array_id $report_id; do
  bad=$(timeout 10 scontrol -o show job "$j" | grep -v 'JobState=COMPLETED.*ExitCode=0:0' || true)
  [ -z "$bad" ] || fail "halving job $j did not complete: $bad"
done
for f in $tables; do
  cmp "$tmp/hlocal/$f" "$hout/$f" >&2 || fail "halving: $f differs from the local run's"
done
say "halving search: 3 stage arrays and the report job COMPLETED, $tables identical to the local run ($(secs "$t_hsubmit" "$EPOCHREALTIME"))"

# --- (f) a race over seeds: one array per block and one for the fresh seeds, chained afterany ---
rexp=$tmp/race.toml
cat >"$rexp" <<EOF
[data]
train = "$repo/data/en/train.tsv"
test = "$repo/data/en/test.tsv"
[train]
hidden_size = 12
epochs = 60
eval_every = 20
[grid]
learning_rate = [0.005, 0.05, 0.1]
gradient = ["article", "exact"]
seed = { start = 0, count = 6 }
[search.race]
metric = "final_train_loss"
first = 2
block = 2
budget = 4
fresh = 2
EOF
"$sweep" run "$rexp" --out "$tmp/rlocal" --quiet >"$tmp/rlocal.log" 2>&1 ||
  { cat "$tmp/rlocal.log" >&2; fail "local race run failed"; }
rout=$tmp/rcluster
t_rsubmit=$EPOCHREALTIME
"$sweep" slurm "$rexp" --tasks 2 --submit --out "$rout" >"$tmp/rsubmit.out" 2>"$tmp/rsubmit.err" ||
  { cat "$tmp/rsubmit.out" "$tmp/rsubmit.err" >&2; fail "sweep slurm --submit (race) failed"; }
rline=$(cat "$tmp/rsubmit.out")
[[ $rline =~ ^submitted\ stage\ array\ jobs\ ([0-9]+),\ ([0-9]+),\ ([0-9]+)\ and\ report\ job\ ([0-9]+)$ ]] ||
  { cat "$tmp/rsubmit.err" >&2; fail "unexpected output of sweep slurm --submit (race): '$rline'"; }
array_id="${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" report_id=${BASH_REMATCH[4]}
say "$rline"
deadline=$((SECONDS + 300))
while :; do
  active=$(timeout 10 squeue -h -j "${array_id// /,},$report_id" 2>/dev/null || true)
  rstate=$(state_of "$report_id")
  if [ -z "$active" ]; then
    case $rstate in "" | *PENDING* | *RUNNING* | *CONFIGURING* | *COMPLETING* | *SUSPENDED* | *REQUEUE*) ;; *) break ;; esac
  fi
  [ "$SECONDS" -lt "$deadline" ] || fail "race jobs not done after 300 s (report job: ${rstate:-unknown})"
  sleep 0.5
done
for j in $array_id $report_id; do
  bad=$(timeout 10 scontrol -o show job "$j" | grep -v 'JobState=COMPLETED.*ExitCode=0:0' || true)
  [ -z "$bad" ] || fail "race job $j did not complete: $bad"
done
for f in $tables race.csv; do
  cmp "$tmp/rlocal/$f" "$rout/$f" >&2 || fail "race: $f differs from the local run's"
done
say "race: 3 stage arrays (2 blocks, fresh seeds) and the report job COMPLETED, $tables race.csv identical to the local run ($(secs "$t_rsubmit" "$EPOCHREALTIME"))"

# --- (g) ---------------------------------------------------------------------------------------
passed=1
say "timings: cluster start $t_cluster, submit to report done $t_done, total $(secs "$t_begin" "$EPOCHREALTIME")"
say "PASSED (4-task array, a 3-stage halving search and a 3-stage race on a $(nproc)-CPU one-node cluster, tables byte-identical to the local runs)"
