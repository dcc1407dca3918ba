#!/usr/bin/env bash
# Stops the Slurm of slurm-up.sh DIR: cancels what is still queued or running, stops slurmd and
# slurmctld, and munged if slurm-up started it (by the pid it recorded).
dir=${1:?usage: slurm-down.sh DIR}
export SLURM_CONF="$dir/slurm.conf"
[ -f "$SLURM_CONF" ] && timeout 10 scancel --full --quiet --partition=atlas 2>/dev/null
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
sleep 1
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
done
if [ -s "$dir/munged.pid" ]; then kill "$(cat "$dir/munged.pid")" 2>/dev/null; fi
exit 0
