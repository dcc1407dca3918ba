#!/usr/bin/env python3
"""workbench.evaluate (Python, through the plugin ABI) vs NNMT 1.3.0's vectorised Siegert rate, same process.

10^5 random (mu, sigma) points, mu uniform in [-20, 40] mV, sigma uniform in [0.5, 20] mV (seed 1);
theta 20 mV, V_reset 10 mV, tau_m 20 ms, tau_ref 2 ms. NNMT: nnmt.lif.delta._firing_rates_for_given_input
(SI units). workbench: workbench.evaluate("siegert", mu=..., sigma=..., outputs=["rate_hz"]) on 1 thread
and on all usable cores. Medians of --repeats calls after one warm-up; the numbers are compared too.

Usage: Benchmarks/python_vs_nnmt.sh  (or PYTHONPATH=python Benchmarks/.venv-nnmt/bin/python this file)
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"          # numpy single-threaded, as NNMT's users run it on one core

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
import nnmt
from nnmt.lif.delta import _firing_rates_for_given_input as nnmt_siegert

import workbench
from workbench._evaluate import usable_cores


def timed(f, repeats):
    f()
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = f()
        t.append(time.perf_counter() - t0)
    return statistics.median(t), min(t), r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    mu = rng.uniform(-20, 40, args.points)
    sigma = rng.uniform(0.5, 20, args.points)
    n = args.points
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_nn, t_nn_min, r_nn = timed(lambda: nnmt_siegert(mu * 1e-3, sigma * 1e-3, 10e-3, 20e-3, 20e-3, 2e-3),
                                     args.repeats)
        t_w1, t_w1_min, r_w1 = timed(lambda: workbench.evaluate("siegert", mu=mu, sigma=sigma, outputs=["rate_hz"],
                                                                threads=1), args.repeats)
        t_wn, t_wn_min, r_wn = timed(lambda: workbench.evaluate("siegert", mu=mu, sigma=sigma, outputs=["rate_hz"]),
                                     args.repeats)
    w = r_w1["rate_hz"]
    assert np.array_equal(w, r_wn["rate_hz"]), "threads changed the numbers"
    both = (r_nn > 1e-300) & (w > 1e-300) & np.isfinite(r_nn)
    rel = np.abs(r_nn[both] / w[both] - 1)
    cores = usable_cores()
    print(f"nnmt {nnmt.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}; {n} random points")
    print(f"nnmt _firing_rates_for_given_input: median {t_nn * 1e3:.1f} ms = {t_nn / n * 1e6:.3f} us/point "
          f"(min {t_nn_min / n * 1e6:.3f})")
    print(f"workbench.evaluate, 1 thread:       median {t_w1 * 1e3:.1f} ms = {t_w1 / n * 1e6:.3f} us/point "
          f"(min {t_w1_min / n * 1e6:.3f})  -> {t_nn / t_w1:.1f}x nnmt")
    print(f"workbench.evaluate, {cores} threads:      median {t_wn * 1e3:.1f} ms = {t_wn / n * 1e6:.3f} us/point "
          f"(min {t_wn_min / n * 1e6:.3f})  -> {t_nn / t_wn:.1f}x nnmt")
    print(f"agreement where both rates exceed 1e-300 Hz ({both.sum()} points): max |nnmt/workbench - 1| = "
          f"{rel.max():.2e}, median {np.median(rel):.2e}")


if __name__ == "__main__":
    main()
