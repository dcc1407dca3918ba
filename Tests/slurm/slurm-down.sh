#!/usr/bin/env bash
# Stops the Slurm of slurm-up.sh DIR (and munged, if slurm-up started it).
dir=${1:?usage: slurm-down.sh DIR}
export SLURM_CONF="$dir/slurm.conf"
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
sleep 1
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
done
if [ -f "$dir/munged.ours" ]; then pkill -x munged 2>/dev/null; fi
exit 0
