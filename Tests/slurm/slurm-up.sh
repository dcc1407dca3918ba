#!/usr/bin/env bash
# Starts a real single-node Slurm (Debian's slurm-wlm + munge) for the atlas test, as root, in DIR:
# slurm.conf on non-default ports, state and logs under DIR, no cgroups and no accounting. Prints the
# SLURM_CONF path. slurm-down.sh DIR stops it. Fails with the reason when a piece is missing.
set -euo pipefail
dir=${1:?usage: slurm-up.sh DIR}
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
for c in munged slurmctld slurmd sbatch sinfo scontrol; do
    command -v "$c" >/dev/null || { echo "slurm-up: '$c' not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "slurm-up: must run as root (slurmd starts jobs as their user)" >&2; exit 1; }
host=$(hostname -s)
cpus=$(nproc)
cat > "$dir/slurm.conf" <<CONF
ClusterName=wbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=atlas Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"

# munge: reuse a running munged, else start one (it refuses root without --force).
if ! munge -n </dev/null >/dev/null 2>&1; then
    [ -s /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
    if ! su -s /bin/sh munge -c munged 2>"$dir/log/munged.err"; then
        munged --force 2>>"$dir/log/munged.err" || { echo "slurm-up: munged did not start: $(cat "$dir/log/munged.err")" >&2; exit 1; }
    fi
    for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n </dev/null >/dev/null 2>&1 || { echo "slurm-up: munge does not answer" >&2; exit 1; }
    # Recorded so that slurm-down.sh stops this munged and no other.
    cat /run/munge/munged.pid > "$dir/munged.pid" 2>/dev/null || pgrep -n -x munged > "$dir/munged.pid" || true
fi

slurmctld -f "$SLURM_CONF" || { echo "slurm-up: slurmctld failed: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)" >&2; exit 1; }
slurmd -f "$SLURM_CONF" -N "$host" || { echo "slurm-up: slurmd failed: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)" >&2; exit 1; }
for _ in $(seq 120); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
    case "$state" in idle|mix|alloc) echo "$SLURM_CONF"; exit 0 ;; esac
    sleep 0.5
done
echo "slurm-up: the node did not become idle in 60 s (state '${state:-none}'):" >&2
tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 2>/dev/null || true
exit 1
