#!/usr/bin/env bash
# Start a private one-node Slurm cluster on this machine (munged + slurmctld + slurmd), for
# tests/slurm.sh. Needs root and Debian's packages: slurmctld slurmd slurm-client munge.
#
# Everything lives in one state directory, emptied at every start ($SWEEP_SLURM_DIR, default
# /tmp/sweep-slurm): slurm.conf, the munge key and socket, spool and state, logs, pid files.
# Nothing under /etc is written and no system service is touched; the cluster uses its own
# munge socket and its own ports, so it does not clash with a munged or Slurm already running.
# Clients find the cluster through SLURM_CONF:
#
#   export SLURM_CONF=${SWEEP_SLURM_DIR:-/tmp/sweep-slurm}/slurm.conf
#
# The node is NodeName=localhost with as many CPUs as `nproc`, and CPUs are the unit of
# allocation (CR_CPU), so on 2 CPUs two --cpus-per-task=1 jobs run at once.
# tests/slurm/stop_slurm.sh stops the daemons started here, by the pids in their pid files.
set -euo pipefail

dir=${SWEEP_SLURM_DIR:-/tmp/sweep-slurm}
ctld_port=${SWEEP_SLURM_CTLD_PORT:-16817}
slurmd_port=${SWEEP_SLURM_SLURMD_PORT:-16818}
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "start_slurm: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
for c in munged munge unmunge mungekey slurmctld slurmd sinfo scontrol runuser; do
  command -v "$c" >/dev/null || die "$c not found (apt-get install slurmctld slurmd slurm-client munge)"
done
case $dir in /*) ;; *) die "SWEEP_SLURM_DIR must be an absolute path, not '$dir'" ;; esac

# Daemons left by an earlier start of this script (pid files in our directory): stop them.
if [ -d "$dir" ]; then
  bash "$here/stop_slurm.sh" >&2
fi
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$ctld_port" "$slurmd_port"; do
  ! port_busy "$port" || die "port $port is in use by another program (set SWEEP_SLURM_CTLD_PORT / SWEEP_SLURM_SLURMD_PORT)"
done

# Empty state.
rm -rf "$dir"
mkdir -p "$dir"/{munge,slurmctld,slurmd,log}
chmod 755 "$dir"
chown munge:munge "$dir/munge"
chmod 755 "$dir/munge"   # munged wants its socket's directory searchable by all

ncpu=$(nproc)
mem=$(( $(awk '/^MemTotal:/{print int($2/1024)}' /proc/meminfo) - 1024 ))   # RealMemory below physical
[ "$mem" -ge 256 ] || mem=256

cat > "$dir/slurm.conf" <<CONF
# Written by tests/slurm/start_slurm.sh: a private one-node cluster for tests.
ClusterName=sweeptest
SlurmctldHost=localhost
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/slurmctld
SlurmdSpoolDir=$dir/slurmd
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
# Finished jobs stay visible to 'scontrol show job' for 10 minutes (there is no sacct).
MinJobAge=600
NodeName=localhost CPUs=$ncpu RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
: > "$dir/plugstack.conf"
export SLURM_CONF=$dir/slurm.conf

# munged, as the munge user, with a fresh key and its own socket.
sock=$dir/munge/munge.socket
runuser -u munge -- mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
runuser -u munge -- /usr/sbin/munged --socket="$sock" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed" \
  || die "munged did not start: $(tail -5 "$dir/munge/munged.log" 2>/dev/null)"
ok=
for _ in $(seq 1 40); do
  if munge -S "$sock" -n </dev/null 2>/dev/null | unmunge -S "$sock" 2>/dev/null | grep -q 'STATUS:.*Success'; then
    ok=1; break
  fi
  sleep 0.25
done
[ -n "$ok" ] || die "munge does not work: $(tail -5 "$dir/munge/munged.log" 2>/dev/null)"

# slurmctld and slurmd daemonize and write their pid files.
slurmctld -f "$SLURM_CONF" || die "slurmctld did not start: $(tail -20 "$dir/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N localhost || die "slurmd did not start: $(tail -20 "$dir/log/slurmd.log" 2>/dev/null)"

st=
for _ in $(seq 1 120); do
  st=$(timeout 10 sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  [ "$st" = idle ] && break
  sleep 0.5
done
if [ "$st" != idle ]; then
  echo "start_slurm: node not idle after 60 s: '$st'" >&2
  tail -n 30 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
fi
echo "start_slurm: one-node cluster up ($ncpu CPUs); export SLURM_CONF=$SLURM_CONF"
