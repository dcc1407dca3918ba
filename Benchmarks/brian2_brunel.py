#!/usr/bin/env python3
"""Brian2 cpp_standalone run of the Brunel (2000) model-A network, the same network as
`workbench simulate network examples/networks/brunel-A.yaml`:

    N_E = 10000, N_I = 2500 LIF neurons (tau_m = 20 ms, theta = 20 mV, V_r = 10 mV, tau_ref = 2 ms),
    fixed in-degree K_E = 1000 excitatory (J = 0.1 mV) and K_I = 250 inhibitory (-g J) sources per neuron,
    drawn with replacement (autapses and multapses allowed), delay D = 1.5 ms, delta synapses;
    external Poisson input: C_ext = 1000 sources of weight J at eta * nu_thr (nu_thr = 10 Hz).
    A synaptic jump to a refractory neuron is lost (v clamped), as in workbench and NEST's iaf_psc_delta.

Brian2 applies a spike's jumps after the step's integration and threshold (its 'synapses' slot), workbench after
the integration and before the threshold (NEST's order): the effective delays differ by at most one step (0.1 ms).

Timing: code generation and compilation once, then the binary `--repeats` times; the time is Brian2's own
`device._last_run_time` (the Network::run loop only). Observables: per population the rate over the window after
`--burn-in`, and (with --spectrum) the Welch spectrum of the population rate from a PopulationRateMonitor, computed
as workbench computes it (Hann-windowed segments, two-sided, Hz).

Run with Benchmarks/.venv-brian2/bin/python (setup_brian2.sh). Last line: `RESULT key=value ...`.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np


def welch(counts, neurons, dt_s, segments, freqs):
    """The population-rate spectrum as NetworkSimulation.swift computes it (PopulationSpectrum.welch)."""
    length = len(counts) // segments
    k = np.arange(length)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * k / length)
    norm = dt_s * np.sum(w * w)
    out = []
    mean = counts[:segments * length].mean() / (neurons * dt_s)     # the window's mean rate, not each segment's
    for f in freqs:
        p = []
        for s in range(segments):
            r = counts[s * length:(s + 1) * length] / (neurons * dt_s)
            x = w * (r - mean) * dt_s
            z = np.sum(x * np.exp(-2j * np.pi * f * dt_s * k))
            p.append(abs(z) ** 2 / norm)
        p = np.array(p)
        out.append((p.mean(), p.std(ddof=1) / np.sqrt(len(p))))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--g", type=float, default=5.0)
    p.add_argument("--eta", type=float, default=2.0)
    p.add_argument("--time", type=float, default=1.0, help="window after the burn-in, s")
    p.add_argument("--burn-in", type=float, default=0.3, help="s")
    p.add_argument("--threads", type=int, default=1, help="1: serial code; >1: OpenMP")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--spectrum", default="", help="frequencies in Hz, comma-separated")
    p.add_argument("--segments", type=int, default=20)
    p.add_argument("--cv", action="store_true", help="record the first 1000 E neurons' spikes: their pooled ISI CV")
    p.add_argument("--build-dir", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    import brian2
    from brian2 import (NeuronGroup, PoissonInput, PopulationRateMonitor, Synapses, defaultclock, device, ms,
                        mV, Hz, prefs, second, set_device, run)

    build_dir = os.path.abspath(args.build_dir or tempfile.mkdtemp(prefix="brian2_brunel_"))
    set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads <= 1 else args.threads
    prefs.logging.std_redirection = False
    dt = 0.1 * ms
    defaultclock.dt = dt

    n_e, n_i, k_e, k_i = 10000, 2500, 1000, 250
    n = n_e + n_i
    J, D = 0.1 * mV, 1.5 * ms
    tau, theta, v_r, tau_ref = 20 * ms, 20 * mV, 10 * mV, 2 * ms
    nu_ext = args.eta * float(theta / (J * k_e * tau)) * Hz

    G = NeuronGroup(n, "dv/dt = -v/tau : volt (unless refractory)", threshold="v >= theta", reset="v = v_r",
                    refractory=tau_ref, method="exact",
                    namespace=dict(tau=tau, theta=theta, v_r=v_r))
    rng = np.random.default_rng(args.seed)
    G.v = (v_r + (theta - v_r) * rng.random(n))
    targets_e = np.repeat(np.arange(n), k_e)
    sources_e = rng.integers(0, n_e, size=n * k_e)
    targets_i = np.repeat(np.arange(n), k_i)
    sources_i = rng.integers(n_e, n, size=n * k_i)
    se = Synapses(G, G, on_pre="v_post += J * int(not_refractory_post)", delay=D, namespace=dict(J=J))
    se.connect(i=sources_e, j=targets_e)
    si = Synapses(G, G, on_pre="v_post += -g * J * int(not_refractory_post)", delay=D,
                  namespace=dict(J=J, g=args.g))
    si.connect(i=sources_i, j=targets_i)
    external = PoissonInput(G, "v", N=k_e, rate=nu_ext, weight="J * int(not_refractory)")
    mon_e = PopulationRateMonitor(G[:n_e])
    mon_i = PopulationRateMonitor(G[n_e:])
    if args.cv:
        from brian2 import SpikeMonitor
        spikes_e = SpikeMonitor(G[:1000])
    total = args.burn_in + args.time
    run(total * second)

    log_path = os.path.join(build_dir, "build.log")
    t0 = time.perf_counter()
    saved = os.dup(1), os.dup(2)
    try:
        with open(log_path, "w") as log:
            os.dup2(log.fileno(), 1); os.dup2(log.fileno(), 2)
            device.build(directory=build_dir, compile=True, run=False, with_output=False)
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os.dup2(saved[0], 1); os.dup2(saved[1], 2)
    build_s = time.perf_counter() - t0

    steps = int(round(total / float(dt / second)))
    start = int(round(args.burn_in / float(dt / second)))
    loop_s = []
    for _ in range(args.repeats):
        device.run(directory=build_dir, with_output=False)
        loop_s.append(float(device._last_run_time))
    dt_s = float(dt / second)
    counts_e = np.rint(np.asarray(mon_e.rate / Hz) * n_e * dt_s)
    counts_i = np.rint(np.asarray(mon_i.rate / Hz) * n_i * dt_s)
    spikes = counts_e.sum() + counts_i.sum()
    # Fixed in-degree: the mean out-degree of every neuron is n k / n_source = 1250 for both populations.
    events = spikes * (n * (k_e + k_i) / n)
    med = statistics.median(loop_s)
    rate_e = counts_e[start:].sum() / (n_e * args.time)
    rate_i = counts_i[start:].sum() / (n_i * args.time)
    res = dict(simulator="brian2", brian2_version=brian2.__version__, threads=args.threads, neurons=n,
               synapses=n * (k_e + k_i), time_s=total, neuron_steps=n * steps, synaptic_events=events,
               run_times_s=loop_s, median_run_time_s=med, neuron_steps_per_second=n * steps / med,
               events_per_second=events / med, rate_e_hz=rate_e, rate_i_hz=rate_i, build_s=build_s)
    print(f"Brian2 {brian2.__version__} cpp_standalone, {args.threads} thread(s), Brunel A g = {args.g}, "
          f"eta = {args.eta}, {total} s (window {args.time} s), dt = 0.1 ms")
    print(f"  code generation + compilation: {build_s:.1f} s (not timed)")
    print(f"  Network::run times (s): " + " ".join(f"{x:.3f}" for x in loop_s))
    print(f"  rates: E {rate_e:.4g} Hz, I {rate_i:.4g} Hz")
    print(f"  {n * steps:.3g} neuron-steps, {events:.3g} synaptic events in {med:.3f} s: "
          f"{n * steps / med:.3g} neuron-steps/s, {events / med:.3g} events/s")
    if args.cv:
        t, i = np.asarray(spikes_e.t / second), np.asarray(spikes_e.i)
        keep = t >= args.burn_in
        isis = np.concatenate([np.diff(t[keep][i[keep] == k]) for k in range(1000)])
        res["cv_e"] = float(isis.std(ddof=1) / isis.mean())
        print(f"  CV of E (pooled ISIs inside the window, 1000 neurons): {res['cv_e']:.4f}")
    if args.spectrum:
        freqs = [float(x) for x in args.spectrum.split(",")]
        se_ = welch(counts_e[start:], n_e, dt_s, args.segments, freqs)
        si_ = welch(counts_i[start:], n_i, dt_s, args.segments, freqs)
        print("  f [Hz]  E spectrum [Hz]      I spectrum [Hz]")
        for f, a, b in zip(freqs, se_, si_):
            print(f"  {f:6g}  {a[0]:.4g} ± {a[1]:.2g}   {b[0]:.4g} ± {b[1]:.2g}")
        res["spectrum"] = dict(frequencies_hz=freqs, e=[a[0] for a in se_], i=[b[0] for b in si_])
    if args.json:
        print(json.dumps(res))
    print("RESULT " + " ".join(f"{k}={res[k]}" for k in ("threads", "median_run_time_s", "neuron_steps_per_second",
                                                         "events_per_second", "rate_e_hz", "rate_i_hz")))
    if args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
