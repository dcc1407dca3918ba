#!/usr/bin/env python3
"""30-digit references for the fast ISI variance / CV of `siegert` (SiegertNumerics/FastVariance.swift).

THEORY §1.2: CV² = 2π (ν τ_m)² W,  W = ∫_{y_r}^{y_θ} e^{x²} K(x) dx,  K(x) = ∫_{-∞}^x e^{y²}(1 + erf y)² dy.
The fast path tabulates four bounded antiderivatives on t ∈ [0, 50] (asymptotic series beyond):

  Kneg(t) = e^{t²} K(-t)                    Kpos(t) = e^{-t²} K(t)
  Hneg(t) = ∫_{-∞}^{-t} e^{x²} K(x) dx      Gpos(t) = e^{-2t²} ∫_0^t e^{x²} K(x) dx

This script evaluates them (and the CV itself) in 40-digit mpmath by a different route: the nested
integrals are turned into single ones by parts, with Φ(x) = ∫_0^x e^{u²} du = e^{x²} D(x):
  Hneg(t) = ∫_t^∞ D(s) erfcx(s)² ds - D(t) Kneg(t)
  Gpos(t) = D(t) Kpos(t) - ∫_0^t D(y) e^{2(y-t)(y+t)} (1 + erf y)² dy
  W       = Φ(b) K(b) - Φ(a) K(a) - ∫_a^b D(x) e^{2x²} (1 + erf x)² dx   (W = ∫ e^{x²}K directly if narrow)
(cancellation costs at most ~6 of the 40 digits). Output, 30 digits:
  Tests/Fixtures/variance_reference.csv   the four functions at seeded random t (and beyond 50)
  Tests/Fixtures/cv_reference.csv         CV and Var[ISI] of the white-noise LIF over a regime grid
Run: python3 scripts/variance_reference.py [--jobs 2]   (mpmath; a few minutes)
"""
import argparse
import multiprocessing
import os
import random
import sys

import mpmath as mp

mp.mp.dps = 40
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def erfcx(x):
    if x > 25:   # asymptotic series: the minimal term is near k = x², far below 40 digits here
        s, term = mp.mpf(1), mp.mpf(1)
        for k in range(1, 60):
            term *= -(2 * k - 1) / (2 * x * x)
            s += term
        return s / (x * mp.sqrt(mp.pi))
    return mp.exp(x * x) * mp.erfc(x)


def dawson(x):
    if abs(x) > 25:
        s, term = mp.mpf(1), mp.mpf(1)
        for k in range(1, 60):
            term *= (2 * k - 1) / (2 * x * x)
            s += term
        return s / (2 * x)
    return mp.sqrt(mp.pi) / 2 * mp.exp(-x * x) * mp.erfi(x)


def one_plus_erf(y):          # 1 + erf y without cancellation for y < 0
    return mp.erfc(-y)


K0 = None


def init_worker():
    global K0
    K0 = mp.quad(lambda s: mp.exp(-s * s) * erfcx(s) ** 2, [0, 1, 10, mp.inf])


def layer_points(t, width):
    """[0, width, 10 width, t] clipped to [0, t]: the peak of an integrand in d = t - y sits at d = 0."""
    pts = {mp.mpf(0), t}
    for k in (1, 10):
        if k * width < t:
            pts.add(k * width)
    return sorted(pts)


def k_neg(t):
    scale = 1 / (1 + 2 * t)
    return mp.quad(lambda r: mp.exp(-2 * t * r - r * r) * erfcx(t + r) ** 2, [0, scale, 10 * scale, mp.inf])


def k_pos(t):
    if t == 0:
        return K0
    f = lambda d: mp.exp(-d * (2 * t - d)) * one_plus_erf(t - d) ** 2
    return mp.exp(-t * t) * K0 + mp.quad(f, layer_points(t, 1 / (2 * t)))


def h_neg(t):
    pts = [t, t + 1, 2 * t + 10, mp.inf]
    return mp.quad(lambda s: dawson(s) * erfcx(s) ** 2, pts) - dawson(t) * k_neg(t)


def g_pos(t):
    if t == 0:
        return mp.mpf(0)
    f = lambda d: dawson(t - d) * mp.exp(-2 * d * (2 * t - d)) * one_plus_erf(t - d) ** 2
    return dawson(t) * k_pos(t) - mp.quad(f, layer_points(t, 1 / (4 * t)))


def big_k(x):
    """K(x) as (mantissa, exponent of e): K = m e^{e}."""
    return (k_neg(-x), -x * x) if x < 0 else (k_pos(x), x * x)


