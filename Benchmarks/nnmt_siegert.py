#!/usr/bin/env python3
"""Time NNMT's vectorised Siegert rate (white-noise LIF, delta synapses) and dump its rates.

Function: nnmt.lif.delta._firing_rates_for_given_input(mu, sigma, V_0_rel, V_th_rel, tau_m, tau_r)
(NNMT 1.3.0; argument order as in the installed source). NNMT works in SI units (V, s) and
returns Hz. Its sigma enters the Siegert limits as y = (V - mu)/sigma, i.e. it is the Brunel
sigma of THEORY.md §0.2 (sqrt(2) x free-membrane std), the same sigma as workbench's, so the
only conversion is mV -> V and ms -> s.

Grid: mu in [-20, 40] mV (300 points) x sigma in [0.5, 20] mV (100 points) = 30000 points;
theta = 20 mV, V_reset = 10 mV, tau_m = 20 ms, tau_ref = 2 ms.

Usage: Benchmarks/.venv-nnmt/bin/python Benchmarks/nnmt_siegert.py [--repeats 5] [--out CSV]
Writes CSV columns mu,sigma,rate_hz_nnmt (mu, sigma in mV, shortest round-trip repr).
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"          # must be set before numpy/scipy are imported

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
import nnmt
from nnmt.lif.delta import _firing_rates_for_given_input as siegert

HERE = os.path.dirname(os.path.abspath(__file__))
MV, MS = 1e-3, 1e-3
THETA, V_RESET, TAU_M, TAU_REF = 20.0, 10.0, 20.0, 2.0   # mV, mV, ms, ms


def grid():
    mu = np.linspace(-20.0, 40.0, 300)
    sigma = np.linspace(0.5, 20.0, 100)
    M, S = np.meshgrid(mu, sigma, indexing="ij")
    return M.ravel(), S.ravel()


def call(mu_mv, sigma_mv):
    return siegert(mu_mv * MV, sigma_mv * MV, V_RESET * MV, THETA * MV, TAU_M * MS, TAU_REF * MS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "nnmt_grid.csv"))
    args = ap.parse_args()

    mu, sigma = grid()
    n = mu.size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # exp underflow in deep sub-threshold points
        rates = call(mu, sigma)           # warm-up (imports, scipy caches)
        t_vec, c_vec = [], []
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            r = call(mu, sigma)
            t_vec.append(time.perf_counter() - t0)
            c_vec.append(time.process_time() - c0)
            assert np.array_equal(r, rates, equal_nan=True)

        # scalar call (one point, mu = 15 mV, sigma = 5 mV); each call re-runs NNMT's
        # quadrature-order search, so this is the real cost of a single evaluation.
        m1, s1 = 15.0, 5.0
        reps = 200
        call(m1, s1)
        t_sc = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for _ in range(reps):
                call(m1, s1)
            t_sc.append((time.perf_counter() - t0) / reps)
        r1 = call(m1, s1)

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("mu,sigma,rate_hz_nnmt\n")
        for a, b, c in zip(mu.tolist(), sigma.tolist(), rates.tolist()):
            f.write(f"{a!r},{b!r},{c!r}\n")

    y_th = (THETA - mu) / sigma
    y_r = (V_RESET - mu) / sigma
    gl = nnmt.lif.delta._get_erfcx_integral_gl_order(y_th=y_th, y_r=y_r, start_order=10,
                                                      epsrel=1e-12, maxiter=10)
    med = statistics.median(t_vec)
    print(f"nnmt {nnmt.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"grid: {n} points (mu -20..40 mV x sigma 0.5..20 mV), theta 20, V_r 10 mV, tau_m 20, tau_ref 2 ms")
    print(f"vectorised call: median {med*1e3:.2f} ms over {args.repeats} repeats "
          f"= {med/n*1e6:.3f} us/point (min {min(t_vec)/n*1e6:.3f}); Gauss-Legendre order {gl}")
    print(f"NNMT_US_PER_POINT wall {med/n*1e6:.4f} cpu {statistics.median(c_vec)/n*1e6:.4f}")
    print(f"scalar call (mu=15, sigma=5 mV): median {statistics.median(t_sc)*1e6:.1f} us/call, "
          f"rate {r1!r} Hz (THEORY S1: 9.46079980575913)")
    print(f"points with rate > 1e-300 Hz: {int(np.sum(rates > 1e-300))}, exactly 0: {int(np.sum(rates == 0))}, "
          f"non-finite: {int(np.sum(~np.isfinite(rates)))}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
