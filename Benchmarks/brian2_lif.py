#!/usr/bin/env python3
"""Brian2 cpp_standalone throughput benchmark of the white-noise LIF neuron.

Same model as `workbench simulate lif-white 15 5`:

    tau_m dV/dt = -V + mu + sigma sqrt(tau_m) xi      (Brunel convention)
    V > theta  ->  V = v_reset, refractory tau_ref

mu = 15 mV, sigma = 5 mV, theta = 20 mV, v_reset = 10 mV, tau_m = 20 ms,
tau_ref = 2 ms, dt = 0.1 ms.  Neurons start at v_reset (no burn-in).

Timing: the project is generated and compiled once (`device.build(run=False)`),
then the compiled binary is run `--repeats` times through `device.run()`.
The reported time is Brian2's own `device._last_run_time`, which the binary
measures with std::chrono around the `Network::run` time-step loop only
(state update + threshold + reset + spike monitor), i.e. it excludes code
generation, compilation, process start-up, array initialisation and writing
results.  The whole-process wall time of the binary (`timers['run_binary']`)
is printed too, for reference.

Run with Benchmarks/.venv-brian2/bin/python (see setup_brian2.sh).
The last line is machine-readable: `RESULT key=value ...`.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--neurons", "-N", type=int, default=4000)
    p.add_argument("--time", "-T", type=float, default=2.5, help="duration in s (default 2.5)")
    p.add_argument("--threads", type=int, default=1,
                   help="1 = plain serial code (openmp_threads=0); >1 = OpenMP with that many threads")
    p.add_argument("--repeats", type=int, default=3, help="runs of the compiled binary; median is reported")
    p.add_argument("--method", default="euler",
                   help="Brian2 integration method (default euler = Euler-Maruyama; "
                        "Brian2's 'exact' does not support stochastic equations)")
    p.add_argument("--build-dir", default=None,
                   help="project directory (default: a fresh temporary directory, deleted afterwards)")
    p.add_argument("--keep", action="store_true", help="keep the build directory")
    p.add_argument("--json", action="store_true", help="also print a JSON line")
    args = p.parse_args()

    # Imported here so that --help works without Brian2.
    import brian2
    from brian2 import (NeuronGroup, SpikeMonitor, defaultclock, device, ms, mV, prefs,
                        second, set_device, run)

    build_dir = os.path.abspath(args.build_dir or tempfile.mkdtemp(prefix="brian2_lif_"))
    os.makedirs(build_dir, exist_ok=True)
    set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads <= 1 else args.threads
    prefs.logging.std_redirection = False

    defaultclock.dt = 0.1 * ms
    mu, sigma = 15 * mV, 5 * mV
    theta, v_reset = 20 * mV, 10 * mV
    tau_m, tau_ref = 20 * ms, 2 * ms

    eqs = "dv/dt = (mu - v)/tau_m + sigma*xi*tau_m**-0.5 : volt (unless refractory)"
    G = NeuronGroup(args.neurons, eqs, threshold="v > theta", reset="v = v_reset",
                    refractory=tau_ref, method=args.method,
                    namespace=dict(mu=mu, sigma=sigma, tau_m=tau_m, theta=theta, v_reset=v_reset))
    G.v = v_reset
    mon = SpikeMonitor(G, record=False)  # only counts spikes
    run(args.time * second)

    # Code generation + compilation; the compiler/make chatter goes to build.log.
    log_path = os.path.join(build_dir, "build.log")
    t0 = time.perf_counter()
    sys.stdout.flush(); sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(log_path, "w") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            device.build(directory=build_dir, compile=True, run=False, with_output=False)
    except Exception:
        os.dup2(saved[0], 1); os.dup2(saved[1], 2)
        if os.path.exists(log_path):
            sys.stderr.write(open(log_path).read())
        raise
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os.dup2(saved[0], 1); os.dup2(saved[1], 2)
    build_s = time.perf_counter() - t0

    steps = int(round(args.time / float(defaultclock.dt / second)))
    neuron_steps = args.neurons * steps
    loop_s, proc_s, rates = [], [], []
    for _ in range(args.repeats):
        device.run(directory=build_dir, with_output=False)
        if device._last_run_completed_fraction != 1.0:
            sys.exit("error: Brian2 run did not complete")
        loop_s.append(float(device._last_run_time))
        proc_s.append(float(device.timers["run_binary"]))
        rates.append(int(mon.num_spikes) / (args.neurons * args.time))

    med = statistics.median(loop_s)
    res = dict(
        simulator="brian2", brian2_version=brian2.__version__, device="cpp_standalone",
        method=args.method, threads=args.threads, neurons=args.neurons, time_s=args.time,
        dt_ms=0.1, neuron_steps=neuron_steps, repeats=args.repeats,
        run_times_s=loop_s, process_times_s=proc_s, median_run_time_s=med,
        neuron_steps_per_second=neuron_steps / med, ns_per_neuron_step=med * 1e9 / neuron_steps,
        rate_hz=statistics.mean(rates), build_s=build_s,
    )
    print(f"Brian2 {brian2.__version__} cpp_standalone, method {args.method}, "
          f"{args.threads} thread(s), N = {args.neurons}, T = {args.time} s, dt = 0.1 ms")
    print(f"  code generation + compilation: {build_s:.1f} s (not timed below)")
    print(f"  Network::run times (s):  " + " ".join(f"{x:.3f}" for x in loop_s))
    print(f"  binary wall times (s):   " + " ".join(f"{x:.3f}" for x in proc_s))
    print(f"  rate: {res['rate_hz']:.3f} Hz (per repeat: " + ", ".join(f"{r:.3f}" for r in rates) + ")")
    print(f"  {neuron_steps:.3g} neuron-steps in {med:.3f} s (median of {args.repeats}): "
          f"{res['neuron_steps_per_second']:.3g} neuron-steps/s, {res['ns_per_neuron_step']:.3f} ns/neuron-step")
    if args.json:
        print(json.dumps(res))
    print("RESULT " + " ".join(f"{k}={res[k]}" for k in
                               ("threads", "neurons", "median_run_time_s", "neuron_steps_per_second",
                                "ns_per_neuron_step", "rate_hz", "brian2_version")))

    if args.build_dir is None and not args.keep:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