def breakpoints(a, b):
    pts = {a, b}
    if a < 0 < b:
        pts.add(mp.mpf(0))
    for k in (1, 10, 100):
        for x in (b - k / max(1, abs(b)), a + k / max(1, abs(a))):
            if a < x < b:
                pts.add(x)
    x = mp.mpf(-1)
    while x > a:
        if x < b:
            pts.add(x)
        x *= 10
    return sorted(pts)


def cv_row(row):
    # The doubles the tests read, exactly (a decimal string differs from its double by ~1e-16 relative,
    # which moves e^{b²} by 2b²·1e-16: 1e-10 at b = 900).
    mu, sigma, theta, v_reset, tau_m, tau_ref = [mp.mpf(float(v)) for v in row]
    a, b = (v_reset - mu) / sigma, (theta - mu) / sigma
    c = b * b if b > 0 else mp.mpf(0)
    pts = breakpoints(a, b)
    # Everything scaled by e^{-c} (rate integral) or e^{-2c} (W), so no exponent overflows the arithmetic.
    S = mp.quad(lambda x: mp.exp(x * x - c) * one_plus_erf(x), pts)
    def phi_k(x):
        m, e = big_k(x)
        return mp.exp(x * x + e - 2 * c) * dawson(x) * m
    if (b - a) * max(1, 2 * abs(b)) < 2:
        # A narrow interval: W directly (nested quadrature), the by-parts difference would lose digits.
        W = mp.quad(lambda x: mp.exp(x * x + big_k(x)[1] - 2 * c) * big_k(x)[0], [a, b])
    else:
        inner = mp.quad(lambda x: dawson(x) * mp.exp(2 * x * x - 2 * c) * one_plus_erf(x) ** 2, pts)
        W = phi_k(b) - phi_k(a) - inner
    T = tau_ref + tau_m * mp.sqrt(mp.pi) * mp.exp(c) * S
    cv = mp.sqrt(2 * mp.pi * W) * tau_m * mp.exp(c) / T
    var = 2 * mp.pi * W * mp.exp(2 * c) * tau_m ** 2
    print("cv_row", row, mp.nstr(cv, 12), file=sys.stderr, flush=True)
    return list(row) + [mp.nstr(cv, 30), mp.nstr(var, 30)]


def regime_grid():
    rng = random.Random(7)
    rows = []
    # (y_r, y_θ) regimes as in Benchmarks/siegert_batch.sh, written as mu = 0, sigma = 1, in noise units.
    for a, b in [(-1e4, -5e3), (-1500, -500), (-120, -60), (-60, -55), (-3, 3), (-1, 0.5), (0.5, 2), (2, 4),
                 (5, 10), (10, 12), (20, 21), (25, 28), (-2.5, 0), (-5, -2), (0.1, 0.1001), (3, 3.01),
                 (-0.7, -0.69), (-50, -49.9), (45, 45.005), (60, 60.1),
                 (41.2, 41.205), (399.9, 400), (899.96, 900), (900, 900.0002), (-2e5, -100)]:
        for _ in range(3):
            s = rng.uniform(0.9, 1.1)
            rows.append(("0", "1", repr(b * s), repr(a * s), "20", rng.choice(["0", "2"])))
    # Ordinary parameter sets in mV and ms.
    for _ in range(40):
        rows.append((repr(round(rng.uniform(-20, 40), 3)), repr(round(rng.uniform(0.5, 20), 3)), "20", "10",
                     rng.choice(["10", "20"]), rng.choice(["0", "2"])))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--cv-only", action="store_true", help="only Tests/Fixtures/cv_reference.csv")
    args = ap.parse_args()
    rng = random.Random(20261206)
    ts = [0.0, 0.125, 1.0, 49.999, 50.0] + [rng.uniform(0, 50) for _ in range(100)]
    ts += [rng.uniform(50, 60) for _ in range(10)] + [75.0, 100.0, 300.0, 1000.0]
    with multiprocessing.Pool(args.jobs, initializer=init_worker) as pool:
        funcs = None if args.cv_only else pool.map(function_row, ts)
        cvs = pool.map(cv_row, regime_grid())
    if funcs is not None:
        with open(os.path.join(ROOT, "Tests/Fixtures/variance_reference.csv"), "w") as out:
            out.write("t,Kneg,Kpos,Hneg,Gpos\n")
            for r in funcs:
                out.write(",".join(r) + "\n")
    with open(os.path.join(ROOT, "Tests/Fixtures/cv_reference.csv"), "w") as out:
        out.write("mu,sigma,theta,v_reset,tau_m,tau_ref,cv,var_isi_ms2\n")
        for r in cvs:
            out.write(",".join(r) + "\n")


def function_row(t):
    x = mp.mpf(t)
    return [repr(t)] + [mp.nstr(f(x), 30) for f in (k_neg, k_pos, h_neg, g_pos)]


if __name__ == "__main__":
    main()
