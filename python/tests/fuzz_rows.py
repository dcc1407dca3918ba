#!/usr/bin/env python3
"""Seeded hostile rows for every estimator through workbench.evaluate (errors="mask"), run as a child
process by test_fuzz.py so that a crash is a reported failure with its seed, not a dead test runner.

Usage: fuzz_rows.py SEED ROWS_PER_ESTIMATOR [ESTIMATOR ...]
Prints one JSON line per estimator: rows, ok, warned, failed, silent_nan (rows the wrapper had to fail
for an unannounced NaN), impossible (negative probabilities or rates in ok rows).
"""
import json
import math
import sys
import warnings

import numpy as np

import workbench

EXTREMES = [0.0, -0.0, 1.0, -1.0, 1e-320, -1e-320, 5e-324, 1e-300, 1e300, -1e300, 1.7e308, -1.7e308,
            np.inf, -np.inf, np.nan, 0.5, 2.0, 1e-6, 1e6, 100000.0, 100001.0]


def column(rng, p, n):
    lo, hi = p.min, p.max
    out = np.empty(n)
    for i in range(n):
        r = rng.random()
        if r < 0.25:
            out[i] = rng.choice(EXTREMES)
        elif r < 0.35 and not math.isnan(p.default):
            out[i] = p.default
        elif p.is_choice:
            out[i] = rng.integers(-1, len(p.choices) + 1)
        else:
            a = lo if math.isfinite(lo) else -50.0
            b = hi if math.isfinite(hi) else 50.0
            if rng.random() < 0.5 and a >= 0:
                v = math.exp(rng.uniform(math.log(max(a, 1e-12)), math.log(max(b, 1e-11))))
            else:
                v = rng.uniform(a, b)
            out[i] = round(v) if p.integer else v
    if p.required or rng.random() < 0.7:
        return out
    return None


def main():
    seed, rows = int(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3:] or workbench.estimators()
    rng = np.random.default_rng(seed)
    warnings.simplefilter("ignore")
    for name in names:
        d = workbench.describe(name)
        params = {}
        for p in d.parameters:
            c = column(rng, p, rows)
            if c is not None:
                params[p.name] = c
        outs = None if rng.random() < 0.5 else list(rng.choice([o.name for o in d.outputs],
                                                              size=rng.integers(1, len(d.outputs) + 1), replace=False))
        r = workbench.evaluate(name, errors="mask", outputs=outs, **params)
        ok = r.status >= 0
        impossible = 0
        for k, v in r.items():
            if k in ("rate_hz", "spike_prob") or k.startswith("p_"):      # probabilities and rates
                impossible += int(np.sum(ok & (v < 0)))
        silent = sum(1 for m in r.errors.values() if "without marking it not applicable" in m)
        print(json.dumps({"estimator": name, "rows": rows, "ok": int(ok.sum()), "warned": int((r.status > 0).sum()),
                          "failed": int((~ok).sum()), "silent_nan": silent, "impossible": impossible}), flush=True)


if __name__ == "__main__":
    main()
