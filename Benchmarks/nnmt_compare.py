#!/usr/bin/env python3
"""Accuracy of NNMT's Siegert rate against workbench on the same grid.

Reads results/nnmt_grid.csv (mu,sigma,rate_hz_nnmt; from nnmt_siegert.py) and the CSV printed by
`workbench eval siegert --input <mu,sigma csv> --outputs rate_hz,ln_rate_hz --format csv`
(rows in the same order). Relative difference |nu_nnmt / nu_workbench - 1| over the points where
workbench's rate exceeds 1e-300 Hz (sub-normal and zero rates excluded); points where only one of
the two underflows are counted separately. Needs only the Python standard library.

Usage: python3 Benchmarks/nnmt_compare.py [nnmt_grid.csv] [workbench_grid.csv] [--worst 5]
"""
import argparse
import csv
import math
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
THETA, V_RESET = 20.0, 10.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nnmt", nargs="?", default=os.path.join(HERE, "results", "nnmt_grid.csv"))
    ap.add_argument("workbench", nargs="?", default=os.path.join(HERE, "results", "workbench_grid.csv"))
    ap.add_argument("--worst", type=int, default=5)
    ap.add_argument("--floor", type=float, default=1e-300)
    args = ap.parse_args()

    with open(args.nnmt, newline="") as f:
        nn = list(csv.DictReader(f))
    with open(args.workbench, newline="") as f:
        wb = list(csv.DictReader(f))
    if len(nn) != len(wb):
        raise SystemExit(f"row count differs: nnmt {len(nn)}, workbench {len(wb)}")

    rows, only_nnmt_zero, only_wb_zero, both_small, bad = [], 0, 0, 0, 0
    for a, b in zip(nn, wb):
        mu, sigma = float(a["mu"]), float(a["sigma"])
        if mu != float(b["mu"]) or sigma != float(b["sigma"]):
            raise SystemExit(f"grid mismatch at mu={a['mu']} sigma={a['sigma']} vs {b['mu']},{b['sigma']}")
        r_n = float(a["rate_hz_nnmt"])
        r_w = float(b["rate_hz"]) if b["rate_hz"] else math.nan
        if not (math.isfinite(r_n) and math.isfinite(r_w)):
            bad += 1
            continue
        if r_w > args.floor and r_n > args.floor:
            rel = abs(r_n / r_w - 1.0)
            rows.append((rel, mu, sigma, r_n, r_w, float(b["ln_rate_hz"])))
        elif r_w > args.floor:
            only_nnmt_zero += 1
        elif r_n > args.floor:
            only_wb_zero += 1
        else:
            both_small += 1

    rels = [r[0] for r in rows]
    print(f"points: {len(nn)}; compared (both rates > {args.floor:g} Hz): {len(rows)}; "
          f"both <= floor: {both_small}; only nnmt <= floor: {only_nnmt_zero}; "
          f"only workbench <= floor: {only_wb_zero}; non-finite: {bad}")
    print(f"relative difference |nnmt/workbench - 1|: max {max(rels):.3e}, median {statistics.median(rels):.3e}, "
          f"mean {statistics.fmean(rels):.3e}")
    for tol in (1e-14, 1e-13, 1e-12, 1e-10, 1e-8, 1e-6):
        print(f"  > {tol:g}: {sum(r > tol for r in rels)}")
    # by NNMT branch (y_th < 0: mean-driven; y_r > 0: sub-threshold; else intermediate)
    for name, pred in (("y_th<0 (exc)", lambda m, s: (THETA - m) / s < 0),
                       ("y_r<=0<=y_th (interm)", lambda m, s: (V_RESET - m) / s <= 0 <= (THETA - m) / s),
                       ("y_r>0 (inh)", lambda m, s: (V_RESET - m) / s > 0)):
        sub = [r[0] for r in rows if pred(r[1], r[2])]
        if sub:
            print(f"  {name:<22} n={len(sub):5d}  max {max(sub):.3e}  median {statistics.median(sub):.3e}")
    print(f"{args.worst} worst points:")
    print(f"  {'mu mV':>10} {'sigma mV':>10} {'y_th':>8} {'nnmt Hz':>24} {'workbench Hz':>24} {'rel diff':>10}")
    for rel, mu, sigma, r_n, r_w, _ in sorted(rows, reverse=True)[: args.worst]:
        print(f"  {mu:10.4f} {sigma:10.4f} {(THETA - mu) / sigma:8.3f} {r_n:24.16e} {r_w:24.16e} {rel:10.3e}")


if __name__ == "__main__":
    main()
