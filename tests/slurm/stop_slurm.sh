#!/usr/bin/env bash
# Stop the private cluster of tests/slurm/start_slurm.sh: cancel its jobs, then stop slurmd,
# slurmctld and munged by the pids in the pid files of its state directory ($SWEEP_SLURM_DIR,
# default /tmp/sweep-slurm), checking each pid still belongs to that daemon. No other process
# is touched. The state directory (logs included) is left for inspection; the next start
# empties it. Safe to run when nothing, or only part of the cluster, is running.
set -uo pipefail

dir=${SWEEP_SLURM_DIR:-/tmp/sweep-slurm}

# The pid in a pid file, if that process is alive and is the daemon named $2.
live_pid() {
  local pf=$1 name=$2 pid
  [ -f "$pf" ] || return 1
  pid=$(tr -dc 0-9 < "$pf")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  echo "$pid"
}

# Jobs still queued or running on this cluster (all of them are ours): cancel them first,
# so that no job step outlives slurmd.
if live_pid "$dir/slurmctld.pid" slurmctld >/dev/null && [ -f "$dir/slurm.conf" ]; then
  export SLURM_CONF=$dir/slurm.conf
  jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    echo "stop_slurm: cancelling jobs $jobs"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null || true
    for _ in $(seq 1 30); do
      [ -z "$(timeout 10 squeue -h 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
fi

# A process counts as gone once it has exited, even before its parent reaps it.
alive() { [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# slurmd and slurmctld together, then munged (which they use).
stop() {
  local entry name pf pid pids=() names=() i
  for entry in "$@"; do
    name=${entry%%:*}
    pf=$dir/${entry#*:}
    if pid=$(live_pid "$pf" "$name"); then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name")
    fi
    rm -f "$pf"
  done
  for i in "${!pids[@]}"; do
    for _ in $(seq 1 100); do
      alive "${pids[$i]}" || break
      sleep 0.1
    done
    if alive "${pids[$i]}"; then
      echo "stop_slurm: ${names[$i]} (pid ${pids[$i]}) did not stop in 10 s; killing it"
      kill -9 "${pids[$i]}" 2>/dev/null || true
    fi
    echo "stop_slurm: stopped ${names[$i]} (pid ${pids[$i]})"
  done
}
stop slurmd:slurmd.pid slurmctld:slurmctld.pid
stop munged:munge/munged.pid
exit 0
