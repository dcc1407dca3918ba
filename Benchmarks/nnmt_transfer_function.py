#!/usr/bin/env python3
"""Time NNMT's LIF transfer function (linear rate response to the mean input) per (mu, sigma, f) point.

What is timed
-------------
nnmt.lif.exp._transfer_function_shift(mu, sigma, tau_m, tau_s, tau_r, V_th_rel, V_0_rel, omegas,
synaptic_filter) from NNMT 1.3.0 -- the lowest-level NNMT function that evaluates one point (it is
what nnmt.lif.exp.transfer_function(network, method='shift') calls through its cache). One "point"
is one call with scalar mu, sigma and ONE angular frequency, so each timed call includes everything
NNMT does per point: its two argument-checking decorators, the Siegert rate at the (shifted)
threshold/reset (with its Gauss-Legendre order search), and four mpmath.pcfu evaluations
(Psi and dPsi/dx at threshold and reset). The vectorised call over all frequencies of one
(mu, sigma) is timed too and reported per point. Timing: one warm-up call, then --repeats repeats;
the median is reported (wall clock, time.perf_counter; the summary line also gives
the median process CPU time, which is less sensitive to other load on the machine).

NNMT works in SI units: mu, sigma, V in V; tau in s; omega in rad/s; it returns Hz/V. Its sigma is
the Brunel sigma (y = (V - mu)/sigma; x = sqrt(2) y enters the parabolic-cylinder functions), the
same sigma as the workbench's, so the conversion is only mV -> V, ms -> s, f -> 2 pi f, and
Hz/V -> Hz/mV (x 1e-3). Sign convention: a perturbation mu(t) = mu + dmu e^{i omega t} gives
nu(t) = nu + chi(omega) dmu e^{i omega t} (NNMT's low-pass factors are 1/(1 + i omega tau));
phases are printed in degrees, negative = lag.

Above f ~ 7 kHz (omega tau_m >~ 900) NNMT returns nan: mpmath.pcfu values exceed 1e308 and the
.astype(complex) in nnmt.lif.exp._Psi overflows to inf (inf/inf = nan). This script reports them as nan.

tau_s = 0 is accepted by NNMT (its checks only reject tau_s < 0) and then 'shift' reduces exactly
to the white-noise (delta-synapse) formula of Brunel & Hakim / Lindner & Schimansky-Geier, EXCEPT
that NNMT's formula has no reset phase factor e^{-i omega tau_ref} (see --exact). The default also
runs tau_s = 0.5 ms (threshold/reset shifted by sigma*alpha/2*sqrt(tau_s/tau_m), plus the synaptic
low-pass 1/(1 + i omega tau_s)).

--exact additionally evaluates (mpmath, --dps digits) the exact white-noise LIF transfer function
WITH the reset phase factor, in NNMT's conventions, for the tau_s = 0 rows (formula in exact_chi):
NNMT's expression with Psi(z,x_r) in the denominator multiplied by e^{-i omega tau_ref}.

Each block also prints NNMT's omega = 0 value (its analytic dnu/dmu) next to a central finite
difference of NNMT's own rate: they disagree when 1 + erf(y_r) underflows (e.g. mu 30, sigma 2 mV).

Grid (defaults): (mu, sigma) in mV in {(15,5), (22,3), (30,2), (10,4)}; tau_m = 20 ms,
theta = 20 mV, V_r = 10 mV (relative to rest), tau_ref = 2 ms; f = 10 log-spaced values
0.1 Hz .. 10 kHz; tau_s in {0, 0.5} ms.

Usage:
  Benchmarks/.venv-py/bin/python Benchmarks/nnmt_transfer_function.py [--repeats 5] [--points 10]
      [--fmin 0.1] [--fmax 1e4] [--freqs 1,10,100] [--tau-s 0,0.5] [--mu-sigma 15:5,22:3]
      [--tau-ref 2] [--method shift|taylor] [--exact] [--dps 30] [--no-timing] [--json OUT.json]
  e.g. values for a side-by-side: ... --no-timing --exact --tau-s 0 --freqs 1,10,100 --mu-sigma 15:5,22:3
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"          # must be set before numpy/scipy are imported

import argparse
import cmath
import json
import math
import statistics
import sys
import time
import warnings

import mpmath
import numpy as np
import nnmt
from nnmt.lif import exp as nexp
from nnmt.lif import delta as ndelta

MV, MS = 1e-3, 1e-3
THETA, V_RESET, TAU_M = 20.0, 10.0, 20.0          # mV, mV, ms
DEFAULT_GRID = [(15.0, 5.0), (22.0, 3.0), (30.0, 2.0), (10.0, 4.0)]


def nnmt_point(fn, mu, sigma, tau_s, tau_ref, omegas):
    """One NNMT call in SI units (mu, sigma in mV; tau in ms; omegas in rad/s). Returns Hz/V array."""
    return fn(mu * MV, sigma * MV, TAU_M * MS, tau_s * MS, tau_ref * MS,
              THETA * MV, V_RESET * MV, omegas, synaptic_filter=True)


def exact_chi(mu, sigma, tau_ref, f, dps):
    """Exact white-noise LIF transfer function (tau_s = 0) in Hz/mV, NNMT conventions.

    chi(w) = sqrt2/sigma * nu * 1/(1 + i w tau_m)
             * [dPsi(z,x_t) - dPsi(z,x_r)] / [Psi(z,x_t) - e^{-i w tau_ref} Psi(z,x_r)],
    z = -1/2 + i w tau_m, x = sqrt2 (V - mu)/sigma, Psi(z,x) = e^{x^2/4} U(z,-x),
    dPsi = dPsi/dx = (z + 1/2) Psi(z+1, x). Equivalent to Lindner & Schimansky-Geier (2001) with
    the time convention flipped. nu from the Siegert integral by mpmath.quad. sigma in mV.
    """
    with mpmath.workdps(dps):
        mu, sigma, th, vr = (mpmath.mpf(v) for v in (mu, sigma, THETA, V_RESET))
        tm, tr = mpmath.mpf(TAU_M) / 1000, mpmath.mpf(tau_ref) / 1000
        yt, yr = (th - mu) / sigma, (vr - mu) / sigma
        integ = mpmath.quad(lambda u: mpmath.exp(u * u) * mpmath.erfc(-u), [yr, yt])
        nu = 1 / (tr + tm * mpmath.sqrt(mpmath.pi) * integ)              # Hz
        w = 2 * mpmath.pi * mpmath.mpf(f)
        z = mpmath.mpc(-0.5, w * tm)
        xt, xr = mpmath.sqrt(2) * yt, mpmath.sqrt(2) * yr
        psi = lambda a, x: mpmath.exp(x * x / 4) * mpmath.pcfu(a, -x)
        dpsi = lambda a, x: (a + 0.5) * psi(a + 1, x)
        ph = mpmath.exp(mpmath.mpc(0, -w * tr))
        chi = (mpmath.sqrt(2) / sigma * nu / (1 + mpmath.mpc(0, w * tm))
               * (dpsi(z, xt) - dpsi(z, xr)) / (psi(z, xt) - ph * psi(z, xr)))  # Hz/mV
        return complex(chi), float(nu)


def cabs(c):
    # math.hypot, not abs(): CPython's complex abs() of nan+nanj can raise a spurious
    # OverflowError from a stale errno left by mpmath/numpy overflow.
    return math.hypot(c.real, c.imag)


def median_time(fn, repeats, cpu_log=None):
    """Median wall time of fn() over repeats; appends the median CPU (process) time to cpu_log."""
    ts, cs = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    if cpu_log is not None:
        cpu_log.append(statistics.median(cs))
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--points", type=int, default=10, help="number of log-spaced frequencies")
    ap.add_argument("--fmin", type=float, default=0.1)
    ap.add_argument("--fmax", type=float, default=1e4)
    ap.add_argument("--freqs", default=None, help="comma list of f in Hz (overrides --points/fmin/fmax)")
    ap.add_argument("--tau-s", default="0,0.5", help="comma list of tau_s in ms")
    ap.add_argument("--tau-ref", type=float, default=2.0, help="ms")
    ap.add_argument("--mu-sigma", default=None, help="comma list mu:sigma in mV, e.g. 15:5,22:3")
    ap.add_argument("--method", choices=["shift", "taylor"], default="shift")
    ap.add_argument("--exact", action="store_true", help="also the exact tau_s=0 formula (mpmath)")
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--json", default=None, help="write results to this JSON file")
    args = ap.parse_args()

    fn = nexp._transfer_function_shift if args.method == "shift" else nexp._transfer_function_taylor
    rate_fn = nexp._firing_rate_shift if args.method == "shift" else nexp._firing_rate_taylor
    if args.freqs:
        freqs = [float(s) for s in args.freqs.split(",")]
    else:
        freqs = np.logspace(math.log10(args.fmin), math.log10(args.fmax), args.points).tolist()
    grid = DEFAULT_GRID if not args.mu_sigma else [
        tuple(float(v) for v in p.split(":")) for p in args.mu_sigma.split(",")]
    taus = [float(s) for s in args.tau_s.split(",")]
    tr = args.tau_ref

    print(f"nnmt {nnmt.__version__}, mpmath {mpmath.__version__} (mp.dps {mpmath.mp.dps}), numpy "
          f"{np.__version__}, python {sys.version.split()[0]}; method '{args.method}'")
    print(f"theta {THETA} mV, V_r {V_RESET} mV, tau_m {TAU_M} ms, tau_ref {tr} ms; "
          f"{len(freqs)} frequencies {freqs[0]:g}..{freqs[-1]:g} Hz; repeats {args.repeats}")
    out = {"nnmt": nnmt.__version__, "method": args.method, "theta_mV": THETA, "V_r_mV": V_RESET,
           "tau_m_ms": TAU_M, "tau_ref_ms": tr, "freqs_Hz": freqs, "rows": []}
    all_pt, all_vec, all_cpu = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ts in taus:
            for mu, sg in grid:
                omegas = 2 * np.pi * np.asarray(freqs)
                rate = lambda m: float(np.atleast_1d(rate_fn(
                    m * MV, sg * MV, V_RESET * MV, THETA * MV, TAU_M * MS, tr * MS, ts * MS))[0])
                nu = rate(mu)                                              # Hz, same method
                chi0 = complex(nnmt_point(fn, mu, sg, ts, tr, 0.0)[0, 0]) * 1e-3
                # independent check of chi(0): central difference of NNMT's own rate in mu
                # (NNMT's analytic dnu/dmu uses exp(y^2)*(1+erf(y)), which loses the reset
                # term when y_r = (V_r - mu)/sigma <~ -6: 1 + erf(y_r) rounds to 0)
                h = 1e-4                                                   # mV
                fd = (rate(mu + h) - rate(mu - h)) / (2 * h)               # Hz/mV
                vec = nnmt_point(fn, mu, sg, ts, tr, omegas)[:, 0] * 1e-3   # Hz/mV
                row = {"mu_mV": mu, "sigma_mV": sg, "tau_s_ms": ts, "rate_Hz": nu,
                       "chi_0_Hz_per_mV": chi0.real, "dnu_dmu_fd_Hz_per_mV": fd, "points": []}
                print(f"\nmu {mu:g} mV, sigma {sg:g} mV, tau_s {ts:g} ms: rate {nu:.10g} Hz, "
                      f"NNMT chi(0) = {chi0.real:.8g} Hz/mV, d rate/d mu (finite diff.) = {fd:.8g} Hz/mV")
                hdr = f"{'f [Hz]':>10} {'|chi| Hz/mV':>14} {'phase deg':>10} {'us/point':>10}"
                if args.exact and ts == 0.0:
                    hdr += f" {'exact |chi|':>13} {'exact deg':>10} {'|nnmt/exact|':>12}"
                print(hdr)
                t_pts = []
                for k, f in enumerate(freqs):
                    w = np.array([2 * np.pi * f])
                    c = complex(nnmt_point(fn, mu, sg, ts, tr, w)[0, 0]) * 1e-3   # warm-up + value
                    cv = complex(vec[k])
                    assert (not cmath.isfinite(c) and not cmath.isfinite(cv)) or cabs(c - cv) <= 1e-12 * cabs(cv)
                    t = None
                    if not args.no_timing:
                        t = median_time(lambda: nnmt_point(fn, mu, sg, ts, tr, w), args.repeats, all_cpu)
                        t_pts.append(t)
                    amp, ph = cabs(c), math.degrees(cmath.phase(c))
                    p = {"f_Hz": f, "re": c.real, "im": c.imag, "amp_Hz_per_mV": amp, "phase_deg": ph,
                         "us_per_point": None if t is None else t * 1e6}
                    line = f"{f:10.4g} {amp:14.8g} {ph:10.4f} " + (f"{t*1e6:10.1f}" if t else f"{'-':>10}")
                    if args.exact and ts == 0.0:
                        ce, _ = exact_chi(mu, sg, tr, f, args.dps)
                        p.update(exact_re=ce.real, exact_im=ce.imag, exact_amp=cabs(ce),
                                 exact_phase_deg=math.degrees(cmath.phase(ce)))
                        line += f" {cabs(ce):13.8g} {math.degrees(cmath.phase(ce)):10.4f} {cabs(c)/cabs(ce):12.6f}"
                    print(line)
                    row["points"].append(p)
                if not args.no_timing:
                    tv = median_time(lambda: nnmt_point(fn, mu, sg, ts, tr, omegas), args.repeats)
                    row["us_per_point_scalar_median"] = statistics.median(t_pts) * 1e6
                    row["us_per_point_vectorised"] = tv / len(freqs) * 1e6
                    all_pt += t_pts
                    all_vec.append(tv / len(freqs))
                    print(f"  scalar calls: median {statistics.median(t_pts)*1e6:.1f} us/point "
                          f"(min {min(t_pts)*1e6:.1f}, max {max(t_pts)*1e6:.1f}); vectorised over "
                          f"{len(freqs)} f: {tv/len(freqs)*1e6:.1f} us/point")
                out["rows"].append(row)
    if all_pt:
        out["us_per_point_scalar_median_all"] = statistics.median(all_pt) * 1e6
        out["us_per_point_vectorised_median_all"] = statistics.median(all_vec) * 1e6
        out["us_per_point_scalar_cpu_median_all"] = statistics.median(all_cpu) * 1e6
        print(f"\nNNMT_TF_US_PER_POINT scalar {statistics.median(all_pt)*1e6:.1f} "
              f"(cpu {statistics.median(all_cpu)*1e6:.1f}) vectorised {statistics.median(all_vec)*1e6:.1f}"
              f"  [medians over all (mu, sigma, tau_s, f) points]")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
