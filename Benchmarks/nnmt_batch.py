#!/usr/bin/env python3
"""NNMT doing a workbench batch job in Python: read a CSV of (mu, sigma) rows, compute the Siegert rate and
its log, write a CSV. Timed in-process (imports excluded: that is the start-up the comparison subtracts).

nnmt 1.3.0 nnmt.lif.delta._firing_rates_for_given_input (vectorised, SI units) with theta = 20 mV,
V_reset = 10 mV, tau_m = 20 ms, tau_ref = 2 ms (workbench's defaults); np.loadtxt in, np.savetxt out
('%.17g', round-trip exact like workbench's shortest representation).
Usage: nnmt_batch.py IN.csv OUT.csv [--repeats 5]; prints NNMT_BATCH_US_PER_ROW <median> and the parts.
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse
import statistics
import time
import warnings

import numpy as np
from nnmt.lif.delta import _firing_rates_for_given_input as siegert

MV, MS = 1e-3, 1e-3


def job(src, dst):
    t0 = time.perf_counter()
    data = np.loadtxt(src, delimiter=",", skiprows=1, ndmin=2)
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rate = siegert(data[:, 0] * MV, data[:, 1] * MV, 10 * MV, 20 * MV, 20 * MS, 2 * MS)
        ln_rate = np.log(rate)
    t2 = time.perf_counter()
    np.savetxt(dst, np.column_stack([data[:, 0], data[:, 1], rate, ln_rate]), fmt="%.17g", delimiter=",",
               header="mu,sigma,rate_hz,ln_rate_hz", comments="")
    t3 = time.perf_counter()
    return len(data), (t1 - t0, t2 - t1, t3 - t2, t3 - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    runs = [job(a.src, a.dst) for _ in range(a.repeats)]
    n = runs[0][0]
    med = [statistics.median(r[1][i] for r in runs) / n * 1e6 for i in range(4)]
    print(f"nnmt parts (us/row): read {med[0]:.3f}, compute {med[1]:.3f}, write {med[2]:.3f}")
    print(f"NNMT_BATCH_US_PER_ROW {med[3]:.4f}")


if __name__ == "__main__":
    main()
